// A Dentry (Linux's struct path, a mount and a dentry together; gVisor's
// VirtualDentry) is a name for an Inode as one mount shows it: the inode,
// the name, the parent within the same mount (null at the mount's root),
// and the mount. Each mount has its own dentries, so a bind mount or a
// copied mount namespace is a second set of names for the same inodes.
//
// For file systems whose tree changes only through the Sentry
// (FileSystem.stableTree), a directory's dentry keeps its children, and
// rename moves a dentry and unlink/rmdir marks it dead: a working
// directory or an open file then has Linux's path, "(deleted)" included.
// Elsewhere (a host directory) each walk makes new dentries.
//
// Differs from Linux: a rename through one mount does not move the
// dentries another mount of the same file system has cached; those are
// checked against the file system on their next lookup and made again.

import type { Inode } from './inode.js';
import type { Mount } from './mount.js';

export class Dentry {
  /** Cached children (stable trees only); null until the first is cached. */
  children: Map<string, Dentry> | null = null;
  /** Unlinked or removed: its name is gone. */
  dead = false;
  /** Kept in its parent's children because a mount point is at or below it (needed where the tree is not stable). */
  pinned = false;
  /** The mount whose mount point this is (the top one, when mounts are stacked), or null. */
  mounted: Mount | null = null;

  constructor(
    readonly inode: Inode,
    public name: string,
    public parent: Dentry | null,
    readonly mount: Mount,
  ) {}

  /**
   * The path from `root` (a task's root) down to this dentry, crossing
   * mounts, and whether root was reached on the way up (Linux's d_path;
   * an unreachable one is a path from its namespace's root).
   */
  pathFrom(root: Dentry | null): { path: string; reachable: boolean } {
    const parts: string[] = [];
    let d: Dentry = this;
    for (;;) {
      if (d === root) return { path: '/' + parts.reverse().join('/'), reachable: true };
      if (d.parent === null) {
        const mp = d.mount.mountpoint;
        if (mp === null) break;
        d = mp;
        continue;
      }
      parts.push(d.name);
      d = d.parent;
    }
    return { path: '/' + parts.reverse().join('/'), reachable: root === null };
  }

  /**
   * The absolute path of this dentry in its mount namespace, with
   * " (deleted)" when its name is gone (what /proc/PID/fd shows).
   */
  path(): string {
    const p = this.pathFrom(null).path;
    return this.dead ? p + ' (deleted)' : p;
  }

  /** Whether this dentry is d or lies below it in the same mount. */
  isWithin(d: Dentry): boolean {
    for (let x: Dentry | null = this; x !== null; x = x.parent) if (x === d || (x.mount === d.mount && sameInode(x.inode, d.inode))) return true;
    return false;
  }
}

/**
 * Whether two inodes a file system gave are one file: the same object, or
 * the same device, inode number and type as their lookups saw them (hostfs
 * makes an object per lookup, and where the tree is not stable the VFS
 * keeps no dentries, so two walks to one directory give two objects).
 */
export function sameInode(a: Inode, b: Inode): boolean {
  if (a === b) return true;
  if (a.fs !== b.fs) return false;
  const x = a.statForWalk(), y = b.statForWalk();
  return typeof x !== 'number' && typeof y !== 'number' && x.dev === y.dev && x.ino === y.ino && x.type === y.type;
}
