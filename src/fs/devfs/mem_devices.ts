// The memory character devices (Linux drivers/char/mem.c, gVisor
// pkg/sentry/devices/memdev): /dev/null (1:3), /dev/zero (1:5), /dev/full
// (1:7), /dev/random (1:8) and /dev/urandom (1:9). random and urandom read
// from the host's getrandom(2), which never blocks once the host pool is
// ready, as Linux 5.6+'s /dev/random does not either.
//
// Differs from Linux: mmap of /dev/zero is not served here (ENODEV);
// writes to random/urandom are accepted and not mixed into any pool.

import { native } from '../../native.js';
import { FileDescription } from '../../vfs/file_description.js';
import type { FileSystem, Inode } from '../../vfs/inode.js';
import { Stat, S_IFCHR, makeDev } from '../../vfs/stat.js';
import { EINVAL, ENOSPC, ENOTDIR } from '../../abi/linux/errno.js';

export type MemDeviceKind = 'null' | 'zero' | 'full' | 'random' | 'urandom';
const MINOR: Record<MemDeviceKind, number> = { null: 3, zero: 5, full: 7, random: 8, urandom: 9 };

export class MemDeviceInode implements Inode {
  readonly mode = S_IFCHR | 0o666;
  constructor(readonly fs: FileSystem & { readonly dev: number }, readonly ino: number, readonly kind: MemDeviceKind,
    private readonly times: readonly [number, number]) {}

  stat(): Stat {
    const s = new Stat();
    s.dev = this.fs.dev;
    s.ino = this.ino;
    s.mode = this.mode;
    s.rdev = makeDev(1, MINOR[this.kind]);
    [s.atimeSec, s.atimeNsec] = this.times;
    [s.mtimeSec, s.mtimeNsec] = this.times;
    [s.ctimeSec, s.ctimeNsec] = this.times;
    return s;
  }
  statForWalk(): Stat {
    return this.stat();
  }
  lookup(): number {
    return -ENOTDIR;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(flags: number): FileDescription {
    return new MemDeviceFD(this, flags);
  }
}

class MemDeviceFD extends FileDescription {
  constructor(readonly dev: MemDeviceInode, flags: number) {
    super(flags, null);
  }
  stat(): Stat {
    return this.dev.stat();
  }
  override read(dsts: Uint8Array[], total: number): number {
    switch (this.dev.kind) {
      case 'null':
        return 0;
      case 'zero':
      case 'full':
        for (const d of dsts) d.fill(0);
        return total;
      default:
        for (const d of dsts) {
          for (let o = 0; o < d.length; o += 65536) native.getRandom(d.subarray(o, Math.min(d.length, o + 65536)));
        }
        return total;
    }
  }
  override write(srcs: Uint8Array[], total: number): number {
    return this.dev.kind === 'full' ? -ENOSPC : total;
  }
  override seek(): number {
    this.offset = 0;
    return 0;
  }
}
