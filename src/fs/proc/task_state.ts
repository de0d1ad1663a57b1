// What procfs reads of a task, in Linux's terms: whether it still
// exists, its state letter, who owns its /proc directory, and whether a
// caller may look inside it (Linux's ptrace_may_access with
// PTRACE_MODE_READ_FSCREDS, which guards environ, mem, maps, the fd
// links, exe, cwd and root).
//
// Differs from Linux: no Yama scope; a task's memory belongs to the user
// namespace it is in now (Linux's mm->user_ns is the one of its last execve).

import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import { ESRCH } from '../../abi/linux/errno.js';
import { CAP_SYS_PTRACE } from '../../abi/linux/capability.js';
import { NO_ID } from '../../kernel/id_map.js';

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

/**
 * Owner of t's /proc files (kernel ids): its euid and egid, or when it is
 * not dumpable the root of its user namespace (the initial root if that
 * namespace has none), as Linux's task_dump_owner.
 */
export function ownerOf(t: Task): readonly [number, number] {
  const c = t.creds;
  if (t.prctl.dumpable !== 1) {
    const ns = c.userns;
    return [ns.rootUid === NO_ID ? 0 : ns.rootUid, ns.rootGid === NO_ID ? 0 : ns.rootGid];
  }
  return [c.euid, c.egid];
}

/**
 * Linux's ptrace_may_access(target, PTRACE_MODE_READ_FSCREDS) for caller
 * (null: the kernel itself): the same ids, or CAP_SYS_PTRACE in the
 * target's user namespace; a non-dumpable target needs the capability;
 * and commoncap's check that the caller holds the target's capabilities
 * (in the same namespace) or has CAP_SYS_PTRACE over it.
 */
export function mayPtraceRead(caller: Task | null, target: Task): boolean {
  if (caller === null || caller.tg === target.tg) return true;
  const c = caller.creds;
  const tc = target.creds;
  const ptraceCap = c.hasCapabilityIn(CAP_SYS_PTRACE, tc.userns);
  const uidOk = c.fsuid === tc.ruid && c.fsuid === tc.euid && c.fsuid === tc.suid;
  const gidOk = c.fsgid === tc.rgid && c.fsgid === tc.egid && c.fsgid === tc.sgid;
  if (!(uidOk && gidOk) && !ptraceCap) return false;
  if (target.prctl.dumpable !== 1 && !ptraceCap) return false;
  return ptraceCap || (c.userns === tc.userns && tc.permitted.isSubsetOf(c.effective));
}
