// read(2), write(2) and their positional and vectored forms, lseek(2),
// sendfile(2). A read or write moves bytes between the file and views of
// the application's memory directly; a file that would block parks the
// task on the file's wait queue unless it is O_NONBLOCK.

import type { Task } from '../../kernel/task.js';
import { SI_USER, sendSignal, userSiginfo } from '../../kernel/signals.js';
import { O_NONBLOCK, O_PATH, WOULD_BLOCK } from '../../vfs/file_description.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import { EBADF, EFAULT, EINVAL, ESPIPE, copyInStruct, getU64, ioViews } from '../support.js';
import { EOPNOTSUPP, EPIPE } from '../../abi/linux/errno.js';

const MAX_RW_COUNT = 0x7ffff000;
const SIGPIPE = 13;
const IOV_MAX = 1024;

function blockOrFail(t: Task, f: FileDescription, r: number, events: number): number {
  if (r === WOULD_BLOCK && (f.flags & O_NONBLOCK) === 0) return t.block([f.queue], events);
  return r;
}

function doRead(t: Task, f: FileDescription, views: Uint8Array[], total: number, offset: number): number {
  if (!f.readable) return -EBADF;
  if (total === 0) return 0;
  return blockOrFail(t, f, f.read(views, total, offset), EVENT_IN);
}

function doWrite(t: Task, f: FileDescription, views: Uint8Array[], total: number, offset: number): number {
  if (!f.writable) return -EBADF;
  if (total === 0) return 0;
  const r = f.write(views, total, offset);
  if (r === -EPIPE) {
    // Writing to a pipe nobody reads raises SIGPIPE; the call fails with EPIPE if the process survives.
    sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgid, t.creds.ruid));
    return r;
  }
  return blockOrFail(t, f, r, EVENT_OUT);
}

function rw(t: Task, write: boolean, positional: boolean): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined) return -EBADF;
  if (write ? !f.writable : !f.readable) return -EBADF;
  let count = r.arg(2);
  if (r.argHigh(2) && r.hi32(2) >= 0x80000000) return -EINVAL; // (ssize_t)count < 0
  count = Math.min(count, MAX_RW_COUNT);
  let offset = -1;
  if (positional) {
    offset = r.argSigned(3);
    if (offset < 0) return -EINVAL;
    if (!f.seekable) return -ESPIPE;
  }
  if (count === 0) return 0;
  const io = ioViews(t, r.arg(1), count, !write);
  if (typeof io === 'number') return io;
  return write ? doWrite(t, f, io.views, io.total, offset) : doRead(t, f, io.views, io.total, offset);
}

export function sysRead(t: Task): number { return rw(t, false, false); }
export function sysWrite(t: Task): number { return rw(t, true, false); }
export function sysPread64(t: Task): number { return rw(t, false, true); }
export function sysPwrite64(t: Task): number { return rw(t, true, true); }

/** Reads an iovec array into views; -errno on bad input. */
function iovecViews(t: Task, iovAddr: number, iovcnt: number, write: boolean): { views: Uint8Array[]; total: number } | number {
  if (iovcnt < 0 || iovcnt > IOV_MAX) return -EINVAL;
  if (iovcnt === 0) return { views: [], total: 0 };
  const dv = copyInStruct(t, iovAddr, iovcnt * 16);
  if (dv === null) return -EFAULT;
  const views: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = getU64(dv, i * 16);
    const len = getU64(dv, i * 16 + 8);
    if (dv.getUint32(i * 16 + 12, true) >= 0x80000000) return -EINVAL;
    if (total + len > MAX_RW_COUNT) return -EINVAL;
    if (len === 0) continue;
    const n = t.mm.forEachView(base, len, write, (v) => views.push(v));
    total += n;
    if (n < len) {
      if (total === 0) return -EFAULT;
      break;
    }
  }
  return { views, total };
}

function rwv(t: Task, write: boolean, positional: boolean): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined) return -EBADF;
  if (write ? !f.writable : !f.readable) return -EBADF;
  let offset = -1;
  if (positional) {
    offset = r.argSigned(3);
    if (offset === -1 && r.argInt(4) !== undefined) offset = -1;
    if (offset < -1) return -EINVAL;
    if (offset >= 0 && !f.seekable) return -ESPIPE;
  }
  const io = iovecViews(t, r.arg(1), r.argInt(2), !write);
  if (typeof io === 'number') return io;
  return write ? doWrite(t, f, io.views, io.total, offset) : doRead(t, f, io.views, io.total, offset);
}

export function sysReadv(t: Task): number { return rwv(t, false, false); }
export function sysWritev(t: Task): number { return rwv(t, true, false); }
export function sysPreadv(t: Task): number { return rwv(t, false, true); }
export function sysPwritev(t: Task): number { return rwv(t, true, true); }

export function sysPreadv2(t: Task): number {
  if (t.regs.argInt(5) & ~0x1f) return -EOPNOTSUPP;
  return rwv(t, false, true);
}
export function sysPwritev2(t: Task): number {
  if (t.regs.argInt(5) & ~0x1f) return -EOPNOTSUPP;
  return rwv(t, true, true);
}

export function sysLseek(t: Task): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined) return -EBADF;
  const whence = r.argU32(2);
  if (whence > 4) return -EINVAL;
  return f.seek(r.argSigned(1), whence);
}

/** sendfile(out_fd, in_fd, offset*, count): copied through a Sentry buffer. */
export function sysSendfile(t: Task): number {
  const r = t.regs;
  const out = t.fdTable.get(r.argInt(0));
  const inp = t.fdTable.get(r.argInt(1));
  if (out === undefined || inp === undefined) return -EBADF;
  if (!inp.readable || !out.writable) return -EBADF;
  const offAddr = r.arg(2);
  let count = Math.min(r.arg(3), MAX_RW_COUNT);
  if (r.argHigh(3) && r.hi32(3) >= 0x80000000) return -EINVAL;
  let offset = -1;
  if (offAddr !== 0) {
    const dv = copyInStruct(t, offAddr, 8);
    if (dv === null) return -EFAULT;
    offset = dv.getUint32(0, true) + dv.getInt32(4, true) * 4294967296;
    if (offset < 0) return -EINVAL;
    if (!inp.seekable) return -ESPIPE;
  }
  if (inp.dentry !== null && (inp.dentry.inode.mode & 0o170000) === 0o040000) return -EINVAL;
  count = Math.min(count, 1 << 20);
  if (count === 0) return 0;
  const buf = new Uint8Array(count);
  const n = inp.read([buf], count, offset);
  if (n < 0) return blockOrFail(t, inp, n, EVENT_IN);
  if (n === 0) return 0;
  const w = out.write([buf.subarray(0, n)], n, -1);
  if (w < 0) {
    // Give back what was read from a seekable file.
    if (offset < 0 && inp.seekable) inp.seek(-n, 1);
    return w === WOULD_BLOCK ? blockOrFail(t, out, w, EVENT_OUT) : w;
  }
  if (w < n && offset < 0 && inp.seekable) inp.seek(w - n, 1);
  if (offAddr !== 0) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(offset + w), true);
    if (t.mm.copyOut(offAddr, b) < 0) return -EFAULT;
  }
  return w;
}


/**
 * fadvise64(fd, offset, len, advice): advice only; the Sentry keeps no page
 * cache of its own, so accepting it changes nothing but is what Linux does
 * for any file that is not a pipe.
 */
export function sysFadvise64(t: Task): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined || (f.flags & O_PATH) !== 0) return -EBADF;
  if (!f.seekable) return -ESPIPE;
  const advice = r.argInt(3);
  if (advice < 0 || advice > 5 || r.argSigned(2) < 0) return -EINVAL;
  return 0;
}

/** readahead(fd, offset, count): only regular files can be read ahead. */
export function sysReadahead(t: Task): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined || !f.readable) return -EBADF;
  const st = f.stat();
  if (typeof st === 'number') return st;
  if (!st.isReg()) return -EINVAL;
  return 0;
}
