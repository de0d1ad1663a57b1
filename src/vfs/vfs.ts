// The virtual file system (gVisor pkg/sentry/vfs.VirtualFilesystem): the
// mount table and the path walk. Every path an application names is
// resolved here, component by component, so symlinks are followed inside
// the sandbox's own tree (an absolute link target starts again at the
// sandbox root, never at the host's) and mount points switch to the file
// system mounted there.
//
// Differs from Linux: mounts are fixed when the sandbox starts (no
// mount(2) yet) and are keyed by their absolute path.

import { Dentry } from './dentry.js';
import type { Credentials, Inode } from './inode.js';
import { S_IFDIR, S_IFLNK, S_IFMT } from './stat.js';
import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../abi/linux/errno.js';

const MAXSYMLINKS = 40;
const NAME_MAX = 255;

export const MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

/** Linux's generic_permission for a mode/uid/gid triple. */
export function checkPermission(creds: Credentials, mode: number, uid: number, gid: number, want: number): boolean {
  if (creds.euid === 0) {
    // Root may do anything, except execute a file no one may execute.
    if (want & MAY_EXEC && (mode & S_IFMT) !== S_IFDIR && (mode & 0o111) === 0) return false;
    return true;
  }
  let bits: number;
  if (creds.euid === uid) bits = (mode >> 6) & 7;
  else if (creds.egid === gid || creds.groups.includes(gid)) bits = (mode >> 3) & 7;
  else bits = mode & 7;
  return (bits & want) === want;
}

export interface WalkOptions {
  /** Follow a symlink in the last component. */
  followFinal: boolean;
}

export class VirtualFilesystem {
  readonly root: Dentry;
  private readonly mounts = new Map<string, Inode>();

  constructor(rootInode: Inode) {
    this.root = new Dentry(rootInode, '', null);
  }

  /** Mounts `inode` (the root of a file system) at the absolute path `at`. */
  mount(at: string, inode: Inode): void {
    this.mounts.set(at, inode);
  }

  /** The entry `name` in directory `parent`, without following a symlink (mount points included). */
  lookupChild(parent: Dentry, name: string): Dentry | number {
    if ((parent.inode.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    if (name.length > NAME_MAX) return -ENAMETOOLONG;
    return this.child(parent, name);
  }

  private child(parent: Dentry, name: string): Dentry | number {
    const pp = parent.path();
    const abs = pp === '/' ? '/' + name : pp + '/' + name;
    const m = this.mounts.get(abs);
    if (m !== undefined) return new Dentry(m, name, parent);
    const ino = parent.inode.lookup(name);
    if (typeof ino === 'number') return ino;
    return new Dentry(ino, name, parent);
  }

  /**
   * Resolves `path` from `start` (used when the path is relative), with
   * `root` as the task's root. Returns the dentry or -errno.
   */
  walk(creds: Credentials, root: Dentry, start: Dentry, path: string, opts: WalkOptions): Dentry | number {
    if (path.length === 0) return -ENOENT;
    let cur = path[0] === '/' ? root : start;
    let rest = splitPath(path);
    let trailingSlash = path.endsWith('/');
    let links = 0;
    while (rest.length > 0) {
      const name = rest.shift() as string;
      const mode = cur.inode.mode;
      if ((mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
      const st = cur.inode.statForWalk();
      if (typeof st !== 'number' && !checkPermission(creds, st.mode, st.uid, st.gid, MAY_EXEC)) return -EACCES;
      if (name === '.') continue;
      if (name === '..') {
        if (cur !== root && cur.parent !== null) cur = cur.parent;
        continue;
      }
      if (name.length > NAME_MAX) return -ENAMETOOLONG;
      const next = this.child(cur, name);
      if (typeof next === 'number') return next;
      const last = rest.length === 0;
      if ((next.inode.mode & S_IFMT) === S_IFLNK && (!last || opts.followFinal || trailingSlash)) {
        if (++links > MAXSYMLINKS) return -ELOOP;
        const target = next.inode.readlink();
        if (typeof target === 'number') return target;
        if (target.length === 0) return -ENOENT;
        if (target[0] === '/') cur = root;
        const parts = splitPath(target);
        if (last) trailingSlash = trailingSlash || target.endsWith('/');
        rest = parts.concat(rest);
        continue;
      }
      cur = next;
    }
    if (trailingSlash && (cur.inode.mode & S_IFMT) !== S_IFDIR) {
      return (cur.inode.mode & S_IFMT) === S_IFLNK ? -ENOENT : -ENOTDIR;
    }
    return cur;
  }
}

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c.length > 0);
}
