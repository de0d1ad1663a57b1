// fork(2), vfork(2), clone(2), clone3(2): new processes and threads
// (kernel/task_clone.ts). A vfork parent (CLONE_VFORK) waits until the
// child execs or exits; the wait is kept in syscallState, because a
// blocked call runs again from the start when woken and must not make a
// second child. A signal that ends the wait early returns the child's pid,
// as if it had finished.
//
// The child's pid returned is its id in the caller's pid namespace.
//
// Differs from Linux: clone3's set_tid (choosing the child's pid) and
// CLONE_INTO_CGROUP return ENOSYS.

import type { Task } from '../../kernel/task.js';
import {
  forkTask, CLONE_DETACHED, CLONE_PARENT, CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM, CSIGNAL,
} from '../../kernel/task_clone.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { E2BIG, EFAULT, EINVAL, ENOSYS, TASK_SIZE } from '../support.js';

const SIGCHLD = 17;

function clone(t: Task, flags: number, stack: number, parentTid: number, childTid: number, tls: number,
  clearSighand = false): number {
  const st = t.syscallState;
  if (st !== null && typeof st.vforkChild === 'number' && typeof st.partial === 'number') {
    return vforkWait(t, st.vforkChild, st.partial);
  }
  const c = forkTask(t, { flags, stack, parentTid, childTid, tls });
  if (typeof c !== 'number' && clearSighand) {
    // CLONE_CLEAR_SIGHAND: caught signals go back to their default action in the child.
    for (const a of c.tg.sigactions) if (a.handler !== 1n) a.handler = 0n;
  }
  if (typeof c === 'number') return c;
  // The id the caller sees: in its own pid namespace (the child may be in a new one below it).
  const shown = t.pidns.idOfTask(c);
  if (!(flags & CLONE_VFORK)) return shown;
  t.syscallState = { vforkChild: c.tid, partial: shown };
  return vforkWait(t, c.tid, shown);
}

/** Waits for the vfork child (its root-namespace tid) to exec or exit; returns shown, its id as the caller sees it. */
function vforkWait(t: Task, tid: number, shown: number): number {
  const child = t.kernel.pidns.tasks.get(tid);
  if (child === undefined || child.tg.vforkDone) return shown;
  return t.block([child.tg.vforkQueue], EVENT_IN);
}

export function sysClone(t: Task): number {
  const r = t.regs;
  // x86-64 order: flags, stack, parent_tid, child_tid, tls. Only the low 32 bits of flags count.
  return clone(t, r.argU32(0), r.arg(1), r.arg(2), r.arg(3), r.arg(4));
}

const CLONE_CLEAR_SIGHAND = 0x100000000, CLONE_INTO_CGROUP = 0x200000000, CLONE_NEWTIME = 0x80;
const CLONE_ARGS_SIZE_VER0 = 64, CLONE_ARGS_SIZE = 88, PAGE_SIZE = 4096;

/** clone3(args, size): struct clone_args, as copy_clone_args_from_user and clone3_args_valid check it. */
export function sysClone3(t: Task): number {
  const r = t.regs;
  const addr = r.arg(0), size = r.arg(1);
  if (size > PAGE_SIZE) return -E2BIG;
  if (size < CLONE_ARGS_SIZE_VER0) return -EINVAL;
  const b = t.mm.copyIn(addr, size);
  if (b === null) return -EFAULT;
  // A larger struct from a newer program may only add zeros.
  for (let i = CLONE_ARGS_SIZE; i < size; i++) if (b[i] !== 0) return -E2BIG;
  const dv = new DataView(b.buffer, b.byteOffset, Math.max(size, CLONE_ARGS_SIZE));
  const u64 = (i: number) => (i * 8 + 8 <= size ? dv.getBigUint64(i * 8, true) : 0n);
  const flags = u64(0), childTid = u64(2), parentTid = u64(3), exitSignal = u64(4), stack = u64(5);
  const stackSize = u64(6), tls = u64(7), setTid = u64(8), setTidSize = u64(9);
  if (setTidSize > 32n || (setTid === 0n && setTidSize > 0n) || (setTid !== 0n && setTidSize === 0n)) return -EINVAL;
  if (exitSignal > 64n) return -EINVAL;
  const known = 0xffffffffn | BigInt(CLONE_CLEAR_SIGHAND) | BigInt(CLONE_INTO_CGROUP);
  if (flags & ~known) return -EINVAL;
  const low = Number(flags & 0xffffffffn);
  // clone3 reuses the exit-signal byte of clone(2)'s flags for nothing but CLONE_NEWTIME.
  if (low & ((CSIGNAL & ~CLONE_NEWTIME) | CLONE_DETACHED)) return -EINVAL;
  const clearSighand = (flags & BigInt(CLONE_CLEAR_SIGHAND)) !== 0n;
  if (clearSighand && low & CLONE_SIGHAND) return -EINVAL;
  if (low & (CLONE_THREAD | CLONE_PARENT) && exitSignal !== 0n) return -EINVAL;
  if (stack === 0n ? stackSize !== 0n : stackSize === 0n || Number(stack + stackSize) > TASK_SIZE) return -EINVAL;
  if (setTidSize > 0n || flags & BigInt(CLONE_INTO_CGROUP)) return -ENOSYS;
  // A new time namespace is not supported (forkTask's ENOSYS for the other namespaces it lacks).
  if (low & CLONE_NEWTIME) return -ENOSYS;
  // The stack grows down from its top.
  const sp = stack === 0n ? 0 : Number(stack + stackSize);
  return clone(t, low | Number(exitSignal), sp, Number(parentTid), Number(childTid), Number(tls), clearSighand);
}

export function sysFork(t: Task): number {
  return clone(t, SIGCHLD, 0, 0, 0, 0);
}

export function sysVfork(t: Task): number {
  return clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
