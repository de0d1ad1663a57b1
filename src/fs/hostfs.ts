// hostfs (gVisor fsimpl/gofer, in the directfs mode): the container's root
// file system, backed by a host directory. It is the only code that
// touches host files. Every host access is an openat2() beneath the root
// directory's descriptor with RESOLVE_NO_SYMLINKS, on a path the VFS has
// already resolved inside the sandbox, so neither a symlink nor ".." in
// the host tree can lead out of it.
//
// Differs from Linux/gVisor: read-only for now (writes give EROFS; the
// in-memory overlay comes with the VFS issue); device nodes, FIFOs and
// sockets found in the host tree can be listed and stat'ed but not
// opened (EACCES), so the host's devices are never reachable; extended
// attributes are not exposed.

import { native } from '../native.js';
import { Stat, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../vfs/stat.js';
import type { FileSystem, Inode } from '../vfs/inode.js';
import { FileDescription, O_ACCMODE, O_DIRECTORY, O_PATH, O_RDONLY, O_TRUNC } from '../vfs/file_description.js';
import type { Mappable } from '../mm/mm.js';
import { EACCES, EINVAL, EISDIR, ENOENT, ENOTDIR, EROFS } from '../abi/linux/errno.js';

const HOST_O_PATH = 0o10000000, HOST_O_NOFOLLOW = 0o400000, HOST_O_DIRECTORY = 0o200000, HOST_O_RDONLY = 0,
  HOST_O_NONBLOCK = 0o4000;

const statBuf = new Uint8Array(144);
const EMFILE = 24, ENFILE = 23;

/**
 * The default bound on host descriptors for open files: the Sentry's own
 * limit (Node raises its soft RLIMIT_NOFILE to the hard one at start-up)
 * less what the Sentry keeps for itself (stdio, the memory file, logs,
 * /proc reads, the launch descriptors): a quarter of it, at most 4096.
 */
export function defaultMaxHostFds(limit: number): number {
  const reserve = Math.min(4096, Math.max(64, Math.floor(limit / 4)));
  return Math.max(16, limit - reserve);
}
const DEFAULT_MAX_HOST_FDS = defaultMaxHostFds(1024);

export class HostFileSystem implements FileSystem {
  readonly type = 'hostfs';
  readonly readOnly = true;
  readonly magic = 0x01021994; // TMPFS_MAGIC-like constant is wrong for host; use the host's on statfs
  readonly root: HostInode;

  /**
   * Host descriptors held open for the sandbox's open files, and the most it
   * may hold: every open host file costs the Sentry one of its own
   * descriptors, so without a bound one program could use up the Sentry's
   * RLIMIT_NOFILE and leave it, and every other process, unable to open
   * anything. Past it an open fails with ENFILE, as a full system file
   * table does.
   */
  openHostFds = 0;
  maxHostFds: number;

  /** rootFd: an O_PATH descriptor of the host directory that is the sandbox root. */
  constructor(readonly rootFd: number, maxHostFds = DEFAULT_MAX_HOST_FDS) {
    this.maxHostFds = maxHostFds;
    const st = hostStat(rootFd, '');
    if (typeof st === 'number') throw new Error(`tsvisor: cannot stat the root directory: errno ${-st}`);
    if (!st.isDir()) throw new Error('tsvisor: the root is not a directory');
    this.root = new HostInode(this, '', st);
  }
}

/** Stats `rel` beneath dirfd without following a symlink in any component. */
function hostStat(dirfd: number, rel: string): Stat | number {
  const fd = native.openBeneath(dirfd, rel, HOST_O_PATH | HOST_O_NOFOLLOW, 0);
  if (fd < 0) return fd;
  const r = native.fstat(fd, statBuf);
  native.close(fd);
  if (r < 0) return r;
  return Stat.fromRaw(statBuf);
}

export class HostInode implements Inode {
  constructor(
    readonly fs: HostFileSystem,
    /** Path relative to the root directory, no leading slash ("" is the root). */
    readonly rel: string,
    private cached: Stat,
  ) {}

  get mode(): number {
    return this.cached.mode;
  }

  stat(): Stat | number {
    const st = hostStat(this.fs.rootFd, this.rel);
    if (typeof st !== 'number') this.cached = st;
    return st;
  }

  statForWalk(): Stat {
    return this.cached;
  }

  lookup(name: string): Inode | number {
    if ((this.cached.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    const rel = this.rel === '' ? name : this.rel + '/' + name;
    const st = hostStat(this.fs.rootFd, rel);
    if (typeof st === 'number') return st;
    return new HostInode(this.fs, rel, st);
  }

  readlink(): string | number {
    if ((this.cached.mode & S_IFMT) !== S_IFLNK) return -EINVAL;
    const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_PATH | HOST_O_NOFOLLOW, 0);
    if (fd < 0) return fd;
    const r = native.readlinkAt(fd, '');
    native.close(fd);
    return r;
  }

  open(flags: number): FileDescription | number {
    const r = this.openHost(flags);
    if (typeof r === 'number') return r === -EMFILE ? -ENFILE : r;
    if (r instanceof HostOpenFD) this.fs.openHostFds++;
    return r;
  }

  private openHost(flags: number): FileDescription | number {
    const type = this.cached.mode & S_IFMT;
    if (flags & O_PATH) return new HostPathFD(this, flags);
    if (this.fs.openHostFds >= this.fs.maxHostFds) return -ENFILE;
    if ((flags & O_ACCMODE) !== O_RDONLY || flags & O_TRUNC) {
      return type === S_IFDIR ? -EISDIR : -EROFS;
    }
    if (type === S_IFCHR || type === S_IFBLK || type === S_IFIFO || type === S_IFSOCK) return -EACCES;
    if (type === S_IFDIR) {
      const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_RDONLY | HOST_O_DIRECTORY | HOST_O_NOFOLLOW, 0);
      if (fd < 0) return fd;
      return new HostDirFD(this, flags, fd);
    }
    if (flags & O_DIRECTORY) return -ENOTDIR;
    if (type !== S_IFREG) return -EACCES;
    const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_RDONLY | HOST_O_NOFOLLOW | HOST_O_NONBLOCK, 0);
    if (fd < 0) return fd;
    // The tree may have changed since the lookup: what was opened must still be a regular file.
    if (native.fstat(fd, statBuf) < 0 || (Stat.fromRaw(statBuf).mode & S_IFMT) !== S_IFREG) {
      native.close(fd);
      return -EACCES;
    }
    return new HostRegularFD(this, flags, fd);
  }

  /** Whether creating `name` in this directory is possible at all (it is not: read-only). */
  static readonly EROFS = EROFS;
  static readonly ENOENT = ENOENT;
}

abstract class HostOpenFD extends FileDescription {
  constructor(readonly inode: HostInode, flags: number, readonly hostFd: number) {
    super(flags, null);
  }

  stat(): Stat | number {
    const r = native.fstat(this.hostFd, statBuf);
    if (r < 0) return r;
    return Stat.fromRaw(statBuf);
  }

  override release(): void {
    native.close(this.hostFd);
    this.inode.fs.openHostFds--;
  }

  override sync(): number {
    return 0;
  }

  override describe(): string {
    return '/' + this.inode.rel;
  }
}

export class HostRegularFD extends HostOpenFD implements Mappable {
  get mapName(): string {
    return '/' + this.inode.rel;
  }

  private key: string | null | undefined;

  /** The host file's identity for the page cache: device, inode, size, modification time. */
  get cacheKey(): string | null {
    if (this.key === undefined) {
      const st = this.stat();
      this.key = typeof st === 'number' ? null : `${st.dev}:${st.ino}:${st.size}:${st.mtimeSec}.${st.mtimeNsec}`;
    }
    return this.key;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    let pos = offset < 0 ? this.offset : offset;
    let done = 0;
    for (const d of dsts) {
      const n = native.pread(this.hostFd, d, pos);
      if (n < 0) return done > 0 ? done : n;
      done += n;
      pos += n;
      if (n < d.length) break;
    }
    if (offset < 0) this.offset = pos;
    return done;
  }

  override write(): number {
    return -9; // EBADF: opened read-only
  }

  override mappable(): Mappable | number {
    return this;
  }

  /** The host file system's own lseek: its limits (s_maxbytes), SEEK_DATA and SEEK_HOLE. */
  override seek(off: number, whence: number): number {
    native.lseek(this.hostFd, this.offset, 0);
    const r = native.lseek(this.hostFd, off, whence);
    if (r >= 0) this.offset = r;
    return r;
  }

  readAt(dst: Uint8Array, offset: number): void {
    let done = 0;
    while (done < dst.length) {
      const n = native.pread(this.hostFd, dst.subarray(done), offset + done);
      if (n <= 0) break;
      done += n;
    }
  }
}

export class HostDirFD extends HostOpenFD {
  private readonly tmp = new Uint8Array(32768);

  override read(): number {
    return -EISDIR;
  }

  override getdents(buf: Uint8Array): number {
    const n = native.getdents64(this.hostFd, buf.length < this.tmp.length ? this.tmp.subarray(0, buf.length) : this.tmp);
    if (n <= 0) return n;
    buf.set(this.tmp.subarray(0, n));
    return n;
  }

  override seek(off: number, whence: number): number {
    const r = native.lseek(this.hostFd, off, whence);
    if (r >= 0) this.offset = r;
    return r;
  }
}

/** An O_PATH descriptor: names a file, allows fstat, fchdir and *at() lookups, nothing else. */
export class HostPathFD extends FileDescription {
  constructor(readonly inode: HostInode, flags: number) {
    super(flags, null);
  }
  stat(): Stat | number {
    return this.inode.stat();
  }
  override read(): number {
    return -9;
  }
  override write(): number {
    return -9;
  }
  override describe(): string {
    return '/' + this.inode.rel;
  }
}
