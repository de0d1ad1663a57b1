// wait4(2), waitid(2): reaping children (kernel/exit.ts keeps the
// zombies). A caller with children but none ready sleeps on its process's
// child queue, woken by every child's exit; interrupted, the call restarts
// or fails with EINTR as the handler's SA_RESTART says.
//
// A child stopped by a stop signal is reported once to WUNTRACED/WSTOPPED
// (status 0x7f | sig << 8, CLD_STOPPED), one continued by SIGCONT once to
// WCONTINUED (status 0xffff, CLD_CONTINUED); neither is reaped.

import type { Task } from '../../kernel/task.js';
import type { ThreadGroup } from '../../kernel/thread_group.js';
import { childCode, reap } from '../../kernel/exit.js';
import { cldSiginfo } from '../../kernel/signals.js';
import { rusage } from './sys_rlimit.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { EBADF, ECHILD, EFAULT, EINVAL, ESRCH, copyOut } from '../support.js';

const WNOHANG = 1, WUNTRACED = 2, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000,
  __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000 | 0;
const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
const SIGCHLD = 17, SIGCONT = 18;
const CLD_STOPPED = 5, CLD_CONTINUED = 6;

/** What a child has to report: its exit, a stop, or a continuation. */
type Event = 'exit' | 'stop' | 'continue';

/**
 * A child that can be reported and what about it, or 0 when some child
 * matches but has nothing to report, or -ECHILD when none matches.
 */
function findChild(t: Task, match: (c: ThreadGroup) => boolean, options: number): { c: ThreadGroup; ev: Event } | number {
  let any = false;
  for (const c of t.tg.children) {
    if (!match(c)) continue;
    // __WALL: every child; __WCLONE: only those that signal their parent otherwise than by SIGCHLD.
    const cloneChild = c.exitSignal !== SIGCHLD;
    if (!(options & __WALL) && cloneChild !== ((options & __WCLONE) !== 0)) continue;
    any = true;
    if (options & WEXITED && c.exitStatus !== null && !c.reaped) return { c, ev: 'exit' };
    if (options & WSTOPPED && c.exitStatus === null && c.stopped && c.stopReportable) return { c, ev: 'stop' };
    if (options & WCONTINUED && c.exitStatus === null && c.continueReportable) return { c, ev: 'continue' };
  }
  return any ? 0 : -ECHILD;
}

/** The wait status of an event (the exit status is the child's own). */
function statusOf(c: ThreadGroup, ev: Event): number {
  if (ev === 'stop') return 0x7f | (c.stopSignal << 8);
  if (ev === 'continue') return 0xffff;
  return c.exitStatus ?? 0;
}

/** Consumes what was reported (a zombie is reaped). */
function consume(c: ThreadGroup, ev: Event): void {
  if (ev === 'exit') reap(c);
  else if (ev === 'stop') c.stopReportable = false;
  else c.continueReportable = false;
}

function usageOf(c: ThreadGroup): Uint8Array {
  return rusage(c.exitCpu.userUs + c.childrenCpu.userUs, c.exitCpu.sysUs + c.childrenCpu.sysUs, 0);
}

export function sysWait4(t: Task): number {
  const r = t.regs;
  const pid = r.argInt(0), statusAddr = r.arg(1), options = r.argInt(2), ruAddr = r.arg(3);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (pid === -2147483648) return -ESRCH;
  // Ids are the caller's namespace's (a child in a namespace below it has one there too).
  const ns = t.pidns, pgrp = t.tg.pgrp;
  const match = pid === -1 ? () => true
    : pid > 0 ? (c: ThreadGroup) => c.tgidPid.nr(ns) === pid
      : pid === 0 ? (c: ThreadGroup) => c.pgrp === pgrp
        : (c: ThreadGroup) => c.pgrp.nr(ns) === -pid;
  const found = findChild(t, match, options | WEXITED);
  if (typeof found === 'number') {
    if (found < 0 || options & WNOHANG) return found;
    return t.block([t.tg.childQueue], EVENT_IN);
  }
  const { c, ev } = found;
  // Reaped first; a bad status or rusage address is then EFAULT, as in Linux.
  consume(c, ev);
  if (statusAddr !== 0) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, statusOf(c, ev), true);
    if (copyOut(t, statusAddr, b) < 0) return -EFAULT;
  }
  if (ruAddr !== 0 && copyOut(t, ruAddr, usageOf(c)) < 0) return -EFAULT;
  return c.tgidPid.nr(ns);
}

/** The fields of siginfo_t waitid fills: signo, errno, code, pid, uid, status (28 bytes). */
const WAITID_INFO = 28;


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
      match = (c) => c.tgidPid.nr(t.pidns) === id;
      break;
    case P_PGID: {
      if (id < 0) return -EINVAL;
      const mine = t.tg.pgrp;
      match = id === 0 ? (c) => c.pgrp === mine : (c) => c.pgrp.nr(t.pidns) === id;
      break;
    }
    case P_PIDFD:
      // No pidfds exist in the sandbox yet: whatever id names, it is not one.
      return -EBADF;
    default:
      return -EINVAL;
  }
  const found = findChild(t, match, options);
  if (typeof found === 'number') {
    if (found < 0) return found;
    if (!(options & WNOHANG)) return t.block([t.tg.childQueue], EVENT_IN);
    // Nothing to report: Linux writes a zeroed record.
    if (infop !== 0 && copyOut(t, infop, new Uint8Array(WAITID_INFO)) < 0) return -EFAULT;
    return 0;
  }
  const { c, ev } = found;
  if (!(options & WNOWAIT)) consume(c, ev);
  const { code, value } = ev === 'stop' ? { code: CLD_STOPPED, value: c.stopSignal }
    : ev === 'continue' ? { code: CLD_CONTINUED, value: SIGCONT } : childCode(c.exitStatus ?? 0);
  if (infop !== 0 && copyOut(t, infop, cldSiginfo(SIGCHLD, c, code, value).subarray(0, WAITID_INFO)) < 0) return -EFAULT;
  if (ruAddr !== 0 && copyOut(t, ruAddr, usageOf(c)) < 0) return -EFAULT;
  return 0;
}
