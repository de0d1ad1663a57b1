// Opening, closing and duplicating files, and the working directory:
// open(2), openat(2), openat2(2), creat(2), close(2), close_range(2),
// dup(2)/dup2/dup3, fcntl(2), chdir(2), fchdir(2), getcwd(2), readlink(2),
// access(2)/faccessat(2)/faccessat2(2), umask(2). The calls that change
// the tree are in sys_tree.ts.
//
// Differs from Linux: the root file system is read-only for now, so
// opening for writing or creating there fails with EROFS once the path
// has been checked.

import type { Task } from '../../kernel/task.js';
import { Dentry } from '../../vfs/dentry.js';
import type { Inode, SetAttr } from '../../vfs/inode.js';
import {
  checkPermission, inodePermission, MAY_EXEC, MAY_READ, MAY_WRITE, NAME_MAX, RESOLVE_BENEATH, RESOLVE_CACHED,
  RESOLVE_IN_ROOT,
} from '../../vfs/vfs.js';
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOATIME, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR,
  O_TMPFILE, O_TRUNC, O_WRONLY, SETFL_MASK, O_LARGEFILE,
} from '../../vfs/file_description.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../../vfs/stat.js';
import type { Stat } from '../../vfs/stat.js';
import { charDevice } from '../../vfs/devices.js';
import { MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_STRICTATIME } from '../../vfs/mount.js';
import { Pipe, PipeFD } from '../../kernel/pipe.js';
import { EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, EACCES, EAGAIN, EBADF, EEXIST,
  EFAULT, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, ENXIO, EPERM, ERANGE, EROFS, createContext,
  getU64, installNew, parentAt, readPath, resolveAt, wantWrite,
} from '../support.js';
import { mayCreate } from './sys_tree.js';
import { E2BIG, EOPNOTSUPP } from '../../abi/linux/errno.js';
import { CAP_SYS_CHROOT, CAP_SYS_RESOURCE } from '../../abi/linux/capability.js';
import { fcntlLock } from './sys_lock.js';
import { fcntlSeals } from './sys_memfd.js';
import { IN_OPEN, notifyCreate, notifyFile, notifySetattr } from '../../vfs/inotify/watches.js';

const VALID_OPEN_FLAGS = 0o37777777 & ~0o10000000000;
const S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFSOCK = 0o140000, S_IFREG = 0o100000;

/** The atime policy a file opened through d gets (FileDescription.atimePolicy). */
function atimePolicy(d: Dentry, flags: number): number {
  const mf = d.mount.flags;
  if (flags & O_NOATIME || mf & MS_NOATIME) return 0;
  if ((d.inode.mode & S_IFMT) === S_IFDIR && mf & MS_NODIRATIME) return 0;
  return mf & MS_STRICTATIME ? 2 : 1;
}

/**
 * Linux's path_openat(): O_TMPFILE, or the walk to the last component and
 * (O_CREAT) its creation, then do_open(). `depth` counts the dangling
 * symlinks an O_CREAT has followed to the file it makes.
 */
function openFile(t: Task, dirfd: number, path: string, flags: number, mode: number, resolve = 0, depth = 0): number {
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if ((flags & O_TMPFILE) === O_TMPFILE) {
    if ((flags & O_ACCMODE) === O_RDONLY) return -EINVAL;
  } else if (flags & O_CREAT && flags & O_DIRECTORY) {
    return -EINVAL;
  }
  if (resolve & RESOLVE_CACHED && flags & (O_CREAT | O_TRUNC | O_TMPFILE)) return -EAGAIN;
  if ((flags & O_TMPFILE) === O_TMPFILE) return openTmpfile(t, dirfd, path, flags, mode, resolve);
  let created = false;
  let d: Dentry | number;
  if (flags & O_CREAT) {
    // Linux's open_last_lookups(): creating "x/", "/", "." or ".." is EISDIR, whatever exists.
    const p = parentAt(t, dirfd, path);
    if (typeof p === 'number') return p;
    if (p.type === 'norm' && p.trailingSlash) return -EISDIR;
    if (p.type !== 'norm') return flags & O_EXCL ? -EEXIST : -EISDIR;
    if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
    const vfs = t.kernel.vfs;
    const existing = vfs.lookupChild(p.parent, p.name, true);
    if (typeof existing === 'number') {
      if (existing !== -ENOENT) return existing;
      const ro = wantWrite(p.parent);
      if (ro < 0) return ro;
      const mc = mayCreate(t, p.parent);
      if (mc < 0) return mc;
      const create = p.parent.inode.create;
      if (create === undefined) return -EPERM;
      const ino = create.call(p.parent.inode, p.name, mode & 0o7777 & ~t.umask, createContext(t));
      if (typeof ino === 'number') return ino;
      d = vfs.linked(p.parent, p.name, ino);
      notifyCreate(p.parent, p.name, ino, false);
      created = true;
    } else {
      if (flags & O_EXCL) return -EEXIST;
      if ((existing.inode.mode & S_IFMT) === S_IFLNK && !(flags & O_NOFOLLOW)) {
        // A symlink: open what it names; a dangling one has its target made.
        d = resolveAt(t, dirfd, path, true, false, resolve);
        if (d === -ENOENT && depth < 40) {
          const target = existing.inode.readlink();
          if (typeof target === 'number') return target;
          return openAtDentry(t, target[0] === '/' ? t.root : p.parent, target, flags, mode, resolve, depth + 1);
        }
        if (typeof d === 'number') return d;
      } else {
        d = existing;
      }
    }
  } else {
    d = resolveAt(t, dirfd, path, (flags & O_NOFOLLOW) === 0, false, resolve);
    if (typeof d === 'number') return d;
  }
  return doOpen(t, d, flags, created);
}

/** openFile relative to a dentry rather than a descriptor (a dangling symlink's directory). */
function openAtDentry(t: Task, dir: Dentry, path: string, flags: number, mode: number, resolve: number, depth: number): number {
  const saved = t.fs.cwd;
  // The walk starts at dir: borrow the working directory for the one call, as no descriptor names dir.
  t.fs.cwd = dir;
  try {
    return openFile(t, AT_FDCWD, path, flags, mode, resolve, depth);
  } finally {
    t.fs.cwd = saved;
  }
}

/** O_TMPFILE: an unnamed file in the directory path names. */
function openTmpfile(t: Task, dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
  const d = resolveAt(t, dirfd, path, true, false, resolve);
  if (typeof d === 'number') return d;
  if ((d.inode.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const pe = inodePermission(t.creds, d.inode, MAY_WRITE | MAY_EXEC);
  if (pe < 0) return pe;
  if (d.inode.tmpfile === undefined) return -EOPNOTSUPP;
  const ino = d.inode.tmpfile(mode & 0o7777 & ~t.umask, createContext(t));
  if (typeof ino === 'number') return ino;
  const f = ino.open(flags & ~(O_TMPFILE & ~O_DIRECTORY) & ~O_DIRECTORY);
  if (typeof f === 'number') return f;
  // Its dentry is a dead name under the directory: /proc/PID/fd shows "/dir/#ino (deleted)".
  const st = ino.stat();
  const dd = new Dentry(ino, `#${typeof st === 'number' ? 0 : st.ino}`, d, d.mount);
  dd.dead = true;
  return install(t, f, dd, flags & ~O_TMPFILE);
}

/** Linux's do_open() and may_open(): the checks on the file found, O_TRUNC, and the open. */
function doOpen(t: Task, d: Dentry, flags: number, created: boolean): number {
  const type = d.inode.mode & S_IFMT;
  if (flags & O_CREAT && type === S_IFDIR) return -EISDIR;
  if (flags & O_DIRECTORY && type !== S_IFDIR) return -ENOTDIR;
  if (type === S_IFLNK && !(flags & O_PATH)) return -ELOOP;
  const acc = flags & O_ACCMODE;
  let truncated: SetAttr | null = null;
  if (!(flags & O_PATH)) {
    if (acc === 3) return -EINVAL;
    const write = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (type === S_IFDIR && write) return -EISDIR;
    if ((type === S_IFCHR || type === S_IFBLK) && d.mount.flags & MS_NODEV) return -EACCES;
    // A read-only mount or file system refuses writes to its regular files and directories first.
    if (write && (type === S_IFREG || type === S_IFDIR) && d.mount.readOnly) return -EROFS;
    if (!created) {
      const want = (acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE) |
        (flags & O_TRUNC ? MAY_WRITE : 0);
      const st = d.inode.stat();
      if (typeof st === 'number') return st;
      if (!checkPermission(t.creds, st.mode, st.uid, st.gid, want)) return -EACCES;
      if (flags & O_NOATIME && !t.creds.ownerOrCapable(st.uid)) return -EPERM;
    }
    if (flags & O_TRUNC && type === S_IFREG && !created) {
      if (d.inode.setattr === undefined) return d.mount.readOnly ? -EROFS : -EPERM;
      truncated = { size: 0, mtime: nowTime(t) };
      const r = d.inode.setattr(truncated);
      if (r < 0) return r;
    }
  }
  let f: FileDescription | number;
  if (flags & O_PATH) f = d.inode.open(flags);
  // A FIFO of the Sentry's own trees is a Sentry pipe; one in a host directory is the host's file system's to open (EACCES).
  else if (type === S_IFIFO && d.inode.fs.hostFiles !== true) return openFifo(t, d, flags);
  else if (type === S_IFCHR) {
    const st = d.inode.stat();
    if (typeof st === 'number') return st;
    const dev = charDevice(st.rdev);
    // The file system's own devices (the synthetic /dev) open themselves; others by number.
    f = dev !== undefined && d.inode.fs.type !== 'devtmpfs' ? dev(flags) : d.inode.open(flags);
  } else if (type === S_IFSOCK || type === S_IFBLK) return -ENXIO;
  else f = d.inode.open(flags);
  if (typeof f === 'number') return f;
  const fd = install(t, f, d, flags);
  // inotify hears the open, then the truncation (as Linux's do_open: vfs_open, then handle_truncate).
  if (truncated !== null && fd >= 0) notifySetattr(d, truncated);
  return fd;
}

function nowTime(t: Task): [number, number] {
  const ms = t.kernel.realtimeMs();
  const sec = Math.floor(ms / 1000);
  return [sec, Math.min(999999999, Math.round((ms - sec * 1000) * 1e6))];
}

/** Gives an opened file its name, flags and atime policy, and a descriptor. */
function install(t: Task, f: FileDescription, d: Dentry, flags: number): number {
  f.dentry = d;
  f.atimePolicy = atimePolicy(d, flags);
  f.flags = (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | 0o400 /* O_NOCTTY */)) | (flags & O_PATH ? 0 : O_LARGEFILE);
  notifyFile(d, f.flags, IN_OPEN);
  return installNew(t, f, (flags & O_CLOEXEC) !== 0);
}

// ---- named pipes ---------------------------------------------------------

/** A FIFO's pipe, shared by every open of the same inode while any is open. */
interface FifoState {
  pipe: Pipe;
  /** Opens for reading and for writing so far (Linux's r_counter, w_counter): a blocked open waits for the other kind. */
  readOpens: number;
  writeOpens: number;
}
const fifos = new WeakMap<object, FifoState>();

/**
 * An open that waits for the other end already counts as its own end (as
 * Linux's fifo_open counts it before it waits): a reader that comes while
 * a writer waits does not read an end of file, and a writer that comes
 * while a reader waits does not get EPIPE. A signal that ends the wait
 * takes the count back (the run loop calls cancel).
 */
class FifoOpenWait {
  constructor(readonly state: FifoState, readonly inode: Inode, readonly reader: boolean) {}

  cancel(): void {
    const p = this.state.pipe;
    if (this.reader) p.readers--;
    else p.writers--;
    if (p.readers === 0 && p.writers === 0) fifos.delete(this.inode);
  }
}

class FifoFD extends PipeFD {
  constructor(readonly state: FifoState, flags: number, readonly inode: Inode) {
    super(state.pipe, flags);
    // Waits on this description are woken by what the pipe's ends hear.
    state.pipe.otherQueues.add(this.queue);
  }

  override stat(): Stat {
    const st = this.inode.stat();
    return typeof st === 'number' ? super.stat() : st;
  }

  override release(): void {
    // O_RDWR holds both ends.
    if ((this.flags & O_ACCMODE) === O_RDWR) this.pipe.writers--;
    this.pipe.otherQueues.delete(this.queue);
    super.release();
    if (this.pipe.readers === 0 && this.pipe.writers === 0) fifos.delete(this.inode);
  }

  override describe(): string {
    // A reopened anonymous pipe is still "pipe:[N]", not a path.
    if (this.inode.fs.type === 'pipefs') return super.describe();
    return this.dentry?.path() ?? super.describe();
  }
}

/**
 * fifo_open(): a reader waits for a writer and a writer for a reader,
 * unless O_NONBLOCK (a lone writer then gets ENXIO); O_RDWR never waits.
 * Each open counts as its end from its first attempt (FifoOpenWait).
 */
function openFifo(t: Task, d: Dentry, flags: number): number {
  const inode = d.inode;
  // An anonymous pipe reopened through /proc/PID/fd/N (pipefs) brings its own pipe, and never waits.
  const own = (inode as { readonly pipe?: unknown }).pipe;
  const isPipe = own instanceof Pipe;
  let st = fifos.get(inode);
  if (st === undefined) {
    let pipe: Pipe;
    if (own instanceof Pipe) {
      pipe = own;
    } else {
      pipe = new Pipe(t.creds.fsuid, t.creds.fsgid);
      // The pipe's own two ends are not the FIFO's: opens make their own.
      pipe.readEnd.decRef();
      pipe.writeEnd.decRef();
    }
    st = { pipe, readOpens: 0, writeOpens: 0 };
    fifos.set(inode, st);
  }
  const acc = flags & O_ACCMODE;
  const nonblock = (flags & O_NONBLOCK) !== 0 || isPipe;
  const p = st.pipe;
  const state = t.syscallState as { fifoWait?: number; waitCancel?: unknown } | null;
  // A re-run of an open that waited: it counts as its end already.
  const counted = state?.waitCancel instanceof FifoOpenWait;
  const wait = (partnerOpens: number, reader: boolean): number => {
    const since = counted ? (state?.fifoWait as number) : partnerOpens;
    if (partnerOpens !== since) return 0; // the other end came and went meanwhile: go on, as Linux's counters allow
    t.syscallState = { ...(t.syscallState ?? {}), fifoWait: since, waitCancel: new FifoOpenWait(st as FifoState, inode, reader) };
    return t.block([p.readEnd.queue], EVENT_IN);
  };
  if (acc === O_RDONLY) {
    if (!counted) {
      p.readers++;
      st.readOpens++;
      p.readEnd.queue.notify(EVENT_IN | EVENT_OUT);
    }
    if (p.writers === 0 && !nonblock) {
      const r = wait(st.writeOpens, true);
      if (r !== 0) return r;
    }
  } else if (acc === O_WRONLY) {
    if (!counted) {
      if (nonblock && p.readers === 0 && !isPipe) {
        if (p.writers === 0) fifos.delete(inode);
        return -ENXIO;
      }
      p.writers++;
      st.writeOpens++;
      p.readEnd.queue.notify(EVENT_IN | EVENT_OUT);
    }
    if (p.readers === 0 && !isPipe) {
      const r = wait(st.readOpens, false);
      if (r !== 0) return r;
    }
  } else {
    p.readers++;
    p.writers++;
    st.readOpens++;
    st.writeOpens++;
    p.readEnd.queue.notify(EVENT_IN | EVENT_OUT);
  }
  if (t.syscallState !== null) t.syscallState.waitCancel = undefined;
  const f = new FifoFD(st, flags, inode);
  return install(t, f, d, flags);
}

export function sysOpen(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  return openFile(t, AT_FDCWD, p, t.regs.argInt(1), t.regs.argU32(2));
}

export function sysOpenat(t: Task): number {
  const p = readPath(t, t.regs.arg(1));
  if (typeof p === 'number') return p;
  return openFile(t, t.regs.argInt(0), p, t.regs.argInt(2), t.regs.argU32(3));
}

export function sysCreat(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  return openFile(t, AT_FDCWD, p, O_CREAT | O_WRONLY | O_TRUNC, t.regs.argU32(1));
}

/** openat2(dirfd, path, how, size). RESOLVE_* flags other than none are refused with EINVAL... see docs. */
export function sysOpenat2(t: Task): number {
  const r = t.regs;
  const size = r.arg(3);
  if (size < 24) return -EINVAL;
  if (size > 4096) return -E2BIG;
  const raw = t.mm.copyIn(r.arg(2), size);
  if (raw === null) return -EFAULT;
  // A larger struct from a newer ABI is accepted only if its extra bytes are zero.
  if (raw.subarray(24).some((b) => b !== 0)) return -E2BIG;
  const dv = new DataView(raw.buffer, 0, 24);
  const flags = getU64(dv, 0), mode = getU64(dv, 8), resolve = getU64(dv, 16);
  if (flags > 0xffffffff || (flags & ~VALID_OPEN_FLAGS) !== 0) return -EINVAL;
  if (mode !== 0 && !(flags & (O_CREAT | 0o20000000))) return -EINVAL;
  if (mode > 0o7777) return -EINVAL;
  // With O_PATH, openat2 allows only the flags O_PATH takes (open(2) would drop the rest).
  if (flags & O_PATH && flags & ~(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) return -EINVAL;
  if (resolve > 0x3f) return -EINVAL;
  if (resolve & RESOLVE_BENEATH && resolve & RESOLVE_IN_ROOT) return -EINVAL;
  const p = readPath(t, r.arg(1));
  if (typeof p === 'number') return p;
  return openFile(t, r.argInt(0), p, flags, mode, resolve);
}

export function sysClose(t: Task): number {
  return t.fdTable.close(t.regs.argInt(0));
}

export function sysCloseRange(t: Task): number {
  const r = t.regs;
  const first = r.argU32(0), last = r.argU32(1), flags = r.argU32(2);
  const CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;
  if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -EINVAL;
  if (first > last) return -EINVAL;
  for (const fd of t.fdTable.fds()) {
    if (fd < first || fd > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) t.fdTable.setCloexec(fd, true);
    else t.fdTable.close(fd);
  }
  return 0;
}

export function sysDup(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined) return -EBADF;
  return t.fdTable.install(f, 0, false, t.tg.nofile);
}

function dup3(t: Task, oldfd: number, newfd: number, flags: number): number {
  const f = t.fdTable.get(oldfd);
  if (f === undefined) return -EBADF;
  if (newfd < 0 || newfd >= t.tg.nofile) return -EBADF;
  return t.fdTable.installAt(newfd, f, (flags & O_CLOEXEC) !== 0, t.tg.nofile);
}

export function sysDup2(t: Task): number {
  const oldfd = t.regs.argInt(0), newfd = t.regs.argInt(1);
  if (oldfd === newfd) return t.fdTable.get(oldfd) === undefined ? -EBADF : newfd;
  return dup3(t, oldfd, newfd, 0);
}

export function sysDup3(t: Task): number {
  const oldfd = t.regs.argInt(0), newfd = t.regs.argInt(1), flags = t.regs.argInt(2);
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  return dup3(t, oldfd, newfd, flags);
}

const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
  F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032,
  F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
const FD_CLOEXEC = 1;

export function sysFcntl(t: Task): number {
  const r = t.regs;
  const fd = r.argInt(0), cmd = r.argInt(1);
  const f = t.fdTable.get(fd);
  if (f === undefined) return -EBADF;
  const isPath = (f.flags & O_PATH) !== 0;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = r.argInt(2);
      if (min < 0 || min >= t.tg.nofile) return -EINVAL;
      return t.fdTable.install(f, min, cmd === F_DUPFD_CLOEXEC, t.tg.nofile);
    }
    case F_GETFD:
      return t.fdTable.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      return t.fdTable.setCloexec(fd, (r.argInt(2) & FD_CLOEXEC) !== 0);
    case F_GETFL:
      return f.flags & ~O_CLOEXEC;
    case F_SETFL:
      if (isPath) return -EBADF;
      f.flags = (f.flags & ~SETFL_MASK) | (r.argInt(2) & SETFL_MASK);
      return 0;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      if (isPath) return -EBADF;
      return fcntlLock(t, f, cmd, r.arg(2));
    case F_GETOWN:
      return 0;
    case F_SETOWN:
    case F_SETSIG:
    case F_GETSIG:
      return -EINVAL;
    case F_GET_SEALS:
    case F_ADD_SEALS:
      return fcntlSeals(t, f, cmd, r.argU32(2));
    case F_GETPIPE_SZ:
      return f instanceof PipeFD ? f.pipe.capacity : -EBADF;
    case F_SETPIPE_SZ: {
      if (!(f instanceof PipeFD)) return -EBADF;
      // The argument is an unsigned int; past pipe-max-size only with CAP_SYS_RESOURCE.
      return f.pipe.setCapacity(r.argU32(2), t.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE));
    }
    default:
      return -EINVAL;
  }
}

export function sysChdir(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  const d = resolveAt(t, AT_FDCWD, p, true, false);
  if (typeof d === 'number') return d;
  return setCwd(t, d);
}

function setCwd(t: Task, d: Dentry): number {
  if ((d.inode.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  if (!checkPermission(t.creds, st.mode, st.uid, st.gid, MAY_EXEC)) return -EACCES;
  t.cwd = d;
  return 0;
}

export function sysFchdir(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined) return -EBADF;
  if (f.dentry === null) return -ENOTDIR;
  return setCwd(t, f.dentry);
}

/** getcwd(2): ENOENT once the directory is removed; "(unreachable)" before a path outside the root (after chroot). */
export function sysGetcwd(t: Task): number {
  const r = t.regs;
  const size = r.arg(1);
  if (t.cwd.dead) return -ENOENT;
  const where = t.cwd.pathFrom(t.root);
  const path = Buffer.from((where.reachable ? '' : '(unreachable)') + where.path + '\0', 'latin1');
  if (size < path.length) return -ERANGE;
  if (t.mm.copyOut(r.arg(0), path) < 0) return -EFAULT;
  return path.length;
}

function readlinkAt(t: Task, dirfd: number, pathAddr: number, buf: number, size: number): number {
  if (size <= 0 || size > 0x7fffffff) return -EINVAL;
  const p = readPath(t, pathAddr);
  if (typeof p === 'number') return p;
  // An empty path names dirfd itself, which must be a symlink opened with O_PATH.
  const d = resolveAt(t, dirfd, p, false, p.length === 0 && dirfd !== AT_FDCWD);
  if (typeof d === 'number') return d;
  if ((d.inode.mode & S_IFMT) !== S_IFLNK) return p.length === 0 ? -ENOENT : -EINVAL;
  const target = d.inode.readlink();
  if (typeof target === 'number') return target;
  const b = Buffer.from(target, 'latin1');
  const n = Math.min(b.length, size);
  if (t.mm.copyOut(buf, b.subarray(0, n)) < 0) return -EFAULT;
  return n;
}

export function sysReadlink(t: Task): number {
  const r = t.regs;
  return readlinkAt(t, AT_FDCWD, r.arg(0), r.arg(1), r.argSigned(2));
}

export function sysReadlinkat(t: Task): number {
  const r = t.regs;
  return readlinkAt(t, r.argInt(0), r.arg(1), r.arg(2), r.argSigned(3));
}

const R_OK = 4, W_OK = 2, X_OK = 1;

function accessAt(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  if (flags & AT_EACCESS) return accessAs(t, dirfd, pathAddr, mode, flags);
  // access(2) checks, the path walk included, with the real ids and their capabilities (Linux's access_override_creds).
  const own = t.creds;
  t.creds = own.forAccess();
  try {
    return accessAs(t, dirfd, pathAddr, mode, flags);
  } finally {
    t.creds = own;
  }
}

function accessAs(t: Task, dirfd: number, pathAddr: number, mode: number, flags: number): number {
  const p = readPath(t, pathAddr);
  if (typeof p === 'number') return p;
  const d = resolveAt(t, dirfd, p, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof d === 'number') return d;
  if (mode === 0) return 0;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  if (mode & X_OK && d.mount.flags & MS_NOEXEC && (st.mode & S_IFMT) === S_IFREG) return -EACCES;
  const c = t.creds;
  const want = (mode & R_OK ? MAY_READ : 0) | (mode & W_OK ? MAY_WRITE : 0) | (mode & X_OK ? MAY_EXEC : 0);
  if (!checkPermission(c, st.mode, st.uid, st.gid, want)) return -EACCES;
  const type = st.mode & S_IFMT;
  if (mode & W_OK && d.mount.readOnly && (type === S_IFREG || type === S_IFDIR || type === S_IFLNK)) return -EROFS;
  return 0;
}

export function sysAccess(t: Task): number {
  return accessAt(t, AT_FDCWD, t.regs.arg(0), t.regs.argInt(1), 0);
}
export function sysFaccessat(t: Task): number {
  return accessAt(t, t.regs.argInt(0), t.regs.arg(1), t.regs.argInt(2), 0);
}
export function sysFaccessat2(t: Task): number {
  return accessAt(t, t.regs.argInt(0), t.regs.arg(1), t.regs.argInt(2), t.regs.argInt(3));
}

export function sysUmask(t: Task): number {
  const old = t.umask;
  t.umask = t.regs.argU32(0) & 0o777;
  return old;
}

/** chroot(2): CAP_SYS_CHROOT, a directory the caller may search. */
export function sysChroot(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  const d = resolveAt(t, AT_FDCWD, p, true, false);
  if (typeof d === 'number') return d;
  if ((d.inode.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  const pe = inodePermission(t.creds, d.inode, MAY_EXEC);
  if (pe < 0) return pe;
  if (!t.creds.hasCapability(CAP_SYS_CHROOT)) return -EPERM;
  t.fs.root = d;
  return 0;
}
