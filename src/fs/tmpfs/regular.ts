// A tmpfs regular file: its pages are pages of the memory file, found by
// page index (a Map, so a sparse file costs only the pages written). read
// and write copy through the Sentry's view of those pages; a mapping of
// the file maps the same pages (Mappable.filePages): shared mappings write
// them in place, private ones take them copy-on-write, so each sees what
// Linux shows it. A page is charged to the instance's size= when it is
// made and to the sandbox's total memory by the memory file.
//
// The pages belong to the file while it has a name or an open description;
// a mapping holds its own reference on each page it maps, so pages freed by
// truncate or the last close stay valid for the mappings that have them.
//
// Differs from Linux: a mapping's access past the end of the file is a
// SIGSEGV, not a SIGBUS; after a truncate, pages a mapping already holds are
// no longer the file's (Linux unmaps them); a write does not clear the
// setuid bit.

import type { MemoryFile } from '../../memory/memory_file.js';
import { PAGE_SIZE } from '../../memory/memory_file.js';
import type { Mappable } from '../../mm/vma.js';
import { FileDescription, O_APPEND, O_PATH } from '../../vfs/file_description.js';
import { Stat } from '../../vfs/stat.js';
import type { FileSeals } from '../../vfs/seals.js';
import type { SetAttr } from '../../vfs/inode.js';
import { EFAULT, EFBIG, EINVAL, ENOMEM, ENOSPC, EOPNOTSUPP } from '../../abi/linux/errno.js';
import type { TmpfsFileSystem } from './tmpfs.js';
import { TmpfsInode, TmpfsPathFD } from './inode.js';

/** The largest file (Linux's MAX_LFS_FILESIZE is 2^63-1; offsets here are exact up to 2^53). */
export const MAX_FILE_SIZE = 2 ** 53 - PAGE_SIZE;
/** The most pages one allocation gives a file (one run of contiguous pages). */
const RUN_PAGES = 128;

const FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;

export class TmpfsRegular extends TmpfsInode {
  /** Page index -> memory-file offset. */
  private readonly pages = new Map<number, number>();
  private length = 0;
  /** Mappings of the file (each VMA holds one). */
  maps = 0;
  /** memfd seals (vfs/seals.ts), checked by write, truncate, fallocate, chmod and shared mappings. */
  seals: FileSeals | null = null;

  constructor(fs: TmpfsFileSystem, ino: number, mode: number, uid: number, gid: number) {
    super(fs, ino, mode, uid, gid);
  }

  private get mf(): MemoryFile {
    return this.fs.mf;
  }

  get size(): number {
    return this.length;
  }

  override get blocks(): number {
    return super.blocks + this.pages.size * (PAGE_SIZE / 512);
  }

  override open(flags: number): FileDescription | number {
    if (flags & O_PATH) return new TmpfsPathFD(this, flags);
    return new TmpfsFileFD(this, flags);
  }

  /**
   * Makes the missing pages among [first, first+count) (page indexes),
   * charging each; returns how many of them exist afterwards from `first`
   * on (fewer than count when the instance or the sandbox is full).
   */
  private ensure(first: number, count: number): number {
    let i = first;
    const end = first + count;
    while (i < end) {
      if (this.pages.has(i)) {
        i++;
        continue;
      }
      // A run of missing pages, made in one allocation where it fits.
      let n = 1;
      while (i + n < end && n < RUN_PAGES && !this.pages.has(i + n)) n++;
      if (!this.fs.chargePages(1)) return i - first;
      let run = n;
      if (run > 1 && !this.fs.chargePages(run - 1)) run = 1;
      let off = this.mf.allocate(run * PAGE_SIZE, this.fs.medium);
      if (off < 0 && run > 1) {
        this.fs.unchargePages(run - 1);
        run = 1;
        off = this.mf.allocate(PAGE_SIZE, this.fs.medium);
      }
      if (off < 0) {
        this.fs.unchargePages(1);
        return i - first;
      }
      for (let k = 0; k < run; k++) this.pages.set(i + k, off + k * PAGE_SIZE);
      i += run;
    }
    return count;
  }

  /** Frees the pages from index `from` on. */
  private dropFrom(from: number): void {
    const gone: number[] = [];
    for (const [idx, off] of this.pages) {
      if (idx >= from) {
        gone.push(off);
        this.pages.delete(idx);
      }
    }
    this.freeOffsets(gone);
  }

  /** Gives pages back, coalescing contiguous ones into one deallocation each. */
  private freeOffsets(offs: number[]): void {
    if (offs.length === 0) return;
    offs.sort((a, b) => a - b);
    let start = offs[0], len = PAGE_SIZE;
    for (let k = 1; k <= offs.length; k++) {
      if (k < offs.length && offs[k] === start + len) {
        len += PAGE_SIZE;
        continue;
      }
      this.mf.deallocate(start, len);
      if (k < offs.length) {
        start = offs[k];
        len = PAGE_SIZE;
      }
    }
    this.fs.unchargePages(offs.length);
  }

  override setattr(attr: SetAttr): number {
    if (this.seals !== null && attr.mode !== undefined) {
      const e = this.seals.chmod(this.modeBits, attr.mode);
      if (e < 0) return e;
    }
    return super.setattr(attr);
  }

  override truncate(size: number): number {
    if (size < 0) return -EINVAL;
    if (size > MAX_FILE_SIZE) return -EFBIG;
    if (size === this.length) return 0;
    if (this.seals !== null) {
      const e = this.seals.resize(this.length, size);
      if (e < 0) return e;
    }
    if (size < this.length) {
      this.dropFrom(Math.ceil(size / PAGE_SIZE));
      // The tail of the last page must read as zeros if the file grows again.
      const tail = size % PAGE_SIZE;
      const last = this.pages.get(Math.floor(size / PAGE_SIZE));
      if (tail !== 0 && last !== undefined) this.mf.view(last + tail, PAGE_SIZE - tail).fill(0);
    }
    this.length = size;
    this.touchChange(true);
    return 0;
  }

  read(dsts: Uint8Array[], pos: number): number {
    let done = 0;
    if (pos >= this.length) return 0;
    for (const d of dsts) {
      let o = 0;
      while (o < d.length && pos < this.length) {
        const idx = Math.floor(pos / PAGE_SIZE);
        const inPage = pos - idx * PAGE_SIZE;
        const n = Math.min(d.length - o, PAGE_SIZE - inPage, this.length - pos);
        const off = this.pages.get(idx);
        if (off === undefined) d.fill(0, o, o + n);
        else d.set(this.mf.view(off + inPage, n), o);
        o += n;
        pos += n;
        done += n;
      }
      if (pos >= this.length) break;
    }
    return done;
  }

  write(srcs: Uint8Array[], total: number, pos: number): number {
    if (total === 0) return 0;
    if (this.seals !== null) {
      total = this.seals.writeLimit(pos, total, this.length);
      if (total < 0) return total;
    }
    if (pos >= MAX_FILE_SIZE) return -EFBIG;
    if (pos + total > MAX_FILE_SIZE) total = MAX_FILE_SIZE - pos;
    const first = Math.floor(pos / PAGE_SIZE);
    const count = Math.floor((pos + total - 1) / PAGE_SIZE) - first + 1;
    const have = this.ensure(first, count);
    // What fits: up to the end of the last page made.
    const limit = have === count ? pos + total : (first + have) * PAGE_SIZE;
    if (limit <= pos) return -ENOSPC;
    let done = 0;
    let p = pos;
    for (const s of srcs) {
      let o = 0;
      while (o < s.length && p < limit) {
        const idx = Math.floor(p / PAGE_SIZE);
        const inPage = p - idx * PAGE_SIZE;
        const n = Math.min(s.length - o, PAGE_SIZE - inPage, limit - p);
        this.mf.view((this.pages.get(idx) as number) + inPage, n).set(s.subarray(o, o + n));
        o += n;
        p += n;
        done += n;
      }
      if (p >= limit) break;
    }
    if (p > this.length) this.length = p;
    this.touchChange(true);
    return done;
  }

  /** fallocate(2): allocate, punch or zero a range. */
  fallocate(mode: number, offset: number, len: number): number {
    if (offset + len > MAX_FILE_SIZE) return -EFBIG;
    const end = offset + len;
    if (this.seals !== null) {
      const e = this.seals.fallocate((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) !== 0, end, this.length);
      if (e < 0) return e;
    }
    if (mode & FALLOC_FL_PUNCH_HOLE) {
      // Whole pages go; partial ones are zeroed. The size never changes.
      const firstWhole = Math.ceil(offset / PAGE_SIZE), endWhole = Math.floor(end / PAGE_SIZE);
      const gone: number[] = [];
      for (const i of this.pagesIn(firstWhole, endWhole)) {
        gone.push(this.pages.get(i) as number);
        this.pages.delete(i);
      }
      this.freeOffsets(gone);
      this.zeroPartial(offset, Math.min(end, firstWhole * PAGE_SIZE));
      if (endWhole >= firstWhole) this.zeroPartial(Math.max(offset, endWhole * PAGE_SIZE), end);
      this.touchChange(true);
      return 0;
    }
    // shmem_fallocate knows only KEEP_SIZE and PUNCH_HOLE.
    if (mode & ~FALLOC_FL_KEEP_SIZE) return -EOPNOTSUPP;
    const first = Math.floor(offset / PAGE_SIZE);
    const count = Math.ceil(end / PAGE_SIZE) - first;
    // Checked before any page is made, so that a huge range costs nothing.
    const have = new Set(this.pagesIn(first, first + count));
    if (count - have.size > this.fs.maxPages - this.fs.usedPages) return -ENOSPC;
    const missing: number[] = [];
    for (let i = first; i < first + count; i++) if (!have.has(i)) missing.push(i);
    if (this.ensure(first, count) < count) {
      // Out of the sandbox's memory part way: what was made for this call goes back, as shmem_fallocate undoes.
      const undo: number[] = [];
      for (const i of missing) {
        const off = this.pages.get(i);
        if (off !== undefined) {
          undo.push(off);
          this.pages.delete(i);
        }
      }
      this.freeOffsets(undo);
      return -ENOSPC;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > this.length) this.length = end;
    // shmem_fallocate's file_modified(): mtime and ctime, whatever changed.
    this.touchChange(true);
    return 0;
  }

  /** Zeroes [start, end) where pages exist. */
  private zeroPartial(start: number, end: number): void {
    for (let p = start; p < end;) {
      const idx = Math.floor(p / PAGE_SIZE);
      const inPage = p - idx * PAGE_SIZE;
      const n = Math.min(end - p, PAGE_SIZE - inPage);
      const off = this.pages.get(idx);
      if (off !== undefined) this.mf.view(off + inPage, n).fill(0);
      p += n;
    }
  }

  /** SEEK_DATA/SEEK_HOLE: data is where pages exist. Bounded by the pages the file has, not by its size. */
  seekData(off: number, hole: boolean): number {
    const ENXIO = 6;
    if (off < 0 || off >= this.length) return -ENXIO;
    const start = Math.floor(off / PAGE_SIZE);
    if (hole) {
      let idx = start;
      while (this.pages.has(idx)) idx++;
      return Math.min(this.length, Math.max(off, idx * PAGE_SIZE));
    }
    if (this.pages.has(start)) return off;
    let best = Infinity;
    for (const idx of this.pages.keys()) if (idx > start && idx < best) best = idx;
    return best === Infinity || best * PAGE_SIZE >= this.length ? -ENXIO : best * PAGE_SIZE;
  }

  /** The indexes of the pages the file has in [first, end), in no order: bounded by the pages, not the range. */
  private pagesIn(first: number, end: number): number[] {
    const out: number[] = [];
    if (end - first <= this.pages.size) {
      for (let i = first; i < end; i++) if (this.pages.has(i)) out.push(i);
    } else {
      for (const i of this.pages.keys()) if (i >= first && i < end) out.push(i);
    }
    return out;
  }

  /** See Mappable.filePages. */
  filePages(offset: number, len: number): { off: number; len: number } | number {
    const eofPages = Math.ceil(this.length / PAGE_SIZE);
    const idx = offset / PAGE_SIZE;
    if (idx >= eofPages) return -EFAULT;
    const want = Math.max(1, Math.min(len / PAGE_SIZE, eofPages - idx));
    // Past size= is ENOSPC; the sandbox's memory used up is ENOMEM (the fault's OOM killer acts).
    if (this.ensure(idx, 1) < 1) return this.fs.hasRoom(1) ? -ENOMEM : -ENOSPC;
    this.ensure(idx + 1, want - 1);
    const base = this.pages.get(idx) as number;
    let n = 1;
    while (n < want && this.pages.get(idx + n) === base + n * PAGE_SIZE) n++;
    this.mf.incRef(base, n * PAGE_SIZE);
    return { off: base, len: n * PAGE_SIZE };
  }

  protected override freeContents(): void {
    this.dropFrom(0);
    this.length = 0;
  }

  override maybeFree(): void {
    if (this.maps > 0) return;
    super.maybeFree();
  }
}

/** One mmap of a tmpfs file: the pages are the file's; the name is the path it was opened by. */
class TmpfsMapping implements Mappable {
  /** A shared mapping that may write: counted in the seals' writable mappings while a VMA holds it. */
  private writes = false;

  constructor(readonly file: TmpfsRegular, readonly mapName: string) {}

  mapShared(prot: number, mayWrite: boolean): boolean | number {
    const s = this.file.seals;
    if (s === null) return mayWrite;
    const r = s.mapShared(prot, mayWrite);
    this.writes = r === true;
    return r;
  }

  readAt(dst: Uint8Array, offset: number): void {
    this.file.read([dst], offset);
  }

  filePages(offset: number, len: number): { off: number; len: number } | number {
    return this.file.filePages(offset, len);
  }

  incRef(): void {
    this.file.maps++;
    if (this.writes && this.file.seals !== null) this.file.seals.writableMaps++;
  }

  decRef(): void {
    this.file.maps--;
    if (this.writes && this.file.seals !== null) this.file.seals.writableMaps--;
    this.file.maybeFree();
  }
}

export class TmpfsFileFD extends FileDescription {
  constructor(readonly file: TmpfsRegular, flags: number) {
    super(flags, null);
    file.opens++;
  }

  stat(): Stat {
    return this.file.stat();
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    const pos = offset < 0 ? this.offset : offset;
    const n = this.file.read(dsts, pos);
    if (offset < 0) this.offset = pos + n;
    this.file.touchAccess(this.atimePolicy);
    return n;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    // O_APPEND writes at the end, pwrite(2) included (Linux's documented quirk).
    const append = (this.flags & O_APPEND) !== 0;
    const pos = append ? this.file.size : offset < 0 ? this.offset : offset;
    const n = this.file.write(srcs, total, pos);
    if (n > 0 && offset < 0) this.offset = pos + n;
    return n;
  }

  override seek(off: number, whence: number): number {
    const SEEK_DATA = 3, SEEK_HOLE = 4;
    if (whence === SEEK_DATA || whence === SEEK_HOLE) {
      const r = this.file.seekData(off, whence === SEEK_HOLE);
      if (r >= 0) this.offset = r;
      return r;
    }
    const r = super.seek(off, whence);
    if (r > MAX_FILE_SIZE) return -EINVAL;
    return r;
  }

  override truncate(len: number): number {
    return this.file.truncate(len);
  }

  override fallocate(mode: number, offset: number, len: number): number {
    return this.file.fallocate(mode, offset, len);
  }

  override sync(): number {
    return 0;
  }

  override mappable(): Mappable {
    return new TmpfsMapping(this.file, this.describe());
  }

  override release(): void {
    this.file.fileClosed();
  }
}
