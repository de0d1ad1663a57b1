// devpts (Linux fs/devpts/inode.c, gVisor pkg/sentry/fsimpl/devpts): the
// file system of pseudo-terminals, mounted at /dev/pts. Its root holds
// `ptmx` (5:2), whose every open makes a new pty and returns its master,
// and one `N` (136:N) per pty whose master is open, the replica, owned by
// the uid that opened ptmx and group tty (gid=5), mode 0620, as a
// container's devpts is mounted (gid=5,mode=620,ptmxmode=666). An index is
// the lowest free one and is reused once both sides of its pty are
// closed; the entry goes when the master closes.
//
// Differs from Linux: one instance for the sandbox (newinstance is what
// every mount is); at most PTY_MAX ptys (kernel.pty.max); each pty takes
// its queues' bound from the Sentry's buffer budget when made, and ptmx
// fails with ENOSPC when either runs out.

import type { DirEntry, FileSystem, Inode, StatFS } from '../../vfs/inode.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { Stat, S_IFCHR, S_IFDIR, makeDev, minorOf } from '../../vfs/stat.js';
import { EINVAL, ENOENT, ENOSPC, ENOTDIR } from '../../abi/linux/errno.js';
import { PTY } from '../../kernel/tty/pty.js';
import type { PtyOwner } from '../../kernel/tty/pty.js';
import { INPUT_MAX, N_TTY_BUF_SIZE, OUTPUT_MAX } from '../../kernel/tty/line_discipline.js';
import { currentTask } from '../../kernel/current.js';
import { chargeBuffers, unchargeBuffers } from '../../kernel/buffers.js';
import { ListedDirFD, listedDir } from '../../vfs/listed_dir.js';
import { registerFileSystemType } from '../../vfs/fs_registry.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';

export const DEVPTS_SUPER_MAGIC = 0x1cd1;
export const PTY_MAX = 4096;
const TTY_GID = 5;
const DT_CHR = 2;
/** What one pty's queues may hold: charged to the buffer budget while it exists. */
const PTY_COST = 2 * N_TTY_BUF_SIZE + INPUT_MAX + OUTPUT_MAX;

function now(): [number, number] {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

export class DevptsFileSystem implements FileSystem, PtyOwner {
  readonly type = 'devpts';
  readonly readOnly = false;
  readonly magic = DEVPTS_SUPER_MAGIC;
  readonly source = 'devpts';
  /**
   * Not stable: its entries come and go behind the VFS's back (a ptmx
   * open, the master's close), and an index is reused, with the same
   * inode number (Linux's index + 3), so a cached /dev/pts/N would name
   * a freed pty (Linux deletes the dentry in devpts_pty_kill).
   */
  readonly stableTree = false;
  readonly dev: number;
  readonly root: DevptsRoot;
  readonly ptmx: PtmxInode;
  /** Ptys by index, with their replica's inode while the master is open. */
  readonly ptys = new Map<number, { pty: PTY; inode: ReplicaInode | null }>();

  constructor(minor: number) {
    this.dev = makeDev(0, minor);
    this.root = new DevptsRoot(this);
    this.ptmx = new PtmxInode(this);
  }

  superOptions(): string {
    return 'gid=5,mode=620,ptmxmode=666';
  }

  statfs(): StatFS {
    return { type: DEVPTS_SUPER_MAGIC, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: 255, frsize: 4096 };
  }

  /** A new pty and its master (ptmx's open). */
  newPty(flags: number): FileDescription | number {
    let index = 0;
    while (this.ptys.has(index)) index++;
    if (index >= PTY_MAX) return -ENOSPC;
    if (!chargeBuffers(PTY_COST)) return -ENOSPC;
    const pty = new PTY(index, this);
    const t = currentTask();
    const inode = new ReplicaInode(this, pty, t?.creds.fsuid ?? 0);
    pty.replicaSrc = inode;
    this.ptys.set(index, { pty, inode });
    return pty.openMaster(flags, this.ptmx);
  }

  masterClosed(p: PTY): void {
    const e = this.ptys.get(p.index);
    if (e !== undefined) e.inode = null;
  }

  freed(p: PTY): void {
    if (this.ptys.get(p.index)?.pty !== p) return;
    this.ptys.delete(p.index);
    unchargeBuffers(PTY_COST);
  }
}

function baseStat(fs: DevptsFileSystem, ino: number, mode: number, times: [number, number]): Stat {
  const s = new Stat();
  s.dev = fs.dev;
  s.ino = ino;
  s.mode = mode;
  s.nlink = 1;
  s.blksize = 1024;
  [s.atimeSec, s.atimeNsec] = times;
  [s.mtimeSec, s.mtimeNsec] = times;
  [s.ctimeSec, s.ctimeNsec] = times;
  return s;
}

const mountTime = now();

export class DevptsRoot implements Inode {
  readonly ino = 1;
  readonly parentIno = 1;
  readonly mode = S_IFDIR | 0o755;
  constructor(readonly fs: DevptsFileSystem) {}

  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode, mountTime);
    s.nlink = 2;
    return s;
  }
  statForWalk(): Stat {
    return this.stat();
  }
  lookup(name: string): Inode | number {
    if (name === 'ptmx') return this.fs.ptmx;
    if (!/^(0|[1-9][0-9]{0,9})$/.test(name)) return -ENOENT;
    return this.fs.ptys.get(Number(name))?.inode ?? -ENOENT;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(flags: number): FileDescription {
    return new ListedDirFD(listedDir(this, this.parentIno), flags);
  }
  entries(): DirEntry[] {
    const out: DirEntry[] = [{ name: 'ptmx', ino: this.fs.ptmx.ino, type: DT_CHR }];
    const idx = [...this.fs.ptys.entries()].filter(([, e]) => e.inode !== null).map(([i]) => i).sort((a, b) => a - b);
    for (const i of idx) out.push({ name: String(i), ino: i + 3, type: DT_CHR });
    return out;
  }
}

export class PtmxInode implements Inode {
  readonly ino = 2;
  readonly mode = S_IFCHR | 0o666;
  constructor(readonly fs: DevptsFileSystem) {}

  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode, mountTime);
    s.rdev = makeDev(5, 2);
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
    return this.fs.newPty(flags);
  }
}

export class ReplicaInode implements Inode {
  readonly ino: number;
  mode = S_IFCHR | 0o620;
  private readonly made = now();
  /** uid: who opened ptmx; a console's is then its process's user (src/boot/console.ts, runc's fixStdioPermissions). */
  constructor(readonly fs: DevptsFileSystem, readonly pty: PTY, public uid: number) {
    this.ino = pty.index + 3;
  }

  stat(): Stat {
    const s = baseStat(this.fs, this.ino, this.mode, this.made);
    s.rdev = makeDev(136, this.pty.index);
    s.uid = this.uid;
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
    return this.pty.openReplica(flags, this, true);
  }
}

/**
 * mount -t devpts: every mount is a new instance (newinstance is implied,
 * as since Linux 4.7); the options taken are those it has (gid=5,
 * mode=620, ptmxmode=666, as runc's default /dev/pts mount gives them),
 * and any other value is refused.
 */
const DEVPTS_OPTIONS = new Set(['newinstance', 'gid=5', 'mode=620', 'mode=0620', 'ptmxmode=666', 'ptmxmode=0666']);
registerFileSystemType('devpts', (ctx) => {
  for (const o of ctx.data.split(',')) if (o !== '' && !DEVPTS_OPTIONS.has(o)) return -EINVAL;
  const fs = new DevptsFileSystem(minorOf(allocAnonDev()));
  return { fs, root: fs.root };
}, { userns: true });
