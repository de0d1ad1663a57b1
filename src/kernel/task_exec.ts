// execve(2)'s kernel half (gVisor pkg/sentry/kernel/task_exec.go): replace
// the calling process's image with a freshly loaded one. The loader builds
// the new address space (a new stub process) without touching the task, so
// every failure before the point of no return leaves the caller as it was.
// After it: the old address space is released, close-on-exec descriptors
// are closed, caught signals go back to their default action (ignored ones
// stay ignored), the alternate signal stack is disabled, and the thread's
// name becomes the new program's.
//
// A multithreaded process is first reduced to the calling thread (Linux's
// de_thread): the others end, and a caller other than the main thread takes
// the main thread's id.
//
// The credentials change as commoncap's cap_bprm_creds_from_file changes
// them for a file without capabilities (credentials.ts execCredentials):
// root's capabilities come back from the bounding and inheritable sets,
// anyone else keeps only the ambient ones; keepcaps is cleared.
//
// Differs from Linux: set-user-ID and set-group-ID bits are not honoured
// (the root file system is the container's, and its owner runs it), and
// file capabilities (security.capability) are not read.

import type { Task } from './task.js';
import { EXITED, NORETURN, TaskState } from './task.js';
import type { Dentry } from '../vfs/dentry.js';
import { load } from '../loader/loader.js';
import { execCredentials } from './credentials.js';
import { endTask, killBySignal } from './exit.js';
import { PlatformError } from '../platform/platform.js';
import { ENOMEM } from '../abi/linux/errno.js';
import { EVENT_IN } from '../sync/waiter.js';
import { attachTask, detachTask } from './pid_namespace.js';

const SIG_IGN = 1n, SIGSEGV = 11;

/** Ends every other thread of t's process; t becomes its main thread. */
function deThread(t: Task): void {
  const tg = t.tg;
  const k = t.kernel;
  for (const x of tg.tasks) {
    if (x === t || x.state === TaskState.Dead) continue;
    endTask(x);
    if (x !== tg.leader) detachTask(x);
    k.taskExited(x);
  }
  if (t !== tg.leader) {
    // The new main thread takes the leader's ids in every namespace (Linux's exchange_tids).
    detachTask(t);
    detachTask(tg.leader);
    t.threadPid = tg.leader.threadPid;
    attachTask(t);
  }
  tg.tasks.length = 0;
  tg.tasks.push(t);
}

export interface ExecRequest {
  /** The name the program was asked for (AT_EXECFN, and argv for a "#!" script). */
  path: string;
  argv: string[];
  envp: string[];
  /** Already resolved (execveat with a descriptor); else path is walked from the cwd. */
  dentry?: Dentry;
  noFollow?: boolean;
}

/** Runs the exec; returns NORETURN (the registers are the new program's) or -errno. */
export function execTask(t: Task, req: ExecRequest): number {
  // A table shared with another process is copied below: it must fit the sandbox's descriptor slots.
  if (t.fdTable.users > 1 && !t.fdTable.canFork()) return -ENOMEM;
  const exec = execCredentials(t.creds, t.prctl.noNewPrivs === 1);
  let res: ReturnType<typeof load>;
  try {
    res = load({
      kernel: t.kernel, creds: t.creds, exec, root: t.root, cwd: t.cwd,
      path: req.path, argv: req.argv, envp: req.envp, dentry: req.dentry, noFollow: req.noFollow,
    });
  } catch (e) {
    // No stub process could be started for the new address space.
    if (e instanceof PlatformError) {
      t.kernel.log.warn(`execve: ${e.message}`);
      return -ENOMEM;
    }
    throw e;
  }
  if (typeof res === 'number') return res;

  // The point of no return.
  deThread(t);
  if ('fatal' in res) {
    // The new image could not be mapped: the old one is gone too, so the process ends (Linux's force_fatal_sig).
    t.kernel.log.debug(`execve ${req.path}: loading failed after the point of no return (errno ${-res.fatal})`);
    killBySignal(t, SIGSEGV);
    return EXITED;
  }
  if (t.fdTable.users > 1) {
    // The descriptor table was shared with another process (CLONE_FILES): exec gets its own.
    const own = t.fdTable.fork();
    t.fdTable.users--;
    t.fdTable = own;
  }
  t.creds = exec.creds;
  const old = t.mm;
  t.mm = res.mm;
  t.ctx = res.ctx;
  old.release();
  t.comm = res.comm;
  t.fdTable.closeOnExec();
  for (const a of t.tg.sigactions) {
    if (a.handler !== SIG_IGN) a.handler = 0n;
    a.flags = 0n;
    a.restorer = 0n;
    a.mask = 0n;
  }
  t.altStack = { sp: 0, flags: 2 /* SS_DISABLE */, size: 0 };
  // The old image's futex words are gone with it (Linux's exec_mm_release).
  t.clearChildTid = 0;
  t.robustList = 0;
  t.robustListLen = 0;
  t.prctl.dumpable = 1;
  t.syscallState = null;
  // A vfork parent waits for this moment; setpgid(2) on this process now fails with EACCES.
  t.tg.execed = true;
  t.tg.vforkDone = true;
  t.tg.vforkQueue.notify(EVENT_IN);
  return NORETURN;
}
