// /proc/PID/maps and smaps (Linux's fs/proc/task_mmu.c), and the memory
// figures stat, statm and status share, all from the MemoryManager's VMAs
// and the PMAs inside them.
//
// Differs from Linux: a private file mapping's pages are counted as file
// pages even after a write copied them (the Sentry does not track which
// were copied); a page shared copy-on-write after fork counts half in Pss,
// whatever the number of sharers; pages are never swapped, locked or huge.

import type { Task } from '../../kernel/task.js';
import type { Mappable, Vma } from '../../mm/mm.js';
import { majorOf, minorOf } from '../../vfs/stat.js';
import { isData } from '../../mm/vma.js';

const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

export interface MMFigures {
  vsize: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  data: number;
  stack: number;
  exe: number;
  lib: number;
  startCode: number;
  endCode: number;
  startData: number;
  endData: number;
}

function resident(v: Vma): number {
  let n = 0;
  for (const p of v.pmas) n += p.end - p.start;
  return n;
}

function isStack(v: Vma): boolean {
  return v.growsDown || v.name === '[stack]';
}

/** The memory figures of t's address space (t must not be a zombie). */
export function mmFigures(t: Task): MMFigures {
  const mm = t.mm;
  const f: MMFigures = {
    vsize: 0, rss: 0, rssAnon: 0, rssFile: 0, rssShmem: 0, data: 0, stack: 0, exe: 0, lib: 0,
    startCode: 0, endCode: 0, startData: 0, endData: 0,
  };
  let execVm = 0;
  for (const v of mm.allVmas) {
    const size = v.end - v.start;
    const rss = resident(v);
    f.vsize += size;
    f.rss += rss;
    if (v.file === null) {
      if (v.shared) f.rssShmem += rss;
      else f.rssAnon += rss;
    } else {
      f.rssFile += rss;
    }
    if (isData(v)) f.data += size;
    if (isStack(v)) f.stack += size;
    if ((v.prot & PROT_EXEC) !== 0 && (v.prot & PROT_WRITE) === 0 && !isStack(v)) execVm += size;
    if (v.file !== null && v.file.mapName === mm.executable) {
      if (v.prot & PROT_EXEC) {
        f.exe += size;
        if (f.startCode === 0) f.startCode = v.start;
        f.endCode = v.end;
      } else if (v.prot & PROT_WRITE) {
        if (f.startData === 0) f.startData = v.start;
        f.endData = v.end;
      }
    }
  }
  f.lib = Math.max(0, execVm - f.exe);
  return f;
}

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/** dev and inode of a mapped file as stat(2) shows them (00:00 0 for kernel pages: the vDSO). */
function fileIdentity(file: Mappable, cache: Map<Mappable, [number, number]>): [number, number] {
  const c = cache.get(file);
  if (c !== undefined) return c;
  let id: [number, number] = [0, 0];
  const st = file.stat?.();
  if (st !== undefined && typeof st !== 'number') id = [st.dev, st.ino];
  cache.set(file, id);
  return id;
}

function nameOf(v: Vma): string {
  if (v.file !== null) return v.file.mapName;
  if (v.shared) return '/dev/zero (deleted)';
  return v.name;
}

/** One maps line (show_map_vma): the header padded to 73 columns before a name. */
function header(v: Vma, cache: Map<Mappable, [number, number]>): string {
  const perms = (v.prot & PROT_READ ? 'r' : '-') + (v.prot & PROT_WRITE ? 'w' : '-') +
    (v.prot & PROT_EXEC ? 'x' : '-') + (v.shared ? 's' : 'p');
  const [dev, ino] = v.file === null ? [0, 0] : fileIdentity(v.file, cache);
  const off = v.file === null ? 0 : v.fileOff;
  const head = `${hex(v.start, 8)}-${hex(v.end, 8)} ${perms} ${hex(off, 8)} ${hex(majorOf(dev), 2)}:${hex(minorOf(dev), 2)} ${ino} `;
  const name = nameOf(v);
  if (name === '') return head + '\n';
  return head.padEnd(72) + ' ' + name.replace(/\n/g, '\\012') + '\n';
}

export function genMaps(t: Task): string {
  const cache = new Map<Mappable, [number, number]>();
  let out = '';
  for (const v of t.mm.allVmas) out += header(v, cache);
  return out;
}

/** VmFlags mnemonics, in Linux's order. */
function vmFlags(v: Vma): string {
  const fl: string[] = [];
  if (v.prot & PROT_READ) fl.push('rd');
  if (v.prot & PROT_WRITE) fl.push('wr');
  if (v.prot & PROT_EXEC) fl.push('ex');
  if (v.shared) fl.push('sh');
  fl.push('mr');
  if (!v.shared || (v.maxProt & PROT_WRITE) !== 0) fl.push('mw');
  fl.push('me');
  if (v.shared) fl.push('ms');
  if (v.growsDown) fl.push('gd');
  if (!v.shared && (v.prot & PROT_WRITE) !== 0) fl.push('ac');
  return fl.map((x) => x + ' ').join('');
}

export function genSmaps(t: Task): string {
  const cache = new Map<Mappable, [number, number]>();
  const mf = t.kernel.mf;
  const line = (name: string, kb: number) => `${name.padEnd(16)}${String(kb).padStart(8)} kB\n`;
  let out = '';
  for (const v of t.mm.allVmas) {
    let rss = 0, shared = 0;
    for (const p of v.pmas) {
      const n = p.end - p.start;
      rss += n;
      if (p.cow || mf.isShared(p.off, n)) shared += n;
    }
    const priv = rss - shared;
    const dirty = v.file === null;
    const k = (b: number) => Math.floor(b / 1024);
    out += header(v, cache);
    out += line('Size:', k(v.end - v.start)) + line('KernelPageSize:', 4) + line('MMUPageSize:', 4) +
      line('Rss:', k(rss)) + line('Pss:', k(priv + shared / 2)) + line('Pss_Dirty:', dirty ? k(priv + shared / 2) : 0) +
      line('Shared_Clean:', dirty ? 0 : k(shared)) + line('Shared_Dirty:', dirty ? k(shared) : 0) +
      line('Private_Clean:', dirty ? 0 : k(priv)) + line('Private_Dirty:', dirty ? k(priv) : 0) +
      line('Referenced:', k(rss)) + line('Anonymous:', v.file === null && !v.shared ? k(rss) : 0) +
      line('LazyFree:', 0) + line('AnonHugePages:', 0) + line('ShmemPmdMapped:', 0) + line('FilePmdMapped:', 0) +
      line('Shared_Hugetlb:', 0) + line('Private_Hugetlb:', 0) + line('Swap:', 0) + line('SwapPss:', 0) +
      line('Locked:', 0) + 'THPeligible:    0\n' + `VmFlags: ${vmFlags(v)}\n`;
  }
  return out;
}
