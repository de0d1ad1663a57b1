// Extended attributes: getxattr(2), lgetxattr, fgetxattr, listxattr(2),
// llistxattr, flistxattr, setxattr(2) and removexattr(2) with their l/f
// forms.
//
// Differs from Linux: the sandbox's file systems carry no extended
// attributes yet. Reads find none (ENODATA, an empty list); writes fail
// with EROFS on the read-only root and ENOTSUP elsewhere.

import type { Task } from '../../kernel/task.js';
import { AT_FDCWD, EBADF, ENODATA, ENOTSUP, EROFS, ERANGE, readPath, resolveAt } from '../support.js';
import type { Dentry } from '../../vfs/dentry.js';

const XATTR_NAME_MAX = 255;

function target(t: Task, kind: 'path' | 'lpath' | 'fd'): Dentry | number | 'fd' {
  if (kind === 'fd') return t.fdTable.get(t.regs.argInt(0)) === undefined ? -EBADF : 'fd';
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  return resolveAt(t, AT_FDCWD, p, kind === 'path', false);
}

function checkName(t: Task): number {
  const n = t.mm.readCString(t.regs.arg(1), XATTR_NAME_MAX + 1);
  if (typeof n === 'number') return n === -36 ? -ERANGE : n;
  if (n.length === 0) return -ERANGE;
  return 0;
}

function get(t: Task, kind: 'path' | 'lpath' | 'fd'): number {
  const d = target(t, kind);
  if (typeof d === 'number') return d;
  const e = checkName(t);
  if (e < 0) return e;
  return -ENODATA;
}

function list(t: Task, kind: 'path' | 'lpath' | 'fd'): number {
  const d = target(t, kind);
  if (typeof d === 'number') return d;
  return 0;
}

function set(t: Task, kind: 'path' | 'lpath' | 'fd'): number {
  const d = target(t, kind);
  if (typeof d === 'number') return d;
  const e = checkName(t);
  if (e < 0) return e;
  if (d === 'fd') return t.fdTable.get(t.regs.argInt(0))?.dentry?.inode.fs.readOnly ? -EROFS : -ENOTSUP;
  return d.inode.fs.readOnly ? -EROFS : -ENOTSUP;
}

export const sysGetxattr = (t: Task): number => get(t, 'path');
export const sysLgetxattr = (t: Task): number => get(t, 'lpath');
export const sysFgetxattr = (t: Task): number => get(t, 'fd');
export const sysListxattr = (t: Task): number => list(t, 'path');
export const sysLlistxattr = (t: Task): number => list(t, 'lpath');
export const sysFlistxattr = (t: Task): number => list(t, 'fd');
export const sysSetxattr = (t: Task): number => set(t, 'path');
export const sysLsetxattr = (t: Task): number => set(t, 'lpath');
export const sysFsetxattr = (t: Task): number => set(t, 'fd');
export const sysRemovexattr = (t: Task): number => set(t, 'path');
export const sysLremovexattr = (t: Task): number => set(t, 'lpath');
export const sysFremovexattr = (t: Task): number => set(t, 'fd');
