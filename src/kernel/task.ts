// Task (gVisor pkg/sentry/kernel.Task, seed 002): one application thread.
// Its state is plain data (registers, ids, masks, the file table, the
// address space) so that it can be saved and restored. A task moves
// through explicit run states, as gVisor's task run loop does:
//
//   Running  -> the platform runs it until a system call, fault or signal
//   Blocked  -> parked on a wait queue; woken, it re-runs its system call
//   Dead     -> exited; its resources are released
//
// A system call that must wait returns BLOCK after registering a waiter;
// nothing about the wait lives in a closure or a promise, so a blocked
// task is just a task whose registers still hold the call it will re-run.

import type { Context } from '../platform/platform.js';
import type { Registers } from '../platform/registers.js';
import type { MemoryManager } from '../mm/mm.js';
import type { Dentry } from '../vfs/dentry.js';
import type { MountNamespace } from '../vfs/mount.js';
import type { VirtualFilesystem } from '../vfs/vfs.js';
import type { FDTable } from './fd_table.js';
import type { Credentials } from './credentials.js';
import type { UserNamespace } from './user_namespace.js';
import type { ThreadGroup } from './thread_group.js';
import type { Kernel } from './kernel.js';
import type { Waiter, WaitQueue } from '../sync/waiter.js';
import type { SeccompFilter } from './seccomp.js';
import type { Pid, PIDNamespace } from './pid_namespace.js';
import type { IPCNamespace } from './ipc/namespace.js';
import { UndoList } from './ipc/sem.js';

export const enum TaskState {
  Running,
  Blocked,
  Dead,
}

/** Returned by a system call handler that parked its task. */
export const BLOCK = -0x7f000001;
/** Returned by a handler after which the task no longer runs (exit). */
export const EXITED = -0x7f000002;
/** Returned by a handler that set the registers itself (execve, sigreturn). */
export const NORETURN = -0x7f000003;

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What CLONE_FS shares: the root, the working directory and the umask;
 * and the mount namespace they are in (Linux keeps it in nsproxy: here a
 * task's namespace is always its root's, which unshare and setns move).
 */
export class FSContext {
  umask = 0o022;
  /**
   * The user namespace that owns the mount namespace (mount(2) and
   * umount(2) need CAP_SYS_ADMIN there): null for the sandbox's own mount
   * namespaces, which the kernel's namespace owns (Kernel.userns); the
   * maker's for one made by unshare or clone.
   */
  mntnsOwner: UserNamespace | null = null;

  constructor(public root: Dentry, public cwd: Dentry) {}

  get mntns(): MountNamespace {
    return this.root.mount.ns;
  }

  clone(): FSContext {
    const c = new FSContext(this.root, this.cwd);
    c.umask = this.umask;
    c.mntnsOwner = this.mntnsOwner;
    return c;
  }

  /** Moves this context into a copy of its mount namespace owned by owner (CLONE_NEWNS, unshare); 0 or -errno. */
  unshareNamespace(vfs: VirtualFilesystem, owner: UserNamespace): number {
    const copy = vfs.copyNamespace(this.mntns);
    if (typeof copy === 'number') return copy;
    this.root = copy.translate(this.root);
    this.cwd = copy.translate(this.cwd);
    this.mntnsOwner = owner;
    return 0;
  }
}

export class Task {
  state = TaskState.Running;
  /** The thread's name (comm), at most 15 bytes. */
  comm = '';
  /** Blocked signal mask. */
  sigmask = 0n;
  /** Pending signals: one siginfo for a standard signal, a queue for a realtime one. */
  pendingSignals: (Uint8Array[] | undefined)[] = [];
  pendingMask = 0n;
  /** Signals queued (for RLIMIT_SIGPENDING; kept by signals.ts countPending). */
  pendingCount = 0;
  /** The real uid the queued signals are counted against (kernel/limits.ts pendingSignals). */
  pendingUid = 0;
  /** Whether a pending signal is not blocked (kept by signals.ts). */
  signalPending = false;
  /** Signals rt_sigtimedwait(2) is waiting for. */
  sigWaitSet = 0n;
  /** The mask to restore after a handler that interrupted rt_sigsuspend(2). */
  savedSigmask: bigint | null = null;
  /** Set right after a system call returns, until signals are handled at the return to user mode. */
  syscallExit = false;
  /** The last fault resumed as possibly stale (task_run.ts), and where: the same one again is real. */
  staleFault = -1;
  staleFaultIp = -1;
  altStack = { sp: 0, flags: 2 /* SS_DISABLE */, size: 0 };
  clearChildTid = 0;
  robustList = 0;
  robustListLen = 0;
  /** sched_setscheduler(2) policy and SCHED_RESET_ON_FORK; recorded, not passed to the host scheduler. */
  schedPolicy = 0;
  schedResetOnFork = false;
  /** The nice value (setpriority(2)); recorded, not passed to the host scheduler. */
  nice = 0;
  /** prctl(2) settings (keepcaps is SECBIT_KEEP_CAPS in creds.securebits, as on Linux). */
  prctl = { pdeathsig: 0, dumpable: 1, noNewPrivs: 0, thpDisable: 0, subreaper: 0 };
  /**
   * seccomp(2) (kernel/seccomp.ts): the mode (SECCOMP_MODE_*, 0 for most
   * tasks, and all the run loop looks at for them), the newest filter of
   * the chain, and how many filters the chain had (kept for a zombie's
   * /proc status after the chain is let go).
   */
  seccompMode = 0;
  seccompFilter: SeccompFilter | null = null;
  seccompFilters = 0;
  /**
   * State a blocking system call keeps between its runs, cleared when it
   * returns: a deadline, or the bytes a blocking write has already written.
   */
  syscallState: { deadline?: number; partial?: number; [k: string]: unknown } | null = null;
  /** Set by sched_yield(2): the task goes to the back of the run queue when the call returns. */
  yieldTurn = false;
  /** A system call blocked and will be served again when the task runs. */
  syscallPending = false;
  /** Set when a blocked system call was interrupted: it returns EINTR instead of running again. */
  interrupted = false;
  /** Parked because its process is stopped (job control), not in a system call. */
  parkedStopped = false;
  /** The waiter registered while Blocked, and where. */
  private waiting: { queues: WaitQueue[]; waiter: Waiter; timer?: NodeJS.Timeout } | null = null;

  /**
   * The pid namespace children made from now on go into (Linux's
   * nsproxy->pid_for_children): the task's own, or the one unshare(CLONE_NEWPID) made.
   */
  pidnsForChildren: PIDNamespace;
  /** The SysV IPC namespace the task names objects in (nsproxy's ipc_ns): its parent's, or a new one (CLONE_NEWIPC). */
  ipcns: IPCNamespace;
  /** SEM_UNDO adjustments (ipc/sem.ts), shared with the tasks made with CLONE_SYSVSEM; null before the first. */
  semUndo: UndoList | null = null;

  constructor(
    readonly kernel: Kernel,
    /** The thread's ids, in its pid namespace and every ancestor; execve from a thread other than the leader takes the leader's. */
    public threadPid: Pid,
    readonly tg: ThreadGroup,
    public ctx: Context,
    public mm: MemoryManager,
    public fdTable: FDTable,
    root: Dentry,
    cwd: Dentry,
    public creds: Credentials,
    /** The root, working directory and umask; shared by the threads of a process (CLONE_FS). */
    public fs: FSContext = new FSContext(root, cwd),
  ) {
    this.pidnsForChildren = threadPid.ns;
    this.ipcns = kernel.ipcns;
    kernel.ipcns.enter();
  }

  /** The thread id in the root pid namespace (the Sentry's own name for the task). */
  get tid(): number {
    return this.threadPid.nrs[0];
  }

  /** The task's pid namespace (Linux's task_active_pid_ns): the one its ids are made in. */
  get pidns(): PIDNamespace {
    return this.threadPid.ns;
  }

  get root(): Dentry {
    return this.fs.root;
  }

  get cwd(): Dentry {
    return this.fs.cwd;
  }

  set cwd(d: Dentry) {
    this.fs.cwd = d;
  }

  get umask(): number {
    return this.fs.umask;
  }

  set umask(m: number) {
    this.fs.umask = m;
  }

  get regs(): Registers {
    return this.ctx.regs;
  }

  /** Parks the task until one of `queues` reports `mask`, or until `deadlineMs` (monotonic ms) passes. */
  block(queues: WaitQueue[], mask: number, deadlineMs?: number): number {
    const waiter: Waiter = { mask, notify: () => this.wake() };
    for (const q of queues) q.register(waiter);
    this.waiting = { queues, waiter };
    if (deadlineMs !== undefined) {
      // Node's timers take at most 2^31-1 ms; a longer wait wakes early and
      // the call, run again, waits for the rest of its deadline.
      const delay = Math.min(MAX_TIMER_MS, Math.max(0, deadlineMs - this.kernel.monotonicMs()));
      this.waiting.timer = setTimeout(() => this.wake(), Math.ceil(delay));
    }
    this.state = TaskState.Blocked;
    return BLOCK;
  }

  /**
   * The deadline of a wait bounded by a socket timeout (SO_RCVTIMEO,
   * SO_SNDTIMEO): fixed when the call first waits and kept across its
   * re-runs; undefined for no timeout (timeoutMs 0), -1 once it has
   * passed (the call then fails with EAGAIN). A timed wait that a signal
   * interrupts is EINTR, never restarted, as Linux's sock_intr_errno.
   */
  timedWaitDeadline(timeoutMs: number): number | undefined {
    if (timeoutMs <= 0) return undefined;
    const st = this.syscallState ?? (this.syscallState = {});
    if (st.deadline === undefined) st.deadline = this.kernel.monotonicMs() + timeoutMs;
    if (this.kernel.monotonicMs() >= st.deadline) return -1;
    st.interruptErr = 4; // EINTR
    return st.deadline;
  }

  /** Moves the task into ns (clone's child, CLONE_NEWIPC), leaving the one it was in. */
  setIpcns(ns: IPCNamespace): void {
    if (ns === this.ipcns) return;
    ns.enter();
    const old = this.ipcns;
    this.ipcns = ns;
    old.leave();
  }

  /** The task's undo list, made now if it has none (get_undo_list). */
  undoList(): UndoList {
    return this.semUndo ?? (this.semUndo = new UndoList());
  }

  /** exit_sem: the task lets go of its undo list; the last holder applies it. */
  dropUndo(): void {
    const u = this.semUndo;
    if (u === null) return;
    this.semUndo = null;
    if (--u.refs === 0) u.apply(this.tg.tgidPid);
  }

  /** Makes a blocked task runnable; it re-runs its system call. */
  wake(): void {
    if (this.state !== TaskState.Blocked) return;
    this.parkedStopped = false;
    const w = this.waiting;
    if (w !== null) {
      for (const q of w.queues) q.unregister(w.waiter);
      if (w.timer !== undefined) clearTimeout(w.timer);
      this.waiting = null;
    }
    this.state = TaskState.Running;
    this.kernel.schedule(this);
  }

  /**
   * Interrupts a blocked system call (the mechanism signal delivery uses):
   * the task becomes runnable and its call returns EINTR.
   */
  interrupt(): void {
    if (this.state !== TaskState.Blocked) return;
    // A stopped thread is not in a call: it only has to look at its signals (SIGKILL) again.
    if (!this.parkedStopped) this.interrupted = true;
    this.wake();
  }

  /** Parks the task while its process is stopped; SIGCONT (or SIGKILL) makes it run again. */
  parkStopped(): void {
    const waiter: Waiter = { mask: 0x1, notify: () => this.wake() };
    this.tg.stopQueue.register(waiter);
    this.waiting = { queues: [this.tg.stopQueue], waiter };
    this.parkedStopped = true;
    this.state = TaskState.Blocked;
  }

  get pid(): number {
    return this.tg.tgid;
  }

  /** What the task waits on, for the task dump (task_dump.ts): how many queues, and the deadline's distance. */
  get waitSummary(): { queues: number; timed: boolean } | null {
    const w = this.waiting;
    return w === null ? null : { queues: w.queues.length, timed: w.timer !== undefined };
  }
}
