// read(2), write(2) and their positional and vectored forms, lseek(2).
// A read or write moves bytes between the file and views of the
// application's memory directly; a file that would block parks the task
// on the file's wait queue unless it is O_NONBLOCK. (sendfile(2) is in
// sys_splice.ts.)

import type { Task } from '../../kernel/task.js';
import { O_NONBLOCK, O_PATH, WOULD_BLOCK } from '../../vfs/file_description.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { EAGAIN, EBADF, EFAULT, EINVAL, ESPIPE, MAX_RW_COUNT, TASK_SIZE, iovecViews, ioViews, writeKeepingProgress } from '../support.js';
import { EOPNOTSUPP } from '../../abi/linux/errno.js';
import { IN_ACCESS, IN_MODIFY, anyWatches, notifyFile } from '../../vfs/inotify/watches.js';

const LOFF_MAX = (1n << 63n) - 1n;

function blockOrFail(t: Task, f: FileDescription, r: number, events: number): number {
  if (r !== WOULD_BLOCK || (f.flags & O_NONBLOCK) !== 0) return r;
  // A socket's SO_RCVTIMEO bounds the wait (EAGAIN at its end).
  const deadline = t.timedWaitDeadline(f.ioTimeoutMs(false));
  return deadline === -1 ? -EAGAIN : t.block([f.queue], events, deadline);
}

function doRead(t: Task, f: FileDescription, views: Uint8Array[], total: number, offset: number): number {
  if (!f.readable) return -EBADF;
  if (total === 0) return 0;
  const r = f.read(views, total, offset);
  if (r > 0 && anyWatches()) notifyFile(f.dentry, f.flags, IN_ACCESS);
  return blockOrFail(t, f, r, EVENT_IN);
}

/** write(2) and its forms: a blocking write to a pipe goes on until all of it is written, as Linux's pipe_write. */
function doWrite(t: Task, f: FileDescription, views: Uint8Array[], total: number, offset: number): number {
  if (!f.writable) return -EBADF;
  if (total === 0 && !f.writesEmpty) return 0;
  const r = writeKeepingProgress(t, views, total, {
    step: (v, n, done) => f.write(v, n, offset < 0 ? offset : offset + done),
    nonblock: (f.flags & O_NONBLOCK) !== 0,
    whole: f.writesWhole,
    sigpipe: true,
    queues: [f.queue],
    timeoutMs: f.ioTimeoutMs(true),
  });
  if (r > 0 && anyWatches()) notifyFile(f.dentry, f.flags, IN_MODIFY);
  return r;
}

/**
 * Whether the offset in argument i (not negative) plus len passes the
 * largest loff_t, as rw_verify_area() refuses; BigInt only near the limit.
 */
function pastLoffMax(t: Task, i: number, len: number): boolean {
  if (t.regs.argSigned(i) + len < 2 ** 62) return false;
  return BigInt.asIntN(64, t.regs.argBig(i)) + BigInt(len) > LOFF_MAX;
}

/** A file the positional and vectored calls may use: O_PATH descriptors are not (Linux's fdget skips them). */
function fileAt(t: Task, fd: number): FileDescription | undefined {
  const f = t.fdTable.get(fd);
  return f === undefined || (f.flags & O_PATH) !== 0 ? undefined : f;
}

function rw(t: Task, write: boolean, positional: boolean): number {
  const r = t.regs;
  let offset = -1;
  // pread64/pwrite64: a negative offset is refused before the descriptor is looked up,
  // and a file without positional I/O (ESPIPE) before its access mode (EBADF).
  if (positional) {
    offset = r.argSigned(3);
    if (offset < 0) return -EINVAL;
  }
  const f = fileAt(t, r.argInt(0));
  if (f === undefined) return -EBADF;
  if (positional && !f.seekable) return -ESPIPE;
  if (write ? !f.writable : !f.readable) return -EBADF;
  const count = r.arg(2);
  // access_ok() on the whole buffer (a count that is negative as ssize_t never fits), then
  // rw_verify_area() on the range in the file, both before the count is cut to MAX_RW_COUNT.
  if (r.arg(1) + count > TASK_SIZE) return -EFAULT;
  if (positional && pastLoffMax(t, 3, count)) return -EINVAL;
  // Nothing to move is success at once, except a write that sends something even empty (a datagram).
  if (count === 0 && !(write && f.writesEmpty)) return 0;
  const io = ioViews(t, r.arg(1), Math.min(count, MAX_RW_COUNT), !write);
  if (typeof io === 'number') return io;
  return write ? doWrite(t, f, io.views, io.total, offset) : doRead(t, f, io.views, io.total, offset);
}

export function sysRead(t: Task): number { return rw(t, false, false); }
export function sysWrite(t: Task): number { return rw(t, true, false); }
export function sysPread64(t: Task): number { return rw(t, false, true); }
export function sysPwrite64(t: Task): number { return rw(t, true, true); }


/** RWF_* flags preadv2/pwritev2 know: HIPRI, DSYNC, SYNC, NOWAIT, APPEND. */
const RWF_SUPPORTED = 0x1f;

/**
 * readv/writev (positional false), preadv/pwritev (positional true) and
 * preadv2/pwritev2 (v2: an offset of -1 means the file position, and
 * flags). Linux's order: a negative offset (EINVAL) before the descriptor
 * (EBADF), no positional I/O (ESPIPE) before the access mode (EBADF), then
 * the iovecs; nothing to transfer returns 0 before the flags are looked at.
 */
function rwv(t: Task, write: boolean, positional: boolean, v2: boolean): number {
  const r = t.regs;
  let offset = -1;
  let rwFlags = 0;
  if (v2) rwFlags = r.argInt(5);
  if (positional) {
    offset = r.argSigned(3);
    if (v2 && offset === -1) positional = false;
    else if (offset < 0) return -EINVAL;
  }
  const f = fileAt(t, r.argInt(0));
  if (f === undefined) return -EBADF;
  if (positional && !f.seekable) return -ESPIPE;
  if (write ? !f.writable : !f.readable) return -EBADF;
  const io = iovecViews(t, r.arg(1), r.argU32(2), !write);
  if (typeof io === 'number') return io;
  if (io.requested === 0) return 0;
  if (rwFlags & ~RWF_SUPPORTED) return -EOPNOTSUPP;
  // rw_verify_area(): the end of the range must fit in a loff_t.
  if (positional && pastLoffMax(t, 3, io.requested)) return -EINVAL;
  return write ? doWrite(t, f, io.views, io.total, offset) : doRead(t, f, io.views, io.total, offset);
}

export function sysReadv(t: Task): number { return rwv(t, false, false, false); }
export function sysWritev(t: Task): number { return rwv(t, true, false, false); }
export function sysPreadv(t: Task): number { return rwv(t, false, true, false); }
export function sysPwritev(t: Task): number { return rwv(t, true, true, false); }
export function sysPreadv2(t: Task): number { return rwv(t, false, true, true); }
export function sysPwritev2(t: Task): number { return rwv(t, true, true, true); }

export function sysLseek(t: Task): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined) return -EBADF;
  const whence = r.argU32(2);
  if (whence > 4) return -EINVAL;
  return f.seek(r.argSigned(1), whence);
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
