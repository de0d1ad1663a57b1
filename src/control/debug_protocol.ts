// The debugging methods' messages (seed 000's Metrics, Logging and Profile,
// runsc's debug.Stacks): what `tsvisor debug` and `tsvisor metric-export`
// send a sandbox and what they believe of its replies. Every one is the
// sandbox's as a whole, asked of its root container.
//
// Where they differ from runsc's: Profile.CPU and Profile.Heap are V8's
// (a .cpuprofile and a .heapsnapshot, as Chrome's DevTools read them), not
// pprof's; there are no block, mutex, goroutine or trace profiles, since a
// Node process has none of them. debug.Stacks gives the application's
// tasks (state, system call, signals, registers) rather than the Sentry's
// goroutines, which a Sentry on one JavaScript thread does not have.
// Output that may be large (profiles, stacks) goes to the file the
// request's header carries, never into a reply line, which is bounded.
// Metrics.Export has no OnlyMetrics: the client filters what it gets
// (filterMetrics), since a regular expression run on the Sentry's one
// thread can backtrack for hours ("(.+)+x") and stall the container.

import { METHODS, ProtocolError, containerId, int, isObj, onlyKeys } from './protocol.js';
import type { ContainerArgs, Obj } from './protocol.js';

/** Log levels as runsc's --log-level names them, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface MetricsExportResult {
  /** Prometheus's text exposition format, version 0.0.4. */
  text: string;
}

export interface LoggingArgs extends ContainerArgs {
  /** The sandbox log's new level; absent: unchanged. */
  level?: LogLevel;
  /** Whether system calls are traced to the sandbox log; absent: unchanged. */
  strace?: boolean;
  /** With strace: only these calls (by Linux's names); absent or empty: every call. */
  straceSyscalls?: string[];
}

export interface ProfileCpuArgs extends ContainerArgs {
  /** How long to sample the Sentry, in milliseconds. */
  durationMs: number;
}

/** The longest CPU profile: its connection is parked that long. */
export const MAX_PROFILE_MS = 10 * 60_000;
const MAX_STRACE_NAMES = 512;

/** The names of metric samples in text-format lines: what the client checks its filter against. */
const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}\n]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

/** The reply, checked: text format lines only (the sandbox runs untrusted code). */
export function parseMetricsExportResult(r: unknown): MetricsExportResult {
  const bad = (why: string) => new ProtocolError('internal', `the sandbox sent bad metrics: ${why}`);
  if (!isObj(r) || typeof r.text !== 'string') throw bad('no text');
  for (const line of r.text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    if (!SAMPLE_RE.test(line)) throw bad(`a line that is not a sample: ${JSON.stringify(line.slice(0, 80))}`);
  }
  return { text: r.text };
}

/**
 * Only the metrics whose whole name filter matches (runsc's
 * --metric-filter, seed 000's OnlyMetrics), each with its HELP and TYPE
 * lines; a histogram's or summary's series go with their metric's name.
 */
export function filterMetrics(text: string, filter: RegExp): string {
  const keep = (name: string) => filter.test(name) || filter.test(name.replace(/_(bucket|sum|count|created)$/, ''));
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const comment = /^# (?:HELP|TYPE) ([^ ]+)/.exec(line);
    const sample = comment === null ? SAMPLE_RE.exec(line) : null;
    const name = comment?.[1] ?? sample?.[1];
    if (name !== undefined && keep(name)) out.push(line);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export function parseLoggingArgs(p: Obj): LoggingArgs {
  const what = METHODS.loggingChange;
  onlyKeys(p, ['containerId', 'level', 'strace', 'straceSyscalls'], what);
  const a: LoggingArgs = { containerId: containerId(p, what) };
  if (p.level !== undefined) {
    if (typeof p.level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(p.level)) {
      throw new ProtocolError('invalid', `${what}: level must be one of ${LOG_LEVELS.join(', ')}`);
    }
    a.level = p.level as LogLevel;
  }
  if (p.strace !== undefined) {
    if (typeof p.strace !== 'boolean') throw new ProtocolError('invalid', `${what}: strace must be a boolean`);
    a.strace = p.strace;
  }
  if (p.straceSyscalls !== undefined) {
    const l = p.straceSyscalls;
    if (a.strace !== true) throw new ProtocolError('invalid', `${what}: straceSyscalls needs strace true`);
    if (!Array.isArray(l) || l.length > MAX_STRACE_NAMES || !l.every((n) => typeof n === 'string' && /^[a-z0-9_]{1,32}$/.test(n))) {
      throw new ProtocolError('invalid', `${what}: straceSyscalls must be at most ${MAX_STRACE_NAMES} system call names`);
    }
    a.straceSyscalls = l as string[];
  }
  if (a.level === undefined && a.strace === undefined) throw new ProtocolError('invalid', `${what}: nothing to change (give level, strace or both)`);
  return a;
}

export function parseProfileCpuArgs(p: Obj): ProfileCpuArgs {
  const what = METHODS.profileCpu;
  onlyKeys(p, ['containerId', 'durationMs'], what);
  return { containerId: containerId(p, what), durationMs: int(p, 'durationMs', 1, MAX_PROFILE_MS, what) };
}
