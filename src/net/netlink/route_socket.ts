// An AF_NETLINK NETLINK_ROUTE socket (gVisor pkg/sentry/socket/netlink and
// netlink/route; Linux's af_netlink.c and rtnetlink.c), served by the
// Sentry itself: the kernel side of rtnetlink answers from the sandbox's
// RouteConfig, the host never sees the program's requests.
//
// - bind and autobind give the socket a port id (the caller's tgid first,
//   then negative ones from -4096, as netlink_autobind), unique in the
//   sandbox; groups may be joined (NETLINK_ROUTE lets any user listen).
// - A request is a datagram of messages walked as netlink_rcv_skb walks
//   them: non-requests and control types are acknowledged when they ask;
//   RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE and RTM_GETNEIGH with NLM_F_DUMP
//   are dumped (filtered by the family in the request's first byte, as the
//   dumpers do), RTM_GETLINK without it finds one link by index or
//   IFLA_IFNAME (ENODEV otherwise); every change (RTM_NEW*, RTM_DEL*,
//   RTM_SET*) is EPERM without CAP_NET_ADMIN. Errors and NLM_F_ACK get an
//   NLMSG_ERROR, with the request echoed unless NETLINK_CAP_ACK.
// - A dump is made as the program reads it, as netlink_dump: its first
//   datagram at the request, the next whenever a receive leaves at most
//   half of SO_RCVBUF queued; each holds as many whole messages as fit in
//   the reader's largest buffer so far (at least NLMSG_GOODSIZE, at most
//   32 KiB), and NLMSG_DONE comes alone after them; a reader with a small
//   buffer gets MSG_TRUNC, as on Linux.
// - Another socket's port id is a destination too: datagrams are queued
//   for it within its SO_RCVBUF (EAGAIN past it, as netlink_unicast gives
//   a non-blocking sender). The kernel side's replies are always queued: a
//   dump is made only as it is read, so they stay small.
//
// Differs from Linux: changes are refused with EOPNOTSUPP even with
// CAP_NET_ADMIN (the sandbox's configuration is a snapshot:
// route_config.ts), so no multicast notification is ever sent; RTM_GETROUTE
// without NLM_F_DUMP (a route lookup, `ip route get`) is served for IPv4
// only (route_lookup.ts), RTM_GETADDR and RTM_GETNEIGH without it are
// EOPNOTSUPP; NETLINK_EXT_ACK is kept but
// errors carry no extended attributes (the Sentry has no messages to add);
// strict checking (NETLINK_GET_STRICT_CHK) filters dumps by family only.

import type { Task } from '../../kernel/task.js';
import { currentTask } from '../../kernel/current.js';
import { O_NONBLOCK, WOULD_BLOCK } from '../../vfs/file_description.js';
import { EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import { SockfsFile, timevalOptionMs } from '../../kernel/sockfs.js';
import { copyToViews } from '../../mm/io.js';
import { CAP_NET_ADMIN, CAP_NET_BROADCAST } from '../../abi/linux/capability.js';
import {
  EADDRINUSE, EAGAIN, EBUSY, ECONNREFUSED, EFAULT, EINVAL, EMSGSIZE, ENODATA, ENODEV, ENOPROTOOPT, ENOTTY, EOPNOTSUPP, EPERM,
} from '../../abi/linux/errno.js';
import { AF_INET, AF_NETLINK, AF_UNSPEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, SOCKET } from '../socket.js';
import type { Accepted, RecvMessage, Received, SendMessage, Socket } from '../socket.js';
import {
  IFLA_IFNAME, NLMSG_DONE, NLMSG_MIN_TYPE, NLM_F_ACK, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST, RTM_BASE, RTM_GETADDR, RTM_GETLINK,
  RTM_GETNEIGH, RTM_GETROUTE, RTM_MAX, RTM_NEWROUTE, ackMessage, attrString, attributes, encode, messages, u32le,
} from './message.js';
import type { NlMsg } from './message.js';
import { IFINFOMSG_LEN, RouteConfig } from './route_config.js';
import { lookupRoute4 } from './route_lookup.js';
import type { RouteObject } from './route_config.js';

export const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1, SOL_NETLINK = 270;
const SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PASSCRED = 16, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21,
  SO_PROTOCOL = 38, SO_DOMAIN = 39, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;
const NETLINK_ADD_MEMBERSHIP = 1, NETLINK_DROP_MEMBERSHIP = 2, NETLINK_PKTINFO = 3, NETLINK_BROADCAST_ERROR = 4,
  NETLINK_NO_ENOBUFS = 5, NETLINK_LISTEN_ALL_NSID = 8, NETLINK_LIST_MEMBERSHIPS = 9, NETLINK_CAP_ACK = 10,
  NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;
/** rtnetlink's multicast groups (RTNLGRP_MAX in Linux 6.1). */
const RTNLGRP_MAX = 0x25;
/** net.core.rmem_default and wmem_default; SO_*BUF doubles what it is given, as Linux, within these bounds. */
const BUF_DEFAULT = 212992, BUF_MIN = 2304, BUF_MAX = 212992 * 2;
/** A dump datagram's least size (NLMSG_GOODSIZE on 4 KiB pages) and most (netlink_dump's 32 KiB). */
const DUMP_MIN = 3776, DUMP_MAX = 32768;
const SOCKADDR_NL_LEN = 12;

/** The port ids in use in the sandbox (one Sentry is one kernel), and the socket each names. */
const ports = new Map<number, NetlinkRouteSocket>();
let rover = -4096;

/** A sockaddr_nl: family, port id, groups (the first 32). */
function sockaddrNl(pid: number, groups: number): Uint8Array {
  const b = new Uint8Array(SOCKADDR_NL_LEN);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_NETLINK, true);
  dv.setUint32(4, pid >>> 0, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
}

/** What a sockaddr_nl says, checked as netlink_bind and netlink_sendmsg check it; -errno otherwise. */
function readSockaddrNl(a: Uint8Array): { pid: number; groups: number } | number {
  if (a.length < SOCKADDR_NL_LEN) return -EINVAL;
  const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
  if (dv.getUint16(0, true) !== AF_NETLINK) return -EINVAL;
  return { pid: dv.getInt32(4, true), groups: dv.getUint32(8, true) };
}

/** A datagram waiting to be read: its bytes and who sent it (0: the kernel side). */
interface Datagram {
  data: Uint8Array;
  from: number;
}

/** A dump in progress: what is left to send and to whom it answers. */
interface Dump {
  objects: RouteObject[];
  next: number;
  seq: number;
}

export class NetlinkRouteSocket extends SockfsFile implements Socket {
  readonly [SOCKET] = true as const;
  readonly family = AF_NETLINK;
  readonly protocol = NETLINK_ROUTE;
  /** 0 until bound (explicitly, or by the first send or connect). */
  private portid = 0;
  /** Joined multicast groups, a bit each (group g is bit g-1). */
  private groups = 0n;
  private dstPid = 0;
  private dstGroup = 0;
  private readonly inbox: Datagram[] = [];
  private queued = 0;
  /** The dump under way: one at a time (netlink_dump_start's EBUSY). */
  private dump: Dump | null = null;
  private maxRecvLen = 0;
  private rcvbuf = BUF_DEFAULT;
  private sndbuf = BUF_DEFAULT;
  private readonly bools = new Map<number, boolean>();

  constructor(private readonly config: RouteConfig, readonly type: number, flags: number) {
    super(flags & O_NONBLOCK);
  }

  /** Datagrams: a write is one message, whole or not at all. */
  get stream(): boolean {
    return false;
  }

  override get writesEmpty(): boolean {
    return true;
  }

  private flag(opt: number): boolean {
    return this.bools.get(opt) === true;
  }

  /** netlink_autobind: the caller's tgid if free, else the next free negative id. */
  private autobind(t: Task): void {
    if (this.portid !== 0) return;
    let id = t.tg.tgidPid.vnr;
    if (id <= 0 || ports.has(id)) {
      do {
        id = rover--;
        if (rover < -0x7fffffff) rover = -4096;
      } while (ports.has(id));
    }
    this.portid = id;
    ports.set(id, this);
  }

  bind(t: Task, addr: Uint8Array): number {
    const a = readSockaddrNl(addr);
    if (typeof a === 'number') return a;
    // netlink_bind: a bound socket keeps its port id (another one, 0 included, is EINVAL).
    if (this.portid !== 0) {
      if (a.pid !== this.portid) return -EINVAL;
    } else if (a.pid !== 0) {
      if (ports.has(a.pid)) return -EADDRINUSE;
      this.portid = a.pid;
      ports.set(a.pid, this);
    } else {
      this.autobind(t);
    }
    // NETLINK_ROUTE lets any user receive its groups (NL_CFG_F_NONROOT_RECV).
    this.groups = BigInt(a.groups) | (this.groups & ~0xffffffffn);
    return 0;
  }

  listen(): number {
    return -EOPNOTSUPP;
  }

  accept(): Accepted | number {
    return -EOPNOTSUPP;
  }

  connect(t: Task, addr: Uint8Array): number {
    if (addr.length >= 2 && (addr[0] | (addr[1] << 8)) === AF_UNSPEC) {
      this.dstPid = 0;
      this.dstGroup = 0;
      return 0;
    }
    const a = readSockaddrNl(addr);
    if (typeof a === 'number') return a;
    // A user port or a group as the peer is for those allowed to send there (rtnetlink: CAP_NET_ADMIN).
    if ((a.groups !== 0 || a.pid !== 0) && !t.creds.hasCapabilityInRoot(CAP_NET_ADMIN)) return -EPERM;
    this.autobind(t);
    this.dstPid = a.pid;
    this.dstGroup = a.groups;
    return 0;
  }

  name(t: Task, peer: boolean): Uint8Array {
    if (peer) return sockaddrNl(this.dstPid, this.dstGroup);
    return sockaddrNl(this.portid, Number(this.groups & 0xffffffffn));
  }

  shutdown(): number {
    // netlink's proto_ops has no shutdown (sock_no_shutdown).
    return -EOPNOTSUPP;
  }

  sendmsg(t: Task, m: SendMessage): number {
    let dstPid = this.dstPid, dstGroup = this.dstGroup;
    if (m.to !== null && m.to.length > 0) {
      const a = readSockaddrNl(m.to);
      if (typeof a === 'number') return a;
      dstPid = a.pid;
      dstGroup = a.groups;
      if ((dstGroup !== 0 || dstPid !== 0) && !t.creds.hasCapabilityInRoot(CAP_NET_ADMIN)) return -EPERM;
    }
    if (m.total > this.sndbuf - 32) return -EMSGSIZE;
    // An empty datagram is refused (Linux 6.x's netlink_sendmsg), whoever it is for.
    if (m.total === 0) return -ENODATA;
    this.autobind(t);
    const data: Uint8Array = Buffer.concat(m.views, m.total);
    if (dstPid !== 0) {
      // To another socket of the sandbox (netlink_unicast to a user port).
      const peer = ports.get(dstPid);
      if (peer === undefined || peer === this) return peer === this ? this.deliver({ data, from: this.portid }, m.total) : -ECONNREFUSED;
      return peer.deliver({ data, from: this.portid }, m.total);
    }
    this.serve(t, data);
    return m.total;
  }

  /** Queues a datagram sent by another socket: its length, or EAGAIN when the receiver's buffer is full. */
  private deliver(d: Datagram, n: number): number {
    if (this.queued + d.data.length > this.rcvbuf) return -EAGAIN;
    this.push(d);
    return n;
  }

  private push(d: Datagram): void {
    this.inbox.push(d);
    this.queued += d.data.length;
    this.queue.notify(EVENT_IN);
  }

  /** rtnetlink_rcv: each message of the datagram in turn. */
  private serve(t: Task, data: Uint8Array): void {
    for (const msg of messages(data)) {
      let err = 0;
      let dumped = false;
      if ((msg.flags & NLM_F_REQUEST) !== 0 && msg.type >= NLMSG_MIN_TYPE) {
        const r = this.request(t, msg);
        if (r === 'dump') dumped = true;
        else err = r;
      }
      // netlink_rcv_skb: an error, or an ack asked for, gets an NLMSG_ERROR (a dump ends with NLMSG_DONE instead).
      if (!dumped && (err !== 0 || (msg.flags & NLM_F_ACK) !== 0)) {
        this.push({ data: ackMessage(msg, -err, this.portid, this.flag(NETLINK_CAP_ACK)), from: 0 });
      }
    }
  }

  /** rtnetlink_rcv_msg: 'dump' once a dump is under way, else 0 or -errno. */
  private request(t: Task, msg: NlMsg): number | 'dump' {
    if (msg.type > RTM_MAX) return -EOPNOTSUPP;
    const kind = (msg.type - RTM_BASE) & 3;
    // The family is the first byte of every rtnetlink request (struct rtgenmsg).
    if (msg.payload.length < 1) return -EINVAL;
    if (kind !== 2) return t.creds.hasCapabilityInRoot(CAP_NET_ADMIN) ? -EOPNOTSUPP : -EPERM;
    const family = msg.payload[0];
    const c = this.config;
    const pick = (list: RouteObject[]) => (family === AF_UNSPEC ? list : list.filter((o) => RouteConfig.family(o) === family));
    if ((msg.flags & NLM_F_DUMP) === NLM_F_DUMP) {
      let objects: RouteObject[];
      switch (msg.type) {
        case RTM_GETLINK: objects = c.links; break;
        case RTM_GETADDR: objects = pick(c.addrs); break;
        case RTM_GETROUTE: objects = pick(c.routes); break;
        case RTM_GETNEIGH: objects = pick(c.neighbours); break;
        default: return -EOPNOTSUPP;
      }
      if (this.dump !== null) return -EBUSY;
      this.dump = { objects, next: 0, seq: msg.seq };
      this.dumpMore();
      return 'dump';
    }
    if (msg.type === RTM_GETROUTE) {
      // A lookup (ip route get): IPv4 only (route_lookup.ts).
      if (family !== AF_INET) return -EOPNOTSUPP;
      const r = lookupRoute4(c, msg.payload, t.creds.nsRuid);
      if (typeof r === 'number') return r;
      this.push({ data: encode(RTM_NEWROUTE, 0, msg.seq, this.portid, r), from: 0 });
      return 0;
    }
    if (msg.type !== RTM_GETLINK) return -EOPNOTSUPP;
    // rtnl_getlink: by index, else by IFLA_IFNAME.
    if (msg.payload.length < IFINFOMSG_LEN) return -EINVAL;
    const index = new DataView(msg.payload.buffer, msg.payload.byteOffset).getInt32(4, true);
    let link = index > 0 ? c.link(index) : undefined;
    if (index <= 0) {
      const name = attributes(msg.payload, IFINFOMSG_LEN)?.get(IFLA_IFNAME);
      if (name === undefined) return -EINVAL;
      link = c.linkByName(attrString(name));
    }
    if (link === undefined) return -ENODEV;
    this.push({ data: encode(link.type, 0, msg.seq, this.portid, link.payload), from: 0 });
    return 0;
  }

  /** netlink_dump: the next datagram of the dump, sized by the reader's largest buffer. */
  private dumpMore(): void {
    const d = this.dump;
    if (d === null) return;
    const room = Math.max(DUMP_MIN, Math.min(this.maxRecvLen, DUMP_MAX));
    const parts: Uint8Array[] = [];
    let size = 0;
    while (d.next < d.objects.length) {
      const o = d.objects[d.next];
      const m = encode(o.type, NLM_F_MULTI, d.seq, this.portid, o.payload);
      // A message larger than the room still goes, alone (as Linux allocates for it).
      if (size > 0 && size + m.length > room) break;
      parts.push(m);
      size += m.length;
      d.next++;
    }
    // NLMSG_DONE goes alone, once a turn finds nothing more to dump (netlink_dump's dump returning 0).
    if (size === 0) {
      parts.push(encode(NLMSG_DONE, NLM_F_MULTI, d.seq, this.portid, u32le(0)));
      size = parts[0].length;
      this.dump = null;
    }
    this.push({ data: Buffer.concat(parts, size), from: 0 });
  }

  private nonblocking(flags: number): boolean {
    return (this.flags & O_NONBLOCK) !== 0 || (flags & MSG_DONTWAIT) !== 0;
  }

  /** Parks t until a datagram comes, within SO_RCVTIMEO of the call's start: BLOCK, or -EAGAIN once the time is up. */
  private wait(t: Task): number {
    const deadline = t.timedWaitDeadline(this.rcvTimeoMs);
    return deadline === -1 ? -EAGAIN : t.block([this.queue], EVENT_IN, deadline);
  }

  recvmsg(t: Task, m: RecvMessage, flags: number): Received | number {
    this.maxRecvLen = Math.max(this.maxRecvLen, Math.min(m.total, DUMP_MAX));
    if (this.inbox.length === 0) this.dumpMore();
    const d = this.inbox[0];
    if (d === undefined) return this.nonblocking(flags) ? -EAGAIN : this.wait(t);
    const copied = copyToViews(d.data, m.views);
    let msgFlags = copied < d.data.length ? MSG_TRUNC : 0;
    if ((flags & MSG_PEEK) === 0) {
      this.inbox.shift();
      this.queued -= d.data.length;
      if (this.queued <= this.rcvbuf / 2) this.dumpMore();
    }
    let control: Uint8Array = new Uint8Array(0);
    if (this.flag(NETLINK_PKTINFO)) {
      // struct nl_pktinfo: the group it came to (0: unicast), in a cmsghdr (len, SOL_NETLINK, NETLINK_PKTINFO).
      if (m.controlLen >= 20) {
        control = new Uint8Array(24);
        const dv = new DataView(control.buffer);
        dv.setBigUint64(0, 20n, true);
        dv.setInt32(8, SOL_NETLINK, true);
        dv.setInt32(12, NETLINK_PKTINFO, true);
        control = control.subarray(0, Math.min(24, m.controlLen));
      } else {
        msgFlags |= MSG_CTRUNC;
      }
    }
    return { n: (flags & MSG_TRUNC) !== 0 ? d.data.length : copied, from: sockaddrNl(d.from, 0), control, flags: msgFlags };
  }

  getsockopt(t: Task, level: number, name: number, optlen: number): Uint8Array | number {
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_TYPE: return u32le(this.type);
        case SO_DOMAIN: return u32le(AF_NETLINK);
        case SO_PROTOCOL: return u32le(NETLINK_ROUTE);
        case SO_ERROR: return u32le(0);
        case SO_RCVBUF: return u32le(this.rcvbuf);
        case SO_SNDBUF: return u32le(this.sndbuf);
        case SO_PASSCRED: return u32le(this.bools.get(-SO_PASSCRED) === true ? 1 : 0);
        case SO_RCVTIMEO: case SO_SNDTIMEO: {
          const ms = name === SO_RCVTIMEO ? this.rcvTimeoMs : this.sndTimeoMs;
          const b = new Uint8Array(16);
          const dv = new DataView(b.buffer);
          dv.setBigInt64(0, BigInt(Math.floor(ms / 1000)), true);
          dv.setBigInt64(8, BigInt((ms % 1000) * 1000), true);
          return b;
        }
        default: return -ENOPROTOOPT;
      }
    }
    if (level !== SOL_NETLINK) return -ENOPROTOOPT;
    switch (name) {
      case NETLINK_PKTINFO: case NETLINK_BROADCAST_ERROR: case NETLINK_NO_ENOBUFS: case NETLINK_LISTEN_ALL_NSID:
      case NETLINK_CAP_ACK: case NETLINK_EXT_ACK: case NETLINK_GET_STRICT_CHK:
        // netlink_getsockopt: an int, and optlen must hold one.
        if (optlen < 4) return -EINVAL;
        return u32le(this.flag(name) ? 1 : 0);
      case NETLINK_LIST_MEMBERSHIPS: {
        // As many u32 words of the group bitmap as fit; Linux sets optlen to the full size.
        const words = Math.ceil(RTNLGRP_MAX / 32);
        const b = new Uint8Array(words * 4);
        const dv = new DataView(b.buffer);
        for (let i = 0; i < words; i++) dv.setUint32(i * 4, Number((this.groups >> BigInt(i * 32)) & 0xffffffffn), true);
        return b;
      }
      default: return -ENOPROTOOPT;
    }
  }

  setsockopt(t: Task, level: number, name: number, optlen: number, read: (n: number) => Uint8Array | null): number {
    const int = (): number | null => {
      const v = read(4);
      return v === null ? null : new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true);
    };
    if (level === SOL_SOCKET) {
      switch (name) {
        case SO_RCVBUF: case SO_SNDBUF: case SO_RCVBUFFORCE: case SO_SNDBUFFORCE: {
          if (optlen < 4) return -EINVAL;
          if ((name === SO_RCVBUFFORCE || name === SO_SNDBUFFORCE) && !t.creds.hasCapabilityInRoot(CAP_NET_ADMIN)) return -EPERM;
          const v = int();
          if (v === null) return -EFAULT;
          // sock_setsockopt: doubled, within [min, 2 * rmem_max] (the FORCE forms skip the maximum).
          const max = name === SO_RCVBUFFORCE || name === SO_SNDBUFFORCE ? 0x7ffffffe : BUF_MAX;
          const size = Math.max(BUF_MIN, Math.min(Math.max(v, 0) * 2, max));
          if (name === SO_RCVBUF || name === SO_RCVBUFFORCE) this.rcvbuf = size;
          else this.sndbuf = size;
          return 0;
        }
        case SO_PASSCRED: {
          if (optlen < 4) return -EINVAL;
          const v = int();
          if (v === null) return -EFAULT;
          // Kept for getsockopt; the kernel side's replies carry no credentials to pass (they are the kernel's).
          this.bools.set(-SO_PASSCRED, v !== 0);
          return 0;
        }
        case SO_RCVTIMEO: case SO_SNDTIMEO: {
          if (optlen < 16) return -EINVAL;
          const v = read(16);
          if (v === null) return -EFAULT;
          const ms = timevalOptionMs(v);
          if (ms < 0) return ms;
          if (name === SO_RCVTIMEO) this.rcvTimeoMs = ms;
          else this.sndTimeoMs = ms;
          return 0;
        }
        default: return -ENOPROTOOPT;
      }
    }
    if (level !== SOL_NETLINK) return -ENOPROTOOPT;
    if (optlen < 4) return -EINVAL;
    const v = int();
    if (v === null) return -EFAULT;
    switch (name) {
      case NETLINK_ADD_MEMBERSHIP: case NETLINK_DROP_MEMBERSHIP:
        if (v <= 0 || v > RTNLGRP_MAX) return -EINVAL;
        this.autobind(t);
        if (name === NETLINK_ADD_MEMBERSHIP) this.groups |= 1n << BigInt(v - 1);
        else this.groups &= ~(1n << BigInt(v - 1));
        return 0;
      case NETLINK_LISTEN_ALL_NSID:
        // Other namespaces' notifications need CAP_NET_BROADCAST there; the sandbox has one namespace.
        if (!t.creds.hasCapabilityInRoot(CAP_NET_BROADCAST)) return -EPERM;
        this.bools.set(name, v !== 0);
        return 0;
      case NETLINK_PKTINFO: case NETLINK_BROADCAST_ERROR: case NETLINK_NO_ENOBUFS: case NETLINK_CAP_ACK:
      case NETLINK_EXT_ACK: case NETLINK_GET_STRICT_CHK:
        this.bools.set(name, v !== 0);
        return 0;
      default: return -ENOPROTOOPT;
    }
  }

  override read(dsts: Uint8Array[], total: number): number {
    const t = currentTask();
    if (t === null) return -EINVAL;
    const r = this.recvmsg(t, { views: dsts, total, controlLen: 0 }, MSG_DONTWAIT);
    if (typeof r === 'number') return r === -EAGAIN ? WOULD_BLOCK : r;
    return r.n;
  }

  override write(srcs: Uint8Array[], total: number): number {
    const t = currentTask();
    if (t === null) return -EINVAL;
    return this.sendmsg(t, { views: srcs, total, to: null, control: null });
  }

  override readiness(mask: number): number {
    return mask & ((this.inbox.length > 0 || this.dump !== null ? EVENT_IN : 0) | EVENT_OUT);
  }

  /** netlink has no ioctls of its own (FIONREAD too is ENOTTY, as Linux's netlink_ioctl leaves it). */
  override ioctl(): number {
    return -ENOTTY;
  }

  override release(): void {
    if (this.portid !== 0 && ports.get(this.portid) === this) ports.delete(this.portid);
  }
}
