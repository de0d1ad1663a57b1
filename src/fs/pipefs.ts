// pipefs (Linux's fs/pipe.c pipe_mnt): the file system anonymous pipes
// are on, so that /proc/PID/fd/N of a pipe can be opened again (bash's
// process substitution, `/dev/stdin` when stdin is a pipe). procfs's fd
// links jump to a pipe's dentry here; the VFS opens it as it opens a FIFO,
// over the pipe itself, and a pipe's reopen never waits for the other end
// (Linux's fifo_open with is_pipe). It has one internal mount, in no task's
// namespace, and no names: each dentry is made for the reopen that needs it.

import type { Pipe } from '../kernel/pipe.js';
import type { FileSystem, Inode } from '../vfs/inode.js';
import type { FileDescription } from '../vfs/file_description.js';
import { Dentry } from '../vfs/dentry.js';
import { InternalRoot } from '../vfs/internal_root.js';
import { Mount, MountNamespace } from '../vfs/mount.js';
import type { Stat } from '../vfs/stat.js';
import { S_IFIFO } from '../vfs/stat.js';
import { EINVAL, ENOTDIR, ENXIO } from '../abi/linux/errno.js';

const PIPEFS_MAGIC = 0x50495045;

class PipeFileSystem implements FileSystem {
  readonly type = 'pipefs';
  readonly readOnly = false;
  readonly magic = PIPEFS_MAGIC;
  readonly source = 'pipefs';
  readonly stableTree = true;
}

/** A pipe as an inode: what the VFS's FIFO open finds its pipe by. */
export class PipeInode implements Inode {
  readonly mode: number;
  constructor(readonly fs: FileSystem, readonly pipe: Pipe) {
    this.mode = S_IFIFO | (pipe.mode & 0o7777);
  }
  stat(): Stat | number {
    return this.pipe.stat();
  }
  statForWalk(): Stat | number {
    return this.pipe.stat();
  }
  lookup(): number {
    return -ENOTDIR;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(): FileDescription | number {
    return -ENXIO; // the VFS opens FIFOs itself
  }
}

let mount: Mount | null = null;
const inodes = new WeakMap<Pipe, PipeInode>();

/** The dentry a reopen of pipe goes through (one inode per pipe, so every reopen shares the FIFO state). */
export function pipeDentry(pipe: Pipe): Dentry {
  if (mount === null) {
    const fs = new PipeFileSystem();
    mount = new Mount(fs, new InternalRoot(fs), 0, new MountNamespace(), 'pipefs');
  }
  let inode = inodes.get(pipe);
  if (inode === undefined) {
    inode = new PipeInode(mount.fs, pipe);
    inodes.set(pipe, inode);
  }
  return new Dentry(inode, `pipe:[${pipe.ino}]`, mount.root, mount);
}
