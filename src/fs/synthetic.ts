// Synthetic file systems served entirely by the Sentry: fixed directory
// trees and the character devices every container has. Until the VFS
// issue gives the sandbox its own procfs and sysfs, /proc and /sys are
// empty directories made here, and /dev holds null, zero, full, random
// and urandom: the host's /proc, /sys and /dev are never passed through.

import { native } from '../native.js';
import { Stat, S_IFCHR, S_IFDIR, S_IFMT, makeDev } from '../vfs/stat.js';
import type { FileSystem, Inode } from '../vfs/inode.js';
import { FileDescription, dtype, putDirent64 } from '../vfs/file_description.js';
import { EINVAL, EISDIR, ENOENT, ENOSPC, ENOTDIR } from '../abi/linux/errno.js';
import { registerCharDevice } from '../vfs/devices.js';


let nextIno = 1;

export class SyntheticFileSystem implements FileSystem {
  readonly readOnly = false;
  readonly dev: number;
  constructor(readonly type: string, readonly magic: number, minor: number) {
    this.dev = makeDev(0, minor);
  }
}

const bootTime = Math.floor(Date.now() / 1000);

function baseStat(fs: SyntheticFileSystem, ino: number, mode: number): Stat {
  const s = new Stat();
  s.dev = fs.dev;
  s.ino = ino;
  s.mode = mode;
  s.nlink = (mode & S_IFMT) === S_IFDIR ? 2 : 1;
  s.atimeSec = s.mtimeSec = s.ctimeSec = bootTime;
  return s;
}

export class SyntheticDir implements Inode {
  readonly ino = nextIno++;
  readonly children = new Map<string, Inode>();
  constructor(readonly fs: SyntheticFileSystem, readonly mode = S_IFDIR | 0o755) {}

  stat(): Stat {
    return baseStat(this.fs, this.ino, this.mode);
  }
  statForWalk(): Stat {
    return this.stat();
  }
  lookup(name: string): Inode | number {
    return this.children.get(name) ?? -ENOENT;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(flags: number): FileDescription {
    return new SyntheticDirFD(this, flags);
  }
}

class SyntheticDirFD extends FileDescription {
  constructor(readonly dir: SyntheticDir, flags: number) {
    super(flags, null);
  }
  stat(): Stat {
    return this.dir.stat();
  }
  override read(): number {
    return -EISDIR;
  }
  override getdents(buf: Uint8Array): number {
    const names = ['.', '..', ...this.dir.children.keys()];
    let off = 0;
    while (this.dirCookie < names.length) {
      const name = names[this.dirCookie];
      const ino = name === '.' || name === '..' ? this.dir.ino : inoOf(this.dir.children.get(name) as Inode);
      const mode = name === '.' || name === '..' ? this.dir.mode : (this.dir.children.get(name) as Inode).mode;
      const n = putDirent64(buf, off, ino, this.dirCookie + 1, dtype(mode), name);
      if (n === 0) break;
      off += n;
      this.dirCookie++;
    }
    if (off === 0 && this.dirCookie < names.length) return -EINVAL;
    this.offset = this.dirCookie;
    return off;
  }
  override seek(off: number, whence: number): number {
    if (whence !== 0 || off < 0) return whence === 1 && off === 0 ? this.dirCookie : -EINVAL;
    this.dirCookie = off;
    this.offset = off;
    return off;
  }
}

function inoOf(i: Inode): number {
  return (i as { ino?: number }).ino ?? 0;
}

export type DeviceKind = 'null' | 'zero' | 'full' | 'random' | 'urandom';
const DEVICE_NUMBERS: Record<DeviceKind, number> = { null: 3, zero: 5, full: 7, random: 8, urandom: 9 };

export class DeviceInode implements Inode {
  readonly ino = nextIno++;
  readonly mode = S_IFCHR | 0o666;
  constructor(readonly fs: SyntheticFileSystem, readonly kind: DeviceKind) {}
  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode);
    s.rdev = makeDev(1, DEVICE_NUMBERS[this.kind]);
    s.blksize = 4096;
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
    return new DeviceFD(this, flags);
  }
}

class DeviceFD extends FileDescription {
  constructor(readonly dev: DeviceInode, flags: number) {
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

/** The sandbox's /dev, /proc and /sys until the full VFS: see the file comment. */
export function makeSyntheticMounts(): { dev: SyntheticDir; proc: SyntheticDir; sys: SyntheticDir } {
  const devfs = new SyntheticFileSystem('devtmpfs', 0x01021994, 5);
  const dev = new SyntheticDir(devfs);
  for (const k of ['null', 'zero', 'full', 'random', 'urandom'] as DeviceKind[]) {
    const ino = new DeviceInode(devfs, k);
    dev.children.set(k, ino);
    // Device nodes made elsewhere (mknod on tmpfs) with this number open the same device.
    registerCharDevice(1, DEVICE_NUMBERS[k], (flags) => new DeviceFD(ino, flags));
  }
  dev.children.set('shm', new SyntheticDir(devfs, S_IFDIR | 0o1777));
  dev.children.set('pts', new SyntheticDir(devfs));
  const proc = new SyntheticDir(new SyntheticFileSystem('proc', 0x9fa0, 20), S_IFDIR | 0o555);
  const sys = new SyntheticDir(new SyntheticFileSystem('sysfs', 0x62656572, 21), S_IFDIR | 0o555);
  return { dev, proc, sys };
}
