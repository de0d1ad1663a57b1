// The building blocks of the Sentry's synthetic file systems, procfs and
// sysfs (gVisor's fsimpl/kernfs, Linux's proc_dir_entry and kernfs_node):
// directories whose children are computed when they are looked up, files
// whose contents are generated when they are read (seq_file), and
// symlinks whose targets are computed when they are read. Nothing here
// is stored: every answer comes from the kernel's state at the moment of
// the call.
//
// Who is asking matters (/proc/self, ptrace access checks, comm writes),
// and the Inode contract passes no caller: the caller is the task the
// kernel is running now (Kernel.current; system calls are served one at a
// time, synchronously). Null outside a system call (the boot's own walks).
//
// Differs from Linux: a file's contents are generated whole when it is
// read from offset 0 (or from an offset other than where the last read
// ended), as gVisor's DynamicBytesFileDescriptionImpl does, rather than
// record by record; lseek(SEEK_END) is relative to size 0, not EINVAL.

import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { DirEntry, FileSystem, Inode, SetAttr } from '../../vfs/inode.js';
import { ListedDirFD, listedDir } from '../../vfs/listed_dir.js';
import { FileDescription, O_ACCMODE, O_PATH, O_RDONLY, dtype } from '../../vfs/file_description.js';
import { Stat, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, makeDev } from '../../vfs/stat.js';
import { EACCES, EINVAL, EIO, ELOOP, ENOENT, ENOTDIR, EPERM } from '../../abi/linux/errno.js';

/** A synthetic file system instance: its device number, its inode numbers, the kernel it shows. */
export class KernFileSystem implements FileSystem {
  readonly readOnly = false;
  readonly stableTree = false;
  readonly dev: number;
  private nextIno = 1;

  constructor(
    readonly type: string,
    readonly magic: number,
    minor: number,
    readonly kernel: Kernel,
    readonly source = type,
  ) {
    this.dev = makeDev(0, minor);
  }

  /** A fresh inode number (for nodes made once, or whose number Linux does not keep either). */
  allocIno(): number {
    return this.nextIno++;
  }

  /** The task whose system call is being served, or null. */
  get caller(): Task | null {
    return this.kernel.current;
  }

  /** The realtime clock in whole seconds, for the nodes' times (Linux stamps a proc inode when it is made). */
  nowSec(): number {
    return Math.floor(this.kernel.realtimeMs() / 1000);
  }

  superOptions(): string {
    return '';
  }
}

/** An inode of a synthetic file system. Subclasses decide the owner, the children, the contents. */
export abstract class KNode implements Inode {
  private readonly made: number;

  constructor(
    readonly fs: KernFileSystem,
    readonly ino: number,
    readonly mode: number,
  ) {
    this.made = fs.nowSec();
  }

  /** uid and gid of the node (root unless it belongs to a task). */
  owner(): readonly [number, number] {
    return [0, 0];
  }

  /** The node's permission bits now (a task's files change with its dumpable flag in Linux; here fixed). */
  perm(): number {
    return this.mode & 0o7777;
  }

  /** -errno when the thing the node shows is gone (a reaped process): stat and opens fail. */
  gone(): number {
    return 0;
  }

  stat(): Stat | number {
    const g = this.gone();
    if (g < 0) return g;
    const s = new Stat();
    s.dev = this.fs.dev;
    s.ino = this.ino;
    s.mode = (this.mode & S_IFMT) | this.perm();
    s.nlink = (this.mode & S_IFMT) === S_IFDIR ? this.dirLinks() : 1;
    const [uid, gid] = this.owner();
    s.uid = uid;
    s.gid = gid;
    s.blksize = 1024;
    s.atimeSec = s.mtimeSec = s.ctimeSec = this.made;
    return s;
  }

  /** st_nlink of a directory: 2 and its subdirectories, as Linux counts them. */
  dirLinks(): number {
    return 2;
  }

  statForWalk(): Stat | number {
    return this.stat();
  }

  lookup(name: string): Inode | number {
    return -ENOTDIR;
  }

  readlink(): string | number {
    return -EINVAL;
  }

  /**
   * O_TRUNC's setattr({size: 0}, with the truncation's own mtime) is
   * accepted (echo > /proc/self/comm), as Linux's proc files ignore it;
   * chmod, chown and a change of times alone are EPERM.
   */
  setattr(attr: SetAttr): number {
    if (attr.mode !== undefined || attr.uid !== undefined || attr.gid !== undefined) return -EPERM;
    return attr.size === 0 ? 0 : -EPERM;
  }

  abstract open(flags: number): FileDescription | number;
}

/** A directory: its children are whatever `list` and `child` say now. */
export abstract class KDir extends KNode {
  constructor(fs: KernFileSystem, ino: number, perm = 0o555) {
    super(fs, ino, S_IFDIR | perm);
  }

  /** The names in the directory now, in order. */
  abstract list(): string[];

  /** The child called name, or -ENOENT. */
  abstract child(name: string): Inode | number;

  override lookup(name: string): Inode | number {
    const g = this.gone();
    if (g < 0) return -ENOENT;
    return this.child(name);
  }

  entries(): readonly DirEntry[] | number {
    const g = this.gone();
    if (g < 0) return -ENOENT;
    const out: DirEntry[] = [];
    for (const name of this.list()) {
      const c = this.child(name);
      if (typeof c === 'number') continue;
      out.push({ name, ino: (c as KNode).ino ?? 0, type: dtype(c.mode) });
    }
    return out;
  }

  open(flags: number): FileDescription | number {
    const g = this.gone();
    if (g < 0) return g;
    if (flags & O_PATH) return new KPathFD(this, flags);
    return new ListedDirFD(listedDir(this, this.ino), flags);
  }
}

/** A directory of fixed children (made once, at mount time). */
export class StaticDir extends KDir {
  readonly children = new Map<string, Inode>();

  constructor(fs: KernFileSystem, perm = 0o555) {
    super(fs, fs.allocIno(), perm);
  }

  list(): string[] {
    return [...this.children.keys()];
  }

  child(name: string): Inode | number {
    return this.children.get(name) ?? -ENOENT;
  }

  override dirLinks(): number {
    let n = 2;
    for (const c of this.children.values()) if ((c.mode & S_IFMT) === S_IFDIR) n++;
    return n;
  }

  /** Adds (or returns) the subdirectory at a slash-separated path below this one. */
  dir(path: string): StaticDir {
    let d: StaticDir = this;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      const found = d.children.get(part);
      let next: StaticDir;
      if (found instanceof StaticDir) {
        next = found;
      } else {
        next = new StaticDir(this.fs);
        d.children.set(part, next);
      }
      d = next;
    }
    return d;
  }
}

/** A regular file whose contents are generated when read. */
export abstract class KFile extends KNode {
  constructor(fs: KernFileSystem, ino: number, perm = 0o444) {
    super(fs, ino, S_IFREG | perm);
  }

  /** The contents now, as a byte string (latin1) or bytes, for the caller; or -errno. */
  abstract generate(caller: Task | null): string | Uint8Array | number;

  /** Whether the caller may open the file at all (Linux's checks at open: ptrace access for environ, maps...). */
  mayOpen(caller: Task | null, flags: number): number {
    return 0;
  }

  /** A write of data (the whole of one write(2)); returns bytes taken or -errno. Absent: `noWrite`. */
  write?(caller: Task | null, data: Uint8Array, offset: number): number;

  /**
   * What a file without a write method does with a writer: Linux's proc
   * files refuse the write (EINVAL for a task's files, EIO for the ones
   * proc_create made); sysctl and sysfs files refuse the open, whoever
   * asks (EACCES).
   */
  noWrite: 'EINVAL' | 'EIO' | 'open' = 'EINVAL';

  /** Whether a write of nothing reaches `write` (uid_map's EINVAL); otherwise it does nothing and returns 0. */
  writesEmpty = false;

  open(flags: number): FileDescription | number {
    const g = this.gone();
    if (g < 0) return g;
    if (flags & O_PATH) return new KPathFD(this, flags);
    if ((flags & O_ACCMODE) !== O_RDONLY && (this.write === undefined || (this.perm() & 0o200) === 0) && this.noWrite === 'open') {
      return -EACCES;
    }
    const e = this.mayOpen(this.fs.caller, flags);
    if (e < 0) return e;
    return this.makeFD(flags);
  }

  /** The description an open makes (files read at offsets, as /proc/PID/mem, have their own). */
  makeFD(flags: number): FileDescription {
    return new KFileFD(this, flags);
  }
}

/** A file with fixed contents. */
export class StaticFile extends KFile {
  constructor(fs: KernFileSystem, readonly text: string, perm = 0o444) {
    super(fs, fs.allocIno(), perm);
  }

  generate(): string {
    return this.text;
  }
}

/** A file whose contents come from a function of the kernel (a system file: /proc/meminfo). */
export class KernelFile extends KFile {
  constructor(
    fs: KernFileSystem,
    readonly gen: (k: Kernel, caller: Task | null) => string | number,
    perm = 0o444,
    writer?: (k: Kernel, caller: Task | null, data: string) => number,
  ) {
    super(fs, fs.allocIno(), perm);
    if (writer !== undefined) {
      this.write = (caller, data) => {
        const r = writer(this.fs.kernel, caller, Buffer.from(data).toString('latin1'));
        return r < 0 ? r : data.length;
      };
    }
  }

  generate(caller: Task | null): string | number {
    return this.gen(this.fs.kernel, caller);
  }
}

/** A symlink whose target is computed when it is read. */
export abstract class KSymlink extends KNode {
  constructor(fs: KernFileSystem, ino: number, perm = 0o777) {
    super(fs, ino, S_IFLNK | perm);
  }

  abstract target(caller: Task | null): string | number;

  override readlink(): string | number {
    const g = this.gone();
    if (g < 0) return -ENOENT;
    return this.target(this.fs.caller);
  }

  open(flags: number): FileDescription | number {
    if (flags & O_PATH) return new KPathFD(this, flags);
    return -ELOOP;
  }
}

/** An O_PATH descriptor of a node: fstat, fchdir and *at() lookups only. */
class KPathFD extends FileDescription {
  constructor(readonly node: KNode, flags: number) {
    super(flags, null);
  }
  stat(): Stat | number {
    return this.node.stat();
  }
  override read(): number {
    return -9; // EBADF
  }
  override write(): number {
    return -9;
  }
}

const MAX_WRITE = 4096;

const encoder = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/**
 * An open generated file. The contents are generated again for a read at
 * offset 0 or at an offset other than where the last read ended, so that
 * a program reading a file in pieces sees one consistent snapshot, and one
 * reading it again from the start sees the kernel as it is now.
 */
export class KFileFD extends FileDescription {
  private data: Uint8Array | null = null;
  private lastEnd = -1;

  constructor(readonly file: KFile, flags: number) {
    super(flags, null);
  }

  stat(): Stat | number {
    return this.file.stat();
  }

  override get writesEmpty(): boolean {
    return this.file.writesEmpty;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    if (!this.readable) return -9;
    const pos = offset < 0 ? this.offset : offset;
    if (this.data === null || pos === 0 || pos !== this.lastEnd) {
      const g = this.file.gone();
      if (g < 0) return g;
      const d = this.file.generate(this.file.fs.caller);
      if (typeof d === 'number') return d;
      this.data = typeof d === 'string' ? encoder(d) : d;
    }
    let done = 0;
    let p = pos;
    for (const dst of dsts) {
      if (p >= this.data.length) break;
      const n = Math.min(dst.length, this.data.length - p);
      dst.set(this.data.subarray(p, p + n));
      p += n;
      done += n;
    }
    this.lastEnd = p;
    if (offset < 0) this.offset = p;
    return done;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (!this.writable) return -9;
    const w = this.file.write;
    if (w === undefined) return this.file.noWrite === 'EIO' ? -EIO : -EINVAL;
    const g = this.file.gone();
    if (g < 0) return g;
    // Linux's proc and sysctl writers take at most a page; the rest is not looked at.
    const data = new Uint8Array(Math.min(total, MAX_WRITE));
    let o = 0;
    for (const s of srcs) {
      if (o >= data.length) break;
      const n = Math.min(s.length, data.length - o);
      data.set(s.subarray(0, n), o);
      o += n;
    }
    const pos = offset < 0 ? this.offset : offset;
    let r = w.call(this.file, this.file.fs.caller, data, pos);
    if (r === data.length) r = total;
    if (r > 0 && offset < 0) this.offset += r;
    return r;
  }

  override truncate(): number {
    return 0;
  }

  /** seq_file's lseek: SEEK_SET and SEEK_CUR only. */
  override seek(off: number, whence: number): number {
    const n = whence === 0 ? off : whence === 1 ? this.offset + off : -1;
    if (n < 0) return -EINVAL;
    this.offset = n;
    return n;
  }

  override setattr(): number {
    return -EPERM;
  }
}
