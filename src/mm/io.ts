// Copy-in and copy-out (gVisor pkg/sentry/mm io.go): the Sentry reads and
// writes application memory through its own views of the memory file,
// faulting pages in (and breaking copy-on-write for writes) as the
// application's own access would, and checking the VMA's protection as the
// application sees it; only the loader passes `force` to write read-only
// pages.

import { PROT_READ, PROT_WRITE } from '../platform/platform.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { EFAULT, ENAMETOOLONG } from '../abi/linux/errno.js';
import type { MemoryManager } from './mm.js';
import { breakCow, pmaFor } from './faults.js';

/** views without their first `skip` bytes (what an I/O that moved `skip` of them has still to move). */
export function dropPrefix(views: Uint8Array[], skip: number): Uint8Array[] {
  if (skip === 0) return views;
  const out: Uint8Array[] = [];
  for (const v of views) {
    if (skip >= v.length) {
      skip -= v.length;
      continue;
    }
    out.push(skip > 0 ? v.subarray(skip) : v);
    skip = 0;
  }
  return out;
}

/** Copies src into the views in order, as far as they reach: the bytes copied. */
export function copyToViews(src: Uint8Array, views: Uint8Array[]): number {
  let off = 0;
  for (const v of views) {
    if (off >= src.length) break;
    const n = Math.min(v.length, src.length - off);
    v.set(src.subarray(off, off + n));
    off += n;
  }
  return off;
}

export function forEachView(
  mm: MemoryManager, addr: number, len: number, write: boolean, fn: (view: Uint8Array, done: number) => void, force: boolean,
): number {
  let done = 0;
  if (len <= 0) return 0;
  if (addr < 0 || addr + len > mm.maxAddr) {
    if (addr < 0 || addr >= mm.maxAddr) return 0;
    len = mm.maxAddr - addr;
  }
  while (done < len) {
    const a = addr + done;
    const v = mm.vmas.find(a);
    if (v === undefined) break;
    if (!force && (write ? (v.prot & PROT_WRITE) === 0 : (v.prot & PROT_READ) === 0)) break;
    let p = pmaFor(mm, v, a);
    if (typeof p === 'number') break;
    if (write && p.cow) {
      // The Sentry writes the pages directly: they must be this address space's own first.
      if (breakCow(mm, v, a, Math.min(addr + len, v.end), false) < 0) break;
      p = pmaFor(mm, v, a);
      if (typeof p === 'number') break;
    }
    const n = Math.min(len - done, p.end - a);
    fn(mm.mf.view(p.off + (a - p.start), n), done);
    done += n;
  }
  return done;
}

export function readCString(mm: MemoryManager, addr: number, max: number): string | number {
  let out = '';
  let total = 0;
  while (total < max) {
    const a = addr + total;
    const chunk = Math.min(PAGE_SIZE - (a % PAGE_SIZE), max - total);
    const bytes = mm.copyIn(a, chunk);
    if (bytes === null) return -EFAULT;
    const z = bytes.indexOf(0);
    if (z >= 0) return out + latin1(bytes.subarray(0, z));
    out += latin1(bytes);
    total += chunk;
  }
  return -ENAMETOOLONG;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}
