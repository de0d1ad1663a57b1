// The merged listing of an overlay directory (Linux's ovl_iterate with
// its cached merge): the upper directory's names without its whiteouts,
// then the lower directory's names that the upper one neither has nor
// whites out, unless the upper directory is opaque. d_ino is the overlay's
// inode number, the one stat reports.

import type { DirEntry, Inode } from '../../vfs/inode.js';
import { readEntries } from '../../vfs/listed_dir.js';
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
