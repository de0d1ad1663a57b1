// An open directory of a Sentry-served file system whose inode lists its
// entries (Inode.entries): getdents64 walks ".", ".." and then the list,
// a position being an index into it, as Linux's dcache_readdir offsets.

import { FileDescription, putDirent64 } from '../../vfs/file_description.js';
import type { Inode } from '../../vfs/inode.js';
import type { Stat } from '../../vfs/stat.js';
import { EINVAL, EISDIR } from '../../abi/linux/errno.js';

const DT_DIR = 4;

export class ListedDirFD extends FileDescription {
  constructor(readonly dir: Inode & { readonly ino: number; readonly parentIno: number }, flags: number) {
    super(flags, null);
  }

  stat(): Stat | number {
    return this.dir.stat();
  }

  override read(): number {
    return -EISDIR;
  }

  override getdents(buf: Uint8Array): number {
    const list = this.dir.entries?.() ?? [];
    if (typeof list === 'number') return list;
    let off = 0;
    const total = list.length + 2;
    while (this.dirCookie < total) {
      const i = this.dirCookie;
      const e = i === 0 ? { name: '.', ino: this.dir.ino, type: DT_DIR }
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
