// An overlay inode: one name of the merged tree, with the upper file
// behind it (once it has one) and the lower file of the same name (when
// the lower layer has one that is not hidden). Reads go to the upper file
// when there is one, else to the lower; every change copies the file up
// first (copy_up.ts) and then changes the upper file.
//
// A directory merges: an upper name hides the lower one, a whiteout in the
// upper directory hides a lower name, and an opaque upper directory hides
// the whole lower directory. Removing a name that the lower layer has
// leaves a whiteout; making a directory where a whiteout was makes it
// opaque, as Linux's overlay does.

import type { CreateContext, DirEntry, Inode, SetAttr } from '../../vfs/inode.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT } from '../../vfs/inode.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_ACCMODE, O_PATH, O_RDONLY, O_TRUNC } from '../../vfs/file_description.js';
import { Stat, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG } from '../../vfs/stat.js';
import {
  EEXIST, EINVAL, EISDIR, ENODATA, ENOENT, ENOTDIR, ENOTEMPTY, ENOTSUP, EPERM,
} from '../../abi/linux/errno.js';
import type { OverlayFileSystem } from './overlay.js';
import { copyUp, lowerKey, upperKey } from './copy_up.js';
import { OverlayDirFD, OverlayFileFD } from './file.js';
import { listEntries } from './entries.js';

/** The xattr that makes an upper directory opaque, and the prefix the program may not touch. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';
const PRIVATE_XATTRS = 'trusted.overlay.';
const WHITEOUT_CTX: CreateContext = { uid: 0, gid: 0 };

/** Whether `i` (an upper-layer inode) is a whiteout: a character device 0:0. */
export function isWhiteout(i: Inode): boolean {
  if ((i.mode & S_IFMT) !== S_IFCHR) return false;
  const st = i.statForWalk();
  return typeof st !== 'number' && st.rdev === 0;
}

export function isOpaque(upperDir: Inode): boolean {
  const v = upperDir.getxattr?.(OPAQUE_XATTR);
  return v !== undefined && typeof v !== 'number' && v.length === 1 && v[0] === 0x79; // "y"
}

function isDir(i: Inode): boolean {
  return (i.mode & S_IFMT) === S_IFDIR;
}

export class OverlayInode implements Inode {
  constructor(
    readonly fs: OverlayFileSystem,
    /** The directory this name was looked up in (null at the root). */
    public parent: OverlayInode | null,
    public name: string,
    /** The lower file of this name: the source of reads until a copy-up, and why removing the name leaves a whiteout. */
    public lower: Inode | null,
    private upperInode: Inode | null,
    /** st_ino, kept across copy-up. */
    readonly ino: number,
  ) {}

  /**
   * Whether the upper file came from another name's copy-up (a hard link
   * of the lower file): this name is not in the upper directory yet.
   */
  sharedUpper = false;

  /**
   * The children looked up so far, so that a name gives the same inode
   * while anyone holds it (the VFS caches dentries of a stable tree and
   * takes a different inode for a name as the file having been replaced).
   * Weak: once the VFS lets a dentry go, its inode may go too.
   */
  private kids: Map<string, WeakRef<OverlayInode>> | null = null;

  /** The upper file, if this file (or another name of it) has been copied up. */
  get upper(): Inode | null {
    if (this.upperInode === null && this.lower !== null && !isDir(this.lower)) {
      const k = lowerKey(this.lower);
      const u = k === null ? undefined : this.fs.copiedUp.get(k);
      if (u !== undefined) {
        this.upperInode = u;
        this.sharedUpper = true;
      }
    }
    return this.upperInode;
  }

  set upper(u: Inode | null) {
    this.upperInode = u;
  }

  /** The file reads come from. */
  get real(): Inode {
    return this.upper ?? (this.lower as Inode);
  }

  get mode(): number {
    return this.real.mode;
  }

  /** Whether the lower directory is merged into this one (a directory whose upper is not opaque). */
  get mergesLower(): boolean {
    if (this.lower === null || !isDir(this.lower) || !isDir(this.real)) return false;
    const u = this.upper;
    return u === null || !isOpaque(u);
  }

  /**
   * The overlay's st_dev and st_ino on the real file's attributes. A merged
   * directory shows its lower directory's size, blocks and link count (the
   * upper one holds only what changed), so that an untouched directory of
   * the host tree looks as it does on the host; Linux's overlay reports 1
   * link for a merged directory instead.
   */
  private withIdentity(st: Stat | number, lower: () => Stat | number): Stat | number {
    if (typeof st === 'number') return st;
    const s = Object.assign(new Stat(), st);
    s.dev = this.fs.dev;
    s.ino = this.ino;
    if (this.upperInode !== null && this.mergesLower) {
      const l = lower();
      if (typeof l !== 'number') {
        s.size = l.size;
        s.blocks = l.blocks;
        s.nlink = l.nlink;
      }
    }
    return s;
  }

  stat(): Stat | number {
    return this.withIdentity(this.real.stat(), () => (this.lower as Inode).stat());
  }

  statForWalk(): Stat | number {
    return this.withIdentity(this.real.statForWalk(), () => (this.lower as Inode).statForWalk());
  }

  readlink(): string | number {
    return this.real.readlink();
  }

  lookup(name: string): Inode | number {
    if (!isDir(this.real)) return -ENOTDIR;
    let up: Inode | null = null;
    const u = this.upper;
    if (u !== null) {
      const r = u.lookup(name);
      if (typeof r !== 'number') {
        if (isWhiteout(r)) return -ENOENT;
        up = r;
      } else if (r !== -ENOENT) {
        return r;
      }
    }
    let low: Inode | null = null;
    if (this.mergesLower) {
      const r = (this.lower as Inode).lookup(name);
      if (typeof r !== 'number') low = r;
      else if (r !== -ENOENT && up === null) return r;
    }
    if (up === null && low === null) return -ENOENT;
    const known = this.kids?.get(name)?.deref();
    if (known !== undefined && known.isFor(up, low)) return known;
    let ino: number;
    if (up !== null) {
      const k = upperKey(up);
      ino = k === null ? this.fs.inoFor(`anon:${name}`) : this.fs.inoFor(k);
    } else {
      const k = lowerKey(low as Inode);
      ino = k === null ? this.fs.inoFor(`anon:${name}`) : this.fs.inoFor(k);
    }
    return this.remember(name, new OverlayInode(this.fs, this, name, low, up, ino));
  }

  /** Whether this inode is the one a lookup that found up and low stands for. */
  private isFor(up: Inode | null, low: Inode | null): boolean {
    if (!(this.upperInode === up || (up === null && this.sharedUpper))) return false;
    if (low === null || this.lower === null) return low === this.lower;
    return low === this.lower || lowerKey(low) === lowerKey(this.lower);
  }

  /** Records child as what name is now (and sweeps the names whose inodes have gone). */
  private remember(name: string, child: OverlayInode): OverlayInode {
    if (this.kids === null) this.kids = new Map();
    this.kids.set(name, new WeakRef(child));
    if (this.kids.size >= this.sweepAt) {
      for (const [n, r] of this.kids) if (r.deref() === undefined) this.kids.delete(n);
      this.sweepAt = Math.max(64, this.kids.size * 2);
    }
    return child;
  }

  private sweepAt = 64;

  private forgetKid(name: string): void {
    this.kids?.delete(name);
  }

  open(flags: number): FileDescription | number {
    if (isDir(this.real)) {
      if (flags & O_PATH) {
        const f = this.real.open(flags);
        return typeof f === 'number' ? f : new OverlayFileFD(this, f, flags);
      }
      return new OverlayDirFD(this, flags);
    }
    // Only a regular file's contents are copied up to be written: a FIFO,
    // socket or device node opens as what the VFS makes of it.
    const writes = (this.mode & S_IFMT) === S_IFREG && !(flags & O_PATH) &&
      ((flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0);
    if (writes) {
      // With O_TRUNC the data is about to go: copy none.
      const e = copyUp(this, (flags & O_TRUNC) === 0);
      if (e < 0) return e;
    }
    const f = this.real.open(flags);
    if (typeof f === 'number') return f;
    return new OverlayFileFD(this, f, flags);
  }

  /** The merged entries of a directory. */
  entries(): readonly DirEntry[] | number {
    return listEntries(this);
  }

  // ------------------------------------------------------------------ creation

  /**
   * Readies the upper directory for a new name: copies this directory up
   * and takes away a whiteout of that name. Returns whether there was one
   * (the new directory must then hide the lower one), or -errno.
   */
  private prepareName(name: string): boolean | number {
    const existing = this.lookup(name);
    if (typeof existing !== 'number') return -EEXIST;
    if (existing !== -ENOENT) return existing;
    const e = copyUp(this, true);
    if (e < 0) return e;
    const u = this.upper as Inode;
    const w = u.lookup(name);
    if (typeof w !== 'number' && isWhiteout(w)) {
      const r = u.unlink?.(name) ?? -EPERM;
      if (r < 0) return r;
      return true;
    }
    // A lower name under a copied-up directory that is not merged (opaque) needs no whiteout.
    return false;
  }

  private made(name: string, r: Inode | number, hadWhiteout: boolean): Inode | number {
    if (typeof r === 'number') {
      if (hadWhiteout) this.whiteout(name);
      return r;
    }
    const k = upperKey(r);
    return this.remember(name, new OverlayInode(this.fs, this, name, null, r, k === null ? this.fs.inoFor(`anon:${name}`) : this.fs.inoFor(k)));
  }

  create(name: string, mode: number, ctx: CreateContext): Inode | number {
    const w = this.prepareName(name);
    if (typeof w === 'number') return w;
    return this.made(name, (this.upper as Inode).create?.(name, mode, ctx) ?? -EPERM, w);
  }

  mkdir(name: string, mode: number, ctx: CreateContext): Inode | number {
    const w = this.prepareName(name);
    if (typeof w === 'number') return w;
    const u = this.upper as Inode;
    const r = u.mkdir?.(name, mode, ctx) ?? -EPERM;
    // Where a lower directory of this name was removed, the new one must not show its entries.
    if (typeof r !== 'number' && (w || this.lowerHas(name))) {
      const e = r.setxattr?.(OPAQUE_XATTR, Uint8Array.of(0x79), 0) ?? -ENOTSUP;
      if (e < 0) {
        u.rmdir?.(name);
        if (w) this.whiteout(name);
        return e;
      }
    }
    return this.made(name, r, w);
  }

  mknod(name: string, mode: number, rdev: number, ctx: CreateContext): Inode | number {
    const w = this.prepareName(name);
    if (typeof w === 'number') return w;
    return this.made(name, (this.upper as Inode).mknod?.(name, mode, rdev, ctx) ?? -EPERM, w);
  }

  symlink(name: string, target: string, ctx: CreateContext): Inode | number {
    const w = this.prepareName(name);
    if (typeof w === 'number') return w;
    return this.made(name, (this.upper as Inode).symlink?.(name, target, ctx) ?? -EPERM, w);
  }

  link(name: string, target: Inode): Inode | number {
    if (!(target instanceof OverlayInode) || target.fs !== this.fs) return -18; // EXDEV
    const w = this.prepareName(name);
    if (typeof w === 'number') return w;
    const e = copyUp(target, true);
    if (e < 0) {
      if (w) this.whiteout(name);
      return e;
    }
    const r = (this.upper as Inode).link?.(name, target.upper as Inode) ?? -EPERM;
    if (typeof r === 'number') {
      if (w) this.whiteout(name);
      return r;
    }
    return this.remember(name, new OverlayInode(this.fs, this, name, null, r, target.ino));
  }

  /** O_TMPFILE: an unnamed file in the upper layer. */
  tmpfile(mode: number, ctx: CreateContext): Inode | number {
    const e = copyUp(this, true);
    if (e < 0) return e;
    const u = this.upper as Inode & { tmpfile?: (mode: number, ctx: CreateContext) => Inode | number };
    const r = u.tmpfile?.(mode, ctx) ?? -ENOTSUP;
    if (typeof r === 'number') return r;
    const k = upperKey(r);
    return new OverlayInode(this.fs, this, '', null, r, k === null ? this.fs.inoFor('anon:tmpfile') : this.fs.inoFor(k));
  }

  // ------------------------------------------------------------------ removal

  /** What the lower directory merged into this one has at name, if anything. */
  lowerAt(name: string): Inode | null {
    if (!this.mergesLower) return null;
    const r = (this.lower as Inode).lookup(name);
    return typeof r === 'number' ? null : r;
  }

  /** Whether the lower directory (merged into this one) has `name`. */
  private lowerHas(name: string): boolean {
    return this.lowerAt(name) !== null;
  }

  /** Leaves a whiteout for `name` in the upper directory (which exists). */
  private whiteout(name: string): number {
    const r = (this.upper as Inode).mknod?.(name, S_IFCHR, 0, WHITEOUT_CTX) ?? -EPERM;
    return typeof r === 'number' ? r : 0;
  }

  unlink(name: string): number {
    const c = this.lookup(name);
    if (typeof c === 'number') return c;
    const child = c as OverlayInode;
    if (isDir(child.real)) return -EISDIR;
    const e = copyUp(this, true);
    if (e < 0) return e;
    const u = this.upper as Inode;
    const lowerToo = this.lowerHas(name);
    // The name may be lower only even when the file has an upper (another of its hard links was copied up).
    if (typeof u.lookup(name) !== 'number') {
      const r = u.unlink?.(name) ?? -EPERM;
      if (r < 0) return r;
    }
    this.forgetKid(name);
    return lowerToo ? this.whiteout(name) : 0;
  }

  rmdir(name: string): number {
    const c = this.lookup(name);
    if (typeof c === 'number') return c;
    const child = c as OverlayInode;
    if (!isDir(child.real)) return -ENOTDIR;
    const ents = child.entries();
    if (typeof ents === 'number') return ents;
    if (ents.length > 0) return -ENOTEMPTY;
    const e = copyUp(this, true);
    if (e < 0) return e;
    const u = this.upper as Inode;
    if (child.upper !== null) {
      const r = clearWhiteouts(child.upper);
      if (r < 0) return r;
      const d = u.rmdir?.(name) ?? -EPERM;
      if (d < 0) return d;
    }
    this.forgetKid(name);
    return this.lowerHas(name) ? this.whiteout(name) : 0;
  }

  rename(oldName: string, newDir: Inode, newName: string, flags: number): number {
    if (!(newDir instanceof OverlayInode) || newDir.fs !== this.fs) return -18; // EXDEV
    if (flags & RENAME_WHITEOUT) return -EINVAL;
    const s = this.lookup(oldName);
    if (typeof s === 'number') return s;
    const src = s as OverlayInode;
    const d = newDir.lookup(newName);
    if (typeof d === 'number' && d !== -ENOENT) return d;
    const dst = typeof d === 'number' ? null : (d as OverlayInode);
    if (flags & RENAME_NOREPLACE && dst !== null) return -EEXIST;
    if (flags & RENAME_EXCHANGE && dst === null) return -ENOENT;
    if (src === dst || (dst !== null && src.upper !== null && src.upper === dst.upper)) return 0;
    if (dst !== null && !(flags & RENAME_EXCHANGE)) {
      // Linux's checks of the target's kind, before anything is copied.
      if (isDir(src.real) && !isDir(dst.real)) return -ENOTDIR;
      if (!isDir(src.real) && isDir(dst.real)) return -EISDIR;
    }
    // Linux's overlay without redirect_dir (Debian's default, and runsc's
    // overlay): a directory with lower entries cannot move, since the upper
    // layer could not say where its lower part is; mv(1) then copies it.
    // Copying the tree here instead would let one rename cost as much as the
    // whole host tree below it.
    if (isDir(src.real) && src.mergesLower) return -18; // EXDEV
    if (dst !== null && flags & RENAME_EXCHANGE && isDir(dst.real) && dst.mergesLower) return -18; // EXDEV
    if (dst !== null && !(flags & RENAME_EXCHANGE)) {
      if (isDir(dst.real)) {
        const ents = dst.entries();
        if (typeof ents === 'number') return ents;
        if (ents.length > 0) return -ENOTEMPTY;
      }
    }
    // Everything that moves must be in the upper layer (a directory that moves is there already, whole).
    for (const n of [this, newDir]) {
      const e = copyUp(n, true);
      if (e < 0) return e;
    }
    for (const n of dst !== null && flags & RENAME_EXCHANGE ? [src, dst] : [src]) {
      const e = copyUp(n, true);
      if (e < 0) return e;
    }
    const srcLower = this.lowerHas(oldName);
    const u = this.upper as Inode, nu = newDir.upper as Inode;
    if (!(flags & RENAME_EXCHANGE)) {
      const there = nu.lookup(newName);
      if (typeof there !== 'number') {
        if (isWhiteout(there)) {
          const r = nu.unlink?.(newName) ?? -EPERM;
          if (r < 0) return r;
        } else if (isDir(there)) {
          const r = clearWhiteouts(there);
          if (r < 0) return r;
        }
      }
    }
    const r = u.rename?.(oldName, nu, newName, flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)) ?? -EPERM;
    if (r < 0) return r;
    // The moved directories hold all their entries now: lower ones at the new place must not show.
    for (const n of dst !== null && flags & RENAME_EXCHANGE ? [src, dst] : [src]) {
      if (isDir(n.real)) (n.upper as Inode).setxattr?.(OPAQUE_XATTR, Uint8Array.of(0x79), 0);
    }
    // The moved inodes keep their identity at their new names (the VFS moved their dentries).
    this.forgetKid(oldName);
    newDir.forgetKid(newName);
    src.parent = newDir;
    src.name = newName;
    // Their lower is now what the lower layer has at the new name (hidden by
    // the upper file, but it decides whether removing the name whites it out).
    src.lower = newDir.lowerAt(newName);
    newDir.remember(newName, src);
    if (dst !== null && flags & RENAME_EXCHANGE) {
      dst.parent = this;
      dst.name = oldName;
      dst.lower = this.lowerAt(oldName);
      this.remember(oldName, dst);
    }
    if (!(flags & RENAME_EXCHANGE) && srcLower) return this.whiteout(oldName);
    return 0;
  }

  // ------------------------------------------------------------------ attributes

  setattr(attr: SetAttr): number {
    // A truncation to zero need not copy the data it is about to drop.
    const e = copyUp(this, attr.size !== 0);
    if (e < 0) return e;
    return this.upper?.setattr?.(attr) ?? -EPERM;
  }

  getxattr(name: string): Uint8Array | number {
    if (name.startsWith(PRIVATE_XATTRS)) return -ENODATA;
    return this.real.getxattr?.(name) ?? -ENOTSUP;
  }

  setxattr(name: string, value: Uint8Array, flags: number): number {
    if (name.startsWith(PRIVATE_XATTRS)) return -EPERM;
    const e = copyUp(this, true);
    if (e < 0) return e;
    return this.upper?.setxattr?.(name, value, flags) ?? -ENOTSUP;
  }

  listxattr(): string[] | number {
    const r = this.real.listxattr?.() ?? [];
    return typeof r === 'number' ? r : r.filter((n) => !n.startsWith(PRIVATE_XATTRS));
  }

  removexattr(name: string): number {
    if (name.startsWith(PRIVATE_XATTRS)) return -EPERM;
    const e = copyUp(this, true);
    if (e < 0) return e;
    return this.upper?.removexattr?.(name) ?? -ENOTSUP;
  }
}

/** Removes the whiteouts of an upper directory that the merged view shows as empty. */
function clearWhiteouts(dir: Inode): number {
  const ents = dir.entries?.() ?? [];
  if (typeof ents === 'number') return ents;
  for (const e of ents) {
    const i = dir.lookup(e.name);
    if (typeof i !== 'number' && isWhiteout(i)) {
      const r = dir.unlink?.(e.name) ?? -EPERM;
      if (r < 0) return r;
    }
  }
  return 0;
}
