// getdents(2) and getdents64(2): directory entries into the application's
// buffer. getdents (the old linux_dirent layout) is converted from the
// linux_dirent64 records every file system produces.

import type { Task } from '../../kernel/task.js';
import { EBADF, EFAULT } from '../support.js';

const MAX_BUF = 1 << 20;

/** Reads linux_dirent64 records for getdents(fd, buf, count) into a Sentry buffer. */
function readDirents(t: Task): { buf: Uint8Array; n: number } | number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined || !f.readable) return -EBADF;
  const buf = new Uint8Array(Math.min(r.argU32(2), MAX_BUF));
  const n = f.getdents(buf);
  return n <= 0 ? n : { buf, n };
}

export function sysGetdents64(t: Task): number {
  const d = readDirents(t);
  if (typeof d === 'number') return d;
  return t.mm.copyOut(t.regs.arg(1), d.buf.subarray(0, d.n)) < 0 ? -EFAULT : d.n;
}

export function sysGetdents(t: Task): number {
  // Old records are the same size as new ones (the type byte moves to the end), so a
  // dirent64 buffer of the same size converts record for record.
  const d = readDirents(t);
  if (typeof d === 'number') return d;
  const { buf, n } = d;
  const out = new Uint8Array(n);
  const src = new DataView(buf.buffer), dst = new DataView(out.buffer);
  let o = 0;
  while (o < n) {
    const reclen = src.getUint16(o + 16, true);
    const type = buf[o + 18];
    dst.setBigUint64(o, src.getBigUint64(o, true), true);
    dst.setBigUint64(o + 8, src.getBigUint64(o + 8, true), true);
    dst.setUint16(o + 16, reclen, true);
    const nameEnd = buf.indexOf(0, o + 19);
    out.set(buf.subarray(o + 19, nameEnd), o + 18);
    out[o + 18 + (nameEnd - o - 19)] = 0;
    out[o + reclen - 1] = type;
    o += reclen;
  }
  if (t.mm.copyOut(t.regs.arg(1), out) < 0) return -EFAULT;
  return n;
}

