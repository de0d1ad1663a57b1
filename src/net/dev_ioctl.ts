// The interface ioctls every socket takes (Linux's net/core/dev_ioctl.c
// and devinet_ioctl; gVisor's hostinet ioctls), answered from the
// sandbox's RouteConfig (netlink/route_config.ts), the same interfaces and
// IPv4 addresses its netlink shows: SIOCGIFINDEX, SIOCGIFNAME,
// SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFTXQLEN, SIOCGIFMETRIC, SIOCGIFHWADDR,
// SIOCGIFADDR, SIOCGIFDSTADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK and
// SIOCGIFCONF, on struct ifreq (40 bytes) and struct ifconf as x86-64
// lays them out. The IPv4 address ones are inet_ioctl's, so only an
// AF_INET socket has them (others: ENOTTY, as Linux). What glibc's if_nametoindex, ifconfig and many a
// program's "what is my address" use.
//
// Differs from Linux: the setting ones (SIOCSIF*, SIOCADDRT, SIOCDELRT,
// SIOC{ADD,DEL}MULTI) are EPERM without CAP_NET_ADMIN and EOPNOTSUPP with
// it, since the configuration is a snapshot nothing inside may change.

import type { Task } from '../kernel/task.js';
import type { IoctlIO } from '../vfs/file_description.js';
import { CAP_NET_ADMIN } from '../abi/linux/capability.js';
import { EADDRNOTAVAIL, EFAULT, ENODEV, ENOTTY, EOPNOTSUPP, EPERM } from '../abi/linux/errno.js';
import { attrString, attributes, readU32le } from './netlink/message.js';
import { IFINFOMSG_LEN } from './netlink/route_config.js';
import type { Link, RouteConfig } from './netlink/route_config.js';
import { routeConfig } from './netlink/provider.js';

const SIOCGIFNAME = 0x8910, SIOCGIFCONF = 0x8912, SIOCGIFFLAGS = 0x8913, SIOCGIFADDR = 0x8915, SIOCGIFDSTADDR = 0x8917,
  SIOCGIFBRDADDR = 0x8919, SIOCGIFNETMASK = 0x891b, SIOCGIFMETRIC = 0x891d, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927,
  SIOCGIFINDEX = 0x8933, SIOCGIFTXQLEN = 0x8942;
const SETTERS: ReadonlySet<number> = new Set([0x890b, 0x890c, 0x8914, 0x8916, 0x8918, 0x891a, 0x891c, 0x891e, 0x8922, 0x8923,
  0x8924, 0x8931, 0x8932, 0x8943]);
const GETTERS: ReadonlySet<number> = new Set([SIOCGIFNAME, SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFADDR, SIOCGIFDSTADDR, SIOCGIFBRDADDR,
  SIOCGIFNETMASK, SIOCGIFMETRIC, SIOCGIFMTU, SIOCGIFHWADDR, SIOCGIFINDEX, SIOCGIFTXQLEN]);

const IFREQ_LEN = 40, IFNAMSIZ = 16, IFCONF_LEN = 16;
const AF_INET = 2;
const IFLA_ADDRESS = 1, IFLA_MTU = 4, IFLA_TXQLEN = 13;

/** Whether req is an interface ioctl this file answers (the rest go to the socket's own ioctl). */
export function isDevIoctl(req: number): boolean {
  return GETTERS.has(req) || SETTERS.has(req);
}

function linkInfo(l: Link): { type: number; flags: number; attrs: Map<number, Uint8Array> } {
  const dv = new DataView(l.payload.buffer, l.payload.byteOffset, l.payload.byteLength);
  return { type: dv.getUint16(2, true), flags: dv.getUint32(8, true), attrs: attributes(l.payload, IFINFOMSG_LEN) ?? new Map() };
}

/** A sockaddr_in of addr at off in ifr. */
function putInet(ifr: Uint8Array, off: number, addr: Uint8Array): void {
  ifr.fill(0, off, off + 16);
  ifr[off] = AF_INET;
  ifr.set(addr, off + 4);
}

/** Serves req on the struct at arg for a socket of family; -errno. Only for requests isDevIoctl takes. */
export function devIoctl(t: Task, family: number, req: number, arg: number, io: IoctlIO): number {
  const inetOnly = req === SIOCGIFADDR || req === SIOCGIFDSTADDR || req === SIOCGIFBRDADDR || req === SIOCGIFNETMASK;
  if (inetOnly && family !== AF_INET) return -ENOTTY;
  if (SETTERS.has(req)) return t.creds.hasCapabilityInRoot(CAP_NET_ADMIN) ? -EOPNOTSUPP : -EPERM;
  const c = routeConfig();
  if (req === SIOCGIFCONF) return ifconf(c, arg, io);
  const inb = io.copyIn(arg, IFREQ_LEN);
  if (inb === null) return -EFAULT;
  const ifr = Uint8Array.from(inb);
  const dv = new DataView(ifr.buffer);
  // The name is at most IFNAMSIZ - 1 bytes, whatever the program left in the last one.
  ifr[IFNAMSIZ - 1] = 0;
  const name = attrString(ifr.subarray(0, IFNAMSIZ));
  if (req === SIOCGIFNAME) {
    const l = c.link(dv.getInt32(16, true));
    if (l === undefined) return -ENODEV;
    ifr.fill(0, 0, IFNAMSIZ);
    ifr.set(Buffer.from(l.name, 'latin1').subarray(0, IFNAMSIZ - 1), 0);
    return io.copyOut(arg, ifr) < 0 ? -EFAULT : 0;
  }
  if (inetOnly) {
    // devinet_ioctl: the first address labelled with the name (an alias's label is "eth0:1").
    const base = name.split(':')[0];
    if (c.linkByName(base) === undefined) return -ENODEV;
    const a = c.inet4().find((x) => x.label === name);
    if (a === undefined) return -EADDRNOTAVAIL;
    let v: Uint8Array;
    if (req === SIOCGIFADDR) v = a.local;
    else if (req === SIOCGIFDSTADDR) v = a.address;
    else if (req === SIOCGIFBRDADDR) v = a.broadcast ?? new Uint8Array(4);
    else {
      v = new Uint8Array(4);
      const mask = a.prefix === 0 ? 0 : (0xffffffff << (32 - a.prefix)) >>> 0;
      new DataView(v.buffer).setUint32(0, mask, false);
    }
    putInet(ifr, 16, v);
    return io.copyOut(arg, ifr) < 0 ? -EFAULT : 0;
  }
  const l = c.linkByName(name);
  if (l === undefined) return -ENODEV;
  const info = linkInfo(l);
  ifr.fill(0, 16, IFREQ_LEN);
  switch (req) {
    case SIOCGIFINDEX: dv.setInt32(16, l.index, true); break;
    // struct ifreq's ifr_flags is a short: the flags above 16 bits (IFF_LOWER_UP...) are netlink's alone.
    case SIOCGIFFLAGS: dv.setUint16(16, info.flags & 0xffff, true); break;
    case SIOCGIFMTU: dv.setInt32(16, readU32le(info.attrs.get(IFLA_MTU)), true); break;
    case SIOCGIFTXQLEN: dv.setInt32(16, readU32le(info.attrs.get(IFLA_TXQLEN)), true); break;
    case SIOCGIFMETRIC: dv.setInt32(16, 0, true); break;
    case SIOCGIFHWADDR: {
      // A sockaddr: sa_family is the ARPHRD type, sa_data the hardware address (up to 14 bytes).
      dv.setUint16(16, info.type, true);
      const hw = info.attrs.get(IFLA_ADDRESS);
      if (hw !== undefined) ifr.set(hw.subarray(0, 14), 18);
      break;
    }
    default: return -EOPNOTSUPP;
  }
  return io.copyOut(arg, ifr) < 0 ? -EFAULT : 0;
}

/** SIOCGIFCONF: an ifreq (its label and its address) per IPv4 address, as many as fit; a null buffer asks the length needed. */
function ifconf(c: RouteConfig, arg: number, io: IoctlIO): number {
  const inb = io.copyIn(arg, IFCONF_LEN);
  if (inb === null) return -EFAULT;
  const hdr = Uint8Array.from(inb);
  const dv = new DataView(hdr.buffer);
  const len = dv.getInt32(0, true);
  const buf = Number(dv.getBigUint64(8, true));
  // Linux lists by device (index order), each device's addresses as they were added.
  const addrs = c.inet4().sort((a, b) => a.index - b.index);
  let done = 0;
  if (buf === 0) {
    done = addrs.length * IFREQ_LEN;
  } else {
    for (const a of addrs) {
      if (len - done < IFREQ_LEN) break;
      const ifr = new Uint8Array(IFREQ_LEN);
      ifr.set(Buffer.from(a.label, 'latin1').subarray(0, IFNAMSIZ - 1), 0);
      putInet(ifr, 16, a.local);
      if (io.copyOut(buf + done, ifr) < 0) return -EFAULT;
      done += IFREQ_LEN;
    }
  }
  dv.setInt32(0, done, true);
  return io.copyOut(arg, hdr.subarray(0, 4)) < 0 ? -EFAULT : 0;
}
