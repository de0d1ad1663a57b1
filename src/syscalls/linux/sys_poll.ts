// poll(2), ppoll(2), select(2), pselect6(2): waiting for readiness of
// several files at once. Each run checks every file's readiness; if none is
// ready the task waits on all of their queues (and the deadline) and the
// call runs again when woken.

import type { Task } from '../../kernel/task.js';
import { BLOCK } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file_description.js';
import type { WaitQueue } from '../../sync/waiter.js';
import { setSigmask } from '../../kernel/signals.js';
import { EBADF, EFAULT, EINVAL, copyInStruct, getI64, putU64 } from '../support.js';
import { readTimespec } from './sys_time.js';
import { ERESTARTNOHAND, ERESTART_RESTARTBLOCK } from '../../abi/linux/errno.js';

const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;

/** Readiness of f for the poll events asked, in poll(2)'s terms. */
function pollReadiness(f: FileDescription, events: number): number {
  const want = (events & (POLLIN | POLLRDNORM) ? POLLIN : 0) | (events & (POLLOUT | POLLWRNORM) ? POLLOUT : 0) |
    (events & (POLLPRI | POLLRDBAND) ? POLLPRI : 0) | (events & POLLRDHUP);
  const ready = f.readiness(want | POLLERR | POLLHUP);
  let r = ready & (POLLERR | POLLHUP | POLLPRI | POLLRDHUP);
  if (ready & POLLIN) r |= events & (POLLIN | POLLRDNORM);
  if (ready & POLLOUT) r |= events & (POLLOUT | POLLWRNORM | POLLWRBAND);
  return r & (events | POLLERR | POLLHUP | POLLNVAL);
}

interface PollState {
  [k: string]: unknown;
  deadline?: number;
  interruptErr?: number;
}

/** First run: computes the deadline (ms, monotonic) from a timeout in ns (< 0: none). */
export function deadlineOf(t: Task, timeoutNs: number, interruptErr: number): number | undefined {
  const st = t.syscallState as PollState | null;
  if (st !== null) return st.deadline;
  const deadline = timeoutNs < 0 ? undefined : t.kernel.monotonicMs() + timeoutNs / 1e6;
  t.syscallState = { deadline, interruptErr } as PollState;
  return deadline;
}

/** Waits on queues until the deadline; returns the BLOCK code or 0 if the deadline passed. */
export function waitOrTimeout(t: Task, queues: WaitQueue[], deadline: number | undefined): number | null {
  if (deadline !== undefined && t.kernel.monotonicMs() >= deadline) return null;
  return t.block(queues, POLLIN | POLLOUT | POLLPRI | POLLERR | POLLHUP | POLLRDHUP, deadline);
}

function doPoll(t: Task, fdsAddr: number, nfds: number, timeoutNs: number, interruptErr: number): number {
  if (nfds > t.tg.nofile || nfds < 0) return -EINVAL;
  const dv = nfds === 0 ? new DataView(new ArrayBuffer(0)) : copyInStruct(t, fdsAddr, nfds * 8);
  if (dv === null) return -EFAULT;
  const deadline = deadlineOf(t, timeoutNs, interruptErr);
  let count = 0;
  const queues: WaitQueue[] = [];
  for (let i = 0; i < nfds; i++) {
    const fd = dv.getInt32(i * 8, true);
    const events = dv.getUint16(i * 8 + 4, true);
    let revents = 0;
    if (fd >= 0) {
      const f = t.fdTable.get(fd);
      if (f === undefined) revents = POLLNVAL;
      else {
        revents = pollReadiness(f, events);
        if (revents === 0) {
          queues.push(f.queue);
          f.armReadiness(events);
        }
      }
    }
    dv.setUint16(i * 8 + 6, revents, true);
    if (revents !== 0) count++;
  }
  if (count === 0 && timeoutNs !== 0) {
    const w = waitOrTimeout(t, queues, deadline);
    if (w !== null) return w;
  }
  if (nfds > 0 && t.mm.copyOut(fdsAddr, new Uint8Array(dv.buffer, dv.byteOffset, nfds * 8)) < 0) return -EFAULT;
  return count;
}

export function sysPoll(t: Task): number {
  const r = t.regs;
  const ms = r.argInt(2);
  return doPoll(t, r.arg(0), r.argU32(1), ms < 0 ? -1 : ms * 1e6, ERESTART_RESTARTBLOCK);
}

/** Applies a temporary signal mask for ppoll/pselect (restored when the call returns). */
export function tempMask(t: Task, addr: number, size: number): number {
  if (addr === 0 || t.syscallState !== null) return 0;
  if (size !== 8) return -EINVAL;
  const m = copyInStruct(t, addr, 8);
  if (m === null) return -EFAULT;
  if (t.savedSigmask === null) t.savedSigmask = t.sigmask;
  setSigmask(t, m.getBigUint64(0, true));
  return 0;
}

/** After the call: put back the caller's mask unless a handler frame will. */
export function finishMask(t: Task, r: number): number {
  if (r !== BLOCK && t.savedSigmask !== null) {
    setSigmask(t, t.savedSigmask);
    t.savedSigmask = null;
  }
  return r;
}

export function sysPpoll(t: Task): number {
  const r = t.regs;
  let ns = -1;
  if (t.syscallState === null && r.arg(2) !== 0) {
    ns = readTimespec(t, r.arg(2));
    if (ns < 0) return ns;
  }
  const e = tempMask(t, r.arg(3), r.arg(4));
  if (e < 0) return e;
  return finishMask(t, doPoll(t, r.arg(0), r.argU32(1), ns, ERESTARTNOHAND));
}

function doSelect(t: Task, nfds: number, addrs: number[], timeoutNs: number, interruptErr: number): number {
  if (nfds < 0) return -EINVAL;
  // Linux looks only at descriptors below its fd table's size: the highest
  // open fd + 1, rounded up to a power of two, at least 64.
  const fds = t.fdTable.fds();
  let cap = 64;
  while (fds.length > 0 && cap <= fds[fds.length - 1]) cap *= 2;
  nfds = Math.min(nfds, cap);
  const bytes = Math.ceil(nfds / 64) * 8;
  const sets: (Uint8Array | null)[] = [];
  for (const a of addrs) {
    if (a === 0 || bytes === 0) { sets.push(null); continue; }
    const b = t.mm.copyIn(a, bytes);
    if (b === null) return -EFAULT;
    sets.push(b);
  }
  const deadline = deadlineOf(t, timeoutNs, interruptErr);
  const out = sets.map((s) => (s === null ? null : new Uint8Array(s.length)));
  const masks = [POLLIN | POLLRDNORM | POLLHUP | POLLERR, POLLOUT | POLLWRNORM | POLLERR, POLLPRI];
  const queues: WaitQueue[] = [];
  let count = 0;
  for (let fd = 0; fd < nfds; fd++) {
    const byte = fd >> 3, bit = 1 << (fd & 7);
    let any = 0;
    for (let k = 0; k < 3; k++) if (sets[k] !== null && (sets[k] as Uint8Array)[byte] & bit) any |= 1 << k;
    if (any === 0) continue;
    const f = t.fdTable.get(fd);
    if (f === undefined) return -EBADF;
    let armed = false;
    for (let k = 0; k < 3; k++) {
      if (!(any & (1 << k))) continue;
      const ready = pollReadiness(f, masks[k]) & masks[k];
      if (ready !== 0) {
        (out[k] as Uint8Array)[byte] |= bit;
        count++;
      } else if (!armed) {
        queues.push(f.queue);
        f.armReadiness(masks[k]);
        armed = true;
      }
    }
  }
  if (count === 0 && timeoutNs !== 0) {
    const w = waitOrTimeout(t, queues, deadline);
    if (w !== null) return w;
  }
  for (let k = 0; k < 3; k++) {
    const o = out[k];
    if (o !== null && t.mm.copyOut(addrs[k], o) < 0) return -EFAULT;
  }
  return count;
}

/** Writes the time left back into select's struct timeval, as Linux does. */
function writeRemaining(t: Task, addr: number, timeval: boolean): void {
  const st = t.syscallState as PollState | null;
  const deadline = st?.deadline;
  if (addr === 0 || deadline === undefined) return;
  const left = Math.max(0, deadline - t.kernel.monotonicMs());
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  putU64(dv, 0, Math.floor(left / 1000));
  putU64(dv, 8, timeval ? Math.floor((left % 1000) * 1000) : Math.floor((left % 1000) * 1e6));
  t.mm.copyOut(addr, b);
}

export function sysSelect(t: Task): number {
  const r = t.regs;
  let ns = -1;
  const tvAddr = r.arg(4);
  if (tvAddr !== 0) {
    const dv = copyInStruct(t, tvAddr, 16);
    if (dv === null) return -EFAULT;
    // Linux folds whole seconds out of tv_usec; only negative values are invalid.
    const sec = getI64(dv, 0), usec = getI64(dv, 8);
    if (sec < 0 || usec < 0) return -EINVAL;
    ns = sec * 1e9 + usec * 1000;
  }
  const res = doSelect(t, r.argInt(0), [r.arg(1), r.arg(2), r.arg(3)], ns, ERESTARTNOHAND);
  if (res >= 0) writeRemaining(t, tvAddr, true);
  return res;
}

export function sysPselect6(t: Task): number {
  const r = t.regs;
  let ns = -1;
  if (t.syscallState === null && r.arg(4) !== 0) {
    ns = readTimespec(t, r.arg(4));
    if (ns < 0) return ns;
  }
  const sigArg = r.arg(5);
  if (sigArg !== 0 && t.syscallState === null) {
    const dv = copyInStruct(t, sigArg, 16);
    if (dv === null) return -EFAULT;
    const e = tempMask(t, dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296, dv.getUint32(8, true));
    if (e < 0) return e;
  }
  const res = finishMask(t, doSelect(t, r.argInt(0), [r.arg(1), r.arg(2), r.arg(3)], ns, ERESTARTNOHAND));
  if (res >= 0) writeRemaining(t, r.arg(4), false);
  return res;
}
