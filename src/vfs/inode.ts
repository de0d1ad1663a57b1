// The contract between the VFS and the file systems (gVisor pkg/sentry/vfs
// FilesystemImpl and DentryImpl; Linux's super_operations and
// inode_operations). The VFS owns names: dentries, mounts and the path
// walk, permission checks, mount flags, and the order of checks each call
// makes. A file system owns what is behind a name: an Inode per file,
// looked up one component at a time, and the operations that change its
// directories and attributes.
//
// What a file system may assume when the VFS calls it:
// - the walk has resolved the parent directory and checked search (x)
//   permission on every directory on the way, and write+search on the
//   directory being changed, sticky-bit rules included;
// - `name` is one component: not empty, not "." or "..", no "/", at most
//   NAME_MAX (255) bytes;
// - the mount is writable and the file system instance is not read-only
//   (the VFS answers EROFS first);
// - for rename, both directories are on this file system instance
//   (otherwise the VFS answers EXDEV), the source exists and is not an
//   ancestor of the target (EINVAL), and RENAME_* flags are valid.
// It answers Linux's errno for what only it can know: EEXIST, ENOENT,
// ENOTEMPTY, ENOTDIR/EISDIR for a mismatched kind, ENOSPC (out of blocks
// or inodes), EMLINK, EPERM for an operation it does not support.
//
// An optional method that is absent means the file system does not
// support the operation: the VFS answers EPERM for the tree-changing ones
// (as Linux does for an inode without ->mkdir), ENOTSUP/EOPNOTSUPP for
// xattrs, as Linux's VFS does.
//
// Strings are byte strings (latin1: one char per byte). Every Inode must
// stay serialisable (plain data, no closures over host state beyond
// descriptors that a restore can reopen).

import type { Stat } from './stat.js';
import type { FileDescription } from './file_description.js';
import type { Dentry } from './dentry.js';
import type { FileSeals } from './seals.js';

/** Who acts on a file: the fs ids (kernel ids) and the effective capabilities in the user namespace it is in. */
export interface Credentials {
  readonly fsuid: number;
  readonly fsgid: number;
  readonly groups: readonly number[];
  /** Whether the capability (abi/linux/capability.ts) is in the effective set (it counts in the actor's own user namespace). */
  hasCapability(cap: number): boolean;
  /** Linux's capable_wrt_inode_uidgid: the capability, over a file whose owner and group have a mapping in the actor's namespace. */
  hasCapabilityOnFile(cap: number, uid: number, gid: number): boolean;
  /** Linux's inode_owner_or_capable: the actor owns the file (fs uid), or has CAP_FOWNER and the owner has a mapping. */
  ownerOrCapable(uid: number): boolean;
}

/** Who makes a new file: its owner, as Linux's inode_init_owner() decides with the parent's setgid bit. */
export interface CreateContext {
  /** The creator's fsuid and fsgid. */
  readonly uid: number;
  readonly gid: number;
}

/** statfs(2) numbers of a file system instance. */
export interface StatFS {
  /** f_type: the file system's magic (TMPFS_MAGIC, PROC_SUPER_MAGIC, OVERLAYFS_SUPER_MAGIC, ...). */
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
}

export interface FileSystem {
  /** The type name shown in /proc/mounts and accepted by mount(2) ("tmpfs", "proc", "overlay", "hostfs"). */
  readonly type: string;
  /** The instance itself can never be changed (the overlay's lower layer): EROFS whatever the mount says. */
  readonly readOnly: boolean;
  /** statfs(2) f_type. */
  readonly magic: number;
  /** statfs(2) of the instance; absent: the VFS reports the magic with zero sizes. */
  statfs?(): StatFS | number;
  /**
   * The instance's own options for /proc/PID/mounts and mountinfo's super
   * options ("size=65536k,nr_inodes=1024,mode=755"), without the mount
   * flags (ro, nosuid...), which the VFS adds.
   */
  superOptions?(): string;
  /**
   * mount -o remount: the instance's own options change (tmpfs: size=,
   * nr_inodes=); 0 or -errno (EINVAL for what cannot change). Absent: the
   * options are ignored, as Linux ignores them for file systems without
   * reconfigure.
   */
  reconfigure?(data: string): number;
  /** What the source column of /proc/mounts shows ("tmpfs", "proc", "none", "overlay"). */
  readonly source?: string;
  /**
   * Whether the tree behind this instance changes only through the Sentry
   * (tmpfs, proc, the overlay over a lower the host does not change), so
   * that the VFS may cache its dentries for as long as they are linked.
   * False for a host directory the host may change (a bind mount): the VFS
   * looks each component up again.
   */
  readonly stableTree?: boolean;
  /**
   * Whether its files are a host's (hostfs: the root, a bind mount). The
   * VFS then opens none of its FIFOs as a Sentry pipe: the file system
   * opens (refuses) its special files itself, so a host FIFO is never
   * joined. Whether the tree is stable is another matter (stableTree).
   */
  readonly hostFiles?: boolean;
  /**
   * The last mount of this instance went (umount; the mounts of a mount
   * namespace that dies with them are never counted down). What is open
   * in it, and working directories in it, still work: an instance that
   * holds a host resource (hostfs's root descriptor) lets it go once
   * nothing can reach the instance any more, not here.
   */
  unmounted?(): void;
}

/** An attribute change: setattr(2)'s iattr. Absent fields are unchanged. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  /** truncate(2)/ftruncate(2)/O_TRUNC. */
  size?: number;
  /** [seconds, nanoseconds]; the VFS has already resolved UTIME_NOW to the current time. */
  atime?: readonly [number, number];
  mtime?: readonly [number, number];
}

/** One directory entry, as getdents64 and the overlay's merge read them. */
export interface DirEntry {
  readonly name: string;
  readonly ino: number;
  /** DT_* type. */
  readonly type: number;
}

export const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;
export const XATTR_CREATE = 1, XATTR_REPLACE = 2;

export interface Inode {
  readonly fs: FileSystem;
  /** st_mode, type bits included (the type never changes; the permission bits may). */
  readonly mode: number;
  stat(): Stat | number;
  /**
   * The attributes as of the lookup that made this inode, for the path
   * walk's permission checks (a fresh stat per component would double the
   * host calls of every lookup). Inodes without a cache return stat().
   */
  statForWalk(): Stat | number;
  /** For directories: the child called name (never "." or ".."), or -errno. */
  lookup(name: string): Inode | number;
  /** For symlinks: the target. */
  readlink(): string | number;
  /**
   * For procfs's magic links (/proc/PID/fd/N, cwd, root, exe): the file the
   * link stands for, which the walk jumps to instead of reading a target
   * (the only place a file system hands the VFS a dentry: one the VFS made).
   */
  followMagicLink?(): Dentry | number;
  /**
   * Opens a file description; flags are open(2) flags, already checked for
   * access and for the kind of file. O_TRUNC has been applied through
   * setattr({size: 0, mtime: now}) before open is called. The VFS sets the
   * result's dentry, flags and atimePolicy. The VFS opens FIFOs of stable
   * trees (as Sentry pipes) and character devices (by number, the Sentry's
   * own) itself; a file system's open sees them only for O_PATH, or when
   * it serves the device itself.
   */
  open(flags: number): FileDescription | number;

  // Directories: changing the tree. Each returns the new inode or -errno.
  /** A regular file (open(O_CREAT), creat, mknod(S_IFREG)). mode: permission bits, umask applied. */
  create?(name: string, mode: number, ctx: CreateContext): Inode | number;
  mkdir?(name: string, mode: number, ctx: CreateContext): Inode | number;
  /**
   * O_TMPFILE: a regular file with no name (nlink 0) that link() may still
   * name once; it goes when its last open description does.
   */
  tmpfile?(mode: number, ctx: CreateContext): Inode | number;
  /**
   * A FIFO, socket, or character/block device node (mode with its type
   * bits, umask applied). The VFS has already refused the device numbers
   * the Sentry does not serve.
   */
  mknod?(name: string, mode: number, rdev: number, ctx: CreateContext): Inode | number;
  symlink?(name: string, target: string, ctx: CreateContext): Inode | number;
  /**
   * A new name for `target`, an inode of this file system instance that is
   * not a directory; ENOENT if target has no name left (unless tmpfile made it).
   */
  link?(name: string, target: Inode): Inode | number;
  /** Removes a name that is not a directory. */
  unlink?(name: string): number;
  /** Removes an empty directory. */
  rmdir?(name: string): number;
  /** Moves oldName here to newDir/newName (RENAME_* flags). */
  rename?(oldName: string, newDir: Inode, newName: string, flags: number): number;
  /**
   * For directories: the entries, "." and ".." excluded, in a stable order
   * (getdents64 and the overlay's merge read them; a position is an index).
   */
  entries?(): readonly DirEntry[] | number;

  // Attributes.
  /**
   * chmod, chown, truncate, utimes. The VFS has checked ownership and
   * capabilities and cleared setuid/setgid where Linux does. The file
   * system sets ctime to now for any change but a size that does not
   * change, and mtime too when the size changes.
   */
  setattr?(attr: SetAttr): number;
  getxattr?(name: string): Uint8Array | number;
  setxattr?(name: string, value: Uint8Array, flags: number): number;
  listxattr?(): string[] | number;
  removexattr?(name: string): number;

  /**
   * memfd seals (vfs/seals.ts): present on files that can be sealed
   * (tmpfs regular files, Linux's shmem files), which check them on every
   * write, resize, fallocate, chmod and shared mapping. null: the file
   * cannot take seals (F_GET_SEALS says F_SEAL_SEAL); absent: F_*_SEALS
   * are EINVAL.
   */
  seals?: FileSeals | null;
}
