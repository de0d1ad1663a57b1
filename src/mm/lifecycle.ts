// An address space's start and end (gVisor pkg/sentry/mm lifecycle.go):
// fork's copy and release.
//
// fork gives the child the same VMAs. Private pages are shared
// copy-on-write: both sides hold a reference and map them without write
// permission. A shared anonymous mapping's pages are allocated over its
// whole range first and then shared (a file's own pages are the file's),
// so that later faults in either process find the same pages; lent pages
// are lent again. Nothing is mapped in the new stub: the child faults its
// pages in. The child's VMAs are charged to the sandbox's VMA budget
// first: when they do not fit, fork fails with ENOMEM (Linux's dup_mmap
// when it cannot allocate) and nothing has changed. The
// PMAs fork copies are charged to the same budget, one unit each, until the
// child's address space is released: they share pages, so the sandbox's
// total memory does not bound how many copies of them a fork loop makes
// (PMAs made later by faults each hold pages of their own, and are bounded
// by it).

import type { AddressSpace } from '../platform/platform.js';
import { PROT_WRITE } from '../platform/platform.js';
import { ENOMEM } from '../abi/linux/errno.js';
import { MemoryManager } from './mm.js';
import type { Pma, Vma } from './vma.js';
import { ownsPages, stubProt } from './vma.js';
import { populateRange } from './faults.js';

export function forkMM(mm: MemoryManager, as: AddressSpace): MemoryManager | number {
  // Shared anonymous mappings are populated first (the parent keeps those
  // pages whatever happens next); a shared file mapping whose file holds
  // its pages (tmpfs, SysV shm) needs not be: the child faults them in from
  // the file, so a huge sparse segment costs fork nothing.
  for (const v of mm.vmas) {
    if (v.shared && ownsPages(v) && v.file?.filePages === undefined && populateRange(mm, v.start, v.end, false) < 0) return -ENOMEM;
  }
  let pmas = 0;
  for (const v of mm.vmas) pmas += v.pmas.length;
  if (!mm.mf.vmas.canCharge(mm.vmas.size + pmas)) return -ENOMEM;
  const c = new MemoryManager(mm.mf, as, mm.minAddr, mm.maxAddr, mm.cache);
  c.brkStart = mm.brkStart;
  c.brkEnd = mm.brkEnd;
  c.mmapBase = mm.mmapBase;
  c.stackTop = mm.stackTop;
  c.argvStart = mm.argvStart;
  c.argvEnd = mm.argvEnd;
  c.envStart = mm.envStart;
  c.envEnd = mm.envEnd;
  c.auxv = [...mm.auxv];
  c.executable = mm.executable;
  c.exeDentry = mm.exeDentry;
  // The parent's writable pages become read-only in its stub: adjacent
  // ones with the same protection in one injected mprotect.
  let run: { start: number; end: number; prot: number } | null = null;
  const flush = () => {
    if (run !== null) mm.as.protect(run.start, run.end - run.start, run.prot);
    run = null;
  };
  c.vmas = mm.vmas.clone((v: Vma): Vma => {
    const owned = ownsPages(v);
    const pmas: Pma[] = new Array<Pma>(v.pmas.length);
    const nv: Vma = { ...v, pmas };
    nv.file?.incRef();
    for (let i = 0; i < v.pmas.length; i++) {
      const p = v.pmas[i];
      const len = p.end - p.start;
      if (owned) mm.mf.incRef(p.off, len);
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
      pmas[i] = { start: p.start, end: p.end, off: p.off, mapped: false, cow };
    }
    return nv;
  });
  flush();
  c.forkedPmas = pmas;
  mm.mf.vmas.charge(pmas);
  return c;
}

export function releaseMM(mm: MemoryManager): void {
  mm.mf.vmas.uncharge(mm.forkedPmas);
  mm.forkedPmas = 0;
  for (const v of mm.vmas.clear()) {
    if (ownsPages(v)) for (const p of v.pmas) mm.mf.deallocate(p.off, p.end - p.start);
    v.file?.decRef();
  }
  // The executable's name goes with it (mmput's exe_file): a zombie holds no dentry of its mount.
  mm.exeDentry = null;
  mm.as.release();
}
