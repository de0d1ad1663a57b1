// The system-wide files at the top of /proc (Linux's fs/proc/{cpuinfo,
// meminfo,stat,uptime,loadavg,version}.c), each made from the Sentry's
// own state: its CPU count (kernel/cpus.ts), its memory file and the
// sandbox's total memory (--total-memory), its tasks and its clocks. They
// agree with what the system calls say: sysinfo(2)'s totalram, freeram,
// uptime and loads; sched_getaffinity(2)'s CPUs; uname(2)'s release.
//
// Differs from Linux: cpuinfo names the CPU model the host reported at
// start-up, and lists only the flags every x86-64 CPU has (programs that
// need more ask cpuid, which the sandbox does not change); there is no
// swap, no page-fault, interrupt or context-switch count (0); the load
// averages are 0, as sysinfo(2) reports them; idle time is the CPUs' time
// not spent running the sandbox's tasks.

import * as os from 'node:os';
import { currentTask } from '../../kernel/current.js';
import type { Kernel } from '../../kernel/kernel.js';
import { TaskState } from '../../kernel/task.js';
import { UTSNamespace } from '../../kernel/uts.js';
import { NUM_CPUS } from '../../kernel/cpus.js';
import { processCpu } from '../../kernel/usage.js';

/** What the host said of its CPUs at start-up (the Sentry cannot ask once it is sealed). */
export interface CpuIdentity {
  readonly model: string;
  readonly mhz: number;
}

export function cpuIdentityNow(): CpuIdentity {
  const c = os.cpus()[0];
  return { model: c?.model ?? 'unknown', mhz: c?.speed ?? 0 };
}

/** The flags every x86-64 CPU has (the x86-64 baseline). */
const BASELINE_FLAGS = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm';

export function genCpuinfo(cpu: CpuIdentity): string {
  const vendor = /AMD/i.test(cpu.model) ? 'AuthenticAMD' : /Intel/i.test(cpu.model) ? 'GenuineIntel' : 'unknown';
  let out = '';
  for (let i = 0; i < NUM_CPUS; i++) {
    out += `processor\t: ${i}\nvendor_id\t: ${vendor}\nmodel name\t: ${cpu.model}\n` +
      `cpu MHz\t\t: ${cpu.mhz.toFixed(3)}\nphysical id\t: 0\nsiblings\t: ${NUM_CPUS}\ncore id\t\t: ${i}\n` +
      `cpu cores\t: ${NUM_CPUS}\napicid\t\t: ${i}\ninitial apicid\t: ${i}\nfpu\t\t: yes\nfpu_exception\t: yes\n` +
      `wp\t\t: yes\nflags\t\t: ${BASELINE_FLAGS}\nbogomips\t: ${(cpu.mhz * 2).toFixed(2)}\n` +
      'clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n';
  }
  return out;
}

export function genMeminfo(k: Kernel): string {
  const kb = (b: number) => Math.floor(b / 1024);
  const total = k.mf.limit;
  const used = Math.min(total, k.mf.allocated);
  const cached = Math.min(used, k.pageCache.cachedBytes);
  const free = total - used;
  const rows: [string, number][] = [
    ['MemTotal', kb(total)], ['MemFree', kb(free)], ['MemAvailable', kb(free + cached)], ['Buffers', 0],
    ['Cached', kb(cached)], ['SwapCached', 0], ['Active', kb(used - cached)], ['Inactive', kb(cached)],
    ['Active(anon)', kb(used - cached)], ['Inactive(anon)', 0], ['Active(file)', 0], ['Inactive(file)', kb(cached)],
    ['Unevictable', 0], ['Mlocked', 0], ['SwapTotal', 0], ['SwapFree', 0], ['Dirty', 0], ['Writeback', 0],
    ['AnonPages', kb(used - cached)], ['Mapped', kb(cached)], ['Shmem', 0], ['KReclaimable', 0], ['Slab', 0],
    ['SReclaimable', 0], ['SUnreclaim', 0], ['KernelStack', 0], ['PageTables', 0], ['NFS_Unstable', 0],
    ['Bounce', 0], ['WritebackTmp', 0], ['CommitLimit', kb(total)], ['Committed_AS', kb(used)],
    ['VmallocTotal', 34359738367], ['VmallocUsed', 0], ['VmallocChunk', 0], ['Percpu', 0],
    ['AnonHugePages', 0], ['ShmemHugePages', 0], ['ShmemPmdMapped', 0], ['FileHugePages', 0], ['FilePmdMapped', 0],
  ];
  let out = '';
  for (const [name, v] of rows) out += `${(name + ':').padEnd(15)} ${String(v).padStart(8)} kB\n`;
  out += 'HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\nHugePages_Surp:        0\n' +
    'Hugepagesize:       2048 kB\nHugetlb:               0 kB\n';
  return out;
}

/** CPU time the sandbox's processes have used, in ticks: [user, system]. */
function busyTicks(k: Kernel): [number, number] {
  const c = processCpu(k);
  return [Math.floor(c.userUs / 1e4), Math.floor(c.sysUs / 1e4)];
}

function runningTasks(k: Kernel): number {
  let n = 0;
  for (const t of k.pidns.tasks.values()) if (t.state === TaskState.Running) n++;
  return n;
}

export function genStat(k: Kernel): string {
  const [user, sys] = busyTicks(k);
  const up = k.ticks();
  const idle = Math.max(0, up * NUM_CPUS - user - sys);
  const line = (name: string, u: number, s: number, i: number) => `${name} ${u} 0 ${s} ${i} 0 0 0 0 0 0\n`;
  let out = line('cpu ', user, sys, idle);
  const share = (v: number, i: number) => Math.floor(v / NUM_CPUS) + (i < v % NUM_CPUS ? 1 : 0);
  for (let i = 0; i < NUM_CPUS; i++) out += line(`cpu${i}`, share(user, i), share(sys, i), share(idle, i));
  out += `intr 0\nctxt 0\nbtime ${bootTime(k)}\nprocesses ${k.pidns.lastAllocated}\n` +
    `procs_running ${runningTasks(k)}\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n`;
  return out;
}

/** The realtime second the sandbox booted (CLOCK_MONOTONIC's zero). */
export function bootTime(k: Kernel): number {
  return Math.floor((k.realtimeMs() * 1e6 - k.monotonicNs()) / 1e9);
}

export function genUptime(k: Kernel): string {
  const up = k.monotonicNs() / 1e9;
  const [u, s] = busyTicks(k);
  const idle = Math.max(0, up * NUM_CPUS - (u + s) / 100);
  const two = (v: number) => (Math.floor(v * 100) / 100).toFixed(2);
  return `${two(up)} ${two(idle)}\n`;
}

/** The last field is the last pid of the reader's namespace (Linux's idr cursor of task_active_pid_ns(current)). */
export function genLoadavg(k: Kernel): string {
  const ns = currentTask()?.pidns ?? k.pidns;
  return `0.00 0.00 0.00 ${runningTasks(k)}/${k.pidns.tasks.size} ${ns.lastAllocated}\n`;
}

export function genVersion(): string {
  return `Linux version ${UTSNamespace.release} (tsvisor@tsvisor) (tsvisor) ${UTSNamespace.version}\n`;
}
