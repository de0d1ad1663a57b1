// runsc's debug and metric-export commands: clients of a running sandbox's
// debugging methods (src/control/debug_protocol.ts).
//
//   tsvisor debug [--log-level L] [--strace all|off|CALLS] [--stacks]
//                 [--profile-heap FILE] [--profile-cpu FILE [--duration D]] ID
//   tsvisor metric-export [--metric-filter REGEX] ID
//
// The actions run in that order: the log changes first, so that what the
// others make the Sentry log is seen as asked. --stacks prints every
// task's state and registers on stdout. The profiles are V8's
// (.cpuprofile, .heapsnapshot: Chrome DevTools and `node --prof`-style
// tools read them), not runsc's pprof files. Where it differs from
// runsc's debug: no --signal, --ps, --mount, --profile-block,
// --profile-mutex, --trace or --log-packets (refused as unknown flags);
// the sandbox is named by a container id, as runsc names it.
//
// The files given are opened here, never by the sandbox (which cannot
// open host files), and must be regular files: the Sentry writes them
// itself, and a pipe it waited on would stall the container.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import { LOG_LEVELS, MAX_PROFILE_MS, filterMetrics } from '../control/debug_protocol.js';
import type { LogLevel } from '../control/debug_protocol.js';
import { writeStderr } from '../kernel/log.js';
import { parseDuration } from './events.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

interface DebugOptions {
  stacks: boolean;
  profileCpu?: string;
  profileHeap?: string;
  duration: string;
  strace?: string;
  logLevel?: string;
}

/** A file to hand the sandbox for its output: made or emptied, and refused unless it is a regular file. */
function openOutput(file: string, flag: string): number {
  const notRegular = () => new ContainerError(`${flag} ${file}: not a regular file (the sandbox writes it itself and must not wait on a reader)`);
  // A FIFO without a reader would fail the open below with ENXIO: say what is wrong instead.
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st !== undefined && !st.isFile()) throw notRegular();
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO made meanwhile must not make the open wait for a reader.
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NONBLOCK, 0o600);
  } catch (e) {
    throw new ContainerError(`${flag} ${file}: ${(e as Error).message}`);
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw notRegular();
  }
  return fd;
}

/** A nameless temporary file: made, its name removed at once. */
function anonymousFile(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvisor-debug-'));
  const file = path.join(dir, 'out');
  try {
    return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** --strace's value: every call, none, or a list of names. */
function straceChange(v: string): { strace: boolean; straceSyscalls?: string[] } {
  if (v === 'off') return { strace: false };
  if (v === 'all' || v === '') return { strace: true };
  const names = v.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const bad = names.filter((n) => !/^[a-z0-9_]{1,32}$/.test(n));
  if (bad.length > 0) throw new ContainerError(`--strace ${v}: expected all, off or a comma-separated list of system call names`);
  return { strace: true, straceSyscalls: names };
}

export function addDebugCommands(program: Command, globals: GlobalsFn): void {
  program.command('debug')
    .description('shows what a running sandbox is doing: its tasks, profiles of its Sentry, its log level and system call trace')
    .argument('<container-id>')
    .option('--stacks', 'print every task\'s state, system call, signals and registers', false)
    .option('--profile-cpu <file>', 'write a CPU profile of the Sentry (V8\'s .cpuprofile) taken for --duration to FILE')
    .option('--profile-heap <file>', 'write a heap snapshot of the Sentry (V8\'s .heapsnapshot) to FILE; the sandbox stands still while it is taken')
    .option('--duration <duration>', 'how long --profile-cpu samples (a Go duration: 500ms, 5s, 1m)', '1s')
    .option('--strace <calls>', 'trace system calls to the sandbox\'s log: all, off, or a comma-separated list of calls')
    .option('--log-level <level>', `the sandbox log's level: ${LOG_LEVELS.join(', ')}`)
    .action(async (id: string, o: DebugOptions) => {
      if (o.logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(o.logLevel)) {
        throw new ContainerError(`--log-level ${o.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
      }
      const durationMs = parseDuration(o.duration);
      if (o.profileCpu !== undefined && (durationMs < 1 || durationMs > MAX_PROFILE_MS)) {
        throw new ContainerError(`--duration ${o.duration}: expected from 1ms to ${MAX_PROFILE_MS / 60_000}m`);
      }
      const strace = o.strace === undefined ? undefined : straceChange(o.strace);
      if (!o.stacks && o.profileCpu === undefined && o.profileHeap === undefined && strace === undefined && o.logLevel === undefined) {
        throw new ContainerError('debug: nothing to do: give --stacks, --profile-cpu, --profile-heap, --strace or --log-level');
      }
      const c = Container.load(runtime(globals()), id);
      if (strace !== undefined || o.logLevel !== undefined) {
        const change = { ...(o.logLevel === undefined ? {} : { level: o.logLevel as LogLevel }), ...(strace ?? {}) };
        await c.debug('debug', (cl) => cl.loggingChange(change));
      }
      if (o.stacks) {
        const fd = anonymousFile();
        try {
          await c.debug('debug --stacks', (cl) => cl.stacks(fd));
          // The sandbox's copy shares the file's offset, now at its end: read from the start.
          const b = Buffer.alloc(fs.fstatSync(fd).size);
          for (let off = 0; off < b.length;) {
            const n = fs.readSync(fd, b, off, b.length - off, off);
            if (n === 0) break;
            off += n;
          }
          process.stdout.write(b);
        } finally {
          fs.closeSync(fd);
        }
      }
      for (const [file, flag] of [[o.profileHeap, '--profile-heap'], [o.profileCpu, '--profile-cpu']] as const) {
        if (file === undefined) continue;
        const fd = openOutput(file, flag);
        try {
          if (flag === '--profile-heap') await c.debug('debug --profile-heap', (cl) => cl.profileHeap(fd));
          else await c.debug('debug --profile-cpu', (cl) => cl.profileCpu(fd, Math.round(durationMs)));
        } finally {
          fs.closeSync(fd);
        }
        writeStderr(`tsvisor: ${flag === '--profile-heap' ? 'heap snapshot' : 'CPU profile'} written to ${file}\n`);
      }
    });

  program.command('metric-export')
    .description('prints the sandbox\'s metrics in Prometheus\'s text format')
    .argument('<container-id>')
    .option('--metric-filter <regex>', 'only the metrics whose whole name this regular expression matches')
    .action(async (id: string, o: { metricFilter?: string }) => {
      let filter: RegExp | null = null;
      if (o.metricFilter !== undefined) {
        try {
          filter = new RegExp(`^(?:${o.metricFilter})$`);
        } catch (e) {
          throw new ContainerError(`--metric-filter ${o.metricFilter}: ${(e as Error).message}`);
        }
      }
      const c = Container.load(runtime(globals()), id);
      const r = await c.debug('metric-export', (cl) => cl.metricsExport());
      process.stdout.write(filter === null ? r.text : filterMetrics(r.text, filter));
    });
}
