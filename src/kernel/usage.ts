// The CPU time the sandbox has used, as a cgroup's cpu.stat counts it for
// its processes (Linux's cgroup_base_stat; gVisor's kernel accounting that
// its control Usage reads). One computation for every reader: `tsvisor
// events` (src/control/usage.ts), /sys/fs/cgroup/cpu.stat (src/fs/cgroupfs)
// and /proc/stat and /proc/uptime (src/fs/proc, the processes' part only).
//
// A process's time is its stub threads' (ThreadGroup.cpuTime, from the
// host; an exited one, what it had at its exit), plus its reaped children's
// (childrenCpu, as RUSAGE_CHILDREN), summed over every process still in
// the pid namespace: so a process reaped by a parent that was itself
// reaped still counts, through that parent's parent. A process reaped
// with no parent in the sandbox (one of a dead init's orphans, a
// startContainer hook) is not counted.
//
// Differs from a cgroup: the Sentry's own CPU is the sandbox's system
// time (it serves every system call, as a kernel would), where Linux
// charges a kernel's work to the task it does it for.

import type { Kernel } from './kernel.js';
import type { ThreadGroup } from './thread_group.js';

/** CPU time in microseconds, split as cpu.stat's user_usec and system_usec. */
export interface CpuTime {
  userUs: number;
  sysUs: number;
}

/** The programs' own CPU time: every process in the pid namespace, with its reaped children. */
export function processCpu(kernel: Kernel): CpuTime {
  const tgs = new Set<ThreadGroup>();
  for (const t of kernel.pidns.tasks.values()) tgs.add(t.tg);
  let userUs = 0, sysUs = 0;
  for (const tg of tgs) {
    const c = tg.exitStatus === null ? tg.cpuTime() : tg.exitCpu;
    userUs += c.userUs + tg.childrenCpu.userUs;
    sysUs += c.sysUs + tg.childrenCpu.sysUs;
  }
  return { userUs, sysUs };
}

/** The sandbox's CPU time: the programs', with the Sentry's own CPU as system time. */
export function sandboxCpu(kernel: Kernel): CpuTime {
  const p = processCpu(kernel);
  const sentry = process.cpuUsage();
  return { userUs: p.userUs, sysUs: p.sysUs + sentry.user + sentry.system };
}
