// The open files of hostfs: a regular file (read, and for a volume write,
// pwrite, O_APPEND, ftruncate, fallocate, fsync), a directory (getdents64),
// and O_PATH descriptors. Each holds one host descriptor of the very file
// that was opened (counted against the sandbox's host descriptor budget);
// nothing here resolves a path.
//
// Differs from Linux: O_APPEND follows the sandbox's F_SETFL onto the host
// descriptor before the next write; RLIMIT_FSIZE is the host's for the
// Sentry, not the sandbox's.

import { native } from '../../native.js';
import { Stat, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../vfs/stat.js';
import type { Credentials, SetAttr } from '../../vfs/inode.js';
import { FileDescription, O_APPEND } from '../../vfs/file_description.js';
import type { Mappable } from '../../mm/mm.js';
import { EBADF, EINVAL, EISDIR, EOPNOTSUPP, EROFS } from '../../abi/linux/errno.js';
import type { HostInode } from './inode.js';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, HOST_O_APPEND, HOST_O_NONBLOCK, HOST_O_WRONLY, UTIME_NOW, UTIME_OMIT, fdStat, reopen } from './host.js';

const times = new Float64Array(4);

/**
 * Applies a setattr to the file behind fd (an O_PATH descriptor or an open
 * one; st its stat), in notify_change's effect order: size, owner (which
 * clears set-id bits on the host), mode, then times (truncation updates
 * mtime). pathFd: fd is O_PATH, so a size change opens the file through it.
 */
export function setattrOnFd(fd: number, st: Stat, attr: SetAttr, pathFd: boolean): number {
  const type = st.mode & S_IFMT;
  const flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
  if (attr.size !== undefined) {
    if (type === S_IFDIR) return -EISDIR;
    if (type !== S_IFREG) return -EINVAL;
    if (attr.size < 0) return -EINVAL;
    const r = pathFd ? truncateThrough(fd, attr.size) : native.ftruncate(fd, attr.size);
    if (r < 0) return r;
  }
  if (attr.uid !== undefined || attr.gid !== undefined) {
    const r = native.fchownat(fd, '', attr.uid ?? -1, attr.gid ?? -1, flags);
    if (r < 0) return r;
  }
  if (attr.mode !== undefined) {
    // Linux has no mode for a symlink to change (fchmodat2's EOPNOTSUPP).
    if (type === S_IFLNK) return -EOPNOTSUPP;
    const r = native.fchmodat2(fd, '', attr.mode & 0o7777, flags);
    if (r < 0) return r;
  }
  if (attr.atime !== undefined || attr.mtime !== undefined) {
    times[0] = attr.atime?.[0] ?? 0;
    times[1] = attr.atime?.[1] ?? UTIME_OMIT;
    times[2] = attr.mtime?.[0] ?? 0;
    times[3] = attr.mtime?.[1] ?? UTIME_OMIT;
    const r = native.utimensat(fd, '', times, flags);
    if (r < 0) return r;
  }
  return 0;
}

function truncateThrough(pathFd: number, size: number): number {
  const fd = reopen(pathFd, HOST_O_WRONLY | HOST_O_NONBLOCK);
  if (fd < 0) return fd;
  const r = native.ftruncate(fd, size);
  native.close(fd);
  return r;
}

abstract class HostOpenFD extends FileDescription {
  constructor(readonly inode: HostInode, flags: number, readonly hostFd: number) {
    super(flags, null);
  }

  stat(): Stat | number {
    return fdStat(this.hostFd);
  }

  override release(): void {
    native.close(this.hostFd);
    this.inode.fs.budget.open--;
  }

  override sync(dataOnly = false): number {
    if (!this.inode.fs.bind) return 0;
    return native.fsync(this.hostFd, dataOnly);
  }

  /**
   * fchmod, fchown, futimens (an empty change: both times now) and the
   * rest of a setattr, on the open file itself: whatever its name is now.
   */
  override setattr(change: SetAttr, _creds: Credentials): number {
    if (this.inode.fs.readOnly) return -EROFS;
    const st = this.stat();
    if (typeof st === 'number') return st;
    const attr: SetAttr = Object.keys(change).length === 0
      ? { atime: [0, UTIME_NOW], mtime: [0, UTIME_NOW] } : change;
    return setattrOnFd(this.hostFd, st, attr, false);
  }

  override describe(): string {
    return this.dentry?.path() ?? '/' + this.inode.rel;
  }
}

export class HostRegularFD extends HostOpenFD implements Mappable {
  /** Whether the host descriptor has O_APPEND now (F_SETFL changes the sandbox's flags only). */
  private hostAppend: boolean;

  constructor(inode: HostInode, flags: number, hostFd: number) {
    super(inode, flags, hostFd);
    this.hostAppend = (flags & O_APPEND) !== 0;
  }

  get mapName(): string {
    return this.describe();
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

  /**
   * write(2) and pwrite(2). With O_APPEND every write goes to the end on the
   * host (Linux's pwrite too), where a host writer's may also go, and the
   * offset follows it.
   */
  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (!this.writable) return -EBADF;
    if (this.inode.fs.readOnly) return -EROFS;
    const append = (this.flags & O_APPEND) !== 0;
    if (append !== this.hostAppend) {
      const r = native.setfl(this.hostFd, (append ? HOST_O_APPEND : 0) | HOST_O_NONBLOCK);
      if (r < 0) return r;
      this.hostAppend = append;
    }
    this.key = undefined;
    let done = 0;
    let pos = offset < 0 ? this.offset : offset;
    for (const s of srcs) {
      if (s.length === 0) continue;
      // Appending: the host's file position, which the write leaves at the end.
      const n = native.pwrite(this.hostFd, s, append ? -1 : pos);
      if (n < 0) return done > 0 ? done : n;
      done += n;
      pos += n;
      if (n < s.length) break;
    }
    if (offset < 0) {
      if (append) {
        const end = native.lseek(this.hostFd, 0, 1);
        if (end >= 0) this.offset = end;
      } else {
        this.offset = pos;
      }
    }
    return done;
  }

  override truncate(len: number): number {
    if (!this.writable) return -EINVAL;
    if (this.inode.fs.readOnly) return -EROFS;
    if (len < 0) return -EINVAL;
    this.key = undefined;
    return native.ftruncate(this.hostFd, len);
  }

  /** fallocate(2) on the host file: its own modes (KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE...) and errors. */
  override fallocate(mode: number, offset: number, len: number): number {
    if (!this.writable) return -EBADF;
    if (this.inode.fs.readOnly) return -EROFS;
    this.key = undefined;
    return native.fallocate(this.hostFd, mode, offset, len);
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
    return -EBADF;
  }
  override write(): number {
    return -EBADF;
  }
  override setattr(): number {
    return -EBADF;
  }
  override describe(): string {
    return this.dentry?.path() ?? '/' + this.inode.rel;
  }
}
