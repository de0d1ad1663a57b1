// What a spec's linux.resources means as cgroup v2 values (seed 004's
// Resources; runc's specconv and the fs2 driver of opencontainers/cgroups,
// whose conversions these are): one place for the host cgroup the runtime
// writes (src/container/cgroup.ts) and for the CPU limits the Sentry's
// cgroupfs shows the container (the Loader copies them to the kernel), so
// the two never disagree.
//
// cpu.shares becomes cpu.weight by runc's formula since 1.3.2 (a quadratic
// in log2(shares) through the points 2 -> 1, 1024 -> 100, 262144 ->
// 10000, so that v1's default maps to v2's); runc before it (Debian 12's
// 1.1.5) used the linear 1 + (shares - 2) * 9999 / 262142, which gives
// 39 for 1024.

import type { Resources } from './spec.js';

type Cpu = NonNullable<Resources['cpu']>;

/** cpu.max's default period, µs (Linux's and runc's). */
export const DEFAULT_CPU_PERIOD_US = 100_000;
/** cpu.weight's default. */
export const DEFAULT_CPU_WEIGHT = 100;

/** runc's ConvertCPUSharesToCgroupV2Value: 0 is unset (null), then 1 to 10000. */
export function cpuWeightFromShares(shares: number | undefined): number | null {
  if (shares === undefined || shares === 0) return null;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

/** What runc writes to cpu.max for cpu.quota and cpu.period ("max" for no quota; the default period), or null when neither is set. */
export function cpuMaxValue(cpu: Cpu | undefined): string | null {
  const quota = cpu?.quota ?? 0, period = cpu?.period ?? 0;
  if (quota === 0 && period === 0) return null;
  return `${quota > 0 ? quota : 'max'} ${period !== 0 ? period : DEFAULT_CPU_PERIOD_US}`;
}

/** The container's cgroup's cpu.max and cpu.weight as they will be: the spec's, its unified entries last (as runc writes them), else the defaults. */
export function cgroupCpu(r: Resources | undefined): { quotaUs: number | null; periodUs: number; weight: number } {
  const out = { quotaUs: null as number | null, periodUs: DEFAULT_CPU_PERIOD_US, weight: cpuWeightFromShares(r?.cpu?.shares) ?? DEFAULT_CPU_WEIGHT };
  const max = r?.unified?.['cpu.max'] ?? cpuMaxValue(r?.cpu);
  const m = max === null ? null : /^\s*(max|\d+)(?:\s+(\d+))?\s*$/.exec(max);
  if (m !== null) {
    out.quotaUs = m[1] === 'max' ? null : Number(m[1]);
    if (m[2] !== undefined) out.periodUs = Number(m[2]);
  }
  const w = r?.unified?.['cpu.weight'];
  if (w !== undefined && /^\s*\d+\s*$/.test(w)) out.weight = Number(w);
  return out;
}

/** runc's ConvertBlkIOToIOWeightValue: blkio.weight (10 to 1000) as io.weight (1 to 10000). */
export function ioWeightFromBlkio(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * runc's ConvertMemorySwapToCgroupV2Value: memory.swap (memory and swap
 * together, v1's meaning) as memory.swap.max (swap alone): -1 is "max",
 * null leaves it unset; a string says why the pair is refused.
 */
export function swapMax(swap: number | undefined, limit: number | undefined): number | 'max' | null | { error: string } {
  const s = swap ?? 0, m = limit ?? 0;
  if (m === -1 && s === 0) return 'max';
  if (s === -1) return 'max';
  if (s === 0) return null;
  if (m === -1) return s;
  // runc's words.
  if (m === 0) return { error: 'unable to set swap limit without memory limit' };
  if (m < 0) return { error: `invalid memory value: ${m}` };
  if (s < m) return { error: 'memory+swap limit should be >= memory limit' };
  return s - m;
}
