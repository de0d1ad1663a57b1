// The hostinet providers (gVisor hostinet's socketProvider): AF_INET and
// AF_INET6 sockets as host sockets in the sandbox's network namespace,
// with inet_create's checks made by the Sentry first, so the host is only
// ever asked for a TCP or UDP socket, an ICMP datagram (ping) socket, or,
// with --net-raw, a raw one for a program with CAP_NET_RAW. AF_PACKET
// (packet_create's checks: CAP_NET_RAW, then the type) is EPERM without
// CAP_NET_RAW; with it and --net-raw, SOCK_RAW and SOCK_DGRAM are
// packet.ts's host packet sockets. Without --net-raw no process has
// CAP_NET_RAW (boot strips it), and the Sentry has none for the host.
//
// Differs from Linux: MPTCP (IPPROTO_MPTCP) and UDP-Lite are
// EPROTONOSUPPORT; AF_PACKET's SOCK_PACKET is ESOCKTNOSUPPORT; a host
// descriptor the Sentry cannot get (past the sandbox's host descriptor
// budget, or its own RLIMIT_NOFILE) is ENFILE, the sandbox-wide limit.

import { native } from '../../native.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { CAP_NET_RAW } from '../../abi/linux/capability.js';
import { EINVAL, EMFILE, ENFILE, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../../abi/linux/errno.js';
import {
  AF_INET, AF_INET6, AF_PACKET, SOCK_DGRAM, SOCK_PACKET, SOCK_RAW, SOCK_STREAM, registerProvider, unregisterProviders,
} from '../socket.js';
import type { Provider } from '../socket.js';
import { HostSocket } from './socket.js';
import { PacketSocket } from './packet.js';
import type { HostFdCount } from './socket.js';

const IPPROTO_IP = 0, IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58, IPPROTO_MAX = 263;

/** --net-raw: raw inet and packet sockets are made for a program with CAP_NET_RAW (registerHostinet). */
let rawServed = false;

/** A program's CAP_NET_RAW over the sandbox's network namespace (which belongs to its root user namespace). */
function netRawCapable(t: Task): boolean {
  return t.creds.hasCapabilityInRoot(CAP_NET_RAW);
}

/** inet_create's and inet6_create's checks: 0 when the host may be asked, or -errno. */
function check(t: Task, family: number, type: number, protocol: number): number {
  if (protocol < 0 || protocol >= IPPROTO_MAX) return -EINVAL;
  switch (type) {
    case SOCK_STREAM:
      return protocol === IPPROTO_IP || protocol === IPPROTO_TCP ? 0 : -EPROTONOSUPPORT;
    case SOCK_DGRAM:
      if (protocol === IPPROTO_IP || protocol === IPPROTO_UDP) return 0;
      return protocol === (family === AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6) ? 0 : -EPROTONOSUPPORT;
    case SOCK_RAW:
      // The raw protocol entry is IPPROTO_IP, a wildcard that matches only a protocol named.
      if (protocol === IPPROTO_IP) return -EPROTONOSUPPORT;
      // A process has CAP_NET_RAW only with --net-raw (rawServed); the test is Linux's either way.
      return netRawCapable(t) && rawServed ? 0 : -EPERM;
    default:
      return -ESOCKTNOSUPPORT;
  }
}

/**
 * The sandbox's budget of host descriptors (hostfs's HostFdBudget), which
 * every host socket is charged to as every open host file is, so a
 * program's sockets cannot take the Sentry's own descriptors (ENFILE past
 * it). Unbounded until boot gives it (setHostSocketBudget).
 */
let budget: HostFdCount = { open: 0, max: Infinity, hasRoom: () => true };

/** Charges host sockets made from now on to b. */
export function setHostSocketBudget(b: HostFdCount): void {
  budget = b;
}

class HostinetProvider implements Provider {
  constructor(private readonly family: number) {}

  private get hostFds(): HostFdCount {
    return budget;
  }

  socket(t: Task, type: number, protocol: number, flags: number): FileDescription | number {
    const e = check(t, this.family, type, protocol);
    if (e < 0) return e;
    if (!this.hostFds.hasRoom()) return -ENFILE;
    const fd = native.sockSocket(this.family, type, protocol);
    if (fd < 0) return fd === -EMFILE ? -ENFILE : fd;
    return new HostSocket(fd, this.family, type, protocol, flags, this.hostFds);
  }

  pair(t: Task, type: number, protocol: number): number {
    const e = check(t, this.family, type, protocol);
    return e < 0 ? e : -EOPNOTSUPP;
  }
}

/** packet_create's checks: CAP_NET_RAW (EPERM), then the type; 0 when the host may be asked. */
function checkPacket(t: Task, type: number): number {
  if (!netRawCapable(t) || !rawServed) return -EPERM;
  if (type !== SOCK_RAW && type !== SOCK_DGRAM && type !== SOCK_PACKET) return -ESOCKTNOSUPPORT;
  // SOCK_PACKET (sockaddr_pkt, obsolete since Linux 2.0) is not served.
  return type === SOCK_PACKET ? -ESOCKTNOSUPPORT : 0;
}

/** AF_PACKET (packet.ts): any protocol (an ethertype in network order, packet(7)); the host judges it. */
const packetProvider: Provider = {
  socket(t, type, protocol, flags) {
    const e = checkPacket(t, type);
    if (e < 0) return e;
    if (!budget.hasRoom()) return -ENFILE;
    const fd = native.sockSocket(AF_PACKET, type, protocol);
    if (fd < 0) return fd === -EMFILE ? -ENFILE : fd;
    return new PacketSocket(fd, AF_PACKET, type, protocol, flags, budget);
  },
  pair(t, type) {
    const e = checkPacket(t, type);
    return e < 0 ? e : -EOPNOTSUPP;
  },
};

/**
 * Serves AF_INET and AF_INET6 with host sockets from now on (boot, once it
 * knows the sandbox's network namespace is its own or the one it was
 * given); raw: --net-raw, raw inet and AF_PACKET sockets too.
 */
export function registerHostinet(raw = false): void {
  rawServed = raw;
  registerProvider(AF_INET, new HostinetProvider(AF_INET));
  registerProvider(AF_INET6, new HostinetProvider(AF_INET6));
  registerProvider(AF_PACKET, packetProvider);
}

/** Stops serving them (sockets already made go on). */
export function unregisterHostinet(): void {
  rawServed = false;
  unregisterProviders(AF_INET);
  unregisterProviders(AF_INET6);
  unregisterProviders(AF_PACKET);
}
