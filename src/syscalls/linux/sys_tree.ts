// Calls that change the file tree or file attributes: mkdir(2), mknod(2),
// symlink(2), link(2), unlink(2), rmdir(2), rename(2) and their *at forms,
// chmod(2)/chown(2) and their f/l/at forms, truncate(2), ftruncate(2),
// fallocate(2), utime(2)/utimes(2)/futimesat(2)/utimensat(2), fsync(2),
// fdatasync(2), sync(2), syncfs(2).
//
// The checks run in Linux's order (fs/namei.c, fs/open.c, fs/utimes.c,
// fs/attr.c): arguments, then the parent directory walk, then the last
// component's kind ("/", ".", ".."), then whether the mount is writable
// (EROFS), then the last component itself, then permissions (may_create,
// may_delete with the sticky bit), and only then the file system.
//
// Privilege is the caller's effective capabilities, as Linux checks each:
// CAP_CHOWN, CAP_FOWNER and CAP_FSETID in the caller's user namespace and
// over a file whose owner (and for CAP_CHOWN and CAP_FSETID its group)
// has a mapping there; CAP_MKNOD for devices and whiteouts, and
// CAP_DAC_READ_SEARCH for linkat's AT_EMPTY_PATH, in the initial one. The
// ids chown(2) is given are the caller's namespace's (EINVAL for one with
// no mapping).
//
// Differs from Linux: fs.protected_hardlinks is not applied; a write does
// not clear the setuid bit (chown and chmod do).

import type { Task } from '../../kernel/task.js';
import type { Dentry } from '../../vfs/dentry.js';
import type { Inode, SetAttr } from '../../vfs/inode.js';
import { O_PATH } from '../../vfs/file_description.js';
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from '../../vfs/stat.js';
import { charDevice } from '../../vfs/devices.js';
import { EADDRINUSE } from '../../abi/linux/errno.js';
import { CAP_CHOWN, CAP_DAC_READ_SEARCH, CAP_FSETID, CAP_MKNOD } from '../../abi/linux/capability.js';
import { NO_ID } from '../../kernel/id_map.js';
import { MAY_EXEC, MAY_WRITE, NAME_MAX, inodePermission, stickyForbids } from '../../vfs/vfs.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, EBADF, EBUSY, EEXIST, EFAULT, EINVAL,
  EISDIR, ENAMETOOLONG, ENODEV, ENOENT, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM, EROFS, ESPIPE, EXDEV, copyInStruct,
  createContext, getI64, parentAt, readPath, resolveAt, wantWrite,
} from '../support.js';
import type { ParentLookup } from '../support.js';
import { notifyCreate, notifyRemove, notifyRename, notifySetattr } from '../../vfs/inotify/watches.js';

const S_ISUID = 0o4000, S_ISGID = 0o2000, S_IXGRP = 0o010;

function isDir(i: Inode): boolean {
  return (i.mode & S_IFMT) === S_IFDIR;
}

/** may_create(): search and write permission on the directory; a removed directory has no new names. */
export function mayCreate(t: Task, dir: Dentry): number {
  if (dir.dead) return -ENOENT;
  return inodePermission(t.creds, dir.inode, MAY_WRITE | MAY_EXEC);
}

/** may_delete(): the victim's directory must be writable, the sticky bit respected, the kinds must match. */
function mayDelete(t: Task, dir: Dentry, victim: Dentry, wantDir: boolean): number {
  const pe = inodePermission(t.creds, dir.inode, MAY_WRITE | MAY_EXEC);
  if (pe < 0) return pe;
  if (stickyForbids(t.creds, dir.inode, victim.inode)) return -EPERM;
  if (wantDir) {
    if (!isDir(victim.inode)) return -ENOTDIR;
    if (victim.parent === null) return -EBUSY;
  } else if (isDir(victim.inode)) {
    return -EISDIR;
  }
  if (dir.dead) return -ENOENT;
  return 0;
}

/**
 * Linux's filename_create(): the checks before a new name is made, up to
 * and including may_create. Returns 0 when the name may be made.
 */
function checkCreate(t: Task, p: ParentLookup, wantDir: boolean): number {
  if (p.type !== 'norm') return -EEXIST;
  if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
  const ro = wantWrite(p.parent);
  const existing = t.kernel.vfs.lookupChild(p.parent, p.name, false);
  if (typeof existing !== 'number') return -EEXIST;
  if (existing !== -ENOENT) return existing;
  if (p.trailingSlash && !wantDir) return -ENOENT;
  if (ro < 0) return ro;
  return mayCreate(t, p.parent);
}

/** What a file system answers for an operation it lacks (Linux's VFS: EPERM). */
function made(t: Task, p: ParentLookup, r: Inode | number | undefined, link = false): number {
  if (r === undefined) return -EPERM;
  if (typeof r === 'number') return r;
  t.kernel.vfs.linked(p.parent, p.name, r);
  notifyCreate(p.parent, p.name, r, link);
  return 0;
}

function mkdirAt(t: Task, dirfd: number, pathAddr: number, mode: number): number {
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = parentAt(t, dirfd, path);
  if (typeof p === 'number') return p;
  const e = checkCreate(t, p, true);
  if (e < 0) return e;
  const dir = p.parent.inode;
  return made(t, p, dir.mkdir?.(p.name, mode & 0o7777 & ~t.umask, createContext(t)));
}

export function sysMkdir(t: Task): number {
  return mkdirAt(t, AT_FDCWD, t.regs.arg(0), t.regs.argU32(1));
}
export function sysMkdirat(t: Task): number {
  return mkdirAt(t, t.regs.argInt(0), t.regs.arg(1), t.regs.argU32(2));
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

/** Decodes mknod's dev_t (new_decode_dev). */
function decodeDev(dev: number): number {
  return dev >>> 0;
}

function mknodAt(t: Task, dirfd: number, pathAddr: number, mode: number, dev: number): number {
  const e = checkMknodMode(mode);
  if (e < 0) return e;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = parentAt(t, dirfd, path);
  if (typeof p === 'number') return p;
  const c = checkCreate(t, p, false);
  if (c < 0) return c;
  let type = mode & S_IFMT;
  if (type === 0) type = S_IFREG;
  const bits = mode & 0o7777 & ~t.umask;
  const dir = p.parent.inode;
  const ctx = createContext(t);
  if (type === S_IFCHR || type === S_IFBLK) {
    const rdev = decodeDev(dev);
    const whiteout = type === S_IFCHR && rdev === 0;
    if (!whiteout && !t.creds.hasCapabilityInRoot(CAP_MKNOD)) return -EPERM;
    // Only the devices the Sentry serves (and the overlay's whiteout, 0:0).
    if (!whiteout && (type === S_IFBLK || charDevice(rdev) === undefined)) return -EPERM;
    return made(t, p, dir.mknod?.(p.name, type | bits, rdev, ctx));
  }
  if (type === S_IFREG) return made(t, p, dir.create?.(p.name, bits, ctx));
  return made(t, p, dir.mknod?.(p.name, type | bits, 0, ctx));
}

/**
 * The socket file bind(2) makes for a path-named unix socket (Linux's
 * unix_bind: mknod of S_IFSOCK with 0777 less the umask): its inode, or
 * -errno (EADDRINUSE where the name exists, as bind says it).
 */
export function makeSocketFile(t: Task, path: string): Inode | number {
  const p = parentAt(t, AT_FDCWD, path);
  if (typeof p === 'number') return p;
  const c = checkCreate(t, p, false);
  if (c === -EEXIST) return -EADDRINUSE;
  if (c < 0) return c;
  const r = p.parent.inode.mknod?.(p.name, S_IFSOCK | (0o777 & ~t.umask), 0, createContext(t));
  const e = made(t, p, r);
  return e < 0 ? e : (r as Inode);
}

export function sysMknod(t: Task): number {
  return mknodAt(t, AT_FDCWD, t.regs.arg(0), t.regs.argU32(1), t.regs.argU32(2));
}
export function sysMknodat(t: Task): number {
  return mknodAt(t, t.regs.argInt(0), t.regs.arg(1), t.regs.argU32(2), t.regs.argU32(3));
}

function symlinkAt(t: Task, targetAddr: number, dirfd: number, pathAddr: number): number {
  const target = readPath(t, targetAddr);
  if (typeof target === 'number') return target;
  // getname() refuses an empty string before anything else.
  if (target.length === 0) return -ENOENT;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const p = parentAt(t, dirfd, path);
  if (typeof p === 'number') return p;
  const c = checkCreate(t, p, false);
  if (c < 0) return c;
  return made(t, p, p.parent.inode.symlink?.(p.name, target, createContext(t)));
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
  // The file to link: a name, or (AT_EMPTY_PATH, which needs CAP_DAC_READ_SEARCH) an open file.
  let old: Dentry | null | number;
  if (oldPath.length === 0 && flags & AT_EMPTY_PATH) {
    if (!t.creds.hasCapabilityInRoot(CAP_DAC_READ_SEARCH)) return -ENOENT;
    if (olddfd === AT_FDCWD) old = t.cwd;
    else {
      const f = t.fdTable.get(olddfd);
      if (f === undefined) return -EBADF;
      old = f.dentry;
    }
  } else {
    old = resolveAt(t, olddfd, oldPath, (flags & AT_SYMLINK_FOLLOW) !== 0, false);
  }
  if (typeof old === 'number') return old;
  const newPath = readPath(t, newAddr);
  if (typeof newPath === 'number') return newPath;
  const p = parentAt(t, newdfd, newPath);
  if (typeof p === 'number') return p;
  if (p.type !== 'norm') return -EEXIST;
  if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
  const ro = wantWrite(p.parent);
  const existing = t.kernel.vfs.lookupChild(p.parent, p.name, false);
  if (typeof existing !== 'number') return -EEXIST;
  if (existing !== -ENOENT) return existing;
  if (p.trailingSlash) return -ENOENT;
  if (ro < 0) return ro;
  if (old === null || old.mount !== p.parent.mount) return -EXDEV;
  const mc = mayCreate(t, p.parent);
  if (mc < 0) return mc;
  if (isDir(old.inode)) return -EPERM;
  const dir = p.parent.inode;
  return made(t, p, dir.link?.(p.name, old.inode), true);
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
  const ro = wantWrite(p.parent);
  if (ro < 0) return ro;
  if (p.name.length > NAME_MAX) return -ENAMETOOLONG;
  const d = t.kernel.vfs.lookupChild(p.parent, p.name, false);
  if (typeof d === 'number') return d;
  if (!dir && p.trailingSlash) return isDir(d.inode) ? -EISDIR : -ENOTDIR;
  const md = mayDelete(t, p.parent, d, dir);
  if (md < 0) return md;
  if (t.kernel.vfs.isMountpoint(d)) return -EBUSY;
  const ino = p.parent.inode;
  const r = dir ? ino.rmdir?.(p.name) : ino.unlink?.(p.name);
  if (r === undefined) return -EPERM;
  if (r < 0) return r;
  t.kernel.vfs.unlinked(p.parent, p.name);
  notifyRemove(p.parent, p.name, d.inode, dir);
  return 0;
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

/** Linux's do_renameat2() and vfs_rename(). */
function renameAt(t: Task, olddfd: number, oldAddr: number, newdfd: number, newAddr: number, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT) && flags & RENAME_EXCHANGE) return -EINVAL;
  if (flags & RENAME_WHITEOUT && !t.creds.hasCapabilityInRoot(CAP_MKNOD)) return -EPERM;
  const oldPath = readPath(t, oldAddr);
  if (typeof oldPath === 'number') return oldPath;
  const from = parentAt(t, olddfd, oldPath);
  if (typeof from === 'number') return from;
  const newPath = readPath(t, newAddr);
  if (typeof newPath === 'number') return newPath;
  const to = parentAt(t, newdfd, newPath);
  if (typeof to === 'number') return to;
  if (from.parent.mount !== to.parent.mount) return -EXDEV;
  if (from.type !== 'norm') return -EBUSY;
  if (to.type !== 'norm') return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  const ro = wantWrite(from.parent);
  if (ro < 0) return ro;
  const vfs = t.kernel.vfs;
  if (from.name.length > NAME_MAX || to.name.length > NAME_MAX) return -ENAMETOOLONG;
  const src = vfs.lookupChild(from.parent, from.name, false);
  if (typeof src === 'number') return src;
  const dst = vfs.lookupChild(to.parent, to.name, false);
  if (typeof dst === 'number' && dst !== -ENOENT) return dst;
  const dstD = typeof dst === 'number' ? null : dst;
  if (flags & RENAME_NOREPLACE && dstD !== null) return -EEXIST;
  if (flags & RENAME_EXCHANGE) {
    if (dstD === null) return -ENOENT;
    if (!isDir(dstD.inode) && to.trailingSlash) return -ENOTDIR;
  }
  const srcDir = isDir(src.inode);
  if (!srcDir) {
    if (from.trailingSlash) return -ENOTDIR;
    if (!(flags & RENAME_EXCHANGE) && to.trailingSlash) return -ENOTDIR;
  }
  // The source must not be an ancestor of the target, nor the target of the source.
  if (to.parent.isWithin(src)) return -EINVAL;
  if (dstD !== null && from.parent.isWithin(dstD)) return flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
  if (dstD !== null && dstD.inode === src.inode) return 0;
  let e = mayDelete(t, from.parent, src, srcDir);
  if (e < 0) return e;
  const dstDir = dstD !== null && isDir(dstD.inode);
  if (dstD === null) e = mayCreate(t, to.parent);
  else e = mayDelete(t, to.parent, dstD, flags & RENAME_EXCHANGE ? dstDir : srcDir);
  if (e < 0) return e;
  if (from.parent !== to.parent) {
    // A directory that moves rewrites its "..": it must be writable.
    if (srcDir && (e = inodePermission(t.creds, src.inode, MAY_WRITE)) < 0) return e;
    if (flags & RENAME_EXCHANGE && dstDir && (e = inodePermission(t.creds, (dstD as Dentry).inode, MAY_WRITE)) < 0) return e;
  }
  if (vfs.isMountpoint(src) || (dstD !== null && vfs.isMountpoint(dstD))) return -EBUSY;
  const r = from.parent.inode.rename?.(from.name, to.parent.inode, to.name, flags);
  if (r === undefined) return -EPERM;
  if (r < 0) return r;
  vfs.renamed(from.parent, from.name, to.parent, to.name, (flags & RENAME_EXCHANGE) !== 0);
  notifyRename(from.parent, from.name, to.parent, to.name, src.inode, dstD?.inode ?? null, (flags & RENAME_EXCHANGE) !== 0);
  if (flags & RENAME_WHITEOUT) vfs.unlinked(from.parent, from.name);
  return 0;
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

type Change = { mode?: number; uid?: number; gid?: number };

/** notify_change() on a named file, after setattr_prepare()'s ownership rules. */
function setattrDentry(t: Task, d: Dentry, attr: SetAttr): number {
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const ino = d.inode;
  if (ino.setattr === undefined) return -EPERM;
  const r = ino.setattr(attr);
  if (r === 0) notifySetattr(d, attr);
  return r;
}

/** chmod_common() */
function chmod(t: Task, d: Dentry, mode: number): number {
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  const c = t.creds;
  if (!c.ownerOrCapable(st.uid)) return -EPERM;
  let bits = mode & 0o7777;
  // Only a member of the file's group (or CAP_FSETID over the file) may set its setgid bit.
  if (bits & S_ISGID && c.fsgid !== st.gid && !c.groups.includes(st.gid) && !c.hasCapabilityOnFile(CAP_FSETID, st.uid, st.gid)) {
    bits &= ~S_ISGID;
  }
  return setattrDentry(t, d, { mode: bits });
}

/**
 * chown_common() after mnt_want_write(): the ids, the caller's
 * namespace's, as kernel ids (one with no mapping is EINVAL), then
 * chown_ok and chgrp_ok.
 */
function chown(t: Task, d: Dentry, asked: Change): number {
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const change = kernelOwner(t, asked);
  if (change === null) return -EINVAL;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  // chown_ok and chgrp_ok: the owner may keep its uid and give the file a group of its own; else CAP_CHOWN over the file.
  if (!t.creds.hasCapabilityOnFile(CAP_CHOWN, st.uid, st.gid)) {
    if (change.uid !== undefined && (change.uid !== st.uid || t.creds.fsuid !== st.uid)) return -EPERM;
    if (change.gid !== undefined && (t.creds.fsuid !== st.uid ||
      (change.gid !== st.gid && t.creds.fsgid !== change.gid && !t.creds.groups.includes(change.gid)))) return -EPERM;
  }
  const attr: SetAttr = { uid: change.uid, gid: change.gid };
  if ((st.mode & S_IFMT) !== S_IFDIR) {
    // A change of owner drops setuid, and setgid where it means "run as the group".
    let m = st.mode & 0o7777;
    m &= ~S_ISUID;
    if (m & S_IXGRP) m &= ~S_ISGID;
    if (m !== (st.mode & 0o7777)) attr.mode = m;
  }
  if (attr.uid === undefined && attr.gid === undefined && attr.mode === undefined) attr.mode = st.mode & 0o7777;
  return setattrDentry(t, d, attr);
}

/** An attribute change on an open file: through its name, or the file itself when it has none (a pipe). */
function withFile(t: Task, fd: number, named: (d: Dentry) => number, change: Change): number {
  const f = t.fdTable.get(fd);
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  if (f.dentry === null) {
    const k = kernelOwner(t, change);
    return k === null ? -EINVAL : f.setattr(k, t.creds);
  }
  return named(f.dentry);
}

export function sysChmod(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  return typeof d === 'number' ? d : chmod(t, d, t.regs.argU32(1));
}
export function sysFchmodat(t: Task): number {
  const d = pathTarget(t, t.regs.argInt(0), t.regs.arg(1), true, false);
  return typeof d === 'number' ? d : chmod(t, d, t.regs.argU32(2));
}
export function sysFchmod(t: Task): number {
  const mode = t.regs.argU32(1) & 0o7777;
  return withFile(t, t.regs.argInt(0), (d) => chmod(t, d, mode), { mode });
}
export function sysChown(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  return typeof d === 'number' ? d : chown(t, d, ownerChange(t.regs.argU32(1), t.regs.argU32(2)));
}
export function sysLchown(t: Task): number {
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), false, false);
  return typeof d === 'number' ? d : chown(t, d, ownerChange(t.regs.argU32(1), t.regs.argU32(2)));
}
export function sysFchown(t: Task): number {
  const c = ownerChange(t.regs.argU32(1), t.regs.argU32(2));
  return withFile(t, t.regs.argInt(0), (d) => chown(t, d, c), c);
}
export function sysFchownat(t: Task): number {
  const r = t.regs;
  const fl = r.argInt(4);
  if (fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = readPath(t, r.arg(1));
  if (typeof path === 'number') return path;
  const c = ownerChange(r.argU32(2), r.argU32(3));
  if (path.length === 0 && fl & AT_EMPTY_PATH && r.argInt(0) !== AT_FDCWD) {
    // The open file itself (O_PATH descriptors included); one with no name is changed directly.
    const f = t.fdTable.get(r.argInt(0));
    if (f === undefined) return -EBADF;
    if (f.dentry === null) {
      const k = kernelOwner(t, c);
      return k === null ? -EINVAL : f.setattr(k, t.creds);
    }
    return chown(t, f.dentry, c);
  }
  const d = resolveAt(t, r.argInt(0), path, (fl & AT_SYMLINK_NOFOLLOW) === 0, (fl & AT_EMPTY_PATH) !== 0);
  return typeof d === 'number' ? d : chown(t, d, c);
}

function ownerChange(uid: number, gid: number): Change {
  return { uid: uid === 0xffffffff ? undefined : uid, gid: gid === 0xffffffff ? undefined : gid };
}

/** An owner change of the caller's namespace's ids as kernel ids (make_kuid), or null if one has no mapping. */
function kernelOwner(t: Task, c: Change): Change | null {
  const ns = t.creds.userns;
  if (ns.isRoot || (c.uid === undefined && c.gid === undefined)) return c;
  const uid = c.uid === undefined ? undefined : ns.kuid(c.uid);
  const gid = c.gid === undefined ? undefined : ns.kgid(c.gid);
  if (uid === NO_ID || gid === NO_ID) return null;
  return { ...c, uid, gid };
}

/** truncate(2), in do_sys_truncate()/vfs_truncate()'s order. */
export function sysTruncate(t: Task): number {
  const len = t.regs.argSigned(1);
  if (len < 0) return -EINVAL;
  const d = pathTarget(t, AT_FDCWD, t.regs.arg(0), true, false);
  if (typeof d === 'number') return d;
  const type = d.inode.mode & S_IFMT;
  if (type === S_IFDIR) return -EISDIR;
  if (type !== S_IFREG) return -EINVAL;
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const pe = inodePermission(t.creds, d.inode, MAY_WRITE);
  if (pe < 0) return pe;
  return setattrDentry(t, d, { size: len });
}

export function sysFtruncate(t: Task): number {
  const len = t.regs.argSigned(1);
  if (len < 0) return -EINVAL;
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  if (!f.writable) return -EINVAL;
  const d = f.dentry;
  if (d !== null && d.inode.setattr !== undefined) {
    if ((d.inode.mode & S_IFMT) !== S_IFREG) return -EINVAL;
    // do_truncate() from ftruncate sets the times whether or not the size changes.
    const attr = { size: len, mtime: nowTime(t) };
    const r = d.inode.setattr(attr);
    if (r === 0) notifySetattr(d, attr);
    return r;
  }
  return f.truncate(len);
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
  if (offset + len > Number.MAX_SAFE_INTEGER) return -27; // EFBIG
  return f.fallocate(mode, offset, len);
}

// ---- times -------------------------------------------------------------

const UTIME_NOW = 0x3fffffff, UTIME_OMIT = 0x3ffffffe;

function nowTime(t: Task): [number, number] {
  const ms = t.kernel.realtimeMs();
  const sec = Math.floor(ms / 1000);
  return [sec, Math.min(999999999, Math.round((ms - sec * 1000) * 1e6))];
}

/** The times a call asks for: null for "now" on both (no buffer, or UTIME_NOW twice). */
interface Times {
  atime?: readonly [number, number] | 'now';
  mtime?: readonly [number, number] | 'now';
  /** A nanosecond field out of range: vfs_utimes() says EINVAL once the file is found. */
  bad?: boolean;
}

/** Reads two timevals (usec) or timespecs; -errno if unreadable or bad. */
function readTimes(t: Task, addr: number, usec: boolean): Times | number {
  if (addr === 0) return { atime: 'now', mtime: 'now' };
  const dv = copyInStruct(t, addr, 32);
  if (dv === null) return -EFAULT;
  const out: Times = {};
  for (const [o, key] of [[0, 'atime'], [16, 'mtime']] as const) {
    const sec = getI64(dv, o);
    const frac = getI64(dv, o + 8);
    if (usec) {
      if (frac < 0 || frac >= 1e6) return -EINVAL;
      out[key] = [sec, frac * 1000];
    } else if (frac === UTIME_OMIT) {
      continue;
    } else if (frac === UTIME_NOW) {
      out[key] = 'now';
    } else {
      if (frac < 0 || frac >= 1e9) out.bad = true;
      out[key] = [sec, frac];
    }
  }
  return out;
}

/** vfs_utimes(): who may set which times, then the change. */
function utimes(t: Task, d: Dentry, tm: Times): number {
  if (tm.bad) return -EINVAL;
  const ro = wantWrite(d);
  if (ro < 0) return ro;
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  const explicit = (tm.atime !== undefined && tm.atime !== 'now') || (tm.mtime !== undefined && tm.mtime !== 'now');
  const owner = t.creds.ownerOrCapable(st.uid);
  if (!owner) {
    if (explicit) return -EPERM;
    if (inodePermission(t.creds, d.inode, MAY_WRITE) < 0) return -13; // EACCES
  }
  const now = nowTime(t);
  const attr: SetAttr = {};
  if (tm.atime !== undefined) attr.atime = tm.atime === 'now' ? now : tm.atime;
  if (tm.mtime !== undefined) attr.mtime = tm.mtime === 'now' ? now : tm.mtime;
  return setattrDentry(t, d, attr);
}

/** Sets the times of a path or an open file. */
function utimesAt(t: Task, dirfd: number, pathAddr: number, flags: number, tm: Times): number {
  if (pathAddr === 0 && dirfd !== AT_FDCWD) {
    // utimensat(fd, NULL, ...): the open file itself.
    if (flags !== 0) return -EINVAL;
    const f = t.fdTable.get(dirfd);
    if (f === undefined || f.flags & O_PATH) return -EBADF;
    if (f.dentry === null) return tm.bad ? -EINVAL : f.setattr({}, t.creds);
    return utimes(t, f.dentry, tm);
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  if (path.length === 0 && flags & AT_EMPTY_PATH && dirfd !== AT_FDCWD) {
    const f = t.fdTable.get(dirfd);
    if (f === undefined) return -EBADF;
    if (f.dentry === null) return tm.bad ? -EINVAL : f.setattr({}, t.creds);
  }
  const d = resolveAt(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
  return typeof d === 'number' ? d : utimes(t, d, tm);
}

export function sysUtime(t: Task): number {
  const addr = t.regs.arg(1);
  let tm: Times = { atime: 'now', mtime: 'now' };
  if (addr !== 0) {
    const dv = copyInStruct(t, addr, 16);
    if (dv === null) return -EFAULT;
    tm = { atime: [getI64(dv, 0), 0], mtime: [getI64(dv, 8), 0] };
  }
  return utimesAt(t, AT_FDCWD, t.regs.arg(0), 0, tm);
}
export function sysUtimes(t: Task): number {
  const tm = readTimes(t, t.regs.arg(1), true);
  if (typeof tm === 'number') return tm;
  return utimesAt(t, AT_FDCWD, t.regs.arg(0), 0, tm);
}
export function sysFutimesat(t: Task): number {
  const r = t.regs;
  const tm = readTimes(t, r.arg(2), true);
  if (typeof tm === 'number') return tm;
  return utimesAt(t, r.argInt(0), r.arg(1), 0, tm);
}

/** utimensat(2): UTIME_OMIT twice is a no-op once the flags are checked. */
export function sysUtimensat(t: Task): number {
  const r = t.regs;
  const tm = readTimes(t, r.arg(2), false);
  if (typeof tm === 'number') return tm;
  // Nothing to do: not even the path is looked at.
  if (tm.atime === undefined && tm.mtime === undefined) return 0;
  return utimesAt(t, r.argInt(0), r.arg(1), r.argInt(3), tm);
}

// ---- syncing -----------------------------------------------------------

export function sysFsync(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  return f.sync();
}

/** sync(2): nothing the sandbox writes is buffered on its way to the host. */
export function sysSync(): number {
  return 0;
}

export function sysSyncfs(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  return f === undefined || f.flags & O_PATH ? -EBADF : 0;
}

export { EROFS };
