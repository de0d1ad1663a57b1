// A tmpfs inode's attributes (Linux's shmem_inode_info and struct inode):
// owner, mode, link count, the three times, extended attributes; and the
// small kinds of file that are nothing but attributes: symlinks, FIFOs,
// sockets and device nodes. Directories are in dir.ts, regular files in
// regular.ts.
//
// Times follow Linux: a change of contents sets mtime and ctime, a change
// of attributes ctime, a read atime (as the mount's atime policy says:
// the VFS tells the open file, FileDescription.atimePolicy).

import { PAGE_SIZE } from '../../memory/memory_file.js';
import type { DirEntry, Inode, SetAttr } from '../../vfs/inode.js';
import { XATTR_CREATE, XATTR_REPLACE } from '../../vfs/inode.js';
import { FileDescription, O_PATH } from '../../vfs/file_description.js';
import { Stat, S_IFLNK, S_IFMT } from '../../vfs/stat.js';
import { EEXIST, EINVAL, ENODATA, ENOSPC, ENOTDIR, ENXIO } from '../../abi/linux/errno.js';
import type { TmpfsFileSystem } from './tmpfs.js';

/** The current time as [seconds, nanoseconds]. */
export function now(): [number, number] {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  return [sec, Math.floor((ms - sec * 1000) * 1e6)];
}

/** The most bytes of extended attributes one inode may hold (names and values). */
const XATTR_MAX_PER_INODE = 1 << 20;

export abstract class TmpfsInode implements Inode {
  nlink = 1;
  rdev = 0;
  atimeSec: number; atimeNsec: number;
  mtimeSec: number; mtimeNsec: number;
  ctimeSec: number; ctimeNsec: number;
  readonly btimeSec: number; readonly btimeNsec: number;
  xattrs: Map<string, Uint8Array> | null = null;
  private xattrPages = 0;
  /** Open descriptions (O_PATH ones included): an unlinked file lives while any is open. */
  opens = 0;
  /** Made by O_TMPFILE and not yet linked: linkat(AT_EMPTY_PATH) may give it a name. */
  linkable = false;

  constructor(
    readonly fs: TmpfsFileSystem,
    readonly ino: number,
    /** Type and permission bits. */
    public modeBits: number,
    public uid: number,
    public gid: number,
  ) {
    const [s, ns] = now();
    this.atimeSec = this.mtimeSec = this.ctimeSec = s;
    this.atimeNsec = this.mtimeNsec = this.ctimeNsec = ns;
    this.btimeSec = s;
    this.btimeNsec = ns;
  }

  get mode(): number {
    return this.modeBits;
  }

  /** st_size. */
  abstract get size(): number;

  /** st_blocks, in 512-byte units. */
  get blocks(): number {
    return this.xattrPages * (PAGE_SIZE / 512);
  }

  stat(): Stat {
    const s = new Stat();
    s.dev = this.fs.dev;
    s.ino = this.ino;
    s.nlink = this.nlink;
    s.mode = this.modeBits;
    s.uid = this.uid;
    s.gid = this.gid;
    s.rdev = this.rdev;
    s.size = this.size;
    s.blksize = PAGE_SIZE;
    s.blocks = this.blocks;
    s.atimeSec = this.atimeSec; s.atimeNsec = this.atimeNsec;
    s.mtimeSec = this.mtimeSec; s.mtimeNsec = this.mtimeNsec;
    s.ctimeSec = this.ctimeSec; s.ctimeNsec = this.ctimeNsec;
    s.btimeSec = this.btimeSec; s.btimeNsec = this.btimeNsec;
    return s;
  }

  statForWalk(): Stat {
    return this.stat();
  }

  lookup(name: string): Inode | number {
    return -ENOTDIR;
  }

  readlink(): string | number {
    return -EINVAL;
  }

  open(flags: number): FileDescription | number {
    if (flags & O_PATH) return new TmpfsPathFD(this, flags);
    // FIFOs, sockets and device nodes are opened by the VFS, which knows their drivers.
    return -ENXIO;
  }

  entries?(): readonly DirEntry[] | number;

  /** Sets ctime (and mtime with `contents`) to now. */
  touchChange(contents: boolean): void {
    const [s, ns] = now();
    this.ctimeSec = s; this.ctimeNsec = ns;
    if (contents) {
      this.mtimeSec = s; this.mtimeNsec = ns;
    }
  }

  /** Sets atime to now as policy says: 0 never, 1 relatime, 2 always. */
  touchAccess(policy: number): void {
    if (policy === 0) return;
    const [s, ns] = now();
    if (policy === 1) {
      // relatime: only if atime is not newer than mtime or ctime, or is a day old.
      const older = (a: number, an: number, b: number, bn: number) => a < b || (a === b && an <= bn);
      if (!older(this.atimeSec, this.atimeNsec, this.mtimeSec, this.mtimeNsec) &&
        !older(this.atimeSec, this.atimeNsec, this.ctimeSec, this.ctimeNsec) && s - this.atimeSec < 86400) return;
    }
    this.atimeSec = s; this.atimeNsec = ns;
  }

  setattr(attr: SetAttr): number {
    if (attr.size !== undefined) {
      const r = this.truncate(attr.size);
      if (r < 0) return r;
    }
    if (attr.mode !== undefined) this.modeBits = (this.modeBits & S_IFMT) | (attr.mode & 0o7777);
    if (attr.uid !== undefined) this.uid = attr.uid;
    if (attr.gid !== undefined) this.gid = attr.gid;
    if (attr.atime !== undefined) [this.atimeSec, this.atimeNsec] = attr.atime;
    if (attr.mtime !== undefined) [this.mtimeSec, this.mtimeNsec] = attr.mtime;
    const onlySize = attr.mode === undefined && attr.uid === undefined && attr.gid === undefined &&
      attr.atime === undefined && attr.mtime === undefined;
    if (!onlySize) {
      const [s, ns] = now();
      this.ctimeSec = s; this.ctimeNsec = ns;
    }
    return 0;
  }

  /** Changes the size (regular files only; others say EINVAL, which the VFS has already refused). */
  truncate(size: number): number {
    return -EINVAL;
  }

  getxattr(name: string): Uint8Array | number {
    return this.xattrs?.get(name) ?? -ENODATA;
  }

  setxattr(name: string, value: Uint8Array, flags: number): number {
    const old = this.xattrs?.get(name);
    if (flags & XATTR_CREATE && old !== undefined) return -EEXIST;
    if (flags & XATTR_REPLACE && old === undefined) return -ENODATA;
    const bytes = this.xattrBytes() - (old === undefined ? 0 : name.length + old.length) + name.length + value.length;
    if (bytes > XATTR_MAX_PER_INODE) return -ENOSPC;
    const pages = Math.ceil(bytes / PAGE_SIZE);
    if (pages > this.xattrPages && !this.fs.chargePages(pages - this.xattrPages)) return -ENOSPC;
    if (pages < this.xattrPages) this.fs.unchargePages(this.xattrPages - pages);
    this.xattrPages = pages;
    if (this.xattrs === null) this.xattrs = new Map();
    this.xattrs.set(name, value.slice());
    this.touchChange(false);
    return 0;
  }

  listxattr(): string[] {
    return this.xattrs === null ? [] : [...this.xattrs.keys()];
  }

  removexattr(name: string): number {
    if (this.xattrs === null || !this.xattrs.delete(name)) return -ENODATA;
    const pages = Math.ceil(this.xattrBytes() / PAGE_SIZE);
    this.fs.unchargePages(this.xattrPages - pages);
    this.xattrPages = pages;
    this.touchChange(false);
    return 0;
  }

  private xattrBytes(): number {
    let n = 0;
    if (this.xattrs !== null) for (const [k, v] of this.xattrs) n += k.length + v.length;
    return n;
  }

  /** Called when a name goes (unlink, rmdir, replaced by rename). */
  dropLink(): void {
    if (this.nlink > 0) this.nlink--;
    this.touchChange(false);
    this.maybeFree();
  }

  /** Gives back what the inode holds once it has neither a name nor an open file. */
  maybeFree(): void {
    if (this.nlink > 0 || this.opens > 0 || this.linkable || this.freed) return;
    this.freed = true;
    this.freeContents();
    if (this.xattrPages > 0) this.fs.unchargePages(this.xattrPages);
    this.xattrPages = 0;
    this.xattrs = null;
    this.fs.uncharge();
  }

  protected freed = false;

  /** Frees the inode's own storage (a regular file's pages). */
  protected freeContents(): void {}

  fileClosed(): void {
    this.opens--;
    this.maybeFree();
  }
}

/** A symbolic link: its target, charged as a page when it does not fit in the inode (as shmem does). */
export class TmpfsSymlink extends TmpfsInode {
  private charged = false;

  constructor(fs: TmpfsFileSystem, ino: number, readonly target: string, uid: number, gid: number) {
    super(fs, ino, S_IFLNK | 0o777, uid, gid);
  }

  /** Charges a long target's page; false (ENOSPC) if it does not fit. */
  charge(): boolean {
    if (this.target.length < 128) return true;
    this.charged = this.fs.chargePages(1);
    return this.charged;
  }

  get size(): number {
    return this.target.length;
  }

  override get blocks(): number {
    return super.blocks + (this.charged ? PAGE_SIZE / 512 : 0);
  }

  override readlink(): string {
    return this.target;
  }

  protected override freeContents(): void {
    if (this.charged) this.fs.unchargePages(1);
    this.charged = false;
  }
}

/** A FIFO, socket or device node: a name and attributes; the VFS opens it. */
export class TmpfsSpecial extends TmpfsInode {
  constructor(fs: TmpfsFileSystem, ino: number, mode: number, rdev: number, uid: number, gid: number) {
    super(fs, ino, mode, uid, gid);
    this.rdev = rdev;
  }

  get size(): number {
    return 0;
  }
}

/** An O_PATH description of any tmpfs file: it names the file; fstat, fchdir and *at() use it. */
export class TmpfsPathFD extends FileDescription {
  constructor(readonly inode: TmpfsInode, flags: number) {
    super(flags, null);
    inode.opens++;
  }

  stat(): Stat {
    return this.inode.stat();
  }

  override read(): number {
    return -9; // EBADF
  }

  override write(): number {
    return -9;
  }

  override release(): void {
    this.inode.fileClosed();
  }
}
