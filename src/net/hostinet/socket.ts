// An inet socket served by a host socket (gVisor pkg/sentry/socket/hostinet
// socket.go): AF_INET or AF_INET6, stream or datagram, and raw (with
// --net-raw, for a program with CAP_NET_RAW; its bind takes any port, as
// raw_bind, which ignores it); packet.ts's AF_PACKET sockets are these too,
// with their own address checks and options. The Sentry owns the host
// descriptor, made in the sandbox's network namespace, non-blocking; the
// program never holds it. Every call is made non-blocking on the host and
// blocking is the Sentry's: a call that would block parks the task on this
// file's wait queue (the host socket's edges reach it through lasting
// edge-triggered interests, one per direction, kernel/fdnotifier.ts), so
// signals interrupt it (ERESTARTSYS, or EINTR when a timeout is set, as
// Linux's sock_intr_errno) and SO_RCVTIMEO/SO_SNDTIMEO end it with EAGAIN
// (EINPROGRESS for connect). SIGPIPE is raised by the Sentry, the host is
// always asked with MSG_NOSIGNAL. Addresses reach the host only with an inet
// family (or AF_UNSPEC), options only from the allowlist of sockopt.ts.
//
// Differs from Linux: MSG_WAITALL with MSG_PEEK peeks once; receive
// control messages are the host's, as the host made them; when the
// Sentry has no host descriptor to spare for the writing side's interest,
// an EPOLLET waiter may see an extra edge when the host socket wakes for
// the other direction (never a missed one); the interface ioctls
// (SIOCGIF*) are net/dev_ioctl.ts's, as for every socket.

import { native } from '../../native.js';
import type { Task } from '../../kernel/task.js';
import { O_NONBLOCK, WOULD_BLOCK } from '../../vfs/file_description.js';
import type { IoctlIO } from '../../vfs/file_description.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, EVENT_RDHUP } from '../../sync/waiter.js';
import { SockfsFile } from '../../kernel/sockfs.js';
import { currentTask } from '../../kernel/current.js';
import { labelHostSocket, unlabelHostSocket } from './labels.js';
import { CAP_NET_BIND_SERVICE } from '../../abi/linux/capability.js';
import { dropPrefix } from '../../mm/io.js';
import { disarmHostFd, pumpHostEvents, watchHostFdEdges } from '../../kernel/fdnotifier.js';
import { SI_USER, sendSignal, userSiginfo } from '../../kernel/signals.js';
import {
  EACCES, EAFNOSUPPORT, EAGAIN, EALREADY, EFAULT, EINPROGRESS, EINVAL, EMFILE, ENFILE, ENOPROTOOPT, ENOTTY, EPIPE,
} from '../../abi/linux/errno.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, MSG_DONTWAIT, MSG_EOR, MSG_ERRQUEUE, MSG_MORE, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK,
  MSG_TRUNC, MSG_WAITALL, SOCKADDR_MAX, SOCKET, SOCK_RAW, SOCK_STREAM,
} from '../socket.js';
import type { Accepted, RecvMessage, Received, SendMessage, Socket } from '../socket.js';
import { SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO, optionSize, sendControlFor } from './sockopt.js';
import type { OptionTable } from './sockopt.js';

const POLLIN = 1, POLLOUT = 4;
const SIGPIPE = 13;
const FIONREAD = 0x541b, SIOCOUTQ = 0x5411;
const MSG_DONTROUTE = 4, MSG_CONFIRM = 0x800, MSG_FASTOPEN = 0x20000000;
/** What a send passes on to the host; MSG_DONTWAIT and MSG_NOSIGNAL are the addon's, always. */
const SEND_FLAGS = MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_CONFIRM | MSG_MORE | MSG_FASTOPEN;
/** What a receive passes on; MSG_WAITALL is the Sentry's (it loops), MSG_DONTWAIT the addon's. */
const RECV_FLAGS = MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_ERRQUEUE;
/** The most control bytes a receive asks the host for (Linux bounds them only by the caller's buffer). */
const CONTROL_MAX = 4096;

const recvOut = new Int32Array(3);
const nameBuf = new Uint8Array(SOCKADDR_MAX);

/** The smallest address of the family (sockaddr_in, or RFC 2133's sockaddr_in6). */
function minAddrLen(family: number): number {
  return family === AF_INET ? 16 : 24;
}

/** The sandbox's count of host descriptors and their bound (hostfs's HostFdBudget), which host sockets are charged to. */
export interface HostFdCount {
  open: number;
  max: number;
  /** Whether one more host descriptor fits (ENFILE otherwise), after what can be freed is (hostfs's HostFdBudget). */
  hasRoom(): boolean;
}

export class HostSocket extends SockfsFile implements Socket {
  readonly [SOCKET] = true as const;
  /** Whether the reading side's host events reach the queue (arm). */
  private watchedIn = false;
  /** The host fd whose edge-triggered interest carries the writing side's events (a dup of hostFd), or -1. */
  private outFd = -1;

  /** The host's inode of hostFd's socket, under which /proc/net finds the sandbox's label (labels.ts). */
  private readonly hostIno: number;

  /** hostFd is charged to hostFds from now on, until release. */
  constructor(protected readonly hostFd: number, readonly family: number, readonly type: number,
    readonly protocol: number, flags: number, private readonly hostFds: HostFdCount) {
    super(flags & O_NONBLOCK);
    hostFds.open++;
    // The owner /proc/net shows: who made it (an accepted one: who accepted it).
    this.hostIno = labelHostSocket(hostFd, this.ino, currentTask()?.creds.euid ?? 0);
  }

  get stream(): boolean {
    return this.type === SOCK_STREAM;
  }

  override get writesEmpty(): boolean {
    return !this.stream;
  }

  /** Host events of the reading side (data, the peer's shutdown, errors). */
  private readonly onIn = (_fd: number, revents: number): void => {
    let ev = EVENT_IN | (revents & (EVENT_HUP | EVENT_ERR | EVENT_RDHUP));
    if (revents & (EVENT_HUP | EVENT_ERR)) ev |= EVENT_OUT;
    this.queue.notify(ev);
  };

  /** Host events of the writing side (room, a finished connect, errors). */
  private readonly onOut = (_fd: number, revents: number): void => {
    let ev = EVENT_OUT | (revents & (EVENT_HUP | EVENT_ERR));
    if (revents & (EVENT_HUP | EVENT_ERR)) ev |= EVENT_IN;
    this.queue.notify(ev);
  };

  /**
   * Makes sure the host socket's events for the directions waited on
   * (POLLIN, POLLOUT) reach this file's queue, made the first time anyone
   * waits on each (a socket nobody waits on costs the event loop nothing).
   * Each direction has a lasting edge-triggered interest of its own, the
   * writing side's on a duplicate of the host fd (epoll keys interests by
   * descriptor), so that a wake-up of one side is never taken for an edge
   * of the other, as Linux's epoll tells them apart by the wake-up's key.
   */
  private arm(events: number): void {
    if ((events & POLLIN) !== 0 && !this.watchedIn) {
      if (watchHostFdEdges(this.hostFd, POLLIN | EVENT_RDHUP, this.onIn) < 0) return this.unwatchable();
      this.watchedIn = true;
    }
    if ((events & POLLOUT) !== 0 && this.outFd < 0) {
      const d = this.hostFds.open < this.hostFds.max ? native.dup(this.hostFd) : -1;
      if (d < 0) {
        // No descriptor to spare: the reading side's interest takes the writing side's events too.
        if (watchHostFdEdges(this.hostFd, POLLIN | POLLOUT | EVENT_RDHUP, (fd, rev) => {
          this.onIn(fd, rev);
          this.onOut(fd, rev);
        }) < 0) return this.unwatchable();
        this.watchedIn = true;
        this.outFd = this.hostFd;
        return;
      }
      this.hostFds.open++;
      this.outFd = d;
      if (watchHostFdEdges(d, POLLOUT, this.onOut) < 0) return this.unwatchable();
    }
  }

  /** Cannot be watched: the waiters look again at once rather than never. */
  private unwatchable(): void {
    setImmediate(() => this.queue.notify(EVENT_IN | EVENT_OUT));
  }

  /**
   * Parks t until the host socket is ready for events, within timeoMs of
   * the call's start (0: no timeout): BLOCK, or -EAGAIN once the time is up.
   */
  private wait(t: Task, events: number, timeoMs: number): number {
    const deadline = t.timedWaitDeadline(timeoMs);
    if (deadline === -1) return -EAGAIN;
    this.arm(events);
    return t.block([this.queue], events === POLLIN ? EVENT_IN : EVENT_OUT, deadline);
  }

  private nonblocking(flags: number): boolean {
    return (this.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0;
  }

  /** The options the host is asked about (sockopt.ts's inet table unless a subclass has its own); undefined: the inet one. */
  protected get optionTable(): OptionTable | undefined {
    return undefined;
  }

  /** A send's control messages as the host is given them (sockopt.ts's sendControlFor), or -errno. */
  protected sendControl(c: Uint8Array): Uint8Array | null | number {
    return sendControlFor(c, this.stream);
  }

  /** An address the host may be given: an inet family or AF_UNSPEC (the host judges the rest), else Linux's error. */
  protected checkAddr(a: Uint8Array): number {
    if (a.length < 2) return 0;
    const fam = a[0] | (a[1] << 8);
    if (fam === AF_UNSPEC || fam === AF_INET || fam === AF_INET6) return 0;
    return a.length < minAddrLen(this.family) ? -EINVAL : -EAFNOSUPPORT;
  }

  bind(t: Task, addr: Uint8Array): number {
    const e = this.checkAddr(addr);
    if (e < 0) return e;
    // inet_bind: a port below ip_unprivileged_port_start (1024) wants CAP_NET_BIND_SERVICE (the
    // Sentry keeps it for the host's bind, so the program's own is checked here); a raw
    // socket's bind (raw_bind, rawv6_bind) ignores the port.
    if (addr.length >= 4 && this.type !== SOCK_RAW) {
      const port = (addr[2] << 8) | addr[3];
      if (port !== 0 && port < 1024 && !t.creds.hasCapabilityInRoot(CAP_NET_BIND_SERVICE)) return -EACCES;
    }
    return native.sockBind(this.hostFd, addr);
  }

  listen(t: Task, backlog: number): number {
    return native.sockListen(this.hostFd, backlog);
  }

  accept(t: Task, flags: number): Accepted | number {
    if (!this.hostFds.hasRoom()) return -ENFILE;
    const out = new Int32Array(1);
    const fd = native.sockAccept(this.hostFd, nameBuf, out);
    if (fd === -EAGAIN) return this.nonblocking(0) ? -EAGAIN : this.wait(t, POLLIN, this.rcvTimeoMs);
    if (fd < 0) return fd === -EMFILE ? -ENFILE : fd;
    const file = new HostSocket(fd, this.family, this.type, this.protocol, flags, this.hostFds);
    return { file, addr: nameBuf.slice(0, Math.min(out[0], SOCKADDR_MAX)) };
  }

  connect(t: Task, addr: Uint8Array): number {
    const e = this.checkAddr(addr);
    if (e < 0) return e;
    const r = native.sockConnect(this.hostFd, addr);
    if ((r !== -EINPROGRESS && r !== -EALREADY) || this.nonblocking(0)) return r;
    // A blocking connect waits for the handshake; asked again, the host says how it ended.
    const st = t.syscallState ?? (t.syscallState = {});
    if (st.connectErr === undefined) st.connectErr = r;
    const w = this.wait(t, POLLOUT, this.sndTimeoMs);
    return w === -EAGAIN ? (st.connectErr as number) : w;
  }

  name(t: Task, peer: boolean): Uint8Array | number {
    const n = native.sockName(this.hostFd, peer, nameBuf);
    return n < 0 ? n : nameBuf.slice(0, Math.min(n, SOCKADDR_MAX));
  }

  shutdown(t: Task, how: number): number {
    return native.sockShutdown(this.hostFd, how);
  }

  sendmsg(t: Task, m: SendMessage, flags: number): number {
    const control = m.control === null ? null : this.sendControl(m.control);
    if (typeof control === 'number') return control;
    const st = t.syscallState;
    // A blocking TCP Fast Open send that waited for its connect sends as any other now.
    if (st?.fastOpen === true) flags &= ~MSG_FASTOPEN;
    // A stream socket ignores the address (Linux's tcp_sendmsg does), but for a TCP Fast Open connect.
    let to = this.stream && (flags & MSG_FASTOPEN) === 0 ? null : m.to;
    // An IPv4 raw socket takes an address of length 0 for none (raw_sendmsg tests msg_namelen, not msg_name).
    if (to !== null && to.length === 0 && this.type === SOCK_RAW && this.family === AF_INET) to = null;
    if (to !== null) {
      // sendto's address of length 0 is still one (msg_name set): too short for any datagram socket.
      if (to.length < 2) return -EINVAL;
      const e = this.checkAddr(to);
      if (e < 0) return e;
    }
    let done = typeof st?.partial === 'number' ? st.partial : 0;
    for (;;) {
      const r = native.sockSendmsg(this.hostFd, dropPrefix(m.views, done), to, done === 0 ? control : null,
        flags & SEND_FLAGS);
      if (r === -EPIPE) {
        if (done > 0) return done;
        if ((flags & MSG_NOSIGNAL) === 0) sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
        return r;
      }
      if (r === -EINPROGRESS && (flags & MSG_FASTOPEN) !== 0 && !this.nonblocking(flags)) {
        // The host's non-blocking Fast Open connect sent a SYN without the data: wait for the connect, as a blocking one does.
        (t.syscallState ?? (t.syscallState = {})).fastOpen = true;
        const w = this.wait(t, POLLOUT, this.sndTimeoMs);
        return w === -EAGAIN ? -EINPROGRESS : w;
      }
      if (r === -EAGAIN) {
        if (this.nonblocking(flags)) return done > 0 ? done : r;
        if (done > 0) (t.syscallState ?? (t.syscallState = {})).partial = done;
        const w = this.wait(t, POLLOUT, this.sndTimeoMs);
        return w === -EAGAIN && done > 0 ? done : w;
      }
      if (r < 0) return done > 0 ? done : r;
      done += r;
      if (!this.stream || done >= m.total) return done;
    }
  }

  recvmsg(t: Task, m: RecvMessage, flags: number): Received | number {
    const waitAll = (flags & MSG_WAITALL) !== 0 && this.stream && (flags & MSG_PEEK) === 0;
    const st = t.syscallState;
    let done = waitAll && typeof st?.partial === 'number' ? st.partial : 0;
    const control = m.controlLen > 0 ? new Uint8Array(Math.min(m.controlLen, CONTROL_MAX)) : null;
    for (;;) {
      const r = native.sockRecvmsg(this.hostFd, dropPrefix(m.views, done), nameBuf, control, flags & RECV_FLAGS, recvOut);
      if (r === -EAGAIN) {
        // The error queue is never waited on (Linux returns EAGAIN).
        if (this.nonblocking(flags) || (flags & MSG_ERRQUEUE) !== 0) return done > 0 ? this.received(done, control) : r;
        if (done > 0) (t.syscallState ?? (t.syscallState = {})).partial = done;
        const w = this.wait(t, POLLIN, this.rcvTimeoMs);
        return w === -EAGAIN && done > 0 ? this.received(done, control) : w;
      }
      if (r < 0) return done > 0 ? this.received(done, control) : r;
      done += r;
      if (!waitAll || r === 0 || done >= m.total) return this.received(done, control);
    }
  }

  /** The result of a receive from the addon's last answer (recvOut, nameBuf). */
  private received(n: number, control: Uint8Array | null): Received {
    const namelen = Math.min(recvOut[0], SOCKADDR_MAX);
    const clen = control === null ? 0 : Math.min(recvOut[1], control.length);
    return {
      n, from: nameBuf.slice(0, namelen), control: control === null ? new Uint8Array(0) : control.subarray(0, clen),
      flags: recvOut[2],
    };
  }

  getsockopt(t: Task, level: number, name: number, optlen: number): Uint8Array | number {
    const size = optionSize(level, name, false, this.optionTable);
    if (size === 0) return -ENOPROTOOPT;
    const buf = new Uint8Array(Math.min(optlen, size));
    const n = native.sockGetsockopt(this.hostFd, level, name, buf);
    return n < 0 ? n : buf.subarray(0, Math.min(n, buf.length));
  }

  setsockopt(t: Task, level: number, name: number, optlen: number, read: (n: number) => Uint8Array | null): number {
    const size = optionSize(level, name, true, this.optionTable);
    if (size === 0) return -ENOPROTOOPT;
    const v = read(Math.min(optlen, size));
    if (v === null) return -EFAULT;
    const r = native.sockSetsockopt(this.hostFd, level, name, v);
    if (r === 0 && level === SOL_SOCKET && (name === SO_RCVTIMEO || name === SO_SNDTIMEO)) {
      // The Sentry times the calls: it keeps the value as the host rounded it.
      const tv = new Uint8Array(16);
      const dv = new DataView(tv.buffer);
      const ms = native.sockGetsockopt(this.hostFd, level, name, tv) === 16
        ? Number(dv.getBigInt64(0, true)) * 1000 + Math.ceil(Number(dv.getBigInt64(8, true)) / 1000) : 0;
      if (name === SO_RCVTIMEO) this.rcvTimeoMs = ms;
      else this.sndTimeoMs = ms;
    }
    return r;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    void offset;
    const r = native.sockRecvmsg(this.hostFd, dsts, null, null, 0, recvOut);
    if (r === -EAGAIN) {
      this.arm(POLLIN);
      return WOULD_BLOCK;
    }
    return r;
  }

  override write(srcs: Uint8Array[], total: number): number {
    const r = native.sockSendmsg(this.hostFd, srcs, null, null, 0);
    if (r === -EAGAIN) {
      this.arm(POLLOUT);
      return WOULD_BLOCK;
    }
    return r;
  }

  override readiness(mask: number): number {
    const p = native.poll1(this.hostFd, mask & 0x2007, 0);
    if (p <= 0) return 0;
    // Ready: the host's edges that led here are heard of first (an EPOLLET
    // waiter is told of them once, now, not again when the event loop runs).
    if (this.watchedIn || this.outFd >= 0) pumpHostEvents();
    return p & (mask | EVENT_HUP | EVENT_ERR);
  }

  override armReadiness(mask: number): void {
    // Errors and hang-ups, which every waiter hears of, come with the reading side's interest.
    this.arm(POLLIN | (mask & EVENT_OUT ? POLLOUT : 0));
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    if (req !== FIONREAD && req !== SIOCOUTQ) return -ENOTTY;
    const v = native.sockIoctlInt(this.hostFd, req);
    if (v < 0) return v;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return io.copyOut(arg, b) < 0 ? -EFAULT : 0;
  }

  override release(): void {
    if (this.outFd >= 0 && this.outFd !== this.hostFd) {
      disarmHostFd(this.outFd);
      native.close(this.outFd);
      this.hostFds.open--;
    }
    disarmHostFd(this.hostFd);
    unlabelHostSocket(this.hostIno);
    native.close(this.hostFd);
    this.hostFds.open--;
  }
}
