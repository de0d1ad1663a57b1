// What procfs reads of a task, in Linux's terms: whether it still
// exists, its state letter, who owns its /proc directory, and whether a
// caller may look inside it (Linux's ptrace_may_access with
// PTRACE_MODE_READ_FSCREDS, which guards environ, mem, maps, the fd
// links, exe, cwd and root).
//
// Differs from Linux: no Yama scope.

import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import { ESRCH } from '../../abi/linux/errno.js';
import { CAP_SYS_PTRACE } from '../../abi/linux/capability.js';

/** Whether t still has its pid (alive, or a zombie not yet reaped). */
export function alive(t: Task): boolean {
  return t.kernel.pidns.tasks.get(t.tid) === t;
}

/** 0 while t has its pid, -ESRCH once it is gone (reads of a stale /proc/PID file). */
export function goneErr(t: Task): number {
  return alive(t) ? 0 : -ESRCH;
}

/** Whether t's process has exited and waits to be reaped. */
export function isZombie(t: Task): boolean {
  return t.tg.exitStatus !== null || t.state === TaskState.Dead;
}

/** Whether t's address space can still be read: until its process exits (a leader that ended alone leaves it to the other threads). */
export function hasMM(t: Task): boolean {
  return t.tg.exitStatus === null;
}

/** The state letter and name of /proc/PID/stat and status. */
export function stateOf(t: Task): [string, string] {
  if (isZombie(t)) return ['Z', 'zombie'];
  if (t.tg.stopped) return ['T', 'stopped'];
  if (t.state === TaskState.Running) return ['R', 'running'];
  return ['S', 'sleeping'];
}

/** The threads of t's process that still have their tid, leader first. */
export function threadsOf(t: Task): Task[] {
  return t.tg.tasks.filter((x) => alive(x));
}

/** The threads counted in Threads: and num_threads (those not yet dead; a zombie counts its leader). */
export function liveThreadCount(t: Task): number {
  const n = t.tg.tasks.filter((x) => x.state !== TaskState.Dead).length;
  return n === 0 ? 1 : n;
}

/** Owner of t's /proc files: its euid and egid, or root when it is not dumpable (Linux's task_dump_owner). */
export function ownerOf(t: Task): readonly [number, number] {
  if (t.prctl.dumpable !== 1) return [0, 0];
  return [t.creds.euid, t.creds.egid];
}

/** Linux's ptrace_may_access(target, PTRACE_MODE_READ_FSCREDS) for caller (null: the kernel itself). */
export function mayPtraceRead(caller: Task | null, target: Task): boolean {
  if (caller === null || caller.tg === target.tg) return true;
  const c = caller.creds;
  const tc = target.creds;
  const ptraceCap = c.hasCapability(CAP_SYS_PTRACE);
  const uidOk = c.fsuid === tc.ruid && c.fsuid === tc.euid && c.fsuid === tc.suid;
  const gidOk = c.fsgid === tc.rgid && c.fsgid === tc.egid && c.fsgid === tc.sgid;
  if (!(uidOk && gidOk) && !ptraceCap) return false;
  if (target.prctl.dumpable !== 1 && !ptraceCap) return false;
  // commoncap's cap_ptrace_access_check: a target with capabilities the caller's effective set lacks needs CAP_SYS_PTRACE.
  return ptraceCap || tc.permitted.isSubsetOf(c.effective);
}
