// RTM_GETROUTE without NLM_F_DUMP for IPv4: a route lookup (`ip route get
// ADDR`, what scripts ask for the way out and their own address), made in
// the sandbox's RouteConfig as Linux's fib_lookup makes it with its default
// rules: the local table first, then the main one, the longest prefix
// winning and then the lowest metric. The answer is laid out as
// inet_rtm_getroute lays it out: an RTM_NEWROUTE of table main, the
// route's type, RTM_F_CLONED with RTCF_LOCAL (and RTCF_BROADCAST) for a
// local (or broadcast) destination, and RTA_TABLE, RTA_DST, RTA_OIF (the
// loopback for a local one), RTA_PREFSRC, RTA_GATEWAY, RTA_UID and
// RTA_CACHEINFO.
//
// Differs from Linux: IPv6 lookups, RTA_SRC, RTA_IIF (a lookup as if
// received), marks and policy rules beyond the three defaults are not
// served (EOPNOTSUPP); a source chosen without the route's own preferred
// one is the outgoing link's first IPv4 address.

import { ENETUNREACH, EOPNOTSUPP } from '../../abi/linux/errno.js';
import { align, attributes, readU32le, u32le } from './message.js';
import { RTMSG_LEN, RouteConfig } from './route_config.js';

const AF_INET = 2;
const RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
  RTA_CACHEINFO = 12, RTA_TABLE = 15, RTA_UID = 25;
const RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;
const RTN_UNICAST = 1, RTN_LOCAL = 2, RTN_BROADCAST = 3;
const RTM_F_CLONED = 0x200, RTCF_BROADCAST = 0x10000000, RTCF_LOCAL = 0x80000000;
const LOOPBACK_INDEX = 1;

interface Route4 {
  table: number;
  type: number;
  dstLen: number;
  dst: number;
  oif: number;
  gateway: Uint8Array | null;
  prefsrc: Uint8Array | null;
  priority: number;
}

function be32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
}

function routes4(c: RouteConfig): Route4[] {
  const out: Route4[] = [];
  for (const o of c.routes) {
    if (RouteConfig.family(o) !== AF_INET || o.payload.length < RTMSG_LEN) continue;
    const a = attributes(o.payload, RTMSG_LEN);
    if (a === null) continue;
    const dst = a.get(RTA_DST);
    out.push({
      table: a.has(RTA_TABLE) ? readU32le(a.get(RTA_TABLE)) : o.payload[4], type: o.payload[7], dstLen: o.payload[1],
      dst: dst !== undefined && dst.length >= 4 ? be32(dst) : 0, oif: readU32le(a.get(RTA_OIF)),
      gateway: a.get(RTA_GATEWAY)?.subarray(0, 4) ?? null, prefsrc: a.get(RTA_PREFSRC)?.subarray(0, 4) ?? null,
      priority: readU32le(a.get(RTA_PRIORITY)),
    });
  }
  return out;
}

function matches(r: Route4, addr: number): boolean {
  if (r.dstLen === 0) return true;
  const mask = r.dstLen >= 32 ? 0xffffffff : (0xffffffff << (32 - r.dstLen)) >>> 0;
  return ((addr & mask) >>> 0) === ((r.dst & mask) >>> 0);
}

/** The best route of table for addr: the longest prefix, then the lowest metric. */
function best(routes: Route4[], table: number, addr: number): Route4 | undefined {
  let found: Route4 | undefined;
  for (const r of routes) {
    if (r.table !== table || !matches(r, addr)) continue;
    if (found === undefined || r.dstLen > found.dstLen || (r.dstLen === found.dstLen && r.priority < found.priority)) found = r;
  }
  return found;
}

function attr(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(align(4 + data.length));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 4 + data.length, true);
  dv.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

/**
 * The answer to a lookup request's payload (an rtmsg and its attributes):
 * an RTM_NEWROUTE payload, or -errno (ENETUNREACH: no route).
 */
export function lookupRoute4(c: RouteConfig, payload: Uint8Array, uid: number): Uint8Array | number {
  if (payload.length < RTMSG_LEN) return -EOPNOTSUPP;
  const a = attributes(payload, RTMSG_LEN);
  if (a === null) return -EOPNOTSUPP;
  if (a.has(RTA_SRC) || a.has(RTA_IIF)) return -EOPNOTSUPP;
  const dstAttr = a.get(RTA_DST);
  const dstBytes = dstAttr !== undefined && dstAttr.length >= 4 ? dstAttr.subarray(0, 4) : new Uint8Array(4);
  const addr = be32(dstBytes);
  const routes = routes4(c);
  const r = best(routes, RT_TABLE_LOCAL, addr) ?? best(routes, RT_TABLE_MAIN, addr);
  if (r === undefined || (r.type !== RTN_UNICAST && r.type !== RTN_LOCAL && r.type !== RTN_BROADCAST)) return -ENETUNREACH;
  const local = r.type === RTN_LOCAL || r.type === RTN_BROADCAST;
  const oif = local ? LOOPBACK_INDEX : r.oif;
  // Without the route's own preferred source, the outgoing link's first address (inet_select_addr, simplified).
  const src = r.prefsrc ?? (local ? dstBytes : c.inet4().find((x) => x.index === oif)?.local ?? null);
  const rtm = new Uint8Array(RTMSG_LEN);
  rtm[0] = AF_INET;
  rtm[1] = 32;
  rtm[4] = RT_TABLE_MAIN;
  rtm[7] = r.type;
  new DataView(rtm.buffer).setUint32(8, RTM_F_CLONED | (local ? RTCF_LOCAL : 0) | (r.type === RTN_BROADCAST ? RTCF_BROADCAST : 0), true);
  // struct rta_cacheinfo: rta_clntref 2 (the route and this answer), the rest 0 (no use, no expiry).
  const cacheinfo = new Uint8Array(32);
  cacheinfo[0] = 2;
  const parts = [rtm, attr(RTA_TABLE, u32le(RT_TABLE_MAIN)), attr(RTA_DST, dstBytes), attr(RTA_OIF, u32le(oif))];
  if (src !== null) parts.push(attr(RTA_PREFSRC, src));
  if (r.gateway !== null && !local) parts.push(attr(RTA_GATEWAY, r.gateway));
  parts.push(attr(RTA_UID, u32le(uid)), attr(RTA_CACHEINFO, cacheinfo));
  return Buffer.concat(parts);
}
