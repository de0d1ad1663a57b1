// MemoryManager (gVisor pkg/sentry/mm): an application address space as
// the Sentry sees it. VMAs say what the application asked for (mmap,
// brk, the loader); PMAs say which memory-file pages back which addresses
// now. A VMA owns the PMAs inside it, so they split when it splits and each
// PMA is mapped into the stub with its VMA's protection.
//
// Memory is committed lazily: a PMA is allocated when the application
// faults on its address or when the Sentry copies into it, a whole aligned
// window (FAULT_WINDOW) at a time so that one fault and one injected mmap
// serve many pages. Private file mappings are filled from the file when
// their PMA is allocated.
//
// fork shares private pages copy-on-write: both sides map them without
// write permission, and a write fault (or a Sentry write) copies the
// COW_WINDOW around it. Private file mappings take their pages
// copy-on-write from the page cache (page_cache.ts).
//
// Differs from Linux: MAP_SHARED mappings of files are snapshots (the
// root file system is read-only, so nothing can write them); pages of a
// file mapping past the end of the file read as zeros instead of raising
// SIGBUS; there is no swap and no overcommit accounting.

import type { AddressSpace } from '../platform/platform.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../platform/platform.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { CACHE_CHUNK } from './page_cache.js';
import type { PageCache } from './page_cache.js';
import { EACCES, EEXIST, EFAULT, EINVAL, ENAMETOOLONG, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../abi/linux/errno.js';


export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
  MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000,
  MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;
const MAP_KNOWN = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |
  MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC |
  MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED | (0x3f << 26) /* huge page size bits */;

const FAULT_WINDOW = 2 * 1024 * 1024;
/** vm.max_map_count: the most VMAs an address space may have (Linux's default). */
const MAX_MAP_COUNT = 65530;
/** File-backed windows are smaller: their bytes must be read, and programs touch little of a big library. */
const FILE_FAULT_WINDOW = 512 * 1024;
/** How much a write to copy-on-write memory copies: a fault per page would cost more than the copy. */
const COW_WINDOW = 64 * 1024;
const TWO_GB = 2 ** 31;

/** Something that can back a file mapping: a regular file's contents. */
export interface Mappable {
  /** Fills dst with the bytes at offset; bytes past the end of the file are left as they are (zero). */
  readAt(dst: Uint8Array, offset: number): void;
  /** Name shown in /proc/PID/maps. */
  readonly mapName: string;
  /** Each VMA mapping the file holds a reference. */
  incRef(): void;
  decRef(): void;
  /**
   * For kernel-owned pages (the vDSO's parameter page): the memory-file
   * offset of the page at offset, mapped as it is into every address space
   * and never freed by one; negative past the end. Such mappings are shared.
   */
  pagesAt?(offset: number): number;
  /**
   * The file's identity for the page cache (page_cache.ts): the same key
   * means the same contents. Absent or null: never cached.
   */
  readonly cacheKey?: string | null;
}

/** Whether v's PMAs are its own to free (not kernel pages lent to it). */
function ownsPages(v: Vma): boolean {
  return v.file?.pagesAt === undefined;
}

export interface Pma {
  start: number;
  end: number;
  /** Offset of `start` in the memory file. */
  off: number;
  /** Whether the stub has it mapped. */
  mapped: boolean;
  /**
   * Copy-on-write: the pages may be shared with another address space
   * (after fork), so they are mapped without write permission and copied
   * before anything writes them.
   */
  cow: boolean;
}

/** The protection a PMA is mapped with in the stub: its VMA's, without write while copy-on-write. */
function stubProt(v: Vma, p: Pma): number {
  return p.cow ? v.prot & ~PROT_WRITE : v.prot;
}

export interface Vma {
  start: number;
  end: number;
  prot: number;
  /** The most protection mprotect may grant (a read-only file shared mapping cannot become writable). */
  maxProt: number;
  shared: boolean;
  growsDown: boolean;
  file: Mappable | null;
  /** File offset of `start`. */
  fileOff: number;
  /** Name for /proc/PID/maps ("[heap]", "[stack]"), when not a file. */
  name: string;
  pmas: Pma[];
}

export function pageDown(a: number): number {
  return a - (a % PAGE_SIZE);
}
export function pageUp(a: number): number {
  const r = a % PAGE_SIZE;
  return r === 0 ? a : a + PAGE_SIZE - r;
}

export interface MmapArgs {
  addr: number;
  length: number;
  prot: number;
  flags: number;
  file: Mappable | null;
  /** Whether the file description permits writing (for shared writable mappings). */
  fileWritable?: boolean;
  offset: number;
  name?: string;
}

export class MemoryManager {
  private vmas: Vma[] = [];
  brkStart = 0;
  brkEnd = 0;
  /** Top of the region mmap searches downward from. */
  mmapBase: number;
  /** Set by the loader: the stack's extent, argv/envp ranges (for /proc). */
  stackTop = 0;
  argvStart = 0;
  argvEnd = 0;
  envStart = 0;
  envEnd = 0;
  auxv: number[] = [];
  executable = '';

  constructor(
    readonly mf: MemoryFile,
    readonly as: AddressSpace,
    readonly minAddr: number,
    readonly maxAddr: number,
    /** Where private file mappings find their pages; null: each mapping reads its own. */
    readonly cache: PageCache | null = null,
  ) {
    this.mmapBase = maxAddr;
  }

  // ---- VMA bookkeeping -------------------------------------------------

  /** Index of the first VMA with end > addr. */
  private lowerBound(addr: number): number {
    const v = this.vmas;
    let lo = 0, hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid].end <= addr) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  findVma(addr: number): Vma | undefined {
    const i = this.lowerBound(addr);
    const v = this.vmas[i];
    return v !== undefined && v.start <= addr ? v : undefined;
  }

  /** All VMAs, in address order (read-only use: /proc maps, tests). */
  get allVmas(): readonly Vma[] {
    return this.vmas;
  }

  private overlaps(start: number, end: number): boolean {
    const i = this.lowerBound(start);
    const v = this.vmas[i];
    return v !== undefined && v.start < end;
  }

  /** Splits the VMA containing addr (if any) so that a VMA boundary falls at addr. */
  private splitAt(addr: number): void {
    const i = this.lowerBound(addr);
    const v = this.vmas[i];
    if (v === undefined || v.start >= addr) return;
    const right: Vma = { ...v, start: addr, fileOff: v.fileOff + (addr - v.start), pmas: [] };
    const keep: Pma[] = [];
    for (const p of v.pmas) {
      if (p.end <= addr) keep.push(p);
      else if (p.start >= addr) right.pmas.push(p);
      else {
        keep.push({ start: p.start, end: addr, off: p.off, mapped: p.mapped, cow: p.cow });
        right.pmas.push({ start: addr, end: p.end, off: p.off + (addr - p.start), mapped: p.mapped, cow: p.cow });
      }
    }
    v.end = addr;
    v.pmas = keep;
    right.file?.incRef();
    this.vmas.splice(i + 1, 0, right);
  }

  /** Removes [start, end) from the address space: VMAs, their pages and the stub's mappings. */
  private removeRange(start: number, end: number): void {
    if (!this.overlaps(start, end)) return;
    this.splitAt(start);
    this.splitAt(end);
    let i = this.lowerBound(start);
    let anyMapped = false;
    while (i < this.vmas.length && this.vmas[i].start < end) {
      const v = this.vmas[i];
      const owned = ownsPages(v);
      for (const p of v.pmas) {
        if (p.mapped) anyMapped = true;
        if (owned) this.mf.deallocate(p.off, p.end - p.start);
      }
      v.file?.decRef();
      this.vmas.splice(i, 1);
    }
    if (anyMapped) this.as.unmap(start, end - start);
  }

  /** Inserts a new VMA, which takes a reference on its file. */
  private insertVma(v: Vma): void {
    v.file?.incRef();
    const i = this.lowerBound(v.start);
    this.vmas.splice(i, 0, v);
  }

  /** Finds a free range of `length` bytes: top-down below `below`, else bottom-up. */
  private findFree(length: number, below: number): number {
    // Walk gaps from the top down.
    let ceiling = below;
    let i = this.lowerBound(below) - 1;
    // If a VMA straddles `below`, start under it.
    const straddle = this.vmas[i + 1];
    if (straddle !== undefined && straddle.start < below) ceiling = straddle.start;
    for (; ; i--) {
      const floor = i >= 0 ? this.vmas[i].end : this.minAddr;
      if (ceiling - floor >= length && ceiling - length >= this.minAddr) return ceiling - length;
      if (i < 0) break;
      ceiling = Math.min(ceiling, this.vmas[i].start);
    }
    // Bottom-up from the base above `below`.
    let floor = Math.max(below, this.minAddr);
    for (let j = this.lowerBound(floor); j <= this.vmas.length; j++) {
      const next = j < this.vmas.length ? this.vmas[j].start : this.maxAddr;
      if (next - floor >= length) return floor;
      if (j < this.vmas.length) floor = Math.max(floor, this.vmas[j].end);
    }
    return -ENOMEM;
  }

  // ---- mmap family -----------------------------------------------------

  mmap(a: MmapArgs): number {
    const { flags, prot } = a;
    if (a.length === 0) return -EINVAL;
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
    // Anonymous mappings take only MAP_SHARED or MAP_PRIVATE; MAP_SHARED_VALIDATE is for files.
    if (type === MAP_SHARED_VALIDATE && a.file === null) return -EINVAL;
    if (type === MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN) !== 0) return -EOPNOTSUPP;
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x01000000 | 0x02000000)) !== 0) return -EINVAL;
    if (a.offset % PAGE_SIZE !== 0) return -EINVAL;
    const length = pageUp(a.length);
    if (length === 0 || length > this.maxAddr) return -ENOMEM;
    const shared = type !== MAP_PRIVATE;
    const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
    const p = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    let maxProt = PROT_READ | PROT_WRITE | PROT_EXEC;
    if (a.file !== null && shared && !a.fileWritable) {
      if (p & PROT_WRITE) return -EACCES;
      maxProt = PROT_READ | PROT_EXEC;
    }
    if (a.file !== null && a.offset + length > Number.MAX_SAFE_INTEGER) return -EOVERFLOW;
    let addr: number;
    if (fixed) {
      if (a.addr % PAGE_SIZE !== 0) return -EINVAL;
      addr = a.addr;
      if (addr + length > this.maxAddr) return -ENOMEM;
      if (addr < this.minAddr) return -EPERM;
      // MAP_FIXED_NOREPLACE wins over MAP_FIXED when both are given, as in Linux.
      if (flags & MAP_FIXED_NOREPLACE && this.overlaps(addr, addr + length)) return -EEXIST;
    } else {
      const hint = pageDown(a.addr);
      if (hint !== 0 && hint >= this.minAddr && hint + length <= this.maxAddr && !this.overlaps(hint, hint + length)) {
        addr = hint;
      } else {
        addr = this.findFree(length, flags & MAP_32BIT ? TWO_GB : this.mmapBase);
        if (addr < 0) return addr;
      }
    }
    if (this.vmas.length + 2 > MAX_MAP_COUNT) return -ENOMEM;
    this.removeRange(addr, addr + length);
    const v: Vma = {
      start: addr, end: addr + length, prot: p, maxProt, shared,
      growsDown: (flags & MAP_GROWSDOWN) !== 0,
      file: a.file, fileOff: a.offset, name: a.name ?? '', pmas: [],
    };
    this.insertVma(v);
    if (flags & MAP_POPULATE && !(flags & MAP_NONBLOCK)) this.populateRange(addr, addr + length, true);
    return addr;
  }

  munmap(addr: number, length: number): number {
    if (addr % PAGE_SIZE !== 0 || length === 0) return -EINVAL;
    const len = pageUp(length);
    if (addr + len > this.maxAddr || addr + len < addr) return -EINVAL;
    if (this.vmas.length + 1 > MAX_MAP_COUNT) return -ENOMEM;
    this.removeRange(addr, addr + len);
    return 0;
  }

  mprotect(addr: number, length: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x01000000 | 0x02000000)) !== 0) return -EINVAL;
    const len = pageUp(length);
    if (len === 0) return 0;
    const end = addr + len;
    if (end > this.maxAddr) return -ENOMEM;
    const p = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    // The whole range must be mapped; Linux stops at the first hole with ENOMEM.
    let cur = addr;
    for (let i = this.lowerBound(addr); cur < end; i++) {
      const v = this.vmas[i];
      if (v === undefined || v.start > cur) return -ENOMEM;
      if ((p & ~v.maxProt) !== 0) return -EACCES;
      cur = v.end;
    }
    if (this.vmas.length + 2 > MAX_MAP_COUNT) return -ENOMEM;
    this.splitAt(addr);
    this.splitAt(end);
    for (let i = this.lowerBound(addr); i < this.vmas.length && this.vmas[i].start < end; i++) {
      const v = this.vmas[i];
      if (v.prot === p) continue;
      v.prot = p;
      for (const pm of v.pmas) if (pm.mapped) this.as.protect(pm.start, pm.end - pm.start, stubProt(v, pm));
    }
    return 0;
  }

  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
    const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    if (oldAddr % PAGE_SIZE !== 0) return -EINVAL;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
    if (flags & MREMAP_DONTUNMAP) return -EINVAL; // not supported here (documented)
    const ol = pageUp(oldLen), nl = pageUp(newLen);
    if (nl === 0 || nl > this.maxAddr || ol > this.maxAddr) return -EINVAL;
    if (ol === 0) return -EINVAL; // duplicating a shared mapping: not supported
    const v = this.findVma(oldAddr);
    if (v === undefined || oldAddr + ol > v.end) return -EFAULT;
    if (this.vmas.length + 3 > MAX_MAP_COUNT) return -ENOMEM;
    if (flags & MREMAP_FIXED) {
      if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
      if (newAddr + nl > this.maxAddr || newAddr < this.minAddr) return -EINVAL;
      if (newAddr < oldAddr + ol && oldAddr < newAddr + nl) return -EINVAL;
      this.removeRange(newAddr, newAddr + nl);
      return this.moveRange(oldAddr, ol, nl, newAddr);
    }
    if (nl <= ol) {
      if (nl < ol) this.removeRange(oldAddr + nl, oldAddr + ol);
      return oldAddr;
    }
    // Grow in place if the VMA ends here and the space after is free.
    if (oldAddr + ol === v.end && v.end + (nl - ol) <= this.maxAddr && !this.overlaps(v.end, v.end + nl - ol)) {
      v.end += nl - ol;
      return oldAddr;
    }
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    const dst = this.findFree(nl, this.mmapBase);
    if (dst < 0) return dst;
    return this.moveRange(oldAddr, ol, nl, dst);
  }

  /** Moves [old, old+ol) (inside one VMA) to dst with length nl, keeping its pages. */
  private moveRange(old: number, ol: number, nl: number, dst: number): number {
    this.splitAt(old);
    this.splitAt(old + ol);
    const i = this.lowerBound(old);
    const v = this.vmas[i];
    this.vmas.splice(i, 1);
    const delta = dst - old;
    const anyMapped = v.pmas.some((p) => p.mapped);
    const moved: Vma = {
      ...v, start: dst, end: dst + nl,
      pmas: v.pmas.map((p) => ({ start: p.start + delta, end: p.end + delta, off: p.off, mapped: false, cow: p.cow })),
    };
    if (nl < ol) {
      // Shrinking while moving: drop pages past the new end.
      const keep: Pma[] = [];
      const owned = ownsPages(v);
      for (const p of moved.pmas) {
        if (p.start >= moved.end) {
          if (owned) this.mf.deallocate(p.off, p.end - p.start);
        } else if (p.end > moved.end) {
          if (owned) this.mf.deallocate(p.off + (moved.end - p.start), p.end - moved.end);
          p.end = moved.end;
          keep.push(p);
        } else keep.push(p);
      }
      moved.pmas = keep;
    }
    if (anyMapped) this.as.unmap(old, ol);
    v.file?.decRef();
    this.insertVma(moved);
    return dst;
  }

  brk(addr: number): number {
    if (addr < this.brkStart) return this.brkEnd;
    const oldTop = pageUp(this.brkEnd), newTop = pageUp(addr);
    if (newTop > oldTop) {
      if (newTop > this.maxAddr || this.overlaps(oldTop, newTop) || this.vmas.length + 1 > MAX_MAP_COUNT) return this.brkEnd;
      const prev = this.findVma(oldTop - 1);
      if (prev !== undefined && prev.name === '[heap]' && prev.end === oldTop) {
        prev.end = newTop;
      } else {
        this.insertVma({
          start: oldTop, end: newTop, prot: PROT_READ | PROT_WRITE, maxProt: 7, shared: false,
          growsDown: false, file: null, fileOff: 0, name: '[heap]', pmas: [],
        });
      }
    } else if (newTop < oldTop) {
      this.removeRange(newTop, oldTop);
    }
    this.brkEnd = addr;
    return addr;
  }

  madvise(addr: number, length: number, advice: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const len = pageUp(length);
    if (length !== 0 && len === 0) return -EINVAL;
    const end = addr + len;
    switch (advice) {
      case 0: case 1: case 2: case 3: // NORMAL RANDOM SEQUENTIAL WILLNEED
      case 10: case 11: // DONTFORK DOFORK (no fork yet)
      case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19: // MERGEABLE.. DODUMP
      case 20: case 21: // COLD PAGEOUT
        break;
      case 4: case 8: { // DONTNEED, FREE: private pages are dropped and read back as zero / file contents
        for (let i = this.lowerBound(addr); i < this.vmas.length && this.vmas[i].start < end; i++) {
          if (this.vmas[i].shared) continue;
          this.dropPages(this.vmas[i], Math.max(addr, this.vmas[i].start), Math.min(end, this.vmas[i].end));
        }
        break;
      }
      default:
        return -EINVAL;
    }
    // Linux returns ENOMEM when the range has holes, after advising what is mapped.
    let cur = addr;
    for (let i = this.lowerBound(addr); cur < end; i++) {
      const v = this.vmas[i];
      if (v === undefined || v.start > cur) return -ENOMEM;
      cur = v.end;
    }
    return 0;
  }

  private dropPages(v: Vma, start: number, end: number): void {
    const keep: Pma[] = [];
    let unmap = false;
    for (const p of v.pmas) {
      if (p.end <= start || p.start >= end) { keep.push(p); continue; }
      if (p.mapped) unmap = true;
      if (p.start < start) keep.push({ start: p.start, end: start, off: p.off, mapped: p.mapped, cow: p.cow });
      if (p.end > end) keep.push({ start: end, end: p.end, off: p.off + (end - p.start), mapped: p.mapped, cow: p.cow });
      const s = Math.max(p.start, start), e = Math.min(p.end, end);
      this.mf.deallocate(p.off + (s - p.start), e - s);
    }
    v.pmas = keep;
    if (unmap) this.as.unmap(start, end - start);
  }

  /** For mincore: is each page in [addr, addr+len) backed? Returns -ENOMEM for holes. */
  mincore(addr: number, length: number): Uint8Array | number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const len = pageUp(length);
    if (addr + len > this.maxAddr || len < length) return -ENOMEM;
    const end = addr + len;
    // Check coverage before allocating the result, whose size the application chose.
    let cur = addr;
    for (let i = this.lowerBound(addr); cur < end; i++) {
      const v = this.vmas[i];
      if (v === undefined || v.start > cur) return -ENOMEM;
      cur = v.end;
    }
    const out = new Uint8Array(len / PAGE_SIZE);
    for (let i = this.lowerBound(addr); i < this.vmas.length && this.vmas[i].start < end; i++) {
      for (const p of this.vmas[i].pmas) {
        const s = Math.max(p.start, addr), e = Math.min(p.end, end);
        if (s < e) out.fill(1, (s - addr) / PAGE_SIZE, (e - addr) / PAGE_SIZE);
      }
    }
    return out;
  }

  /**
   * Whether [start, end) is mapped without holes: 'hole' if not, 'inaccessible'
   * if some of it is PROT_NONE, 'ok' otherwise.
   */
  rangeState(start: number, end: number): 'ok' | 'hole' | 'inaccessible' {
    let cur = start;
    let state: 'ok' | 'inaccessible' = 'ok';
    for (let i = this.lowerBound(start); cur < end; i++) {
      const v = this.vmas[i];
      if (v === undefined || v.start > cur) return 'hole';
      if (v.prot === 0) state = 'inaccessible';
      cur = v.end;
    }
    return state;
  }

  /** Bytes mapped in all (total_vm). */
  get totalMapped(): number {
    let n = 0;
    for (const v of this.vmas) n += v.end - v.start;
    return n;
  }

  // ---- faults and population ------------------------------------------

  /** Finds or allocates the PMA covering addr in v. */
  private pmaFor(v: Vma, addr: number): Pma | number {
    const ps = v.pmas;
    let lo = 0, hi = ps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ps[mid].end <= addr) lo = mid + 1; else hi = mid;
    }
    const found = ps[lo];
    if (found !== undefined && found.start <= addr) return found;
    if (v.file?.pagesAt !== undefined) {
      // Kernel pages: one page at a time, lent, not allocated.
      const start = pageDown(addr);
      const off = v.file.pagesAt(v.fileOff + (start - v.start));
      if (off < 0) return -EFAULT;
      const lent: Pma = { start, end: start + PAGE_SIZE, off, mapped: false, cow: false };
      ps.splice(lo, 0, lent);
      return lent;
    }
    if (v.file !== null && !v.shared && this.cache !== null) {
      const cached = this.cachedPma(v, addr, lo, found);
      if (cached !== null) return cached;
    }
    // Allocate the aligned window around addr, clipped to the VMA and the neighbours.
    const window = v.file !== null ? FILE_FAULT_WINDOW : FAULT_WINDOW;
    const winStart = addr - (addr % window);
    let start = Math.max(v.start, winStart);
    let end = Math.min(v.end, winStart + window);
    if (lo > 0) start = Math.max(start, ps[lo - 1].end);
    if (found !== undefined) end = Math.min(end, found.start);
    if (v.growsDown || v.name === '[stack]') {
      // Stacks grow down: commit pages below the fault, not above.
      start = Math.max(start, pageDown(addr) - FAULT_WINDOW / 4);
      end = Math.min(end, Math.max(pageDown(addr) + PAGE_SIZE * 16, start + PAGE_SIZE));
      if (lo > 0) start = Math.max(start, ps[lo - 1].end);
      if (found !== undefined) end = Math.min(end, found.start);
    }
    const off = this.mf.allocate(end - start);
    if (off < 0) return off;
    if (v.file !== null) v.file.readAt(this.mf.view(off, end - start), v.fileOff + (start - v.start));
    const p: Pma = { start, end, off, mapped: false, cow: false };
    ps.splice(lo, 0, p);
    return p;
  }

  /**
   * A PMA for addr in a private file mapping made of the page cache's chunk
   * (copy-on-write), or null when the file is not cached.
   */
  private cachedPma(v: Vma, addr: number, lo: number, found: Pma | undefined): Pma | null {
    const file = v.file as Mappable;
    const fo = v.fileOff + (pageDown(addr) - v.start);
    const chunkOff = fo - (fo % CACHE_CHUNK);
    const base = (this.cache as PageCache).chunk(file, chunkOff);
    if (base < 0) return null;
    // The addresses the chunk covers, clipped to the VMA and the neighbouring PMAs.
    let start = Math.max(v.start, v.start + (chunkOff - v.fileOff));
    let end = Math.min(v.end, v.start + (chunkOff + CACHE_CHUNK - v.fileOff));
    if (lo > 0) start = Math.max(start, v.pmas[lo - 1].end);
    if (found !== undefined) end = Math.min(end, found.start);
    const off = base + (v.fileOff + (start - v.start) - chunkOff);
    this.mf.incRef(off, end - start);
    const p: Pma = { start, end, off, mapped: false, cow: true };
    v.pmas.splice(lo, 0, p);
    return p;
  }

  /**
   * Handles an application fault at addr. Returns true if the access can be
   * retried (a page was mapped), false if it is a real fault for which the
   * application gets SIGSEGV.
   */
  handleFault(addr: number): boolean {
    const v = this.findVma(addr);
    if (v === undefined || v.prot === 0) return false;
    const p = this.pmaFor(v, addr);
    if (typeof p === 'number') return false;
    if (p.mapped) {
      // Mapped already with what the VMA allows, minus write while copy-on-write:
      // a second fault is a write to a shared page if the VMA is writable, else a real fault.
      if (p.cow && (v.prot & PROT_WRITE) !== 0) return this.breakCow(v, addr, addr + 1, true);
      return false;
    }
    const r = this.as.mapFile(p.start, p.off, p.end - p.start, stubProt(v, p));
    if (r < 0) return false;
    p.mapped = true;
    return true;
  }

  /**
   * Gives v its own copy of the copy-on-write pages around [start, end)
   * (whole COW_WINDOWs, within each PMA): pages nobody else holds any more
   * are just taken back, the others copied. With map, the new pages are
   * mapped writable in the stub. Returns false if memory ran out.
   */
  private breakCow(v: Vma, start: number, end: number, map: boolean): boolean {
    const ws = Math.max(v.start, start - (start % COW_WINDOW));
    const we = Math.min(v.end, pageUp(end) + (COW_WINDOW - (pageUp(end) % COW_WINDOW)) % COW_WINDOW);
    for (let i = 0; i < v.pmas.length; i++) {
      let p = v.pmas[i];
      if (!p.cow || p.end <= ws || p.start >= we) continue;
      // Split so that exactly [max(ws, start), min(we, end)) of this PMA is broken.
      if (p.start < ws) {
        v.pmas.splice(i, 0, { ...p, end: ws });
        p.off += ws - p.start;
        p.start = ws;
        i++;
      }
      if (p.end > we) {
        v.pmas.splice(i + 1, 0, { ...p, start: we, off: p.off + (we - p.start) });
        p.end = we;
      }
      p = v.pmas[i];
      const len = p.end - p.start;
      if (this.mf.isShared(p.off, len)) {
        const off = this.mf.allocate(len);
        if (off < 0) return false;
        this.mf.copy(p.off, off, len);
        this.mf.deallocate(p.off, len);
        p.off = off;
      }
      p.cow = false;
      if (p.mapped || map) {
        if (this.as.mapFile(p.start, p.off, len, v.prot) < 0) return false;
        p.mapped = true;
      }
    }
    return true;
  }

  private populateRange(start: number, end: number, map: boolean): void {
    for (let i = this.lowerBound(start); i < this.vmas.length && this.vmas[i].start < end; i++) {
      const v = this.vmas[i];
      for (let a = Math.max(start, v.start); a < Math.min(end, v.end);) {
        const p = this.pmaFor(v, a);
        if (typeof p === 'number') return;
        if (map && !p.mapped && v.prot !== 0 && this.as.mapFile(p.start, p.off, p.end - p.start, stubProt(v, p)) === 0) p.mapped = true;
        a = p.end;
      }
    }
  }

  // ---- copy-in / copy-out ---------------------------------------------

  /**
   * Calls fn with views of the memory at [addr, addr+len), in order, as far
   * as the range is accessible (read, or write if `write`). Returns the
   * number of bytes covered; less than len means a fault at addr+result.
   * `force` ignores protections (ptrace-style access, used by the loader).
   */
  forEachView(addr: number, len: number, write: boolean, fn: (view: Uint8Array, done: number) => void, force = false): number {
    let done = 0;
    if (len <= 0) return 0;
    if (addr < 0 || addr + len > this.maxAddr) {
      if (addr < 0 || addr >= this.maxAddr) return 0;
      len = this.maxAddr - addr;
    }
    while (done < len) {
      const a = addr + done;
      const v = this.findVma(a);
      if (v === undefined || v.start > a) break;
      if (!force && (write ? (v.prot & PROT_WRITE) === 0 : (v.prot & PROT_READ) === 0)) break;
      let p = this.pmaFor(v, a);
      if (typeof p === 'number') break;
      if (write && p.cow) {
        // The Sentry writes the pages directly: they must be this address space's own first.
        if (!this.breakCow(v, a, Math.min(addr + len, v.end), false)) break;
        p = this.pmaFor(v, a);
        if (typeof p === 'number') break;
      }
      const n = Math.min(len - done, p.end - a);
      fn(this.mf.view(p.off + (a - p.start), n), done);
      done += n;
    }
    return done;
  }

  /** Copies len bytes in; null on any fault. */
  copyIn(addr: number, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    const n = this.forEachView(addr, len, false, (view, done) => out.set(view, done));
    return n === len ? out : null;
  }

  /** Copies data out; returns bytes copied (less than data.length on a fault). */
  copyOutPartial(addr: number, data: Uint8Array, force = false): number {
    return this.forEachView(addr, data.length, true, (view, done) => view.set(data.subarray(done, done + view.length)), force);
  }

  /** Copies data out; 0 or -EFAULT. */
  copyOut(addr: number, data: Uint8Array): number {
    return this.copyOutPartial(addr, data) === data.length ? 0 : -EFAULT;
  }

  zeroOut(addr: number, len: number, force = false): number {
    return this.forEachView(addr, len, true, (view) => view.fill(0), force);
  }

  /**
   * Reads a NUL-terminated string of at most max bytes (including the NUL),
   * as a byte string: one char per byte (latin1), because paths and
   * arguments are bytes, not UTF-8.
   */
  readCString(addr: number, max: number): string | number {
    let out = '';
    let total = 0;
    while (total < max) {
      const a = addr + total;
      const chunk = Math.min(PAGE_SIZE - (a % PAGE_SIZE), max - total);
      const bytes = this.copyIn(a, chunk);
      if (bytes === null) return -EFAULT;
      const z = bytes.indexOf(0);
      if (z >= 0) return out + latin1(bytes.subarray(0, z));
      out += latin1(bytes);
      total += chunk;
    }
    return -ENAMETOOLONG;
  }

  /**
   * The child's address space at fork(2), on a new stub (as): the same
   * VMAs. Private pages are copied now, as far as they hold data (no
   * copy-on-write yet); a shared mapping's pages are allocated over its
   * whole range first and then shared, so that later faults in either
   * process find the same pages; lent pages are lent again. Nothing is
   * mapped in the new stub: the child faults its pages in.
   */
  fork(as: AddressSpace): MemoryManager | number {
    const c = new MemoryManager(this.mf, as, this.minAddr, this.maxAddr, this.cache);
    c.brkStart = this.brkStart;
    c.brkEnd = this.brkEnd;
    c.mmapBase = this.mmapBase;
    c.stackTop = this.stackTop;
    c.argvStart = this.argvStart;
    c.argvEnd = this.argvEnd;
    c.envStart = this.envStart;
    c.envEnd = this.envEnd;
    c.auxv = [...this.auxv];
    c.executable = this.executable;
    // The parent's writable pages become read-only in its stub: adjacent
    // ones with the same protection in one injected mprotect.
    let run: { start: number; end: number; prot: number } | null = null;
    const flush = () => {
      if (run !== null) this.as.protect(run.start, run.end - run.start, run.prot);
      run = null;
    };
    for (const v of this.vmas) {
      const owned = ownsPages(v);
      if (v.shared && owned) this.populateRange(v.start, v.end, false);
      const nv: Vma = { ...v, pmas: [] };
      nv.file?.incRef();
      c.vmas.push(nv);
      for (const p of v.pmas) {
        const len = p.end - p.start;
        if (owned) this.mf.incRef(p.off, len);
        const cow = owned && !v.shared;
        if (cow && !p.cow) {
          // From now on neither side may write these pages in place.
          p.cow = true;
          if (p.mapped && (v.prot & PROT_WRITE) !== 0) {
            const prot = stubProt(v, p);
            const r = run as { start: number; end: number; prot: number } | null;
            if (r !== null && r.end === p.start && r.prot === prot) r.end = p.end;
            else {
              flush();
              run = { start: p.start, end: p.end, prot };
            }
          }
        }
        nv.pmas.push({ start: p.start, end: p.end, off: p.off, mapped: false, cow });
      }
    }
    flush();
    return c;
  }

  /** Frees every page and the stub mappings; the MemoryManager is dead afterwards. */
  release(): void {
    for (const v of this.vmas) {
      if (ownsPages(v)) for (const p of v.pmas) this.mf.deallocate(p.off, p.end - p.start);
      v.file?.decRef();
    }
    this.vmas = [];
    this.as.release();
  }
}


function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}
