// wait4(2), waitid(2): reaping children (kernel/exit.ts keeps the
// zombies). A caller with children but none ready sleeps on its process's
// child queue, woken by every child's exit; interrupted, the call restarts
// or fails with EINTR as the handler's SA_RESTART says.
//
// Differs from Linux: processes never stop (no job control yet), so
// WUNTRACED, WSTOPPED and WCONTINUED never report anything.

import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import { childCode, reap } from '../../kernel/exit.js';
import { rusage } from './sys_rlimit.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { EBADF, ECHILD, EFAULT, EINVAL, ESRCH, copyOut } from '../support.js';

const WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000,
  __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000 | 0;
const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
const SIGCHLD = 17;

/**
 * A child that can be reported: the zombie, or 0 when some child matches
 * but none has exited, or -ECHILD when none matches.
 */
function findChild(t: Task, match: (c: ThreadGroup) => boolean, options: number): ThreadGroup | number {
  let any = false;
  for (const c of t.tg.children) {
    if (!match(c)) continue;
    // __WALL: every child; __WCLONE: only those that signal their parent otherwise than by SIGCHLD.
    const cloneChild = c.exitSignal !== SIGCHLD;
    if (!(options & __WALL) && cloneChild !== ((options & __WCLONE) !== 0)) continue;
    any = true;
    if (options & WEXITED && c.exitStatus !== null && !c.reaped) return c;
  }
  return any ? 0 : -ECHILD;
}

function usageOf(c: ThreadGroup): Uint8Array {
  return rusage(c.exitCpu.userUs + c.childrenCpu.userUs, c.exitCpu.sysUs + c.childrenCpu.sysUs, 0);
}

export function sysWait4(t: Task): number {
  const r = t.regs;
  const pid = r.argInt(0), statusAddr = r.arg(1), options = r.argInt(2), ruAddr = r.arg(3);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (pid === -2147483648) return -ESRCH;
  const pgid = t.tg.pgid;
  const match = pid === -1 ? () => true
    : pid > 0 ? (c: ThreadGroup) => c.tgid === pid
      : pid === 0 ? (c: ThreadGroup) => c.pgid === pgid
        : (c: ThreadGroup) => c.pgid === -pid;
  const c = findChild(t, match, options | WEXITED);
  if (typeof c === 'number') {
    if (c < 0 || options & WNOHANG) return c;
    return t.block([t.tg.childQueue], EVENT_IN);
  }
  // Reaped first; a bad status or rusage address is then EFAULT, as in Linux.
  reap(c);
  if (statusAddr !== 0) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, c.exitStatus ?? 0, true);
    if (copyOut(t, statusAddr, b) < 0) return -EFAULT;
  }
  if (ruAddr !== 0 && copyOut(t, ruAddr, usageOf(c)) < 0) return -EFAULT;
  return c.tgid;
}

/** The fields of siginfo_t waitid fills: signo, errno, code, pid, uid, status. */
function waitidInfo(signo: number, code: number, pid: number, uid: number, status: number): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, signo, true);
  dv.setInt32(8, code, true);
  dv.setInt32(16, pid, true);
  dv.setUint32(20, uid, true);
  dv.setInt32(24, status, true);
  return b;
}

export function sysWaitid(t: Task): number {
  const r = t.regs;
  const idtype = r.argInt(0), id = r.argInt(1), infop = r.arg(2), options = r.argInt(3), ruAddr = r.arg(4);
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  let match: (c: ThreadGroup) => boolean;
  switch (idtype) {
    case P_ALL:
      match = () => true;
      break;
    case P_PID:
      if (id <= 0) return -EINVAL;
      match = (c) => c.tgid === id;
      break;
    case P_PGID: {
      if (id < 0) return -EINVAL;
      const pgid = id === 0 ? t.tg.pgid : id;
      match = (c) => c.pgid === pgid;
      break;
    }
    case P_PIDFD:
      // No pidfds exist in the sandbox yet: whatever id names, it is not one.
      return -EBADF;
    default:
      return -EINVAL;
  }
  const c = findChild(t, match, options);
  if (typeof c === 'number') {
    if (c < 0) return c;
    if (!(options & WNOHANG)) return t.block([t.tg.childQueue], EVENT_IN);
    // Nothing to report: Linux writes a zeroed record.
    if (infop !== 0 && copyOut(t, infop, waitidInfo(0, 0, 0, 0, 0)) < 0) return -EFAULT;
    return 0;
  }
  if (!(options & WNOWAIT)) reap(c);
  const { code, value } = childCode(c.exitStatus ?? 0);
  if (infop !== 0 && copyOut(t, infop, waitidInfo(SIGCHLD, code, c.tgid, c.leader.creds.ruid, value)) < 0) return -EFAULT;
  if (ruAddr !== 0 && copyOut(t, ruAddr, usageOf(c)) < 0) return -EFAULT;
  return 0;
}
