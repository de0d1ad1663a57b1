// The control files of the container's cgroup (Linux's cgroup v2 cftypes in
// kernel/cgroup/cgroup.c, mm/memcontrol.c, kernel/cgroup/pids.c and
// kernel/sched/core.c; Documentation/admin-guide/cgroup-v2.rst), each
// read from what the Sentry itself keeps: the memory file's usage, limit
// and peak, the task set and Kernel.maxTasks, the OOM killer's count, the
// CPU time kernel/usage.ts sums for `tsvisor events` too, and the CPU
// limits the host cgroup enforces (Kernel.limits.cpu, the spec's values).
//
// Writes, as Linux answers a root writer of a non-root cgroup (a non-root
// writer gets EACCES at open from the 0644 modes; a read-only mount,
// EROFS; a 0444 file is EACCES for everyone, as kernfs refuses a file
// without a write method):
// - memory.max and pids.max change the Sentry's limits, as `tsvisor update`
//   does (MemoryFile.setLimit, SandboxLimits.setMaxTasks);
// - cgroup.procs and cgroup.threads take a pid of the sandbox (it is in
//   this cgroup already, so nothing moves), ESRCH for another;
// - cgroup.subtree_control enables and disables cpu and pids (threaded
//   controllers, allowed beside the cgroup's processes); +memory is EBUSY
//   (Linux's no-internal-process rule: the cgroup has processes);
// - cpu.max and cpu.weight take the value in force and are otherwise EPERM:
//   the host cgroup enforces them and the sealed Sentry cannot reach it
//   (`tsvisor update` on the host changes them);
// - cgroup.type: "threaded" is EOPNOTSUPP (the container's cgroup cannot
//   become a thread subtree), anything else EINVAL.
//
// Differs from Linux: memory.max below the usage is EBUSY (nothing is
// reclaimed or killed to make room, as `tsvisor update` refuses it) where
// Linux reclaims and OOM-kills, and below a page EINVAL; pids.max 0 is EINVAL (the Sentry's limit
// is at least one task); memory.peak is read-only (as before Linux 6.12);
// memory.stat has only the split the Sentry keeps (tmpfs and the root
// overlay's upper layer count as anon); cpu.stat has no throttling counts
// (the host cgroup has them); memory.events' max counts allocations the
// limit refused, and oom is the OOM killer's victims, as oom_kill (the
// Sentry's OOM killer always kills).

import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import { MAX_TASKS_LIMIT } from '../../kernel/limits.js';
import { sandboxCpu } from '../../kernel/usage.js';
import { MemoryFile } from '../../memory/memory_file.js';
import { EBUSY, EINVAL, ENOENT, EOPNOTSUPP, EPERM, ESRCH } from '../../abi/linux/errno.js';
import { KernelFile } from '../proc/nodes.js';
import type { KernFileSystem, StaticDir } from '../proc/nodes.js';

/** Every controller Linux has on the default hierarchy, in its order (what subtree_control names are checked against). */
const LINUX_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'];
/** The controllers this cgroup has: the ones whose figures the Sentry keeps. */
const CONTROLLERS = ['cpu', 'memory', 'pids'];
/** Threaded controllers (cgrp_dfl_threaded_ss_mask): they may be enabled in a cgroup that has processes. */
const THREADED = new Set(['cpu', 'pids']);

/** What the cgroup keeps of its own beyond the kernel's state: the controllers enabled for (impossible) children. */
export interface CgroupState {
  subtree: Set<string>;
}

type Gen = (k: Kernel, caller: Task | null) => string;
type Writer = (k: Kernel, caller: Task | null, data: string) => number;

/** The live tasks of the sandbox (zombies are not a cgroup's members). */
function liveTasks(k: Kernel): Task[] {
  return [...k.pidns.tasks.values()].filter((t) => t.tg.exitStatus === null && t.state !== TaskState.Dead);
}

/** cgroup.procs and cgroup.threads: one id a line, in order. */
function idLines(ids: Iterable<number>): string {
  return [...new Set(ids)].sort((a, b) => a - b).map((n) => `${n}\n`).join('');
}

/** strstrip: what Linux's cgroup writers parse (a trailing newline from echo). */
const strip = (s: string): string => s.replace(/^\s+|\s+$/g, '');

/** memparse: a number (decimal, 0x hex, 0 octal) with an optional K, M, G, T, P or E suffix; null if it is not one. */
function memparse(s: string): number | null {
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))([kKmMgGtTpPeE]?)$/.exec(s);
  if (m === null) return null;
  const n = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2] || '0', 8) : Number(m[3]);
  return m[4] === '' ? n : n * 1024 ** ('kmgtpe'.indexOf(m[4].toLowerCase()) + 1);
}

/**
 * A pid written to cgroup.procs or cgroup.threads, in the writer's pid
 * namespace: 0 is the writer; any task of the sandbox is in this cgroup already.
 */
function migrate(k: Kernel, caller: Task | null, data: string): number {
  const s = strip(data);
  if (!/^\d+$/.test(s)) return -EINVAL;
  const id = Number(s);
  if (id === 0) return caller === null ? -ESRCH : 0;
  const x = (caller?.pidns ?? k.pidns).taskWithId(id);
  return x !== undefined && liveTasks(k).includes(x) ? 0 : -ESRCH;
}

/**
 * The members' ids in the reader's pid namespace (process ids, or thread
 * ids); those outside it are left out, as cgroup v1's pidlist does (v2's
 * cgroup_procs_show prints a 0 for each).
 */
function memberIds(k: Kernel, caller: Task | null, threads: boolean): number[] {
  const ns = caller?.pidns ?? k.pidns;
  return liveTasks(k).map((t) => (threads ? ns.idOfTask(t) : ns.idOfThreadGroup(t.tg))).filter((n) => n !== 0);
}

/** cgroup.subtree_control's "+name -name ...": all tokens are checked before any is applied, as Linux does. */
function subtreeWrite(state: CgroupState, data: string): number {
  const enable = new Set<string>(), disable = new Set<string>();
  for (const tok of strip(data).split(/\s+/).filter((x) => x !== '')) {
    const name = tok.slice(1);
    if ((tok[0] !== '+' && tok[0] !== '-') || !LINUX_CONTROLLERS.includes(name)) return -EINVAL;
    if (tok[0] === '+') {
      enable.add(name);
      disable.delete(name);
    } else {
      disable.add(name);
      enable.delete(name);
    }
  }
  for (const c of enable) if (!CONTROLLERS.includes(c)) return -ENOENT;
  for (const c of enable) if (!THREADED.has(c)) return -EBUSY;
  for (const c of enable) state.subtree.add(c);
  for (const c of disable) state.subtree.delete(c);
  return 0;
}

/** cpu.max as Linux prints it: the quota or "max", then the period. */
function cpuMax(k: Kernel): string {
  const c = k.limits.cpu;
  return `${c.quotaUs ?? 'max'} ${c.periodUs}`;
}

/** A write of cpu.max: the value in force (a period alone keeps it) is taken, another is EPERM, nonsense EINVAL. */
function cpuMaxWrite(k: Kernel, _c: Task | null, data: string): number {
  const m = /^(max|\d+)(?:\s+(\d+))?$/.exec(strip(data));
  if (m === null) return -EINVAL;
  const c = k.limits.cpu;
  const quota = m[1] === 'max' ? null : Number(m[1]);
  const period = m[2] === undefined ? c.periodUs : Number(m[2]);
  return quota === c.quotaUs && period === c.periodUs ? 0 : -EPERM;
}

function cpuWeightWrite(k: Kernel, _c: Task | null, data: string): number {
  const s = strip(data);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 10000) return -EINVAL;
  return Number(s) === k.limits.cpu.weight ? 0 : -EPERM;
}

function memoryMax(k: Kernel): string {
  return k.mf.limit >= MemoryFile.maxLimit ? 'max' : String(k.mf.limit);
}

/** memory.max: "max" is the most the memory file holds; a larger number is that too (Linux clamps to PAGE_COUNTER_MAX). */
function memoryMaxWrite(k: Kernel, _c: Task | null, data: string): number {
  const s = strip(data);
  const v = s === 'max' ? MemoryFile.maxLimit : memparse(s);
  if (v === null || !Number.isFinite(v)) return -EINVAL;
  return k.mf.setLimit(Math.min(v, MemoryFile.maxLimit));
}

/** memory.stat: the split the Sentry keeps, with Linux's names and order (bytes). */
function memoryStat(k: Kernel): string {
  const used = k.mf.allocated;
  const file = Math.min(used, k.pageCache.cachedBytes);
  const anon = used - file;
  const rows: [string, number][] = [
    ['anon', anon], ['file', file], ['kernel', 0], ['file_mapped', file], ['anon_thp', 0],
    ['inactive_anon', 0], ['active_anon', anon], ['inactive_file', file], ['active_file', 0], ['unevictable', 0],
  ];
  return rows.map(([n, v]) => `${n} ${v}\n`).join('');
}

function pidsMax(k: Kernel): string {
  return k.maxTasks >= MAX_TASKS_LIMIT ? 'max' : String(k.maxTasks);
}

function pidsMaxWrite(k: Kernel, _c: Task | null, data: string): number {
  const s = strip(data);
  if (s === 'max') return k.limits.setMaxTasks(MAX_TASKS_LIMIT) ? 0 : -EINVAL;
  if (!/^\d+$/.test(s)) return -EINVAL;
  return k.limits.setMaxTasks(Number(s)) ? 0 : -EINVAL;
}

function cpuStat(k: Kernel): string {
  const c = sandboxCpu(k);
  const user = Math.floor(c.userUs), sys = Math.floor(c.sysUs);
  return `usage_usec ${user + sys}\nuser_usec ${user}\nsystem_usec ${sys}\n`;
}

/** Puts the control files in dir (the cgroup's directory). */
export function addControlFiles(fs: KernFileSystem, dir: StaticDir, state: CgroupState): void {
  const add = (name: string, gen: Gen, writer?: Writer) => {
    const f = new KernelFile(fs, gen, writer === undefined ? 0o444 : 0o644, writer);
    // kernfs: a file without a write method cannot be opened for writing, whoever asks.
    f.noWrite = 'open';
    dir.children.set(name, f);
  };
  add('cgroup.controllers', () => `${CONTROLLERS.join(' ')}\n`);
  add('cgroup.events', (k) => `populated 1\nfrozen ${k.frozen ? 1 : 0}\n`);
  add('cgroup.procs', (k, c) => idLines(memberIds(k, c, false)), migrate);
  add('cgroup.stat', () => 'nr_descendants 0\nnr_dying_descendants 0\n');
  add('cgroup.subtree_control', () => `${LINUX_CONTROLLERS.filter((c) => state.subtree.has(c)).join(' ')}\n`,
    (_k, _c, d) => subtreeWrite(state, d));
  add('cgroup.threads', (k, c) => idLines(memberIds(k, c, true)), migrate);
  add('cgroup.type', () => 'domain\n', (_k, _c, d) => (strip(d) === 'threaded' ? -EOPNOTSUPP : -EINVAL));
  add('cpu.max', (k) => `${cpuMax(k)}\n`, cpuMaxWrite);
  add('cpu.stat', cpuStat);
  add('cpu.weight', (k) => `${k.limits.cpu.weight}\n`, cpuWeightWrite);
  add('memory.current', (k) => `${k.mf.allocated}\n`);
  add('memory.events', (k) => `low 0\nhigh 0\nmax ${k.mf.limitHits}\noom ${k.oomKills}\noom_kill ${k.oomKills}\noom_group_kill 0\n`);
  add('memory.max', (k) => `${memoryMax(k)}\n`, memoryMaxWrite);
  add('memory.peak', (k) => `${k.mf.peak}\n`);
  add('memory.stat', memoryStat);
  add('pids.current', (k) => `${k.pidns.tasks.size}\n`);
  add('pids.max', (k) => `${pidsMax(k)}\n`, pidsMaxWrite);
}
