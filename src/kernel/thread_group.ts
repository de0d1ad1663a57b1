// ThreadGroup (gVisor pkg/sentry/kernel.ThreadGroup): a process. It owns
// what its threads share: signal dispositions, resource limits, the
// process group and session ids, and the exit status the parent sees. It
// is also a node of the process tree: its parent, its children (alive or
// zombies), and the queue its wait(2) calls sleep on.
//
// A process that has exited is a zombie (exitStatus set, reaped false)
// until its parent reaps it; its pid stays taken until then.

import type { Task } from './task.js';
import { TaskState } from './task.js';
import { WaitQueue } from '../sync/waiter.js';
import type { Terminal } from './tty/terminal.js';
import type { Pid } from './pid_namespace.js';

export interface SigAction {
  handler: bigint;
  flags: bigint;
  restorer: bigint;
  mask: bigint;
}

export const RLIMIT_NLIMITS = 16;
export const RLIM_INFINITY = 2n ** 64n - 1n;

export class ThreadGroup {
  readonly tasks: Task[] = [];
  readonly sigactions: SigAction[] = [];
  /** Soft and hard limits per RLIMIT_*. */
  readonly rlimits: { cur: bigint; max: bigint }[] = [];
  /** Wait status (as wait(2) encodes it) once the group has exited. */
  exitStatus: number | null = null;
  /**
   * The process group and the session, as the Pids of their leaders
   * (Linux's PIDTYPE_PGID and PIDTYPE_SID): they keep their ids in every
   * namespace after the leader is gone. pgid and sid are the root
   * namespace's numbers.
   */
  pgrp: Pid;
  session: Pid;
  /** The controlling terminal (Linux's signal->tty): fork copies it, setsid clears it (kernel/tty/terminal.ts). */
  tty: Terminal | null = null;
  /** setitimer(ITIMER_REAL) / alarm(2). */
  readonly itimerReal = { deadline: 0, interval: 0 };
  /** personality(2) flags (PER_LINUX with ADDR_NO_RANDOMIZE etc). */
  personality = 0;
  /**
   * /proc/PID/oom_score_adj (-1000..1000): added to the process's badness
   * by the OOM killer (oom.ts); -1000 exempts it. oomScoreAdjMin is the
   * least an unprivileged write may set (Linux's oom_score_adj_min).
   * Inherited by fork.
   */
  oomScoreAdj = 0;
  oomScoreAdjMin = 0;
  /** Process start time in clock ticks since boot. */
  startTime = 0;
  /**
   * The OCI container the process belongs to (gVisor's Task.ContainerID):
   * the sandbox's root container or one of its sub-containers; fork
   * copies it. '' for `tsvisor do`'s processes.
   */
  containerId = '';
  /** The parent process; null for the first process (its parent is outside the sandbox). */
  parent: ThreadGroup | null = null;
  /** Children not yet reaped. */
  readonly children = new Set<ThreadGroup>();
  /** The signal the parent gets when this process exits (clone's CSIGNAL; SIGCHLD for fork). */
  exitSignal = 17;
  /** Woken when a child exits: wait(2) sleeps here. */
  readonly childQueue = new WaitQueue();
  /** Set once the parent has reaped this zombie (or it was reaped automatically). */
  reaped = false;
  /** Whether the process has called execve since it was forked (setpgid's EACCES). */
  execed = false;
  /**
   * Job control: stopped by a stop signal (SIGSTOP, SIGTSTP, SIGTTIN,
   * SIGTTOU) until SIGCONT. The parent's wait(2) reports the stop once
   * (WUNTRACED) and the continuation once (WCONTINUED).
   */
  stopped = false;
  stopSignal = 0;
  stopReportable = false;
  continueReportable = false;
  /** Stopped threads wait here for SIGCONT. */
  readonly stopQueue = new WaitQueue();
  /** A vfork parent waits until this process execs or exits. */
  vforkDone = false;
  readonly vforkQueue = new WaitQueue();
  /** The signalfds reading this process's signals, woken when one is generated. */
  readonly signalfds = new Set<{ signalled(): void }>();
  /** CPU time of the process when it exited, and of its reaped children (RUSAGE_CHILDREN). */
  exitCpu = { userUs: 0, sysUs: 0, totalNs: 0 };
  childrenCpu = { userUs: 0, sysUs: 0 };

  /** The process id in the root pid namespace. */
  readonly tgid: number;

  constructor(
    /** The process's ids in its pid namespace and each ancestor (its first thread's Pid). */
    readonly tgidPid: Pid,
    rlimits: { cur: bigint; max: bigint }[],
  ) {
    for (let i = 0; i <= 64; i++) this.sigactions.push({ handler: 0n, flags: 0n, restorer: 0n, mask: 0n });
    for (const r of rlimits) this.rlimits.push({ ...r });
    this.tgid = tgidPid.nrs[0];
    this.pgrp = tgidPid;
    this.session = tgidPid;
  }

  /** The process group id in the root namespace. */
  get pgid(): number {
    return this.pgrp.nrs[0];
  }

  /** The session id in the root namespace. */
  get sid(): number {
    return this.session.nrs[0];
  }

  /** The parent's process id in the root namespace; 0 for the first process (its parent is outside). */
  get ppid(): number {
    return this.parent === null ? 0 : this.parent.tgid;
  }

  /** CPU time of the whole process: its ended threads' and its live ones'. */
  cpuTime(): { userUs: number; sysUs: number; totalNs: number } {
    const c = { ...this.exitCpu };
    for (const t of this.tasks) {
      if (t.state === TaskState.Dead) continue;
      const x = t.ctx.cpuTime();
      if (x === null) continue;
      c.userUs += x.userUs;
      c.sysUs += x.sysUs;
      c.totalNs += x.totalNs;
    }
    return c;
  }

  get leader(): Task {
    return this.tasks[0];
  }

  /** RLIMIT_NOFILE's soft limit as a number. */
  get nofile(): number {
    const c = this.rlimits[7].cur;
    return c > 1048576n ? 1048576 : Number(c);
  }
}
