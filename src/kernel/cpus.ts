// The CPUs the sandbox reports (gVisor's Kernel.ApplicationCores): the
// host CPUs the Sentry may run on, counted once at start-up. Every answer
// about CPUs (sched_getaffinity, /proc/cpuinfo, /proc/stat,
// /sys/devices/system/cpu) is made from this one number, so they agree.

import * as os from 'node:os';

/** How many CPUs the sandbox has: numbered 0 to NUM_CPUS-1. */
export const NUM_CPUS = Math.max(1, os.availableParallelism());

/** The CPU list as Linux writes one ("0", "0-3"). */
export function cpuList(): string {
  return NUM_CPUS === 1 ? '0' : `0-${NUM_CPUS - 1}`;
}

/** The CPU mask as Linux's %*pb writes it: hex, in comma-separated groups of 32 bits. */
export function cpuMask(): string {
  const groups: string[] = [];
  for (let base = 0; base < NUM_CPUS; base += 32) {
    const n = Math.min(32, NUM_CPUS - base);
    groups.unshift((n === 32 ? 0xffffffff : (1 << n) - 1 >>> 0).toString(16));
  }
  // Every group but the first is written in full (8 digits).
  return groups.map((g, i) => (i === 0 ? g : g.padStart(8, '0'))).join(',');
}
