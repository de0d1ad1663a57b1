// The hostinet providers (gVisor hostinet's socketProvider): AF_INET and
// AF_INET6 sockets as host sockets in the sandbox's network namespace,
// with inet_create's checks made by the Sentry first, so the host is only
// ever asked for a TCP or UDP socket, an ICMP datagram (ping) socket, or a
// raw one for a program with CAP_NET_RAW (which the host refuses with
// EPERM today: the Sentry keeps no CAP_NET_RAW). AF_PACKET (and SOCK_PACKET) is
// EPERM without CAP_NET_RAW, and not served with it (EAFNOSUPPORT).
//
// Differs from Linux: MPTCP (IPPROTO_MPTCP) and UDP-Lite are
// EPROTONOSUPPORT; a host descriptor the Sentry cannot get (past the
// sandbox's host descriptor budget, or its own RLIMIT_NOFILE) is ENFILE,
// the sandbox-wide limit.

import { native } from '../../native.js';
import type { Task } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { CAP_NET_RAW } from '../../abi/linux/capability.js';
import { EINVAL, EMFILE, ENFILE, EOPNOTSUPP, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../../abi/linux/errno.js';
import { AF_INET, AF_INET6, AF_PACKET, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, registerProvider, unregisterProviders } from '../socket.js';
import type { Provider } from '../socket.js';
import { HostSocket } from './socket.js';
import type { HostFdCount } from './socket.js';

const IPPROTO_IP = 0, IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58, IPPROTO_MAX = 263;

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
      // The sandbox's network namespace belongs to its root user namespace.
      return t.creds.hasCapabilityInRoot(CAP_NET_RAW) ? 0 : -EPERM;
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
let budget: HostFdCount = { open: 0, max: Infinity };

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
    if (this.hostFds.open >= this.hostFds.max) return -ENFILE;
    const fd = native.sockSocket(this.family, type, protocol);
    if (fd < 0) return fd === -EMFILE ? -ENFILE : fd;
    return new HostSocket(fd, this.family, type, protocol, flags, this.hostFds);
  }

  pair(t: Task, type: number, protocol: number): number {
    const e = check(t, this.family, type, protocol);
    return e < 0 ? e : -EOPNOTSUPP;
  }
}

/** AF_PACKET: refused without CAP_NET_RAW, as packet_create; with it not served. */
const packetProvider: Provider = {
  socket: (t) => (t.creds.hasCapabilityInRoot(CAP_NET_RAW) ? null : -EPERM),
  pair: (t) => (t.creds.hasCapabilityInRoot(CAP_NET_RAW) ? null : -EPERM),
};

/** Serves AF_INET and AF_INET6 with host sockets from now on (boot, once it knows the sandbox's network namespace is its own or the one it was given). */
export function registerHostinet(): void {
  registerProvider(AF_INET, new HostinetProvider(AF_INET));
  registerProvider(AF_INET6, new HostinetProvider(AF_INET6));
  registerProvider(AF_PACKET, packetProvider);
}

/** Stops serving them (sockets already made go on). */
export function unregisterHostinet(): void {
  unregisterProviders(AF_INET);
  unregisterProviders(AF_INET6);
  unregisterProviders(AF_PACKET);
}
