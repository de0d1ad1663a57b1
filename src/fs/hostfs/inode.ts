// A file in a hostfs instance (gVisor fsimpl/gofer's dentry with directfs),
// named by its path relative to the instance's root descriptor. Every
// host access resolves that path again, beneath the root, one openat2
// with no symlink and no magic link in any component, and acts on what it
// opened: a directory's descriptor with the *at call and one name
// (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW, O_EXCL), or an O_PATH descriptor of the
// file itself whose type is checked first. So a host process that swaps a
// component for a symlink, or a directory for another, as the sandbox
// runs, makes a call fail (ELOOP, ENOENT) or act on what is now at that
// place beneath the root; it can never make one act outside it.
//
// Differs from Linux: a new file belongs to the Sentry's host identity
// unless the Sentry may chown it (host root keeps CAP_CHOWN for a
// writable volume); device nodes cannot be made (EPERM) and, like FIFOs
// and sockets found in the host tree, cannot be opened (EACCES): a host
// FIFO is not a Sentry pipe. Only user.* extended attributes, and only on
// hosts with the *xattrat calls (Linux 6.13); others: EOPNOTSUPP.

import { native } from '../../native.js';
import { Stat, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '../../vfs/stat.js';
import type { CreateContext, DirEntry, Inode, SetAttr } from '../../vfs/inode.js';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, XATTR_CREATE, XATTR_REPLACE } from '../../vfs/inode.js';
import { FileDescription, O_ACCMODE, O_APPEND, O_DIRECTORY, O_DSYNC, O_PATH, O_RDONLY, O_SYNC, O_TRUNC } from '../../vfs/file_description.js';
import {
  EACCES, EINVAL, EISDIR, ELOOP, EMFILE, ENFILE, ENODATA, ENOENT, ENOSYS, ENOTDIR, EOPNOTSUPP, EPERM, ERANGE, EROFS, EXDEV,
} from '../../abi/linux/errno.js';
import type { HostFileSystem } from './filesystem.js';
import { HostDirFD, HostPathFD, HostRegularFD, setattrOnFd } from './files.js';
import {
  AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, HOST_O_CREAT, HOST_O_DIRECTORY, HOST_O_EXCL,
  HOST_O_NOFOLLOW, HOST_O_NONBLOCK, HOST_O_RDONLY, checkName, childRel, fdStat, hostStat, openDirPath, openPath,
  procPathOf, reopen, splitRel, withFd,
} from './host.js';

const XATTR_SIZE_MAX = 65536;
const getdentsBuf = new Uint8Array(32768);

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
    if (typeof st !== 'number' && (st.mode & S_IFMT) === (this.cached.mode & S_IFMT)) this.cached = st;
    return st;
  }

  statForWalk(): Stat {
    return this.cached;
  }

  lookup(name: string): Inode | number {
    if ((this.cached.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    const bad = checkName(name);
    if (bad < 0) return bad === -EINVAL ? -ENOENT : bad;
    const rel = childRel(this.rel, name);
    const st = hostStat(this.fs.rootFd, rel);
    if (typeof st === 'number') return st;
    return new HostInode(this.fs, rel, st);
  }

  readlink(): string | number {
    if ((this.cached.mode & S_IFMT) !== S_IFLNK) return -EINVAL;
    return withFd(openPath(this.fs.rootFd, this.rel), (fd) => native.readlinkAt(fd, ''));
  }

  open(flags: number): FileDescription | number {
    if (flags & O_PATH) return new HostPathFD(this, flags);
    const b = this.fs.budget;
    if (!b.hasRoom()) return -ENFILE;
    const r = this.fs.bind ? this.openVolumeFile(flags) : this.openRootFile(flags);
    if (typeof r === 'number') return r === -EMFILE ? -ENFILE : r;
    b.open++;
    return r;
  }

  /** The read-only root: a read-only open beneath the root, then a check that it is still a regular file. */
  private openRootFile(flags: number): FileDescription | number {
    const type = this.cached.mode & S_IFMT;
    if ((flags & O_ACCMODE) !== O_RDONLY || flags & O_TRUNC) return type === S_IFDIR ? -EISDIR : -EROFS;
    if (type === S_IFDIR) return this.openDir();
    if (flags & O_DIRECTORY) return -ENOTDIR;
    if (type !== S_IFREG) return -EACCES;
    const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_RDONLY | HOST_O_NOFOLLOW | HOST_O_NONBLOCK, 0);
    if (fd < 0) return fd;
    // The tree may have changed since the lookup: what was opened must still be a regular file.
    const st = fdStat(fd);
    if (typeof st === 'number' || !st.isReg()) {
      native.close(fd);
      return -EACCES;
    }
    return new HostRegularFD(this, flags, fd);
  }

  /**
   * A volume: an O_PATH descriptor first, its type checked, and only then
   * the file itself opened through it, so that a FIFO, socket or device
   * node put there by the host is never opened, not even for an instant.
   */
  private openVolumeFile(flags: number): FileDescription | number {
    const type = this.cached.mode & S_IFMT;
    const acc = flags & O_ACCMODE;
    const writing = acc !== O_RDONLY || (flags & O_TRUNC) !== 0;
    if (type === S_IFDIR) return writing ? -EISDIR : this.openDir();
    if (flags & O_DIRECTORY) return -ENOTDIR;
    if (type !== S_IFREG) return -EACCES;
    if (writing && this.fs.readOnly) return -EROFS;
    return withFd(openPath(this.fs.rootFd, this.rel), (p) => {
      const st = fdStat(p);
      if (typeof st === 'number') return st;
      if (!st.isReg()) return st.isLink() ? -ELOOP : -EACCES;
      const fd = reopen(p, acc | HOST_O_NONBLOCK | (flags & (O_APPEND | O_SYNC | O_DSYNC)));
      if (fd < 0) return fd;
      if (flags & O_TRUNC && acc !== O_RDONLY) {
        const r = native.ftruncate(fd, 0);
        if (r < 0) {
          native.close(fd);
          return r;
        }
      }
      this.cached = st;
      return new HostRegularFD(this, flags, fd);
    });
  }

  private openDir(): FileDescription | number {
    const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_RDONLY | HOST_O_DIRECTORY | HOST_O_NOFOLLOW, 0);
    if (fd < 0) return fd;
    return new HostDirFD(this, 0, fd);
  }

  // ---- changing the tree (volumes only) ---------------------------------

  /** -errno unless this is a directory of a writable volume and name one plain component. */
  private canChange(name: string): number {
    if (this.fs.readOnly) return -EROFS;
    if ((this.cached.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    return checkName(name);
  }

  /** Runs fn with an O_PATH descriptor of this directory, opened beneath the root now. */
  private inDir<T>(fn: (dirfd: number) => T | number): T | number {
    return withFd(openDirPath(this.fs.rootFd, this.rel), fn);
  }

  /**
   * Finishes a new file through a descriptor of it: the permission bits the
   * caller asked for (the host's umask took some away), the creator as its
   * owner where the Sentry may give it one (else the Sentry's identity
   * stays). Returns its inode.
   */
  private made(name: string, fd: number, mode: number, ctx: CreateContext): Inode | number {
    const st = fdStat(fd);
    if (typeof st === 'number') return st;
    const flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
    if (st.uid !== ctx.uid || st.gid !== ctx.gid) {
      if (native.fchownat(fd, '', ctx.uid, ctx.gid, flags) === 0) {
        st.uid = ctx.uid;
        st.gid = ctx.gid;
      }
    }
    const type = st.mode & S_IFMT;
    // Linux keeps a new directory's inherited setgid bit.
    const want = (mode & 0o7777) | (type === S_IFDIR ? st.mode & 0o2000 : 0);
    if (type !== S_IFLNK && (st.mode & 0o7777) !== want) {
      const r = native.fchmodat2(fd, '', want, flags);
      if (r === 0) st.mode = type | want;
    }
    return new HostInode(this.fs, childRel(this.rel, name), st);
  }

  create(name: string, mode: number, ctx: CreateContext): Inode | number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    return this.inDir((dirfd) => {
      // O_EXCL: never an existing file, never through a symlink.
      const fd = native.openBeneath(dirfd, name, HOST_O_CREAT | HOST_O_EXCL | HOST_O_RDONLY | HOST_O_NOFOLLOW | HOST_O_NONBLOCK,
        mode & 0o7777);
      return withFd(fd, (f) => this.made(name, f, mode, ctx));
    });
  }

  mkdir(name: string, mode: number, ctx: CreateContext): Inode | number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    return this.inDir((dirfd) => {
      const r = native.mkdirat(dirfd, name, mode & 0o7777);
      if (r < 0) return r;
      return withFd(openDirPath(dirfd, name), (f) => this.made(name, f, mode, ctx));
    });
  }

  mknod(name: string, mode: number, rdev: number, ctx: CreateContext): Inode | number {
    const type = mode & S_IFMT;
    if (type === S_IFREG || type === 0) return this.create(name, mode, ctx);
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    // Never a host device node; a FIFO or socket node is only a name (opening one is EACCES).
    if (type !== S_IFIFO && type !== S_IFSOCK) return type === S_IFCHR || type === S_IFBLK ? -EPERM : -EINVAL;
    return this.inDir((dirfd) => {
      const r = native.mknodat(dirfd, name, type | (mode & 0o7777), 0);
      if (r < 0) return r;
      return withFd(openPath(dirfd, name), (f) => this.made(name, f, mode, ctx));
    });
  }

  symlink(name: string, target: string, ctx: CreateContext): Inode | number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    if (target.length === 0) return -ENOENT;
    if (target.includes('\0') || target.length >= 4096) return -EINVAL;
    return this.inDir((dirfd) => {
      const r = native.symlinkat(target, dirfd, name);
      if (r < 0) return r;
      return withFd(openPath(dirfd, name), (f) => this.made(name, f, 0o777, ctx));
    });
  }

  link(name: string, target: Inode): Inode | number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    if (!(target instanceof HostInode) || target.fs !== this.fs) return -EXDEV;
    if ((target.cached.mode & S_IFMT) === S_IFDIR) return -EPERM;
    return withFd(openPath(this.fs.rootFd, target.rel), (src) => {
      // The file the VFS looked up, not whatever the host has put at its name since.
      const st = fdStat(src);
      if (typeof st === 'number') return st;
      if (st.ino !== target.cached.ino || st.dev !== target.cached.dev) return -ENOENT;
      if (st.isDir()) return -EPERM;
      const [pdir, ppath] = procPathOf(src);
      return this.inDir((dirfd) => {
        const r = native.linkat(pdir, ppath, dirfd, name, AT_SYMLINK_FOLLOW);
        if (r < 0) return r;
        const now = hostStat(dirfd, name);
        if (typeof now === 'number') return now;
        return new HostInode(this.fs, childRel(this.rel, name), now);
      });
    });
  }

  unlink(name: string): number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    return this.inDir((dirfd) => native.unlinkat(dirfd, name, 0));
  }

  rmdir(name: string): number {
    const bad = this.canChange(name);
    if (bad < 0) return bad;
    return this.inDir((dirfd) => native.unlinkat(dirfd, name, AT_REMOVEDIR));
  }

  rename(oldName: string, newDir: Inode, newName: string, flags: number): number {
    let bad = this.canChange(oldName);
    if (bad < 0) return bad;
    if (!(newDir instanceof HostInode) || newDir.fs !== this.fs) return -EXDEV;
    bad = newDir.canChange(newName);
    if (bad < 0) return bad;
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
    return this.inDir((from) => {
      if (newDir.rel === this.rel) return native.renameat2(from, oldName, from, newName, flags);
      return withFd(openDirPath(this.fs.rootFd, newDir.rel), (to) => native.renameat2(from, oldName, to, newName, flags));
    });
  }

  entries(): readonly DirEntry[] | number {
    if ((this.cached.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    const fd = native.openBeneath(this.fs.rootFd, this.rel, HOST_O_RDONLY | HOST_O_DIRECTORY | HOST_O_NOFOLLOW, 0);
    return withFd(fd, (dir) => {
      const out: DirEntry[] = [];
      const view = new DataView(getdentsBuf.buffer);
      for (;;) {
        const n = native.getdents64(dir, getdentsBuf);
        if (n < 0) return n;
        if (n === 0) return out;
        for (let off = 0; off < n;) {
          const reclen = view.getUint16(off + 16, true);
          const ino = view.getUint32(off, true) + view.getUint32(off + 4, true) * 4294967296;
          const type = view.getUint8(off + 18);
          let end = off + 19;
          while (end < off + reclen && getdentsBuf[end] !== 0) end++;
          const name = Buffer.from(getdentsBuf.buffer, off + 19, end - off - 19).toString('latin1');
          if (name !== '.' && name !== '..') out.push({ name, ino, type });
          off += reclen;
        }
      }
    });
  }

  // ---- attributes ---------------------------------------------------------

  setattr(attr: SetAttr): number {
    if (this.fs.readOnly) return -EROFS;
    return withFd(openPath(this.fs.rootFd, this.rel), (fd) => {
      const st = fdStat(fd);
      if (typeof st === 'number') return st;
      // Still the kind of file the lookup saw (the host may have replaced it).
      if ((st.mode & S_IFMT) !== (this.cached.mode & S_IFMT)) return -ENOENT;
      const r = setattrOnFd(fd, st, attr, true);
      const now = fdStat(fd);
      if (typeof now !== 'number') this.cached = now;
      return r;
    });
  }

  /** Runs fn with (dirfd, name, atflags) naming this file without following it: its parent and its name, or the root's own descriptor. */
  private atSelf<T>(fn: (dirfd: number, name: string, atflags: number) => T | number): T | number {
    if (this.rel === '') return fn(this.fs.rootFd, '', AT_EMPTY_PATH);
    const [parent, base] = splitRel(this.rel);
    return withFd(openDirPath(this.fs.rootFd, parent), (dirfd) => fn(dirfd, base, AT_SYMLINK_NOFOLLOW));
  }

  getxattr(name: string): Uint8Array | number {
    // The host's own names (trusted.*, security.*) are not shown: as if the file had none.
    if (name.startsWith('trusted.') || name.startsWith('security.')) return -ENODATA;
    const bad = xattrName(name);
    if (bad < 0) return bad;
    return this.atSelf((dirfd, base, at) => {
      for (let tries = 0; tries < 4; tries++) {
        const size = native.getxattrat(dirfd, base, at, name, new Uint8Array(0));
        if (size < 0) return xattrErr(size);
        const buf = new Uint8Array(size);
        const n = size === 0 ? 0 : native.getxattrat(dirfd, base, at, name, buf);
        if (n === -ERANGE) continue; // it grew in between
        if (n < 0) return xattrErr(n);
        return buf.subarray(0, n);
      }
      return -ERANGE;
    });
  }

  setxattr(name: string, value: Uint8Array, flags: number): number {
    if (this.fs.readOnly) return -EROFS;
    const bad = xattrName(name);
    if (bad < 0) return bad;
    if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
    if (value.length > XATTR_SIZE_MAX) return -ERANGE;
    return this.atSelf((dirfd, base, at) => xattrErr(native.setxattrat(dirfd, base, at, name, value, flags)));
  }

  listxattr(): string[] | number {
    return this.atSelf((dirfd, base, at) => {
      for (let tries = 0; tries < 4; tries++) {
        const size = native.listxattrat(dirfd, base, at, new Uint8Array(0));
        if (size < 0) return size === -ENOSYS || size === -EOPNOTSUPP ? [] : size;
        const buf = new Uint8Array(size);
        const n = size === 0 ? 0 : native.listxattrat(dirfd, base, at, buf);
        if (n === -ERANGE) continue;
        if (n < 0) return n;
        const names = Buffer.from(buf.buffer, 0, n).toString('latin1').split('\0').filter((s) => s.length > 0);
        // Only what the sandbox may get and set.
        return names.filter((s) => s.startsWith('user.'));
      }
      return -ERANGE;
    });
  }

  removexattr(name: string): number {
    if (this.fs.readOnly) return -EROFS;
    const bad = xattrName(name);
    if (bad < 0) return bad;
    return this.atSelf((dirfd, base, at) => xattrErr(native.removexattrat(dirfd, base, at, name)));
  }
}

/** Only user.* reaches the host (trusted.*, security.* and system.* are the host's). */
function xattrName(name: string): number {
  if (name.includes('\0')) return -EINVAL;
  if (!name.startsWith('user.')) return -EOPNOTSUPP;
  if (name.length === 5) return -EINVAL;
  if (name.length > 255) return -ERANGE;
  return 0;
}

/** A host without the *xattrat calls supports none for the sandbox. */
function xattrErr(r: number): number {
  return r === -ENOSYS ? -EOPNOTSUPP : r;
}


