// devfs: the sandbox's /dev (gVisor pkg/sentry/fsimpl/dev and devtmpfs;
// what runc and runsc give a container): the memory devices null, zero,
// full, random and urandom (mem_devices.ts), tty (5:0, the caller's
// controlling terminal: ENXIO without one), the symlinks ptmx -> pts/ptmx,
// fd -> /proc/self/fd and stdin/stdout/stderr -> /proc/self/fd/0..2, and
// the directories pts (where devpts is mounted) and shm (mode 1777, where
// the VFS mounts a tmpfs). Modes, owners and device numbers are Linux's.
//
// Differs from Linux: the tree is fixed (no mknod, no new names: EPERM);
// there is no console, as a container without a console has none.

import type { DirEntry, FileSystem, Inode, StatFS } from '../../vfs/inode.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { Stat, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, makeDev, minorOf } from '../../vfs/stat.js';
import { EINVAL, ENOENT, ENOTDIR, ENXIO } from '../../abi/linux/errno.js';
import { MemDeviceInode } from './mem_devices.js';
import type { MemDeviceKind } from './mem_devices.js';
import { ListedDirFD, listedDir } from '../../vfs/listed_dir.js';
import { currentTask } from '../../kernel/current.js';
import { registerFileSystemType } from '../../vfs/fs_registry.js';
import { registerCharDevice } from '../../vfs/devices.js';

export const TMPFS_MAGIC = 0x01021994;
const TTY_GID = 5;

function now(): [number, number] {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

export class DevFileSystem implements FileSystem {
  readonly type = 'devtmpfs';
  readonly readOnly = false;
  readonly magic = TMPFS_MAGIC;
  readonly source = 'none';
  readonly stableTree = true;
  readonly dev: number;
  readonly made = now();
  private nextIno = 1;
  constructor(minor: number) {
    this.dev = makeDev(0, minor);
  }
  ino(): number {
    return this.nextIno++;
  }
  superOptions(): string {
    return 'mode=755';
  }
  statfs(): StatFS {
    return { type: TMPFS_MAGIC, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: 255, frsize: 4096 };
  }
}

function baseStat(fs: DevFileSystem, ino: number, mode: number): Stat {
  const s = new Stat();
  s.dev = fs.dev;
  s.ino = ino;
  s.mode = mode;
  s.nlink = (mode & S_IFMT) === S_IFDIR ? 2 : 1;
  [s.atimeSec, s.atimeNsec] = fs.made;
  [s.mtimeSec, s.mtimeNsec] = fs.made;
  [s.ctimeSec, s.ctimeNsec] = fs.made;
  return s;
}

export class DevDir implements Inode {
  readonly ino: number;
  /** ".." (0 for the root: the mount's parent is not known here, so the root itself). */
  readonly parentIno: number;
  readonly children = new Map<string, Inode & { readonly ino: number }>();
  constructor(readonly fs: DevFileSystem, readonly mode: number, parentIno: number) {
    this.ino = fs.ino();
    this.parentIno = parentIno === 0 ? this.ino : parentIno;
  }
  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode);
    s.nlink = 2 + [...this.children.values()].filter((c) => (c.mode & S_IFMT) === S_IFDIR).length;
    return s;
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
    return new ListedDirFD(listedDir(this, this.parentIno), flags);
  }
  entries(): DirEntry[] {
    return [...this.children].map(([name, c]) => ({ name, ino: c.ino, type: (c.mode >> 12) & 0xf }));
  }
}

export class DevSymlink implements Inode {
  readonly ino: number;
  readonly mode = S_IFLNK | 0o777;
  constructor(readonly fs: DevFileSystem, readonly target: string) {
    this.ino = fs.ino();
  }
  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode);
    s.size = this.target.length;
    return s;
  }
  statForWalk(): Stat {
    return this.stat();
  }
  lookup(): number {
    return -ENOTDIR;
  }
  readlink(): string {
    return this.target;
  }
  open(): number {
    return -ENXIO; // never reached: the walk follows the link, O_PATH|O_NOFOLLOW opens are the VFS's
  }
}

/** /dev/tty: opens the caller's controlling terminal again (Linux's tty_open_current_tty). */
export class TtyDeviceInode implements Inode {
  readonly ino: number;
  readonly mode = S_IFCHR | 0o666;
  constructor(readonly fs: DevFileSystem) {
    this.ino = fs.ino();
  }
  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode);
    s.rdev = makeDev(5, 0);
    s.gid = TTY_GID;
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
  open(flags: number): FileDescription | number {
    const tty = currentTask()?.tg.tty ?? null;
    if (tty === null) return -ENXIO;
    return tty.openAlias(flags);
  }
}

/** The sandbox's /dev and the devpts instance to mount on /dev/pts. */
export function makeDevfs(): DevDir {
  const fs = new DevFileSystem(5);
  const root = new DevDir(fs, S_IFDIR | 0o755, 0);
  const add = <T extends Inode & { readonly ino: number }>(name: string, i: T): T => {
    root.children.set(name, i);
    return i;
  };
  for (const k of ['null', 'zero', 'full', 'random', 'urandom'] as MemDeviceKind[]) {
    const d = add(k, new MemDeviceInode(fs, fs.ino(), k, fs.made));
    // A node made elsewhere (mknod on tmpfs) with this number opens the same device.
    const st = d.stat();
    registerCharDevice(1, minorOf(st.rdev), (flags) => d.open(flags));
  }
  const tty = add('tty', new TtyDeviceInode(fs));
  registerCharDevice(5, 0, (flags) => tty.open(flags));
  add('ptmx', new DevSymlink(fs, 'pts/ptmx'));
  add('pts', new DevDir(fs, S_IFDIR | 0o755, root.ino));
  add('shm', new DevDir(fs, S_IFDIR | 0o1777, root.ino));
  add('fd', new DevSymlink(fs, '/proc/self/fd'));
  add('stdin', new DevSymlink(fs, '/proc/self/fd/0'));
  add('stdout', new DevSymlink(fs, '/proc/self/fd/1'));
  add('stderr', new DevSymlink(fs, '/proc/self/fd/2'));
  return root;
}

// mount -t devtmpfs: the Sentry's /dev (its devpts is mounted on pts/ by
// its own line of the mount table). Only the mode it has (755) is taken;
// size= and nr_inodes= (an OCI spec's tmpfs at /dev has them) bound a tree
// that cannot grow, so any value holds.
registerFileSystemType('devtmpfs', (ctx) => {
  const ok = (o: string) => o === 'mode=755' || o === 'mode=0755' || /^size=\d+[kmg%]?$/i.test(o) || /^nr_inodes=\d+[kmg]?$/i.test(o);
  if (ctx.data !== '' && !ctx.data.split(',').every(ok)) return -EINVAL;
  const root = makeDevfs();
  return { fs: root.fs, root };
});
