// AF_PACKET sockets (packet(7), Linux's net/packet/af_packet.c; gVisor
// serves them from netstack's packet endpoints, hostinet has none) as
// host packet sockets in the sandbox's network namespace, with --net-raw
// only, for a program with CAP_NET_RAW (provider.ts checks it first, as
// packet_create). SOCK_RAW (frames with their link-layer header) and
// SOCK_DGRAM (without it): a HostSocket (socket.ts: non-blocking host
// calls, blocking and readiness in the Sentry) with packet_bind's checks
// made before the host sees the address (a struct sockaddr_ll of at least
// 20 bytes whose family is AF_PACKET, else EINVAL), sendto/sendmsg's
// sockaddr_ll passed to the host (packet_snd ignores its family and
// checks the length and interface itself: EINVAL, ENXIO, ENODEV), the
// sender's sockaddr_ll from recvfrom/recvmsg and getsockname as the host
// gives them, and an option table of its own (packetOptions).
//
// Differs from Linux: SOCK_PACKET (the obsolete sockaddr_pkt interface)
// is ESOCKTNOSUPPORT (provider.ts); the memory-mapped rings
// (PACKET_RX_RING, PACKET_TX_RING, PACKET_VERSION, PACKET_RESERVE),
// PACKET_FANOUT, PACKET_QDISC_BYPASS, PACKET_VNET_HDR, PACKET_LOSS,
// PACKET_TIMESTAMP and the socket filters (SO_ATTACH_FILTER,
// SO_ATTACH_BPF, SO_LOCK_FILTER) are ENOPROTOOPT, so mmap of a packet
// socket has no ring to map; connect, listen, accept, shutdown and
// getpeername are EOPNOTSUPP without asking the host, as Linux's
// sock_no_* and packet_getname answer them; send control messages pass
// nothing to the host (packet_snd reads only SOL_SOCKET ones, SO_MARK
// and the transmit times, which are not served: EINVAL).

import { EINVAL, EOPNOTSUPP } from '../../abi/linux/errno.js';
import type { Task } from '../../kernel/task.js';
import { native } from '../../native.js';
import { AF_PACKET } from '../socket.js';
import type { Accepted } from '../socket.js';
import { HostSocket } from './socket.js';
import { BOTH, GET, I, SET, SOCKET_OPTIONS, SOL_SOCKET, sendControlFor } from './sockopt.js';
import type { OptionTable } from './sockopt.js';

export const SOL_PACKET = 263;
const PACKET_ADD_MEMBERSHIP = 1, PACKET_DROP_MEMBERSHIP = 2, PACKET_STATISTICS = 6, PACKET_AUXDATA = 8,
  PACKET_ORIGDEV = 9, PACKET_IGNORE_OUTGOING = 23;
/** sizeof(struct sockaddr_ll). */
const SOCKADDR_LL = 20;

/**
 * The options a packet socket passes to its host socket: the generic
 * SOL_SOCKET ones of inet sockets and SOL_PACKET's membership, auxdata,
 * origdev, ignore-outgoing and statistics. Anything else ENOPROTOOPT.
 */
const packetOptions: OptionTable = new Map([
  [SOL_SOCKET, SOCKET_OPTIONS],
  [SOL_PACKET, new Map([
    // struct packet_mreq (16 bytes); packet_setsockopt takes up to packet_mreq_max's 40 (a longer address).
    [PACKET_ADD_MEMBERSHIP, { size: 40, use: SET }], [PACKET_DROP_MEMBERSHIP, { size: 40, use: SET }],
    // A PACKET_AUXDATA control message (struct tpacket_auxdata) with each frame received.
    [PACKET_AUXDATA, I(BOTH)],
    // sll_ifindex is the frame's original device (a bond's slave), not the one it came up through.
    [PACKET_ORIGDEV, I(BOTH)],
    // Frames this host sends are not looped back to the socket.
    [PACKET_IGNORE_OUTGOING, I(BOTH)],
    // struct tpacket_stats (or tpacket_stats_v3's 12 bytes): received and dropped, reset by reading.
    [PACKET_STATISTICS, { size: 12, use: GET }],
  ])],
]);

export class PacketSocket extends HostSocket {
  protected override get optionTable(): OptionTable {
    return packetOptions;
  }

  /** packet_snd reads only SOL_SOCKET messages, as a stream socket does (sockopt.ts). */
  protected override sendControl(c: Uint8Array): Uint8Array | null | number {
    return sendControlFor(c, true);
  }

  /** A destination is the host's to judge (packet_snd ignores sll_family). */
  protected override checkAddr(): number {
    return 0;
  }

  override bind(t: Task, addr: Uint8Array): number {
    if (addr.length < SOCKADDR_LL) return -EINVAL;
    if ((addr[0] | (addr[1] << 8)) !== AF_PACKET) return -EINVAL;
    return native.sockBind(this.hostFd, addr);
  }

  override connect(): number {
    return -EOPNOTSUPP;
  }

  override listen(): number {
    return -EOPNOTSUPP;
  }

  override accept(): Accepted | number {
    return -EOPNOTSUPP;
  }

  override shutdown(): number {
    return -EOPNOTSUPP;
  }

  override name(t: Task, peer: boolean): Uint8Array | number {
    return peer ? -EOPNOTSUPP : super.name(t, false);
  }
}
