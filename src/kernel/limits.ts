// The sandbox's bounds on kernel objects: every object the Sentry makes for
// a program is JavaScript heap, and a hostile program must meet a Linux
// errno (ENOSPC, EAGAIN, ETOOMANYREFS, ENFILE) long before V8 runs out of
// heap. Linux counts most of these per user (struct ucounts, user_struct);
// here each bound is counted per user where Linux does, and always also
// per sandbox, because root in the sandbox can take any number of uids and
// a per-user bound alone does not bound the Sentry.
//
// The defaults, with the heap each object costs as measured by
// `node --expose-gc scripts/kernel-heap.js 100000` (Node 20, x86-64),
// are chosen so that every bound filled at once stays far below V8's
// heap limit (4 GiB here, 2 GiB on hosts with 8 GiB of memory):
//
//   object                    each      bound (default), errno                        full
//   epoll watch               226 B     2^19 per user and per sandbox, ENOSPC         115 MB
//   queued signal             320 B     RLIMIT_SIGPENDING per user, 2^17 per          42 MB
//                                       sandbox, EAGAIN
//   open file description     <= 700 B  FILE_MAX = 2^19 (vfs/file_description.ts),    365 MB
//     (unix socket 696, armed            ENFILE                                       (all sockets)
//     timerfd 601, epoll 504,
//     eventfd 320)
//   descriptor slot           49 B      2^22 in all fd tables, EMFILE (fork: ENOMEM)  205 MB
//   pipe/socket data and      charged   BUFFER_BUDGET = 256 MiB (+64 MiB of single    320 MiB
//     message heap (~295 B),  in bytes  pipe pages), the writer waits (buffers.ts)
//     in-flight rights
//   in-flight descriptions    (above)   RLIMIT_NOFILE per sending user (not root),
//                                       ETOOMANYREFS (unix_gc.ts)
//   file lock record          ~75 B     2^17 per sandbox (vfs/lock/file_locks.ts),    10 MB
//     (flock, POSIX, OFD)               ENOLCK
//   inotify watch             ~250 B    max_user_watches per user, 2^18 per sandbox   65 MB
//                                       (vfs/inotify/watches.ts), ENOSPC
//   queued inotify event      ~80 B +   max_queued_events per instance, 2^18 per      90 MB
//                             its name  sandbox, IN_Q_OVERFLOW
//   seccomp filter            ~20 B an  2^20 instructions per sandbox, each filter     23 MB
//     instruction (decoded    insn,     counting 64 more (its fixed cost), ENOMEM;   (+13 MB)
//     and raw), a filter's    1.5 KB a  2^18 of them compiled to functions (+50 B
//     arrays and cache, its   filter    each), the rest interpreted
//     compiled function                 (kernel/seccomp.ts)
//
// All of them together: about 1.09 GB.
//
// Kernel.limits holds the one instance; a command-line flag may change a
// default before the first task starts.

import { getHeapStatistics } from 'node:v8';
import { fileLockBudget } from '../vfs/lock/file_locks.js';
import { inotifyLimits } from '../vfs/inotify/watches.js';

/** A count kept per user and for the whole sandbox, each with a limit. */
export class UserCounter {
  private readonly perUser = new Map<number, number>();
  /** The count for the whole sandbox. */
  total = 0;

  constructor(
    /** The most the whole sandbox may hold. */
    public sandboxMax: number,
  ) {}

  /** What uid holds now. */
  of(uid: number): number {
    return this.perUser.get(uid) ?? 0;
  }

  /** Takes n for uid if uid stays within userMax and the sandbox within sandboxMax; false (nothing taken) if not. */
  charge(uid: number, n: number, userMax: number): boolean {
    const cur = this.perUser.get(uid) ?? 0;
    if (cur + n > userMax || this.total + n > this.sandboxMax) return false;
    this.perUser.set(uid, cur + n);
    this.total += n;
    return true;
  }

  /** Takes n for uid whatever the limits (what Linux never refuses, e.g. a standard signal). */
  force(uid: number, n: number): void {
    this.perUser.set(uid, (this.perUser.get(uid) ?? 0) + n);
    this.total += n;
  }

  uncharge(uid: number, n: number): void {
    const cur = (this.perUser.get(uid) ?? 0) - n;
    if (cur <= 0) this.perUser.delete(uid);
    else this.perUser.set(uid, cur);
    this.total -= n;
  }
}

/**
 * The defaults below are for V8's 4 GiB heap limit (Node 20 on a host with
 * 16 GiB or more); a smaller heap (Node sizes it from the host's memory, or
 * --max-old-space-size) scales them down in proportion, so that the bounds
 * filled at once stay about a quarter of the heap, as the VMA budget's do.
 */
const HEAP_SCALE = Math.min(1, getHeapStatistics().heap_size_limit / 2 ** 32);
const scaled = (n: number): number => Math.max(1024, Math.floor(n * HEAP_SCALE));

/** Linux's fs.epoll.max_user_watches, and the sandbox's total: EPOLL_CTL_ADD past it fails with ENOSPC. */
export const DEFAULT_MAX_EPOLL_WATCHES = scaled(1 << 19);
/** Signals queued at once in the sandbox (each thread's RLIMIT_SIGPENDING counts per user below it). */
export const DEFAULT_MAX_PENDING_SIGNALS = scaled(1 << 17);

/**
 * Descriptor slots in all the sandbox's fd tables: each costs ~40 B (its
 * entry and array slot), and RLIMIT_NOFILE (up to 2^20) times 1,024
 * processes, each fork copying its table, would be 2^30 of them. Past it
 * dup(2), open(2) and the like fail with EMFILE, and fork with ENOMEM.
 */
export const DEFAULT_MAX_DESCRIPTORS = scaled(1 << 22);

/**
 * seccomp filter instructions the sandbox's tasks hold (kernel/seccomp.ts
 * keeps the counts). Linux bounds one task's chain (MAX_INSNS_PER_PATH,
 * 32,768), not the sum, and a fork per chain could hold 1,024 such
 * chains; past `maxInsns` seccomp(2) fails with ENOMEM, as a memory
 * cgroup's limit would make it. At most `maxCompiled` of them are
 * compiled to JavaScript functions at once; a filter past that is
 * interpreted.
 */
export const seccompBudget = { insns: 0, maxInsns: scaled(1 << 20), compiled: 0, maxCompiled: scaled(1 << 18) };

/** The count of descriptor slots in use (fd_table.ts keeps it; there is one per sandbox, as FILE_MAX's). */
export const descriptorSlots = { used: 0, max: DEFAULT_MAX_DESCRIPTORS };

/** The default most tasks (threads, zombies included) a sandbox may hold, as a pids cgroup's pids.max: each is a host stub thread. */
export const DEFAULT_MAX_TASKS = 1024;
/** Linux's PID_MAX_LIMIT: no pids.max can be larger. */
export const MAX_TASKS_LIMIT = 4194304;

/** A cgroup's CPU bandwidth and weight (cpu.max: quota or "max", period; cpu.weight 1 to 10000). */
export interface CpuLimits {
  /** The CPU time allowed per period, µs; null: no quota ("max"). */
  quotaUs: number | null;
  periodUs: number;
  weight: number;
}

export class SandboxLimits {
  /**
   * The most tasks, zombies included (Kernel.maxTasks reads it; fork fails
   * with EAGAIN past it). setMaxTasks changes it at any time: the spec's
   * linux.resources.pids.limit at boot, `tsvisor update --pids-limit`
   * while the sandbox runs. Lowering it below the tasks there are kills
   * nothing, as with pids.max: only new ones are refused.
   */
  readonly tasks = { max: DEFAULT_MAX_TASKS };

  /** Sets the most tasks; false (unchanged) unless n is an integer from 1 to MAX_TASKS_LIMIT. */
  setMaxTasks(n: number): boolean {
    if (!Number.isInteger(n) || n < 1 || n > MAX_TASKS_LIMIT) return false;
    this.tasks.max = n;
    return true;
  }

  /**
   * The container's CPU limits, as its cgroup's cpu.max and cpu.weight
   * show them (src/fs/cgroupfs). The Sentry does not enforce them: the
   * host cgroup the sandbox process runs in does (src/container/cgroup.ts);
   * the Loader copies the spec's linux.resources.cpu here so that the
   * container sees what was applied to it.
   */
  cpu: CpuLimits = { quotaUs: null, periodUs: 100_000, weight: 100 };

  /** Descriptor slots of every fd table: `max` may be changed before the first task starts. */
  readonly descriptors = descriptorSlots;
  /** epoll watches (interests), charged to the uid that made the epoll instance. */
  readonly epollWatches = new UserCounter(DEFAULT_MAX_EPOLL_WATCHES);
  /** Per user, as max_user_watches; the sandbox's total is epollWatches.sandboxMax. */
  maxUserWatches = DEFAULT_MAX_EPOLL_WATCHES;
  /** Queued signals, charged to the real uid of the thread they are queued for (Linux's ucounts). */
  readonly pendingSignals = new UserCounter(DEFAULT_MAX_PENDING_SIGNALS);
  /** File lock records (flock, POSIX, OFD) in the whole sandbox: `max` may be changed before the first task starts. */
  readonly fileLocks = fileLockBudget;
  /** inotify's /proc/sys/fs/inotify limits and the sandbox's bounds on instances, watches and queued events. */
  readonly inotify = inotifyLimits;
  /** seccomp filter instructions held, and compiled (kernel/seccomp.ts). */
  readonly seccomp = seccompBudget;
}
