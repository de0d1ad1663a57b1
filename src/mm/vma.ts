// VMAs and PMAs (gVisor pkg/sentry/mm vma.go, pma.go: the types). A VMA
// says what the application asked for (mmap, brk, the loader); a PMA says
// which memory-file pages back which addresses now. A VMA owns the PMAs
// inside it, kept sorted in its `pmas` array (one VMA has few: they are
// fault windows, 64 KiB to 2 MiB each).

import { PROT_WRITE } from '../platform/platform.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import type { Stat } from '../vfs/stat.js';

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
   * For files whose pages live in the memory file (tmpfs): the memory-file
   * offset of the file's own pages from `offset` (page aligned), as one
   * contiguous run of at most `len` bytes, made now if the file has none
   * there. The caller gets a reference on each page of the run (the file
   * keeps its own), so a shared mapping writes the file's bytes and a
   * private one takes them copy-on-write. Negative: no page there (past the
   * end of the file, or the file system is full).
   */
  filePages?(offset: number, len: number): { off: number; len: number } | number;
  /**
   * For files that can be sealed (memfd, vfs/seals.ts): asked before a
   * MAP_SHARED mapping is made, with its protection and whether the
   * description may write. -errno refuses it (EPERM: PROT_WRITE on a
   * write-sealed file); else whether the mapping may ever write (false:
   * mprotect may not add PROT_WRITE). Absent: it may write if mayWrite.
   */
  mapShared?(prot: number, mayWrite: boolean): boolean | number;
  /**
   * The file's identity for the page cache (page_cache.ts): the same key
   * means the same contents. Absent or null: never cached.
   */
  readonly cacheKey?: string | null;
  /** The file's attributes as stat(2) shows them (its st_dev and st_ino are /proc/PID/maps's); absent: 00:00 0. */
  stat?(): Stat | number;
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

/** Whether v's PMAs are its own to free (not kernel pages lent to it). */
export function ownsPages(v: Vma): boolean {
  return v.file?.pagesAt === undefined;
}

/** The protection a PMA is mapped with in the stub: its VMA's, without write while copy-on-write. */
export function stubProt(v: Vma, p: Pma): number {
  return p.cow ? v.prot & ~PROT_WRITE : v.prot;
}

/**
 * Linux's is_data_mapping: private, writable and not a stack; what
 * RLIMIT_DATA counts (Linux 4.7 and later).
 */
export function isData(v: Pick<Vma, 'prot' | 'shared' | 'growsDown' | 'name'>): boolean {
  return (v.prot & PROT_WRITE) !== 0 && !v.shared && !v.growsDown && v.name !== '[stack]';
}

export function pageDown(a: number): number {
  return a - (a % PAGE_SIZE);
}
export function pageUp(a: number): number {
  const r = a % PAGE_SIZE;
  return r === 0 ? a : a + PAGE_SIZE - r;
}
