// The file system interfaces the VFS walks through (gVisor pkg/sentry/vfs
// FilesystemImpl and DentryImpl, folded into one Inode interface since
// this VFS has no hard-link-aware dentry cache yet).

import type { Stat } from './stat.js';
import type { FileDescription } from './file_description.js';

export interface Credentials {
  readonly euid: number;
  readonly egid: number;
  readonly groups: readonly number[];
}

export interface FileSystem {
  /** Name shown in /proc/mounts ("hostfs", "tmpfs", "proc"). */
  readonly type: string;
  readonly readOnly: boolean;
  /** statfs(2) numbers: f_type magic. */
  readonly magic: number;
}

export interface Inode {
  readonly fs: FileSystem;
  /** st_mode, type bits included. */
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
  /** Opens a file description; flags are open(2) flags, already checked for access. */
  open(flags: number): FileDescription | number;
}
