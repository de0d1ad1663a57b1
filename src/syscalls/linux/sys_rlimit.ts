// Resource limits: getrlimit(2), setrlimit(2), prlimit64(2), and usage:
// getrusage(2), times(2), sysinfo(2).
//
// Differs from Linux: limits are recorded and reported, and RLIMIT_NOFILE,
// RLIMIT_STACK, RLIMIT_AS and RLIMIT_DATA (by the address-space calls,
// sys_mmap.ts) are enforced; the others are not enforced yet. sysinfo's
// totalram is the sandbox's total memory (--total-memory), freeram what
// of it the memory file has not allocated.
// getrusage reports CPU times and maxrss (the memory file's use), not
// fault or context-switch counts.

import type { Task } from '../../kernel/task.js';
import { RLIM_INFINITY, RLIMIT_NLIMITS } from '../../kernel/thread_group.js';
import { EFAULT, EINVAL, EPERM, ESRCH, copyInStruct, copyOut, putU64 } from '../support.js';
import { CAP_SYS_RESOURCE } from '../../abi/linux/capability.js';

function getLimit(t: Task, res: number, addr: number): number {
  if (res < 0 || res >= RLIMIT_NLIMITS) return -EINVAL;
  const l = t.tg.rlimits[res];
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, l.cur, true);
  dv.setBigUint64(8, l.max, true);
  return copyOut(t, addr, b) < 0 ? -EFAULT : 0;
}

function setLimit(t: Task, res: number, cur: bigint, max: bigint): number {
  if (res < 0 || res >= RLIMIT_NLIMITS) return -EINVAL;
  if (cur > max) return -EINVAL;
  const l = t.tg.rlimits[res];
  if (max > l.max && !t.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE)) return -EPERM;
  if (res === 7 && max > 1048576n && max !== RLIM_INFINITY) return -EPERM; // nr_open
  if (res === 7 && max === RLIM_INFINITY) return -EPERM;
  l.cur = cur;
  l.max = max;
  return 0;
}

export function sysGetrlimit(t: Task): number {
  return getLimit(t, t.regs.argInt(0), t.regs.arg(1));
}

export function sysSetrlimit(t: Task): number {
  const dv = copyInStruct(t, t.regs.arg(1), 16);
  if (dv === null) return -EFAULT;
  return setLimit(t, t.regs.argInt(0), dv.getBigUint64(0, true), dv.getBigUint64(8, true));
}

export function sysPrlimit64(t: Task): number {
  const r = t.regs;
  const pid = r.argInt(0), res = r.argInt(1), newAddr = r.arg(2), oldAddr = r.arg(3);
  if (pid !== 0 && pid !== t.tg.tgidPid.vnr) return t.pidns.taskWithId(pid) !== undefined ? -EPERM : -ESRCH;
  if (res < 0 || res >= RLIMIT_NLIMITS) return -EINVAL;
  let nl: DataView | null = null;
  if (newAddr !== 0) {
    nl = copyInStruct(t, newAddr, 16);
    if (nl === null) return -EFAULT;
  }
  if (oldAddr !== 0) {
    const e = getLimit(t, res, oldAddr);
    if (e < 0) return e;
  }
  if (nl !== null) return setLimit(t, res, nl.getBigUint64(0, true), nl.getBigUint64(8, true));
  return 0;
}

function timeval(dv: DataView, o: number, us: number): void {
  putU64(dv, o, Math.floor(us / 1e6));
  putU64(dv, o + 8, Math.floor(us % 1e6));
}

/** A struct rusage with the given CPU times (µs) and maximum resident set (KiB); the rest zero. */
export function rusage(userUs: number, sysUs: number, maxRssKb: number): Uint8Array {
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  timeval(dv, 0, userUs);
  timeval(dv, 16, sysUs);
  putU64(dv, 32, maxRssKb);
  return b;
}

export function sysGetrusage(t: Task): number {
  const who = t.regs.argInt(0);
  const RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
  let b: Uint8Array;
  if (who === RUSAGE_CHILDREN) {
    // The children that have been waited for, and theirs.
    const c = t.tg.childrenCpu;
    b = rusage(c.userUs, c.sysUs, 0);
  } else {
    const cpu = who === RUSAGE_SELF ? t.tg.cpuTime() : t.ctx.cpuTime();
    b = rusage(cpu?.userUs ?? 0, cpu?.sysUs ?? 0, Math.floor(t.kernel.mf.allocated / 1024));
  }
  return copyOut(t, t.regs.arg(1), b) < 0 ? -EFAULT : 0;
}

export function sysTimes(t: Task): number {
  const addr = t.regs.arg(0);
  const ticks = t.kernel.ticks();
  if (addr !== 0) {
    const b = new Uint8Array(32);
    const cpu = t.tg.cpuTime();
    const dv = new DataView(b.buffer);
    putU64(dv, 0, Math.floor((cpu?.userUs ?? 0) / 10000));
    putU64(dv, 8, Math.floor((cpu?.sysUs ?? 0) / 10000));
    putU64(dv, 16, Math.floor(t.tg.childrenCpu.userUs / 10000));
    putU64(dv, 24, Math.floor(t.tg.childrenCpu.sysUs / 10000));
    if (copyOut(t, addr, b) < 0) return -EFAULT;
  }
  return ticks;
}

export function sysSysinfo(t: Task): number {
  const b = new Uint8Array(112);
  const dv = new DataView(b.buffer);
  putU64(dv, 0, Math.floor(t.kernel.monotonicNs() / 1e9)); // uptime
  const total = t.kernel.mf.limit;
  putU64(dv, 32, total); // totalram
  putU64(dv, 40, Math.max(0, total - t.kernel.mf.allocated)); // freeram
  dv.setUint16(80, t.kernel.pidns.tasks.size, true); // procs
  dv.setUint32(104, 1, true); // mem_unit
  return copyOut(t, t.regs.arg(0), b) < 0 ? -EFAULT : 0;
}
