// The socket system calls on a socket that serves the `Socket` interface
// (net/socket.ts: today the inet sockets of net/hostinet): this layer
// copies the program's addresses, data and option values in and out, with
// Linux's checks of their lengths (move_addr_to_kernel, copy_msghdr_from_user,
// move_addr_to_user), and the socket does the rest. sys_socket.ts decides
// which sockets come here; sendmmsg/recvmmsg for every socket are here too.
//
// sendmmsg and recvmmsg on a blocking socket wait for each message as
// Linux's do: a call that parks its task is run again when woken, so the
// messages already moved are kept in the call's state (mmsgDone) and each
// message has a state of its own (a stream send's bytes so far, a
// SO_RCVTIMEO deadline), swapped in while it runs.
//
// Differs from Linux: an error after the first message (other than EAGAIN)
// is not kept for the next call on the socket (Linux's sk_err).

import type { Task } from '../../kernel/task.js';
import { BLOCK } from '../../kernel/task.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import type { SocketFile } from '../../net/socket.js';
import { MSG_DONTWAIT, SOCKADDR_MAX } from '../../net/socket.js';
import { EFAULT, EINVAL, copyInStruct, copyOut, ioViews, installNew } from '../support.js';
import { EMSGSIZE, ENOBUFS } from '../../abi/linux/errno.js';

/** The most control bytes a send takes (Linux's net.core.optmem_max default, 128 KiB since 6.9): past it ENOBUFS, as sock_kmalloc fails. */
export const OPTMEM_MAX = 131072;
const MSG_WAITFORONE = 0x10000;
const UIO_MAXIOV = 1024;

/** move_addr_to_kernel: len in [0, sizeof(sockaddr_storage)] (EINVAL), the bytes (EFAULT). */
export function readSockAddr(t: Task, addr: number, len: number): Uint8Array | number {
  if (len < 0 || len > SOCKADDR_MAX) return -EINVAL;
  if (len === 0) return new Uint8Array(0);
  const b = t.mm.copyIn(addr, len);
  return b === null ? -EFAULT : Uint8Array.from(b);
}

/** Writes an address to (addr, *lenp) as getsockname does: truncated to *lenp, *lenp set to its full size. */
export function putAddr(t: Task, addr: number, lenp: number, bytes: Uint8Array): number {
  if (addr === 0 || lenp === 0) return 0;
  const lv = copyInStruct(t, lenp, 4);
  if (lv === null) return -EFAULT;
  const len = lv.getInt32(0, true);
  if (len < 0) return -EINVAL;
  if (copyOut(t, addr, bytes.subarray(0, Math.min(len, bytes.length))) < 0) return -EFAULT;
  return putInt(t, lenp, bytes.length);
}

function putInt(t: Task, addr: number, v: number): number {
  const nb = new Uint8Array(4);
  new DataView(nb.buffer).setInt32(0, v, true);
  return copyOut(t, addr, nb) < 0 ? -EFAULT : 0;
}

/** A struct msghdr as read: name, namelen, the iovec views, control, controllen. */
export interface Msghdr {
  name: number;
  namelen: number;
  views: Uint8Array[];
  total: number;
  control: number;
  controllen: number;
}

/** Reads a struct msghdr and the views of its iovecs. */
export function readMsghdr(t: Task, addr: number, write: boolean): Msghdr | number {
  const dv = copyInStruct(t, addr, 56);
  if (dv === null) return -EFAULT;
  const name = Number(dv.getBigUint64(0, true)), namelen = dv.getInt32(8, true);
  const iov = Number(dv.getBigUint64(16, true)), iovlen = Number(dv.getBigUint64(24, true));
  const control = Number(dv.getBigUint64(32, true)), controllen = Number(dv.getBigUint64(40, true));
  if (iovlen > UIO_MAXIOV) return -EMSGSIZE;
  const iovs = iovlen === 0 ? new DataView(new ArrayBuffer(0)) : copyInStruct(t, iov, iovlen * 16);
  if (iovs === null) return -EFAULT;
  const views: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < iovlen; i++) {
    const base = Number(iovs.getBigUint64(i * 16, true)), len = Number(iovs.getBigUint64(i * 16 + 8, true));
    if (len > 0x7fffffff) return -EINVAL;
    if (len === 0) continue;
    const io = ioViews(t, base, len, write);
    if (typeof io === 'number') return io;
    views.push(...io.views);
    total += io.total;
    if (io.total < len) break;
  }
  return { name, namelen, views, total, control, controllen };
}

export function sockBind(t: Task, s: SocketFile, addr: number, len: number): number {
  const a = readSockAddr(t, addr, len);
  return typeof a === 'number' ? a : s.bind(t, a);
}

export function sockConnect(t: Task, s: SocketFile, addr: number, len: number): number {
  const a = readSockAddr(t, addr, len);
  return typeof a === 'number' ? a : s.connect(t, a);
}

/** accept4: the peer's address goes out before the descriptor is installed, so a bad address loses no descriptor (Linux's do_accept). */
export function sockAccept(t: Task, s: SocketFile, addr: number, lenp: number, flags: number): number {
  const a = s.accept(t, flags & O_NONBLOCK);
  if (typeof a === 'number') return a;
  const e = putAddr(t, addr, lenp, a.addr);
  if (e < 0) {
    a.file.decRef();
    return e;
  }
  return installNew(t, a.file, (flags & O_CLOEXEC) !== 0);
}

export function sockName(t: Task, s: SocketFile, peer: boolean, addr: number, lenp: number): number {
  // The length is read first: an unreadable one is EFAULT whatever the socket says.
  if (copyInStruct(t, lenp, 4) === null) return -EFAULT;
  const a = s.name(t, peer);
  return typeof a === 'number' ? a : putAddr(t, addr, lenp, a);
}

export function sockSendto(t: Task, s: SocketFile, buf: number, len: number, flags: number, addr: number, alen: number): number {
  const io = ioViews(t, buf, Math.min(len, 0x7ffff000), false);
  if (typeof io === 'number') return io;
  let to: Uint8Array | null = null;
  if (addr !== 0) {
    const a = readSockAddr(t, addr, alen);
    if (typeof a === 'number') return a;
    to = a;
  }
  return s.sendmsg(t, { views: io.views, total: io.total, to, control: null }, flags);
}

export function sockRecvfrom(t: Task, s: SocketFile, buf: number, len: number, flags: number, addr: number, lenp: number): number {
  len = Math.min(len, 0x7ffff000);
  const io = ioViews(t, buf, len, true);
  if (typeof io === 'number' && len > 0) return io;
  const views = typeof io === 'number' ? [] : io.views, total = typeof io === 'number' ? 0 : io.total;
  const r = s.recvmsg(t, { views, total, controlLen: 0 }, flags);
  if (typeof r === 'number') return r;
  const e = putAddr(t, addr, lenp, r.from);
  return e < 0 ? e : r.n;
}

/** One sendmsg: the message at hdr. */
export function sockSendmsg(t: Task, s: SocketFile, hdr: number, flags: number): number {
  const m = readMsghdr(t, hdr, false);
  if (typeof m === 'number') return m;
  // copy_msghdr_from_user: a negative name length is EINVAL, a long one is cut to sockaddr_storage.
  if (m.namelen < 0) return -EINVAL;
  let to: Uint8Array | null = null;
  if (m.name !== 0 && m.namelen > 0) {
    const a = readSockAddr(t, m.name, Math.min(m.namelen, SOCKADDR_MAX));
    if (typeof a === 'number') return a;
    to = a;
  }
  let control: Uint8Array | null = null;
  if (m.controllen > 0) {
    if (m.controllen > OPTMEM_MAX) return -ENOBUFS;
    const c = t.mm.copyIn(m.control, m.controllen);
    if (c === null) return -EFAULT;
    control = Uint8Array.from(c);
  }
  return s.sendmsg(t, { views: m.views, total: m.total, to, control }, flags);
}

/** One recvmsg into the message at hdr: the name, control and flags go back into it. */
export function sockRecvmsg(t: Task, s: SocketFile, hdr: number, flags: number): number {
  const m = readMsghdr(t, hdr, true);
  if (typeof m === 'number') return m;
  // copy_msghdr_from_user: a negative name length is EINVAL before anything is received.
  if (m.name !== 0 && m.namelen < 0) return -EINVAL;
  const r = s.recvmsg(t, { views: m.views, total: m.total, controlLen: m.control === 0 ? 0 : m.controllen }, flags);
  if (typeof r === 'number') return r;
  // move_addr_to_user into msg_name (when there is one), then msg_flags and msg_controllen.
  if (m.name !== 0) {
    if (copyOut(t, m.name, r.from.subarray(0, Math.min(m.namelen, r.from.length))) < 0) return -EFAULT;
    if (putInt(t, hdr + 8, r.from.length) < 0) return -EFAULT;
  } else if (putInt(t, hdr + 8, 0) < 0) {
    return -EFAULT;
  }
  if (r.control.length > 0 && copyOut(t, m.control, r.control) < 0) return -EFAULT;
  const cl = new Uint8Array(8);
  new DataView(cl.buffer).setBigUint64(0, BigInt(r.control.length), true);
  if (copyOut(t, hdr + 40, cl) < 0) return -EFAULT;
  if (putInt(t, hdr + 48, r.flags) < 0) return -EFAULT;
  return r.n;
}

export function sockSetsockopt(t: Task, s: SocketFile, level: number, name: number, addr: number, len: number): number {
  if (len < 0) return -EINVAL;
  return s.setsockopt(t, level, name, len, (n) => {
    const b = t.mm.copyIn(addr, n);
    return b === null ? null : Uint8Array.from(b);
  });
}

export function sockGetsockopt(t: Task, s: SocketFile, level: number, name: number, addr: number, lenp: number): number {
  const lv = copyInStruct(t, lenp, 4);
  if (lv === null) return -EFAULT;
  const len = lv.getInt32(0, true);
  if (len < 0) return -EINVAL;
  const v = s.getsockopt(t, level, name, len);
  if (typeof v === 'number') return v;
  const n = Math.min(len, v.length);
  if (copyOut(t, addr, v.subarray(0, n)) < 0) return -EFAULT;
  return putInt(t, lenp, n);
}

/** Sends or receives the message at hdr (one of an mmsghdr array): bytes, or -errno. */
export type OneMessage = (hdr: number, flags: number) => number;

type CallState = NonNullable<Task['syscallState']>;

/** What a sendmmsg/recvmmsg that parked keeps for its next run. */
interface MmsgState extends CallState {
  mmsgDone: number;
  mmsgDeadline: number;
  /** The state of the message being moved when the call parked. */
  mmsgInner: CallState | null;
}

/**
 * sendmmsg/recvmmsg over any socket, one message at a time: at most
 * UIO_MAXIOV of them; each message's length goes to its msg_len. An error
 * on the first message is the call's; after it, the count so far.
 * recvmmsg's timeout is looked at only after a message (recvmmsg(2)'s
 * BUGS), and what is left of it written back once one has come.
 */
export function mmsg(t: Task, vec: number, vlen: number, flags: number, one: OneMessage,
  recv: boolean, timeout: number): number {
  vlen = Math.min(vlen >>> 0, UIO_MAXIOV);
  const parked = t.syscallState as MmsgState | null;
  let deadline = Infinity;
  if (parked !== null && typeof parked.mmsgDone === 'number') {
    deadline = parked.mmsgDeadline;
  } else if (recv && timeout !== 0) {
    const ts = copyInStruct(t, timeout, 16);
    if (ts === null) return -EFAULT;
    const sec = Number(ts.getBigInt64(0, true)), nsec = Number(ts.getBigInt64(8, true));
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
    deadline = t.kernel.monotonicMs() + sec * 1000 + nsec / 1e6;
  }
  const first = parked?.mmsgDone ?? 0;
  let done = first;
  let ended = false;
  let lastAt = 0;
  for (let i = first; i < vlen && !ended; i++) {
    const hdr = vec + i * 64;
    // MSG_WAITFORONE: only the first message of the call may wait.
    const f = (flags & MSG_WAITFORONE) !== 0 && i > 0 ? (flags & ~MSG_WAITFORONE) | MSG_DONTWAIT : flags & ~MSG_WAITFORONE;
    t.syscallState = i === first ? (parked?.mmsgInner ?? null) : null;
    const r = one(hdr, f);
    if (r === BLOCK) return park(t, hdr, done, deadline);
    if (r < 0) {
      ended = true;
      if (done === 0) return finish(t, r);
      continue;
    }
    if (putInt(t, hdr + 56, r) < 0) return finish(t, done > 0 ? done : -EFAULT);
    done++;
    lastAt = t.kernel.monotonicMs();
    if (recv && lastAt >= deadline) ended = true;
  }
  // What was left after the last message (a parked call's earlier ones are not timed again).
  if (recv && timeout !== 0 && done > 0) {
    const left = Math.max(0, deadline - (lastAt || t.kernel.monotonicMs()));
    const ts = new DataView(new ArrayBuffer(16));
    ts.setBigInt64(0, BigInt(Math.floor(left / 1000)), true);
    ts.setBigInt64(8, BigInt(Math.floor((left % 1000) * 1e6)), true);
    if (copyOut(t, timeout, new Uint8Array(ts.buffer)) < 0) return finish(t, -EFAULT);
  }
  return finish(t, done);
}

function finish(t: Task, r: number): number {
  t.syscallState = null;
  return r;
}

/**
 * The call parks in its message's wait: its state keeps the count so far
 * (the result if a signal ends the wait: task_run's partial) and the
 * message's own state. A signal in the first message after some of a
 * stream's bytes went ends the call with that message too, its msg_len
 * the bytes, as Linux's sendmsg returning them would.
 */
function park(t: Task, hdr: number, done: number, deadline: number): number {
  const inner = t.syscallState;
  const innerPartial = inner?.partial;
  const innerCancel = inner?.waitCancel as { cancel(): void } | undefined;
  const st: MmsgState = { mmsgDone: done, mmsgDeadline: deadline, mmsgInner: inner, interruptErr: inner?.interruptErr };
  if (typeof innerPartial === 'number' && innerPartial > 0) {
    st.partial = done + 1;
    st.waitCancel = { cancel: () => { innerCancel?.cancel(); putInt(t, hdr + 56, innerPartial); } };
  } else {
    if (done > 0) st.partial = done;
    if (innerCancel !== undefined) st.waitCancel = innerCancel;
  }
  t.syscallState = st;
  return BLOCK;
}
