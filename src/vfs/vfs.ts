// The virtual file system (gVisor pkg/sentry/vfs.VirtualFilesystem; Linux
// fs/namei.c and fs/namespace.c): the path walk, the dentry cache's
// upkeep when the tree changes, and the mount operations on mount
// namespaces. Every path an application names is resolved here, one
// component at a time: symlinks are followed inside the sandbox's own tree
// (an absolute target starts again at the task's root, never at the
// host's), mount points are crossed both ways, and ".." stops at the
// task's root.
//
// Differs from Linux: no automounts; RESOLVE_CACHED never fails with
// EAGAIN on a lookup (every lookup here is as cheap as a cached one) but
// does refuse what it must (O_CREAT, O_TRUNC, O_TMPFILE) in the caller.

import { Dentry, sameInode } from './dentry.js';
import { mountGone } from './inotify/watches.js';
import type { Credentials, FileSystem, Inode } from './inode.js';
import { Mount, MountNamespace, MOUNT_MAX, MS_NOSYMFOLLOW, MS_REC } from './mount.js';
import {
  cloneKind, componentsIn, forget, fsPathOf, receivers, setPrivate, setShared, setSlave, setUnbindable,
} from './propagation.js';
import type { Receiver } from './propagation.js';
import { S_IFDIR, S_IFLNK, S_IFMT } from './stat.js';
import {
  EACCES, EBUSY, EINVAL, ELOOP, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, EXDEV,
} from '../abi/linux/errno.js';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER } from '../abi/linux/capability.js';

const MAXSYMLINKS = 40;
export const NAME_MAX = 255;
const S_ISVTX = 0o1000;

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

/**
 * The most dentries the cache keeps for stable trees, the sandbox's
 * mounts together (each costs the Sentry ~150 bytes of heap, and bind
 * mounts multiply the names of one tree). Past it, lookups make dentries
 * that are not kept, as for a host directory: a rename then does not move
 * such a dentry, so a working directory reached that way keeps its old path.
 */
export const DENTRY_CACHE_MAX = 1 << 21;
let cachedDentries = 0;

/** Adds d to parent's cached children (false when the cache is full). */
function cacheChild(parent: Dentry, d: Dentry): boolean {
  if (parent.children === null) parent.children = new Map();
  const old = parent.children.get(d.name);
  if (old === undefined) {
    if (cachedDentries >= DENTRY_CACHE_MAX) return false;
    cachedDentries++;
  }
  parent.children.set(d.name, d);
  return true;
}

/** Drops parent's cached child called name, if any. */
function uncacheChild(parent: Dentry, name: string): Dentry | undefined {
  const d = parent.children?.get(name);
  if (d !== undefined) {
    parent.children?.delete(name);
    cachedDentries--;
  }
  return d;
}

export const RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
  RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10, RESOLVE_CACHED = 0x20;

/**
 * Linux's generic_permission for a mode/uid/gid triple: the mode's bits
 * for owner, group or others, then the capabilities that override them.
 * CAP_DAC_READ_SEARCH reads any file and searches or reads any directory;
 * CAP_DAC_OVERRIDE does anything but execute a file that no one may
 * execute. Either counts only over a file whose owner and group have a
 * mapping in the actor's user namespace (capable_wrt_inode_uidgid).
 */
export function checkPermission(creds: Credentials, mode: number, uid: number, gid: number, want: number): boolean {
  let bits: number;
  if (creds.fsuid === uid) bits = (mode >> 6) & 7;
  else if (creds.fsgid === gid || creds.groups.includes(gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  if ((bits & want) === want) return true;
  if ((mode & S_IFMT) === S_IFDIR) {
    if ((want & MAY_WRITE) === 0 && creds.hasCapabilityOnFile(CAP_DAC_READ_SEARCH, uid, gid)) return true;
    return creds.hasCapabilityOnFile(CAP_DAC_OVERRIDE, uid, gid);
  }
  if (want === MAY_READ && creds.hasCapabilityOnFile(CAP_DAC_READ_SEARCH, uid, gid)) return true;
  return ((want & MAY_EXEC) === 0 || (mode & 0o111) !== 0) && creds.hasCapabilityOnFile(CAP_DAC_OVERRIDE, uid, gid);
}

/** inode_permission on an inode: 0, -EACCES, or the stat error. */
export function inodePermission(creds: Credentials, inode: Inode, want: number): number {
  const st = inode.statForWalk();
  if (typeof st === 'number') return st;
  return checkPermission(creds, st.mode, st.uid, st.gid, want) ? 0 : -EACCES;
}

/**
 * check_sticky: in a sticky directory only the file's owner, the
 * directory's owner or CAP_FOWNER may remove or rename the file (EPERM).
 */
export function stickyForbids(creds: Credentials, dir: Inode, victim: Inode): boolean {
  const ds = dir.statForWalk();
  if (typeof ds === 'number' || (ds.mode & S_ISVTX) === 0) return false;
  const vs = victim.statForWalk();
  if (typeof vs === 'number') return false;
  return creds.fsuid !== vs.uid && creds.fsuid !== ds.uid && !creds.hasCapabilityOnFile(CAP_FOWNER, vs.uid, vs.gid);
}

export interface WalkOptions {
  /** Follow a symlink in the last component. */
  followFinal: boolean;
  /** openat2's RESOLVE_* flags. */
  resolve?: number;
}

/** The parent directory and last component of a path, as Linux's filename_parentat() finds them. */
export interface ParentLookup {
  parent: Dentry;
  /** The last component ("" for "/"). */
  name: string;
  /** LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT. */
  type: 'norm' | 'dot' | 'dotdot' | 'root';
  /** The path ended in "/" after the last component. */
  trailingSlash: boolean;
}

function isDir(d: Dentry): boolean {
  return (d.inode.mode & S_IFMT) === S_IFDIR;
}

/** The dentry seen at d: the root of the top mount on it, if any. */
function crossDown(d: Dentry): Dentry {
  while (d.mounted !== null) d = d.mounted.root;
  return d;
}

export class VirtualFilesystem {
  /** The sandbox's first mount namespace. */
  readonly initNs: MountNamespace;

  constructor(rootFs: FileSystem, rootInode: Inode, rootFlags = 0, rootSource = '/') {
    this.initNs = this.newNamespace(rootFs, rootInode, rootFlags, rootSource);
  }

  /**
   * A mount namespace of its own around another root (a sub-container's:
   * runsc's per-container mount namespace); nothing is shared with the
   * others until something is mounted in it.
   */
  newNamespace(rootFs: FileSystem, rootInode: Inode, rootFlags = 0, rootSource = '/'): MountNamespace {
    const ns = new MountNamespace();
    const m = new Mount(rootFs, rootInode, rootFlags, ns, rootSource);
    ns.root = m;
    ns.mounts.add(m);
    return ns;
  }

  /** The root of the first mount namespace. */
  get root(): Dentry {
    return this.initNs.root.root;
  }

  // ---- lookups and the walk --------------------------------------------

  /**
   * The entry `name` in directory `parent`: a cached dentry when the file
   * system's tree is stable and the entry is still the file system's, else
   * a new one. With `cross`, a mount point gives the mounted root.
   */
  lookupChild(parent: Dentry, name: string, cross = true): Dentry | number {
    if (!isDir(parent)) return -ENOTDIR;
    if (name.length > NAME_MAX) return -ENAMETOOLONG;
    const d = this.child(parent, name);
    if (typeof d === 'number' || !cross) return d;
    return crossDown(d);
  }

  private child(parent: Dentry, name: string): Dentry | number {
    if (parent.dead) return -ENOENT;
    const stable = parent.inode.fs.stableTree === true;
    const cached = parent.children?.get(name);
    // A mount point stays where it is while mounted on; where the tree is
    // not stable only the dentries on the way to one are kept.
    if (cached !== undefined && (cached.mounted !== null || (!stable && cached.pinned))) return cached;
    const ino = parent.inode.lookup(name);
    if (typeof ino === 'number') {
      // Gone behind this mount's back (through another mount of the same file system).
      if (cached !== undefined && cached.mounted === null) this.forget(parent, cached);
      return ino;
    }
    if (cached !== undefined) {
      if (sameInode(cached.inode, ino)) return cached;
      if (cached.mounted === null) this.forget(parent, cached);
      else return cached;
    }
    const d = new Dentry(ino, name, parent, parent.mount);
    if (stable) cacheChild(parent, d);
    return d;
  }

  private forget(parent: Dentry, d: Dentry): void {
    uncacheChild(parent, d.name);
    d.dead = true;
  }

  /**
   * Resolves `path` from `start` (used when the path is relative), with
   * `root` as the task's root. Returns the dentry or -errno.
   */
  walk(creds: Credentials, root: Dentry, start: Dentry, path: string, opts: WalkOptions): Dentry | number {
    if (path.length === 0) return -ENOENT;
    const resolve = opts.resolve ?? 0;
    if (resolve & RESOLVE_IN_ROOT) root = start;
    const beneath = (resolve & RESOLVE_BENEATH) !== 0 ? start : null;
    let cur: Dentry;
    if (path[0] === '/') {
      if (beneath !== null) return -EXDEV;
      cur = root;
    } else {
      cur = start;
    }
    // The components still to walk, last first.
    const stack = splitPath(path).reverse();
    let trailingSlash = path.endsWith('/');
    let links = 0;
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (!isDir(cur)) return -ENOTDIR;
      const pe = inodePermission(creds, cur.inode, MAY_EXEC);
      if (pe < 0) return pe;
      if (name === '.') continue;
      if (name === '..') {
        const up = this.dotdot(cur, root, beneath, resolve);
        if (typeof up === 'number') return up;
        cur = up;
        continue;
      }
      if (name.length > NAME_MAX) return -ENAMETOOLONG;
      let next = this.child(cur, name);
      if (typeof next === 'number') return next;
      if (next.mounted !== null) {
        if (resolve & RESOLVE_NO_XDEV) return -EXDEV;
        next = crossDown(next);
      }
      const last = stack.length === 0;
      if ((next.inode.mode & S_IFMT) === S_IFLNK && (!last || opts.followFinal || trailingSlash)) {
        if (resolve & RESOLVE_NO_SYMLINKS) return -ELOOP;
        if (++links > MAXSYMLINKS) return -ELOOP;
        if (next.mount.flags & MS_NOSYMFOLLOW) return -ELOOP;
        if (next.inode.followMagicLink !== undefined) {
          // procfs's magic links jump to the file they stand for.
          if (resolve & RESOLVE_NO_MAGICLINKS) return -ELOOP;
          if (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) return -EXDEV;
          const to = next.inode.followMagicLink();
          if (typeof to === 'number') return to;
          if (resolve & RESOLVE_NO_XDEV && to.mount !== cur.mount) return -EXDEV;
          cur = to;
          continue;
        }
        const target = next.inode.readlink();
        if (typeof target === 'number') return target;
        if (target.length === 0) return -ENOENT;
        if (target[0] === '/') {
          if (beneath !== null) return -EXDEV;
          if (resolve & RESOLVE_NO_XDEV && root.mount !== cur.mount) return -EXDEV;
          cur = root;
        }
        const parts = splitPath(target);
        for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
        if (last) trailingSlash = trailingSlash || target.endsWith('/');
        continue;
      }
      if (resolve & RESOLVE_NO_XDEV && next.mount !== cur.mount) return -EXDEV;
      cur = next;
    }
    if (trailingSlash && !isDir(cur)) {
      return (cur.inode.mode & S_IFMT) === S_IFLNK ? -ENOENT : -ENOTDIR;
    }
    return cur;
  }

  /** ".." from cur: the parent, across mount roots, never above root (or, with BENEATH, start). */
  private dotdot(cur: Dentry, root: Dentry, beneath: Dentry | null, resolve: number): Dentry | number {
    for (;;) {
      if (cur === root) return cur;
      if (cur === beneath) return -EXDEV;
      if (cur.parent === null) {
        const mp = cur.mount.mountpoint;
        if (mp === null) return cur;
        if (resolve & RESOLVE_NO_XDEV) return -EXDEV;
        cur = mp;
        continue;
      }
      return crossDown(cur.parent);
    }
  }

  /** Walks all but the last component of path, as the calls that create or remove a name do. */
  walkParent(creds: Credentials, root: Dentry, start: Dentry, path: string): ParentLookup | number {
    if (path.length === 0) return -ENOENT;
    const parts = splitPath(path);
    const name = parts.pop() ?? '';
    const abs = path[0] === '/';
    const dir = parts.length === 0 ? (abs ? root : start) :
      this.walk(creds, root, start, (abs ? '/' : '') + parts.join('/'), { followFinal: true });
    if (typeof dir === 'number') return dir;
    if (!isDir(dir)) return -ENOTDIR;
    const type = name === '' ? 'root' : name === '.' ? 'dot' : name === '..' ? 'dotdot' : 'norm';
    if (type !== 'root') {
      // link_path_walk's may_lookup: the last component's directory must be searchable too.
      const pe = inodePermission(creds, dir.inode, MAY_EXEC);
      if (pe < 0) return pe;
    }
    return { parent: dir, name, type, trailingSlash: type === 'norm' && path.endsWith('/') };
  }

  // ---- keeping the dentry cache true ----------------------------------

  /** After a file system made `name` in parent: its dentry. */
  linked(parent: Dentry, name: string, inode: Inode): Dentry {
    const d = new Dentry(inode, name, parent, parent.mount);
    if (parent.inode.fs.stableTree === true) {
      const old = uncacheChild(parent, name);
      if (old !== undefined) old.dead = true;
      cacheChild(parent, d);
    }
    return d;
  }

  /** After a file system removed `name` from parent. */
  unlinked(parent: Dentry, name: string): void {
    const d = uncacheChild(parent, name);
    if (d !== undefined) d.dead = true;
  }

  /** After a file system renamed (or, with exchange, swapped) the two names. */
  renamed(oldParent: Dentry, oldName: string, newParent: Dentry, newName: string, exchange: boolean): void {
    const src = uncacheChild(oldParent, oldName);
    const dst = uncacheChild(newParent, newName);
    if (dst !== undefined) {
      if (exchange) {
        dst.name = oldName;
        dst.parent = oldParent;
        cacheChild(oldParent, dst);
      } else {
        dst.dead = true;
      }
    }
    if (src !== undefined) {
      src.name = newName;
      src.parent = newParent;
      if (newParent.inode.fs.stableTree === true) cacheChild(newParent, src);
    }
  }

  // ---- mounts -----------------------------------------------------------

  /**
   * Attaches a new mount of fs (rooted at rootInode) at target, in
   * target's namespace; what receives mounts from target's mount (its
   * peers and slaves) gets a copy at the same place.
   */
  attach(target: Dentry, fs: FileSystem, rootInode: Inode, flags: number, source: string, fsRootPath = '/'): Mount | number {
    const m = this.attachOne(target, fs, rootInode, flags, source, fsRootPath);
    if (typeof m === 'number') return m;
    const e = this.propagateMount(target, m);
    if (e < 0) {
      this.umount(m, true, () => false);
      return e;
    }
    return m;
  }

  /** attach without propagation: a mount below a shared one is shared itself, in a group of its own. */
  private attachOne(target: Dentry, fs: FileSystem, rootInode: Inode, flags: number, source: string, fsRootPath = '/', like: Mount | null = null): Mount | number {
    const ns = target.mount.ns;
    if (ns.mounts.size >= MOUNT_MAX) return -ENOSPC;
    if (target.dead) return -ENOENT;
    const m = new Mount(fs, rootInode, flags, ns, source, fsRootPath, target.name);
    if (like !== null) cloneKind(like, m);
    if (target.mount.group !== null) setShared(m);
    this.graft(m, target);
    return m;
  }

  /**
   * Copies the tree of m (just mounted at target) to every mount that
   * receives from target's mount, at the same place in each (where that
   * mount's root holds it). -ENOSPC, with nothing copied, when a namespace
   * would pass MOUNT_MAX.
   */
  private propagateMount(target: Dentry, m: Mount): number {
    const rs = receivers(target.mount, m.group);
    if (rs.length === 0) return 0;
    const fsPath = fsPathOf(target.mount, target);
    const tree = m.subtree();
    const places: { r: Receiver; at: Dentry }[] = [];
    const adds = new Map<MountNamespace, number>();
    for (const r of rs) {
      if (r.mount.detached) continue;
      const found = this.walkComponents(r.mount, componentsIn(r.mount, fsPath));
      if (found === null) continue;
      // Something mounted there already: the copy goes on top of it (Linux tucks it beneath).
      const at = crossDown(found);
      places.push({ r, at });
      adds.set(r.mount.ns, (adds.get(r.mount.ns) ?? 0) + tree.length);
    }
    for (const [ns, n] of adds) if (ns.mounts.size + n > MOUNT_MAX) return -ENOSPC;
    for (const { r, at } of places) {
      const copies = new Map<Mount, Mount>();
      for (const x of tree) {
        const top = x === m;
        const mp = top ? at : this.findIn(copies.get(x.parent as Mount) as Mount, x.mountpoint as Dentry, (x.parent as Mount).root);
        if (mp === null) continue;
        const c = new Mount(x.fs, x.root.inode, x.flags, mp.mount.ns, x.source, x.fsRootPath, mp.name);
        // The top copy takes the kind receivers() gave; the mounts below it are peers (or slaves) of their originals.
        const group = top ? r.group : r.master === null ? x.group : null;
        const master = top ? r.master : r.master === null ? null : x.group;
        if (group !== null) {
          group.members.add(c);
          c.group = group;
        }
        if (master !== null) {
          master.slaves.add(c);
          c.master = master;
        }
        this.graft(c, mp);
        copies.set(x, c);
      }
    }
    return 0;
  }

  /** The dentry reached from m's root by names, or null. */
  private walkComponents(m: Mount, names: string[] | null): Dentry | null {
    if (names === null) return null;
    let cur = m.root;
    for (const n of names) {
      const c = this.child(cur, n);
      if (typeof c === 'number') return null;
      cur = c;
    }
    return cur;
  }

  /** Changes the propagation of m (with rec, of every mount below it too), as mount(2)'s MS_SHARED and the rest. */
  setPropagation(m: Mount, kind: 'shared' | 'private' | 'slave' | 'unbindable', rec: boolean): void {
    const set = kind === 'shared' ? setShared : kind === 'private' ? setPrivate : kind === 'slave' ? setSlave : setUnbindable;
    for (const x of rec ? m.subtree() : [m]) set(x);
  }

  /**
   * Attaches at parent/name, making the mount point when the file system
   * below has no such name (a read-only root without /proc, say): the mount
   * point then exists in the VFS only, and getdents of parent does not list it.
   */
  attachAt(parent: Dentry, name: string, fs: FileSystem, rootInode: Inode, flags: number, source: string): Mount | number {
    const existing = this.lookupChild(parent, name, true);
    if (typeof existing !== 'number') return this.attach(existing, fs, rootInode, flags, source);
    if (existing !== -ENOENT) return existing;
    const mp = new Dentry(rootInode, name, parent, parent.mount);
    return this.attach(mp, fs, rootInode, flags, source);
  }

  private graft(m: Mount, target: Dentry): void {
    // The mount point must be found again by the next walk: keep it and its ancestors in their parents.
    for (let d: Dentry = target; d.parent !== null && !d.pinned; d = d.parent) {
      d.pinned = true;
      if (d.parent.children?.get(d.name) !== d) {
        uncacheChild(d.parent, d.name);
        if (d.parent.children === null) d.parent.children = new Map();
        d.parent.children.set(d.name, d);
        cachedDentries++;
      }
    }
    m.mountpoint = target;
    m.parent = target.mount;
    m.ns = target.mount.ns;
    m.ns.mountpoints.set(target.inode, (m.ns.mountpoints.get(target.inode) ?? 0) + 1);
    m.detached = false;
    target.mount.children.add(m);
    target.mounted = m;
    m.ns.mounts.add(m);
  }

  /**
   * A bind mount of source at target: the same file system, rooted at the
   * source dentry; with MS_REC the mounts below source come too.
   */
  bind(source: Dentry, target: Dentry, flags: number): Mount | number {
    if (source.mount.unbindable) return -EINVAL;
    const ns = target.mount.ns;
    const subs = flags & MS_REC ? source.mount.subtree().filter((m) => m !== source.mount &&
      m.mountpoint !== null && m.mountpoint.isWithin(source) && !m.unbindable) : [];
    if (ns.mounts.size + 1 + subs.length > MOUNT_MAX) return -ENOSPC;
    const rootPath = fsPathOf(source.mount, source);
    // The copies are made whole, then the tree propagates from target once (Linux's copy_tree, then attach_recursive_mnt).
    const top = this.attachOne(target, source.mount.fs, source.inode, source.mount.flags, source.mount.source, rootPath, source.mount);
    if (typeof top === 'number') return top;
    // Each submount goes to the same place below the new mount.
    const copies = new Map<Mount, Mount>([[source.mount, top]]);
    for (const m of subs) {
      const parentCopy = copies.get(m.parent as Mount);
      if (parentCopy === undefined) continue;
      const base = m.parent === source.mount ? source : (m.parent as Mount).root;
      const mp = this.findIn(parentCopy, m.mountpoint as Dentry, base);
      if (mp === null) continue;
      const c = this.attachOne(mp, m.fs, m.root.inode, m.flags, m.source, m.fsRootPath, m);
      if (typeof c === 'number') return c;
      copies.set(m, c);
    }
    const e = this.propagateMount(target, top);
    if (e < 0) {
      this.umount(top, true, () => false);
      return e;
    }
    return top;
  }

  /** The dentry in mount `into` at the place `d` has below `base` (a dentry of d's mount). */
  private findIn(into: Mount, d: Dentry, base: Dentry): Dentry | null {
    const names: string[] = [];
    for (let x: Dentry | null = d; x !== base; x = x.parent) {
      if (x === null) return null;
      names.push(x.name);
    }
    let cur = into.root;
    for (let i = names.length - 1; i >= 0; i--) {
      const c = this.child(cur, names[i]);
      if (typeof c === 'number') return null;
      cur = c;
    }
    return cur;
  }

  /**
   * Removes m from its namespace. Without detach it must not be busy
   * (mounts below it, or `inUse`: open files, working directories and
   * roots in it): EBUSY. With detach the whole subtree goes; what is open
   * in it stays usable.
   */
  umount(m: Mount, detach: boolean, inUse: (m: Mount) => boolean): number {
    if (m.parent === null || m.mountpoint === null) return -EINVAL;
    if (!detach && (m.children.size > 0 || inUse(m))) return -EBUSY;
    const gone = new Set(m.subtree());
    this.propagateUmount(gone);
    for (const s of gone) {
      if (s.parent !== null && !gone.has(s.parent)) this.ungraft(s);
      else if (s.mountpoint !== null) unmark(s.ns, s.mountpoint);
    }
    for (const s of gone) {
      s.ns.mounts.delete(s);
      s.detached = true;
      forget(s);
      if (mountGone(s.fs) === 0) s.fs.unmounted?.();
    }
    return 0;
  }

  /**
   * Adds to `gone` the copies that receivers of each leaving mount's
   * parent hold at the same place (Linux's propagate_umount): the mount of
   * the same file system there, when everything below it goes too.
   */
  private propagateUmount(gone: Set<Mount>): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const x of [...gone]) {
        const p = x.parent;
        if (p === null || x.mountpoint === null || p.group === null) continue;
        const fsPath = fsPathOf(p, x.mountpoint);
        for (const r of receivers(p, null)) {
          for (const c of r.mount.children) {
            if (gone.has(c) || c.fs !== x.fs || c.mountpoint === null) continue;
            if (fsPathOf(r.mount, c.mountpoint) !== fsPath) continue;
            if ([...c.children].some((k) => !gone.has(k))) continue;
            gone.add(c);
            changed = true;
          }
        }
      }
    }
  }

  /** Takes m off its mount point (it stays a tree of its own). */
  private ungraft(m: Mount): void {
    const mp = m.mountpoint as Dentry;
    mp.mounted = null;
    unmark(m.ns, mp);
    m.parent?.children.delete(m);
    m.mountpoint = null;
    m.parent = null;
  }

  /** Whether d is a mount point, through this mount or another mount of the same directory (EBUSY). */
  isMountpoint(d: Dentry): boolean {
    return d.mounted !== null || (d.mount.ns.mountpoints.get(d.inode) ?? 0) > 0;
  }

  /** Moves mount m to target (MS_MOVE). */
  move(m: Mount, target: Dentry): number {
    if (m.parent === null || m.mountpoint === null) return -EINVAL;
    for (let x: Mount | null = target.mount; x !== null; x = x.parent) if (x === m) return -ELOOP;
    this.ungraft(m);
    this.graft(m, target);
    return 0;
  }

  /**
   * pivot_root: newRoot's mount becomes the namespace's root and the old
   * root mount is moved to putOld (which lies below newRoot).
   */
  pivotRoot(ns: MountNamespace, newRoot: Mount, putOld: Dentry): number {
    const old = ns.root;
    if (newRoot.parent === null || newRoot.mountpoint === null) return -EINVAL;
    this.ungraft(newRoot);
    ns.root = newRoot;
    this.graft(old, putOld);
    return 0;
  }

  /**
   * A copy of ns (CLONE_NEWNS, unshare): every mount copied with its
   * flags; returns the new namespace and a way to find a dentry's copy.
   */
  copyNamespace(ns: MountNamespace): { ns: MountNamespace; translate: (d: Dentry) => Dentry } | number {
    const copy = new MountNamespace();
    const map = new Map<Mount, Mount>();
    const rootCopy = new Mount(ns.root.fs, ns.root.root.inode, ns.root.flags, copy, ns.root.source, ns.root.fsRootPath);
    // Linux's copy_tree for CLONE_NEWNS: a copy is a peer of a shared original, a slave of a slave's master.
    cloneKind(ns.root, rootCopy);
    copy.root = rootCopy;
    copy.mounts.add(rootCopy);
    map.set(ns.root, rootCopy);
    for (const m of ns.ordered()) {
      if (m === ns.root) continue;
      const pc = map.get(m.parent as Mount);
      if (pc === undefined || m.mountpoint === null) continue;
      const mp = this.findIn(pc, m.mountpoint, (m.parent as Mount).root);
      if (mp === null) continue;
      const c = new Mount(m.fs, m.root.inode, m.flags, copy, m.source, m.fsRootPath, mp.name);
      cloneKind(m, c);
      this.graft(c, mp);
      map.set(m, c);
    }
    const translate = (d: Dentry): Dentry => {
      const mc = map.get(d.mount);
      if (mc === undefined) return rootCopy.root;
      return this.findIn(mc, d, d.mount.root) ?? mc.root;
    };
    return { ns: copy, translate };
  }
}

function unmark(ns: MountNamespace, mp: Dentry): void {
  const n = ns.mountpoints.get(mp.inode) ?? 0;
  if (n <= 1) ns.mountpoints.delete(mp.inode);
  else ns.mountpoints.set(mp.inode, n - 1);
}

/** p's components. */
export function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c.length > 0);
}
