// Open overlay files. A file is the upper or lower layer's own open file
// (its reads, writes and mappings are that layer's), seen through the
// overlay: fstat reports the overlay's st_dev and st_ino, and attribute
// changes go through the overlay inode (so that they copy up). A
// directory lists the merged entries, taken when the listing starts (or
// restarts at 0), so that a program changing the directory as it reads
// sees every surviving entry once.

import type { Stat } from '../../vfs/stat.js';
import type { Credentials, SetAttr } from '../../vfs/inode.js';
import { FileDescription } from '../../vfs/file_description.js';
import { ListedDirFD } from '../../vfs/listed_dir.js';
import type { IoctlIO } from '../../vfs/file_description.js';
import type { Mappable } from '../../mm/mm.js';
import type { OverlayInode } from './inode.js';

export class OverlayFileFD extends FileDescription {
  constructor(readonly node: OverlayInode, readonly inner: FileDescription, flags: number) {
    super(flags, null);
  }

  /** The layer's file takes this description's status flags (F_SETFL changes them here) and atime policy. */
  private layer(): FileDescription {
    this.inner.flags = this.flags;
    this.inner.atimePolicy = this.atimePolicy;
    return this.inner;
  }

  stat(): Stat | number {
    return this.node.stat();
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    const r = this.layer().read(dsts, total, offset < 0 ? this.offset : offset);
    if (offset < 0 && r > 0) this.offset += r;
    return r;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    const f = this.layer();
    if (offset >= 0) return f.write(srcs, total, offset);
    // O_APPEND: the layer's file appends and moves its own offset to the end.
    f.offset = this.offset;
    const r = f.write(srcs, total, -1);
    this.offset = f.offset;
    return r;
  }

  override get seekable(): boolean {
    return this.inner.seekable;
  }

  override seek(off: number, whence: number): number {
    const f = this.layer();
    f.offset = this.offset;
    const r = f.seek(off, whence);
    this.offset = f.offset;
    return r;
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    return this.layer().ioctl(req, arg, io);
  }

  override readiness(mask: number): number {
    return this.inner.readiness(mask);
  }

  override get pollable(): boolean {
    return this.inner.pollable;
  }

  override armReadiness(mask: number): void {
    this.inner.armReadiness(mask);
  }

  override mappable(): Mappable | number {
    const m = this.inner.mappable();
    return typeof m === 'number' ? m : new OverlayMappable(this.node, m);
  }

  override truncate(len: number): number {
    return this.node.setattr({ size: len });
  }

  override fallocate(mode: number, offset: number, len: number): number {
    return this.layer().fallocate(mode, offset, len);
  }

  override sync(): number {
    return this.inner.sync();
  }

  override setattr(change: { mode?: number; uid?: number; gid?: number }, _creds: Credentials): number {
    return this.node.setattr(change as SetAttr);
  }

  override release(): void {
    this.inner.decRef();
  }
}

/** An overlay directory: the merged listing (ListedDirFD), with attribute changes that copy up. */
export class OverlayDirFD extends ListedDirFD {
  constructor(readonly node: OverlayInode, flags: number) {
    super({
      stat: () => node.stat(),
      entries: () => node.entries(),
      dirIno: node.ino,
      parentIno: node.parent?.ino ?? node.ino,
    }, flags);
  }

  override sync(): number {
    return 0;
  }

  override setattr(change: { mode?: number; uid?: number; gid?: number }, _creds: Credentials): number {
    return this.node.setattr(change as SetAttr);
  }
}

/**
 * A layer's file mapped through the overlay: its pages are the layer's
 * (page cache, tmpfs pages), its identity in /proc/PID/maps the overlay's.
 */
class OverlayMappable implements Mappable {
  readonly pagesAt?: (offset: number) => number;
  readonly filePages?: (offset: number, len: number) => { off: number; len: number } | number;
  readonly mapShared?: (prot: number, mayWrite: boolean) => boolean | number;

  constructor(readonly node: OverlayInode, readonly inner: Mappable) {
    if (inner.pagesAt !== undefined) this.pagesAt = (o) => (inner.pagesAt as (o: number) => number)(o);
    if (inner.filePages !== undefined) {
      const fp = inner.filePages.bind(inner);
      this.filePages = (o, l) => fp(o, l);
    }
    if (inner.mapShared !== undefined) {
      const ms = inner.mapShared.bind(inner);
      this.mapShared = (p, w) => ms(p, w);
    }
  }

  readAt(dst: Uint8Array, offset: number): void {
    this.inner.readAt(dst, offset);
  }

  get mapName(): string {
    return this.inner.mapName;
  }

  get cacheKey(): string | null {
    return this.inner.cacheKey ?? null;
  }

  incRef(): void {
    this.inner.incRef();
  }

  decRef(): void {
    this.inner.decRef();
  }

  stat(): Stat | number {
    return this.node.stat();
  }
}
