// Extended attributes: getxattr(2), lgetxattr, fgetxattr, listxattr(2),
// llistxattr, flistxattr, setxattr(2) and removexattr(2) with their l/f
// forms. Names are checked as Linux checks them, in Linux's order: the
// arguments (flags, name, value) before the file; then the namespace
// permission (user.* only on regular files and directories, trusted.* with
// CAP_SYS_ADMIN, security.* writes with CAP_SYS_ADMIN, or CAP_SETFCAP for
// security.capability); then whether the file system knows the
// name (the host root as ext4: user., trusted., security. and the POSIX ACL
// names; /dev and /sys: the three prefixes; pipes and /proc: none).
//
// File systems that keep extended attributes (tmpfs: Inode.getxattr and
// friends) store user., trusted. and security. names; trusted. names are
// listed only with CAP_SYS_ADMIN, as Linux lists them.
//
// Differs from Linux: the host root exposes none of its attributes (reads
// find none: ENODATA, an empty list, ENODATA for a POSIX ACL; writes fail
// with EROFS on the read-only root); no in-memory file system supports
// POSIX ACLs (EOPNOTSUPP), where Linux's tmpfs may.

import type { Task } from '../../kernel/task.js';
import { HostFD } from '../../fs/host_fd.js';
import { O_PATH } from '../../vfs/file_description.js';
import type { FileDescription } from '../../vfs/file_description.js';
import type { Inode } from '../../vfs/inode.js';
import type { Dentry } from '../../vfs/dentry.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../vfs/stat.js';
import type { Stat } from '../../vfs/stat.js';
import { MAY_READ, MAY_WRITE, checkPermission } from '../../vfs/vfs.js';
import { CAP_SETFCAP, CAP_SYS_ADMIN } from '../../abi/linux/capability.js';
import {
  AT_FDCWD, E2BIG, EACCES, EBADF, EFAULT, EINVAL, ENAMETOOLONG, ENODATA, ENOTSUP, EOPNOTSUPP, EPERM, ERANGE, EROFS,
  readPath, resolveAt,
} from '../support.js';

const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;
const XATTR_CREATE = 1, XATTR_REPLACE = 2;
const S_ISVTX = 0o1000;

const USER = 'user.', TRUSTED = 'trusted.', SECURITY = 'security.', SYSTEM = 'system.';
const XATTR_NAME_CAPS = 'security.capability';
const ACL_ACCESS = 'system.posix_acl_access', ACL_DEFAULT = 'system.posix_acl_default';

type Kind = 'path' | 'lpath' | 'fd';

/**
 * Which xattr handlers a file's file system has: 'host' is the host root,
 * taken to be ext4 (user., trusted., security. and the POSIX ACLs);
 * 'memory' is tmpfs-like (the three prefixes, no ACLs); 'none' has no
 * xattr support at all (pipefs, proc: Linux's inodes without IOP_XATTR).
 */
type Handlers = 'host' | 'memory' | 'none';

/** The file an xattr call is about. */
interface Target {
  st: Stat;
  handlers: Handlers;
  readOnly: boolean;
  /** The inode that stores attributes ('memory' handlers with storage), or null. */
  store: Inode | null;
}

/** Reads the name argument: the name, or -ERANGE (empty, longer than XATTR_NAME_MAX) or -EFAULT. */
function readName(t: Task, addr: number): string | number {
  const n = t.mm.readCString(addr, XATTR_NAME_MAX + 1);
  if (typeof n === 'number') return n === -ENAMETOOLONG ? -ERANGE : n;
  if (n.length === 0) return -ERANGE;
  return n;
}

function inodeTarget(d: Dentry): Target | number {
  const ino = d.inode;
  const st = ino.stat();
  if (typeof st === 'number') return st;
  // A host directory's files keep the host's attributes (hostfs serves user.* of them); procfs has none.
  const handlers: Handlers = ino.fs.hostFiles === true ? 'host' : ino.fs.type === 'proc' ? 'none' : 'memory';
  const store = ino.getxattr !== undefined ? ino : null;
  return { st, handlers, readOnly: d.mount.readOnly, store };
}

/** A descriptor's file: its inode if it has one, else the pipe or host file it is. */
function fileTarget(f: FileDescription): Target | number {
  if (f.dentry !== null) return inodeTarget(f.dentry);
  const st = f.stat();
  if (typeof st === 'number') return st;
  // A donated host descriptor that is a regular file lives on some host file system; pipes,
  // terminals and sockets have no xattr handlers.
  const handlers: Handlers = f instanceof HostFD && st.isReg() ? 'host' : 'none';
  return { st, handlers, readOnly: false, store: null };
}

/** Finds the file (after the arguments are checked, as in Linux). */
function target(t: Task, kind: Kind): Target | number {
  if (kind === 'fd') {
    const f = t.fdTable.get(t.regs.argInt(0));
    if (f === undefined || (f.flags & O_PATH) !== 0) return -EBADF;
    return fileTarget(f);
  }
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  const d = resolveAt(t, AT_FDCWD, p, kind === 'path', false);
  if (typeof d === 'number') return d;
  return inodeTarget(d);
}

function isAcl(name: string): boolean {
  return name === ACL_ACCESS || name === ACL_DEFAULT;
}

/** Linux's xattr_permission(): the namespace rules, then the file's mode bits for user.* and unknown names. */
function permission(t: Task, x: Target, name: string, mask: number): number {
  if (name.startsWith(SECURITY) || name.startsWith(SYSTEM)) return 0;
  if (name.startsWith(TRUSTED)) {
    if (!t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN)) return mask & MAY_WRITE ? -EPERM : -ENODATA;
    return 0;
  }
  const type = x.st.mode & S_IFMT;
  if (name.startsWith(USER)) {
    if (type !== S_IFREG && type !== S_IFDIR) return mask & MAY_WRITE ? -EPERM : -ENODATA;
    if (type === S_IFDIR && (x.st.mode & S_ISVTX) !== 0 && (mask & MAY_WRITE) !== 0 &&
      !t.creds.ownerOrCapable(x.st.uid)) return -EPERM;
  }
  return checkPermission(t.creds, x.st.mode, x.st.uid, x.st.gid, mask) ? 0 : -EACCES;
}

/** Linux's xattr_resolve_name(): 0 if a handler takes the name, else -EOPNOTSUPP or -EINVAL (a bare prefix). */
function resolveName(x: Target, name: string): number {
  if (x.handlers === 'none') return -EOPNOTSUPP;
  for (const prefix of [USER, TRUSTED, SECURITY]) {
    if (name.startsWith(prefix)) return name.length === prefix.length ? -EINVAL : 0;
  }
  return -EOPNOTSUPP;
}

/** Whether a POSIX ACL can exist on this file (IS_POSIXACL and not a symlink). */
function aclSupported(x: Target): boolean {
  return x.handlers === 'host' && (x.st.mode & S_IFMT) !== S_IFLNK;
}

/** The write checks setxattr and removexattr share once the file is writable: -errno, or 0 if the name is fine. */
function writeChecks(t: Task, x: Target, name: string): number {
  const e = permission(t, x, name, MAY_WRITE);
  if (e < 0) return e;
  // The capability module (cap_inode_setxattr, cap_convert_nscap): security.* names need CAP_SYS_ADMIN
  // (the file systems here belong to the initial user namespace), but security.capability needs CAP_SETFCAP over the file.
  if (name.startsWith(SECURITY)) {
    const ok = name === XATTR_NAME_CAPS ? t.creds.hasCapabilityOnFile(CAP_SETFCAP, x.st.uid, x.st.gid) : t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN);
    if (!ok) return -EPERM;
  }
  return resolveName(x, name);
}

/**
 * Checks a POSIX ACL xattr value as posix_acl_from_xattr() does: shorter
 * than the header is EINVAL, a version other than 2 EOPNOTSUPP, then whole
 * 8-byte entries with known tags and, for ACL_USER and ACL_GROUP, a valid
 * id (else EINVAL). Returns 0 or -errno.
 */
function checkAclValue(v: Uint8Array): number {
  if (v.length < 4) return -EINVAL;
  const dv = new DataView(v.buffer, v.byteOffset, v.length);
  if (dv.getUint32(0, true) !== 2) return -EOPNOTSUPP;
  if ((v.length - 4) % 8 !== 0) return -EINVAL;
  for (let o = 4; o < v.length; o += 8) {
    const tag = dv.getUint16(o, true);
    const id = dv.getUint32(o + 4, true);
    switch (tag) {
      case 0x01: case 0x04: case 0x10: case 0x20: break; // USER_OBJ, GROUP_OBJ, MASK, OTHER
      case 0x02: case 0x08: if (id === 0xffffffff) return -EINVAL; break; // USER, GROUP
      default: return -EINVAL;
    }
  }
  return 0;
}

/**
 * Setting (value non-null, or an empty value) or removing (value null) a
 * POSIX ACL on a writable file, after set_posix_acl(): no ACL support is
 * EOPNOTSUPP; a default ACL on a non-directory is EACCES to set and a
 * no-op to remove; only the owner or root may change it. A change the
 * sandbox would have to store is ENOTSUP.
 */
function setAcl(t: Task, x: Target, name: string, value: Uint8Array | null): number {
  if (!aclSupported(x)) return -EOPNOTSUPP;
  if (name === ACL_DEFAULT && (x.st.mode & S_IFMT) !== S_IFDIR) return value !== null ? -EACCES : 0;
  if (!t.creds.ownerOrCapable(x.st.uid)) return -EPERM;
  return value !== null ? -ENOTSUP : 0;
}

function get(t: Task, kind: Kind): number {
  const name = readName(t, t.regs.arg(1));
  if (typeof name === 'number') return name;
  const x = target(t, kind);
  if (typeof x === 'number') return x;
  // The size and buffer are only used for a value, and there is none.
  if (isAcl(name)) return aclSupported(x) ? -ENODATA : -EOPNOTSUPP;
  const e = permission(t, x, name, MAY_READ);
  if (e < 0) return e;
  const r = resolveName(x, name);
  if (r < 0) return r;
  if (x.store === null) return -ENODATA;
  const v = (x.store.getxattr as (n: string) => Uint8Array | number).call(x.store, name);
  if (typeof v === 'number') return v;
  return valueOut(t, t.regs.arg(2), t.regs.arg(3), v);
}

/** Copies a value or list out as getxattr/listxattr do: size 0 asks for the length; too small is ERANGE. */
function valueOut(t: Task, addr: number, size: number, v: Uint8Array): number {
  if (size === 0) return v.length;
  if (v.length > XATTR_SIZE_MAX) return -E2BIG;
  if (size < v.length) return -ERANGE;
  return t.mm.copyOut(addr, v) < 0 ? -EFAULT : v.length;
}

function list(t: Task, kind: Kind): number {
  const x = target(t, kind);
  if (typeof x === 'number') return x;
  if (x.store === null || x.store.listxattr === undefined) return 0;
  const names = x.store.listxattr();
  if (typeof names === 'number') return names;
  const admin = t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN);
  const shown = names.filter((n) => admin || !n.startsWith(TRUSTED));
  const buf = Buffer.from(shown.map((n) => n + '\0').join(''), 'latin1');
  return valueOut(t, t.regs.arg(1), t.regs.arg(2), buf);
}

function set(t: Task, kind: Kind): number {
  const r = t.regs;
  const size = r.arg(3), flags = r.argInt(4);
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  const name = readName(t, r.arg(1));
  if (typeof name === 'number') return name;
  let value: Uint8Array | null = null;
  if (size !== 0) {
    if (size > XATTR_SIZE_MAX) return -E2BIG;
    value = t.mm.copyIn(r.arg(2), size);
    if (value === null) return -EFAULT;
  }
  const x = target(t, kind);
  if (typeof x === 'number') return x;
  if (x.readOnly) return -EROFS;
  if (isAcl(name)) {
    // An empty value removes the ACL, as Linux reads it.
    if (value !== null) {
      const e = checkAclValue(value);
      if (e < 0) return e;
      if (value.length === 4) value = null;
    }
    return setAcl(t, x, name, value);
  }
  const e = writeChecks(t, x, name);
  if (e < 0) return e;
  if (x.store === null || x.store.setxattr === undefined) return -ENOTSUP;
  return x.store.setxattr(name, value ?? new Uint8Array(0), flags);
}

function remove(t: Task, kind: Kind): number {
  const name = readName(t, t.regs.arg(1));
  if (typeof name === 'number') return name;
  const x = target(t, kind);
  if (typeof x === 'number') return x;
  if (x.readOnly) return -EROFS;
  if (isAcl(name)) return setAcl(t, x, name, null); // removing an absent ACL succeeds
  const e = writeChecks(t, x, name);
  if (e < 0) return e;
  if (x.store === null || x.store.removexattr === undefined) return -ENODATA;
  return x.store.removexattr(name);
}

export const sysGetxattr = (t: Task): number => get(t, 'path');
export const sysLgetxattr = (t: Task): number => get(t, 'lpath');
export const sysFgetxattr = (t: Task): number => get(t, 'fd');
export const sysListxattr = (t: Task): number => list(t, 'path');
export const sysLlistxattr = (t: Task): number => list(t, 'lpath');
export const sysFlistxattr = (t: Task): number => list(t, 'fd');
export const sysSetxattr = (t: Task): number => set(t, 'path');
export const sysLsetxattr = (t: Task): number => set(t, 'lpath');
export const sysFsetxattr = (t: Task): number => set(t, 'fd');
export const sysRemovexattr = (t: Task): number => remove(t, 'path');
export const sysLremovexattr = (t: Task): number => remove(t, 'lpath');
export const sysFremovexattr = (t: Task): number => remove(t, 'fd');
