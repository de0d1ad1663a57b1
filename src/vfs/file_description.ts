// FileDescription (gVisor pkg/sentry/vfs.FileDescription): an open file,
// shared by every fd that dup(2) or fork made from the same open(2). It
// holds the status flags and the file offset; what reading and writing do
// is up to the file's kind, by overriding the methods here. The defaults
// return the errors Linux gives for a file that does not support the
// operation.
//
// I/O uses the application's memory directly: `dsts`/`srcs` are views of
// the memory file covering the application's buffer, so a read from a
// host file lands in application memory with no copy in between.

import type { Dentry } from './dentry.js';
import type { Stat } from './stat.js';
import type { Credentials } from './inode.js';
import { WaitQueue } from '../sync/waiter.js';
import type { Mappable } from '../mm/mm.js';
import { IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, anyWatches, notifyFile } from './inotify/watches.js';
import { EBADF, EINVAL, EISDIR, ENODEV, ENOTDIR, ENOTTY, EOPNOTSUPP, EPERM, EROFS, ESPIPE } from '../abi/linux/errno.js';

export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200,
  O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_DSYNC = 0o10000,
  O_ASYNC = 0o20000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000, O_DIRECTORY = 0o200000,
  O_NOFOLLOW = 0o400000, O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000, O_SYNC = 0o4010000,
  O_PATH = 0o10000000, O_TMPFILE = 0o20200000;

/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;


/** Returned by I/O when it would block: the caller waits on `queue` for `events`. */
export const WOULD_BLOCK = -11; // -EAGAIN

let nextId = 1;
/** Open file descriptions in the sandbox (all of the Sentry's). */
let live = 0;
/**
 * The most open file descriptions a sandbox may hold (Linux's fs.file-max):
 * every one costs the Sentry memory, and RLIMIT_NOFILE alone, per process,
 * does not bound a sandbox of many processes. Installing a descriptor
 * beyond it fails with ENFILE.
 *
 * Measured (scripts/kernel-heap.js, and the Sentry's RSS while
 * test/hostile/filemax.c holds them): the costliest kind is a Unix socket,
 * ~680 B of heap, ~760 B with its descriptor slot; 2^20 of them took the
 * Sentry to 900 MB. At 2^19 the table full of sockets is ~400 MB, which
 * leaves room below V8's heap limit (2 GiB on small hosts) for every other
 * bound of kernel/limits.ts filled at once.
 */
export const FILE_MAX = 1 << 19;

/** How many open file descriptions exist now. */
export function liveFileDescriptions(): number {
  return live;
}

/** Told when a description is released (an epoll interest goes with its file, as Linux's eventpoll_release). */
export interface ReleaseWatcher {
  fileReleased(): void;
}

export abstract class FileDescription {
  refs = 1;
  /** Who must hear of the release (null while none: most files are never watched). */
  releaseWatchers: Set<ReleaseWatcher> | null = null;
  /** Unique among descriptions (epoll keys interests by fd and description). */
  readonly id = nextId++;
  offset = 0;
  /** For getdents: the position in the directory stream (an index for synthetic dirs). */
  dirCookie = 0;
  /**
   * How reads update the file's atime, as the mount and O_NOATIME say (the
   * VFS sets it when it opens the file): 0 never, 1 relatime, 2 always.
   */
  atimePolicy = 1;
  readonly queue = new WaitQueue();

  private _dentry: Dentry | null = null;

  constructor(
    public flags: number,
    dentry: Dentry | null,
  ) {
    live++;
    this.dentry = dentry;
  }

  /** The name the file was opened by (null for pipes, sockets, anonymous files); its mount counts it as busy. */
  get dentry(): Dentry | null {
    return this._dentry;
  }

  set dentry(d: Dentry | null) {
    if (this._dentry !== null) this._dentry.mount.openFiles--;
    this._dentry = d;
    if (d !== null) d.mount.openFiles++;
  }

  get readable(): boolean {
    return (this.flags & O_PATH) === 0 && (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writable(): boolean {
    return (this.flags & O_PATH) === 0 && (this.flags & O_ACCMODE) !== O_RDONLY;
  }

  /** Reads into dsts (total bytes `total`) at `offset`, or at and advancing this.offset when offset < 0. */
  read(dsts: Uint8Array[], total: number, offset: number): number {
    return -EINVAL;
  }

  write(srcs: Uint8Array[], total: number, offset: number): number {
    return -EINVAL;
  }

  /** Whether pread/pwrite/lseek make sense (false for pipes and terminals). */
  get seekable(): boolean {
    return true;
  }

  seek(off: number, whence: number): number {
    const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4, ENXIO = 6;
    if (!this.seekable) return -ESPIPE;
    let base: number;
    switch (whence) {
      case SEEK_SET: base = 0; break;
      case SEEK_CUR: base = this.offset; break;
      case SEEK_END: {
        const st = this.stat();
        if (typeof st === 'number') return st;
        base = st.size;
        break;
      }
      case SEEK_DATA:
      case SEEK_HOLE: {
        // No file here has holes: data runs from 0 to the size, then one hole.
        const st = this.stat();
        if (typeof st === 'number') return st;
        if (off < 0 || off >= st.size) return -ENXIO;
        this.offset = whence === SEEK_DATA ? off : st.size;
        return this.offset;
      }
      default:
        return -EINVAL;
    }
    const n = base + off;
    if (n < 0) return -EINVAL;
    this.offset = n;
    this.dirCookie = n === 0 ? 0 : this.dirCookie;
    return n;
  }

  abstract stat(): Stat | number;

  /** Fills buf with linux_dirent64 records; returns bytes, 0 at the end, or -errno. */
  getdents(buf: Uint8Array): number {
    return -ENOTDIR;
  }

  ioctl(req: number, arg: number, io: IoctlIO): number {
    return -ENOTTY;
  }

  /** Current readiness (EVENT_IN/OUT...) for poll; files are always ready. */
  readiness(mask: number): number {
    return mask & 0x5;
  }

  /**
   * Whether the file has readiness worth waiting for (pipes, terminals,
   * eventfds, epoll): epoll_ctl refuses the others with EPERM, as Linux
   * does for regular files and directories.
   */
  get pollable(): boolean {
    return false;
  }

  /** Whether write(2) of nothing still reaches the file (a datagram socket sends an empty message). */
  get writesEmpty(): boolean {
    return false;
  }

  /** Whether a blocking write goes on until all of it is written (pipes, as Linux's pipe_write). */
  get writesWhole(): boolean {
    return false;
  }

  /**
   * How long a blocking read (write: a blocking write) of this file may
   * wait, in ms; 0 for as long as it takes. A socket's SO_RCVTIMEO and
   * SO_SNDTIMEO: read(2) and write(2) time out by them as recv and send do.
   */
  ioTimeoutMs(write: boolean): number {
    return 0;
  }

  /**
   * Called before a task waits for `mask` on this file's queue: a file whose
   * readiness comes from outside the Sentry (a host descriptor) starts
   * watching for it here, so that the queue is notified.
   */
  armReadiness(mask: number): void {}

  /** Mappable contents for mmap, or -errno. */
  mappable(): Mappable | number {
    return -ENODEV;
  }

  incRef(): void {
    this.refs++;
  }

  /** Drops a reference; the last one releases the file. */
  decRef(): void {
    if (--this.refs === 0) {
      live--;
      if (this.releaseWatchers !== null) {
        for (const w of [...this.releaseWatchers]) w.fileReleased();
        this.releaseWatchers = null;
      }
      this.release();
      if (this._dentry !== null && anyWatches()) {
        notifyFile(this._dentry, this.flags, (this.flags & O_ACCMODE) !== O_RDONLY ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
      }
      this.dentry = null;
    }
  }

  /** Called when the last reference goes away. */
  release(): void {}

  /** The path shown for this file in /proc/PID/fd and in strace. */
  describe(): string {
    return this.dentry?.path() ?? 'anon_inode:[unknown]';
  }

  truncate(len: number): number {
    return -EINVAL;
  }

  /** fallocate(2), once the VFS has checked the arguments and the file's kind; EOPNOTSUPP where the file system has none. */
  fallocate(mode: number, offset: number, len: number): number {
    return -EOPNOTSUPP;
  }

  /** fsync(2): files that cannot be synced (pipes, devices) say EINVAL, as Linux does. */
  sync(): number {
    return -EINVAL;
  }

  /**
   * fchmod/fchown/futimens on the open file. `change` is empty for a times
   * update. The read-only root refuses (EROFS); files that keep their own
   * attributes (pipes) override this.
   */
  setattr(change: { mode?: number; uid?: number; gid?: number }, creds: Credentials): number {
    return this.dentry?.inode.fs.readOnly === true ? -EROFS : -EPERM;
  }

  static readonly EBADF = EBADF;
  static readonly EISDIR = EISDIR;
}

/** What ioctl handlers may use to reach application memory. */
export interface IoctlIO {
  copyIn(addr: number, len: number): Uint8Array | null;
  copyOut(addr: number, data: Uint8Array): number;
}

/** Encodes one linux_dirent64 record into buf at off; returns the record length, or 0 if it does not fit. */
export function putDirent64(buf: Uint8Array, off: number, ino: number, nextOff: number, type: number, name: string): number {
  const nameBytes = Buffer.from(name, 'latin1');
  const reclen = (19 + nameBytes.length + 1 + 7) & ~7;
  if (off + reclen > buf.length) return 0;
  const d = new DataView(buf.buffer, buf.byteOffset + off, reclen);
  d.setUint32(0, ino % 4294967296, true);
  d.setUint32(4, Math.floor(ino / 4294967296), true);
  d.setUint32(8, nextOff % 4294967296, true);
  d.setUint32(12, Math.floor(nextOff / 4294967296), true);
  d.setUint16(16, reclen, true);
  d.setUint8(18, type);
  buf.set(nameBytes, off + 19);
  buf.fill(0, off + 19 + nameBytes.length, off + reclen);
  return reclen;
}

/** DT_* from a mode's type bits. */
export function dtype(mode: number): number {
  return (mode >> 12) & 0xf;
}
