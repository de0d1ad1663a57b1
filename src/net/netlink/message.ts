// Netlink's wire format (linux/netlink.h, linux/rtnetlink.h; gVisor's
// pkg/abi/linux/netlink.go and pkg/sentry/socket/netlink/message.go): the
// 16-byte message header, 4-byte alignment, and route attributes. Messages
// are read from what a program sent, so every length is checked against
// what is there before it is believed.

export const NLMSG_HDRLEN = 16;
export const NLMSG_ALIGNTO = 4;

export const NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4, NLMSG_MIN_TYPE = 0x10;

export const NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_ECHO = 0x8, NLM_F_DUMP_INTR = 0x10,
  NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** In an NLMSG_ERROR's flags: the request's payload was left out (NETLINK_CAP_ACK). */
export const NLM_F_CAPPED = 0x100;

export const RTM_BASE = 16, RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19,
  RTM_NEWADDR = 20, RTM_GETADDR = 22, RTM_NEWROUTE = 24, RTM_GETROUTE = 26, RTM_NEWNEIGH = 28, RTM_GETNEIGH = 30,
  /** The last rtnetlink message type Linux 6.1 defines (RTM_GETTUNNEL + 2, rounded as RTM_MAX is). */
  RTM_MAX = 123;

export const IFLA_IFNAME = 3;

/** A little-endian u32, as every netlink integer attribute and option is. */
export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** An attribute's little-endian u32 (0 when it is absent or short). */
export function readU32le(b: Uint8Array | undefined): number {
  return b === undefined || b.length < 4 ? 0 : new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

export function align(n: number): number {
  return (n + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

/** One message of a program's request: its header fields and its payload (the bytes after the header, within nlmsg_len). */
export interface NlMsg {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
  /** The whole message as sent (header and payload): what an error reply echoes. */
  raw: Uint8Array;
}

/**
 * The messages of a datagram, as netlink_rcv_skb walks them: it stops at
 * the first whose length is shorter than a header or longer than what is
 * left (that message and the rest are dropped, as Linux drops them).
 */
export function* messages(buf: Uint8Array): Generator<NlMsg> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (buf.length - off >= NLMSG_HDRLEN) {
    const len = dv.getUint32(off, true);
    if (len < NLMSG_HDRLEN || len > buf.length - off) return;
    yield {
      len, type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true), seq: dv.getUint32(off + 8, true),
      pid: dv.getUint32(off + 12, true), payload: buf.subarray(off + NLMSG_HDRLEN, off + len), raw: buf.subarray(off, off + len),
    };
    off += align(len);
  }
}

/** A message: the header made for payload, the payload copied after it, padded to the alignment. */
export function encode(type: number, flags: number, seq: number, pid: number, payload: Uint8Array): Uint8Array {
  const len = NLMSG_HDRLEN + payload.length;
  const out = new Uint8Array(align(len));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, len, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  dv.setUint32(12, pid, true);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/**
 * netlink_ack: an NLMSG_ERROR carrying -errno (0: an acknowledgement)
 * and the request's header, with its payload too unless capped (an ack
 * never carries the payload, NETLINK_CAP_ACK leaves it out of errors).
 */
export function ackMessage(req: NlMsg, errno: number, portid: number, capAck: boolean): Uint8Array {
  const capped = errno === 0 || capAck;
  const echo = capped ? req.raw.subarray(0, NLMSG_HDRLEN) : req.raw;
  const payload = new Uint8Array(4 + echo.length);
  new DataView(payload.buffer).setInt32(0, -errno, true);
  payload.set(echo, 4);
  return encode(NLMSG_ERROR, capped ? NLM_F_CAPPED : 0, req.seq, portid, payload);
}

/** The attributes after a fixed header of hdrLen bytes, by type (the first of each type wins); null if they run past the payload. */
export function attributes(payload: Uint8Array, hdrLen: number): Map<number, Uint8Array> | null {
  const out = new Map<number, Uint8Array>();
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let off = align(hdrLen);
  while (payload.length - off >= 4) {
    const len = dv.getUint16(off, true), type = dv.getUint16(off + 2, true) & 0x3fff;
    if (len < 4 || len > payload.length - off) return null;
    if (!out.has(type)) out.set(type, payload.subarray(off + 4, off + len));
    off += align(len);
  }
  return out;
}

/** A NUL-terminated attribute as a string (up to its NUL). */
export function attrString(v: Uint8Array): string {
  const nul = v.indexOf(0);
  return Buffer.from(nul >= 0 ? v.subarray(0, nul) : v).toString('latin1');
}
