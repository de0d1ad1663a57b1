// Opening a host descriptor again through /proc/PID/fd/N (Linux's
// proc_fd_link on a file the program was given: `cat /proc/self/fd/4` of
// runc exec --preserve-fds, `/dev/stdin` when stdin is a host file, pipe
// or terminal). procfs's fd links jump to a dentry here, one made for
// each reopen, whose inode opens a new description of the same host file:
// a regular file is opened again through the Sentry's /proc (a new file
// position, as Linux's reopen gives), anything else (a pipe, a socket, a
// terminal) is a copy of the descriptor (its file position is no
// matter, and a FIFO open that could wait for the other end is never
// made). It has one internal mount, in no task's namespace.
//
// Differs from Linux: the access asked for must be one the descriptor
// already has (a read-only file given to the container is never opened
// for writing through it, whatever the Sentry's own host privileges);
// Linux checks only the inode's permissions, which the VFS checks too.
// O_TRUNC fails (EPERM: the inode has no setattr).

import type { FileSystem, Inode } from '../vfs/inode.js';
import type { FileDescription } from '../vfs/file_description.js';
import { O_ACCMODE, O_APPEND, O_CLOEXEC, O_RDWR } from '../vfs/file_description.js';
import { Dentry } from '../vfs/dentry.js';
import { InternalRoot } from '../vfs/internal_root.js';
import { Mount, MountNamespace } from '../vfs/mount.js';
import type { Stat } from '../vfs/stat.js';
import { S_IFMT, S_IFREG } from '../vfs/stat.js';
import { EACCES, EINVAL, ENOTDIR } from '../abi/linux/errno.js';
import { HostFD } from './host_fd.js';
import { native, procDir } from '../native.js';

const ANON_INODE_FS_MAGIC = 0x09041934;

class HostFdFileSystem implements FileSystem {
  readonly type = 'hostfd';
  readonly readOnly = false;
  readonly magic = ANON_INODE_FS_MAGIC;
  readonly source = 'hostfd';
  readonly stableTree = true;
  /** Its files are the host's: the VFS opens none of them as a Sentry FIFO. */
  readonly hostFiles = true;
}

class HostFdInode implements Inode {
  readonly mode: number;
  constructor(readonly fs: FileSystem, private readonly file: HostFD, st: Stat) {
    this.mode = st.mode;
  }
  stat(): Stat | number {
    return this.file.stat();
  }
  statForWalk(): Stat | number {
    return this.file.stat();
  }
  lookup(): number {
    return -ENOTDIR;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(flags: number): FileDescription | number {
    const had = this.file.flags & O_ACCMODE, want = flags & O_ACCMODE;
    if (want !== had && had !== O_RDWR) return -EACCES;
    let fd: number;
    if ((this.mode & S_IFMT) === S_IFREG) {
      // The Sentry's /proc once sealed, /proc/self/fd before (procDir() < 0), as hostfs reopens.
      fd = native.reopen(procDir(), this.file.hostFd, want | (flags & O_APPEND) | O_CLOEXEC);
    } else {
      fd = native.dup(this.file.hostFd);
    }
    if (fd < 0) return fd;
    return new HostFD(fd, flags, this.file.label, true);
  }
}

let mount: Mount | null = null;

/** The dentry a reopen of f goes through, or -errno when its host file cannot be looked at. */
export function hostFdDentry(f: HostFD): Dentry | number {
  if (mount === null) {
    const fs = new HostFdFileSystem();
    mount = new Mount(fs, new InternalRoot(fs), 0, new MountNamespace(), 'hostfd');
  }
  const st = f.stat();
  if (typeof st === 'number') return st;
  return new Dentry(new HostFdInode(mount.fs, f, st), f.label, mount.root, mount);
}
