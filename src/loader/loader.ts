// The loader (gVisor pkg/sentry/loader): turns a path, argv and envp into
// a fresh address space with the program mapped, its interpreter (for a
// dynamic executable) mapped, and the initial stack laid out as the
// x86-64 System V ABI and Linux's binfmt_elf lay it out: argc, argv,
// envp, auxv, then the strings. Handles "#!" scripts as binfmt_script
// does. Addresses are randomised the way Linux randomises them.
//
// Every program gets the vDSO (vdso.ts), at AT_SYSINFO_EHDR.
//
// Differs from Linux: PT_GNU_STACK's executable-stack request is ignored
// (stacks are never executable).

import type { Kernel } from '../kernel/kernel.js';
import type { Credentials, ExecCredentials } from '../kernel/credentials.js';
import type { Context } from '../platform/platform.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../platform/platform.js';
import { Reg } from '../platform/registers.js';
import { MemoryManager, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, pageDown, pageUp } from '../mm/mm.js';
import type { Mappable } from '../mm/mm.js';
import type { Dentry } from '../vfs/dentry.js';
import { checkPermission, MAY_EXEC } from '../vfs/vfs.js';
import { MS_NOEXEC } from '../vfs/mount.js';
import { FileDescription, O_RDONLY } from '../vfs/file_description.js';
import { S_IFLNK, S_IFMT, S_IFREG } from '../vfs/stat.js';
import { decRef } from '../kernel/fd_table.js';
import { ET_DYN, PF_R, PF_W, PF_X, PT_LOAD, PT_PHDR, checkLoad, parseElf } from './elf.js';
import type { ElfInfo } from './elf.js';
import { native } from '../native.js';
import { mapVdso } from './vdso.js';
import { readFileSync } from 'node:fs';
import { E2BIG, EACCES, EFAULT, EIO, ELIBBAD, ELOOP, ENOENT, ENOEXEC, ENOMEM, EPERM } from '../abi/linux/errno.js';

const PAGE = 4096;
const MAX_ARG_STRLEN = 32 * PAGE;
const STACK_SIZE = 8 * 1024 * 1024;
const ELF_ET_DYN_BASE = 0x555555554000;

export const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
  AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
  AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33,
  AT_MINSIGSTKSZ = 51;

export interface LoadRequest {
  kernel: Kernel;
  /** Who opens the file and its interpreter (the caller's credentials before the exec). */
  creds: Credentials;
  /**
   * The credentials the new program runs with, for AT_UID..AT_EGID, and
   * whether it runs in secure mode (AT_SECURE); absent: creds, not secure.
   */
  exec?: ExecCredentials;
  root: Dentry;
  cwd: Dentry;
  path: string;
  /** Byte strings (latin1). */
  argv: string[];
  envp: string[];
  /**
   * The file itself, when the caller resolved it (execveat(2) with a
   * directory descriptor or AT_EMPTY_PATH); path is then only its name.
   */
  dentry?: Dentry;
  /** The final component must not be a symbolic link (AT_SYMLINK_NOFOLLOW). */
  noFollow?: boolean;
}

/**
 * A load that failed after exec's point of no return (Linux's
 * bprm->point_of_no_return): the segments could not be mapped. The caller's
 * image is lost as in Linux, which ends the process with SIGSEGV; errno
 * says why, for the debug log.
 */
export interface LoadFatal {
  fatal: number;
}

export interface LoadResult {
  mm: MemoryManager;
  ctx: Context;
  /** The final executable's name for comm (basename, 15 bytes). */
  comm: string;
}

interface OpenedExec {
  file: FileDescription;
  mappable: Mappable;
}

/** Whether creds may execute the file at d: 0, or -ELOOP (a symlink not followed) or -EACCES, as open_exec checks. */
export function checkExecutable(creds: Credentials, d: Dentry): number {
  const st = d.inode.stat();
  if (typeof st === 'number') return st;
  if ((st.mode & S_IFMT) === S_IFLNK) return -ELOOP;
  if ((st.mode & S_IFMT) !== S_IFREG) return -EACCES;
  // A noexec mount runs nothing (path_noexec).
  if (d.mount.flags & MS_NOEXEC) return -EACCES;
  if (!checkPermission(creds, st.mode, st.uid, st.gid, MAY_EXEC)) return -EACCES;
  return 0;
}

function openExec(req: LoadRequest, path: string, resolved?: Dentry): OpenedExec | number {
  const k = req.kernel;
  const d = resolved ?? k.vfs.walk(req.creds, req.root, req.cwd, path, { followFinal: !req.noFollow });
  if (typeof d === 'number') return d;
  const ok = checkExecutable(req.creds, d);
  if (ok < 0) return ok;
  const f = d.inode.open(O_RDONLY);
  if (typeof f === 'number') return f;
  f.dentry = d;
  const m = f.mappable();
  if (typeof m === 'number') {
    decRef(f);
    return -EACCES;
  }
  return { file: f, mappable: m };
}

function readAt(f: FileDescription, off: number, len: number): Uint8Array | number {
  const buf = new Uint8Array(len);
  const n = f.read([buf], len, off);
  if (n < 0) return n;
  return buf.subarray(0, n);
}

function randomPages(maxPages: number): number {
  const b = new Uint8Array(8);
  native.getRandom(b);
  const v = new DataView(b.buffer).getUint32(0, true) + (b[4] & 0x3f) * 4294967296;
  return (v % maxPages) * PAGE;
}

const BINPRM_BUF_SIZE = 256;

/**
 * The "#!" line of a script's first 256 bytes, without "#!" and the blanks
 * around it, as binfmt_script reads it: up to the newline, or a NUL; a line
 * that fills the buffer without a newline is used only if its interpreter
 * name ends inside the buffer (else the name may be cut short: null, ENOEXEC).
 */
function scriptLine(head: Uint8Array): string | null {
  const buf = new Uint8Array(BINPRM_BUF_SIZE);
  buf.set(head.subarray(0, BINPRM_BUF_SIZE));
  let end = buf.indexOf(10);
  if (end < 0) {
    const bufEnd = BINPRM_BUF_SIZE - 1;
    let i = 2;
    while (i < bufEnd && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (i >= bufEnd) return null;
    while (i < bufEnd && buf[i] !== 0x20 && buf[i] !== 0x09 && buf[i] !== 0) i++;
    if (i >= bufEnd) return null;
    end = bufEnd;
  }
  const nul = buf.subarray(0, end).indexOf(0);
  if (nul >= 0) end = nul;
  return Buffer.from(buf.subarray(2, end)).toString('latin1').replace(/[ \t]+$/, '').replace(/^[ \t]+/, '');
}

/**
 * Loads the program at req.path into a new address space. Returns -errno
 * for a failure before the point of no return, LoadFatal after it.
 */
export function load(req: LoadRequest): LoadResult | LoadFatal | number {
  let path = req.path;
  let argv = req.argv;
  let opened: OpenedExec | number = -ENOENT;
  let elf: ElfInfo | number = -ENOEXEC;
  // binfmt_script: Linux's exec_binprm runs at most six handlers, so five
  // levels of "#!" interpreters before the executable; a sixth is ELOOP.
  for (let depth = 0; ; depth++) {
    if (depth > 5) return -ELOOP;
    opened = openExec(req, path, depth === 0 ? req.dentry : undefined);
    if (typeof opened === 'number') return opened;
    const head = readAt(opened.file, 0, 256);
    if (typeof head === 'number') { decRef(opened.file); return head; }
    if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
      decRef(opened.file);
      const line = scriptLine(head);
      if (line === null || line.length === 0) return -ENOEXEC;
      const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (m === null) return -ENOEXEC;
      const interp = m[1];
      const iarg = m[2];
      argv = [interp, ...(iarg !== undefined && iarg.length > 0 ? [iarg] : []), path, ...argv.slice(1)];
      path = interp;
      continue;
    }
    const f = opened.file;
    elf = parseElf((off, len) => readAt(f, off, len));
    if (typeof elf === 'number') { decRef(f); return elf; }
    break;
  }
  const main = opened as OpenedExec;
  const mainElf = elf as ElfInfo;
  let interp: OpenedExec | null = null;
  let interpElf: ElfInfo | null = null;
  if (mainElf.interp !== null) {
    const o = openExec(req, mainElf.interp);
    if (typeof o === 'number') { decRef(main.file); return o === -EACCES ? -EACCES : o === -ENOENT ? -ENOENT : o; }
    // The interpreter's header: a short one is EIO (elf_read), one that is not an x86-64 ELF file ELIBBAD.
    const ihead = readAt(o.file, 0, 64);
    const ie = typeof ihead === 'number' ? ihead : ihead.length < 64 ? -EIO
      : parseElf((off, len) => readAt(o.file, off, len), true);
    if (typeof ie === 'number') { decRef(main.file); decRef(o.file); return ie === -EIO || ie === -EFAULT ? -EIO : -ELIBBAD; }
    interp = o;
    interpElf = ie;
  }

  const k = req.kernel;
  const { as, ctx } = k.newAddressSpace();
  const mm = new MemoryManager(k.mf, as, k.platform.minUserAddress, k.platform.maxUserAddress, k.pageCache);
  mm.executable = main.file.dentry?.path() ?? path;
  mm.exeDentry = main.file.dentry;
  const fail = (e: number): number => {
    decRef(main.file);
    if (interp !== null) decRef(interp.file);
    mm.release();
    return e;
  };
  // Mapping the segments is past Linux's point of no return (begin_new_exec).
  const fatal = (e: number): LoadFatal => ({ fatal: fail(e) });

  // Layout: stack at the top, mmap below it, PIE programs at 2/3 of the space.
  const stackTop = k.platform.maxUserAddress - PAGE - randomPages(1 << 22);
  mm.mmapBase = pageDown(stackTop - STACK_SIZE - 128 * 1024 * 1024 - randomPages(1 << 28));

  const mainBias = mainElf.type === ET_DYN ? ELF_ET_DYN_BASE + randomPages(1 << 28) : 0;
  const mainLoad = mapSegments(mm, main.mappable, mainElf, mainBias, main.file.dentry?.path() ?? path);
  if (typeof mainLoad === 'number') return fatal(mainLoad);
  let interpBase = 0;
  let entry = mainElf.entry + mainLoad.bias;
  if (interp !== null && interpElf !== null) {
    const il = mapSegments(mm, interp.mappable, interpElf, -1, interp.file.dentry?.path() ?? mainElf.interp ?? '');
    if (typeof il === 'number') return fatal(il);
    interpBase = il.bias;
    entry = interpElf.entry + il.bias;
  }
  const vdso = mapVdso(mm, k.vdso, k.vvar);
  if (vdso < 0) return fail(vdso);
  mm.brkStart = mm.brkEnd = pageUp(mainLoad.end) + (mainElf.type === ET_DYN ? randomPages(1 << 13) : 0);

  // Stack.
  const stackBottom = stackTop - STACK_SIZE;
  const sr = mm.mmap({
    addr: stackBottom, length: STACK_SIZE, prot: PROT_READ | PROT_WRITE,
    flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, file: null, offset: 0, name: '[stack]',
  });
  if (sr < 0) return fail(sr);
  mm.stackTop = stackTop;

  const phdrAddr = findPhdr(mainElf, mainLoad.bias);
  const execfn = req.path;
  const aux = req.exec?.creds ?? req.creds;
  const sp = buildStack(mm, stackTop, argv, req.envp, execfn, (random, execfnAddr, platformAddr) => [
    AT_SYSINFO_EHDR, vdso,
    AT_PHDR, phdrAddr,
    AT_PHENT, 56,
    AT_PHNUM, mainElf.phnum,
    AT_PAGESZ, PAGE,
    AT_BASE, interpBase,
    AT_FLAGS, 0,
    AT_ENTRY, mainElf.entry + mainLoad.bias,
    AT_UID, aux.ruid,
    AT_EUID, aux.euid,
    AT_GID, aux.rgid,
    AT_EGID, aux.egid,
    AT_SECURE, req.exec?.secure === true ? 1 : 0,
    AT_CLKTCK, 100,
    AT_HWCAP, hwcap(),
    AT_HWCAP2, hostAux(AT_HWCAP2, 0),
    AT_RANDOM, random,
    AT_EXECFN, execfnAddr,
    AT_PLATFORM, platformAddr,
    AT_MINSIGSTKSZ, minSigStackSize(),
    AT_NULL, 0,
  ]);
  if (sp < 0) return fail(sp);

  const regs = ctx.regs;
  const cs = regs.get(Reg.CS), ss = regs.get(Reg.SS), ds = regs.get(Reg.DS), es = regs.get(Reg.ES);
  regs.raw.fill(0n);
  regs.set(Reg.CS, cs);
  regs.set(Reg.SS, ss);
  regs.set(Reg.DS, ds);
  regs.set(Reg.ES, es);
  regs.set(Reg.RIP, entry);
  regs.set(Reg.RSP, sp);
  regs.set(Reg.EFLAGS, 0x202);
  regs.set(Reg.ORIG_RAX, -1);
  ctx.regsDirty = true;

  decRef(main.file);
  if (interp !== null) decRef(interp.file);
  const base = path.slice(path.lastIndexOf('/') + 1);
  return { mm, ctx, comm: base.slice(0, 15) };
}


/** Maps the PT_LOAD segments; bias -1 means "anywhere" (the interpreter). Returns the bias and the end of the image. */
function mapSegments(mm: MemoryManager, file: Mappable, elf: ElfInfo, bias: number, name: string): { bias: number; end: number } | number {
  const loads = elf.phdrs.filter((p) => p.type === PT_LOAD);
  const lo = pageDown(Math.min(...loads.map((p) => p.vaddr)));
  const hi = pageUp(Math.max(...loads.map((p) => p.vaddr + p.memsz)));
  if (elf.type === ET_DYN) {
    // Reserve the whole span first so the segments land together.
    const hint = bias >= 0 ? bias + lo : 0;
    const r = mm.mmap({ addr: hint, length: hi - lo, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0 });
    if (r < 0) return r;
    bias = r - lo;
  } else {
    bias = 0;
    if (lo < mm.minAddr) return -EPERM;
  }
  for (const p of loads) {
    const bad = checkLoad(p, bias, mm.maxAddr);
    if (bad < 0) return bad;
    const prot = (p.flags & PF_R ? PROT_READ : 0) | (p.flags & PF_W ? PROT_WRITE : 0) | (p.flags & PF_X ? PROT_EXEC : 0);
    const start = pageDown(p.vaddr + bias);
    const fileStart = pageDown(p.offset);
    const fileEnd = pageUp(p.vaddr + bias + p.filesz);
    const memEnd = pageUp(p.vaddr + bias + p.memsz);
    if (p.filesz > 0) {
      const r = mm.mmap({ addr: start, length: fileEnd - start, prot, flags: MAP_PRIVATE | MAP_FIXED, file, offset: fileStart, name });
      if (r < 0) return r;
      // The file's bytes past filesz in the last page belong to the next section: bss starts zeroed.
      const zeroFrom = p.vaddr + bias + p.filesz;
      if (p.memsz > p.filesz && zeroFrom < fileEnd) {
        if (mm.zeroOut(zeroFrom, fileEnd - zeroFrom, true) !== fileEnd - zeroFrom) return -EFAULT;
      }
    }
    const anonStart = p.filesz > 0 ? fileEnd : start;
    if (memEnd > anonStart) {
      const r = mm.mmap({
        addr: anonStart, length: memEnd - anonStart, prot, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, file: null, offset: 0,
        charged: true,
      });
      if (r < 0) return r;
    }
  }
  // Release any reservation gaps between segments, as Linux leaves them unmapped.
  if (elf.type === ET_DYN) {
    const sorted = [...loads].sort((a, b) => a.vaddr - b.vaddr);
    let cur = lo + bias;
    for (const p of sorted) {
      const s = pageDown(p.vaddr + bias);
      if (s > cur) mm.munmap(cur, s - cur);
      cur = Math.max(cur, pageUp(p.vaddr + bias + p.memsz));
    }
  }
  return { bias, end: hi + bias };
}


function findPhdr(elf: ElfInfo, bias: number): number {
  const ph = elf.phdrs.find((p) => p.type === PT_PHDR);
  if (ph !== undefined) return ph.vaddr + bias;
  for (const p of elf.phdrs) {
    if (p.type === PT_LOAD && p.offset <= elf.phoff && elf.phoff < p.offset + p.filesz) return p.vaddr + (elf.phoff - p.offset) + bias;
  }
  return 0;
}

let hostAuxv: Map<number, number> | null = null;
/**
 * A value of the host's own auxiliary vector: the CPU facts (AT_HWCAP,
 * AT_HWCAP2) and AT_MINSIGSTKSZ, which accounts for this CPU's XSAVE size
 * (the signal frames the Sentry builds carry the same image).
 */
function hostAux(type: number, fallback: number): number {
  if (hostAuxv === null) {
    hostAuxv = new Map();
    try {
      const b = readFileSync('/proc/self/auxv');
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      for (let o = 0; o + 16 <= b.length; o += 16) {
        hostAuxv.set(dv.getUint32(o, true), dv.getUint32(o + 8, true) + dv.getUint32(o + 12, true) * 4294967296);
      }
    } catch {
      // Fall back to the defaults below.
    }
  }
  return hostAuxv.get(type) ?? fallback;
}

function minSigStackSize(): number {
  return Math.max(2048, hostAux(AT_MINSIGSTKSZ, 2048));
}

function hwcap(): number {
  return hostAux(AT_HWCAP, 0x178bfbff);
}

/**
 * Writes strings, auxv, envp, argv and argc below top. auxv is built by a
 * callback once the addresses of AT_RANDOM's bytes, the file name and the
 * platform string are known. Returns the initial stack pointer.
 */
function buildStack(
  mm: MemoryManager, top: number, argv: string[], envp: string[], execfn: string,
  auxv: (random: number, execfn: number, platform: number) => number[],
): number {
  let sp = top - 8; // Linux leaves a NULL word at the very top.
  const push = (s: string): number => {
    const b = Buffer.from(s + '\0', 'latin1');
    sp -= b.length;
    if (mm.copyOutPartial(sp, b, true) !== b.length) return -EFAULT;
    return sp;
  };
  let total = 0;
  for (const s of [...argv, ...envp]) {
    if (s.length + 1 > MAX_ARG_STRLEN) return -E2BIG;
    total += s.length + 1 + 8;
  }
  if (total > STACK_SIZE / 4) return -E2BIG;
  const execfnAddr = push(execfn);
  const envAddrs: number[] = [];
  for (let i = envp.length - 1; i >= 0; i--) envAddrs.unshift(push(envp[i]));
  const argAddrs: number[] = [];
  for (let i = argv.length - 1; i >= 0; i--) argAddrs.unshift(push(argv[i]));
  if ([execfnAddr, ...envAddrs, ...argAddrs].some((a) => a < 0)) return -EFAULT;
  mm.envStart = envAddrs.length > 0 ? envAddrs[0] : execfnAddr;
  mm.envEnd = execfnAddr;
  mm.argvStart = argAddrs.length > 0 ? argAddrs[0] : mm.envStart;
  mm.argvEnd = mm.envStart;
  const platformAddr = push('x86_64');
  const rnd = new Uint8Array(16);
  native.getRandom(rnd);
  sp -= 16;
  sp = Math.floor(sp / 16) * 16;
  const randomAddr = sp;
  if (mm.copyOutPartial(randomAddr, rnd, true) !== 16) return -EFAULT;
  const aux = auxv(randomAddr, execfnAddr, platformAddr);
  mm.auxv = aux;
  const words = 1 + argAddrs.length + 1 + envAddrs.length + 1 + aux.length;
  sp -= words * 8;
  sp = Math.floor(sp / 16) * 16;
  const buf = new Uint8Array(words * 8);
  const dv = new DataView(buf.buffer);
  let o = 0;
  const put = (v: number) => {
    dv.setUint32(o, v % 4294967296, true);
    dv.setUint32(o + 4, Math.floor(v / 4294967296), true);
    o += 8;
  };
  put(argAddrs.length);
  for (const a of argAddrs) put(a);
  put(0);
  for (const a of envAddrs) put(a);
  put(0);
  for (const a of aux) put(a);
  if (mm.copyOutPartial(sp, buf, true) !== buf.length) return -ENOMEM;
  return sp;
}

