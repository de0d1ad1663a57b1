// Seed 000's Metrics.Export: the sandbox's metrics in Prometheus's text
// exposition format, made with prom-client from what the Sentry keeps
// (the same figures as Usage, usage.ts) and the Sentry's own heap. Each
// sample carries the sandbox's container id as its `sandbox` label, as
// runsc's metric server labels a sandbox's metrics.
//
// Where it differs from runsc's: runsc registers its metrics at boot and
// the client checks a snapshot against that registration
// (GetRegisteredMetrics); here the set is fixed by this file and the
// client checks the text's shape and applies the filter (debug_protocol.ts). The
// Sentry counts nothing per system call for it: the hot path stays as it
// is, so there are no syscall or file-operation counters.

import * as v8 from 'node:v8';
import type { Kernel } from '../kernel/kernel.js';
import { sandboxCpu } from '../kernel/usage.js';

type PromClient = typeof import('prom-client');

/** The sandbox's metrics, made when first asked for: prom-client is loaded then, not at boot. */
export class SandboxMetrics {
  private registry: import('prom-client').Registry | null = null;

  constructor(private readonly kernel: Kernel, private readonly sandboxId: string) {}

  private build(p: PromClient): import('prom-client').Registry {
    const k = this.kernel;
    const r = new p.Registry();
    r.setDefaultLabels({ sandbox: this.sandboxId });
    const gauge = (name: string, help: string, value: () => number) => {
      new p.Gauge({ name, help, registers: [r], collect() { this.set(value()); } });
    };
    // A cumulative figure the Sentry keeps is a counter, set to the figure as it is collected.
    const counter = (name: string, help: string, value: () => number) => {
      new p.Counter({ name, help, registers: [r], collect() { this.reset(); this.inc(value()); } });
    };
    counter('tsvisor_cpu_user_seconds_total', 'CPU time the sandbox\'s tasks spent in user mode', () => sandboxCpu(k).userUs / 1e6);
    counter('tsvisor_cpu_system_seconds_total', 'CPU time the Sentry spent serving the sandbox\'s tasks', () => sandboxCpu(k).sysUs / 1e6);
    gauge('tsvisor_memory_usage_bytes', 'Memory the sandbox\'s memory file holds', () => k.mf.allocated);
    gauge('tsvisor_memory_limit_bytes', 'The sandbox\'s total memory (past it the OOM killer runs)', () => k.mf.limit);
    gauge('tsvisor_tasks', 'Tasks (threads) in the sandbox', () => k.pidns.tasks.size);
    gauge('tsvisor_tasks_limit', 'The most tasks the sandbox may hold (pids.limit)', () => k.maxTasks);
    counter('tsvisor_oom_kills_total', 'Processes the Sentry\'s OOM killer has ended', () => k.oomKills);
    gauge('tsvisor_sentry_heap_used_bytes', 'The Sentry\'s JavaScript heap in use', () => v8.getHeapStatistics().used_heap_size);
    gauge('tsvisor_sentry_heap_limit_bytes', 'The Sentry\'s JavaScript heap limit', () => v8.getHeapStatistics().heap_size_limit);
    return r;
  }

  /** Every metric in the text format (the client filters: debug_protocol.ts). */
  async export(): Promise<string> {
    if (this.registry === null) this.registry = this.build(await import('prom-client'));
    return this.registry.metrics();
  }
}
