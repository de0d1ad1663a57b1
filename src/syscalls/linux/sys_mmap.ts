// mmap(2), munmap(2), mprotect(2), mremap(2), brk(2), madvise(2),
// mincore(2), msync(2), mlock(2) and friends: the address space calls,
// served by the task's MemoryManager, which enforces RLIMIT_AS and
// RLIMIT_DATA (passed from the process's limits, memLimits), the VMA
// budget and the sandbox's total memory.

import type { Task } from '../../kernel/task.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE } from '../../mm/mm.js';
import type { Mappable, MemLimits } from '../../mm/mm.js';
import { O_PATH } from '../../vfs/file_description.js';
import { EACCES, EBADF, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM } from '../support.js';
import { CAP_IPC_LOCK } from '../../abi/linux/capability.js';

const PAGE = 4096;
const RLIMIT_DATA = 2, RLIMIT_AS = 9;

function softLimit(t: Task, res: number): number {
  const cur = t.tg.rlimits[res].cur;
  return cur >= BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(cur);
}

/** RLIMIT_AS and RLIMIT_DATA of t's process, which the address-space calls enforce. */
export function memLimits(t: Task): MemLimits {
  return { as: softLimit(t, RLIMIT_AS), data: softLimit(t, RLIMIT_DATA) };
}

export function sysMmap(t: Task): number {
  const r = t.regs;
  const addr = r.arg(0), length = r.arg(1), prot = r.argInt(2), flags = r.argInt(3), fd = r.argInt(4);
  const offset = r.argSigned(5);
  if (r.argHigh(1) && length >= 2 ** 53) return -ENOMEM;
  let file: Mappable | null = null;
  let fileWritable = false;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = t.fdTable.get(fd);
    if (f === undefined || (f.flags & O_PATH)) return -EBADF;
    if (!f.readable) return -EACCES;
    // A file on a noexec mount cannot be mapped executable (do_mmap's path_noexec).
    if (prot & 4 /* PROT_EXEC */ && f.dentry !== null && f.dentry.mount.flags & 8 /* MS_NOEXEC */) return -EPERM;
    const m = f.mappable();
    if (typeof m === 'number') return m === -ENODEV ? -ENODEV : m;
    file = m;
    fileWritable = f.writable;
    if (m.mapShared !== undefined && (flags & MAP_TYPE) !== MAP_PRIVATE && length !== 0) {
      const w = m.mapShared(prot, fileWritable);
      if (typeof w === 'number') return w;
      fileWritable = w;
    }
    if (offset < 0) return -EINVAL;
  } else if (offset % PAGE !== 0 && (flags & MAP_TYPE) !== MAP_SHARED && (flags & MAP_TYPE) !== MAP_SHARED_VALIDATE) {
    // Linux ignores the offset of a private anonymous mapping beyond its alignment check.
    return -EINVAL;
  }
  return t.mm.mmap({ addr, length, prot, flags, file, fileWritable, offset: file === null ? 0 : offset }, memLimits(t));
}

export function sysMunmap(t: Task): number {
  return t.mm.munmap(t.regs.arg(0), t.regs.arg(1));
}

export function sysMprotect(t: Task): number {
  return t.mm.mprotect(t.regs.arg(0), t.regs.arg(1), t.regs.argInt(2), memLimits(t));
}

export function sysMremap(t: Task): number {
  const r = t.regs;
  return t.mm.mremap(r.arg(0), r.arg(1), r.arg(2), r.argInt(3), r.arg(4), memLimits(t));
}

export function sysBrk(t: Task): number {
  return t.mm.brk(t.regs.arg(0), memLimits(t));
}

export function sysMadvise(t: Task): number {
  return t.mm.madvise(t.regs.arg(0), t.regs.arg(1), t.regs.argInt(2));
}

export function sysMincore(t: Task): number {
  const r = t.regs;
  const v = t.mm.mincore(r.arg(0), r.arg(1));
  if (typeof v === 'number') return v;
  return t.mm.copyOut(r.arg(2), v) < 0 ? -EFAULT : 0;
}

export function sysMsync(t: Task): number {
  const r = t.regs;
  const addr = r.arg(0), flags = r.argInt(2);
  const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
  if (addr % PAGE !== 0) return -EINVAL;
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -EINVAL;
  const len = Math.ceil(r.arg(1) / PAGE) * PAGE;
  // Nothing is written back (file mappings are snapshots); a hole is ENOMEM as in Linux.
  let cur = addr;
  while (cur < addr + len) {
    const v = t.mm.findVma(cur);
    if (v === undefined) return -ENOMEM;
    cur = v.end;
  }
  return 0;
}

// mlock family: memory is always resident (the memory file is never
// swapped out by the Sentry), so locking only checks what Linux checks:
// the range (EINVAL if it wraps, ENOMEM for holes and PROT_NONE pages) and,
// without privilege, RLIMIT_MEMLOCK (EPERM when it is 0, ENOMEM when the
// request is larger). Locked amounts are not accumulated across calls.
const RLIMIT_MEMLOCK = 8;
const MLOCK_ONFAULT = 1, MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;

function memlockLimit(t: Task): number | null {
  if (t.creds.hasCapabilityInRoot(CAP_IPC_LOCK)) return null;
  const cur = t.tg.rlimits[RLIMIT_MEMLOCK].cur;
  return cur > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cur);
}

/** The page-aligned range of (addr, len), or -EINVAL if it wraps. */
function lockRange(t: Task): { start: number; end: number } | number {
  const addr = t.regs.arg(0), len = t.regs.arg(1);
  const start = addr - (addr % PAGE);
  const end = Math.ceil((addr + len) / PAGE) * PAGE;
  if (t.regs.argSigned(1) < 0) return -EINVAL;
  if (end < start || end > 2 ** 64) return -EINVAL;
  return { start, end };
}

function doMlock(t: Task): number {
  const limit = memlockLimit(t);
  if (limit === 0) return -EPERM;
  const r = lockRange(t);
  if (typeof r === 'number') return r;
  if (limit !== null && r.end - r.start > limit) return -ENOMEM;
  if (r.end === r.start) return 0;
  return t.mm.rangeState(r.start, r.end) === 'ok' ? 0 : -ENOMEM;
}

export function sysMlock(t: Task): number {
  return doMlock(t);
}

export function sysMlock2(t: Task): number {
  if (t.regs.argInt(2) & ~MLOCK_ONFAULT) return -EINVAL;
  return doMlock(t);
}

export function sysMunlock(t: Task): number {
  const r = lockRange(t);
  if (typeof r === 'number') return r;
  if (r.end === r.start) return 0;
  return t.mm.rangeState(r.start, r.end) === 'hole' ? -ENOMEM : 0;
}

export function sysMlockall(t: Task): number {
  const f = t.regs.argInt(0);
  if (f === 0 || f & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || f === MCL_ONFAULT) return -EINVAL;
  const limit = memlockLimit(t);
  if (limit === 0) return -EPERM;
  if (limit !== null && f & MCL_CURRENT && t.mm.totalMapped > limit) return -ENOMEM;
  return 0;
}

export function sysMunlockall(): number {
  return 0;
}
