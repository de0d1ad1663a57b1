// Sockets: socket(2), socketpair(2), bind(2), listen(2), accept(2),
// accept4(2), connect(2), getsockname(2), getpeername(2), sendto(2),
// recvfrom(2), sendmsg(2), recvmsg(2), sendmmsg(2), recvmmsg(2),
// shutdown(2), setsockopt(2), getsockopt(2). socket(2) and socketpair(2)
// ask the providers of net/socket.ts for the family (AF_UNIX always;
// AF_INET and AF_INET6 when boot registered hostinet; any other family
// EAFNOSUPPORT, as on a kernel built without it). The other calls find the
// socket and hand it on: one that serves the `Socket` interface (every
// family but AF_UNIX) to sys_socket_ops.ts, a Unix domain socket
// (kernel/unix_socket.ts) to sys_socket_unix.ts.

import type { Task } from '../../kernel/task.js';
import { UnixSocket } from '../../kernel/unix_socket.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import { EBADF, EFAULT, EINVAL, copyOut, installNew } from '../support.js';
import { EAFNOSUPPORT, ENOTSOCK } from '../../abi/linux/errno.js';
import { AF_INET, AF_MAX, AF_PACKET, SOCK_MAX, SOCK_PACKET, SOCK_TYPE_MASK, isSocket, newPair, newSocket } from '../../net/socket.js';
import type { SocketFile } from '../../net/socket.js';
import * as ops from './sys_socket_ops.js';
import * as unix from './sys_socket_unix.js';

/** The socket at fd: one serving `Socket`, a Unix domain socket, or -errno. */
function socketOf(t: Task, fd: number): SocketFile | UnixSocket | number {
  const f = t.fdTable.get(fd);
  if (f === undefined) return -EBADF;
  if (isSocket(f) || f instanceof UnixSocket) return f;
  return -ENOTSOCK;
}

/** sys_socket's and __sock_create's checks: the family to ask (SOCK_PACKET on AF_INET is AF_PACKET's), or -errno. */
function checkCreate(domain: number, type: number): number {
  if (type & ~(SOCK_TYPE_MASK | O_NONBLOCK | O_CLOEXEC)) return -EINVAL;
  if (domain < 0 || domain >= AF_MAX) return -EAFNOSUPPORT;
  const kind = type & SOCK_TYPE_MASK;
  if (kind >= SOCK_MAX) return -EINVAL;
  return domain === AF_INET && kind === SOCK_PACKET ? AF_PACKET : domain;
}

export function sysSocket(t: Task): number {
  const r = t.regs;
  const type = r.argInt(1);
  const family = checkCreate(r.argInt(0), type);
  if (family < 0) return family;
  const s = newSocket(t, family, type & SOCK_TYPE_MASK, r.argInt(2), type & O_NONBLOCK);
  if (typeof s === 'number') return s;
  return installNew(t, s, (type & O_CLOEXEC) !== 0);
}

export function sysSocketpair(t: Task): number {
  const r = t.regs;
  const type = r.argInt(1);
  const family = checkCreate(r.argInt(0), type);
  if (family < 0) return family;
  const pair = newPair(t, family, type & SOCK_TYPE_MASK, r.argInt(2), type & O_NONBLOCK);
  if (typeof pair === 'number') return pair;
  const [a, b] = pair;
  const cloexec = (type & O_CLOEXEC) !== 0;
  const fa = installNew(t, a, cloexec);
  if (fa < 0) {
    b.decRef();
    return fa;
  }
  const fb = installNew(t, b, cloexec);
  if (fb < 0) {
    t.fdTable.close(fa);
    return fb;
  }
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, fa, true);
  dv.setInt32(4, fb, true);
  if (copyOut(t, r.arg(3), out) < 0) {
    t.fdTable.close(fa);
    t.fdTable.close(fb);
    return -EFAULT;
  }
  return 0;
}

export function sysBind(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockBind(t, s, r.arg(1), r.argInt(2));
  return unix.unixBind(t, s);
}

export function sysListen(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return s.listen(t, r.argInt(1));
  return unix.unixListen(t, s);
}

export function sysConnect(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockConnect(t, s, r.arg(1), r.argInt(2));
  return unix.unixConnect(t, s);
}

function accept(t: Task, fd: number, addr: number, lenp: number, flags: number): number {
  if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return -EINVAL;
  const s = socketOf(t, fd);
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockAccept(t, s, addr, lenp, flags);
  return unix.unixAccept(t, s, addr, lenp, flags);
}

export function sysAccept(t: Task): number {
  const r = t.regs;
  return accept(t, r.argInt(0), r.arg(1), r.arg(2), 0);
}

export function sysAccept4(t: Task): number {
  const r = t.regs;
  return accept(t, r.argInt(0), r.arg(1), r.arg(2), r.argInt(3));
}

export function sysGetsockname(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockName(t, s, false, r.arg(1), r.arg(2));
  return unix.unixGetsockname(t, s);
}

export function sysGetpeername(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockName(t, s, true, r.arg(1), r.arg(2));
  return unix.unixGetpeername(t, s);
}

export function sysSendto(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockSendto(t, s, r.arg(1), r.arg(2), r.argInt(3), r.arg(4), r.argInt(5));
  return unix.unixSendto(t, s);
}

export function sysSendmsg(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  return sendmsgOne(t, s, r.arg(1), r.argInt(2));
}

/** One sendmsg of the message at hdr (sendmsg, and each of sendmmsg's). */
function sendmsgOne(t: Task, s: SocketFile | UnixSocket, hdr: number, flags: number): number {
  if (isSocket(s)) return ops.sockSendmsg(t, s, hdr, flags);
  return unix.unixSendmsg(t, s, hdr, flags);
}

export function sysRecvfrom(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return ops.sockRecvfrom(t, s, r.arg(1), r.arg(2), r.argInt(3), r.arg(4), r.arg(5));
  return unix.unixRecvfrom(t, s);
}

export function sysRecvmsg(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  return recvmsgOne(t, s, r.arg(1), r.argInt(2));
}

/** One recvmsg into the message at hdr (recvmsg, and each of recvmmsg's). */
function recvmsgOne(t: Task, s: SocketFile | UnixSocket, hdr: number, flags: number): number {
  if (isSocket(s)) return ops.sockRecvmsg(t, s, hdr, flags);
  return unix.unixRecvmsg(t, s, hdr, flags);
}

export function sysShutdown(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  if (isSocket(s)) return s.shutdown(t, r.argInt(1));
  return unix.unixShutdown(t, s);
}

export function sysSetsockopt(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  const level = r.argInt(1), opt = r.argInt(2), addr = r.arg(3), len = r.argInt(4);
  if (isSocket(s)) return ops.sockSetsockopt(t, s, level, opt, addr, len);
  return unix.unixSetsockopt(t, s);
}

export function sysGetsockopt(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  const level = r.argInt(1), opt = r.argInt(2), addr = r.arg(3), lenp = r.arg(4);
  if (isSocket(s)) return ops.sockGetsockopt(t, s, level, opt, addr, lenp);
  return unix.unixGetsockopt(t, s);
}

/** sendmmsg(fd, vec, vlen, flags): sys_socket_ops.ts's mmsg over sendmsgOne. */
export function sysSendmmsg(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  return ops.mmsg(t, r.arg(1), r.argU32(2), r.argInt(3), (hdr, flags) => sendmsgOne(t, s, hdr, flags), false, 0);
}

/** recvmmsg(fd, vec, vlen, flags, timeout): sys_socket_ops.ts's mmsg over recvmsgOne. */
export function sysRecvmmsg(t: Task): number {
  const r = t.regs;
  const s = socketOf(t, r.argInt(0));
  if (typeof s === 'number') return s;
  return ops.mmsg(t, r.arg(1), r.argU32(2), r.argInt(3), (hdr, flags) => recvmsgOne(t, s, hdr, flags), true, r.arg(4));
}
