// Mounts and mount namespaces (Linux's struct mount and mnt_namespace;
// gVisor vfs.Mount and vfs.MountNamespace). A Mount is a file system
// instance made visible at a mount point, with its own flags (ro, nosuid,
// nodev, noexec, the atime policy) and propagation type; a mount
// namespace is the tree of mounts a task sees. Mount ids and parent ids
// are those /proc/PID/mountinfo shows.
//
// Propagation (peer groups, slaves, unbindable mounts) is in
// propagation.ts.

import { mountMade } from './inotify/watches.js';
import type { FileSystem, Inode } from './inode.js';
import { Dentry } from './dentry.js';
import type { PeerGroup } from './propagation.js';

// Per-mount flags, with mount(2)'s MS_* values.
export const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16, MS_REMOUNT = 32,
  MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048,
  MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768, MS_POSIXACL = 1 << 16,
  MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
  MS_RELATIME = 1 << 21, MS_KERNMOUNT = 1 << 22, MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24,
  MS_LAZYTIME = 1 << 25;

/** The flags a mount itself carries (the rest belong to the call or the super block). */
export const MNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW | MS_NOATIME | MS_NODIRATIME |
  MS_RELATIME | MS_STRICTATIME;
/** The atime policy bits: exactly one of relatime, strictatime, noatime holds. */
export const MNT_ATIME_MASK = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

/** The per-mount flags mount(2) flags ask for, with relatime the default atime policy. */
export function mountFlagsFrom(flags: number): number {
  let f = flags & MNT_FLAGS;
  if ((f & MNT_ATIME_MASK) === 0) f |= MS_RELATIME;
  if (f & MS_NOATIME) f &= ~(MS_RELATIME | MS_STRICTATIME);
  else if (f & MS_STRICTATIME) f &= ~MS_RELATIME;
  return f;
}

/** statfs(2)'s f_flags (ST_*) for a mount's flags, ST_VALID included. */
export function statfsFlags(flags: number, readOnly: boolean): number {
  const ST_VALID = 0x20, ST_RELATIME = 0x1000, ST_NOSYMFOLLOW = 0x2000;
  let f = ST_VALID | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME));
  if (readOnly) f |= MS_RDONLY;
  if (flags & MS_RELATIME) f |= ST_RELATIME;
  if (flags & MS_NOSYMFOLLOW) f |= ST_NOSYMFOLLOW;
  return f;
}

let nextMountId = 21;
let nextNsId = 1;

/** The most mounts one namespace may hold (Linux's fs.mount-max is 100000; each costs the Sentry heap). */
export const MOUNT_MAX = 10000;

export class Mount {
  readonly id = nextMountId++;
  readonly root: Dentry;
  /** Where it is mounted in its parent, or null for a namespace root or a detached mount. */
  mountpoint: Dentry | null = null;
  parent: Mount | null = null;
  readonly children = new Set<Mount>();
  /** The peer group of a shared mount (mountinfo's shared:N), or null. */
  group: PeerGroup | null = null;
  /** The group a slave receives from (mountinfo's master:N), or null. */
  master: PeerGroup | null = null;
  /** No bind may be made of it (MS_UNBINDABLE). */
  unbindable = false;
  /** Open file descriptions whose dentries are in this mount. */
  openFiles = 0;
  /** Removed from its namespace (umount). */
  detached = false;
  /** Marked by umount2(MNT_EXPIRE), cleared by any use. */
  expiryMark = false;

  constructor(
    readonly fs: FileSystem,
    rootInode: Inode,
    public flags: number,
    public ns: MountNamespace,
    /** The source column of mountinfo ("tmpfs", "/dev/sda1", the bind's source path). */
    readonly source: string,
    /** The path of the root within its file system, for a bind mount of a subdirectory (mountinfo's root). */
    readonly fsRootPath = '/',
    rootName = '',
  ) {
    this.root = new Dentry(rootInode, rootName, null, this);
    mountMade(fs);
  }

  get readOnly(): boolean {
    return (this.flags & MS_RDONLY) !== 0 || this.fs.readOnly;
  }

  /** This mount and every mount below it, parents first. */
  subtree(): Mount[] {
    const out: Mount[] = [];
    const walk = (m: Mount) => {
      out.push(m);
      for (const c of m.children) walk(c);
    };
    walk(this);
    return out;
  }
}

export class MountNamespace {
  readonly id = nextNsId++;
  root!: Mount;
  /** Every attached mount; mount ids give /proc/PID/mountinfo's order. */
  readonly mounts = new Set<Mount>();
  /**
   * Inodes that are mount points here, through any mount (a bind shows the
   * same directory twice): such a directory cannot be removed or renamed
   * through either (EBUSY), as Linux's is_local_mountpoint() refuses.
   */
  readonly mountpoints = new Map<Inode, number>();

  /** Mounts in mountinfo order: a parent before its children, in the order they were mounted. */
  ordered(): Mount[] {
    return this.root.subtree().filter((m) => this.mounts.has(m)).sort((a, b) => a.id - b.id);
  }
}
