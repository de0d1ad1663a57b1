// The memory file (gVisor pkg/sentry/pgalloc): one memfd that holds every
// page of application memory. Stub processes map ranges of it; the Sentry
// maps all of it into itself, so copy-in and copy-out are plain accesses on
// a Uint8Array view, not system calls.
//
// The file is sparse: its size is a virtual reservation and the host
// allocates a page only when it is first touched. Freed ranges are punched
// out so the host gets the memory back, which also means every allocation
// starts zeroed. The Sentry's views are 32 MiB chunks mapped when first
// used: V8 counts every ArrayBuffer byte as "external memory" and runs a
// full GC when that passes 64 MiB, so one view of the whole file would cost
// a full GC within the first 100 ms of every run. Allocations never
// straddle a chunk, so every allocated range has one contiguous view.
//
// The sandbox's total memory (`--total-memory`, runsc's flag of the same
// name) bounds the allocated bytes: past it allocate() fails with ENOMEM,
// and the caller decides what Linux would (a system call fails with
// ENOMEM; a page fault calls the OOM killer, src/kernel/oom.ts). Freed
// pages are punched out at once (fallocate PUNCH_HOLE): the host gets them
// back while the sandbox runs, not when Node exits.
//
// A second medium, the file store (runsc's --overlay2 root:self and
// root:dir=PATH), may hold the pages of the root overlay's upper layer in a
// host file on disk, so that what a program writes to its tree does not use
// the sandbox's memory. Its pages have offsets from FILESTORE_BASE on, one
// offset space for both files: a mapping, a copy-on-write and a reference
// count need not know which file a page is in, and the stub maps it from
// the second descriptor (STUB_STORE_FD). Its blocks are reserved on the disk
// when allocated (fallocate), so a full disk is ENOSPC for the writer,
// never a SIGBUS in the Sentry; they count towards no memory limit.

import { totalmem } from 'node:os';
import { native } from '../native.js';
import { VmaBudget } from './vma_budget.js';

export const PAGE_SIZE = 4096;
const CHUNK_SIZE = 32 * 1024 * 1024;
const FILE_SIZE = 64 * 2 ** 30;
/** The first offset of the file store's pages; below it, the memfd's. */
export const FILESTORE_BASE = 2 ** 40;
/** The file store's virtual size (sparse: disk blocks only for allocated pages). */
export const FILESTORE_SIZE = 2 ** 40;

/** Where an allocation's pages live. */
export const Medium = { Memory: 0, FileStore: 1 } as const;
export type Medium = typeof Medium[keyof typeof Medium];

/**
 * The default total memory: half the host's RAM. runsc's default is all of
 * it, relying on the container's cgroup; here the memory file's pages are
 * shared memory the host can neither reclaim nor (without swap) page out,
 * and a sandbox allowed the whole RAM drives the host into its own OOM
 * killer, which picks the largest process, the Sentry, and so ends every
 * process of the sandbox (or another host service) instead of one. Half
 * leaves the host, the Sentry's own heap and a second sandbox room.
 */
export function defaultTotalMemory(): number {
  return Math.min(FILE_SIZE, Math.floor(totalmem() / 2 / PAGE_SIZE) * PAGE_SIZE);
}

export interface MemoryFileOptions {
  /** The most bytes allocated at once (the sandbox's total memory); default defaultTotalMemory(). */
  totalBytes?: number;
  /** The most VMAs all address spaces together may hold; default defaultVmaBudget(). */
  maxVmas?: number;
  /** A host file, open read-write, to hold the file store's pages (Medium.FileStore); none by default. */
  fileStoreFd?: number;
}

interface Extent { off: number; len: number }

const statfsBuf = new Uint8Array(120);

/**
 * One backing file: its allocator (free extents below `top`, sorted and
 * coalesced; offsets are the file's own) and the Sentry's views of it.
 */
class Region {
  readonly chunks: (Uint8Array | undefined)[] = [];
  free: Extent[] = [];
  top = 0;
  constructor(readonly fd: number, readonly base: number, readonly size: number) {}
}

export class MemoryFile {
  readonly fd: number;
  /** The file store's descriptor, or -1 when there is none. */
  readonly fileStoreFd: number;
  private readonly memory: Region;
  private readonly store: Region | null;
  /** Bytes of memory currently allocated (for usage accounting; the file store's are not memory). */
  allocated = 0;
  /** The most bytes of memory ever allocated at once (a memory cgroup's memory.peak). */
  peak = 0;
  /** How many allocations the total memory refused (memory.events' "max": usage about to pass the limit). */
  limitHits = 0;
  /** Bytes of the file store currently allocated. */
  storeAllocated = 0;
  /**
   * Extra owners of shared pages (page index -> owners beyond the first):
   * a MAP_SHARED mapping's pages after fork belong to parent and child.
   * Pages absent here have one owner.
   */
  private readonly extraRefs = new Map<number, number>();
  /** The sandbox's total memory: allocated never passes it. */
  get limit(): number {
    return this.totalLimit;
  }
  private totalLimit: number;
  /** The sandbox's VMA budget (src/mm's VMA sets charge it). */
  readonly vmas: VmaBudget;

  constructor(opts: MemoryFileOptions = {}) {
    this.totalLimit = Math.min(FILE_SIZE, opts.totalBytes ?? defaultTotalMemory());
    this.vmas = new VmaBudget(opts.maxVmas);
    const fd = native.memfdCreate('tsvisor-memory', FILE_SIZE);
    if (fd < 0) throw new Error(`tsvisor: memfd_create for the memory file failed: errno ${-fd}`);
    this.fd = fd;
    this.memory = new Region(fd, 0, FILE_SIZE);
    this.fileStoreFd = opts.fileStoreFd ?? -1;
    this.store = null;
    if (this.fileStoreFd >= 0) {
      const r = native.ftruncate(this.fileStoreFd, FILESTORE_SIZE);
      if (r < 0) throw new Error(`tsvisor: cannot size the overlay's file store: errno ${-r}`);
      this.store = new Region(this.fileStoreFd, FILESTORE_BASE, FILESTORE_SIZE);
    }
  }

  /**
   * Changes the sandbox's total memory while it runs (tsvisor update
   * --memory, as a memory cgroup's limit is written): bytes, rounded down
   * to a page. 0, or -EINVAL (not a page, or more than the file holds),
   * -EBUSY below what is allocated now (cgroup v1's answer: nothing is
   * reclaimed or killed to make room).
   */
  setLimit(bytes: number): number {
    const b = Math.floor(bytes / PAGE_SIZE) * PAGE_SIZE;
    if (!Number.isSafeInteger(bytes) || b < PAGE_SIZE || b > FILE_SIZE) return -22; // EINVAL
    if (b < this.allocated) return -16; // EBUSY
    this.totalLimit = b;
    return 0;
  }

  /** The most the total memory may be set to (the memory file's virtual size). */
  static get maxLimit(): number {
    return FILE_SIZE;
  }

  /** Whether allocations can be made in the file store. */
  get hasFileStore(): boolean {
    return this.store !== null;
  }

  /** The bytes the file store's host file system has free for it (its df), or 0 without a file store. */
  fileStoreAvail(): number {
    if (this.store === null || native.fstatfs(this.store.fd, statfsBuf) < 0) return 0;
    const d = new DataView(statfsBuf.buffer);
    const u64 = (o: number) => d.getUint32(o, true) + d.getUint32(o + 4, true) * 2 ** 32;
    return u64(32) * u64(8); // f_bavail * f_bsize
  }

  private regionOf(off: number): Region {
    return off >= FILESTORE_BASE ? this.store as Region : this.memory;
  }

  /**
   * Allocates `len` bytes (a multiple of PAGE_SIZE) of zeroed pages in
   * `medium`; returns the offset, or -ENOMEM (memory: the sandbox's total)
   * or -ENOSPC (the file store's disk is full). Without a file store,
   * Medium.FileStore allocates memory.
   */
  allocate(len: number, medium: Medium = Medium.Memory): number {
    if (len > CHUNK_SIZE) return -12; // ENOMEM: callers allocate in fault windows, far smaller
    const store = medium === Medium.FileStore ? this.store : null;
    if (store === null) {
      if (this.allocated + len > this.totalLimit) {
        this.limitHits++;
        return -12; // ENOMEM: the sandbox's total memory
      }
      const off = this.take(this.memory, len);
      if (off >= 0) {
        this.allocated += len;
        if (this.allocated > this.peak) this.peak = this.allocated;
      }
      return off;
    }
    const off = this.take(store, len);
    if (off < 0) return -28; // ENOSPC
    // Reserve the blocks now: a page the disk cannot hold would be a SIGBUS on first touch.
    const r = native.fallocate(store.fd, 0, off - store.base, len);
    if (r < 0) {
      this.release(store, off, len, true);
      return -28; // ENOSPC (or the host's EIO: either way the write cannot be kept)
    }
    this.storeAllocated += len;
    return off;
  }

  /** An extent of `len` bytes of r, never crossing a chunk; an offset in the sandbox's offset space, or -1. */
  private take(r: Region, len: number): number {
    const f = r.free;
    for (let i = 0; i < f.length; i++) {
      const e = f[i];
      if (e.len < len) continue;
      // Never hand out a range that crosses a chunk boundary.
      const chunkEnd = (Math.floor(e.off / CHUNK_SIZE) + 1) * CHUNK_SIZE;
      if (e.off + len > chunkEnd) continue;
      const off = e.off;
      e.off += len;
      e.len -= len;
      if (e.len === 0) f.splice(i, 1);
      return r.base + off;
    }
    let off = r.top;
    const chunkEnd = (Math.floor(off / CHUNK_SIZE) + 1) * CHUNK_SIZE;
    if (off + len > chunkEnd) {
      this.release(r, r.base + off, chunkEnd - off, false);
      off = chunkEnd;
    }
    if (off + len > r.size) return -1;
    r.top = off + len;
    return r.base + off;
  }

  /** Adds an owner to each page of [off, off+len), which deallocate then frees only when the last one goes. */
  incRef(off: number, len: number): void {
    for (let p = off / PAGE_SIZE, end = (off + len) / PAGE_SIZE; p < end; p++) {
      this.extraRefs.set(p, (this.extraRefs.get(p) ?? 0) + 1);
    }
  }

  /** Whether any page of [off, off+len) has more than one owner. */
  isShared(off: number, len: number): boolean {
    if (this.extraRefs.size === 0) return false;
    for (let p = off / PAGE_SIZE, end = (off + len) / PAGE_SIZE; p < end; p++) if (this.extraRefs.has(p)) return true;
    return false;
  }

  /** Drops one owner of [off, off+len): pages with no owner left go back to the allocator and the host. */
  deallocate(off: number, len: number): void {
    if (this.extraRefs.size === 0) {
      this.free(off, len);
      return;
    }
    // Free the runs of pages this was the last owner of.
    let runStart = -1;
    const end = off + len;
    for (let a = off; a <= end; a += PAGE_SIZE) {
      const p = a / PAGE_SIZE;
      const extra = a < end ? this.extraRefs.get(p) : undefined;
      const last = a < end && extra === undefined;
      if (extra !== undefined) {
        if (extra > 1) this.extraRefs.set(p, extra - 1);
        else this.extraRefs.delete(p);
      }
      if (last && runStart < 0) runStart = a;
      if (!last && runStart >= 0) {
        this.free(runStart, a - runStart);
        runStart = -1;
      }
    }
  }

  private free(off: number, len: number): void {
    const r = this.regionOf(off);
    if (r === this.memory) this.allocated -= len;
    else this.storeAllocated -= len;
    this.release(r, off, len, true);
  }

  /** Puts [off, off+len) (in the sandbox's offset space) back on r's free list; punch: give the pages to the host. */
  private release(r: Region, off: number, len: number, punch: boolean): void {
    if (len <= 0) return;
    off -= r.base;
    if (punch) native.punchHole(r.fd, off, len);
    const f = r.free;
    // Insert sorted, then coalesce with neighbours.
    let lo = 0, hi = f.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid].off < off) lo = mid + 1; else hi = mid;
    }
    f.splice(lo, 0, { off, len });
    if (lo + 1 < f.length && f[lo].off + f[lo].len === f[lo + 1].off) {
      f[lo].len += f[lo + 1].len;
      f.splice(lo + 1, 1);
    }
    if (lo > 0 && f[lo - 1].off + f[lo - 1].len === f[lo].off) {
      f[lo - 1].len += f[lo].len;
      f.splice(lo, 1);
    }
  }

  /**
   * Copies [src, src+len) to [dst, dst+len) (both allocated and zeroed at
   * dst, in either medium): only the extents the host has data for, so a
   * sparse range stays sparse in the copy.
   */
  copy(src: number, dst: number, len: number): void {
    const SEEK_DATA = 3, SEEK_HOLE = 4;
    const from = this.view(src, len), to = this.view(dst, len);
    const r = this.regionOf(src);
    const end = src + len;
    for (let pos = src; pos < end;) {
      const d = native.lseek(r.fd, pos - r.base, SEEK_DATA);
      if (d < 0 || d + r.base >= end) break;
      const hole = native.lseek(r.fd, d, SEEK_HOLE);
      const h = hole < 0 || hole + r.base > end ? end : hole + r.base;
      to.set(from.subarray(d + r.base - src, h - src), d + r.base - src);
      pos = h;
    }
  }

  /** A view of [off, off+len), which must lie inside one allocation. */
  view(off: number, len: number): Uint8Array {
    const r = off >= FILESTORE_BASE ? this.store as Region : this.memory;
    const at = off - r.base;
    const ci = Math.floor(at / CHUNK_SIZE);
    let c = r.chunks[ci];
    if (c === undefined) {
      c = new Uint8Array(native.mapShared(r.fd, ci * CHUNK_SIZE, CHUNK_SIZE));
      r.chunks[ci] = c;
    }
    const start = at - ci * CHUNK_SIZE;
    return c.subarray(start, start + len);
  }
}
