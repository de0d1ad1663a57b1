// A tmpfs directory: names to inodes, and the operations that change them.
//
// getdents64 must stay stable while the directory changes (a program that
// deletes what it lists, `rm -r`): every entry gets a cookie from a
// counter when it is linked, the directory keeps its entries in cookie
// order (removed ones leave a tombstone until enough pile up), and a
// reader's position is the cookie of the last entry it returned. An entry
// present for the whole listing is returned exactly once; one added or
// removed meanwhile may or may not be, as POSIX allows. "." and ".." are
// cookies 1 and 2. Entries are listed newest first, as Linux's tmpfs lists
// them (a new or renamed dentry goes to the head of its parent's children):
// `find` and `ls -U` print in that order.
//
// st_size is 20 bytes per entry plus 40 (Linux's BOGO_DIRENT_SIZE); nlink
// is 2 plus the subdirectories.

import type { CreateContext, DirEntry, Inode } from '../../vfs/inode.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT } from '../../vfs/inode.js';
import { FileDescription, O_PATH, dtype, putDirent64 } from '../../vfs/file_description.js';
import { Stat, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../vfs/stat.js';
import {
  EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM,
} from '../../abi/linux/errno.js';
import type { TmpfsFileSystem } from './tmpfs.js';
import { TmpfsInode, TmpfsPathFD, TmpfsSpecial, TmpfsSymlink } from './inode.js';
import { TmpfsRegular } from './regular.js';

const BOGO_DIRENT_SIZE = 20;
const S_ISGID = 0o2000;

interface Entry {
  readonly name: string;
  inode: TmpfsInode;
  readonly cookie: number;
  dead: boolean;
}

export class TmpfsDir extends TmpfsInode {
  private readonly byName = new Map<string, Entry>();
  /** Entries in cookie order, tombstones included. */
  private list: Entry[] = [];
  private tombstones = 0;
  private nextCookie = 3;

  constructor(fs: TmpfsFileSystem, ino: number, mode: number, uid: number, gid: number, public parent: TmpfsDir | null) {
    super(fs, ino, mode, uid, gid);
    this.nlink = 2;
  }

  get size(): number {
    return (this.byName.size + 2) * BOGO_DIRENT_SIZE;
  }

  get count(): number {
    return this.byName.size;
  }

  override lookup(name: string): Inode | number {
    return this.byName.get(name)?.inode ?? -ENOENT;
  }

  override open(flags: number): FileDescription | number {
    if (flags & O_PATH) return new TmpfsPathFD(this, flags);
    return new TmpfsDirFD(this, flags);
  }

  override entries(): readonly DirEntry[] {
    const out: DirEntry[] = [];
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i];
      if (!e.dead) out.push({ name: e.name, ino: e.inode.ino, type: dtype(e.inode.mode) });
    }
    return out;
  }

  /** The ino of "..". */
  get parentIno(): number {
    return (this.parent ?? this).ino;
  }

  private insert(name: string, inode: TmpfsInode): void {
    const e: Entry = { name, inode, cookie: this.nextCookie++, dead: false };
    this.byName.set(name, e);
    this.list.push(e);
    if (inode instanceof TmpfsDir) {
      inode.parent = this;
      this.nlink++;
    }
  }

  private remove(name: string): TmpfsInode {
    const e = this.byName.get(name) as Entry;
    this.byName.delete(name);
    e.dead = true;
    if (++this.tombstones > 64 && this.tombstones > this.list.length / 2) {
      this.list = this.list.filter((x) => !x.dead);
      this.tombstones = 0;
    }
    if (e.inode instanceof TmpfsDir) this.nlink--;
    return e.inode;
  }

  /** The newest live entry older than position pos (2, just after "..": the newest of all), or undefined. */
  entryAfter(pos: number): Entry | undefined {
    const l = this.list;
    let lo = 0, hi = l.length;
    if (pos <= 2) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid].cookie < pos) lo = mid + 1; else hi = mid;
    }
    let i = lo - 1;
    while (i >= 0 && l[i].dead) i--;
    return i >= 0 ? l[i] : undefined;
  }

  /** A directory that rmdir removed: nothing may be made in it. */
  get removed(): boolean {
    return this.nlink === 0;
  }

  /** The owner of a new file: the creator, or the directory's group when it is setgid. */
  private owner(ctx: CreateContext): { uid: number; gid: number; sgid: boolean } {
    const sgid = (this.modeBits & S_ISGID) !== 0;
    return { uid: ctx.uid, gid: sgid ? this.gid : ctx.gid, sgid };
  }

  private precreate(name: string): number {
    if (this.removed) return -ENOENT;
    if (this.byName.has(name)) return -EEXIST;
    return this.fs.chargeInode();
  }

  private linked(name: string, inode: TmpfsInode): TmpfsInode {
    this.insert(name, inode);
    this.touchChange(true);
    return inode;
  }

  create(name: string, mode: number, ctx: CreateContext): Inode | number {
    const ino = this.precreate(name);
    if (ino < 0) return ino;
    const o = this.owner(ctx);
    return this.linked(name, new TmpfsRegular(this.fs, ino, S_IFREG | (mode & 0o7777), o.uid, o.gid));
  }

  /** An unnamed regular file in this directory's file system (O_TMPFILE). */
  tmpfile(mode: number, ctx: CreateContext): Inode | number {
    if (this.removed) return -ENOENT;
    const ino = this.fs.chargeInode();
    if (ino < 0) return ino;
    const o = this.owner(ctx);
    const f = new TmpfsRegular(this.fs, ino, S_IFREG | (mode & 0o7777), o.uid, o.gid);
    f.nlink = 0;
    f.linkable = true;
    return f;
  }

  mkdir(name: string, mode: number, ctx: CreateContext): Inode | number {
    const ino = this.precreate(name);
    if (ino < 0) return ino;
    const o = this.owner(ctx);
    // A subdirectory of a setgid directory is setgid too.
    const bits = (mode & 0o7777) | (o.sgid ? S_ISGID : 0);
    return this.linked(name, new TmpfsDir(this.fs, ino, S_IFDIR | bits, o.uid, o.gid, this));
  }

  mknod(name: string, mode: number, rdev: number, ctx: CreateContext): Inode | number {
    const type = mode & S_IFMT;
    if (type === S_IFREG || type === 0) return this.create(name, mode, ctx);
    if (type === S_IFDIR || type === S_IFLNK) return -EINVAL;
    const ino = this.precreate(name);
    if (ino < 0) return ino;
    const o = this.owner(ctx);
    return this.linked(name, new TmpfsSpecial(this.fs, ino, type | (mode & 0o7777), rdev, o.uid, o.gid));
  }

  symlink(name: string, target: string, ctx: CreateContext): Inode | number {
    const ino = this.precreate(name);
    if (ino < 0) return ino;
    const o = this.owner(ctx);
    const l = new TmpfsSymlink(this.fs, ino, target, o.uid, o.gid);
    if (!l.charge()) {
      this.fs.uncharge();
      return -28; // ENOSPC
    }
    return this.linked(name, l);
  }

  link(name: string, target: Inode): Inode | number {
    if (!(target instanceof TmpfsInode) || target.fs !== this.fs) return -18; // EXDEV
    if (target instanceof TmpfsDir) return -EPERM;
    if (this.removed) return -ENOENT;
    if (this.byName.has(name)) return -EEXIST;
    // An unlinked file cannot get a name again, except one made by O_TMPFILE.
    if (target.nlink === 0 && !target.linkable) return -ENOENT;
    target.nlink++;
    target.linkable = false;
    target.touchChange(false);
    this.insert(name, target);
    this.touchChange(true);
    return target;
  }

  unlink(name: string): number {
    const e = this.byName.get(name);
    if (e === undefined) return -ENOENT;
    if (e.inode instanceof TmpfsDir) return -EISDIR;
    this.remove(name);
    this.touchChange(true);
    e.inode.dropLink();
    return 0;
  }

  rmdir(name: string): number {
    const e = this.byName.get(name);
    if (e === undefined) return -ENOENT;
    const d = e.inode;
    if (!(d instanceof TmpfsDir)) return -ENOTDIR;
    if (d.count > 0) return -ENOTEMPTY;
    this.remove(name);
    this.touchChange(true);
    d.nlink = 0;
    d.touchChange(false);
    d.maybeFree();
    return 0;
  }

  rename(oldName: string, newDir: Inode, newName: string, flags: number): number {
    if (!(newDir instanceof TmpfsDir) || newDir.fs !== this.fs) return -18; // EXDEV
    const src = this.byName.get(oldName);
    if (src === undefined) return -ENOENT;
    if (newDir.removed) return -ENOENT;
    const dst = newDir.byName.get(newName);
    const s = src.inode;
    if (flags & RENAME_EXCHANGE) {
      if (dst === undefined) return -ENOENT;
      const d = dst.inode;
      if (s === d) return 0;
      this.remove(oldName);
      newDir.remove(newName);
      newDir.insert(newName, s);
      this.insert(oldName, d);
      s.touchChange(false);
      d.touchChange(false);
      this.touchChange(true);
      if (newDir !== this) newDir.touchChange(true);
      return 0;
    }
    if (dst !== undefined) {
      if (flags & RENAME_NOREPLACE) return -EEXIST;
      const d = dst.inode;
      // Two names of one file: rename does nothing (POSIX).
      if (d === s) return 0;
      if (s instanceof TmpfsDir) {
        if (!(d instanceof TmpfsDir)) return -ENOTDIR;
        if (d.count > 0) return -ENOTEMPTY;
      } else if (d instanceof TmpfsDir) {
        return -EISDIR;
      }
    }
    let whiteout: TmpfsSpecial | null = null;
    if (flags & RENAME_WHITEOUT) {
      const ino = this.fs.chargeInode();
      if (ino < 0) return ino;
      whiteout = new TmpfsSpecial(this.fs, ino, S_IFCHR, 0, 0, 0);
    }
    if (dst !== undefined) {
      const d = newDir.remove(newName);
      if (d instanceof TmpfsDir) {
        d.nlink = 0;
        d.touchChange(false);
        d.maybeFree();
      } else {
        d.dropLink();
      }
    }
    this.remove(oldName);
    newDir.insert(newName, s);
    if (whiteout !== null) this.insert(oldName, whiteout);
    s.touchChange(false);
    this.touchChange(true);
    if (newDir !== this) newDir.touchChange(true);
    return 0;
  }

  /** Whether this directory is `d` or lies below it. */
  isWithin(d: TmpfsDir): boolean {
    for (let x: TmpfsDir | null = this; x !== null; x = x.parent) if (x === d) return true;
    return false;
  }
}

export class TmpfsDirFD extends FileDescription {
  constructor(readonly dir: TmpfsDir, flags: number) {
    super(flags, null);
    dir.opens++;
  }

  stat(): Stat {
    return this.dir.stat();
  }

  override read(): number {
    return -EISDIR;
  }

  override write(): number {
    return -EISDIR;
  }

  override getdents(buf: Uint8Array): number {
    let off = 0;
    const d = this.dir;
    for (;;) {
      const pos = this.dirCookie;
      let name: string, ino: number, type: number, cookie: number;
      if (pos === 0) {
        name = '.'; ino = d.ino; type = dtype(S_IFDIR); cookie = 1;
      } else if (pos === 1) {
        name = '..'; ino = d.parentIno; type = dtype(S_IFDIR); cookie = 2;
      } else {
        const e = d.removed ? undefined : d.entryAfter(pos);
        if (e === undefined) break;
        name = e.name; ino = e.inode.ino; type = dtype(e.inode.mode); cookie = e.cookie;
      }
      const n = putDirent64(buf, off, ino, cookie, type, name);
      if (n === 0) {
        if (off === 0) return -EINVAL;
        break;
      }
      off += n;
      this.dirCookie = cookie;
    }
    this.offset = this.dirCookie;
    d.touchAccess(this.atimePolicy);
    return off;
  }

  override seek(off: number, whence: number): number {
    const SEEK_SET = 0, SEEK_CUR = 1;
    if (whence === SEEK_CUR) off += this.dirCookie;
    else if (whence !== SEEK_SET) return -EINVAL;
    if (off < 0) return -EINVAL;
    this.dirCookie = off;
    this.offset = off;
    return off;
  }

  /** fsync of a directory: nothing to write back (noop_fsync). */
  override sync(): number {
    return 0;
  }

  override release(): void {
    this.dir.fileClosed();
  }
}
