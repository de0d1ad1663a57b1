// The socket options an inet socket passes to its host socket (gVisor
// hostinet's getSockOptLen/setSockOptLen allowlist): (level, name) -> the
// most bytes of the value that matter. Anything not listed is ENOPROTOOPT
// without reaching the host. SO_RCVTIMEO and SO_SNDTIMEO are set on the
// host too (which checks and rounds them as Linux does), but the Sentry
// times the calls by them (socket.ts), since blocking is its own. Raw
// sockets' own (--net-raw): IP_HDRINCL and IPV6_HDRINCL, SOL_RAW's
// ICMP_FILTER and IPV6_CHECKSUM, SOL_IPV6's IPV6_CHECKSUM, SOL_ICMPV6's
// ICMPV6_FILTER; the host answers them as Linux does on the other kinds
// (ENOPROTOOPT, EOPNOTSUPP). packet.ts has AF_PACKET's table, whose
// SOL_SOCKET options are these.
//
// Differs from Linux: options outside the list (SO_BINDTODEVICE, SO_MARK,
// SO_TIMESTAMPING, SO_PRIORITY, SO_PEEK_OFF, SO_RCVBUFFORCE,
// SO_ATTACH_FILTER, IP_TRANSPARENT, IP_OPTIONS, TCP_REPAIR, ...) are
// ENOPROTOOPT here.

export const SOL_IP = 0, SOL_SOCKET = 1, SOL_TCP = 6, SOL_UDP = 17, SOL_IPV6 = 41, SOL_ICMPV6 = 58, SOL_RAW = 255;
export const SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_BROADCAST = 6, SO_SNDBUF = 7, SO_RCVBUF = 8,
  SO_KEEPALIVE = 9, SO_OOBINLINE = 10, SO_LINGER = 13, SO_REUSEPORT = 15, SO_RCVLOWAT = 18, SO_SNDLOWAT = 19,
  SO_RCVTIMEO = 20, SO_SNDTIMEO = 21, SO_TIMESTAMP = 29, SO_ACCEPTCONN = 30, SO_TIMESTAMPNS = 35,
  SO_PROTOCOL = 38, SO_DOMAIN = 39;
const TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
  TCP_SYNCNT = 7, TCP_LINGER2 = 8, TCP_DEFER_ACCEPT = 9, TCP_WINDOW_CLAMP = 10, TCP_INFO = 11, TCP_QUICKACK = 12,
  TCP_CONGESTION = 13, TCP_USER_TIMEOUT = 18, TCP_FASTOPEN = 23, TCP_NOTSENT_LOWAT = 25;
const IP_TOS = 1, IP_TTL = 2, IP_HDRINCL = 3, IP_PKTINFO = 8, IP_MTU_DISCOVER = 10, IP_RECVERR = 11, IP_RECVTTL = 12,
  IP_RECVTOS = 13, IP_FREEBIND = 15, IP_MULTICAST_IF = 32, IP_MULTICAST_TTL = 33, IP_MULTICAST_LOOP = 34,
  IP_ADD_MEMBERSHIP = 35, IP_DROP_MEMBERSHIP = 36, IP_MULTICAST_ALL = 49;
const IPV6_CHECKSUM = 7, IPV6_UNICAST_HOPS = 16, IPV6_MULTICAST_IF = 17, IPV6_MULTICAST_HOPS = 18, IPV6_MULTICAST_LOOP = 19,
  IPV6_JOIN_GROUP = 20, IPV6_LEAVE_GROUP = 21, IPV6_MTU_DISCOVER = 23, IPV6_RECVERR = 25, IPV6_V6ONLY = 26,
  IPV6_HDRINCL = 36, IPV6_RECVPKTINFO = 49, IPV6_PKTINFO = 50, IPV6_RECVHOPLIMIT = 51, IPV6_RECVTCLASS = 66, IPV6_TCLASS = 67;
/** SOL_RAW's ICMP_FILTER (struct icmp_filter) and SOL_ICMPV6's ICMPV6_FILTER (struct icmp6_filter). */
const ICMP_FILTER = 1, ICMPV6_FILTER = 1;

/** How an option may be used: get and set, get only (read-only values), set only. */
export const GET = 1, SET = 2, BOTH = 3;

export interface Opt {
  size: number;
  use: number;
}

/** (level, name) -> how the option may be used and the most bytes of its value that matter. */
export type OptionTable = ReadonlyMap<number, ReadonlyMap<number, Opt>>;

/** An int option. */
export const I = (use = BOTH): Opt => ({ size: 4, use });

/** The SOL_SOCKET options every host socket passes on (inet's and packet's). */
export const SOCKET_OPTIONS: ReadonlyMap<number, Opt> = new Map([
    [SO_REUSEADDR, I()], [SO_TYPE, I(GET)], [SO_ERROR, I(GET)], [SO_BROADCAST, I()], [SO_SNDBUF, I()],
    [SO_RCVBUF, I()], [SO_KEEPALIVE, I()], [SO_OOBINLINE, I()], [SO_LINGER, { size: 8, use: BOTH }],
    [SO_REUSEPORT, I()], [SO_RCVLOWAT, I()], [SO_SNDLOWAT, I()], [SO_ACCEPTCONN, I(GET)], [SO_PROTOCOL, I(GET)],
    [SO_DOMAIN, I(GET)],
    // Receive timestamps (SCM_TIMESTAMP/SCM_TIMESTAMPNS): the host's CLOCK_REALTIME, which is the sandbox's.
    [SO_TIMESTAMP, I()], [SO_TIMESTAMPNS, I()],
    // struct timeval: the host keeps (and rounds) it, the Sentry times the calls by it (socket.ts).
    [SO_RCVTIMEO, { size: 16, use: BOTH }], [SO_SNDTIMEO, { size: 16, use: BOTH }],
]);

const options: OptionTable = new Map<number, ReadonlyMap<number, Opt>>([
  [SOL_SOCKET, SOCKET_OPTIONS],
  [SOL_TCP, new Map([
    [TCP_NODELAY, I()], [TCP_MAXSEG, I()], [TCP_CORK, I()], [TCP_KEEPIDLE, I()], [TCP_KEEPINTVL, I()],
    [TCP_KEEPCNT, I()], [TCP_LINGER2, I()], [TCP_QUICKACK, I()], [TCP_USER_TIMEOUT, I()], [TCP_SYNCNT, I()],
    [TCP_DEFER_ACCEPT, I()], [TCP_WINDOW_CLAMP, I()], [TCP_FASTOPEN, I()], [TCP_NOTSENT_LOWAT, I()],
    // struct tcp_info grows with the kernel; the host's is copied as far as the caller asks.
    [TCP_INFO, { size: 512, use: GET }],
    // A name (TCP_CA_NAME_MAX).
    [TCP_CONGESTION, { size: 16, use: BOTH }],
  ])],
  [SOL_IP, new Map([
    [IP_TOS, I()], [IP_TTL, I()], [IP_PKTINFO, I()], [IP_MTU_DISCOVER, I()], [IP_RECVTTL, I()], [IP_RECVTOS, I()],
    // Errors on the error queue (recvmsg's MSG_ERRQUEUE, which is passed on).
    [IP_RECVERR, I()], [IP_FREEBIND, I()], [IP_MULTICAST_ALL, I()],
    // struct in_addr or struct ip_mreqn.
    [IP_MULTICAST_IF, { size: 12, use: BOTH }], [IP_MULTICAST_TTL, I()], [IP_MULTICAST_LOOP, I()],
    // struct ip_mreq or struct ip_mreqn.
    [IP_ADD_MEMBERSHIP, { size: 12, use: SET }], [IP_DROP_MEMBERSHIP, { size: 12, use: SET }],
    // Raw sockets: the program writes the IP header (IPPROTO_RAW has it always).
    [IP_HDRINCL, I()],
  ])],
  [SOL_IPV6, new Map([
    [IPV6_UNICAST_HOPS, I()], [IPV6_MULTICAST_IF, I()], [IPV6_MULTICAST_HOPS, I()], [IPV6_MULTICAST_LOOP, I()],
    // struct ipv6_mreq.
    [IPV6_JOIN_GROUP, { size: 20, use: SET }], [IPV6_LEAVE_GROUP, { size: 20, use: SET }],
    [IPV6_V6ONLY, I()], [IPV6_RECVPKTINFO, I()], [IPV6_RECVTCLASS, I()], [IPV6_TCLASS, I()],
    [IPV6_MTU_DISCOVER, I()], [IPV6_RECVERR, I()], [IPV6_RECVHOPLIMIT, I()],
    // Raw sockets: the checksum's offset (-1: none), and the program's own IPv6 header.
    [IPV6_CHECKSUM, I()], [IPV6_HDRINCL, I()],
  ])],
  [SOL_RAW, new Map([
    // struct icmp_filter: the ICMP types an IPPROTO_ICMP raw socket drops (bit per type).
    [ICMP_FILTER, I()],
    // rawv6_setsockopt takes IPV6_CHECKSUM at SOL_RAW too.
    [IPV6_CHECKSUM, I()],
  ])],
  // struct icmp6_filter: eight 32-bit words, a bit per ICMPv6 type.
  [SOL_ICMPV6, new Map([[ICMPV6_FILTER, { size: 32, use: BOTH }]])],
]);

/** The most bytes of the option's value that matter, or 0: not one the host is asked about. */
export function optionSize(level: number, name: number, set: boolean, table: OptionTable = options): number {
  const o = table.get(level)?.get(name);
  if (o === undefined || (o.use & (set ? SET : GET)) === 0) return 0;
  return o.size;
}

/**
 * Control messages a send may carry to the host (ip_cmsg_send's and
 * ip6_datagram_send_ctl's): (level, type) -> allowed. Everything else is
 * EINVAL, as Linux answers one it does not know (SCM_RIGHTS on an inet
 * socket too).
 */
const sendControl = new Set([`${SOL_IP}:${IP_PKTINFO}`, `${SOL_IP}:${IP_TOS}`, `${SOL_IP}:${IP_TTL}`,
  `${SOL_IPV6}:${IPV6_PKTINFO}`, `${SOL_IPV6}:${IPV6_TCLASS}`, `${SOL_IPV6}:${IPV6_UNICAST_HOPS}`]);

const SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;

/**
 * A send's control buffer as the host is given it (a tail too short for a
 * header is ignored, as CMSG_FIRSTHDR/CMSG_NXTHDR do): the messages the
 * host may see, or -EINVAL for a malformed message or one that is not
 * served. SCM_RIGHTS and SCM_CREDENTIALS are dropped (Linux's
 * __sock_cmsg_send ignores them on an inet socket); any other SOL_SOCKET
 * message (SO_MARK, SCM_TXTIME, ...) is EINVAL. A stream socket passes
 * nothing and ignores the other levels, as Linux's tcp_sendmsg reads only
 * SOL_SOCKET ones; a datagram socket passes those of sendControl.
 */
export function sendControlFor(c: Uint8Array, stream: boolean): Uint8Array | null | number {
  const dv = new DataView(c.buffer, c.byteOffset, c.length);
  const keep: Uint8Array[] = [];
  for (let off = 0; off + 16 <= c.length;) {
    const len = Number(dv.getBigUint64(off, true));
    if (len < 16 || len > c.length - off) return -22;
    const level = dv.getInt32(off + 8, true), type = dv.getInt32(off + 12, true);
    const next = Math.min(c.length, off + ((len + 7) & ~7));
    if (level === SOL_SOCKET) {
      if (type !== SCM_RIGHTS && type !== SCM_CREDENTIALS) return -22;
    } else if (!stream) {
      if (!sendControl.has(`${level}:${type}`)) return -22;
      keep.push(c.subarray(off, next));
    }
    off = next;
  }
  if (keep.length === 0) return null;
  const out = new Uint8Array(keep.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of keep) {
    out.set(k, at);
    at += k.length;
  }
  return out;
}
