// What the control server reports of a sandbox's use and lets change of its
// limits (gVisor's pkg/sentry/control Usage and runsc's containerManager
// Event, seed 000): CPU time, memory, tasks and OOM kills from what the
// Sentry itself keeps, and the two limits it enforces that can change
// while it runs (total memory, most tasks). runsc reads a cgroup first and
// falls back to the Sentry's accounting; tsvisor reports the Sentry's
// figures only (a host cgroup, where create makes one, holds the Sentry's
// own heap and threads too, so its figures are not the container's), and
// nothing it does not keep (no cache, swap, block I/O, failcnt, peak usage).
//
// CPU: src/kernel/usage.ts's sandboxCpu, the figure cgroupfs's cpu.stat
// shows too.

import type { Kernel } from '../kernel/kernel.js';
import { sandboxCpu } from '../kernel/usage.js';
import { MemoryFile } from '../memory/memory_file.js';
import { ProtocolError } from './protocol.js';
import type { OomResult, UpdateArgs, UsageResult } from './protocol.js';

export function usage(kernel: Kernel): UsageResult {
  const cpu = sandboxCpu(kernel);
  return {
    cpu: { user: Math.round(cpu.userUs * 1000), kernel: Math.round(cpu.sysUs * 1000) },
    memory: { usage: kernel.mf.allocated, limit: kernel.mf.limit },
    pids: { current: kernel.pidns.tasks.size, limit: kernel.maxTasks },
    oomKills: kernel.oomKills,
  };
}

/**
 * Applies `tsvisor update`'s limits: the total memory (refused below what
 * the sandbox holds now, as cgroup v1 refuses with EBUSY, rather than
 * killing to make room) and the most tasks (below the tasks there are it
 * only stops new ones, as pids.max does). Nothing changes unless every
 * value can be applied. CPU limits are the host cgroup's, already written:
 * they are recorded for cgroupfs to show.
 */
export function updateLimits(kernel: Kernel, a: UpdateArgs): void {
  if (a.memoryLimit !== undefined) {
    const max = MemoryFile.maxLimit;
    if (a.memoryLimit > max) throw new ProtocolError('invalid', `memory limit ${a.memoryLimit}: the sandbox's memory can be at most ${max} bytes`);
    if (a.memoryLimit < kernel.mf.allocated) {
      throw new ProtocolError('invalid', `memory limit ${a.memoryLimit}: the sandbox uses ${kernel.mf.allocated} bytes now; a limit below that is refused (nothing is reclaimed to make room)`);
    }
  }
  if (a.memoryLimit !== undefined && kernel.mf.setLimit(a.memoryLimit) < 0) {
    throw new ProtocolError('invalid', `memory limit ${a.memoryLimit}: not a size the sandbox can have`);
  }
  if (a.pidsLimit !== undefined && !kernel.limits.setMaxTasks(a.pidsLimit)) {
    throw new ProtocolError('invalid', `pids limit ${a.pidsLimit}: expected 1 to 4194304`);
  }
  // What the host cgroup enforces now (the runtime wrote it there first): only shown.
  const c = kernel.limits.cpu;
  if (a.cpuQuota !== undefined) c.quotaUs = a.cpuQuota === -1 ? null : a.cpuQuota;
  if (a.cpuPeriod !== undefined) c.periodUs = a.cpuPeriod;
  if (a.cpuWeight !== undefined) c.weight = a.cpuWeight;
}

/** How often a waiting OOM watch looks at the kernel's count (the OOM killer runs inside a page fault, with no event of its own). */
const OOM_POLL_MS = 100;

/**
 * The long poll behind `tsvisor events`' "oom" events (control method
 * WaitOOM): a waiter says how many OOM kills it has reported and is
 * answered once there are more, or once the container has stopped (with
 * the final count, so the kill that ended the init itself is reported).
 * runc gets the same from the memory cgroup's eventfd.
 */
export class OomWatch {
  private readonly waiters: { seen: number; resolve: (r: OomResult) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly kernel: Kernel) {}

  wait(seen: number): Promise<OomResult> {
    const n = this.kernel.oomKills;
    if (this.stopped || n > seen) return Promise.resolve({ oomKills: n, stopped: this.stopped });
    return new Promise((resolve) => {
      this.waiters.push({ seen, resolve });
      this.timer ??= setInterval(() => this.check(), OOM_POLL_MS);
    });
  }

  private check(): void {
    const n = this.kernel.oomKills;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (!this.stopped && n <= w.seen) continue;
      this.waiters.splice(i, 1);
      w.resolve({ oomKills: n, stopped: this.stopped });
    }
    if (this.waiters.length === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** The container has stopped: every waiter is answered with the final count. */
  end(): void {
    this.stopped = true;
    this.check();
  }
}
