// The interface ioctls on any socket (Linux's sock_ioctl -> dev_ioctl,
// which every family reaches, Unix sockets too): SIOCGIFCONF and the
// struct ifreq queries (SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFADDR, ...),
// answered by the host for the sandbox's network namespace through one
// host datagram socket of the Sentry's, made the first time a program
// asks. Read-only: every SIOCSIF* request (and anything else in the 0x89xx
// range) is ENOTTY here.
//
// Differs from Linux: the setters are ENOTTY rather than EPERM/served; a
// SIOCGIFCONF buffer is bounded at 64 KiB (1638 interfaces).

import { native } from '../../native.js';
import type { IoctlIO } from '../../vfs/file_description.js';
import { EFAULT, ENOTTY } from '../../abi/linux/errno.js';

const SIOCGIFCONF = 0x8912, IFREQ_SIZE = 40, IFCONF_MAX = 65536;
const IFREQ_REQUESTS = new Set([0x8910, 0x8913, 0x8915, 0x8917, 0x8919, 0x891b, 0x8921, 0x8927, 0x8933, 0x8942]);
const AF_INET = 2, SOCK_DGRAM = 2;
/** Answered by AF_INET's own ioctl (devinet_ioctl), so only on an AF_INET socket: ENOTTY on the others. */
const INET_ONLY = new Set([0x8915, 0x8917, 0x8919, 0x891b]);

let enabled = false;
let queryFd = -1;

/** Interface queries are answered (hostinet is served); off, they are ENOTTY. */
export function enableInterfaceQueries(on: boolean): void {
  enabled = on;
}

/** Whether req is one of the interface requests (so any socket takes it to interfaceIoctl). */
export function isInterfaceRequest(req: number): boolean {
  return req === SIOCGIFCONF || IFREQ_REQUESTS.has(req);
}

function fd(): number {
  if (queryFd < 0) queryFd = native.sockSocket(AF_INET, SOCK_DGRAM, 0);
  return queryFd;
}

/** An interface request's answer on a socket of family, copied out to the program: 0 or -errno. */
export function interfaceIoctl(family: number, req: number, arg: number, io: IoctlIO): number {
  if (!enabled || !isInterfaceRequest(req) || (INET_ONLY.has(req) && family !== AF_INET)) return -ENOTTY;
  const s = fd();
  if (s < 0) return s;
  if (req !== SIOCGIFCONF) {
    const b = io.copyIn(arg, IFREQ_SIZE);
    if (b === null) return -EFAULT;
    const ifr = Uint8Array.from(b);
    const r = native.sockIoctlIfreq(s, req, ifr);
    if (r < 0) return r;
    return io.copyOut(arg, ifr) < 0 ? -EFAULT : 0;
  }
  // struct ifconf: int ifc_len, then (8-aligned) the buffer's address; NULL asks for the length needed.
  const h = io.copyIn(arg, 16);
  if (h === null) return -EFAULT;
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  const len = dv.getInt32(0, true), buf = Number(dv.getBigUint64(8, true));
  let n: number;
  if (buf === 0) {
    n = native.sockIoctlIfconf(s, null);
  } else {
    const out = new Uint8Array(Math.min(Math.max(len, 0), IFCONF_MAX));
    n = native.sockIoctlIfconf(s, out);
    if (n > 0 && io.copyOut(buf, out.subarray(0, n)) < 0) return -EFAULT;
  }
  if (n < 0) return n;
  const nb = new Uint8Array(4);
  new DataView(nb.buffer).setInt32(0, n, true);
  return io.copyOut(arg, nb) < 0 ? -EFAULT : 0;
}
