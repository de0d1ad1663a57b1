// MemoryManager (gVisor pkg/sentry/mm): an application address space as
// the Sentry sees it. VMAs (vma.ts) say what the application asked for
// (mmap, brk, the loader), kept in a VMA set (vma_set.ts); PMAs say which
// memory-file pages back which addresses now. A VMA owns the PMAs inside
// it, so they split when it splits and each PMA is mapped into the stub
// with its VMA's protection.
//
// The class is the public face; the work is split as gVisor splits it:
// the mmap family and brk in syscalls.ts, faults, population and
// copy-on-write in faults.ts, copy-in/out in io.ts, fork and release in
// lifecycle.ts.
//
// Memory is committed lazily: a PMA is allocated when the application
// faults on its address or when the Sentry copies into it, a whole aligned
// window at a time so that one fault and one injected mmap serve many
// pages. Private file mappings are filled from the file when their PMA is
// allocated. fork shares private pages copy-on-write.
//
// Limits, as Linux: vm.max_map_count VMAs per address space, and the
// sandbox's VMA budget across all of them (src/memory/vma_budget.ts);
// RLIMIT_AS and RLIMIT_DATA when the caller passes them (MemLimits); the
// sandbox's total memory through the memory file, whose exhaustion makes a
// fault report ENOMEM (the kernel's OOM killer then acts).
//
// Differs from Linux: MAP_SHARED mappings of files are snapshots (the
// root file system is read-only, so nothing can write them); pages of a
// file mapping past the end of the file read as zeros instead of raising
// SIGBUS; there is no swap and no overcommit accounting; the stack is
// mapped whole at exec and never grows, so there is no stack-growth check;
// the loader's mappings at exec are not checked against RLIMIT_AS or
// RLIMIT_DATA (Linux fails such an exec with ENOMEM).

import type { AddressSpace } from '../platform/platform.js';
import type { MemoryFile } from '../memory/memory_file.js';
import type { PageCache } from './page_cache.js';
import type { Vma } from './vma.js';
import { VmaSet } from './vma_set.js';
import * as sys from './syscalls.js';
import { handleFault } from './faults.js';
export { FAULT_MAPPED } from './faults.js';
import { forEachView, readCString } from './io.js';
import { forkMM, releaseMM } from './lifecycle.js';
import { EFAULT } from '../abi/linux/errno.js';

export type { Mappable, Pma, Vma } from './vma.js';
export { pageDown, pageUp } from './vma.js';
export {
  MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE, MAP_FIXED, MAP_ANONYMOUS, MAP_32BIT, MAP_GROWSDOWN,
  MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB,
  MAP_SYNC, MAP_FIXED_NOREPLACE, MAP_UNINITIALIZED,
} from './syscalls.js';
export type { MmapArgs, MemLimits } from './syscalls.js';

export class MemoryManager {
  /** The VMAs, in address order (internal to src/mm; read with findVma or vmaList). */
  vmas: VmaSet;
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
  /**
   * The executable's dentry (Linux's mm->exe_file), for /proc/PID/exe's
   * magic link; opaque here (mm sits below the VFS), null before exec.
   */
  exeDentry: object | null = null;
  /** PMAs fork copied into this address space, charged to the VMA budget until release (lifecycle.ts). */
  forkedPmas = 0;

  constructor(
    readonly mf: MemoryFile,
    readonly as: AddressSpace,
    readonly minAddr: number,
    readonly maxAddr: number,
    /** Where private file mappings find their pages; null: each mapping reads its own. */
    readonly cache: PageCache | null = null,
  ) {
    this.mmapBase = maxAddr;
    this.vmas = new VmaSet(mf.vmas, minAddr, maxAddr);
  }

  findVma(addr: number): Vma | undefined {
    return this.vmas.find(addr);
  }

  /** All VMAs, in address order (read-only use: /proc maps, tests). */
  get allVmas(): readonly Vma[] {
    return [...this.vmas];
  }

  /** Bytes mapped in all (total_vm). */
  get totalMapped(): number {
    return this.vmas.totalBytes;
  }

  /** Bytes of memory-file pages this address space holds (its resident set; shared pages count in each holder). */
  get residentBytes(): number {
    let n = 0;
    for (const v of this.vmas) for (const p of v.pmas) n += p.end - p.start;
    return n;
  }

  // ---- the mmap family (syscalls.ts) ----------------------------------

  mmap(a: sys.MmapArgs, limits?: sys.MemLimits): number {
    return sys.mmap(this, a, limits);
  }

  munmap(addr: number, length: number): number {
    return sys.munmap(this, addr, length);
  }

  mprotect(addr: number, length: number, prot: number, limits?: sys.MemLimits): number {
    return sys.mprotect(this, addr, length, prot, limits);
  }

  mremap(oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number, limits?: sys.MemLimits): number {
    return sys.mremap(this, oldAddr, oldLen, newLen, flags, newAddr, limits);
  }

  brk(addr: number, limits?: sys.MemLimits): number {
    return sys.brk(this, addr, limits);
  }

  madvise(addr: number, length: number, advice: number): number {
    return sys.madvise(this, addr, length, advice);
  }

  /** For mincore: is each page in [addr, addr+len) backed? Returns -ENOMEM for holes. */
  mincore(addr: number, length: number): Uint8Array | number {
    return sys.mincore(this, addr, length);
  }

  /**
   * Whether [start, end) is mapped without holes: 'hole' if not, 'inaccessible'
   * if some of it is PROT_NONE, 'ok' otherwise.
   */
  rangeState(start: number, end: number): 'ok' | 'hole' | 'inaccessible' {
    return sys.rangeState(this, start, end);
  }

  // ---- faults (faults.ts) ---------------------------------------------

  /**
   * Handles an application fault at addr: 0 if the access can be retried
   * (a page was mapped), -EFAULT for a real fault (the application gets
   * SIGSEGV), -ENOMEM when the sandbox's memory ran out (the kernel's OOM
   * killer decides).
   */
  handleFault(addr: number): number {
    return handleFault(this, addr);
  }

  // ---- copy-in / copy-out (io.ts) -------------------------------------

  /**
   * Calls fn with views of the memory at [addr, addr+len), in order, as far
   * as the range is accessible (read, or write if `write`). Returns the
   * number of bytes covered; less than len means a fault at addr+result.
   * `force` ignores protections (ptrace-style access, used by the loader).
   */
  forEachView(addr: number, len: number, write: boolean, fn: (view: Uint8Array, done: number) => void, force = false): number {
    return forEachView(this, addr, len, write, fn, force);
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
    return readCString(this, addr, max);
  }

  // ---- lifecycle (lifecycle.ts) ---------------------------------------

  /** The child's address space at fork(2), on a new stub (as); -ENOMEM when the VMA budget or memory runs out. */
  fork(as: AddressSpace): MemoryManager | number {
    return forkMM(this, as);
  }

  /** Frees every page and the stub mappings; the MemoryManager is dead afterwards. */
  release(): void {
    releaseMM(this);
  }
}
