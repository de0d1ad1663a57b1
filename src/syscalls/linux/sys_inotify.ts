// inotify_init(2), inotify_init1(2), inotify_add_watch(2),
// inotify_rm_watch(2), in Linux's order of checks
// (fs/notify/inotify/inotify_user.c). The instance is
// vfs/inotify/inotify_fd.ts; the watches and the events the VFS raises
// are vfs/inotify/watches.ts.

import type { Task } from '../../kernel/task.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import { InotifyFD } from '../../vfs/inotify/inotify_fd.js';
import {
  ALL_INOTIFY_BITS, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR, addWatch, chargeInstance,
  removeWatch,
} from '../../vfs/inotify/watches.js';
import { S_IFDIR, S_IFMT } from '../../vfs/stat.js';
import { MAY_READ, inodePermission } from '../../vfs/vfs.js';
import { AT_FDCWD, EBADF, EINVAL, ENOTDIR, installNew, readPath, resolveAt } from '../support.js';

const IN_CLOEXEC = O_CLOEXEC, IN_NONBLOCK = O_NONBLOCK;
const EMFILE = 24;

function init(t: Task, flags: number): number {
  if (flags & ~(IN_CLOEXEC | IN_NONBLOCK)) return -EINVAL;
  const uid = t.creds.euid;
  if (!chargeInstance(uid)) return -EMFILE;
  const f = new InotifyFD(flags & IN_NONBLOCK, uid);
  // A descriptor that cannot be installed releases the instance, and its charge with it.
  return installNew(t, f, (flags & IN_CLOEXEC) !== 0);
}

export function sysInotifyInit(t: Task): number {
  return init(t, 0);
}

export function sysInotifyInit1(t: Task): number {
  return init(t, t.regs.argInt(0));
}

/** The inotify instance fd names: -EBADF for no file, -EINVAL for another kind. */
function instance(t: Task, fd: number): InotifyFD | number {
  const f = t.fdTable.get(fd);
  if (f === undefined || f.flags & 0o10000000 /* O_PATH */) return -EBADF;
  return f instanceof InotifyFD ? f : -EINVAL;
}

export function sysInotifyAddWatch(t: Task): number {
  const mask = t.regs.argU32(2);
  if (mask & IN_MASK_ADD && mask & IN_MASK_CREATE) return -EINVAL;
  if ((mask & ALL_INOTIFY_BITS) === 0) return -EINVAL;
  const f = instance(t, t.regs.argInt(0));
  if (typeof f === 'number') return f;
  const path = readPath(t, t.regs.arg(1));
  if (typeof path === 'number') return path;
  const d = resolveAt(t, AT_FDCWD, path, (mask & IN_DONT_FOLLOW) === 0, false);
  if (typeof d === 'number') return d;
  if (mask & IN_ONLYDIR && (d.inode.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  const pe = inodePermission(t.creds, d.inode, MAY_READ);
  if (pe < 0) return pe;
  const w = addWatch(f, d.inode, mask, () => f.allocWd());
  if (typeof w === 'number') return w;
  f.watches.set(w.wd, w);
  return w.wd;
}

export function sysInotifyRmWatch(t: Task): number {
  const f = instance(t, t.regs.argInt(0));
  if (typeof f === 'number') return f;
  const w = f.watches.get(t.regs.argInt(1));
  if (w === undefined) return -EINVAL;
  removeWatch(w, true);
  return 0;
}
