// Kernel (gVisor pkg/sentry/kernel.Kernel): the sandbox's one kernel. It
// owns the platform, the memory file, the file system tree and the tasks,
// and runs them. Scheduling follows DESIGN.md: a runnable task is run in
// the same turn, synchronously, until it blocks or exits; control goes
// back to Node's event loop only when every task is blocked (or, with
// several runnable tasks, after a quantum), so a system call that can be
// served at once never waits for the event loop.

import type { NetworkStack } from './inet_stack.js';
import type { AddressSpace, Context, Platform } from '../platform/platform.js';
import type { MemoryFile } from '../memory/memory_file.js';
import type { VirtualFilesystem } from '../vfs/vfs.js';
import { PIDNamespace, attachTask, detachTask } from './pid_namespace.js';
import { UTSNamespace } from './uts.js';
import { IPCNamespace } from './ipc/namespace.js';
import { UserNamespace } from './user_namespace.js';
import { Task, TaskState } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { runTask } from './task_run.js';
import { killBySignal } from './exit.js';
import { makeSiginfo, sendToProcess } from './signals.js';
import type { Logger } from './log.js';
import { native } from '../native.js';
import { Timekeeper } from './timekeeper.js';
import { VdsoImage, VvarPage } from '../loader/vdso.js';
import { PageCache } from '../mm/page_cache.js';
import { UnixNamespace } from './unix_socket.js';
import { SandboxLimits } from './limits.js';
import { currentTask, setCurrentTask } from './current.js';

const QUANTUM_MS = 20;
const SIGKILL = 9, SI_KERNEL = 0x80;
import { FutexManager } from './futex.js';

export type SyscallFn = (t: Task) => number;

export interface SyscallTable {
  /** Handlers indexed by system call number. */
  readonly handlers: readonly (SyscallFn | undefined)[];
}

/** Hooks for --strace: called around each system call. */
export interface SyscallTracer {
  enter(t: Task, nr: number): void;
  exit(t: Task, nr: number, ret: number): void;
}

export class Kernel {
  /**
   * The root pid namespace: every task has an id here (task.tid), and
   * those of child namespaces (pid_namespace.ts) in theirs as well.
   */
  readonly pidns = PIDNamespace.root(UserNamespace.ROOT);
  readonly futexes = new FutexManager();
  readonly uts: UTSNamespace;
  /** The sandbox's IPC namespace, where its first process starts (task.ipcns: CLONE_NEWIPC makes others). */
  readonly ipcns: IPCNamespace;
  /**
   * The user namespace that owns the sandbox's namespaces (UTS, IPC,
   * network, pid, the first mount namespace), as the container's user
   * namespace owns those runc makes after it: the container's, from the
   * spec's id maps (set by the boot loader before the first task), else
   * the root one. Its processes are privileged over them with capabilities
   * in it; exec'd processes start in it.
   */
  userns: UserNamespace = UserNamespace.ROOT;
  /** The clocks; CLOCK_MONOTONIC starts near zero at boot, like a fresh machine's. */
  readonly timekeeper: Timekeeper;
  /** The vDSO every program gets, and the clock page mapped below it. */
  readonly vdso: VdsoImage;
  readonly vvar: VvarPage;
  /** File contents shared by every private mapping of them. */
  readonly pageCache: PageCache;
  /** Bounds on the kernel objects the sandbox's programs make (limits.ts). */
  readonly limits = new SandboxLimits();
  /** The abstract namespace of Unix domain socket names. */
  readonly unixNs = new UnixNamespace();
  tracer: SyscallTracer | null = null;
  /** The sandbox's network as /proc/net shows it (src/net, set at boot); null: no /proc/net files. */
  network: NetworkStack | null = null;
  /** The task being run now (current.ts: set once per turn of the run loop, not per system call). */
  get current(): Task | null {
    return currentTask();
  }
  private readonly runQueue: Task[] = [];
  private scheduled = false;
  private running = false;
  /** Called once when the last task has exited, with the first process's wait status. */
  onAllExited: ((status: number) => void) | null = null;
  /**
   * The first process (pid 1 of the root pid namespace, its child reaper):
   * orphans of that namespace are reparented to it, and its death ends the
   * sandbox. A child namespace's init is its PIDNamespace.init.
   */
  get initTg(): ThreadGroup | null {
    return this.pidns.init;
  }

  set initTg(tg: ThreadGroup | null) {
    this.pidns.init = tg;
  }
  /**
   * The first process is the init of a pid namespace of the container's
   * own (an OCI spec with a "pid" namespace): kill(2) and its kin from
   * inside give it only the signals it handles, as Linux's
   * SIGNAL_UNKILLABLE. Off for `tsvisor do`, whose program runs as it
   * would natively (not as an init). The init of a child namespace is
   * always unkillable from inside it (signals.ts).
   */
  initUnkillable = false;
  /** Tasks not yet dead (zombies stay in pidns until reaped, but do not count here). */
  private liveTasks = 0;
  /**
   * The most tasks (zombies included) the sandbox may hold, as a pids cgroup
   * limits a container: each is a host stub process. fork fails with EAGAIN
   * beyond it, so a fork bomb stays inside the sandbox's share. It is
   * limits.tasks.max (SandboxLimits.setMaxTasks changes it).
   */
  get maxTasks(): number {
    return this.limits.tasks.max;
  }

  set maxTasks(n: number) {
    this.limits.setMaxTasks(n);
  }
  /**
   * The pid namespace a proc instance mounted with no calling task (the
   * boot loader's mount table) shows: a sub-container's loader sets it
   * around that container's mounts; null is the root namespace. A mount(2)
   * from a task shows the task's own namespace, as Linux's.
   */
  bootMountPidns: PIDNamespace | null = null;
  /** Paused (tsvisor pause, freeze.ts): no task returns to application code until thawed. */
  frozen = false;
  /** Processes the OOM killer has ended (oom.ts): `tsvisor events` reports each as an "oom" event. */
  oomKills = 0;
  private readonly ensosysLogged = new Set<number>();

  constructor(
    readonly platform: Platform,
    readonly mf: MemoryFile,
    readonly vfs: VirtualFilesystem,
    readonly syscalls: SyscallTable,
    readonly log: Logger,
    hostName: string,
  ) {
    this.uts = new UTSNamespace(hostName);
    this.ipcns = new IPCNamespace(this, null);
    this.timekeeper = new Timekeeper(mf);
    this.vdso = VdsoImage.load();
    this.vvar = new VvarPage(this.timekeeper.paramsOff);
    this.pageCache = new PageCache(mf);
  }

  /**
   * A new address space for a new process image (exec, fork). If the
   * platform ever has to destroy it, because a change to it could not be
   * made, every process using it dies by SIGKILL at once, blocked or not:
   * the Sentry can no longer say what that address space maps.
   */
  newAddressSpace(): { as: AddressSpace; ctx: Context } {
    const made = this.platform.newAddressSpace();
    const as = made.as;
    as.onLost = (why) => {
      this.log.warn(`address space lost (${why}): its processes are killed`);
      const kill = makeSiginfo(SIGKILL, SI_KERNEL);
      const tgs = new Set<ThreadGroup>();
      for (const t of this.pidns.tasks.values()) if (t.state !== TaskState.Dead && t.mm.as === as) tgs.add(t.tg);
      for (const tg of tgs) sendToProcess(tg, kill);
    };
    return made;
  }

  /**
   * Keeps Node's event loop alive while the sandbox has tasks: a task
   * blocked for ever (pause, a futex nobody wakes) must keep the sandbox
   * running, as it would keep a Linux machine running.
   */
  private keepAlive: NodeJS.Timeout | null = null;

  /** Whether another task is waiting to run. */
  othersRunnable(): boolean {
    return this.runQueue.length > 0;
  }

  /** Makes t runnable; it runs on the next turn of the scheduler. */
  schedule(t: Task): void {
    if (this.keepAlive === null && this.liveTasks > 0) {
      this.keepAlive = setInterval(() => {}, 1 << 30);
      this.timekeeper.start();
    }
    this.runQueue.push(t);
    if (!this.scheduled && !this.running) {
      this.scheduled = true;
      setImmediate(() => this.runLoop());
    }
  }

  private runLoop(): void {
    this.scheduled = false;
    this.running = true;
    // A quantum bounds how long the Sentry keeps Node's event loop waiting
    // while application threads run: when it ends, a blocking wait for the
    // next stop returns and the loop yields (timers, host signals, I/O).
    native.armQuantum(QUANTUM_MS);
    try {
      while (this.runQueue.length > 0) {
        const t = this.runQueue.shift() as Task;
        if (t.state !== TaskState.Running) continue;
        setCurrentTask(t);
        try {
          runTask(t);
        } catch (e) {
          // A Sentry bug outside a system call handler: the process it hit
          // dies (as by SIGKILL); the Sentry and the rest of the sandbox go on.
          this.log.warn(`BUG: task ${t.tid}: ${(e as Error).stack ?? String(e)}`);
          if ((t.state as TaskState) !== TaskState.Dead) killBySignal(t, 9);
        }
        if (native.quantumExpired()) break;
      }
    } finally {
      setCurrentTask(null);
      native.armQuantum(0);
      this.running = false;
    }
    if (this.runQueue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.runLoop());
    }
  }

  /** Logs an unimplemented system call once per number. */
  noteENOSYS(nr: number, name: string): void {
    // Numbers Linux does not define share one entry, so the set stays small.
    if (nr < -64 || nr > 1024) {
      nr = -1000;
      name = 'numbers outside the system call table';
    }
    if (this.ensosysLogged.has(nr)) return;
    this.ensosysLogged.add(nr);
    this.log.warn(`unimplemented system call ${name} (${nr}): returning ENOSYS`);
  }

  /** A new task exists (the first process, or a fork's child): it has its pid and counts as alive. */
  taskStarted(t: Task): void {
    attachTask(t);
    this.liveTasks++;
  }

  /** Called by exit paths when a task is dead; its pid stays taken until it is reaped. */
  taskExited(t: Task): void {
    this.liveTasks--;
    if (this.liveTasks > 0) return;
    if (this.keepAlive !== null) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
      this.timekeeper.stop();
    }
    if (this.onAllExited !== null) {
      const cb = this.onAllExited;
      this.onAllExited = null;
      cb((this.initTg ?? t.tg).exitStatus ?? 0);
    }
  }

  /** Frees a reaped process's pids. */
  reaped(tg: ThreadGroup): void {
    for (const task of tg.tasks) detachTask(task);
  }

  /** Monotonic clock in nanoseconds since boot, as a number (exact to ~104 days). */
  monotonicNs(): number {
    return this.timekeeper.monotonicNs();
  }

  /** Monotonic clock in milliseconds since boot: the clock every deadline is kept in. */
  monotonicMs(): number {
    return this.timekeeper.monotonicNs() / 1e6;
  }

  /** CLOCK_REALTIME in milliseconds (for deadlines on it: rounded to a fraction of a microsecond). */
  realtimeMs(): number {
    this.timekeeper.realtime(this.realtime2);
    return this.realtime2[0] * 1e3 + this.realtime2[1] / 1e6;
  }

  private readonly realtime2 = new Float64Array(2);

  /** Ticks (USER_HZ = 100) since boot. */
  ticks(): number {
    return Math.floor(this.timekeeper.monotonicNs() / 1e7);
  }
}
