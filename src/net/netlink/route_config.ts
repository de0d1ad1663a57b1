// The sandbox's network configuration as rtnetlink shows it: its links,
// addresses, routes and neighbours, read once from the host when the
// Sentry boots in the sandbox's network namespace (native/netlink.c),
// before it seals itself, as gVisor's hostinet Stack reads its interfaces
// when it is configured. Each entry is kept as the host's kernel encoded
// it (the payload after the message header), so a dump inside the sandbox
// gives what `ip` would see natively in that namespace, attribute for
// attribute.
//
// Differs from Linux: it is a snapshot. A change made on the host to the
// namespace afterwards (a route added by the caller's network plugin while
// the container runs) is not seen, and no multicast notification ever
// comes; inside the sandbox nothing can change it (RTM_NEW*, RTM_DEL* and
// RTM_SET* are refused: netlink/route_socket.ts).

import { native } from '../../native.js';
import { NLMSG_DONE, NLMSG_ERROR, RTM_GETADDR, RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE, attrString, attributes, IFLA_IFNAME, messages } from './message.js';

/** One object of a dump: the message type the host gave it (RTM_NEWLINK...) and its payload. */
export interface RouteObject {
  type: number;
  payload: Uint8Array;
}

/** An IPv4 address as the interface ioctls and route lookups want it (ifaddrmsg and its attributes). */
export interface Inet4Address {
  index: number;
  /** IFA_LABEL, or the link's name (an alias's label is "eth0:1"). */
  label: string;
  prefix: number;
  /** IFA_LOCAL (the address itself), else IFA_ADDRESS. */
  local: Uint8Array;
  /** IFA_ADDRESS (the peer's on a point-to-point link), else IFA_LOCAL. */
  address: Uint8Array;
  broadcast: Uint8Array | null;
}

const AF_INET = 2;
const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4;

export interface Link extends RouteObject {
  index: number;
  name: string;
}

/** The fixed headers' sizes (struct ifinfomsg, ifaddrmsg, rtmsg, ndmsg). */
export const IFINFOMSG_LEN = 16, IFADDRMSG_LEN = 8, RTMSG_LEN = 12, NDMSG_LEN = 12;

export class RouteConfig {
  private inet4Cache: Inet4Address[] | null = null;

  constructor(
    readonly links: Link[],
    readonly addrs: RouteObject[],
    readonly routes: RouteObject[],
    readonly neighbours: RouteObject[],
  ) {}

  /** An empty configuration: a namespace with no interfaces (nothing could be read). */
  static empty(): RouteConfig {
    return new RouteConfig([], [], [], []);
  }

  /** The family of an object: the first byte of each fixed header (ifi_family, ifa_family, rtm_family, ndm_family). */
  static family(o: RouteObject): number {
    return o.payload.length > 0 ? o.payload[0] : 0;
  }

  link(index: number): Link | undefined {
    return this.links.find((l) => l.index === index);
  }

  linkByName(name: string): Link | undefined {
    return this.links.find((l) => l.name === name);
  }

  /** The IPv4 addresses, in the dump's order (by interface, then as added); read once, as the snapshot never changes. */
  inet4(): Inet4Address[] {
    if (this.inet4Cache !== null) return this.inet4Cache;
    const out: Inet4Address[] = [];
    for (const o of this.addrs) {
      if (RouteConfig.family(o) !== AF_INET || o.payload.length < IFADDRMSG_LEN) continue;
      const attrs = attributes(o.payload, IFADDRMSG_LEN);
      if (attrs === null) continue;
      const index = new DataView(o.payload.buffer, o.payload.byteOffset, o.payload.byteLength).getUint32(4, true);
      const address = attrs.get(IFA_ADDRESS) ?? attrs.get(IFA_LOCAL);
      if (address === undefined || address.length < 4) continue;
      const label = attrs.get(IFA_LABEL);
      out.push({
        index, prefix: o.payload[1], label: label !== undefined ? attrString(label) : this.link(index)?.name ?? '',
        local: (attrs.get(IFA_LOCAL) ?? address).subarray(0, 4), address: address.subarray(0, 4),
        broadcast: attrs.get(IFA_BROADCAST)?.subarray(0, 4) ?? null,
      });
    }
    this.inet4Cache = out;
    return out;
  }
}

/** The objects of one dump of the host's, or the errno that ended it. */
function dump(type: number): RouteObject[] | number {
  const b = native.netlinkDump(type, 0);
  if (typeof b === 'number') return b;
  const out: RouteObject[] = [];
  for (const m of messages(b)) {
    if (m.type === NLMSG_DONE) break;
    if (m.type === NLMSG_ERROR) {
      const e = m.payload.length >= 4 ? new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(0, true) : -5;
      return e < 0 ? e : -5;
    }
    out.push({ type: m.type, payload: Uint8Array.from(m.payload) });
  }
  return out;
}

/**
 * Reads the configuration of the network namespace the Sentry is in.
 * log: what could not be read, said once; that part is then empty (a
 * kernel without IPv6 has no IPv6 routes, which is what it shows natively).
 */
export function readRouteConfig(warn: (msg: string) => void): RouteConfig {
  const get = (type: number, what: string): RouteObject[] => {
    const r = dump(type);
    if (typeof r === 'number') {
      warn(`netlink: cannot read the sandbox's ${what} from the host (errno ${-r}): the sandbox's netlink shows none`);
      return [];
    }
    return r;
  };
  const links: Link[] = [];
  for (const o of get(RTM_GETLINK, 'links')) {
    if (o.payload.length < IFINFOMSG_LEN) continue;
    const index = new DataView(o.payload.buffer, o.payload.byteOffset).getInt32(4, true);
    const name = attributes(o.payload, IFINFOMSG_LEN)?.get(IFLA_IFNAME);
    links.push({ ...o, index, name: name === undefined ? '' : attrString(name) });
  }
  return new RouteConfig(links, get(RTM_GETADDR, 'addresses'), get(RTM_GETROUTE, 'routes'), get(RTM_GETNEIGH, 'neighbours'));
}
