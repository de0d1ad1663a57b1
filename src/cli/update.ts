// runc's update (update.go; runsc's cmd/update.go): change a running
// container's resource limits, from flags or from a LinuxResources JSON
// file (-r FILE, or - for stdin; then the flags are ignored, as runc
// ignores them). tsvisor honours what the Sentry itself enforces and can
// change while it runs, and what the container's host cgroup enforces
// (src/container/cgroup.ts), and refuses the rest by name rather than
// pretend:
//
//   --memory, memory.limit        the sandbox's total memory (the memory
//                                 file's limit, src/memory/memory_file.ts);
//                                 below what it holds now is refused (as
//                                 cgroup v1 refuses with EBUSY); -1
//                                 (unlimited) is refused: the Sentry always
//                                 bounds its memory
//   --pids-limit, pids.limit      the most tasks (Kernel.maxTasks through
//                                 SandboxLimits.setMaxTasks); -1 is Linux's
//                                 own bound, PID_MAX_LIMIT
//   (both: the host cgroup's memory.max and pids.max follow, with their
//   headroom)
//   --cpu-share, --cpu-quota,     the host cgroup's cpu.weight, cpu.max,
//   --cpu-period, --cpuset-cpus,  cpuset.cpus and cpuset.mems (refused for a
//   --cpuset-mems; cpu.shares,    container without one); the Sentry is told
//   quota, period, cpus, mems     the new cpu.max and cpu.weight for its
//                                 cgroupfs
//   --kernel-memory(-tcp),        ignored with runc's warning (runc ignores
//   memory.kernel(TCP)            them too)
//   everything else runc applies  refused: "not supported by tsvisor: ..."
//   (realtime CPU, blkio weight,
//   memory reservation and swap,
//   unified, Intel RDT schemas)
//
// A 0 (or an empty string) leaves a value unchanged, as in runc. Fields of
// LinuxResources that runc's update never reads (devices, hugepageLimits,
// network, rdma, blockIO beyond weight, memory.swappiness,
// disableOOMKiller, useHierarchy, checkBeforeUpdate) are ignored as runc
// ignores them; tsvisor always checks a new memory limit against the
// usage, as checkBeforeUpdate asks.

import * as fs from 'node:fs';
import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import type { UpdateArgs } from '../control/protocol.js';
import type { CpuUpdate } from '../container/cgroup.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

interface UpdateFlags {
  resources?: string;
  blkioWeight?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuShare?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  pidsLimit?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
}

/** What an update asks for: the Sentry's limits, the host cgroup's CPU ones, what tsvisor cannot do (refused), and whether kernel memory was given (warned of). */
export interface UpdatePlan {
  limits: Omit<UpdateArgs, 'containerId'>;
  cpu?: CpuUpdate;
  unsupported: string[];
  kernelMemory: boolean;
}

/** Puts one CPU field in the plan (0 and "" are runc's "unchanged"). */
function cpuField<K extends keyof CpuUpdate>(plan: UpdatePlan, k: K, v: CpuUpdate[K]): void {
  if (v === 0 || v === '' || v === undefined) return;
  plan.cpu = { ...plan.cpu, [k]: v };
}

const PID_MAX_LIMIT = 4194304;
const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** docker/go-units' RAMInBytes, as runc parses --memory: "512m", "1.5g", "1024", binary multiples. */
export function ramInBytes(flag: string, raw: string): number {
  if (raw === '-1') return -1;
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(raw);
  if (m === null) throw new ContainerError(`invalid value for ${flag}: invalid size: '${raw}'`);
  const n = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
  if (!Number.isSafeInteger(n)) throw new ContainerError(`invalid value for ${flag}: ${raw} is too large`);
  return n;
}

function integer(flag: string, raw: string, min: number): number {
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
    throw new ContainerError(`invalid value for ${flag}: ${JSON.stringify(raw)} is not an integer${min >= 0 ? ' of 0 or more' : ''}`);
  }
  return Number(raw);
}

function memoryLimit(name: string, v: number, plan: UpdatePlan): void {
  if (v === 0) return;
  if (v === -1) throw new ContainerError(`${name} -1 (unlimited): the sandbox always has a total memory in tsvisor; give a number of bytes`);
  if (v < 0) throw new ContainerError(`${name} ${v}: expected a number of bytes`);
  plan.limits.memoryLimit = v;
}

function pidsLimit(name: string, v: number, plan: UpdatePlan): void {
  if (v === 0) return;
  if (v < 0) {
    // pids.max "max": the bound left is Linux's own.
    plan.limits.pidsLimit = PID_MAX_LIMIT;
    return;
  }
  if (v > PID_MAX_LIMIT) throw new ContainerError(`${name} ${v}: at most ${PID_MAX_LIMIT} (Linux's PID_MAX_LIMIT)`);
  plan.limits.pidsLimit = v;
}

/** The plan from the command line's flags. */
export function planFromFlags(o: UpdateFlags): UpdatePlan {
  const plan: UpdatePlan = { limits: {}, unsupported: [], kernelMemory: false };
  const given = (v: string | undefined): v is string => v !== undefined && v !== '';
  // Flags whose value is a number: 0 is runc's "unchanged".
  const numeric: [keyof UpdateFlags, string][] = [['blkioWeight', '--blkio-weight'], ['cpuRtPeriod', '--cpu-rt-period'], ['cpuRtRuntime', '--cpu-rt-runtime']];
  for (const [k, flag] of numeric) {
    const v = o[k];
    if (given(v) && integer(flag, v, -1) !== 0) plan.unsupported.push(flag);
  }
  if (given(o.cpuShare)) cpuField(plan, 'shares', integer('--cpu-share', o.cpuShare, 0));
  if (given(o.cpuQuota)) cpuField(plan, 'quota', integer('--cpu-quota', o.cpuQuota, -1));
  if (given(o.cpuPeriod)) cpuField(plan, 'period', integer('--cpu-period', o.cpuPeriod, 0));
  cpuField(plan, 'cpus', o.cpusetCpus);
  cpuField(plan, 'mems', o.cpusetMems);
  for (const [k, flag] of [['l3CacheSchema', '--l3-cache-schema'], ['memBwSchema', '--mem-bw-schema']] as const) {
    if (given(o[k])) plan.unsupported.push(flag);
  }
  for (const [k, flag] of [['memoryReservation', '--memory-reservation'], ['memorySwap', '--memory-swap']] as const) {
    const v = o[k];
    if (given(v) && ramInBytes(flag, v) !== 0) plan.unsupported.push(flag);
  }
  for (const [k, flag] of [['kernelMemory', '--kernel-memory'], ['kernelMemoryTcp', '--kernel-memory-tcp']] as const) {
    const v = o[k];
    if (given(v) && ramInBytes(flag, v) !== 0) plan.kernelMemory = true;
  }
  if (given(o.memory)) memoryLimit('--memory', ramInBytes('--memory', o.memory), plan);
  if (given(o.pidsLimit)) pidsLimit('--pids-limit', integer('--pids-limit', o.pidsLimit, -Infinity), plan);
  return plan;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The plan from a LinuxResources document (-r): every field runc's update applies, by its JSON path. */
export function planFromResources(text: string, what: string): UpdatePlan {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new ContainerError(`${what}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(r)) throw new ContainerError(`${what}: expected a JSON object (the spec's linux.resources)`);
  const plan: UpdatePlan = { limits: {}, unsupported: [], kernelMemory: false };
  const section = (k: string): Obj => {
    const v = r[k];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) throw new ContainerError(`${what}: ${k} must be an object`);
    return v;
  };
  const num = (o: Obj, path: string, k: string): number => {
    const v = o[k];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ContainerError(`${what}: ${path}.${k} must be an integer`);
    return v;
  };
  const mem = section('memory');
  memoryLimit('memory.limit', num(mem, 'memory', 'limit'), plan);
  for (const k of ['reservation', 'swap']) if (num(mem, 'memory', k) !== 0) plan.unsupported.push(`memory.${k}`);
  for (const k of ['kernel', 'kernelTCP']) if (num(mem, 'memory', k) !== 0) plan.kernelMemory = true;
  const cpu = section('cpu');
  for (const k of ['realtimeRuntime', 'realtimePeriod']) if (num(cpu, 'cpu', k) !== 0) plan.unsupported.push(`cpu.${k}`);
  for (const k of ['shares', 'quota', 'period'] as const) cpuField(plan, k, num(cpu, 'cpu', k));
  for (const k of ['cpus', 'mems'] as const) {
    const v = cpu[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new ContainerError(`${what}: cpu.${k} must be a string`);
    if (typeof v === 'string') cpuField(plan, k, v);
  }
  if (num(section('blockIO'), 'blockIO', 'weight') !== 0) plan.unsupported.push('blockIO.weight');
  pidsLimit('pids.limit', num(section('pids'), 'pids', 'limit'), plan);
  const unified = section('unified');
  if (Object.keys(unified).length > 0) plan.unsupported.push('unified');
  return plan;
}

export function addUpdateCommand(program: Command, globals: GlobalsFn): void {
  program.command('update')
    .description('update container resource constraints (tsvisor: the total memory, the most tasks, and CPU through the host cgroup; the rest is refused)')
    .option('-r, --resources <file>', "a file with the resources to update (the spec's linux.resources), or - for the standard input; the other flags are then ignored")
    .option('--blkio-weight <n>', 'per cgroup weight, 10 to 1000 (not supported by tsvisor)')
    .option('--cpu-period <n>', 'CPU CFS period (the host cgroup\'s cpu.max)')
    .option('--cpu-quota <n>', 'CPU CFS hardcap limit (the host cgroup\'s cpu.max; -1: none)')
    .option('--cpu-share <n>', 'CPU shares (the host cgroup\'s cpu.weight, by runc\'s conversion)')
    .option('--cpu-rt-period <n>', 'CPU realtime period (not supported by tsvisor)')
    .option('--cpu-rt-runtime <n>', 'CPU realtime hardcap limit (not supported by tsvisor)')
    .option('--cpuset-cpus <cpus>', 'CPU(s) to use (the host cgroup\'s cpuset.cpus)')
    .option('--cpuset-mems <mems>', 'memory node(s) to use (the host cgroup\'s cpuset.mems)')
    .option('--kernel-memory <n>', '(obsoleted; ignored, as runc ignores it)')
    .option('--kernel-memory-tcp <n>', '(obsoleted; ignored, as runc ignores it)')
    .option('--memory <bytes>', 'the sandbox\'s total memory (512m, 2g, bytes)')
    .option('--memory-reservation <bytes>', 'memory soft limit (not supported by tsvisor)')
    .option('--memory-swap <bytes>', 'memory plus swap (not supported by tsvisor: the sandbox has no swap)')
    .option('--pids-limit <n>', 'the most tasks (threads) the sandbox may hold; -1: Linux\'s own bound')
    .option('--l3-cache-schema <schema>', 'Intel RDT/CAT L3 cache schema (not supported by tsvisor)')
    .option('--mem-bw-schema <schema>', 'Intel RDT/MBA memory bandwidth schema (not supported by tsvisor)')
    .argument('<container-id>')
    .action(async (id: string, o: UpdateFlags) => {
      const rt = runtime(globals());
      let plan: UpdatePlan;
      if (o.resources !== undefined && o.resources !== '') {
        let text: string;
        try {
          text = fs.readFileSync(o.resources === '-' ? 0 : o.resources, 'utf8');
        } catch (e) {
          throw new ContainerError(`--resources ${o.resources}: ${(e as Error).message}`);
        }
        plan = planFromResources(text, o.resources === '-' ? 'the resources on stdin' : o.resources);
      } else {
        plan = planFromFlags(o);
      }
      const c = Container.load(rt, id);
      if (plan.unsupported.length > 0) {
        throw new ContainerError(`not supported by tsvisor: ${plan.unsupported.join(', ')} (it changes the Sentry's total memory and most tasks, and the host cgroup's CPU limits)`);
      }
      if (plan.kernelMemory) rt.warn?.('Kernel memory settings are ignored and will be removed');
      if (plan.limits.memoryLimit === undefined && plan.limits.pidsLimit === undefined && plan.cpu === undefined) {
        // runc applies the unchanged config; here there is nothing to send, but the container must be live.
        if ((await c.status()) === 'stopped') throw new ContainerError('container not running');
        return;
      }
      await c.update(plan.limits, plan.cpu);
    });
}
