// stat(2), fstat(2), lstat(2), newfstatat(2), statx(2), statfs(2),
// fstatfs(2).
//
// Differs from Linux: statx reports the basic fields (STATX_BASIC_STATS)
// and no birth time; statfs numbers for the host root come from the host.

import type { Task } from '../../kernel/task.js';
import { native } from '../../native.js';
import type { Stat } from '../../vfs/stat.js';
import type { Dentry } from '../../vfs/dentry.js';
import { HostInode } from '../../fs/hostfs.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW, EBADF, EINVAL,
  readPath, resolveAt,
} from '../support.js';

function statOut(t: Task, st: Stat | number, addr: number): number {
  if (typeof st === 'number') return st;
  return t.mm.copyOut(addr, st.toRaw());
}

function statPath(t: Task, dirfd: number, pathAddr: number, statAddr: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return -EINVAL;
  const p = readPath(t, pathAddr);
  if (typeof p === 'number') return p;
  if (p.length === 0 && flags & AT_EMPTY_PATH) {
    if (dirfd !== AT_FDCWD) {
      const f = t.fdTable.get(dirfd);
      if (f === undefined) return -EBADF;
      return statOut(t, f.stat(), statAddr);
    }
  }
  const d = resolveAt(t, dirfd, p, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof d === 'number') return d;
  return statOut(t, d.inode.stat(), statAddr);
}

export function sysStat(t: Task): number {
  return statPath(t, AT_FDCWD, t.regs.arg(0), t.regs.arg(1), 0);
}
export function sysLstat(t: Task): number {
  return statPath(t, AT_FDCWD, t.regs.arg(0), t.regs.arg(1), AT_SYMLINK_NOFOLLOW);
}
export function sysNewfstatat(t: Task): number {
  return statPath(t, t.regs.argInt(0), t.regs.arg(1), t.regs.arg(2), t.regs.argInt(3));
}
export function sysFstat(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined) return -EBADF;
  return statOut(t, f.stat(), t.regs.arg(1));
}

export function sysStatx(t: Task): number {
  const r = t.regs;
  const dirfd = r.argInt(0), flags = r.argInt(2), mask = r.argU32(3), addr = r.arg(4);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  if (mask & 0x80000000) return -EINVAL; // STATX__RESERVED
  const p = readPath(t, r.arg(1));
  if (typeof p === 'number') return p;
  let st: Stat | number;
  if (p.length === 0 && flags & AT_EMPTY_PATH && dirfd !== AT_FDCWD) {
    const f = t.fdTable.get(dirfd);
    if (f === undefined) return -EBADF;
    st = f.stat();
  } else {
    const d = resolveAt(t, dirfd, p, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
    if (typeof d === 'number') return d;
    st = d.inode.stat();
  }
  if (typeof st === 'number') return st;
  return t.mm.copyOut(addr, st.toStatx());
}

const statfsBuf = new Uint8Array(120);

function statfsOf(t: Task, d: Dentry | null, addr: number): number {
  const out = new Uint8Array(120);
  const dv = new DataView(out.buffer);
  const ino = d?.inode;
  if (ino instanceof HostInode) {
    const fd = native.openBeneath(ino.fs.rootFd, ino.rel, 0o10000000 | 0o400000, 0);
    if (fd < 0) return fd;
    const rr = native.fstatfs(fd, statfsBuf);
    native.close(fd);
    if (rr < 0) return rr;
    out.set(statfsBuf);
    // Report the mount as read-only (ST_RDONLY), as it is to the sandbox.
    const flagsLo = dv.getUint32(88, true);
    dv.setUint32(88, flagsLo | 1, true);
  } else {
    dv.setUint32(0, ino?.fs.magic ?? 0x01021994, true);
    dv.setUint32(8, 4096, true); // f_bsize
    dv.setUint32(64, 255, true); // f_namelen
    dv.setUint32(72, 4096, true); // f_frsize
  }
  return t.mm.copyOut(addr, out);
}

export function sysStatfs(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  const d = resolveAt(t, AT_FDCWD, p, true, false);
  if (typeof d === 'number') return d;
  return statfsOf(t, d, t.regs.arg(1));
}

export function sysFstatfs(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined) return -EBADF;
  return statfsOf(t, f.dentry, t.regs.arg(1));
}

