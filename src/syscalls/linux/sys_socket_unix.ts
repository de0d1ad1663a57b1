// The socket calls on a Unix domain socket (kernel/unix_socket.ts):
// names (abstract and paths), listen/accept/connect, sends and receives
// with SCM_RIGHTS, shutdown and the SOL_SOCKET options. sys_socket.ts
// hands a call here when its descriptor is a Unix socket; every other
// socket goes through the `Socket` interface (sys_socket_ops.ts).
//
// Descriptions passed with SCM_RIGHTS count against the sending user's
// RLIMIT_NOFILE (ETOOMANYREFS, root exempt, as Linux's too_many_unix_fds);
// sockets in flight that nothing reaches are collected (kernel/unix_gc.ts).
// SO_RCVTIMEO/SO_SNDTIMEO end the waits of receives, accept and sends.
//
// Differs from Linux: SO_RCVTIMEO/SO_SNDTIMEO are reported as they were
// set (not rounded to the clock tick); MSG_OOB is EOPNOTSUPP (as Linux for
// Unix sockets); SO_PASSCRED does not autobind the socket.

import type { Task } from '../../kernel/task.js';
import { SOCK_DGRAM, UnixSocket, key, messageCredOf } from '../../kernel/unix_socket.js';
import { timevalOptionMs } from '../../kernel/sockfs.js';
import type { MessageCred } from '../../kernel/unix_socket.js';
import { NO_ID, OVERFLOW_ID } from '../../kernel/id_map.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_CLOEXEC, O_NONBLOCK, WOULD_BLOCK } from '../../vfs/file_description.js';
import { EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import { checkPermission, MAY_WRITE } from '../../vfs/vfs.js';
import { S_IFMT, S_IFSOCK } from '../../vfs/stat.js';
import { makeSocketFile } from './sys_tree.js';
import {
  AT_FDCWD, EACCES, EAGAIN, EBADF, EFAULT, EINVAL, copyInStruct, copyOut, installNew, ioViews, resolveAt,
  writeKeepingProgress,
} from '../support.js';
import {
  EADDRINUSE, ECONNREFUSED, EISCONN, ENOBUFS, ENOPROTOOPT, ENOTCONN, EOPNOTSUPP, EPERM, EPROTOTYPE, ESRCH,
} from '../../abi/linux/errno.js';
import { CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from '../../abi/linux/capability.js';
import {
  AF_UNIX, AF_UNSPEC, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC,
  MSG_WAITALL,
} from '../../net/socket.js';
import { credOf } from '../../net/unix.js';
import { OPTMEM_MAX, putAddr, readMsghdr } from './sys_socket_ops.js';

const SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, SCM_MAX_FD = 253;
const SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_BROADCAST = 6, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9,
  SO_LINGER = 13, SO_PASSCRED = 16, SO_PEERCRED = 17, SO_RCVLOWAT = 18, SO_SNDLOWAT = 19, SO_RCVTIMEO = 20,
  SO_SNDTIMEO = 21, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33, SO_ACCEPTCONN = 30, SO_PROTOCOL = 38, SO_DOMAIN = 39;
const SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
const SOMAXCONN = 4096;
const SUN_PATH_MAX = 108;

/** A socket address: the family, and for AF_UNIX the name (abstract: starts with NUL; else a path; empty: none). */
interface SockAddr {
  family: number;
  name: Uint8Array;
  abstract: boolean;
  path: string;
}

function readAddr(t: Task, addr: number, len: number): SockAddr | number {
  if (len < 2 || len > 2 + SUN_PATH_MAX) return -EINVAL;
  const b = t.mm.copyIn(addr, len);
  if (b === null) return -EFAULT;
  const family = b[0] | (b[1] << 8);
  const raw = b.subarray(2);
  const abstract = raw.length > 0 && raw[0] === 0;
  let name = raw;
  if (!abstract) {
    const z = raw.indexOf(0);
    name = z < 0 ? raw : raw.subarray(0, z);
  }
  return { family, name: Uint8Array.from(name), abstract, path: Buffer.from(name).toString('latin1') };
}

/** The bytes of a sockaddr_un for a name (null: unnamed, family only). */
function addrBytes(name: Uint8Array | null): Uint8Array {
  const n = name ?? new Uint8Array(0);
  const abstract = n.length > 0 && n[0] === 0;
  const out = new Uint8Array(2 + n.length + (n.length > 0 && !abstract ? 1 : 0));
  out[0] = AF_UNIX;
  out.set(n, 2);
  return out;
}

/** The socket bound to a name, or why there is none. */
function lookupName(t: Task, a: SockAddr, type: number): UnixSocket | number {
  if (a.abstract) return t.kernel.unixNs.names.get(key(type, a.name)) ?? -ECONNREFUSED;
  if (a.name.length === 0) return -EINVAL;
  // A path: the socket file the sandbox's own bind made (a host socket file is never reached: no
  // sandbox socket is bound to it). unix_find_bsd(): write permission on the file, then the socket.
  const d = resolveAt(t, AT_FDCWD, a.path, true, false);
  if (typeof d === 'number') return d;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  if (!checkPermission(t.creds, st.mode, st.uid, st.gid, MAY_WRITE)) return -EACCES;
  if ((st.mode & S_IFMT) !== S_IFSOCK) return -ECONNREFUSED;
  const s = t.kernel.unixNs.paths.get(`${st.dev}:${st.ino}`);
  if (s === undefined || s.type !== type) return s === undefined ? -ECONNREFUSED : -EPROTOTYPE;
  return s;
}

export function unixBind(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const a = readAddr(t, r.arg(1), r.argInt(2));
  if (typeof a === 'number') return a;
  if (a.family !== AF_UNIX) return -EINVAL;
  if (s.name !== null) return -EINVAL;
  const ns = t.kernel.unixNs;
  let name = a.name;
  if (r.argInt(2) === 2) {
    name = ns.autoName(s.type);
  } else if (!a.abstract) {
    const made = makeSocketFile(t, a.path);
    if (typeof made === 'number') return made;
    const st = made.stat();
    if (typeof st === 'number') return st;
    s.name = name;
    s.pathKey = `${st.dev}:${st.ino}`;
    ns.paths.set(s.pathKey, s);
    return 0;
  }
  if (ns.names.has(key(s.type, name))) return -EADDRINUSE;
  s.name = name;
  ns.names.set(key(s.type, name), s);
  return 0;
}

export function unixListen(t: Task, s: UnixSocket): number {
  const r = t.regs;
  if (s.type === SOCK_DGRAM) return -EOPNOTSUPP;
  if (s.name === null || s.peer !== null || s.peerGone) return -EINVAL;
  const backlog = r.argInt(1);
  s.backlogMax = Math.min(Math.max(backlog, 0), SOMAXCONN);
  s.listening = true;
  s.listenerCred = credOf(t);
  return 0;
}

export function unixConnect(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const a = readAddr(t, r.arg(1), r.argInt(2));
  if (typeof a === 'number') return a;
  if (s.type === SOCK_DGRAM) {
    if (a.family === AF_UNSPEC) {
      s.target = null;
      return 0;
    }
    if (a.family !== AF_UNIX) return -EINVAL;
    const d = lookupName(t, a, SOCK_DGRAM);
    if (typeof d === 'number') return d;
    s.target = d;
    return 0;
  }
  if (a.family !== AF_UNIX) return -EINVAL;
  if (s.peer !== null || s.peerGone) return -EISCONN;
  if (s.listening) return -EINVAL;
  const l = lookupName(t, a, s.type);
  if (typeof l === 'number') return l;
  if (!l.listening) return -ECONNREFUSED;
  if (l.backlog.length > l.backlogMax) return -EAGAIN;
  const server = new UnixSocket(s.type, 0, s.ns);
  server.name = l.name;
  UnixSocket.pair(s, server, credOf(t), l.listenerCred ?? credOf(t));
  l.backlog.push(server);
  l.queue.notify(EVENT_IN);
  return 0;
}

export function unixAccept(t: Task, s: UnixSocket, addr: number, lenp: number, flags: number): number {
  if (s.type === SOCK_DGRAM) return -EOPNOTSUPP;
  if (!s.listening) return -EINVAL;
  const c = s.backlog.shift();
  if (c === undefined) {
    if (s.flags & O_NONBLOCK) return -EAGAIN;
    return waitIn(t, s);
  }
  c.flags |= flags & O_NONBLOCK;
  const nfd = installNew(t, c, (flags & O_CLOEXEC) !== 0);
  if (nfd < 0) return nfd;
  const e = putAddr(t, addr, lenp, addrBytes(c.peer?.name ?? null));
  return e < 0 ? e : nfd;
}

export function unixGetsockname(t: Task, s: UnixSocket): number {
  const r = t.regs;
  return putAddr(t, r.arg(1), r.arg(2), addrBytes(s.name));
}

export function unixGetpeername(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const p = s.peer ?? s.target;
  if (p === null) return -ENOTCONN;
  return putAddr(t, r.arg(1), r.arg(2), addrBytes(p.name));
}

/** Waits for something to receive or accept, within the socket's SO_RCVTIMEO (EAGAIN at its end). */
function waitIn(t: Task, s: UnixSocket): number {
  const deadline = t.timedWaitDeadline(s.rcvTimeoMs);
  return deadline === -1 ? -EAGAIN : t.block([s.queue], EVENT_IN, deadline);
}

/** What a send's control buffer gives: SCM_RIGHTS descriptions, and SCM_CREDENTIALS (checked as scm_check_creds). */
interface Control {
  rights: FileDescription[] | null;
  cred: MessageCred | null;
}

/** An SCM_CREDENTIALS' struct ucred, as __scm_send checks it: the credentials, or -EPERM, -ESRCH, -EINVAL. */
function givenCred(t: Task, pid: number, uid: number, gid: number): MessageCred | number {
  const c = t.creds;
  const ns = c.userns;
  const kuid = ns.kuid(uid), kgid = ns.kgid(gid);
  const pidOk = pid === t.tg.tgidPid.nr(t.pidns) || c.hasCapabilityIn(CAP_SYS_ADMIN, t.pidns.userns);
  const uidOk = kuid === c.ruid || kuid === c.euid || kuid === c.suid || c.hasCapability(CAP_SETUID);
  const gidOk = kgid === c.rgid || kgid === c.egid || kgid === c.sgid || c.hasCapability(CAP_SETGID);
  if (!pidOk || !uidOk || !gidOk) return -EPERM;
  const tg = t.pidns.threadGroupWithId(pid);
  if (tg === undefined) return -ESRCH;
  if (kuid === NO_ID || kgid === NO_ID) return -EINVAL;
  return { pid: tg.tgidPid, uid: kuid, gid: kgid };
}

/** SCM_RIGHTS descriptions and SCM_CREDENTIALS from a control buffer, or -errno. */
function parseControl(t: Task, addr: number, len: number): Control | number {
  if (len === 0) return { rights: null, cred: null };
  // ____sys_sendmsg's buffer for it comes from sock_kmalloc, bounded by optmem_max.
  if (len > OPTMEM_MAX) return -ENOBUFS;
  const b = t.mm.copyIn(addr, len);
  if (b === null) return -EFAULT;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const rights: FileDescription[] = [];
  let cred: MessageCred | null = null;
  for (let off = 0; off + 16 <= len;) {
    const clen = Number(dv.getBigUint64(off, true));
    const level = dv.getInt32(off + 8, true), type = dv.getInt32(off + 12, true);
    if (clen < 16 || off + clen > len) return -EINVAL;
    if (level !== SOL_SOCKET) return -EINVAL;
    if (type === SCM_RIGHTS) {
      const n = Math.floor((clen - 16) / 4);
      if (rights.length + n > SCM_MAX_FD) return -EINVAL;
      for (let i = 0; i < n; i++) {
        const f = t.fdTable.get(dv.getInt32(off + 16 + i * 4, true));
        if (f === undefined) return -EBADF;
        rights.push(f);
      }
    } else if (type === SCM_CREDENTIALS) {
      if (clen < 16 + 12) return -EINVAL;
      const c = givenCred(t, dv.getInt32(off + 16, true), dv.getUint32(off + 20, true), dv.getUint32(off + 24, true));
      if (typeof c === 'number') return c;
      cred = c;
    } else {
      return -EINVAL;
    }
    off += (clen + 7) & ~7;
  }
  return { rights: rights.length > 0 ? rights : null, cred };
}

/** The common send; a blocking stream send goes on until all of it is sent, as write(2) to a pipe does. */
function send(t: Task, s: UnixSocket, views: Uint8Array[], total: number, flags: number, dest: UnixSocket | null,
  rights: FileDescription[] | null, given: MessageCred | null = null): number {
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  const to = dest ?? s.peer ?? s.target;
  // Descriptions in flight count against the sender's user and its RLIMIT_NOFILE, unless privileged (Linux's too_many_unix_fds).
  const privileged = t.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE) || t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN);
  const sender = { uid: t.creds.ruid, limit: privileged ? Infinity : t.tg.nofile };
  const cred = given ?? messageCredOf(t);
  return writeKeepingProgress(t, views, total, {
    // The descriptions go with the first piece only.
    step: (v, n, done) => s.send(to, v, n, done === 0 ? rights : null, done === 0 && rights !== null ? sender : null, cred),
    nonblock: (s.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0,
    whole: s.stream,
    sigpipe: (flags & MSG_NOSIGNAL) === 0,
    queues: to !== null ? [s.queue, to.queue] : [s.queue],
    timeoutMs: () => s.sndTimeoMs,
  });
}

/** The destination named by a sendto/sendmsg address, or -errno; null when none is named. */
function destOf(t: Task, s: UnixSocket, addr: number, len: number): UnixSocket | null | number {
  if (addr === 0 || len === 0) return null;
  if (s.type !== SOCK_DGRAM) return s.peer !== null ? -EISCONN : -EOPNOTSUPP;
  const a = readAddr(t, addr, len);
  if (typeof a === 'number') return a;
  if (a.family !== AF_UNIX) return -EINVAL;
  return lookupName(t, a, SOCK_DGRAM);
}

export function unixSendto(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const io = ioViews(t, r.arg(1), Math.min(r.arg(2), 0x7ffff000), false);
  if (typeof io === 'number') return io;
  const dest = destOf(t, s, r.arg(4), r.argInt(5));
  if (typeof dest === 'number') return dest;
  return send(t, s, io.views, io.total, r.argInt(3), dest, null);
}

/** One sendmsg of the message at hdr (a Unix socket's). */
export function unixSendmsg(t: Task, s: UnixSocket, hdr: number, flags: number): number {
  const m = readMsghdr(t, hdr, false);
  if (typeof m === 'number') return m;
  const control = parseControl(t, m.control, m.controllen);
  if (typeof control === 'number') return control;
  const dest = destOf(t, s, m.name, m.namelen);
  if (typeof dest === 'number') return dest;
  return send(t, s, m.views, m.total, flags, dest, control.rights, control.cred);
}

/** The common receive; fills the result's rights and address for recvmsg/recvfrom. */
function recv(t: Task, s: UnixSocket, views: Uint8Array[], total: number, flags: number) {
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  const res = s.recv(views, total, (flags & MSG_PEEK) !== 0, (flags & MSG_WAITALL) !== 0);
  if (res === WOULD_BLOCK) {
    if ((s.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0) return -EAGAIN;
    return waitIn(t, s);
  }
  return res;
}

export function unixRecvfrom(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const len = Math.min(r.arg(2), 0x7ffff000);
  const io = ioViews(t, r.arg(1), len, true);
  if (typeof io === 'number' && len > 0) return io;
  const flags = r.argInt(3);
  const res = recv(t, s, typeof io === 'number' ? [] : io.views, typeof io === 'number' ? 0 : io.total, flags);
  if (typeof res === 'number') return res;
  for (const f of res.rights ?? []) f.decRef();
  const e = putAddr(t, r.arg(4), r.arg(5), addrBytes(res.from));
  if (e < 0) return e;
  return flags & MSG_TRUNC && !s.stream ? res.full : res.n;
}

/** An SCM_CREDENTIALS message (28 bytes: a header and struct ucred) of cred, in the reader's pid and user namespaces. */
function credMessage(t: Task, cred: MessageCred | null): Uint8Array {
  const c = new Uint8Array(28);
  const cv = new DataView(c.buffer);
  cv.setBigUint64(0, 28n, true);
  cv.setInt32(8, SOL_SOCKET, true);
  cv.setInt32(12, SCM_CREDENTIALS, true);
  const ns = t.creds.userns;
  cv.setInt32(16, cred?.pid?.nr(t.pidns) ?? 0, true);
  cv.setUint32(20, cred === null ? OVERFLOW_ID : ns.mungedUid(cred.uid), true);
  cv.setUint32(24, cred === null ? OVERFLOW_ID : ns.mungedGid(cred.gid), true);
  return c;
}

/** One recvmsg into the message at hdr (a Unix socket's). */
export function unixRecvmsg(t: Task, s: UnixSocket, hdr: number, flags: number): number {
  const m = readMsghdr(t, hdr, true);
  if (typeof m === 'number') return m;
  const res = recv(t, s, m.views, m.total, flags);
  if (typeof res === 'number') return res;
  let outFlags = res.truncated ? MSG_TRUNC : 0;
  let controlUsed = 0;
  // With SO_PASSCRED, SCM_CREDENTIALS first (scm_recv's put_cmsg: cut to the room, MSG_CTRUNC if it is short).
  if (s.passcred) {
    const room = m.control === 0 ? 0 : m.controllen;
    if (room < 16) {
      outFlags |= MSG_CTRUNC;
    } else {
      const c = credMessage(t, res.cred);
      const cmlen = Math.min(c.length, room);
      if (cmlen < c.length) outFlags |= MSG_CTRUNC;
      new DataView(c.buffer).setBigUint64(0, BigInt(cmlen), true);
      if (copyOut(t, m.control, c.subarray(0, cmlen)) < 0) return -EFAULT;
      controlUsed = Math.min((cmlen + 7) & ~7, room);
    }
  }
  // The descriptions received become descriptors, as many as the control buffer can name.
  if (res.rights !== null) {
    const left = m.controllen - controlUsed;
    const room = m.control === 0 || left < 16 ? 0 : Math.floor((left - 16) / 4);
    const fit = Math.min(room, res.rights.length);
    if (fit < res.rights.length) outFlags |= MSG_CTRUNC;
    const fds: number[] = [];
    for (let i = 0; i < res.rights.length; i++) {
      const f = res.rights[i];
      if (i < fit) {
        const fd = t.fdTable.install(f, 0, (flags & MSG_CMSG_CLOEXEC) !== 0, t.tg.nofile);
        if (fd >= 0) fds.push(fd);
        else outFlags |= MSG_CTRUNC;
      }
      f.decRef();
    }
    if (fds.length > 0) {
      const c = new Uint8Array(16 + fds.length * 4);
      const cv = new DataView(c.buffer);
      cv.setBigUint64(0, BigInt(16 + fds.length * 4), true);
      cv.setInt32(8, SOL_SOCKET, true);
      cv.setInt32(12, SCM_RIGHTS, true);
      fds.forEach((fd, i) => cv.setInt32(16 + i * 4, fd, true));
      if (copyOut(t, m.control + controlUsed, c) < 0) return -EFAULT;
      controlUsed = Math.min(controlUsed + ((c.length + 7) & ~7), m.controllen);
    }
  }
  // msg_namelen, msg_controllen and msg_flags go back.
  const name = addrBytes(res.from);
  let namelen = 0;
  if (m.name !== 0 && m.namelen > 0) {
    if (copyOut(t, m.name, name.subarray(0, Math.min(m.namelen, name.length))) < 0) return -EFAULT;
    namelen = name.length;
  }
  const back = new Uint8Array(4);
  new DataView(back.buffer).setInt32(0, namelen, true);
  if (copyOut(t, hdr + 8, back) < 0) return -EFAULT;
  const cl = new Uint8Array(8);
  new DataView(cl.buffer).setBigUint64(0, BigInt(controlUsed), true);
  if (copyOut(t, hdr + 40, cl) < 0) return -EFAULT;
  new DataView(back.buffer).setInt32(0, outFlags, true);
  if (copyOut(t, hdr + 48, back) < 0) return -EFAULT;
  return flags & MSG_TRUNC && !s.stream ? res.full : res.n;
}

export function unixShutdown(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const how = r.argInt(1);
  if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) return -EINVAL;
  if (how !== SHUT_WR) s.shutRead = true;
  if (how !== SHUT_RD) s.shutWrite = true;
  s.queue.notify(EVENT_IN | EVENT_OUT);
  s.peer?.queue.notify(EVENT_IN | EVENT_OUT);
  return 0;
}

export function unixSetsockopt(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const level = r.argInt(1), opt = r.argInt(2), addr = r.arg(3), len = r.argInt(4);
  if (level !== SOL_SOCKET) return -ENOPROTOOPT;
  const sizes: Record<number, number> = {
    [SO_REUSEADDR]: 4, [SO_BROADCAST]: 4, [SO_SNDBUF]: 4, [SO_RCVBUF]: 4, [SO_SNDBUFFORCE]: 4, [SO_RCVBUFFORCE]: 4,
    [SO_KEEPALIVE]: 4, [SO_PASSCRED]: 4, [SO_RCVLOWAT]: 4, [SO_SNDLOWAT]: 4, [SO_LINGER]: 8, [SO_RCVTIMEO]: 16,
    [SO_SNDTIMEO]: 16,
  };
  const size = sizes[opt];
  if (size === undefined) return -ENOPROTOOPT;
  if (len < Math.min(size, 4)) return -EINVAL;
  const b = t.mm.copyIn(addr, Math.min(len, size));
  if (b === null) return -EFAULT;
  const v = new DataView(b.buffer).getInt32(0, true);
  switch (opt) {
    case SO_SNDBUF: case SO_SNDBUFFORCE:
      // Linux doubles the value for its bookkeeping and reports that.
      s.sndbuf = Math.max(4608, Math.min(v, 212992) * 2);
      return 0;
    case SO_RCVBUF: case SO_RCVBUFFORCE:
      s.rcvbuf = Math.max(2304, Math.min(v, 212992) * 2);
      return 0;
    case SO_PASSCRED:
      s.passcred = v !== 0;
      return 0;
    case SO_RCVTIMEO: case SO_SNDTIMEO: {
      // A struct timeval (sock_set_timeout): a bad tv_usec is EDOM; 0 is no timeout.
      if (len < 16) return -EINVAL;
      const ms = timevalOptionMs(b);
      if (ms < 0) return ms;
      if (opt === SO_RCVTIMEO) s.rcvTimeoMs = ms;
      else s.sndTimeoMs = ms;
      break;
    }
  }
  s.options.set(opt, b);
  return 0;
}

export function unixGetsockopt(t: Task, s: UnixSocket): number {
  const r = t.regs;
  const level = r.argInt(1), opt = r.argInt(2), addr = r.arg(3), lenp = r.arg(4);
  if (level !== SOL_SOCKET) return -ENOPROTOOPT;
  const int = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return b;
  };
  let val: Uint8Array;
  switch (opt) {
    case SO_TYPE: val = int(s.type); break;
    case SO_ERROR: val = int(0); break;
    case SO_SNDBUF: val = int(s.sndbuf); break;
    case SO_RCVBUF: val = int(s.rcvbuf); break;
    case SO_PASSCRED: val = int(s.passcred ? 1 : 0); break;
    case SO_ACCEPTCONN: val = int(s.listening ? 1 : 0); break;
    case SO_DOMAIN: val = int(AF_UNIX); break;
    case SO_PROTOCOL: val = int(0); break;
    case SO_PEERCRED: {
      // Not connected: Linux reports pid 0 and the overflow ids. Else the peer's, in the caller's
      // user and pid namespaces (cred_to_ucred; 0 for a peer outside the pid namespace).
      const c = s.peerCred;
      const ns = t.creds.userns;
      val = new Uint8Array(12);
      const dv = new DataView(val.buffer);
      dv.setInt32(0, c?.pid.nr(t.pidns) ?? 0, true);
      dv.setUint32(4, c === null ? OVERFLOW_ID : ns.mungedUid(c.uid), true);
      dv.setUint32(8, c === null ? OVERFLOW_ID : ns.mungedGid(c.gid), true);
      break;
    }
    case SO_REUSEADDR: case SO_BROADCAST: case SO_KEEPALIVE: case SO_RCVLOWAT: case SO_SNDLOWAT:
      val = s.options.get(opt) ?? int(opt === SO_RCVLOWAT || opt === SO_SNDLOWAT ? 1 : 0);
      break;
    case SO_LINGER:
      val = s.options.get(opt) ?? new Uint8Array(8);
      break;
    case SO_RCVTIMEO: case SO_SNDTIMEO:
      val = s.options.get(opt) ?? new Uint8Array(16);
      break;
    default:
      return -ENOPROTOOPT;
  }
  const lv = copyInStruct(t, lenp, 4);
  if (lv === null) return -EFAULT;
  const len = lv.getInt32(0, true);
  if (len < 0) return -EINVAL;
  const n = Math.min(len, val.length);
  if (copyOut(t, addr, val.subarray(0, n)) < 0) return -EFAULT;
  const nb = new Uint8Array(4);
  new DataView(nb.buffer).setInt32(0, n, true);
  return copyOut(t, lenp, nb) < 0 ? -EFAULT : 0;
}
