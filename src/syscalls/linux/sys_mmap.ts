// mmap(2), munmap(2), mprotect(2), mremap(2), brk(2), madvise(2),
// mincore(2), msync(2), mlock(2) and friends: the address space calls,
// served by the task's MemoryManager.

import type { Task } from '../../kernel/task.js';
import { MAP_ANONYMOUS, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE } from '../../mm/mm.js';
import type { Mappable } from '../../mm/mm.js';
import { O_PATH } from '../../vfs/file_description.js';
import { EACCES, EBADF, EFAULT, EINVAL, ENODEV, ENOMEM } from '../support.js';

const PAGE = 4096;

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
    const m = f.mappable();
    if (typeof m === 'number') return m === -ENODEV ? -ENODEV : m;
    file = m;
    fileWritable = f.writable;
    if (offset < 0) return -EINVAL;
  } else if (offset % PAGE !== 0 && (flags & MAP_TYPE) !== MAP_SHARED && (flags & MAP_TYPE) !== MAP_SHARED_VALIDATE) {
    // Linux ignores the offset of a private anonymous mapping beyond its alignment check.
    return -EINVAL;
  }
  return t.mm.mmap({ addr, length, prot, flags, file, fileWritable, offset: file === null ? 0 : offset });
}

export function sysMunmap(t: Task): number {
  return t.mm.munmap(t.regs.arg(0), t.regs.arg(1));
}

export function sysMprotect(t: Task): number {
  return t.mm.mprotect(t.regs.arg(0), t.regs.arg(1), t.regs.argInt(2));
}

export function sysMremap(t: Task): number {
  const r = t.regs;
  return t.mm.mremap(r.arg(0), r.arg(1), r.arg(2), r.argInt(3), r.arg(4));
}

export function sysBrk(t: Task): number {
  return t.mm.brk(t.regs.arg(0));
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

/** mlock, munlock, mlock2, mlockall, munlockall: all memory is resident already (no swap). */
export function sysMlock(t: Task): number {
  const r = t.regs;
  if (r.arg(0) + r.arg(1) > t.mm.maxAddr) return -ENOMEM;
  return 0;
}
export function sysMlock2(t: Task): number {
  if (t.regs.argInt(2) & ~1) return -EINVAL;
  return sysMlock(t);
}
export function sysMlockall(t: Task): number {
  const f = t.regs.argInt(0);
  if (f === 0 || f & ~7) return -EINVAL;
  return 0;
}
export function sysMunlockall(): number {
  return 0;
}

