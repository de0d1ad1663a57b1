// What every system call family shares: reading arguments, reaching
// application memory, and turning paths into dentries the way the *at()
// calls do (a dirfd, AT_FDCWD, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW).

import type { Task } from '../kernel/task.js';
import type { Dentry } from '../vfs/dentry.js';
import type { FileDescription } from '../vfs/file_description.js';
import { WOULD_BLOCK } from '../vfs/file_description.js';
import type { WaitQueue } from '../sync/waiter.js';
import { EVENT_OUT } from '../sync/waiter.js';
import { SI_USER, sendSignal, userSiginfo } from '../kernel/signals.js';
import { EAGAIN, EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, EPIPE, EROFS } from '../abi/linux/errno.js';
import { RESOLVE_BENEATH, RESOLVE_IN_ROOT } from '../vfs/vfs.js';
import type { ParentLookup } from '../vfs/vfs.js';
import { dropPrefix } from '../mm/io.js';
export { E2BIG, EACCES, EAGAIN, EBADF, EBUSY, ECHILD, EEXIST, EFAULT, EFBIG, EINTR, EINVAL, EIO, EISDIR, ELOOP, EMFILE, EMLINK, ENAMETOOLONG, ENFILE, ENODATA, ENODEV, ENOENT, ENOEXEC, ENOMEM, ENOSPC, ENOSYS, ENOTDIR, ENOTEMPTY, ENOTSUP, ENOTTY, ENXIO, EOPNOTSUPP, EOVERFLOW, EPERM, EPIPE, ERANGE, EROFS, ESPIPE, ESRCH, ETIMEDOUT, EXDEV } from '../abi/linux/errno.js';


export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200, AT_SYMLINK_FOLLOW = 0x400,
  AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_STATX_SYNC_TYPE = 0x6000;

export const PATH_MAX = 4096;
/** The end of the user address space as access_ok() sees it (x86-64, 4-level paging). */
export const TASK_SIZE = 2 ** 47 - 4096;

/** Reads a path argument: -EFAULT, -ENAMETOOLONG, or the byte string. */
export function readPath(t: Task, addr: number): string | number {
  return t.mm.readCString(addr, PATH_MAX);
}

/** The directory a relative path in an *at() call starts from. */
export function startDir(t: Task, dirfd: number): Dentry | number {
  if (dirfd === AT_FDCWD) return t.cwd;
  const f = t.fdTable.get(dirfd);
  if (f === undefined) return -EBADF;
  if (f.dentry === null) return -ENOTDIR;
  return f.dentry;
}

/**
 * Resolves (dirfd, path) as the *at() calls do. With AT_EMPTY_PATH and an
 * empty path, the result is the file at dirfd itself. `resolve` is
 * openat2's RESOLVE_* flags.
 */
export function resolveAt(t: Task, dirfd: number, path: string, follow: boolean, emptyPath: boolean, resolve = 0): Dentry | number {
  if (path.length === 0) {
    if (!emptyPath) return -ENOENT;
    if (dirfd === AT_FDCWD) return t.cwd;
    const f = t.fdTable.get(dirfd);
    if (f === undefined) return -EBADF;
    if (f.dentry === null) return -ENOENT;
    return f.dentry;
  }
  let start: Dentry | number = t.cwd;
  if (path[0] !== '/' || resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) {
    start = startDir(t, dirfd);
    if (typeof start === 'number') return start;
    if ((start.inode.mode & 0o170000) !== 0o040000) return -ENOTDIR;
  }
  return t.kernel.vfs.walk(t.creds, t.root, start, path, { followFinal: follow, resolve });
}

/**
 * Installs a description just made at the lowest free descriptor, handing
 * over the creation's reference: the descriptor, or -EMFILE/-ENFILE (the
 * description is then released).
 */
export function installNew(t: Task, f: FileDescription, cloexec: boolean): number {
  const fd = t.fdTable.install(f, 0, cloexec, t.tg.nofile);
  f.decRef();
  return fd;
}

const SIGPIPE = 13;

/**
 * A write that keeps its progress across the runs of its call: step(views,
 * n, done) writes what it can of the rest (after `done` bytes). A short
 * count goes on if `whole` (pipes, stream sockets), parking on `queues`
 * while the file would block; EPIPE raises SIGPIPE if `sigpipe`. What was
 * written is the result when the call ends early (a signal, an error).
 */
export function writeKeepingProgress(t: Task, views: Uint8Array[], total: number, o: {
  step: (views: Uint8Array[], n: number, done: number) => number;
  nonblock: boolean;
  whole: boolean;
  sigpipe: boolean;
  queues: WaitQueue[];
  /** A socket's SO_SNDTIMEO (ms, 0: none): the wait ends with what was written, or EAGAIN. */
  timeoutMs?: number;
}): number {
  const st = t.syscallState;
  let done = typeof st?.partial === 'number' ? st.partial : 0;
  for (;;) {
    const r = o.step(dropPrefix(views, done), total - done, done);
    if (r === -EPIPE) {
      // The call fails with EPIPE if the process survives the SIGPIPE.
      if (o.sigpipe) sendSignal(t, userSiginfo(SIGPIPE, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid));
      return done > 0 ? done : r;
    }
    if (r === WOULD_BLOCK) {
      if (o.nonblock) return done > 0 ? done : -EAGAIN;
      const deadline = t.timedWaitDeadline(o.timeoutMs ?? 0);
      if (deadline === -1) return done > 0 ? done : -EAGAIN;
      if (done > 0) t.syscallState = { ...(t.syscallState ?? {}), partial: done };
      return t.block(o.queues, EVENT_OUT, deadline);
    }
    if (r < 0) return done > 0 ? done : r;
    done += r;
    // Elsewhere a short count (a full disk, an eventfd's 8 bytes, a datagram) is final.
    if (done >= total || r === 0 || !o.whole) return done;
  }
}


/** The most a read or write moves in one call (Linux's MAX_RW_COUNT), and the most iovec entries (UIO_MAXIOV). */
export const MAX_RW_COUNT = 0x7ffff000, IOV_MAX = 1024;

/**
 * Reads an iovec array into views, in the order of Linux's import_iovec():
 * more than IOV_MAX entries is EINVAL; an unreadable array is EFAULT; a
 * length that is negative as ssize_t, in any entry, is EINVAL; then each
 * entry's whole range must lie in the user address space (access_ok(),
 * EFAULT) before the lengths are cut down so that the total stays within
 * MAX_RW_COUNT. The views then cover the buffers as far as they are
 * mapped: a fault part way shortens the I/O, a fault at the start is
 * EFAULT.
 */
export function iovecViews(t: Task, iovAddr: number, iovcnt: number, write: boolean): { views: Uint8Array[]; total: number; requested: number } | number {
  if (iovcnt > IOV_MAX) return -EINVAL;
  if (iovcnt === 0) return { views: [], total: 0, requested: 0 };
  const dv = copyInStruct(t, iovAddr, iovcnt * 16);
  if (dv === null) return -EFAULT;
  for (let i = 0; i < iovcnt; i++) {
    if (dv.getUint32(i * 16 + 12, true) >= 0x80000000) return -EINVAL;
  }
  const bases: number[] = [], lens: number[] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = getU64(dv, i * 16);
    let len = getU64(dv, i * 16 + 8);
    if (base + len > TASK_SIZE) return -EFAULT;
    len = Math.min(len, MAX_RW_COUNT - total);
    total += len;
    bases.push(base);
    lens.push(len);
  }
  const views: Uint8Array[] = [];
  let covered = 0;
  for (let i = 0; i < iovcnt; i++) {
    if (lens[i] === 0) continue;
    const n = t.mm.forEachView(bases[i], lens[i], write, (v) => views.push(v));
    covered += n;
    if (n < lens[i]) {
      if (covered === 0) return -EFAULT;
      break;
    }
  }
  return { views, total: covered, requested: total };
}

/**
 * Collects views of the application buffer [addr, addr+len) for I/O.
 * Returns the views and the number of bytes they cover; a fault part way
 * shortens the buffer as Linux's partial copies do, and a fault at the
 * start is -EFAULT.
 */
export function ioViews(t: Task, addr: number, len: number, write: boolean): { views: Uint8Array[]; total: number } | number {
  const views: Uint8Array[] = [];
  if (len === 0) return { views, total: 0 };
  const total = t.mm.forEachView(addr, len, write, (v) => views.push(v));
  if (total === 0) return -EFAULT;
  return { views, total };
}

/** Writes a little-endian u64 into b at o. */
export function putU64(dv: DataView, o: number, v: number): void {
  dv.setUint32(o, v % 4294967296, true);
  dv.setUint32(o + 4, Math.floor(v / 4294967296), true);
}

export function getU64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 4294967296;
}

export function getI64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getInt32(o + 4, true) * 4294967296;
}

/** Copies in a struct of len bytes as a DataView, or null on a fault. */
export function copyInStruct(t: Task, addr: number, len: number): DataView | null {
  const b = t.mm.copyIn(addr, len);
  return b === null ? null : new DataView(b.buffer, b.byteOffset, b.length);
}

/** Copies out bytes; 0 or -EFAULT. */
export function copyOut(t: Task, addr: number, b: Uint8Array): number {
  return t.mm.copyOut(addr, b);
}

/** An object the ioctl handlers use to reach task memory. */
export function ioctlIO(t: Task): { copyIn(a: number, l: number): Uint8Array | null; copyOut(a: number, d: Uint8Array): number } {
  return { copyIn: (a, l) => t.mm.copyIn(a, l), copyOut: (a, d) => t.mm.copyOut(a, d) };
}

export type { ParentLookup } from '../vfs/vfs.js';

/** Walks all but the last component of (dirfd, path), as the calls that create or remove a name do. */
export function parentAt(t: Task, dirfd: number, path: string): ParentLookup | number {
  if (path.length === 0) return -ENOENT;
  let start: Dentry | number = t.cwd;
  if (path[0] !== '/') {
    start = startDir(t, dirfd);
    if (typeof start === 'number') return start;
    if ((start.inode.mode & 0o170000) !== 0o040000) return -ENOTDIR;
  }
  return t.kernel.vfs.walkParent(t.creds, t.root, start, path);
}

/** EROFS if nothing may be changed through d's mount (mnt_want_write). */
export function wantWrite(d: Dentry): number {
  return d.mount.readOnly ? -EROFS : 0;
}

/** Who a new file belongs to: the caller's fsuid and fsgid. */
export function createContext(t: Task): { uid: number; gid: number } {
  return { uid: t.creds.fsuid, gid: t.creds.fsgid };
}
