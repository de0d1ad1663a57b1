// epoll_create(2), epoll_create1(2), epoll_ctl(2), epoll_wait(2),
// epoll_pwait(2), epoll_pwait2(2): the interest list lives in
// kernel/epoll.ts. epoll_wait sleeps on the instance's queue, woken by any
// watched file's change, and runs again from the start; a signal ends the
// wait with EINTR, never a restart, as in Linux. EPOLL_CTL_ADD past the
// watch limits (max_user_watches per user, and the sandbox's total:
// kernel/limits.ts) fails with ENOSPC.

import type { Task } from '../../kernel/task.js';
import {
  EP_MAX_NESTS, EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLWAKEUP, EpollFD,
} from '../../kernel/epoll.js';
import { O_CLOEXEC } from '../../vfs/file_description.js';
import { EBADF, EEXIST, EFAULT, EINVAL, ELOOP, ENOENT, EPERM, TASK_SIZE, copyInStruct, installNew } from '../support.js';
import { readTimespec } from './sys_time.js';
import { deadlineOf, finishMask, tempMask, waitOrTimeout } from './sys_poll.js';
import { EINTR } from '../../abi/linux/errno.js';

const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
const EPOLL_CLOEXEC = O_CLOEXEC;
/** INT_MAX / sizeof(struct epoll_event), which is 12 bytes (packed) on x86-64. */
const EP_MAX_EVENTS = Math.floor(2147483647 / 12);
const EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

function create(t: Task, flags: number): number {
  if (flags & ~EPOLL_CLOEXEC) return -EINVAL;
  return installNew(t, new EpollFD(t.kernel.limits, t.creds.ruid), (flags & EPOLL_CLOEXEC) !== 0);
}

export function sysEpollCreate(t: Task): number {
  // The size is only a hint, but it must be positive.
  if (t.regs.argInt(0) <= 0) return -EINVAL;
  return create(t, 0);
}

export function sysEpollCreate1(t: Task): number {
  return create(t, t.regs.argInt(0));
}

/** Whether watching `target` from `ep` would make a cycle or nest deeper than Linux allows. */
function tooDeep(ep: EpollFD, target: EpollFD): boolean {
  const depth = (e: EpollFD, seen: Set<EpollFD>): number => {
    if (e === ep || seen.has(e)) return Infinity;
    seen.add(e);
    let d = 0;
    for (const w of e.watched()) d = Math.max(d, 1 + depth(w, seen));
    seen.delete(e);
    return d;
  };
  return depth(target, new Set()) + 1 > EP_MAX_NESTS;
}

export function sysEpollCtl(t: Task): number {
  const r = t.regs;
  const epfd = r.argInt(0), op = r.argInt(1), fd = r.argInt(2), evAddr = r.arg(3);
  let events = 0, data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    const dv = copyInStruct(t, evAddr, 12);
    if (dv === null) return -EFAULT;
    events = dv.getUint32(0, true) | 0;
    data = dv.getBigUint64(4, true);
  }
  const f = t.fdTable.get(epfd);
  if (f === undefined) return -EBADF;
  const target = t.fdTable.get(fd);
  if (target === undefined) return -EBADF;
  if (!target.pollable) return -EPERM;
  if (f === target || !(f instanceof EpollFD)) return -EINVAL;
  if (op !== EPOLL_CTL_DEL && events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) return -EINVAL;
    if (op === EPOLL_CTL_ADD && (target instanceof EpollFD || (events & ~EXCLUSIVE_OK) !== 0)) return -EINVAL;
  }
  if (op === EPOLL_CTL_ADD && target instanceof EpollFD && tooDeep(f, target)) return -ELOOP;
  const it = f.find(fd, target);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (it !== undefined) return -EEXIST;
      return f.add(fd, target, events | EPOLLERR | EPOLLHUP, data);
    case EPOLL_CTL_DEL:
      if (it === undefined) return -ENOENT;
      f.remove(it);
      return 0;
    case EPOLL_CTL_MOD:
      if (it === undefined) return -ENOENT;
      if (it.events & EPOLLEXCLUSIVE) return -EINVAL;
      f.modify(it, events | EPOLLERR | EPOLLHUP, data);
      return 0;
    default:
      return -EINVAL;
  }
}

/** The common wait: timeoutNs < 0 waits for ever. */
function doWait(t: Task, epfd: number, evAddr: number, maxevents: number, timeoutNs: number): number {
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) return -EINVAL;
  if (evAddr + maxevents * 12 > TASK_SIZE) return -EFAULT;
  const f = t.fdTable.get(epfd);
  if (f === undefined) return -EBADF;
  if (!(f instanceof EpollFD)) return -EINVAL;
  const deadline = deadlineOf(t, timeoutNs, EINTR);
  const got = f.collect(maxevents);
  if (got.length === 0) {
    if (timeoutNs === 0) return 0;
    f.arm();
    return waitOrTimeout(t, [f.queue], deadline) ?? 0;
  }
  const b = new Uint8Array(got.length * 12);
  const dv = new DataView(b.buffer);
  got.forEach((e, i) => {
    dv.setUint32(i * 12, e.events >>> 0, true);
    dv.setBigUint64(i * 12 + 4, e.data, true);
  });
  // A fault part way reports the events copied before it; at the first, EFAULT.
  const n = t.mm.copyOutPartial(evAddr, b);
  const whole = Math.floor(n / 12);
  return whole === 0 ? -EFAULT : whole;
}

export function sysEpollWait(t: Task): number {
  const r = t.regs;
  const ms = r.argInt(3);
  return doWait(t, r.argInt(0), r.arg(1), r.argInt(2), ms < 0 ? -1 : ms * 1e6);
}

export function sysEpollPwait(t: Task): number {
  const r = t.regs;
  const ms = r.argInt(3);
  const e = tempMask(t, r.arg(4), r.arg(5));
  if (e < 0) return e;
  return finishMask(t, doWait(t, r.argInt(0), r.arg(1), r.argInt(2), ms < 0 ? -1 : ms * 1e6));
}

export function sysEpollPwait2(t: Task): number {
  const r = t.regs;
  let ns = -1;
  if (t.syscallState === null && r.arg(3) !== 0) {
    ns = readTimespec(t, r.arg(3));
    if (ns < 0) return ns;
  }
  const e = tempMask(t, r.arg(4), r.arg(5));
  if (e < 0) return e;
  return finishMask(t, doWait(t, r.argInt(0), r.arg(1), r.argInt(2), ns));
}
