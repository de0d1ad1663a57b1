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

import { totalmem } from 'node:os';
import { native } from '../native.js';
import { VmaBudget } from './vma_budget.js';

export const PAGE_SIZE = 4096;
const CHUNK_SIZE = 32 * 1024 * 1024;
const FILE_SIZE = 64 * 2 ** 30;

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
}

interface Extent { off: number; len: number }

export class MemoryFile {
  readonly fd: number;
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Free extents below `top`, sorted by offset, coalesced. */
  private free: Extent[] = [];
  private top = 0;
  /** Bytes currently allocated (for usage accounting). */
  allocated = 0;
  /**
   * Extra owners of shared pages (page index -> owners beyond the first):
   * a MAP_SHARED mapping's pages after fork belong to parent and child.
   * Pages absent here have one owner.
   */
  private readonly extraRefs = new Map<number, number>();
  /** The sandbox's total memory: allocated never passes it. */
  readonly limit: number;
  /** The sandbox's VMA budget (src/mm's VMA sets charge it). */
  readonly vmas: VmaBudget;

  constructor(opts: MemoryFileOptions = {}) {
    this.limit = Math.min(FILE_SIZE, opts.totalBytes ?? defaultTotalMemory());
    this.vmas = new VmaBudget(opts.maxVmas);
    const fd = native.memfdCreate('tsvisor-memory', FILE_SIZE);
    if (fd < 0) throw new Error(`tsvisor: memfd_create for the memory file failed: errno ${-fd}`);
    this.fd = fd;
  }

  /** Allocates `len` bytes (a multiple of PAGE_SIZE) of zeroed memory; returns the file offset, or -ENOMEM. */
  allocate(len: number): number {
    if (len > CHUNK_SIZE) return -12; // ENOMEM: callers allocate in fault windows, far smaller
    if (this.allocated + len > this.limit) return -12; // ENOMEM: the sandbox's total memory
    for (let i = 0; i < this.free.length; i++) {
      const e = this.free[i];
      if (e.len < len) continue;
      // Never hand out a range that crosses a chunk boundary.
      const chunkEnd = (Math.floor(e.off / CHUNK_SIZE) + 1) * CHUNK_SIZE;
      if (e.off + len > chunkEnd) continue;
      const off = e.off;
      e.off += len;
      e.len -= len;
      if (e.len === 0) this.free.splice(i, 1);
      this.allocated += len;
      return off;
    }
    let off = this.top;
    const chunkEnd = (Math.floor(off / CHUNK_SIZE) + 1) * CHUNK_SIZE;
    if (off + len > chunkEnd) {
      this.release(off, chunkEnd - off, false);
      off = chunkEnd;
    }
    if (off + len > FILE_SIZE) return -12; // ENOMEM
    this.top = off + len;
    this.allocated += len;
    return off;
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
      this.allocated -= len;
      this.release(off, len, true);
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
        this.allocated -= a - runStart;
        this.release(runStart, a - runStart, true);
        runStart = -1;
      }
    }
  }

  private release(off: number, len: number, punch: boolean): void {
    if (len <= 0) return;
    if (punch) native.punchHole(this.fd, off, len);
    const f = this.free;
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
   * dst): only the extents the host has pages for, so a sparse range stays
   * sparse in the copy.
   */
  copy(src: number, dst: number, len: number): void {
    const SEEK_DATA = 3, SEEK_HOLE = 4;
    const from = this.view(src, len), to = this.view(dst, len);
    const end = src + len;
    for (let pos = src; pos < end;) {
      const d = native.lseek(this.fd, pos, SEEK_DATA);
      if (d < 0 || d >= end) break;
      let h = native.lseek(this.fd, d, SEEK_HOLE);
      if (h < 0 || h > end) h = end;
      to.set(from.subarray(d - src, h - src), d - src);
      pos = h;
    }
  }

  /** A view of [off, off+len), which must lie inside one allocation. */
  view(off: number, len: number): Uint8Array {
    const ci = Math.floor(off / CHUNK_SIZE);
    let c = this.chunks[ci];
    if (c === undefined) {
      c = new Uint8Array(native.mapShared(this.fd, ci * CHUNK_SIZE, CHUNK_SIZE));
      this.chunks[ci] = c;
    }
    const start = off - ci * CHUNK_SIZE;
    return c.subarray(start, start + len);
  }
}
