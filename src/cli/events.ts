// runc's events (events.go, types/events.go; runsc's cmd/events.go): the
// container's events as JSON lines on stdout, runc's types.Event
// ({"type","id","data"}). --stats prints one "stats" event and exits;
// without it a "stats" event comes every --interval (a Go duration,
// default 5s) and an "oom" event each time the Sentry's OOM killer has
// ended a process, until the container stops (then it exits 0, as runc's
// loop ends when the cgroup goes).
//
// The stats are what the Sentry knows (control's Usage, src/control/usage.ts)
// in runc's layout: cpu.usage {total, kernel, user} in nanoseconds,
// memory.usage {limit, usage} in bytes, pids {current, limit}. What it does
// not keep is absent, not zero: cpuset, per-CPU times, throttling, cache,
// swap, kernel memory, failcnt, max usage, blkio, hugetlb, intel_rdt and
// network interfaces. OOM kills come from the sandbox's WaitOOM long poll
// (runc reads the memory cgroup's eventfd), which also reports a kill that
// ended the container itself. A stats error before the first event fails
// the command; later ones are skipped, as runc logs and skips them.

import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import type { UsageResult } from '../control/protocol.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (time.ParseDuration: "5s", "1m30s", "250ms", "1.5h") in milliseconds; throws with Go's words. */
export function parseDuration(raw: string): number {
  let s = raw;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new ContainerError(`time: invalid duration ${JSON.stringify(raw)}`);
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)?/;
  while (s !== '') {
    const m = re.exec(s);
    if (m === null) throw new ContainerError(`time: invalid duration ${JSON.stringify(raw)}`);
    if (m[2] === undefined) throw new ContainerError(`time: missing unit in duration ${JSON.stringify(raw)}`);
    total += Number(m[1]) * UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** runc's types.Stats, of what the Sentry knows. */
export function statsData(u: UsageResult): Record<string, unknown> {
  return {
    cpu: { usage: { total: u.cpu.user + u.cpu.kernel, kernel: u.cpu.kernel, user: u.cpu.user } },
    memory: { usage: { limit: u.memory.limit, usage: u.memory.usage } },
    pids: { current: u.pids.current, limit: u.pids.limit },
  };
}

function emit(type: string, id: string, data?: unknown): void {
  // Go's json.Encoder: one compact object a line; an event without data has no "data".
  process.stdout.write(`${JSON.stringify(data === undefined ? { type, id } : { type, id, data })}\n`);
}

export function addEventsCommand(program: Command, globals: GlobalsFn): void {
  program.command('events')
    .description('display container events such as OOM notifications, cpu, memory, and IO usage statistics')
    .option('--interval <duration>', 'set the stats collection interval', '5s')
    .option('--stats', "display the container's stats then exit", false)
    .argument('<container-id>')
    .action(async (id: string, o: { interval: string; stats: boolean }) => {
      const interval = parseDuration(o.interval);
      if (interval <= 0) throw new ContainerError('duration interval must be greater than 0');
      // Node's timers hold at most 2^31-1 ms (about 24.8 days).
      const every = Math.min(Math.max(1, Math.round(interval)), 2 ** 31 - 1);
      const c = Container.load(runtime(globals()), id);
      const status = await c.status();
      if (status === 'stopped') throw new ContainerError(`container with id ${id} is not running`);
      if (o.stats) {
        emit('stats', id, statsData(await c.usage()));
        return;
      }
      // Two streams into one: a stats event every interval, and an oom
      // event for each kill the sandbox's long poll reports, until the
      // container stops (the poll then gives the final count).
      let seen = (await c.usage()).oomKills;
      let timer: NodeJS.Timeout | null = null;
      const stats = () => {
        c.usage().then((u) => emit('stats', id, statsData(u)), () => {});
        timer = setTimeout(stats, every);
      };
      timer = setTimeout(stats, every);
      try {
        for (;;) {
          const r = await c.waitOom(seen);
          for (let i = seen; i < r.oomKills; i++) emit('oom', id);
          seen = Math.max(seen, r.oomKills);
          if (r.stopped) return;
        }
      } finally {
        if (timer !== null) clearTimeout(timer);
      }
    });
}
