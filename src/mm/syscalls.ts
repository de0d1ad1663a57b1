// The mmap family of one address space (gVisor pkg/sentry/mm syscalls.go):
// mmap, munmap, mprotect, mremap, brk, madvise, mincore, and the VMA
// splitting and removal they share.
//
// Limits are Linux's may_expand_vm: a call that would take the address
// space's total_vm past RLIMIT_AS, or its data_vm (private writable
// non-stack mappings, vma.ts isData) past RLIMIT_DATA, fails with ENOMEM;
// brk checks RLIMIT_DATA against the heap's size first, as Linux's
// check_data_rlimit does, and fails (returns the old break). Before a call
// that may add VMAs, VmaSet.canGrow checks vm.max_map_count and the
// sandbox's VMA budget, so the call fails whole with ENOMEM.
//
// Differs from Linux: check_data_rlimit counts the heap only (Linux adds
// the data segment, a few pages of a typical program); RLIMIT_DATA's
// Valgrind exception (a zero soft limit) is not made.

import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../platform/platform.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { EACCES, EEXIST, EFAULT, EINVAL, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../abi/linux/errno.js';
import type { MemoryManager } from './mm.js';
import type { Mappable, Pma, Vma } from './vma.js';
import { isData, ownsPages, pageDown, pageUp, stubProt } from './vma.js';
import { dropPages, populateRange } from './faults.js';

export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
  MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000,
  MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;
const MAP_KNOWN = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |
  MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC |
  MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED | (0x3f << 26) /* huge page size bits */;
const TWO_GB = 2 ** 31;

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

/** RLIMIT_AS and RLIMIT_DATA (soft limits, bytes; Infinity when unlimited). */
export interface MemLimits {
  as: number;
  data: number;
}

const NO_LIMITS: MemLimits = { as: Infinity, data: Infinity };

/**
 * Linux's may_expand_vm: whether the address space may grow by `bytes`,
 * `dataBytes` of them data (both may be negative for a call that also
 * removes mappings).
 */
function mayExpand(mm: MemoryManager, bytes: number, dataBytes: number, l: MemLimits): boolean {
  if (bytes > 0 && mm.vmas.totalBytes + bytes > l.as) return false;
  if (dataBytes > 0 && mm.vmas.dataBytes + dataBytes > l.data) return false;
  return true;
}

/** Bytes of VMAs in [start, end): all, and data. */
function mappedIn(mm: MemoryManager, start: number, end: number): { all: number; data: number } {
  let all = 0, data = 0;
  mm.vmas.forRange(start, end, (v) => {
    const n = Math.min(end, v.end) - Math.max(start, v.start);
    all += n;
    if (isData(v)) data += n;
  });
  return { all, data };
}

/** Splits the VMA containing addr (if any) so that a VMA boundary falls at addr. */
function splitAt(mm: MemoryManager, addr: number): void {
  const v = mm.vmas.lowerBound(addr);
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
  mm.vmas.setEnd(v, addr);
  v.pmas = keep;
  right.file?.incRef();
  mm.vmas.insert(right);
}

/** The VMAs overlapping [start, end), as a list (for loops that change the set). */
function vmasIn(mm: MemoryManager, start: number, end: number): Vma[] {
  const out: Vma[] = [];
  mm.vmas.forRange(start, end, (v) => out.push(v));
  return out;
}

/** Removes [start, end) from the address space: VMAs, their pages and the stub's mappings. */
export function removeRange(mm: MemoryManager, start: number, end: number): void {
  if (!mm.vmas.overlaps(start, end)) return;
  splitAt(mm, start);
  splitAt(mm, end);
  let anyMapped = false;
  for (const v of vmasIn(mm, start, end)) {
    const owned = ownsPages(v);
    for (const p of v.pmas) {
      if (p.mapped) anyMapped = true;
      if (owned) mm.mf.deallocate(p.off, p.end - p.start);
    }
    v.file?.decRef();
    mm.vmas.remove(v);
  }
  if (anyMapped) mm.as.unmap(start, end - start);
}

/** Inserts a new VMA, which takes a reference on its file. */
function insertVma(mm: MemoryManager, v: Vma): void {
  v.file?.incRef();
  mm.vmas.insert(v);
}

/** Finds a free range of `length` bytes: top-down below `below`, else bottom-up. */
function findFree(mm: MemoryManager, length: number, below: number): number {
  const down = mm.vmas.freeBelow(length, below);
  if (down >= 0) return down;
  const up = mm.vmas.freeAbove(length, Math.max(below, mm.minAddr));
  return up >= 0 ? up : -ENOMEM;
}

/** Whether [start, end) is covered by VMAs without a hole; check, when given, may veto each VMA with an errno. */
function covered(mm: MemoryManager, start: number, end: number, check?: (v: Vma) => number): number {
  let cur = start;
  for (let v = mm.vmas.lowerBound(start); cur < end; v = mm.vmas.next(v)) {
    if (v === undefined || v.start > cur) return -ENOMEM;
    if (check !== undefined) {
      const e = check(v);
      if (e < 0) return e;
    }
    cur = v.end;
  }
  return 0;
}

export function mmap(mm: MemoryManager, a: MmapArgs, limits: MemLimits = NO_LIMITS): number {
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
  if (length === 0 || length > mm.maxAddr) return -ENOMEM;
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
    if (addr + length > mm.maxAddr) return -ENOMEM;
    if (addr < mm.minAddr) return -EPERM;
    // MAP_FIXED_NOREPLACE wins over MAP_FIXED when both are given, as in Linux.
    if (flags & MAP_FIXED_NOREPLACE && mm.vmas.overlaps(addr, addr + length)) return -EEXIST;
  } else {
    const hint = pageDown(a.addr);
    if (hint !== 0 && hint >= mm.minAddr && hint + length <= mm.maxAddr && !mm.vmas.overlaps(hint, hint + length)) {
      addr = hint;
    } else {
      addr = findFree(mm, length, flags & MAP_32BIT ? TWO_GB : mm.mmapBase);
      if (addr < 0) return addr;
    }
  }
  if (!mm.vmas.canGrow(2)) return -ENOMEM;
  const v: Vma = {
    start: addr, end: addr + length, prot: p, maxProt, shared,
    growsDown: (flags & MAP_GROWSDOWN) !== 0,
    file: a.file, fileOff: a.offset, name: a.name ?? '', pmas: [],
  };
  // What MAP_FIXED replaces is given back first (Linux subtracts it too).
  const old = fixed ? mappedIn(mm, addr, addr + length) : { all: 0, data: 0 };
  if (!mayExpand(mm, length - old.all, (isData(v) ? length : 0) - old.data, limits)) return -ENOMEM;
  removeRange(mm, addr, addr + length);
  insertVma(mm, v);
  if (flags & MAP_POPULATE && !(flags & MAP_NONBLOCK)) populateRange(mm, addr, addr + length, true);
  return addr;
}

export function munmap(mm: MemoryManager, addr: number, length: number): number {
  if (addr % PAGE_SIZE !== 0 || length === 0) return -EINVAL;
  const len = pageUp(length);
  if (addr + len > mm.maxAddr || addr + len < addr) return -EINVAL;
  if (!mm.vmas.canGrow(1)) return -ENOMEM;
  removeRange(mm, addr, addr + len);
  return 0;
}

export function mprotect(mm: MemoryManager, addr: number, length: number, prot: number, limits: MemLimits = NO_LIMITS): number {
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x01000000 | 0x02000000)) !== 0) return -EINVAL;
  const len = pageUp(length);
  if (len === 0) return 0;
  const end = addr + len;
  if (end > mm.maxAddr) return -ENOMEM;
  const p = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
  // The whole range must be mapped; Linux stops at the first hole with ENOMEM.
  const e = covered(mm, addr, end, (v) => ((p & ~v.maxProt) !== 0 ? -EACCES : 0));
  if (e < 0) return e;
  if (!mm.vmas.canGrow(2)) return -ENOMEM;
  // Making private memory writable makes it data: RLIMIT_DATA (Linux's mprotect_fixup).
  let newData = 0;
  mm.vmas.forRange(addr, end, (v) => {
    if (!isData(v) && isData({ ...v, prot: p })) newData += Math.min(end, v.end) - Math.max(addr, v.start);
  });
  if (!mayExpand(mm, 0, newData, limits)) return -ENOMEM;
  splitAt(mm, addr);
  splitAt(mm, end);
  mm.vmas.forRange(addr, end, (v) => {
    if (v.prot === p) return;
    mm.vmas.unaccount(v);
    v.prot = p;
    mm.vmas.account(v);
    for (const pm of v.pmas) if (pm.mapped) mm.as.protect(pm.start, pm.end - pm.start, stubProt(v, pm));
  });
  return 0;
}

export function mremap(
  mm: MemoryManager, oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number,
  limits: MemLimits = NO_LIMITS,
): number {
  const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
  if (oldAddr % PAGE_SIZE !== 0) return -EINVAL;
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
  if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP) return -EINVAL; // not supported here (documented)
  const ol = pageUp(oldLen), nl = pageUp(newLen);
  if (nl === 0 || nl > mm.maxAddr || ol > mm.maxAddr) return -EINVAL;
  if (ol === 0) return -EINVAL; // duplicating a shared mapping: not supported
  const v = mm.vmas.find(oldAddr);
  if (v === undefined || oldAddr + ol > v.end) return -EFAULT;
  if (!mm.vmas.canGrow(3)) return -ENOMEM;
  if (flags & MREMAP_FIXED) {
    if (newAddr % PAGE_SIZE !== 0) return -EINVAL;
    if (newAddr + nl > mm.maxAddr || newAddr < mm.minAddr) return -EINVAL;
    if (newAddr < oldAddr + ol && oldAddr < newAddr + nl) return -EINVAL;
    if (nl > ol && !mayExpand(mm, nl - ol, isData(v) ? nl - ol : 0, limits)) return -ENOMEM;
    removeRange(mm, newAddr, newAddr + nl);
    return moveRange(mm, oldAddr, ol, nl, newAddr);
  }
  if (nl <= ol) {
    if (nl < ol) removeRange(mm, oldAddr + nl, oldAddr + ol);
    return oldAddr;
  }
  // Growing: Linux's vma_to_resize checks the limits before anything moves.
  if (!mayExpand(mm, nl - ol, isData(v) ? nl - ol : 0, limits)) return -ENOMEM;
  // Grow in place if the VMA ends here and the space after is free.
  if (oldAddr + ol === v.end && v.end + (nl - ol) <= mm.maxAddr && !mm.vmas.overlaps(v.end, v.end + nl - ol)) {
    mm.vmas.setEnd(v, v.end + nl - ol);
    return oldAddr;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const dst = findFree(mm, nl, mm.mmapBase);
  if (dst < 0) return dst;
  return moveRange(mm, oldAddr, ol, nl, dst);
}

/** Moves [old, old+ol) (inside one VMA) to dst with length nl, keeping its pages. */
function moveRange(mm: MemoryManager, old: number, ol: number, nl: number, dst: number): number {
  splitAt(mm, old);
  splitAt(mm, old + ol);
  const v = mm.vmas.find(old) as Vma;
  mm.vmas.remove(v);
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
        if (owned) mm.mf.deallocate(p.off, p.end - p.start);
      } else if (p.end > moved.end) {
        if (owned) mm.mf.deallocate(p.off + (moved.end - p.start), p.end - moved.end);
        p.end = moved.end;
        keep.push(p);
      } else keep.push(p);
    }
    moved.pmas = keep;
  }
  if (anyMapped) mm.as.unmap(old, ol);
  v.file?.decRef();
  insertVma(mm, moved);
  return dst;
}

export function brk(mm: MemoryManager, addr: number, limits: MemLimits = NO_LIMITS): number {
  if (addr < mm.brkStart) return mm.brkEnd;
  // Linux's check_data_rlimit: the heap may not pass RLIMIT_DATA.
  if (addr > mm.brkEnd && addr - mm.brkStart > limits.data) return mm.brkEnd;
  const oldTop = pageUp(mm.brkEnd), newTop = pageUp(addr);
  if (newTop > oldTop) {
    if (newTop > mm.maxAddr || mm.vmas.overlaps(oldTop, newTop) || !mm.vmas.canGrow(1)) return mm.brkEnd;
    if (!mayExpand(mm, newTop - oldTop, newTop - oldTop, limits)) return mm.brkEnd;
    const prev = mm.vmas.find(oldTop - 1);
    if (prev !== undefined && prev.name === '[heap]' && prev.end === oldTop) {
      mm.vmas.setEnd(prev, newTop);
    } else {
      insertVma(mm, {
        start: oldTop, end: newTop, prot: PROT_READ | PROT_WRITE, maxProt: 7, shared: false,
        growsDown: false, file: null, fileOff: 0, name: '[heap]', pmas: [],
      });
    }
  } else if (newTop < oldTop) {
    removeRange(mm, newTop, oldTop);
  }
  mm.brkEnd = addr;
  return addr;
}

export function madvise(mm: MemoryManager, addr: number, length: number, advice: number): number {
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
      mm.vmas.forRange(addr, end, (v) => {
        if (!v.shared) dropPages(mm, v, Math.max(addr, v.start), Math.min(end, v.end));
      });
      break;
    }
    default:
      return -EINVAL;
  }
  // Linux returns ENOMEM when the range has holes, after advising what is mapped.
  return covered(mm, addr, end);
}

export function mincore(mm: MemoryManager, addr: number, length: number): Uint8Array | number {
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageUp(length);
  if (addr + len > mm.maxAddr || len < length) return -ENOMEM;
  const end = addr + len;
  // Check coverage before allocating the result, whose size the application chose.
  const e = covered(mm, addr, end);
  if (e < 0) return e;
  const out = new Uint8Array(len / PAGE_SIZE);
  mm.vmas.forRange(addr, end, (v) => {
    for (const p of v.pmas) {
      const s = Math.max(p.start, addr), e2 = Math.min(p.end, end);
      if (s < e2) out.fill(1, (s - addr) / PAGE_SIZE, (e2 - addr) / PAGE_SIZE);
    }
  });
  return out;
}

export function rangeState(mm: MemoryManager, start: number, end: number): 'ok' | 'hole' | 'inaccessible' {
  let state: 'ok' | 'inaccessible' = 'ok';
  const e = covered(mm, start, end, (v) => {
    if (v.prot === 0) state = 'inaccessible';
    return 0;
  });
  return e < 0 ? 'hole' : state;
}
