// Faults, population and copy-on-write (gVisor pkg/sentry/mm pma.go,
// fault handling in address_space.go): finding or allocating the PMA that
// backs an address, mapping it into the stub, and breaking copy-on-write
// sharing on a write.
//
// A PMA is allocated a whole aligned window at a time (FAULT_WINDOW for
// anonymous memory, FILE_FAULT_WINDOW for files), clipped to its VMA and
// neighbours, so that one fault and one injected mmap serve many pages.
// When the memory file is at the sandbox's total memory, the page cache
// gives back the chunks only it holds and the allocation is tried once
// more; if it still fails the fault reports ENOMEM, and the kernel's OOM
// killer (src/kernel/oom.ts) picks a process to kill, as a memory cgroup's
// does.

import { PROT_WRITE } from '../platform/platform.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { EFAULT, ENOMEM } from '../abi/linux/errno.js';
import type { MemoryManager } from './mm.js';
import type { Mappable, Pma, Vma } from './vma.js';
import { pageDown, pageUp, stubProt } from './vma.js';
import { CACHE_CHUNK } from './page_cache.js';
import type { PageCache } from './page_cache.js';

const FAULT_WINDOW = 2 * 1024 * 1024;
/** File-backed windows are smaller: their bytes must be read, and programs touch little of a big library. */
const FILE_FAULT_WINDOW = 512 * 1024;
/** How much a write to copy-on-write memory copies: a fault per page would cost more than the copy. */
const COW_WINDOW = 64 * 1024;

/** Allocates len bytes of the memory file, asking the page cache to give memory back once if it is full. */
function allocate(mm: MemoryManager, len: number): number {
  const off = mm.mf.allocate(len);
  if (off >= 0 || mm.cache === null || mm.cache.shrink() === 0) return off;
  return mm.mf.allocate(len);
}

/** Finds or allocates the PMA covering addr in v; -EFAULT or -ENOMEM if it cannot. */
export function pmaFor(mm: MemoryManager, v: Vma, addr: number): Pma | number {
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
  if (v.file?.filePages !== undefined) {
    // The file's own pages: shared mappings write them, private ones copy on write.
    const start = pageDown(addr);
    let end = Math.min(v.end, start + FILE_FAULT_WINDOW);
    if (found !== undefined) end = Math.min(end, found.start);
    const run = v.file.filePages(v.fileOff + (start - v.start), end - start);
    if (typeof run === 'number') return run === -ENOMEM ? -ENOMEM : -EFAULT;
    const own: Pma = { start, end: start + run.len, off: run.off, mapped: false, cow: !v.shared };
    ps.splice(lo, 0, own);
    return own;
  }
  if (v.file !== null && !v.shared && mm.cache !== null) {
    const cached = cachedPma(mm, v, addr, lo, found);
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
  let off = allocate(mm, end - start);
  if (off < 0 && end - start > PAGE_SIZE) {
    // Near the limit: the page itself may still fit where the window does not.
    start = pageDown(addr);
    end = start + PAGE_SIZE;
    off = allocate(mm, PAGE_SIZE);
  }
  if (off < 0) return -ENOMEM;
  if (v.file !== null) v.file.readAt(mm.mf.view(off, end - start), v.fileOff + (start - v.start));
  const p: Pma = { start, end, off, mapped: false, cow: false };
  ps.splice(lo, 0, p);
  return p;
}

/**
 * A PMA for addr in a private file mapping made of the page cache's chunk
 * (copy-on-write), or null when the file is not cached.
 */
function cachedPma(mm: MemoryManager, v: Vma, addr: number, lo: number, found: Pma | undefined): Pma | null {
  const file = v.file as Mappable;
  const fo = v.fileOff + (pageDown(addr) - v.start);
  const chunkOff = fo - (fo % CACHE_CHUNK);
  const base = (mm.cache as PageCache).chunk(file, chunkOff);
  if (base < 0) return null;
  // The addresses the chunk covers, clipped to the VMA and the neighbouring PMAs.
  let start = Math.max(v.start, v.start + (chunkOff - v.fileOff));
  let end = Math.min(v.end, v.start + (chunkOff + CACHE_CHUNK - v.fileOff));
  if (lo > 0) start = Math.max(start, v.pmas[lo - 1].end);
  if (found !== undefined) end = Math.min(end, found.start);
  const off = base + (v.fileOff + (start - v.start) - chunkOff);
  mm.mf.incRef(off, end - start);
  const p: Pma = { start, end, off, mapped: false, cow: true };
  v.pmas.splice(lo, 0, p);
  return p;
}

/**
 * handleFault's answer for a page already mapped exactly as its VMA allows:
 * the fault is either the program's own (an access the VMA forbids) or
 * stale, taken by a thread while another thread's fault on the same page
 * was being served. ptrace gives no error code to tell them apart, so the
 * caller resumes the thread once and treats the same fault again as real.
 */
export const FAULT_MAPPED = 1;

export function handleFault(mm: MemoryManager, addr: number): number {
  const v = mm.vmas.find(addr);
  if (v === undefined || v.prot === 0) return -EFAULT;
  const p = pmaFor(mm, v, addr);
  if (typeof p === 'number') return p;
  if (p.mapped) {
    // Mapped already with what the VMA allows, minus write while copy-on-write:
    // a second fault is a write to a shared page if the VMA is writable.
    if (p.cow && (v.prot & PROT_WRITE) !== 0) return breakCow(mm, v, addr, addr + 1, true);
    return FAULT_MAPPED;
  }
  const r = mm.as.mapFile(p.start, p.off, p.end - p.start, stubProt(v, p));
  if (r < 0) return -EFAULT;
  p.mapped = true;
  return 0;
}

/**
 * Gives v its own copy of the copy-on-write pages around [start, end)
 * (whole COW_WINDOWs, within each PMA): pages nobody else holds any more
 * are just taken back, the others copied. With map, the new pages are
 * mapped writable in the stub. Returns 0, -ENOMEM if memory ran out, or
 * -EFAULT if the stub could not map them.
 */
export function breakCow(mm: MemoryManager, v: Vma, start: number, end: number, map: boolean): number {
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
    if (mm.mf.isShared(p.off, len)) {
      const off = allocate(mm, len);
      if (off < 0) return -ENOMEM;
      mm.mf.copy(p.off, off, len);
      mm.mf.deallocate(p.off, len);
      p.off = off;
    }
    p.cow = false;
    if (p.mapped || map) {
      if (mm.as.mapFile(p.start, p.off, len, v.prot) < 0) return -EFAULT;
      p.mapped = true;
    }
  }
  return 0;
}

/** Allocates (and with map, maps) the pages of [start, end); -ENOMEM if memory ran out. */
export function populateRange(mm: MemoryManager, start: number, end: number, map: boolean): number {
  for (let v = mm.vmas.lowerBound(start); v !== undefined && v.start < end; v = mm.vmas.next(v)) {
    for (let a = Math.max(start, v.start); a < Math.min(end, v.end);) {
      const p = pmaFor(mm, v, a);
      if (typeof p === 'number') return p;
      if (map && !p.mapped && v.prot !== 0 && mm.as.mapFile(p.start, p.off, p.end - p.start, stubProt(v, p)) === 0) p.mapped = true;
      a = p.end;
    }
  }
  return 0;
}

/** Frees v's private pages in [start, end): they read back as zeros or the file's contents. */
export function dropPages(mm: MemoryManager, v: Vma, start: number, end: number): void {
  const keep: Pma[] = [];
  let unmap = false;
  for (const p of v.pmas) {
    if (p.end <= start || p.start >= end) { keep.push(p); continue; }
    if (p.mapped) unmap = true;
    if (p.start < start) keep.push({ start: p.start, end: start, off: p.off, mapped: p.mapped, cow: p.cow });
    if (p.end > end) keep.push({ start: end, end: p.end, off: p.off + (end - p.start), mapped: p.mapped, cow: p.cow });
    const s = Math.max(p.start, start), e = Math.min(p.end, end);
    mm.mf.deallocate(p.off + (s - p.start), e - s);
  }
  v.pmas = keep;
  if (unmap) mm.as.unmap(start, end - start);
}
