// shmget(2), shmat(2), shmdt(2), shmctl(2): SysV shared memory in the
// caller's IPC namespace (kernel/ipc/shm.ts), in Linux's order of checks
// (ipc/shm.c). shmat maps the segment as a MAP_SHARED file mapping of the
// task's MemoryManager, so RLIMIT_AS, the VMA limits and the sandbox's
// memory apply as to mmap.
//
// Differs from Linux: see kernel/ipc/shm.ts (SHM_HUGETLB, SHM_LOCK).

import type { Task } from '../../kernel/task.js';
import { MAP_FIXED, MAP_SHARED } from '../../mm/mm.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../platform/platform.js';
import {
  SHMID_DS_SIZE, SHMMIN, SHMMNI_DEFAULT, SHM_EXEC, SHM_INFO, SHM_LOCK, SHM_LOCKED, SHM_RDONLY, SHM_REMAP, SHM_RND,
  SHM_STAT, SHM_STAT_ANY, SHM_UNLOCK, Shm, ShmMapping,
} from '../../kernel/ipc/shm.js';
import { IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, ipcPermits } from '../../kernel/ipc/object.js';
import { CAP_IPC_LOCK } from '../../abi/linux/capability.js';
import { memLimits } from './sys_mmap.js';
import { ipcSetOrRemove, ipcStat } from './ipc_ctl.js';
import { EACCES, EFAULT, EINVAL, ENOMEM, EPERM } from '../support.js';
import { EIDRM } from '../../abi/linux/errno.js';

const PAGE = 4096;
/** SHMLBA on x86-64. */
const SHMLBA = PAGE;
const RLIMIT_MEMLOCK = 8;
const ULONG_MAX = 2n ** 64n - 1n;

export function sysShmget(t: Task): number {
  const r = t.regs;
  const key = r.argInt(0), flag = r.argInt(2);
  const size = r.arg(1);
  const ns = t.ipcns;
  return ns.shm.get(t.kernel, t.creds, ns.userns, t.tg.tgidPid, key, size, r.argBig(1), flag);
}

export function sysShmat(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), flag = r.argInt(2);
  let addr = r.arg(1);
  if (id < 0) return -EINVAL;
  let flags = MAP_SHARED;
  if (addr !== 0) {
    if (addr % SHMLBA !== 0) {
      if (!(flag & SHM_RND)) return -EINVAL;
      addr -= addr % SHMLBA;
      if (addr === 0 && flag & SHM_REMAP) return -EINVAL;
    }
    if (addr !== 0) flags |= MAP_FIXED;
  } else if (flag & SHM_REMAP) {
    return -EINVAL;
  }
  let prot = PROT_READ;
  let acc = 0o444;
  if (!(flag & SHM_RDONLY)) {
    prot |= PROT_WRITE;
    acc |= 0o222;
  }
  if (flag & SHM_EXEC) {
    prot |= PROT_EXEC;
    acc |= 0o111;
  }
  const ns = t.ipcns;
  const s = ns.shm.objects.findById(id);
  if (s === undefined) return -EINVAL;
  if (!ipcPermits(t.creds, s.perm, acc, ns.userns)) return -EACCES;
  if (s.perm.deleted) return -EIDRM;
  const size = Math.ceil(s.size / PAGE) * PAGE;
  if (addr !== 0 && !(flag & SHM_REMAP)) {
    if (addr + size > 2 ** 64) return -EINVAL;
    for (const v of t.mm.allVmas) if (v.start < addr + size && v.end > addr) return -EINVAL;
  }
  // Held over the mmap, as Linux's shm_nattch++ around do_mmap: a failed attach of a removed segment frees it.
  s.nattch++;
  const got = t.mm.mmap({
    addr, length: s.size, prot, flags, file: s.attachment(), fileWritable: !(flag & SHM_RDONLY), offset: 0,
  }, memLimits(t));
  s.unhold();
  return got;
}

export function sysShmdt(t: Task): number {
  const addr = t.regs.arg(0);
  if (addr % PAGE !== 0) return -EINVAL;
  const vmas = t.mm.allVmas;
  let i = vmas.findIndex((v) => v.end > addr);
  if (i < 0) return -EINVAL;
  // The first attachment at or above addr whose offset says it starts at addr; then its other VMAs within its size.
  let file: ShmMapping | null = null;
  let size = 0;
  for (; i < vmas.length; i++) {
    const v = vmas[i];
    if (v.file instanceof ShmMapping && v.start - addr === v.fileOff) {
      file = v.file;
      size = Math.ceil(v.file.shm.size / PAGE) * PAGE;
      t.mm.munmap(v.start, v.end - v.start);
      i++;
      break;
    }
  }
  if (file === null) return -EINVAL;
  for (; i < vmas.length && vmas[i].end - addr <= size; i++) {
    const v = vmas[i];
    if (v.file === file && v.start - addr === v.fileOff) t.mm.munmap(v.start, v.end - v.start);
  }
  return 0;
}

/** Writes struct shmid64_ds for s. */
function shmidDs(t: Task, s: Shm): Uint8Array {
  const b = new Uint8Array(SHMID_DS_SIZE);
  const d = new DataView(b.buffer);
  s.perm.write(d, 0, t.creds.userns);
  d.setBigUint64(48, BigInt(s.size), true);
  d.setBigInt64(56, BigInt(s.atime), true);
  d.setBigInt64(64, BigInt(s.dtime), true);
  d.setBigInt64(72, BigInt(s.ctime), true);
  d.setInt32(80, s.cpid.nr(t.pidns), true);
  d.setInt32(84, s.lpid === null ? 0 : s.lpid.nr(t.pidns), true);
  d.setBigUint64(88, BigInt(s.nattch), true);
  return b;
}

export function sysShmctl(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), cmd = r.argInt(1), buf = r.arg(2);
  if (cmd < 0 || id < 0) return -EINVAL;
  const ns = t.ipcns;
  const reg = ns.shm;
  switch (cmd) {
    case IPC_INFO: {
      const b = new Uint8Array(72);
      const d = new DataView(b.buffer);
      d.setBigUint64(0, reg.shmmax > ULONG_MAX ? ULONG_MAX : reg.shmmax, true);
      d.setBigUint64(8, BigInt(SHMMIN), true);
      d.setBigUint64(16, BigInt(reg.shmmni), true);
      d.setBigUint64(24, BigInt(SHMMNI_DEFAULT), true); // shmseg: SHMSEG
      d.setBigUint64(32, reg.shmall > ULONG_MAX ? ULONG_MAX : reg.shmall, true);
      if (t.mm.copyOut(buf, b) < 0) return -EFAULT;
      return Math.max(0, reg.objects.maxIdx());
    }
    case SHM_INFO: {
      const b = new Uint8Array(48);
      const d = new DataView(b.buffer);
      let rss = 0;
      for (const s of reg.objects.all()) rss += s.resident;
      d.setInt32(0, reg.objects.inUse, true);
      d.setBigUint64(8, BigInt(reg.totalPages), true);
      d.setBigUint64(16, BigInt(rss), true);
      if (t.mm.copyOut(buf, b) < 0) return -EFAULT;
      return Math.max(0, reg.objects.maxIdx());
    }
    case SHM_STAT: case SHM_STAT_ANY: case IPC_STAT:
      return ipcStat(t, reg.objects, id, cmd, SHM_STAT_ANY, buf, (s) => shmidDs(t, s));
    case IPC_SET: case IPC_RMID:
      return ipcSetOrRemove(t, reg.objects, id, cmd, buf, SHMID_DS_SIZE, (s) => s.remove());
    case SHM_LOCK: case SHM_UNLOCK: {
      const s = reg.objects.findById(id);
      if (s === undefined) return -EINVAL;
      if (!t.creds.hasCapabilityIn(CAP_IPC_LOCK, ns.userns)) {
        if (t.creds.euid !== s.perm.uid && t.creds.euid !== s.perm.cuid) return -EPERM;
        const lim = t.tg.rlimits[RLIMIT_MEMLOCK].cur;
        if (cmd === SHM_LOCK && lim === 0n) return -EPERM;
        // user_shm_lock: the segment's pages past RLIMIT_MEMLOCK's (this segment alone).
        if (cmd === SHM_LOCK && BigInt(s.npages) > lim / BigInt(PAGE) && !t.creds.hasCapabilityInRoot(CAP_IPC_LOCK)) return -ENOMEM;
      }
      if (cmd === SHM_LOCK) s.perm.mode |= SHM_LOCKED;
      else s.perm.mode &= ~SHM_LOCKED;
      return 0;
    }
    default:
      return -EINVAL;
  }
}
