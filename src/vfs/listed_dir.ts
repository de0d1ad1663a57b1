// An open directory whose file system lists it with Inode.entries (tmpfs
// keeps its own cookies; devfs, devpts, procfs and the overlay use this):
// getdents64 gives ".", ".." and then the list as it was when the listing
// started (at position 0), a position being an index into that snapshot,
// as Linux's dcache_readdir offsets. The snapshot is what makes a program
// that deletes what it lists see each surviving entry once.

import { FileDescription, O_DIRECTORY, O_RDONLY, putDirent64 } from './file_description.js';
import type { DirEntry, Inode } from './inode.js';
import type { Stat } from './stat.js';
import { EINVAL, EISDIR } from '../abi/linux/errno.js';

const DT_DIR = 4;

/** What a listed directory needs of its inode: its listing, and the numbers "." and ".." show. */
export interface ListedDir {
  stat(): Stat | number;
  entries(): readonly DirEntry[] | number;
  /** st_ino of the directory, for ".". */
  readonly dirIno: number;
  /** st_ino of its parent, for ".." (its own where the file system cannot know: the VFS can). */
  readonly parentIno: number;
}

export class ListedDirFD extends FileDescription {
  private listing: readonly DirEntry[] | null = null;

  constructor(readonly dir: ListedDir, flags: number) {
    super(flags, null);
  }

  stat(): Stat | number {
    return this.dir.stat();
  }

  override read(): number {
    return -EISDIR;
  }

  override getdents(buf: Uint8Array): number {
    if (this.listing === null || this.dirCookie === 0) {
      const e = this.dir.entries();
      if (typeof e === 'number') return e;
      this.listing = e;
    }
    const list = this.listing;
    const total = list.length + 2;
    let off = 0;
    while (this.dirCookie < total) {
      const i = this.dirCookie;
      const e = i === 0 ? { name: '.', ino: this.dir.dirIno, type: DT_DIR }
        : i === 1 ? { name: '..', ino: this.dir.parentIno, type: DT_DIR } : list[i - 2];
      const n = putDirent64(buf, off, e.ino, i + 1, e.type, e.name);
      if (n === 0) break;
      off += n;
      this.dirCookie++;
    }
    if (off === 0 && this.dirCookie < total) return -EINVAL;
    this.offset = this.dirCookie;
    return off;
  }

  override seek(off: number, whence: number): number {
    if (whence === 1 && off === 0) return this.dirCookie;
    if (whence !== 0 || off < 0) return -EINVAL;
    this.dirCookie = off;
    this.offset = off;
    return off;
  }
}

/** A ListedDir over an inode with entries() and an `ino`, its parent's number given. */
export function listedDir(inode: Inode & { readonly ino: number }, parentIno: number): ListedDir {
  return {
    stat: () => inode.stat(),
    entries: () => inode.entries?.() ?? [],
    dirIno: inode.ino,
    parentIno,
  };
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
