// ELF64 parsing (gVisor pkg/sentry/loader/elf.go): the headers the loader
// needs, validated as Linux's binfmt_elf validates them before exec's point
// of no return. Anything that is not a little-endian x86-64 executable or
// shared object is ENOEXEC. The PT_LOAD segments themselves are checked
// only when they are mapped (checkLoad), after the point of no return,
// where Linux ends the process with SIGSEGV instead of failing execve.

import { EINVAL, ENOEXEC } from '../abi/linux/errno.js';


export const ET_EXEC = 2, ET_DYN = 3;
export const PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551;
export const PF_X = 1, PF_W = 2, PF_R = 4;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfInfo {
  type: number;
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  phdrs: ProgramHeader[];
  /** The raw program header table (for AT_PHDR when no PT_PHDR maps it). */
  interp: string | null;
}

/** Reads at most len bytes at off from the file. */
export type ReadAt = (off: number, len: number) => Uint8Array | number;

/** Parses an executable's headers; isInterpreter: it is a PT_INTERP's file, whose own PT_INTERP is ignored. */
export function parseElf(read: ReadAt, isInterpreter = false): ElfInfo | number {
  const hdr = read(0, 64);
  if (typeof hdr === 'number') return hdr;
  if (hdr.length < 64) return -ENOEXEC;
  if (hdr[0] !== 0x7f || hdr[1] !== 0x45 || hdr[2] !== 0x4c || hdr[3] !== 0x46) return -ENOEXEC;
  const d = new DataView(hdr.buffer, hdr.byteOffset, 64);
  if (hdr[4] !== 2 /* ELFCLASS64 */ || hdr[5] !== 1 /* LSB */ || hdr[6] !== 1) return -ENOEXEC;
  const type = d.getUint16(16, true);
  const machine = d.getUint16(18, true);
  if (machine !== 62 /* EM_X86_64 */) return -ENOEXEC;
  if (type !== ET_EXEC && type !== ET_DYN) return -ENOEXEC;
  const u64 = (dv: DataView, o: number) => dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 4294967296;
  const entry = u64(d, 24);
  const phoff = u64(d, 32);
  const phentsize = d.getUint16(54, true);
  const phnum = d.getUint16(56, true);
  if (phentsize !== 56 || phnum === 0 || phnum > 65536 / 56) return -ENOEXEC;
  const tab = read(phoff, phnum * 56);
  if (typeof tab === 'number') return tab;
  if (tab.length < phnum * 56) return -ENOEXEC;
  const pd = new DataView(tab.buffer, tab.byteOffset, tab.length);
  const phdrs: ProgramHeader[] = [];
  let interp: string | null = null;
  for (let i = 0; i < phnum; i++) {
    const o = i * 56;
    const ph: ProgramHeader = {
      type: pd.getUint32(o, true),
      flags: pd.getUint32(o + 4, true),
      offset: u64(pd, o + 8),
      vaddr: u64(pd, o + 16),
      filesz: u64(pd, o + 32),
      memsz: u64(pd, o + 40),
      align: u64(pd, o + 48),
    };
    // The first PT_INTERP names the interpreter (Linux stops at it); an interpreter's own is ignored.
    if (ph.type === PT_INTERP && interp === null && !isInterpreter) {
      if (ph.filesz < 2 || ph.filesz > 4096) return -ENOEXEC;
      const b = read(ph.offset, ph.filesz);
      if (typeof b === 'number') return b;
      if (b.length !== ph.filesz || b[b.length - 1] !== 0) return -ENOEXEC;
      interp = Buffer.from(b.subarray(0, b.length - 1)).toString('latin1');
    }
    phdrs.push(ph);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) return -ENOEXEC;
  return { type, entry, phoff, phentsize, phnum, phdrs, interp };
}

/**
 * A PT_LOAD segment's own consistency, as load_elf_binary and elf_map check
 * it when mapping: 0 or -EINVAL (file size beyond memory size, a file
 * offset not congruent to the address modulo the page size, a segment
 * past the end of user memory or wrapping).
 */
export function checkLoad(ph: ProgramHeader, bias: number, maxAddress: number): number {
  if (ph.filesz > ph.memsz) return -EINVAL;
  if (ph.vaddr % 4096 !== ph.offset % 4096) return -EINVAL;
  const start = ph.vaddr + bias;
  if (start > maxAddress || ph.memsz > maxAddress - start) return -EINVAL;
  return 0;
}
