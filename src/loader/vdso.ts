// The vDSO (gVisor pkg/sentry/loader/vdso.go): the small shared object
// built from native/vdso/ that every program gets, mapped with its
// parameter page just below it, its address given in AT_SYSINFO_EHDR. libc
// finds clock_gettime, gettimeofday and time there and reads the clocks
// without a system call (src/kernel/timekeeper.ts keeps the page).
//
// Layout as Linux's: "[vvar]" (read-only, shared with the Sentry, mprotect
// cannot make it writable) then "[vdso]" (read and execute, private: a
// program that makes it writable and patches it changes only its own copy).
// Placed like any mmap, below the interpreter, as Linux 6.x places it.

import { readFileSync } from 'node:fs';
import { vdsoPath } from '../native.js';
import type { MemoryManager, Mappable } from '../mm/mm.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, pageUp } from '../mm/mm.js';
import { PROT_EXEC, PROT_READ } from '../platform/platform.js';
import { PAGE_SIZE } from '../memory/memory_file.js';

/** The vDSO image: a private file mapping copies it page by page. */
export class VdsoImage implements Mappable {
  readonly mapName = '[vdso]';
  readonly size: number;

  constructor(private readonly bytes: Uint8Array) {
    this.size = pageUp(bytes.length);
  }

  /** Reads and checks build/Release/vdso.so (an x86-64 ELF shared object). */
  static load(file = vdsoPath): VdsoImage {
    let b: Uint8Array;
    try {
      b = readFileSync(file);
    } catch (e) {
      throw new Error(`tsvisor: cannot read the vDSO ${file} (${(e as Error).message}); run 'npm install' to build it`);
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ok = b.length >= 64 && b.length <= 16 * PAGE_SIZE && dv.getUint32(0, false) === 0x7f454c46 &&
      b[4] === 2 /* ELFCLASS64 */ && dv.getUint16(16, true) === 3 /* ET_DYN */ && dv.getUint16(18, true) === 62;
    if (!ok) throw new Error(`tsvisor: ${file} is not an x86-64 vDSO; run 'npm install' to rebuild it`);
    return new VdsoImage(b);
  }

  readAt(dst: Uint8Array, offset: number): void {
    if (offset < this.bytes.length) dst.set(this.bytes.subarray(offset, Math.min(this.bytes.length, offset + dst.length)));
  }

  incRef(): void {}
  decRef(): void {}
}

/** The clock parameter page, lent to every address space as it is. */
export class VvarPage implements Mappable {
  readonly mapName = '[vvar]';

  constructor(private readonly paramsOff: number) {}

  pagesAt(offset: number): number {
    return offset === 0 ? this.paramsOff : -1;
  }

  readAt(): void {
    // Never copied: pagesAt lends the page itself.
  }

  incRef(): void {}
  decRef(): void {}
}

/** Maps [vvar][vdso] into mm; returns the vDSO's address (AT_SYSINFO_EHDR) or -errno. */
export function mapVdso(mm: MemoryManager, image: VdsoImage, vvar: VvarPage): number {
  const total = PAGE_SIZE + image.size;
  const base = mm.mmap({ addr: 0, length: total, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0 });
  if (base < 0) return base;
  const v = mm.mmap({
    addr: base, length: PAGE_SIZE, prot: PROT_READ, flags: MAP_SHARED | MAP_FIXED,
    file: vvar, fileWritable: false, offset: 0, name: vvar.mapName,
  });
  if (v < 0) return v;
  const text = base + PAGE_SIZE;
  const r = mm.mmap({
    addr: text, length: image.size, prot: PROT_READ | PROT_EXEC, flags: MAP_PRIVATE | MAP_FIXED,
    file: image, offset: 0, name: image.mapName,
  });
  return r < 0 ? r : text;
}
