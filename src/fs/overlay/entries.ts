// The merged listing of an overlay directory (Linux's ovl_iterate with
// its cached merge): the upper directory's names without its whiteouts,
// then the lower directory's names that the upper one neither has nor
// whites out, unless the upper directory is opaque. d_ino is the overlay's
// inode number, the one stat reports.

import type { DirEntry, Inode } from '../../vfs/inode.js';
import { O_DIRECTORY, O_RDONLY } from '../../vfs/file_description.js';
import type { OverlayInode } from './inode.js';
import { isWhiteout } from './inode.js';

const DT_CHR = 2;

export function listEntries(n: OverlayInode): readonly DirEntry[] | number {
  const out: DirEntry[] = [];
  const seen = new Set<string>();
  const u = n.upper;
  if (u !== null) {
    const ents = readEntries(u);
    if (typeof ents === 'number') return ents;
    for (const e of ents) {
      seen.add(e.name);
      if (e.type === DT_CHR) {
        const i = u.lookup(e.name);
        if (typeof i !== 'number' && isWhiteout(i)) continue;
      }
      out.push({ name: e.name, ino: n.fs.inoFor(`u:${e.ino}`), type: e.type });
    }
  }
  if (n.mergesLower) {
    const lower = n.lower as Inode;
    const st = lower.statForWalk();
    if (typeof st === 'number') return st;
    const ents = readEntries(lower);
    if (typeof ents === 'number') return ents;
    for (const e of ents) {
      if (seen.has(e.name)) continue;
      out.push({ name: e.name, ino: n.fs.inoFor(`l:${st.dev}:${e.ino}`), type: e.type });
    }
  }
  return out;
}

/** A directory's entries through entries(), or by reading it (a file system without entries()). */
export function readEntries(dir: Inode): readonly DirEntry[] | number {
  const direct = dir.entries?.();
  if (direct !== undefined) return direct;
  const f = dir.open(O_RDONLY | O_DIRECTORY);
  if (typeof f === 'number') return f;
  const out: DirEntry[] = [];
  const buf = new Uint8Array(32768);
  try {
    for (;;) {
      const n = f.getdents(buf);
      if (n < 0) return n;
      if (n === 0) return out;
      const dv = new DataView(buf.buffer, buf.byteOffset, n);
      for (let off = 0; off < n;) {
        const ino = dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 4294967296;
        const reclen = dv.getUint16(off + 16, true);
        const type = dv.getUint8(off + 18);
        let end = off + 19;
        while (end < off + reclen && buf[end] !== 0) end++;
        const name = Buffer.from(buf.subarray(off + 19, end)).toString('latin1');
        if (name !== '.' && name !== '..') out.push({ name, ino, type });
        if (reclen === 0) return -5; // EIO: a malformed record
        off += reclen;
      }
    }
  } finally {
    f.decRef();
  }
}
