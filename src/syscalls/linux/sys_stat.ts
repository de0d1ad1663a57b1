// stat(2), fstat(2), lstat(2), newfstatat(2), statx(2), statfs(2),
// fstatfs(2).
//
// The owner and group are shown in the caller's user namespace (an id
// with no mapping there as the overflow id, 65534), as cp_new_stat does.
//
// Differs from Linux: statx reports the basic fields (STATX_BASIC_STATS)
// and no birth time; statfs numbers for the host root come from the host
// (with ST_RDONLY added); the sandbox's /dev, /proc and /sys report no
// block or inode counts (Linux's devtmpfs reports tmpfs's).

import type { Task } from '../../kernel/task.js';
import { native, rootTreeAddedFlags } from '../../native.js';
import type { Stat } from '../../vfs/stat.js';
import type { Dentry } from '../../vfs/dentry.js';
import { HostInode } from '../../fs/hostfs.js';
import { HostFD } from '../../fs/host_fd.js';
import { PipeFD } from '../../kernel/pipe.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { statfsFlags } from '../../vfs/mount.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW, EBADF, EINVAL,
  readPath, resolveAt,
} from '../support.js';

function statOut(t: Task, st: Stat | number, addr: number): number {
  if (typeof st === 'number') return st;
  const raw = st.toRaw();
  ownerInNamespace(t, st, raw, 28);
  return t.mm.copyOut(addr, raw);
}

/** Rewrites the uid and gid words at off of an encoded stat in t's user namespace (kernel ids in the root one are already it). */
function ownerInNamespace(t: Task, st: Stat, raw: Uint8Array, off: number): void {
  const ns = t.creds.userns;
  if (ns.isRoot) return;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  dv.setUint32(off, ns.mungedUid(st.uid), true);
  dv.setUint32(off + 4, ns.mungedGid(st.gid), true);
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
  let mntId = -1;
  if (p.length === 0 && flags & AT_EMPTY_PATH && dirfd !== AT_FDCWD) {
    const f = t.fdTable.get(dirfd);
    if (f === undefined) return -EBADF;
    st = f.stat();
    if (f.dentry !== null) mntId = f.dentry.mount.id;
  } else {
    const d = resolveAt(t, dirfd, p, (flags & AT_SYMLINK_NOFOLLOW) === 0, (flags & AT_EMPTY_PATH) !== 0);
    if (typeof d === 'number') return d;
    st = d.inode.stat();
    mntId = d.mount.id;
  }
  if (typeof st === 'number') return st;
  const raw = st.toStatx(mntId);
  ownerInNamespace(t, st, raw, 20);
  return t.mm.copyOut(addr, raw);
}

const statfsBuf = new Uint8Array(120);

// struct statfs (x86-64): f_type 0, f_bsize 8, f_blocks 16, f_bfree 24,
// f_bavail 32, f_files 40, f_ffree 48, f_fsid 56, f_namelen 64,
// f_frsize 72, f_flags 80, f_spare 88..119.
const F_FSID = 56, F_FLAGS = 80;
const ST_RDONLY = 0x1, ST_VALID = 0x20;
const PIPEFS_MAGIC = 0x50495045, ANON_INODE_FS_MAGIC = 0x09041934;

/** A host statfs into out; 0 or -errno. */
function hostStatfs(fd: number, out: Uint8Array): number {
  const r = native.fstatfs(fd, statfsBuf);
  if (r < 0) return r;
  out.set(statfsBuf);
  return 0;
}

/**
 * What Linux's simple_statfs() gives a pseudo file system (pipefs, proc,
 * devtmpfs here): the magic, page-sized blocks and no block or inode
 * counts, the superblock's device number as f_fsid, and ST_VALID (which
 * vfs_statfs always sets) with the mount's flags: ST_RELATIME, mount(2)'s
 * default, for /dev, /proc and /sys; none for the kernel's internal
 * mounts (pipefs, anon_inodefs).
 */
function syntheticStatfs(dv: DataView, magic: number, dev: number, mountFlags: number): void {
  dv.setUint32(0, magic, true);
  dv.setUint32(8, 4096, true); // f_bsize
  dv.setUint32(F_FSID, dev % 4294967296, true);
  dv.setUint32(F_FSID + 4, Math.floor(dev / 4294967296), true);
  dv.setUint32(64, 255, true); // f_namelen
  dv.setUint32(72, 4096, true); // f_frsize
  dv.setUint32(F_FLAGS, ST_VALID | mountFlags, true);
}

/** The device number of a file's stat, or 0 if stat fails. */
function devOf(st: Stat | number): number {
  return typeof st === 'number' ? 0 : st.dev;
}

function statfsOf(t: Task, d: Dentry | null, f: FileDescription | null, addr: number): number {
  const out = new Uint8Array(120);
  const dv = new DataView(out.buffer);
  const ino = d?.inode;
  if (ino instanceof HostInode) {
    const fd = native.openBeneath(ino.fs.rootFd, ino.rel, 0o10000000 | 0o400000, 0);
    if (fd < 0) return fd;
    const r = hostStatfs(fd, out);
    native.close(fd);
    if (r < 0) return r;
    // The host's mount flags (not those of the Sentry's read-only copy of
    // it), plus ST_RDONLY: the mount is read-only to the sandbox.
    dv.setUint32(F_FLAGS, (dv.getUint32(F_FLAGS, true) & ~rootTreeAddedFlags()) | ST_RDONLY, true);
  } else if (ino !== undefined && d !== null) {
    const flags = statfsFlags(d.mount.flags, d.mount.readOnly);
    const sf = ino.fs.statfs?.();
    if (typeof sf === 'number') return sf;
    if (sf === undefined) {
      syntheticStatfs(dv, ino.fs.magic, devOf(ino.stat()), 0);
    } else {
      const put = (o: number, v: number) => { dv.setUint32(o, v % 4294967296, true); dv.setUint32(o + 4, Math.floor(v / 4294967296), true); };
      put(0, sf.type); put(8, sf.bsize); put(16, sf.blocks); put(24, sf.bfree); put(32, sf.bavail);
      put(40, sf.files); put(48, sf.ffree); put(64, sf.namelen); put(72, sf.frsize);
      const dev = devOf(ino.stat());
      dv.setUint32(F_FSID, dev % 4294967296, true);
      dv.setUint32(F_FSID + 4, Math.floor(dev / 4294967296), true);
    }
    dv.setUint32(F_FLAGS, flags, true);
  } else if (f instanceof PipeFD) {
    syntheticStatfs(dv, PIPEFS_MAGIC, devOf(f.stat()), 0);
  } else if (f instanceof HostFD) {
    // A descriptor the host gave the sandbox (stdin, stdout, stderr): its own file system's numbers.
    const r = hostStatfs(f.hostFd, out);
    if (r < 0) return r;
  } else {
    syntheticStatfs(dv, ANON_INODE_FS_MAGIC, f === null ? 0 : devOf(f.stat()), 0);
  }
  return t.mm.copyOut(addr, out);
}

export function sysStatfs(t: Task): number {
  const p = readPath(t, t.regs.arg(0));
  if (typeof p === 'number') return p;
  const d = resolveAt(t, AT_FDCWD, p, true, false);
  if (typeof d === 'number') return d;
  return statfsOf(t, d, null, t.regs.arg(1));
}

export function sysFstatfs(t: Task): number {
  const f = t.fdTable.get(t.regs.argInt(0));
  if (f === undefined) return -EBADF;
  return statfsOf(t, f.dentry, f, t.regs.arg(1));
}

