// The kernel's own tmpfs instance (Linux's shm_mnt, mm/shmem.c's
// kern_mount): the files that have no name in any mount namespace live
// there: memfds (syscalls/linux/sys_memfd.ts) and SysV shared memory
// segments (ipc/shm.ts). One instance per kernel, made on first use; its
// pages are the memory file's, so they count against the sandbox's total
// memory as any anonymous page does.
//
// Its size= is all the sandbox's memory (Linux's internal mount has no
// bound): what stops it is the memory file's total, and a fault that finds
// it spent reports ENOMEM, so the OOM killer acts as for anonymous memory.

import type { Kernel } from './kernel.js';
import type { FileSystem, Inode } from '../vfs/inode.js';
import { fileSystemType } from '../vfs/fs_registry.js';
import { Mount, MountNamespace } from '../vfs/mount.js';
import { ENOSYS } from '../abi/linux/errno.js';

export interface ShmemMount {
  fs: FileSystem;
  root: Inode;
  mount: Mount;
}

const mounts = new WeakMap<Kernel, ShmemMount>();

/** The kernel's instance, made now if it has none; -errno if tmpfs cannot make one. */
export function shmemMount(k: Kernel): ShmemMount | number {
  let m = mounts.get(k);
  if (m !== undefined) return m;
  const type = fileSystemType('tmpfs');
  if (type === undefined) return -ENOSYS;
  const made = type.make({ source: 'memfd', data: 'size=100%', flags: 0, mf: k.mf, kernel: k });
  if (typeof made === 'number') return made;
  // A mount of no namespace, as Linux's kern_mount: its files have paths only for /proc to show.
  m = { fs: made.fs, root: made.root, mount: new Mount(made.fs, made.root, 0, new MountNamespace(), 'memfd') };
  mounts.set(k, m);
  return m;
}
