// The splice family (Linux fs/splice.c, fs/read_write.c): splice(2)
// between a pipe and a file or two pipes, tee(2) from pipe to pipe without
// consuming, vmsplice(2) between a pipe and the application's memory,
// copy_file_range(2) between regular files, and sendfile(2).
//
// Data moves through one Sentry buffer (pump), a chunk at a time: what is
// read from the source is taken from it only once the sink accepted it
// (a pipe is peeked, then consumed; a file's position advances by what was
// written), so nothing is lost on a short write. A call moves at most
// CALL_MAX bytes between files (a short count, which Linux allows and
// callers loop on); into a pipe, what fits; out of a pipe, what is there.
// When nothing can move yet, a blocking call parks on the pipe's queue
// (a signal ends it with ERESTARTSYS, as Linux's pipe waits), a
// nonblocking one (SPLICE_F_NONBLOCK, or O_NONBLOCK on a pipe) fails with
// EAGAIN.
//
// Differs from Linux: pipe space is counted in bytes, not page slots, so
// a pipe takes up to its capacity whatever the sizes of earlier writes;
// copy_file_range copies (no reflinks), and SPLICE_F_MOVE/MORE/GIFT are
// accepted without effect (pages are always copied).

import type { Task } from '../../kernel/task.js';
import { PipeFD } from '../../kernel/pipe.js';
import { BLOCK } from '../../kernel/task.js';
import type { Pipe } from '../../kernel/pipe.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_APPEND, O_NONBLOCK, O_PATH, WOULD_BLOCK } from '../../vfs/file_description.js';
import { makeDev } from '../../vfs/stat.js';
import type { WaitQueue } from '../../sync/waiter.js';
import { EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import { SI_USER, sendSignal, userSiginfo } from '../../kernel/signals.js';
import {
  EAGAIN, EBADF, EFAULT, EINVAL, EISDIR, EOVERFLOW, EPIPE, ESPIPE, EXDEV, copyInStruct, iovecViews,
} from '../support.js';

const SPLICE_F_ALL = 0xf, SPLICE_F_NONBLOCK = 2;
const MAX_RW_COUNT = 0x7ffff000;
const LOFF_MAX = (1n << 63n) - 1n;
/** The most one call moves between two files. */
const CALL_MAX = 16 << 20;
/** The Sentry buffer a chunk moves through. */
const CHUNK = 1 << 20;
const SIGPIPE = 13;
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000, S_IFREG = 0o100000;
const DEV_NULL = makeDev(1, 3), DEV_FULL = makeDev(1, 7);

let scratch: Uint8Array | null = null;
function buffer(n: number): Uint8Array {
  if (scratch === null) scratch = new Uint8Array(CHUNK);
  return scratch.subarray(0, Math.min(n, CHUNK));
}

/** Where bytes come from: peek at `done` bytes into what this call has taken, then take. */
interface Source {
  peek(dst: Uint8Array, done: number): number;
  consume(n: number): void;
  readonly queue: WaitQueue;
}

/** Where bytes go: what it accepted, WOULD_BLOCK, or -errno. */
interface Sink {
  write(src: Uint8Array): number;
  readonly queue: WaitQueue;
}

function pipeSource(p: Pipe, consume: boolean): Source {
  return {
    peek: (dst, done) => p.peek(dst, consume ? 0 : done),
    consume: (n) => {
      if (consume) p.consume(n);
    },
    queue: p.readEnd.queue,
  };
}

function pipeSink(p: Pipe): Sink {
  return {
    write: (src) => {
      if (p.readers === 0) return -EPIPE;
      const room = p.capacity - p.size;
      if (room <= 0) return WOULD_BLOCK;
      return p.write([src.subarray(0, Math.min(room, src.length))], Math.min(room, src.length));
    },
    queue: p.writeEnd.queue,
  };
}

/** A file read at a position that advances by what the sink took (pos.at); a file that cannot seek is read as a stream. */
function fileSource(f: FileDescription, pos: { at: number }): Source {
  if (!f.seekable) return { peek: (dst) => f.read([dst], dst.length, -1), consume: () => {}, queue: f.queue };
  return {
    peek: (dst) => f.read([dst], dst.length, pos.at),
    consume: (n) => {
      pos.at += n;
    },
    queue: f.queue,
  };
}

function fileSink(f: FileDescription, pos: { at: number } | null): Sink {
  return {
    write: (src) => {
      const n = f.write([src], src.length, pos === null ? -1 : pos.at);
      if (n > 0 && pos !== null) pos.at += n;
      return n;
    },
    queue: f.queue,
  };
}

/**
 * Moves up to count bytes from src to dst. Returns the bytes moved (if
 * any moved, whatever stopped it), or -errno, or the task's BLOCK when
 * nothing could move and the call waits.
 */
function pump(t: Task, src: Source, dst: Sink, count: number, nonblock: boolean): number {
  let done = 0;
  while (done < count) {
    const buf = buffer(count - done);
    const r = src.peek(buf, done);
    if (r === WOULD_BLOCK) {
      if (done > 0) return done;
      return nonblock ? -EAGAIN : t.block([src.queue], EVENT_IN);
    }
    if (r <= 0) return done > 0 ? done : r;
    const w = dst.write(buf.subarray(0, r));
    if (w === WOULD_BLOCK) {
      if (done > 0) return done;
      return nonblock ? -EAGAIN : t.block([dst.queue], EVENT_OUT);
    }
    if (w < 0) {
      if (w === -EPIPE) sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
      return done > 0 ? done : w;
    }
    src.consume(w);
    done += w;
    if (w < r || w === 0) return done;
  }
  return done;
}

/** A descriptor the splice calls may use (O_PATH ones are not: Linux's fdget skips them). */
function fileAt(t: Task, fd: number): FileDescription | undefined {
  const f = t.fdTable.get(fd);
  return f === undefined || (f.flags & O_PATH) !== 0 ? undefined : f;
}

function pipeOf(f: FileDescription): Pipe | null {
  return f instanceof PipeFD ? f.pipe : null;
}

/** Reads a loff_t argument: the offset, or -EFAULT. */
function readOffset(t: Task, addr: number): bigint | number {
  const dv = copyInStruct(t, addr, 8);
  return dv === null ? -EFAULT : dv.getBigInt64(0, true);
}

function writeOffset(t: Task, addr: number, v: number): number {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(v), true);
  return t.mm.copyOut(addr, b) < 0 ? -EFAULT : 0;
}

function kindOf(f: FileDescription): { type: number; rdev: number } | null {
  const st = f.stat();
  return typeof st === 'number' ? null : { type: st.mode & S_IFMT, rdev: st.rdev };
}

/** Whether Linux could splice from f (its file_operations have splice_read): not a directory, a pipe, or /dev/null. */
function canSpliceRead(f: FileDescription): boolean {
  if (f instanceof PipeFD) return false;
  const k = kindOf(f);
  if (k === null) return true;
  return k.type !== S_IFDIR && k.type !== S_IFIFO && !(k.type === S_IFCHR && k.rdev === DEV_NULL);
}

/** Whether Linux could splice to f (splice_write): not a directory or /dev/full. */
function canSpliceWrite(f: FileDescription): boolean {
  const k = kindOf(f);
  return !(k !== null && (k.type === S_IFDIR || (k.type === S_IFCHR && k.rdev === DEV_FULL)));
}

function isNonblock(flags: number, ...files: FileDescription[]): boolean {
  return (flags & SPLICE_F_NONBLOCK) !== 0 || files.some((f) => (f.flags & O_NONBLOCK) !== 0);
}

/** splice(fd_in, off_in, fd_out, off_out, len, flags), in Linux's order of checks (__do_splice, do_splice). */
export function sysSplice(t: Task): number {
  const r = t.regs;
  const offInAddr = r.arg(1), offOutAddr = r.arg(3);
  const len = Math.min(r.arg(4), MAX_RW_COUNT);
  const flags = r.argU32(5);
  if (r.arg(4) === 0) return 0;
  if (flags & ~SPLICE_F_ALL) return -EINVAL;
  const inp = fileAt(t, r.argInt(0));
  const out = inp === undefined ? undefined : fileAt(t, r.argInt(2));
  if (inp === undefined || out === undefined) return -EBADF;
  const ipipe = pipeOf(inp), opipe = pipeOf(out);
  if (ipipe !== null && offInAddr !== 0) return -ESPIPE;
  if (opipe !== null && offOutAddr !== 0) return -ESPIPE;
  let offOut: bigint | null = null, offIn: bigint | null = null;
  if (offOutAddr !== 0) {
    const o = readOffset(t, offOutAddr);
    if (typeof o === 'number') return o;
    offOut = o;
  }
  if (offInAddr !== 0) {
    const o = readOffset(t, offInAddr);
    if (typeof o === 'number') return o;
    offIn = o;
  }
  if (!inp.readable || !out.writable) return -EBADF;
  if (ipipe !== null && opipe !== null) {
    if (ipipe === opipe) return -EINVAL;
    return pump(t, pipeSource(ipipe, true), pipeSink(opipe), len, isNonblock(flags, inp, out));
  }
  if (ipipe !== null) {
    // Pipe to file.
    if (offOut !== null && !out.seekable) return -EINVAL;
    if (out.flags & O_APPEND) return -EINVAL;
    const start = offOut ?? BigInt(out.offset);
    if (start < 0n || start + BigInt(len) > LOFF_MAX) return -EINVAL;
    if (!canSpliceWrite(out)) return -EINVAL;
    const pos = { at: Number(start) };
    const n = pump(t, pipeSource(ipipe, true), fileSink(out, out.seekable ? pos : null), len, isNonblock(flags, inp, out));
    if (n > 0) {
      if (offOut === null) {
        if (out.seekable) out.offset = pos.at;
      } else if (writeOffset(t, offOutAddr, pos.at) < 0) return -EFAULT;
    }
    return n;
  }
  if (opipe !== null) {
    // File to pipe.
    if (offIn !== null && !inp.seekable) return -EINVAL;
    const nonblock = isNonblock(flags, out);
    if (opipe.readers === 0) {
      sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
      return -EPIPE;
    }
    if (opipe.size >= opipe.capacity) return nonblock ? -EAGAIN : t.block([opipe.writeEnd.queue], EVENT_OUT);
    const start = offIn ?? BigInt(inp.offset);
    if (start < 0n || start + BigInt(len) > LOFF_MAX) return -EINVAL;
    if (!canSpliceRead(inp)) return -EINVAL;
    const pos = { at: Number(start) };
    const n = pump(t, fileSource(inp, pos), pipeSink(opipe), Math.min(len, opipe.capacity - opipe.size), nonblock);
    if (n > 0) {
      if (offIn === null) {
        if (inp.seekable) inp.offset = pos.at;
      } else if (writeOffset(t, offInAddr, pos.at) < 0) return -EFAULT;
    }
    return n;
  }
  return -EINVAL;
}

/** tee(fd_in, fd_out, len, flags): copies from one pipe into another, leaving the input as it was. */
export function sysTee(t: Task): number {
  const r = t.regs;
  const flags = r.argU32(3);
  if (flags & ~SPLICE_F_ALL) return -EINVAL;
  if (r.arg(2) === 0) return 0;
  const inp = fileAt(t, r.argInt(0));
  const out = inp === undefined ? undefined : fileAt(t, r.argInt(1));
  if (inp === undefined || out === undefined) return -EBADF;
  if (!inp.readable || !out.writable) return -EBADF;
  const ipipe = pipeOf(inp), opipe = pipeOf(out);
  if (ipipe === null || opipe === null || ipipe === opipe) return -EINVAL;
  const nonblock = isNonblock(flags, inp, out);
  // ipipe_prep, then opipe_prep: wait for data, then for room.
  if (ipipe.size === 0) {
    if (ipipe.writers === 0) return 0;
    return nonblock ? -EAGAIN : t.block([ipipe.readEnd.queue], EVENT_IN);
  }
  return pump(t, pipeSource(ipipe, false), pipeSink(opipe), Math.min(r.arg(2), MAX_RW_COUNT, ipipe.size), nonblock);
}

/** vmsplice(fd, iov, nr_segs, flags): the application's memory into a pipe, or out of one. */
export function sysVmsplice(t: Task): number {
  const r = t.regs;
  const flags = r.argU32(3);
  if (flags & ~SPLICE_F_ALL) return -EINVAL;
  const f = fileAt(t, r.argInt(0));
  if (f === undefined) return -EBADF;
  const toPipe = f.writable;
  if (!toPipe && !f.readable) return -EBADF;
  const io = iovecViews(t, r.arg(1), r.arg(2), !toPipe);
  if (typeof io === 'number') return io;
  if (io.requested === 0) return 0;
  const p = pipeOf(f);
  if (p === null) return -EBADF;
  const nonblock = isNonblock(flags, f);
  if (toPipe) {
    const sink = pipeSink(p);
    let done = 0;
    for (const v of io.views) {
      const w = sink.write(v);
      if (w === WOULD_BLOCK) break;
      if (w < 0) {
        if (done > 0) return done;
        if (w === -EPIPE) sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
        return w;
      }
      done += w;
      if (w < v.length) break;
    }
    if (done > 0) return done;
    return nonblock ? -EAGAIN : t.block([p.writeEnd.queue], EVENT_OUT);
  }
  const n = p.read(io.views);
  if (n === WOULD_BLOCK) return nonblock ? -EAGAIN : t.block([p.readEnd.queue], EVENT_IN);
  return n;
}

/** The file system instance a description's file is on, for copy_file_range's EXDEV. */
function superOf(f: FileDescription): object | number | null {
  if (f.dentry !== null) return f.dentry.inode.fs;
  const st = f.stat();
  return typeof st === 'number' ? null : st.dev;
}

/**
 * copy_file_range(fd_in, off_in, fd_out, off_out, len, flags), in Linux's
 * order (generic_copy_file_checks, rw_verify_area): between regular files
 * of one file system instance (across instances EXDEV, as Linux 5.19 and
 * later answer for file systems without their own copy_file_range).
 */
export function sysCopyFileRange(t: Task): number {
  const r = t.regs;
  const inp = fileAt(t, r.argInt(0));
  if (inp === undefined) return -EBADF;
  const out = fileAt(t, r.argInt(2));
  if (out === undefined) return -EBADF;
  const offInAddr = r.arg(1), offOutAddr = r.arg(3);
  let posIn: bigint, posOut: bigint;
  if (offInAddr !== 0) {
    const o = readOffset(t, offInAddr);
    if (typeof o === 'number') return o;
    posIn = o;
  } else posIn = BigInt(inp.offset);
  if (offOutAddr !== 0) {
    const o = readOffset(t, offOutAddr);
    if (typeof o === 'number') return o;
    posOut = o;
  } else posOut = BigInt(out.offset);
  if (r.argU32(5) !== 0 || r.argHigh(5)) return -EINVAL;
  let len = BigInt(r.arg(4));
  const stIn = inp.stat(), stOut = out.stat();
  if (typeof stIn === 'number') return stIn;
  if (typeof stOut === 'number') return stOut;
  const tIn = stIn.mode & S_IFMT, tOut = stOut.mode & S_IFMT;
  if (tIn === S_IFDIR || tOut === S_IFDIR) return -EISDIR;
  if (tIn !== S_IFREG || tOut !== S_IFREG) return -EINVAL;
  if (!inp.readable || !out.writable || (out.flags & O_APPEND) !== 0) return -EBADF;
  if (superOf(inp) !== superOf(out)) return -EXDEV;
  const U64 = 1n << 64n;
  if (BigInt.asUintN(64, posIn) + len >= U64 || BigInt.asUintN(64, posOut) + len >= U64) return -EOVERFLOW;
  const sizeIn = BigInt(stIn.size);
  len = posIn >= sizeIn ? 0n : (len < sizeIn - posIn ? len : sizeIn - posIn);
  const sameFile = stIn.dev === stOut.dev && stIn.ino === stOut.ino;
  if (sameFile && posOut + len > posIn && posOut < posIn + len) return -EINVAL;
  if (posIn < 0n || posOut < 0n || posIn + len > LOFF_MAX || posOut + len > LOFF_MAX) return -EINVAL;
  if (len === 0n) return 0;
  const count = Math.min(Number(len), CALL_MAX);
  const pin = { at: Number(posIn) }, pout = { at: Number(posOut) };
  const n = pump(t, fileSource(inp, pin), fileSink(out, pout), count, true);
  if (n > 0) {
    if (offInAddr !== 0) {
      if (writeOffset(t, offInAddr, pin.at) < 0) return -EFAULT;
    } else inp.offset = pin.at;
    if (offOutAddr !== 0) {
      if (writeOffset(t, offOutAddr, pout.at) < 0) return -EFAULT;
    } else out.offset = pout.at;
  }
  return n === -EAGAIN ? 0 : n;
}

/**
 * sendfile(out_fd, in_fd, offset*, count). Linux's order: the offset is
 * read first (EFAULT); then the input (EBADF, ESPIPE with an offset,
 * EINVAL for a negative offset or count or a range past the largest
 * offset); then the output (EBADF; EINVAL when it is not a pipe and is
 * O_APPEND); a count of 0 is done there; then EINVAL if either file cannot
 * be spliced. The offset is written back whatever the result. Into a pipe
 * it moves what fits; into anything else, up to CALL_MAX bytes a call.
 */
export function sysSendfile(t: Task): number {
  const r = t.regs;
  const offAddr = r.arg(2);
  let pos: bigint | null = null;
  if (offAddr !== 0) {
    const o = readOffset(t, offAddr);
    if (typeof o === 'number') return o;
    pos = o;
  }
  const at = { at: pos === null ? 0 : Number(pos) };
  const ret = sendfile(t, pos, at);
  if (pos !== null && ret !== BLOCK && writeOffset(t, offAddr, ret >= 0 ? at.at : Number(pos)) < 0) return -EFAULT;
  return ret;
}

function sendfile(t: Task, pos: bigint | null, at: { at: number }): number {
  const r = t.regs;
  const inp = fileAt(t, r.argInt(1));
  if (inp === undefined || !inp.readable) return -EBADF;
  if (pos !== null && !inp.seekable) return -ESPIPE;
  if (r.argSigned(3) < 0) return -EINVAL;
  if (pos !== null && (pos < 0n || pos + r.argBig(3) > LOFF_MAX)) return -EINVAL;
  const count = Math.min(r.arg(3), MAX_RW_COUNT);
  const out = fileAt(t, r.argInt(0));
  if (out === undefined || !out.writable) return -EBADF;
  const opipe = pipeOf(out);
  if (opipe === null && (out.flags & O_APPEND) !== 0) return -EINVAL;
  if (count === 0) return 0;
  if (!canSpliceRead(inp) || (opipe === null && !canSpliceWrite(out))) return -EINVAL;
  const position = pos !== null ? at : { at: inp.offset };
  const source = fileSource(inp, position);
  let n: number;
  if (opipe !== null) {
    if (opipe.readers === 0) {
      sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
      return -EPIPE;
    }
    n = pump(t, source, pipeSink(opipe), Math.min(count, Math.max(1, opipe.capacity - opipe.size)), (out.flags & O_NONBLOCK) !== 0);
  } else {
    n = pump(t, source, fileSink(out, null), Math.min(count, CALL_MAX), isNonblock(0, inp, out) || !out.pollable);
  }
  if (n > 0 && pos === null && inp.seekable) inp.offset = position.at;
  return n;
}
