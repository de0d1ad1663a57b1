// fork(2), vfork(2), clone(2): new processes (kernel/task_clone.ts). A
// vfork parent (CLONE_VFORK) waits until the child execs or exits; the
// wait is kept in syscallState, because a blocked call runs again from
// the start when woken and must not make a second child. A signal that
// ends the wait early returns the child's pid, as if it had finished.
//
// clone3(2) is not provided: it returns ENOSYS, and glibc then uses clone.

import type { Task } from '../../kernel/task.js';
import { forkTask, CLONE_VFORK, CLONE_VM } from '../../kernel/task_clone.js';
import { EVENT_IN } from '../../sync/waiter.js';

const SIGCHLD = 17;

function clone(t: Task, flags: number, stack: number, parentTid: number, childTid: number, tls: number): number {
  const st = t.syscallState;
  if (st !== null && typeof st.vforkChild === 'number') return vforkWait(t, st.vforkChild);
  const c = forkTask(t, { flags, stack, parentTid, childTid, tls });
  if (typeof c === 'number') return c;
  if (!(flags & CLONE_VFORK)) return c.tid;
  t.syscallState = { vforkChild: c.tid, partial: c.tid };
  return vforkWait(t, c.tid);
}

function vforkWait(t: Task, pid: number): number {
  const child = t.kernel.pidns.tasks.get(pid);
  if (child === undefined || child.tg.vforkDone) return pid;
  return t.block([child.tg.vforkQueue], EVENT_IN);
}

export function sysClone(t: Task): number {
  const r = t.regs;
  // x86-64 order: flags, stack, parent_tid, child_tid, tls. Only the low 32 bits of flags count.
  return clone(t, r.argU32(0), r.arg(1), r.arg(2), r.arg(3), r.arg(4));
}

export function sysFork(t: Task): number {
  return clone(t, SIGCHLD, 0, 0, 0, 0);
}

export function sysVfork(t: Task): number {
  return clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
