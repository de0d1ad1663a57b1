// memfd_create(2) and fcntl(2)'s F_ADD_SEALS/F_GET_SEALS (fcntlSeals,
// called by sys_file.ts's fcntl). A memfd is a regular file of an internal
// tmpfs instance that nothing mounts (Linux's shm_mnt), made and unlinked
// at once, so it lives as long as a description or a mapping of it; it is
// shown as "/memfd:NAME (deleted)" in /proc/PID/fd and maps. Its seals are
// the VFS's (vfs/seals.ts), kept and checked by the file system.
//
// Differs from Linux: MFD_HUGETLB is refused (EINVAL): the Sentry has no
// huge pages. vm.memfd_noexec is 0: without MFD_NOEXEC_SEAL a memfd is
// executable, as with MFD_EXEC.

import type { Task } from '../../kernel/task.js';
import { shmemMount } from '../../kernel/shmem.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_LARGEFILE, O_PATH, O_RDWR } from '../../vfs/file_description.js';
import { Dentry } from '../../vfs/dentry.js';
import { F_SEAL_EXEC, F_SEAL_SEAL, FileSeals } from '../../vfs/seals.js';
import { EBADF, EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM, installNew } from '../support.js';

const MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
const MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
const MFD_HUGE_SHIFT = 26, MFD_HUGE_MASK = 0x3f;
/** NAME_MAX less "memfd:". */
const MFD_NAME_MAX_LEN = 249;
const F_ADD_SEALS = 1033, F_GET_SEALS = 1034;

let nextName = 0;

export function sysMemfdCreate(t: Task): number {
  const r = t.regs;
  const flags = r.argU32(1);
  const allowed = flags & MFD_HUGETLB ? MFD_ALL_FLAGS | (MFD_HUGE_MASK << MFD_HUGE_SHIFT) : MFD_ALL_FLAGS;
  if ((flags & ~allowed) >>> 0 !== 0) return -EINVAL;
  if (flags & MFD_EXEC && flags & MFD_NOEXEC_SEAL) return -EINVAL;
  const name = t.mm.readCString(r.arg(0), MFD_NAME_MAX_LEN + 1);
  if (typeof name === 'number') return name === -EFAULT ? -EFAULT : -EINVAL;
  if (flags & MFD_HUGETLB) return -EINVAL;
  const shm = shmemMount(t.kernel);
  if (typeof shm === 'number') return shm;
  const root = shm.root;
  if (root.create === undefined || root.unlink === undefined) return -ENOSYS;
  // A name of its own in the instance, gone at once: the file has no name but its description's.
  const internal = `memfd.${nextName++}`;
  const inode = root.create(internal, 0o777, { uid: t.creds.fsuid, gid: t.creds.fsgid });
  if (typeof inode === 'number') return inode === -28 /* ENOSPC */ ? -ENOMEM : inode;
  const f = inode.open(O_RDWR | O_LARGEFILE);
  root.unlink(internal);
  if (typeof f === 'number') return f;
  const d = new Dentry(inode, `memfd:${name}`, shm.mount.root, shm.mount);
  d.dead = true;
  f.dentry = d;
  f.flags = O_RDWR | O_LARGEFILE;
  if (inode.seals !== undefined) {
    if (flags & MFD_NOEXEC_SEAL) {
      const e = inode.setattr?.({ mode: 0o666 }) ?? 0;
      if (e < 0) {
        f.decRef();
        return e;
      }
      inode.seals = new FileSeals(F_SEAL_EXEC);
    } else if (flags & MFD_ALLOW_SEALING) {
      inode.seals = new FileSeals(0);
    }
  }
  return installNew(t, f, (flags & MFD_CLOEXEC) !== 0);
}

/** fcntl(fd, F_ADD_SEALS, seals) and fcntl(fd, F_GET_SEALS), in memfd_fcntl()'s order of checks. */
export function fcntlSeals(t: Task, f: FileDescription, cmd: number, arg: number): number {
  if (f.flags & O_PATH) return -EBADF;
  const inode = f.dentry?.inode;
  if (cmd === F_GET_SEALS) {
    if (inode === undefined || inode.seals === undefined) return -EINVAL;
    return inode.seals === null ? F_SEAL_SEAL : inode.seals.seals;
  }
  if (cmd !== F_ADD_SEALS) return -EINVAL;
  if (!f.writable) return -EPERM;
  if (arg & ~0x3f) return -EINVAL;
  if (inode === undefined || inode.seals === undefined) return -EINVAL;
  if (inode.seals === null) return -EPERM;
  return inode.seals.add(arg, inode.mode);
}
