// The host side of hostfs: the flags and the few patterns every operation
// uses to reach a host file (gVisor fsimpl/gofer's directfs helpers). Each
// one opens what it needs beneath a mount's root descriptor with openat2
// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, in
// native/hostfiles.c), acts on that descriptor, and closes it: no
// descriptor of a directory is kept between calls, because the host may
// move that directory anywhere (outside the mount too) in between.

import { native, procDir } from '../../native.js';
import { Stat } from '../../vfs/stat.js';
import { EINVAL, ENAMETOOLONG } from '../../abi/linux/errno.js';

export const HOST_O_RDONLY = 0, HOST_O_WRONLY = 1, HOST_O_RDWR = 2, HOST_O_CREAT = 0o100, HOST_O_EXCL = 0o200,
  HOST_O_APPEND = 0o2000, HOST_O_NONBLOCK = 0o4000, HOST_O_DSYNC = 0o10000, HOST_O_DIRECTORY = 0o200000,
  HOST_O_NOFOLLOW = 0o400000, HOST_O_SYNC = 0o4010000, HOST_O_PATH = 0o10000000;
export const AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
  AT_EMPTY_PATH = 0x1000;
export const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;

const statBuf = new Uint8Array(144);

/** fstat of a host descriptor. */
export function fdStat(fd: number): Stat | number {
  const r = native.fstat(fd, statBuf);
  return r < 0 ? r : Stat.fromRaw(statBuf);
}

/** An O_PATH descriptor of `rel` beneath dirfd, no symlink followed anywhere (the last component included). */
export function openPath(dirfd: number, rel: string): number {
  return native.openBeneath(dirfd, rel, HOST_O_PATH | HOST_O_NOFOLLOW, 0);
}

/** An O_PATH descriptor of the directory `rel` beneath dirfd. */
export function openDirPath(dirfd: number, rel: string): number {
  return native.openBeneath(dirfd, rel, HOST_O_PATH | HOST_O_DIRECTORY | HOST_O_NOFOLLOW, 0);
}

/** Stats `rel` beneath dirfd without following a symlink in any component. */
export function hostStat(dirfd: number, rel: string): Stat | number {
  const fd = openPath(dirfd, rel);
  if (fd < 0) return fd;
  const st = fdStat(fd);
  native.close(fd);
  return st;
}

/** Runs fn with a host descriptor from open (or returns open's -errno), closing it after. */
export function withFd<T>(fd: number, fn: (fd: number) => T | number): T | number {
  if (fd < 0) return fd;
  try {
    return fn(fd);
  } finally {
    native.close(fd);
  }
}

/**
 * Opens the file an O_PATH descriptor refers to, through its magic link in
 * the Sentry's /proc: that very inode, whose type the caller has checked,
 * never whatever a path names by now.
 */
export function reopen(pathFd: number, flags: number): number {
  return native.reopen(procDir(), pathFd, flags);
}

/** The (dirfd, path) pair that names the file behind a descriptor through /proc, for linkat(AT_SYMLINK_FOLLOW). */
export function procPathOf(fd: number): [number, string] {
  const p = procDir();
  return p >= 0 ? [p, `self/fd/${fd}`] : [AT_FDCWD, `/proc/self/fd/${fd}`];
}

/**
 * -errno if `name` is not one plain component the host can take: the VFS
 * never passes one, but a NUL would cut the host's copy of the string
 * short (and name another file), and a slash or ".." would be a path.
 */
export function checkName(name: string): number {
  if (name.length === 0 || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return -EINVAL;
  if (name.length > 255) return -ENAMETOOLONG;
  return 0;
}

export function childRel(parent: string, name: string): string {
  return parent === '' ? name : parent + '/' + name;
}

/** [parent's rel, last component] of a rel that is not the root. */
export function splitRel(rel: string): [string, string] {
  const i = rel.lastIndexOf('/');
  return i < 0 ? ['', rel] : [rel.slice(0, i), rel.slice(i + 1)];
}
