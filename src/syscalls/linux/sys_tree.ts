// Calls that change the file tree or file attributes: mkdir(2), mknod(2),
// symlink(2), link(2), unlink(2), rmdir(2), rename(2) and their *at forms,
// chmod(2)/chown(2) and their f/l/at forms, truncate(2), ftruncate(2),
// fallocate(2), utime(2)/utimes(2)/futimesat(2)/utimensat(2), fsync(2),
// fdatasync(2), sync(2), syncfs(2).
//
// The checks run in Linux's order (fs/namei.c, fs/open.c, fs/utimes.c):
// arguments, then the parent directory walk, then the last component's
// kind ("/", ".", ".."), then whether the mount is writable (EROFS), and
// only then the last component itself.
//
// Differs from Linux: the root file system is read-only and the synthetic
// /dev cannot have entries added or removed (EPERM) until the writable VFS
// arrives; pipes keep the mode and owner set on them.

import type { Task } from '../../kernel/task.js';
import type { Dentry } from '../../vfs/dentry.js';
import { O_PATH } from '../../vfs/file_description.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from '../../vfs/stat.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, EBADF, EBUSY, EEXIST, EFAULT, EINVAL,
  EISDIR, ENAMETOOLONG, ENODEV, ENOENT, ENOTEMPTY, EOPNOTSUPP, EPERM, EROFS, ESPIPE, EXDEV, copyInStruct, getI64,
  parentAt, readPath, resolveAt,
} from '../support.js';
import type { ParentLookup } from '../support.js';

const NAME_MAX = 255;

/** The error a change to a file system gets once its checks pass. */
function cannotChange(d: Dentry): number {
  return d.inode.fs.readOnly ? -EROFS : -EPERM;
}

/** Linux's filename_create(): the checks before a new name is made. */
function checkCreate(t: Task, p: ParentLookup, wantDir: boolean): number {
  if (p.type !== 'norm') return -EEXIST;
  if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
  const existing = t.kernel.vfs.lookupChild(p.parent, p.name);
  if (typeof existing !== 'number') return -EEXIST;
  if (existing !== -ENOENT) return existing;
  if (p.trailingSlash && !wantDir) return -ENOENT;
  return cannotChange(p.parent);
}

function createAt(t: Task, dirfd: number, pathAddr: number, wantDir: boolean): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = parentAt(t, dirfd, path);
  if (typeof p === 'number') return p;
  return checkCreate(t, p, wantDir);
}

export function sysMkdir(t: Task): number {
  return createAt(t, AT_FDCWD, t.regs.arg(0), true);
}
export function sysMkdirat(t: Task): number {
  return createAt(t, t.regs.argInt(0), t.regs.arg(1), true);
}

/** may_mknod(): which file types mknod can make. */
function checkMknodMode(mode: number): number {
  switch (mode & S_IFMT) {
    case 0: case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
      return 0;
    case S_IFDIR:
      return -EPERM;
    default:
      return -EINVAL;
  }
}
export function sysMknod(t: Task): number {
  const e = checkMknodMode(t.regs.argU32(1));
  return e < 0 ? e : createAt(t, AT_FDCWD, t.regs.arg(0), false);
}
export function sysMknodat(t: Task): number {
  const e = checkMknodMode(t.regs.argU32(2));
  return e < 0 ? e : createAt(t, t.regs.argInt(0), t.regs.arg(1), false);
}

function symlinkAt(t: Task, targetAddr: number, dirfd: number, pathAddr: number): number {
  const target = readPath(t, targetAddr);
  if (typeof target === 'number') return target;
  if (target.length === 0) return -ENOENT;
  return createAt(t, dirfd, pathAddr, false);
}
export function sysSymlink(t: Task): number {
  return symlinkAt(t, t.regs.arg(0), AT_FDCWD, t.regs.arg(1));
}
export function sysSymlinkat(t: Task): number {
  return symlinkAt(t, t.regs.arg(0), t.regs.argInt(1), t.regs.arg(2));
}

function linkAt(t: Task, olddfd: number, oldAddr: number, newdfd: number, newAddr: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const oldPath = readPath(t, oldAddr);
  if (typeof oldPath === 'number') return oldPath;
  // The file to link: a name, or (AT_EMPTY_PATH) an open file, which may have no name (a pipe: null).
  let old: Dentry | null | number;
  if (oldPath.length === 0 && flags & AT_EMPTY_PATH && olddfd !== AT_FDCWD) {
    const f = t.fdTable.get(olddfd);
    if (f === undefined) return -EBADF;
    old = f.dentry;
  } else {
    old = resolveAt(t, olddfd, oldPath, (flags & AT_SYMLINK_FOLLOW) !== 0, (flags & AT_EMPTY_PATH) !== 0);
  }
  if (typeof old === 'number') return old;
  const newPath = readPath(t, newAddr);
  if (typeof newPath === 'number') return newPath;
  const p = parentAt(t, newdfd, newPath);
  if (typeof p === 'number') return p;
  const e = checkCreate(t, p, false);
  if (e !== -EPERM) return e;
  if (old === null || old.inode.fs !== p.parent.inode.fs) return -EXDEV;
  if ((old.inode.mode & S_IFMT) === S_IFDIR) return -EPERM;
  return e;
}
export function sysLink(t: Task): number {
  return linkAt(t, AT_FDCWD, t.regs.arg(0), AT_FDCWD, t.regs.arg(1), 0);
}
export function sysLinkat(t: Task): number {
  const r = t.regs;
  return linkAt(t, r.argInt(0), r.arg(1), r.argInt(2), r.arg(3), r.argInt(4));
}

/** Linux's do_unlinkat()/do_rmdir(). */
function removeAt(t: Task, dirfd: number, pathAddr: number, dir: boolean): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = parentAt(t, dirfd, path);
  if (typeof p === 'number') return p;
  if (dir) {
    if (p.type === 'dotdot') return -ENOTEMPTY;
    if (p.type === 'dot') return -EINVAL;
    if (p.type === 'root') return -EBUSY;
  } else if (p.type !== 'norm') {
    return -EISDIR;
  }
  if (p.parent.inode.fs.readOnly) return -EROFS;
  if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
  const d = t.kernel.vfs.lookupChild(p.parent, p.name);
  if (typeof d === 'number') return d;
  return -EPERM;
}
export function sysUnlink(t: Task): number {
  return removeAt(t, AT_FDCWD, t.regs.arg(0), false);
}
export function sysRmdir(t: Task): number {
  return removeAt(t, AT_FDCWD, t.regs.arg(0), true);
}
export function sysUnlinkat(t: Task): number {
  const flags = t.regs.argInt(2);
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  return removeAt(t, t.regs.argInt(0), t.regs.arg(1), (flags & AT_REMOVEDIR) !== 0);
}

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

/** Linux's do_renameat2(). */
function renameAt(t: Task, olddfd: number, oldAddr: number, newdfd: number, newAddr: number, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE) return -EINVAL;
  if (flags & RENAME_WHITEOUT && flags & RENAME_EXCHANGE) return -EINVAL;
  const oldPath = readPath(t, oldAddr);
  if (typeof oldPath === 'number') return oldPath;
  const from = parentAt(t, olddfd, oldPath);
  if (typeof from === 'number') return from;
  const newPath = readPath(t, newAddr);
  if (typeof newPath === 'number') return newPath;
  const to = parentAt(t, newdfd, newPath);
  if (typeof to === 'number') return to;
  if (from.parent.inode.fs !== to.parent.inode.fs) return -EXDEV;
  if (from.type !== 'norm') return -EBUSY;
  if (to.type !== 'norm') return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  if (from.parent.inode.fs.readOnly) return -EROFS;
  const src = t.kernel.vfs.lookupChild(from.parent, from.name);
  if (typeof src === 'number') return src;
  return -EPERM;
}
export function sysRename(t: Task): number {
  return renameAt(t, AT_FDCWD, t.regs.arg(0), AT_FDCWD, t.regs.arg(1), 0);
}
export function sysRenameat(t: Task): number {
  const r = t.regs;
  return renameAt(t, r.argInt(0), r.arg(1), r.argInt(2), r.arg(3), 0);
}
export function sysRenameat2(t: Task): number {
  const r = t.regs;
  return renameAt(t, r.argInt(0), r.arg(1), r.argInt(2), r.arg(3), r.argU32(4));
}

// ---- attributes ---------------------------------------------------------

/** The file a path-based attribute call changes, or -errno. */
function pathTarget(t: Task, dirfd: number, pathAddr: number, follow: boolean, emptyPath: boolean): Dentry | number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  return resolveAt(t, dirfd, path, follow, emptyPath);
}

/** Changes mode or owner of an open file: pipes keep them, the read-only root refuses. */
function setattrFd(t: Task, fd: number, change: { mode?: number; uid?: number; gid?: number }): number {
  const f = t.fdTable.get(fd);
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  return f.setattr(change, t.creds.euid);
}

function setattrPath(t: Task, d: Dentry): number {
  return cannotChange(d);
}

export function sysChmod(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  return typeof d === 'number' ? d : setattrPath(t, d);
}
export function sysFchmodat(t: Task): number {
  const d = pathTarget(t, t.regs.argInt(0), t.regs.arg(1), true, false);
  return typeof d === 'number' ? d : setattrPath(t, d);
}
export function sysFchmod(t: Task): number {
  return setattrFd(t, t.regs.argInt(0), { mode: t.regs.argU32(1) & 0o7777 });
}
export function sysChown(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  return typeof d === 'number' ? d : setattrPath(t, d);
}
export function sysLchown(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), false, false);
  return typeof d === 'number' ? d : setattrPath(t, d);
}
export function sysFchown(t: Task): number {
  return setattrFd(t, t.regs.argInt(0), ownerChange(t.regs.argU32(1), t.regs.argU32(2)));
}
export function sysFchownat(t: Task): number {
  const r = t.regs;
  const fl = r.argInt(4);
  if (fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = readPath(t, r.arg(1));
  if (typeof path === 'number') return path;
  if (path.length === 0 && fl & AT_EMPTY_PATH && r.argInt(0) !== AT_FDCWD) {
    // The open file itself (O_PATH descriptors included); one with no name is changed directly.
    const f = t.fdTable.get(r.argInt(0));
    if (f === undefined) return -EBADF;
    if (f.dentry === null) return f.setattr(ownerChange(r.argU32(2), r.argU32(3)), t.creds.euid);
    return setattrPath(t, f.dentry);
  }
  const d = resolveAt(t, r.argInt(0), path, (fl & AT_SYMLINK_NOFOLLOW) === 0, (fl & AT_EMPTY_PATH) !== 0);
  return typeof d === 'number' ? d : setattrPath(t, d);
}

function ownerChange(uid: number, gid: number): { uid?: number; gid?: number } {
  return { uid: uid === 0xffffffff ? undefined : uid, gid: gid === 0xffffffff ? undefined : gid };
}

/** truncate(2), in do_sys_truncate()/vfs_truncate()'s order. */
export function sysTruncate(t: Task): number {
  if (t.regs.argSigned(1) < 0) return -EINVAL;
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  if (typeof d === 'number') return d;
  const type = d.inode.mode & S_IFMT;
  if (type === S_IFDIR) return -EISDIR;
  if (type !== S_IFREG) return -EINVAL;
  return cannotChange(d);
}

export function sysFtruncate(t: Task): number {
  if (t.regs.argSigned(1) < 0) return -EINVAL;
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  if (!f.writable) return -EINVAL;
  return f.truncate(t.regs.argSigned(1));
}

const FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_KNOWN = 0xff;

/** fallocate(2), checked in vfs_fallocate()'s order. */
export function sysFallocate(t: Task): number {
  const r = t.regs;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  const mode = r.argInt(1), offset = r.argSigned(2), len = r.argSigned(3);
  if (offset < 0 || len <= 0) return -EINVAL;
  if (mode & ~FALLOC_FL_KNOWN) return -EOPNOTSUPP;
  if (mode & FALLOC_FL_PUNCH_HOLE && !(mode & FALLOC_FL_KEEP_SIZE)) return -EOPNOTSUPP;
  if (!f.writable) return -EBADF;
  const st = f.stat();
  if (typeof st === 'number') return st;
  const type = st.mode & S_IFMT;
  if (type === S_IFIFO) return -ESPIPE;
  if (type === S_IFDIR) return -EISDIR;
  if (type !== S_IFREG && type !== S_IFBLK) return -ENODEV;
  return -EOPNOTSUPP;
}

// ---- times -------------------------------------------------------------

const UTIME_NOW = 0x3fffffff, UTIME_OMIT = 0x3ffffffe;

/** Applies "set the times" to a path or an open file, once the times are valid. */
function utimesAt(t: Task, dirfd: number, pathAddr: number, flags: number): number {
  if (pathAddr === 0 && dirfd !== AT_FDCWD) {
    // utimensat(fd, NULL, ...): the open file itself.
    if (flags !== 0) return -EINVAL;
    const f = t.fdTable.get(dirfd);
    if (f === undefined || f.flags & O_PATH) return -EBADF;
    return f.setattr({}, t.creds.euid);
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  if (path.length === 0 && flags & AT_EMPTY_PATH && dirfd !== AT_FDCWD) {
    const f = t.fdTable.get(dirfd);
    if (f === undefined) return -EBADF;
    if (f.dentry === null) return f.setattr({}, t.creds.euid);
  }
  const d = resolveAt(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
  return typeof d === 'number' ? d : cannotChange(d);
}

/** Reads n timevals (usec true) or timespecs; null if absent, -errno if bad, 'omit' if every time is UTIME_OMIT. */
function readTimes(t: Task, addr: number, usec: boolean): number | 'omit' | null {
  if (addr === 0) return null;
  const dv = copyInStruct(t, addr, 32);
  if (dv === null) return -EFAULT;
  let omit = 0;
  for (const o of [0, 16]) {
    const frac = getI64(dv, o + 8);
    if (usec) {
      if (frac < 0 || frac >= 1e6) return -EINVAL;
    } else if (frac === UTIME_OMIT) {
      omit++;
    } else if (frac !== UTIME_NOW && (frac < 0 || frac >= 1e9)) {
      return -EINVAL;
    }
  }
  return omit === 2 ? 'omit' : null;
}

export function sysUtime(t: Task): number {
  const addr = t.regs.arg(1);
  if (addr !== 0 && copyInStruct(t, addr, 16) === null) return -EFAULT;
  return utimesAt(t, AT_FDCWD, t.regs.arg(0), 0) ;
}
export function sysUtimes(t: Task): number {
  const tm = readTimes(t, t.regs.arg(1), true);
  if (typeof tm === 'number') return tm;
  return utimesAt(t, AT_FDCWD, t.regs.arg(0), 0);
}
export function sysFutimesat(t: Task): number {
  const r = t.regs;
  const tm = readTimes(t, r.arg(2), true);
  if (typeof tm === 'number') return tm;
  return utimesAt(t, r.argInt(0), r.arg(1), 0);
}

/** utimensat(2): the nanoseconds are checked once the file is found (vfs_utimes()), UTIME_OMIT twice is a no-op. */
export function sysUtimensat(t: Task): number {
  const r = t.regs;
  const tm = readTimes(t, r.arg(2), false);
  if (tm === -EFAULT) return tm;
  if (tm === 'omit') return 0;
  const res = utimesAt(t, r.argInt(0), r.arg(1), r.argInt(3));
  if (tm === -EINVAL && (res === -EROFS || res === -EPERM || res === 0)) return -EINVAL;
  return res;
}

// ---- syncing -----------------------------------------------------------

export function sysFsync(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  return f.sync();
}

/** sync(2): nothing the sandbox can write is buffered in the Sentry. */
export function sysSync(): number {
  return 0;
}

export function sysSyncfs(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  return f === undefined || f.flags & O_PATH ? -EBADF : 0;
}
