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
import type { Dentry } from '../../vfs/dentry.js';
import { checkPermission, MAY_EXEC, MAY_READ, MAY_WRITE } from '../../vfs/vfs.js';
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_TMPFILE, O_TRUNC,
  O_WRONLY, SETFL_MASK, O_LARGEFILE,
} from '../../vfs/file_description.js';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../../vfs/stat.js';
import { PipeFD } from '../../kernel/pipe.js';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, EACCES, EBADF, EEXIST,
  EFAULT, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ERANGE, EROFS, getU64, installNew, parentAt, readPath, resolveAt,

} from '../support.js';
import { E2BIG, ENOLCK, EOPNOTSUPP } from '../../abi/linux/errno.js';

const VALID_OPEN_FLAGS = 0o37777777 & ~0o10000000000;

function openFile(t: Task, dirfd: number, path: string, flags: number, mode: number): number {
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if ((flags & O_TMPFILE) === O_TMPFILE) {
    if ((flags & O_ACCMODE) === O_RDONLY) return -EINVAL;
  } else if (flags & O_CREAT && flags & O_DIRECTORY) {
    return -EINVAL;
  }
  if (flags & O_CREAT && (flags & O_TMPFILE) !== O_TMPFILE) {
    // Linux's open_last_lookups(): creating "x/", "/", "." or ".." is EISDIR, whatever exists.
    const p = parentAt(t, dirfd, path);
    if (typeof p === 'number') return p;
    if (p.type === 'norm' && p.trailingSlash) return -EISDIR;
    if (p.type !== 'norm') return flags & O_EXCL ? -EEXIST : -EISDIR;
  }
  const follow = (flags & O_NOFOLLOW) === 0 && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL);
  const d = resolveAt(t, dirfd, path, follow, false);
  if (typeof d === 'number') {
    if (d !== -ENOENT || !(flags & O_CREAT)) return d;
    // Creating: the parent exists (checked above); the file system is read-only.
    return -EROFS;
  }
  if ((flags & O_TMPFILE) === O_TMPFILE) {
    return (d.inode.mode & S_IFMT) === S_IFDIR ? (d.inode.fs.readOnly ? -EROFS : -EOPNOTSUPP) : -ENOTDIR;
  }
  if (flags & O_CREAT && flags & O_EXCL) return -EEXIST;
  const type = d.inode.mode & S_IFMT;
  if (flags & O_DIRECTORY && type !== S_IFDIR) return -ENOTDIR;
  if (type === S_IFLNK && !(flags & O_PATH)) return -ELOOP;
  const acc = flags & O_ACCMODE;
  if (!(flags & O_PATH)) {
    if (acc === 3) return -EINVAL;
    if (type === S_IFDIR && (acc !== O_RDONLY || flags & O_CREAT || flags & O_TRUNC)) return -EISDIR;
    const st = d.inode.stat();
    if (typeof st === 'number') return st;
    const want = (acc === O_RDONLY ? MAY_READ : acc === O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE) |
      (flags & O_TRUNC ? MAY_WRITE : 0);
    if (!checkPermission(t.creds, st.mode, st.uid, st.gid, want)) return -EACCES;
    if ((want & MAY_WRITE) && d.inode.fs.readOnly && type !== 0o020000) return -EROFS;
  }
  const f = d.inode.open(flags);
  if (typeof f === 'number') return f;
  f.dentry = d;
  f.flags = (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | 0o400 /* O_NOCTTY */)) | (flags & O_PATH ? 0 : O_LARGEFILE);
  return installNew(t, f, (flags & O_CLOEXEC) !== 0);
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
  if (resolve !== 0) return -EINVAL; // RESOLVE_* are not supported yet (docs/syscalls.md)
  const p = readPath(t, r.arg(1));
  if (typeof p === 'number') return p;
  return openFile(t, r.argInt(0), p, flags, mode);
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
      // Record locks come with the writable VFS.
      return isPath ? -EBADF : -ENOLCK;
    case F_GETOWN:
      return 0;
    case F_SETOWN:
    case F_SETSIG:
    case F_GETSIG:
      return -EINVAL;
    case F_GET_SEALS:
    case F_ADD_SEALS:
      return -EINVAL;
    case F_GETPIPE_SZ:
      return f instanceof PipeFD ? f.pipe.capacity : -EBADF;
    case F_SETPIPE_SZ: {
      if (!(f instanceof PipeFD)) return -EBADF;
      // The argument is an unsigned int; root stands for CAP_SYS_RESOURCE.
      return f.pipe.setCapacity(r.argU32(2), t.creds.euid === 0);
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

export function sysGetcwd(t: Task): number {
  const r = t.regs;
  const size = r.arg(1);
  const path = Buffer.from(t.cwd.path() + '\0', 'latin1');
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
  const p = readPath(t, pathAddr);
  if (typeof p === 'number') return p;
  const d = resolveAt(t, dirfd, p, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof d === 'number') return d;
  if (mode === 0) return 0;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  // access(2) checks with the real ids unless AT_EACCESS.
  const c = flags & AT_EACCESS ? t.creds : { euid: t.creds.ruid, egid: t.creds.rgid, groups: t.creds.groups };
  const want = (mode & R_OK ? MAY_READ : 0) | (mode & W_OK ? MAY_WRITE : 0) | (mode & X_OK ? MAY_EXEC : 0);
  if (!checkPermission(c, st.mode, st.uid, st.gid, want)) return -EACCES;
  if (mode & W_OK && d.inode.fs.readOnly && (st.mode & S_IFMT) !== 0o020000) return -EROFS;
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
