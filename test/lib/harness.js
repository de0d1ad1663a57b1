// Test harness for tsvisor: run programs natively and under tsvisor, compare.
//
// Linux is the oracle: a test runs the same argv natively and under
// `tsvisor do`, with the same environment, working directory and stdin, and
// expects the same stdout and exit status.
//
// Environment variables:
//   TSVISOR_TEST_SELFCHECK=1  run "tsvisor" as test/lib/fake-tsvisor.js, which
//                             parses the same command line but runs the
//                             program natively. The whole suite must pass in
//                             this mode: it checks the tests themselves (the
//                             native side is deterministic, the comparisons
//                             are right, the process-tree checks work).
//   TSVISOR_TEST_TIMEOUT_SCALE=N  multiply every timeout by N (slow machines).

import { spawn, spawnSync } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import {
  existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_DIR = join(REPO, 'test');
export const C_DIR = join(TEST_DIR, 'c');
/** The hostile suite's programs (test/hostile/README.md); they include ../c/common.h. */
export const HOSTILE_DIR = join(TEST_DIR, 'hostile');
export const OUT = join(TEST_DIR, 'out');
export const TSVISOR_BIN = join(REPO, 'bin', 'tsvisor.js');
export const FAKE_TSVISOR = join(TEST_DIR, 'lib', 'fake-tsvisor.js');
export const SELFCHECK = process.env.TSVISOR_TEST_SELFCHECK === '1';
/** The script run as "tsvisor". */
export const TSVISOR_ENTRY = SELFCHECK ? FAKE_TSVISOR : TSVISOR_BIN;
/** The command users run (bin/tsvisor: the native front door, one Node start-up); the self-check runs the fake with node. */
export const TSVISOR_COMMAND = join(REPO, 'bin', 'tsvisor');

const SCALE = Number(process.env.TSVISOR_TEST_TIMEOUT_SCALE) || 1;
/** Milliseconds, scaled by TSVISOR_TEST_TIMEOUT_SCALE. */
export function ms(n) {
  return Math.round(n * SCALE);
}
export const DEFAULT_TIMEOUT = ms(60_000);

/** The environment every program gets, natively and in the sandbox. */
export const DEFAULT_ENV = Object.freeze({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C',
});

// ---------------------------------------------------------------------------
// Compiling the C programs

const compiled = new Map();
/** name -> gcc stderr (warnings) of each build done by this process */
export const compileWarnings = new Map();

/**
 * Compile test/c/NAME.c with the host gcc (-O1 -Wall; -static if asked) into
 * test/out/NAME.static or NAME.dynamic, once per test process. Returns the
 * path of the binary. Builds go through a temporary file and rename(2), so
 * test files running in parallel never see a half-written binary.
 */
export function compileC(name, { static: isStatic = false, defines = [], dir = C_DIR } = {}) {
  const mode = isStatic ? 'static' : 'dynamic';
  const prefix = dir === C_DIR ? '' : `${basename(dir)}-`;
  const key = `${prefix}${name}.${mode}${defines.length ? '.' + defines.join('.') : ''}`;
  if (compiled.has(key)) return compiled.get(key);
  mkdirSync(OUT, { recursive: true });
  const src = join(dir, `${name}.c`);
  const out = join(OUT, key);
  const tmp = join(OUT, `.${key}.${process.pid}.tmp`);
  const args = ['-O1', '-Wall', ...defines.map((d) => `-D${d}`), '-o', tmp, src];
  if (isStatic) args.unshift('-static');
  const r = spawnSync('gcc', args, { encoding: 'utf8', timeout: ms(120_000) });
  if (r.error) throw new Error(`gcc ${name}: ${r.error.message}`);
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`gcc failed for ${src} (${mode}):\n${r.stderr}`);
  }
  renameSync(tmp, out);
  compileWarnings.set(key, r.stderr);
  compiled.set(key, out);
  return out;
}

// ---------------------------------------------------------------------------
// Running

function normalise(r, started) {
  const signal = r.signal ?? null;
  let code = r.status ?? null;
  if (code === null && signal) code = 128 + osConstants.signals[signal];
  return {
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    status: r.status ?? null,
    signal,
    /** exit status as a shell reports it: the code, or 128 + signal number */
    code,
    error: r.error ?? null,
    timedOut: r.error?.code === 'ETIMEDOUT',
    durationMs: Date.now() - started,
  };
}

function spawnOpts(opts, cwd, env) {
  return {
    cwd,
    env,
    input: opts.input ?? '',
    timeout: opts.timeout ?? DEFAULT_TIMEOUT,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
    // latin1 maps bytes 1:1 to characters, so comparisons are byte-exact.
    encoding: 'latin1',
  };
}

/**
 * The launcher test/c/rolaunch.c (built static): `rolaunch PROG ARGS...`
 * runs PROG in a private mount namespace whose root is a read-only bind of
 * the host's root file system (without the mounts below it), with the host's
 * /dev (read-write), /proc and /sys bound in: the tree as tsvisor presents
 * it, where every call that would change a file fails with EROFS. Needs
 * root; it exits 125 with a message on stderr if it cannot set that up.
 */
export function readOnlyRootLauncher() {
  return compileC('rolaunch', { static: true });
}

/**
 * Run argv natively. opts: env (default DEFAULT_ENV; the program gets exactly
 * this environment), cwd (default '/'), input (stdin, default empty),
 * timeout (ms), nativeReadOnlyRoot (run it through readOnlyRootLauncher(),
 * for programs that try to change the tree: only paths on the host's root
 * file system and /dev, /proc, /sys are then the host's). Returns { stdout,
 * stderr, status, signal, code, error, timedOut, durationMs }.
 */
export function runNative(argv, opts = {}) {
  const started = Date.now();
  if (opts.nativeReadOnlyRoot) argv = [readOnlyRootLauncher(), ...argv];
  argv = withNativeNamespaces(argv, opts); // opts.nativeNamespaces: see the end of this file
  const r = spawnSync(argv[0], argv.slice(1), spawnOpts(opts, opts.cwd ?? '/', opts.env ?? DEFAULT_ENV));
  return normalise(r, started);
}

/** The environment of the node process that runs tsvisor itself. */
export function tsvisorHostEnv() {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // set by `node --test` for its children
  delete env.NODE_OPTIONS;
  env.TSVISOR_NODE = process.execPath; // bin/tsvisor runs this Node, not whichever is first on PATH
  if (SELFCHECK) env.TSVISOR_FAKE_STUB = fakeStubPath();
  return env;
}

/** How to run tsvisorArgs' result: bin/tsvisor with the arguments after the script, or (self-check) node with all of them. */
export function tsvisorCommand(args) {
  return SELFCHECK ? [process.execPath, args] : [TSVISOR_COMMAND, args.slice(1)];
}

/** Command-line arguments for `tsvisor do ... -- argv`, the script (run with node) first. */
export function tsvisorArgs(argv, opts = {}) {
  const args = [TSVISOR_ENTRY, 'do'];
  if (opts.root) args.push('--root', opts.root);
  args.push('--cwd', opts.cwd ?? '/');
  for (const [k, v] of Object.entries(opts.env ?? DEFAULT_ENV)) args.push('--env', `${k}=${v}`);
  if (opts.strace) args.push('--strace');
  if (opts.netRaw) args.push('--net-raw');
  if (opts.debugLog) args.push('--debug-log', opts.debugLog);
  // A program meant for a read-only root gets one: the host root without the overlay.
  if (opts.nativeReadOnlyRoot && !SELFCHECK) args.push('--overlay2', 'none');
  args.push(...(opts.extraArgs ?? []), '--', ...argv);
  return args;
}

/**
 * Run argv under `tsvisor do`, with the same options as runNative plus
 * root, strace, debugLog, extraArgs, netRaw (--net-raw). The node process runs with cwd '/'.
 * nativeReadOnlyRoot runs tsvisor with --overlay2 none (the host root,
 * read-only, with no overlay); in self-check mode the fake tsvisor, which runs programs
 * natively, runs them through readOnlyRootLauncher() too.
 */
export function runTsvisor(argv, opts = {}) {
  const started = Date.now();
  if (SELFCHECK && opts.nativeReadOnlyRoot) argv = [readOnlyRootLauncher(), ...argv];
  if (SELFCHECK) argv = withNativeNamespaces(argv, opts); // the fake runs programs natively
  const o = spawnOpts(opts, '/', tsvisorHostEnv());
  const [cmd, args] = tsvisorCommand(tsvisorArgs(argv, opts));
  const r = spawnSync(cmd, args, o);
  return normalise(r, started);
}

/** Run tsvisor with exactly these arguments (after the script path). */
export function runTsvisorRaw(args, opts = {}) {
  const started = Date.now();
  const o = spawnSync(process.execPath, [TSVISOR_ENTRY, ...args],
    spawnOpts(opts, opts.hostCwd ?? '/', tsvisorHostEnv()));
  return normalise(o, started);
}

/** Start `tsvisor do -- argv` asynchronously; returns the ChildProcess. opts.stdin: 'ignore' (default) or 'pipe'. */
export function spawnTsvisor(argv, opts = {}) {
  const [cmd, args] = tsvisorCommand(tsvisorArgs(argv, opts));
  return spawn(cmd, args, {
    cwd: '/',
    env: tsvisorHostEnv(),
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
}

// ---------------------------------------------------------------------------
// Assertions

const JS_STACK_FRAME = /^\s+at (?:.+ \()?(?:node:|file:|\/).*:\d+:\d+\)?$/m;

/**
 * The Sentry did not crash: no JavaScript stack trace or internal node error
 * on stderr, and tsvisor exited (was not killed by the timeout).
 * strict: also no "Error:" anywhere in stderr (for programs that write
 * nothing to stderr themselves).
 */
export function assertNoSentryCrash(r, { strict = false, what = 'tsvisor' } = {}) {
  assert.ok(!r.timedOut, `${what} did not finish within its timeout (${r.durationMs} ms)\nstderr:\n${tail(r.stderr)}`);
  assert.ok(r.error === null, `${what} could not be run: ${r.error?.message}`);
  assert.ok(!JS_STACK_FRAME.test(r.stderr), `${what} printed a JavaScript stack trace:\n${tail(r.stderr)}`);
  assert.ok(!/node:internal|Uncaught|FATAL ERROR|Assertion failed/.test(r.stderr),
    `${what} crashed:\n${tail(r.stderr)}`);
  if (strict) assert.ok(!/Error:/.test(r.stderr), `${what} reported an error:\n${tail(r.stderr)}`);
}

function tail(s, n = 40) {
  const lines = s.split('\n');
  return lines.length > n ? ['...', ...lines.slice(-n)].join('\n') : s;
}

/** A readable description of where two outputs first differ. */
export function firstDifference(expected, actual, context = 3) {
  if (expected === actual) return 'identical';
  const e = expected.split('\n');
  const a = actual.split('\n');
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const from = Math.max(0, i - context);
  const show = (lines) => lines.slice(from, i + context + 1)
    .map((l, k) => `${from + k + 1 === i + 1 ? '>' : ' '} ${String(from + k + 1).padStart(5)}| ${l}`).join('\n');
  return `first difference at line ${i + 1} (native has ${e.length} lines, tsvisor ${a.length})\n` +
    `--- native\n${show(e)}\n+++ tsvisor\n${show(a)}`;
}

/**
 * Run argv natively and under tsvisor; assert equal stdout and equal exit
 * status (and equal stderr if opts.compareStderr). opts.nativeReadOnlyRoot
 * runs the native side on a read-only root (see runNative). opts.expectCode checks the
 * native status too (so a broken native side fails loudly, not as a
 * mismatch). opts.checkNativeDeterministic runs natively twice first.
 * Returns { native, sandboxed }.
 */
export function assertSameAsNative(argv, opts = {}) {
  const native = runNative(argv, opts);
  const label = argv.join(' ');
  assert.ok(native.error === null, `native run of ${label} failed: ${native.error?.message}`);
  if (opts.expectCode !== undefined) {
    assert.equal(native.code, opts.expectCode,
      `native ${label} exited ${native.code}, expected ${opts.expectCode}\nstderr:\n${tail(native.stderr)}`);
  }
  if (opts.checkNativeDeterministic) {
    const again = runNative(argv, opts);
    assert.equal(again.stdout, native.stdout,
      `native output of ${label} is not deterministic:\n${firstDifference(native.stdout, again.stdout)}`);
    assert.equal(again.code, native.code, `native status of ${label} is not deterministic`);
  }
  const sandboxed = runTsvisor(argv, opts);
  assertNoSentryCrash(sandboxed, { strict: opts.strict });
  assert.ok(sandboxed.stdout === native.stdout,
    `stdout of ${label} differs under tsvisor:\n${firstDifference(native.stdout, sandboxed.stdout)}` +
    `\ntsvisor stderr:\n${tail(sandboxed.stderr)}`);
  assert.equal(sandboxed.code, native.code,
    `exit status of ${label}: tsvisor ${sandboxed.code}, native ${native.code}\ntsvisor stderr:\n${tail(sandboxed.stderr)}`);
  if (opts.compareStderr) {
    assert.ok(sandboxed.stderr === native.stderr,
      `stderr of ${label} differs under tsvisor:\n${firstDifference(native.stderr, sandboxed.stderr)}`);
  }
  return { native, sandboxed };
}

// ---------------------------------------------------------------------------
// Processes

/** Parse /proc/PID/stat; null if the process is gone. */
export function procStat(pid) {
  let s;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const open = s.indexOf('(');
  const close = s.lastIndexOf(')');
  const comm = s.slice(open + 1, close);
  const rest = s.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3]
  return { pid, comm, state: rest[0], ppid: Number(rest[1]), starttime: rest[19] };
}

/** Every process on the host, as procStat records. */
export function allProcesses() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st) out.push(st);
  }
  return out;
}

/** Processes whose chain of parents reaches `root` (not including root). */
export function descendantsOf(root) {
  const procs = allProcesses();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  return procs.filter((p) => {
    for (let q = p, hops = 0; q && hops < 64; q = byPid.get(q.ppid), hops++) {
      if (q.ppid === root) return true;
      if (q.ppid <= 1) return false;
    }
    return false;
  });
}

/** Stub processes (comm "tsvisor-stub") below the tsvisor process `pid`. */
export function stubsOf(pid) {
  return descendantsOf(pid).filter((p) => p.comm === 'tsvisor-stub');
}

/** The process recorded as `rec` no longer exists (gone, dead, or pid reused). */
export function isGone(rec) {
  const now = procStat(rec.pid);
  return now === null || now.starttime !== rec.starttime || now.state === 'Z' || now.state === 'X';
}

export function sleep(n) {
  return new Promise((r) => setTimeout(r, n));
}

/** Poll `fn` every `step` ms until it returns a truthy value or `timeout` passes. */
export async function waitFor(fn, timeout, step = 50) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() >= end) return v;
    await sleep(step);
  }
}

// ---------------------------------------------------------------------------
// Self-check mode

/** The fake stub launcher, exec'd through a link named tsvisor-stub. */
export function fakeStubPath() {
  const bin = compileC('fakestub', { static: true });
  const dir = join(OUT, 'fake');
  const link = join(dir, 'tsvisor-stub');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(link)) {
    try {
      symlinkSync(bin, link);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
  }
  return link;
}

/** True if the file exists and is executable by someone. */
export function isExecutable(path) {
  try {
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// CAP_NET_RAW (option netRaw)

/**
 * argv to run natively as tsvisor runs a program without --net-raw: with
 * CAP_NET_RAW in none of its capability sets (setpriv drops it from the
 * bounding set, so root's exec leaves it out of the others too), since
 * tsvisor, as runsc, removes it from every process unless --net-raw
 * (runTsvisor's opts.netRaw passes it). Only root has it to drop.
 */
export function withoutNetRaw(argv) {
  if (process.getuid?.() !== 0) return argv;
  return ['/usr/bin/setpriv', '--bounding-set', '-net_raw', '--', ...argv];
}

// ---------------------------------------------------------------------------
// Native namespaces (option nativeNamespaces)

/** The `unshare(1)` option for each kind of namespace opts.nativeNamespaces may name. */
export const NATIVE_NAMESPACE_FLAGS = Object.freeze({ uts: '--uts', net: '--net', ipc: '--ipc' });

/**
 * argv, prefixed with `unshare --uts ... --` if opts.nativeNamespaces names
 * namespace kinds (e.g. ['uts']): the program then runs natively in private
 * namespaces of those kinds, so that calls such as sethostname(2) change a
 * copy, never the host, as in the sandbox (which has its own). unshare execs
 * the program without forking, so it keeps the pid, parent, process group
 * and session it would have had. Needs root: otherwise unshare fails the run
 * (status 1, message on stderr). runNative applies it; runTsvisor only in
 * self-check mode, where the fake tsvisor runs programs natively.
 */
export function withNativeNamespaces(argv, opts = {}) {
  const kinds = opts.nativeNamespaces ?? [];
  if (kinds.length === 0) return argv;
  const flags = kinds.map((k) => {
    const f = NATIVE_NAMESPACE_FLAGS[k];
    if (f === undefined) throw new Error(`nativeNamespaces: unknown namespace kind ${k}`);
    return f;
  });
  // A new network namespace has lo down; tsvisor's --network=none brings it up (the launcher), so natively too.
  if (kinds.includes('net')) return ['unshare', ...flags, '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...argv];
  return ['unshare', ...flags, '--', ...argv];
}
