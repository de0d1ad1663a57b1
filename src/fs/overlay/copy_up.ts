// Copy-up (Linux fs/overlayfs/copy_up.c): the first change to a lower file
// makes its upper copy, with the lower's mode, owner, times, user xattrs
// and (for a regular file, unless the change is a truncation to zero) its
// data; its parent directories are copied up first. A failure (ENOSPC)
// leaves no partial file behind.
//
// Hard links: a lower file with more than one name is copied up once; the
// other names find the copy through the file system's copiedUp table and
// become links of it when they are changed. The table holds the copy open
// so that it lives while any lower name of it does.

import type { CreateContext, Inode } from '../../vfs/inode.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_RDONLY, O_WRONLY } from '../../vfs/file_description.js';
import { S_IFBLK, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../../vfs/stat.js';
import { EEXIST, EIO, ENOTSUP, EPERM } from '../../abi/linux/errno.js';
import type { OverlayInode } from './inode.js';

const CHUNK = 1 << 16;

/** A lower file's identity ("l:DEV:INO"), or null when it cannot be stat'ed. */
export function lowerKey(i: Inode): string | null {
  const st = i.statForWalk();
  return typeof st === 'number' ? null : `l:${st.dev}:${st.ino}`;
}

/** An upper file's identity ("u:INO": the upper layer is one instance). */
export function upperKey(i: Inode): string | null {
  const st = i.statForWalk();
  return typeof st === 'number' ? null : `u:${st.ino}`;
}

/** Descriptors that keep hard-linked copies alive (see the file comment), by lower key. */
const holds = new Map<string, FileDescription>();

/**
 * Gives `n` an upper file (and its parents theirs). withData: copy a
 * regular file's contents (false when the caller truncates it to zero).
 */
export function copyUp(n: OverlayInode, withData: boolean): number {
  if (n.upper !== null) return n.sharedUpper ? linkName(n) : 0;
  const parent = n.parent;
  const lower = n.lower;
  if (parent === null || lower === null) return -EIO; // the root always has an upper directory
  const pe = copyUp(parent, true);
  if (pe < 0) return pe;
  const pu = parent.upper as Inode;
  const st = lower.stat();
  if (typeof st === 'number') return st;
  const ctx: CreateContext = { uid: st.uid, gid: st.gid };
  const perm = st.mode & 0o7777;
  let up: Inode | number;
  switch (st.mode & S_IFMT) {
    case S_IFDIR:
      up = pu.mkdir?.(n.name, perm, ctx) ?? -EPERM;
      break;
    case S_IFREG:
      up = pu.create?.(n.name, perm, ctx) ?? -EPERM;
      break;
    case S_IFLNK: {
      const target = lower.readlink();
      if (typeof target === 'number') return target;
      up = pu.symlink?.(n.name, target, ctx) ?? -EPERM;
      break;
    }
    case S_IFBLK:
      return -EPERM; // a host block device node never gets a Sentry twin
    default:
      up = pu.mknod?.(n.name, st.mode, st.rdev, ctx) ?? -EPERM;
  }
  if (typeof up === 'number') return up;
  const undo = (e: number): number => {
    if ((st.mode & S_IFMT) === S_IFDIR) pu.rmdir?.(n.name);
    else pu.unlink?.(n.name);
    return e;
  };
  if ((st.mode & S_IFMT) === S_IFREG && withData && st.size > 0) {
    const e = copyData(lower, up, st.size);
    if (e < 0) return undo(e);
  }
  const xe = copyXattrs(lower, up);
  if (xe < 0) return undo(xe);
  // Owner and mode again (create applied the parent's setgid rule), then the times, which everything above changed.
  const ae = up.setattr?.({ mode: perm, uid: st.uid, gid: st.gid, atime: [st.atimeSec, st.atimeNsec], mtime: [st.mtimeSec, st.mtimeNsec] }) ?? 0;
  if (ae < 0) return undo(ae);
  const lk = lowerKey(lower), uk = upperKey(up);
  if (uk !== null) n.fs.adoptIno(uk, n.ino);
  if (lk !== null && (st.mode & S_IFMT) !== S_IFDIR) {
    n.fs.copiedUp.set(lk, up);
    if (st.nlink > 1) {
      const f = up.open(O_RDONLY);
      if (typeof f !== 'number') holds.set(lk, f);
    }
  }
  n.upper = up;
  return 0;
}

/** A lower name of a file copied up through another of its names: it becomes a link of the copy. */
function linkName(n: OverlayInode): number {
  const parent = n.parent as OverlayInode;
  const pe = copyUp(parent, true);
  if (pe < 0) return pe;
  const pu = parent.upper as Inode;
  const r = pu.link?.(n.name, n.upper as Inode) ?? -EPERM;
  // Another lookup of this name may have linked it already.
  if (typeof r === 'number' && !(r === -EEXIST && pu.lookup(n.name) === n.upper)) return r;
  n.sharedUpper = false;
  return 0;
}

function copyData(from: Inode, to: Inode, size: number): number {
  const src = from.open(O_RDONLY);
  if (typeof src === 'number') return src;
  const dst = to.open(O_WRONLY);
  if (typeof dst === 'number') {
    src.decRef();
    return dst;
  }
  const buf = new Uint8Array(Math.min(CHUNK, size));
  let off = 0, err = 0;
  while (off < size) {
    const n = src.read([buf], buf.length, off);
    if (n < 0) { err = n; break; }
    if (n === 0) break;
    let done = 0;
    while (done < n) {
      const w = dst.write([buf.subarray(done, n)], n - done, off + done);
      if (w < 0) { err = w; break; }
      if (w === 0) { err = -28; break; } // ENOSPC: the upper layer is full
      done += w;
    }
    if (err < 0) break;
    off += n;
  }
  src.decRef();
  dst.decRef();
  return err;
}

/** The user.* attributes (the others belong to the host: security labels, ACLs). */
function copyXattrs(from: Inode, to: Inode): number {
  const names = from.listxattr?.();
  if (names === undefined || typeof names === 'number') return 0;
  for (const name of names) {
    if (!name.startsWith('user.')) continue;
    const v = from.getxattr?.(name);
    if (v === undefined || typeof v === 'number') continue;
    const r = to.setxattr?.(name, v, 0) ?? -ENOTSUP;
    if (r < 0) return r;
  }
  return 0;
}
