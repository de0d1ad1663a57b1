// mount(2), umount2(2)/umount, pivot_root(2), and unshare(2) for what
// belongs to the file system context (CLONE_NEWNS, CLONE_FS, CLONE_FILES).
// New file systems are made by type name through the VFS's registry
// (src/vfs/fs_registry.ts), so this file knows no file system class.
//
// Checks run in Linux's order (fs/namespace.c: path_mount, do_umount,
// pivot_root). Each needs CAP_SYS_ADMIN in the user namespace that owns
// the caller's mount namespace (may_mount); a new instance of a file
// system type that user namespaces may not mount (not FS_USERNS_MOUNT:
// devtmpfs) needs it in the initial namespace.
//
// Mounts and unmounts propagate between peers and to slaves, in one
// namespace and across copied ones (src/vfs/propagation.ts).
//
// Differs from Linux: MS_MOVE does not propagate; MNT_FORCE is accepted and does what a
// plain umount does (no file system here has umount_begin); mount(2) has
// no block-device sources (a source is a name only).

import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import type { Dentry } from '../../vfs/dentry.js';
import type { Mount } from '../../vfs/mount.js';
import {
  MNT_ATIME_MASK, mountFlagsFrom, MS_BIND, MS_MOVE, MS_PRIVATE, MS_REC, MS_REMOUNT, MS_SHARED,
  MS_SLAVE, MS_UNBINDABLE,
} from '../../vfs/mount.js';
import { fileSystemType } from '../../vfs/fs_registry.js';
import { S_IFDIR, S_IFMT } from '../../vfs/stat.js';
import {
  AT_FDCWD, EBUSY, EFAULT, EINVAL, ENODEV, ENOTDIR, EPERM, readPath, resolveAt,
} from '../support.js';
import { EAGAIN, ENOSYS } from '../../abi/linux/errno.js';
import { CAP_SYS_ADMIN } from '../../abi/linux/capability.js';
import { credentialsInNewUserNamespace } from '../../kernel/task_clone.js';

const PAGE_SIZE = 4096;
const MS_MGC_MSK = 0xffff0000 >>> 0, MS_MGC_VAL = 0xc0ed0000 >>> 0;
const PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

function isDir(d: Dentry): boolean {
  return (d.inode.mode & S_IFMT) === S_IFDIR;
}

/** A string argument of at most one page (mount's type and data), or null for a null pointer. */
function readSmallString(t: Task, addr: number): string | null | number {
  if (addr === 0) return null;
  const s = t.mm.readCString(addr, PAGE_SIZE);
  if (typeof s === 'number') return s === -EFAULT ? s : -EINVAL;
  return s;
}

const mountFlags = mountFlagsFrom;

/** Whether any task has its root or working directory in m, or a file open in it. */
function inUse(t: Task, m: Mount): boolean {
  if (m.openFiles > 0) return true;
  for (const o of t.kernel.pidns.tasks.values()) {
    if (o.state === TaskState.Dead) continue;
    if (o.fs.cwd.mount === m || o.fs.root.mount === m) return true;
  }
  return false;
}

/** may_mount: CAP_SYS_ADMIN over the caller's mount namespace (its owner's user namespace). */
function mayMount(t: Task): boolean {
  return t.creds.hasCapabilityIn(CAP_SYS_ADMIN, t.fs.mntnsOwner ?? t.kernel.userns);
}

/** The mount d is the root of, or null. */
function mountRootedAt(d: Dentry): Mount | null {
  return d.parent === null ? d.mount : null;
}

export function sysMount(t: Task): number {
  const r = t.regs;
  let flags = r.arg(3) >>> 0;
  // The old magic number in the high half means nothing.
  if ((flags & MS_MGC_MSK) === MS_MGC_VAL) flags &= ~MS_MGC_MSK;
  const type = readSmallString(t, r.arg(2));
  if (typeof type === 'number') return type;
  const source = readSmallString(t, r.arg(0));
  if (typeof source === 'number') return source;
  const data = readSmallString(t, r.arg(4));
  if (typeof data === 'number') return data;
  const targetPath = readPath(t, r.arg(1));
  if (typeof targetPath === 'number') return targetPath;
  if (!mayMount(t)) return -EPERM;
  const target = resolveAt(t, AT_FDCWD, targetPath, true, false);
  if (typeof target === 'number') return target;
  const vfs = t.kernel.vfs;
  if (target.mount.ns !== t.fs.mntns) return -EINVAL;

  if (flags & MS_REMOUNT && flags & MS_BIND) {
    // Only the mount's own flags change.
    const m = mountRootedAt(target);
    if (m === null) return -EINVAL;
    m.flags = mountFlags(flags);
    return 0;
  }
  if (flags & MS_REMOUNT) {
    const m = mountRootedAt(target);
    if (m === null) return -EINVAL;
    if (data !== null && data !== '' && m.fs.reconfigure !== undefined) {
      const e = m.fs.reconfigure(data);
      if (e < 0) return e;
    }
    // The atime policy stays unless the call names one.
    let nf = mountFlags(flags);
    if ((flags & MNT_ATIME_MASK) === 0) nf = (nf & ~MNT_ATIME_MASK) | (m.flags & MNT_ATIME_MASK);
    m.flags = nf;
    return 0;
  }
  if (flags & PROPAGATION) {
    const kinds = flags & PROPAGATION;
    // Exactly one kind, with nothing but MS_REC and MS_SILENT beside it.
    if ((kinds & (kinds - 1)) !== 0 || flags & ~(PROPAGATION | MS_REC | 0x8000)) return -EINVAL;
    const m = mountRootedAt(target);
    if (m === null) return -EINVAL;
    vfs.setPropagation(m, kinds === MS_SHARED ? 'shared' : kinds === MS_PRIVATE ? 'private' : kinds === MS_SLAVE ? 'slave' : 'unbindable',
      (flags & MS_REC) !== 0);
    return 0;
  }
  if (flags & MS_BIND) {
    if (source === null) return -EFAULT;
    const from = resolveAt(t, AT_FDCWD, source, true, false);
    if (typeof from === 'number') return from;
    if (from.mount.ns !== t.fs.mntns) return -EINVAL;
    if (isDir(from) !== isDir(target)) return -ENOTDIR;
    const m = vfs.bind(from, target, flags);
    if (typeof m === 'number') return m;
    m.flags = mountFlags(flags);
    return 0;
  }
  if (flags & MS_MOVE) {
    if (source === null) return -EFAULT;
    const from = resolveAt(t, AT_FDCWD, source, true, false);
    if (typeof from === 'number') return from;
    const m = mountRootedAt(from);
    if (m === null || m.parent === null) return -EINVAL;
    if (isDir(from) !== isDir(target)) return -ENOTDIR;
    return vfs.move(m, target);
  }
  // A new file system instance.
  if (type === null || type === '') return -EINVAL;
  const fsType = fileSystemType(type);
  if (fsType === undefined || type.startsWith('tsvisor-')) return -ENODEV;
  // mount_capable: a type user namespaces may mount needs CAP_SYS_ADMIN in the caller's, any other in the initial one.
  if (!(fsType.userns ? t.creds.hasCapability(CAP_SYS_ADMIN) : t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN))) return -EPERM;
  if (!isDir(target)) return -ENOTDIR;
  const made = fsType.make({ source: source ?? '', data: data ?? '', flags, mf: t.kernel.mf, kernel: t.kernel });
  if (typeof made === 'number') return made;
  const m = vfs.attach(target, made.fs, made.root, mountFlags(flags), source ?? 'none');
  return typeof m === 'number' ? m : 0;
}

const MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;

function umountAt(t: Task, pathAddr: number, flags: number): number {
  if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return -EINVAL;
  const p = readPath(t, pathAddr);
  if (typeof p === 'number') return p;
  if (!mayMount(t)) return -EPERM;
  const d = resolveAt(t, AT_FDCWD, p, (flags & UMOUNT_NOFOLLOW) === 0, false);
  if (typeof d === 'number') return d;
  const m = mountRootedAt(d);
  if (m === null || m.ns !== t.fs.mntns) return -EINVAL;
  if (flags & MNT_EXPIRE) {
    if (flags & (MNT_FORCE | MNT_DETACH)) return -EINVAL;
    // The first call marks the mount; a second, with no use in between, removes it.
    if (!m.expiryMark) {
      m.expiryMark = true;
      return -EAGAIN;
    }
  }
  // The namespace's root cannot go (Linux: EINVAL for a mount with no parent, EBUSY for the caller's root).
  if (m.parent === null) return m === t.fs.root.mount ? -EBUSY : -EINVAL;
  if (m === t.fs.root.mount && !(flags & MNT_DETACH)) return -EBUSY;
  return t.kernel.vfs.umount(m, (flags & MNT_DETACH) !== 0, (x) => inUse(t, x));
}

export function sysUmount2(t: Task): number {
  return umountAt(t, t.regs.arg(0), t.regs.argInt(1));
}

/**
 * pivot_root(new_root, put_old): new_root (a mount's root, not the current
 * root mount) becomes the namespace's root; the old root goes to put_old,
 * which must be at or below new_root. Tasks whose root or working directory
 * was the old root move to the new one.
 */
export function sysPivotRoot(t: Task): number {
  const r = t.regs;
  if (!mayMount(t)) return -EPERM;
  const np = readPath(t, r.arg(0));
  if (typeof np === 'number') return np;
  const newRoot = resolveAt(t, AT_FDCWD, np, true, false);
  if (typeof newRoot === 'number') return newRoot;
  const op = readPath(t, r.arg(1));
  if (typeof op === 'number') return op;
  const putOld = resolveAt(t, AT_FDCWD, op, true, false);
  if (typeof putOld === 'number') return putOld;
  if (!isDir(newRoot) || !isDir(putOld)) return -ENOTDIR;
  const ns = t.fs.mntns;
  const root = t.fs.root;
  const oldRootMount = ns.root;
  // The caller's root must be the namespace's root mount's root.
  if (root !== oldRootMount.root) return -EINVAL;
  const nm = mountRootedAt(newRoot);
  if (nm === null || nm === oldRootMount || nm.ns !== ns) return -EINVAL;
  if (newRoot.mount === root.mount) return -EBUSY;
  // put_old must be at or below new_root.
  let below = false;
  for (let d: Dentry | null = putOld; d !== null;) {
    if (d === newRoot) { below = true; break; }
    if (d.parent === null) d = d.mount.mountpoint;
    else d = d.parent;
  }
  if (!below) return -EINVAL;
  if (putOld.mounted !== null) return -EBUSY;
  const e = t.kernel.vfs.pivotRoot(ns, nm, putOld);
  if (e < 0) return e;
  for (const o of t.kernel.pidns.tasks.values()) {
    if (o.fs.root === root) o.fs.root = newRoot;
    if (o.fs.cwd === root) o.fs.cwd = newRoot;
  }
  return 0;
}

const CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_THREAD = 0x10000,
  CLONE_SIGHAND = 0x800, CLONE_VM = 0x100, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000,
  CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000,
  CLONE_NEWTIME = 0x80;
const UNSHARE_KNOWN = CLONE_FS | CLONE_FILES | CLONE_NEWNS | CLONE_SYSVSEM | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM |
  CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME;

/**
 * unshare(2) of the file system context and of the user namespace:
 * CLONE_NEWNS (a copy of the mount namespace; implies CLONE_FS),
 * CLONE_FS, CLONE_FILES, CLONE_NEWUSER (new credentials in a new user
 * namespace, user_namespace.ts; implies CLONE_THREAD and CLONE_FS, so the
 * process must be single-threaded; a CLONE_NEWNS beside it is owned by,
 * and checked against, the new namespace, as in Linux). CLONE_THREAD,
 * CLONE_SIGHAND and CLONE_VM are allowed for a single-threaded process, as
 * Linux allows them. CLONE_NEWPID makes a pid namespace below the
 * caller's that its children go into from now on (pid_for_children; the
 * first is its pid 1), the caller staying where it is; once only (a
 * second is EINVAL, as Linux's copy_pid_ns). CLONE_NEWIPC moves the caller
 * into a new, empty IPC namespace owned by its user namespace. The other
 * namespaces are ENOSYS here.
 */
export function sysUnshare(t: Task): number {
  let flags = t.regs.arg(0);
  if (t.regs.argHigh(0) || flags & ~UNSHARE_KNOWN) return -EINVAL;
  if (flags & (CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWTIME)) {
    return -ENOSYS;
  }
  if (flags & CLONE_NEWUSER) flags |= CLONE_THREAD | CLONE_FS;
  if (flags & CLONE_NEWNS) flags |= CLONE_FS;
  if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) && t.tg.tasks.filter((x) => x.state !== TaskState.Dead).length > 1) {
    return -EINVAL;
  }
  // The new credentials come first: a new mount namespace is checked against (and owned by) their namespace.
  let creds = t.creds;
  if (flags & CLONE_NEWUSER) {
    const c = credentialsInNewUserNamespace(t, creds);
    if (typeof c === 'number') return c;
    creds = c;
  }
  if (flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) && !creds.hasCapability(CAP_SYS_ADMIN)) return -EPERM;
  let pidns = t.pidnsForChildren;
  if (flags & CLONE_NEWPID) {
    if (pidns !== t.pidns) return -EINVAL;
    const ns = pidns.newChild(creds.userns);
    if (typeof ns === 'number') return ns;
    pidns = ns;
  }
  if (flags & CLONE_FILES && t.fdTable.users > 1) {
    if (!t.fdTable.canFork()) return -12; // ENOMEM
    const own = t.fdTable.fork();
    t.fdTable.users--;
    t.fdTable = own;
  }
  if (flags & CLONE_FS) {
    // The threads sharing the context keep it; this one gets a copy.
    const shared = [...t.kernel.pidns.tasks.values()].some((o) => o !== t && o.fs === t.fs && o.state !== TaskState.Dead);
    if (shared || flags & CLONE_NEWNS) {
      const copy = t.fs.clone();
      if (flags & CLONE_NEWNS) {
        const e = copy.unshareNamespace(t.kernel.vfs, creds.userns);
        if (e < 0) return e;
      }
      t.fs = copy;
    }
  }
  t.creds = creds;
  t.pidnsForChildren = pidns;
  // A new IPC namespace; the task's semaphore undo list is left behind with the old one (unshare_nsproxy_namespaces, exit_sem).
  // unshare(CLONE_SYSVSEM), and a new IPC namespace, let go of the undo list (exit_sem).
  if (flags & (CLONE_SYSVSEM | CLONE_NEWIPC)) t.dropUndo();
  if (flags & CLONE_NEWIPC) t.setIpcns(t.ipcns.newChild(creds.userns));
  return 0;
}

