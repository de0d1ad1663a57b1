#!/usr/bin/env node
// tsvisor benchmarks: the same workloads natively, under gVisor's runsc on
// the ptrace platform, and under tsvisor, in one run; the OCI runtime's
// latency (run, create + start, exec of a busybox bundle) under runc, runsc
// and tsvisor; and TCP and HTTP over loopback natively, under runsc's two
// networks (hostinet and netstack) and under tsvisor.  See bench/README.md.
//
//   node bench/run.js [--runs N] [--only IDS] [--modes MODES] [--timeout S]
//
// Progress goes to stderr; the Markdown table and the target verdicts go to
// stdout, and are written to bench/results.md and bench/out/results.json.
// The exit code is 0 whatever the sandboxes do (a mode that fails is reported
// as "failed"); it is non-zero only when the bench itself breaks.

import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const OUT = path.join(BENCH, 'out');
const CSRC = path.join(BENCH, 'c');
const RUNSC = '/usr/bin/runsc';
const RUNC = '/usr/sbin/runc';
const PYTHON = '/usr/bin/python3';
const BUSYBOX = '/bin/busybox';

const MODES = ['native', 'runsc', 'tsvisor', 'no-walls', 'runc', 'runsc-host', 'runsc-netstack'];
/** The modes of the `do` rows: one command run natively, by `runsc do`, by `tsvisor do`. */
const DO_MODES = ['native', 'runsc', 'tsvisor', 'no-walls'];
/** The modes of the OCI rows: three OCI runtimes, each given the same bundle the same way. */
const OCI_MODES = ['runc', 'runsc', 'tsvisor'];
/**
 * The modes of the network rows: natively, `runsc do` with each of its two
 * networks (--network=host: hostinet, the host's TCP/IP stack in a network
 * namespace that `runsc do` makes, with a veth pair; --network=none:
 * netstack, gVisor's own TCP/IP stack, with a loopback interface only), and
 * `tsvisor do --network=none` (host sockets in a new namespace with lo up).
 */
const NET_MODES = ['native', 'runsc-host', 'runsc-netstack', 'tsvisor'];
/** The `runsc do` modes and the --network each gives runsc. */
const RUNSC_DO_NETWORK = { runsc: 'none', 'runsc-host': 'host', 'runsc-netstack': 'none' };
// The cost of the second wall (namespaces, empty root, capabilities,
// seccomp: docs/security.md) is measured on these workloads only, against
// `tsvisor do --unsafe-no-walls` (mode no-walls), in the same run.
const WALLS_WORKLOADS = ['syscall', 'true'];
/** The system call round trip may get at most this much slower behind the walls. */
const WALLS_MAX = 1.05;
const SYSCALL_LOOPS = 100_000;
const CLOCK_LOOPS = 1_000_000;
const CAT_BYTES = 100 * 1024 * 1024; // 100 MiB
const TOUCH_MIB = 256;
// A measurement whose warm-up run takes longer than this gets at most
// SLOW_RUNS timed runs (unless --runs is given).
const SLOW_SECONDS = 2;
const SLOW_RUNS = 3;
// The OCI rows' untimed commands (run --detach, delete) get at least this long.
const AUX_TIMEOUT_S = 60;

const USAGE = `usage: node bench/run.js [options]

  --runs N          timed runs per workload and mode (default: per workload,
                    5 or 10, and ${SLOW_RUNS} when one run takes over ${SLOW_SECONDS} s)
  --only IDS        comma-separated workloads to run: syscall,clock,true,python,cat,touch,mmaps,spawn,threads,files,bigfile,untar,find,gitstatus,
                    oci-run,oci-start,oci-exec,tcp-stream,tcp-rr,http
  --modes MODES     comma-separated modes to run: native,runsc,tsvisor,no-walls,runc,runsc-host,runsc-netstack
                    (default all; no-walls is tsvisor do --unsafe-no-walls, on the syscall and true rows;
                    runc is Debian's runc, on the oci-* rows only; runsc-host and runsc-netstack are
                    runsc do --network=host and --network=none, on the network rows only)
  --timeout S       seconds before one run is killed and counted as failed (default 300)
  --runsc-flags F   extra runsc flags, placed before "do" (or the OCI command) (space-separated)
  --runsc-pin CPU   run runsc under taskset -c CPU (tsvisor pins itself to one CPU)
  --tsvisor-flags F extra tsvisor flags, placed before "do" (or --root and the OCI command) (space-separated)
  --tsvisor-bin P   the tsvisor entry point (default bin/tsvisor; a .js file is run with node)
  --no-write        print the table only; do not write results.md / results.json
  -h, --help        this text
`;

// ---------------------------------------------------------------- arguments

function usageError(msg) {
  process.stderr.write(`bench: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({
    options: {
      runs: { type: 'string' },
      only: { type: 'string' },
      modes: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      'runsc-flags': { type: 'string', default: '' },
      'runsc-pin': { type: 'string' },
      'tsvisor-flags': { type: 'string', default: '' },
      'tsvisor-bin': { type: 'string', default: path.join(ROOT, 'bin', 'tsvisor') },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  }).values;
} catch (e) {
  usageError(e.message);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const explicitRuns = opts.runs === undefined ? null : Number(opts.runs);
if (explicitRuns !== null && !(Number.isInteger(explicitRuns) && explicitRuns >= 1)) {
  usageError(`--runs wants a positive integer, not ${JSON.stringify(opts.runs)}`);
}
const timeoutSec = Number(opts.timeout);
if (!(timeoutSec > 0)) usageError(`--timeout wants a positive number of seconds`);
const splitList = (s) => s.split(/[\s,]+/).filter(Boolean);
const selectedModes = opts.modes ? splitList(opts.modes) : MODES;
for (const m of selectedModes) if (!MODES.includes(m)) usageError(`unknown mode ${m}`);
const runscFlags = splitList(opts['runsc-flags'] ?? '');
const tsvisorFlags = splitList(opts['tsvisor-flags'] ?? '');
const TSVISOR_BIN = path.resolve(opts['tsvisor-bin']);
/** How the entry point is run: bin/tsvisor as it is (it starts Node once), a .js script with this Node. */
const TSVISOR_CMD = TSVISOR_BIN.endsWith('.js') ? [process.execPath, TSVISOR_BIN] : [TSVISOR_BIN];
process.env.TSVISOR_NODE ??= process.execPath;

// ---------------------------------------------------------------- workloads

const bin = (name) => path.join(OUT, name);

/** @type {Array<{id:string,name:string,unit:string,runs:number,kind:string,
 *   argv?:()=>string[], expectStdoutBytes?:number, requires?:string}>} */
const WORKLOADS = [
  {
    id: 'syscall',
    name: 'syscall round trip (getppid), per call',
    unit: 'µs/call',
    runs: 5,
    kind: 'perCall',
    program: 'getppid',
    loops: SYSCALL_LOOPS,
  },
  {
    id: 'clock',
    name: 'clock_gettime (through the vDSO), per call',
    unit: 'µs/call',
    runs: 5,
    kind: 'perCall',
    program: 'clockloop',
    loops: CLOCK_LOOPS,
  },
  {
    id: 'true',
    name: 'start-up: /bin/true',
    unit: 'ms',
    runs: 10,
    kind: 'wall',
    argv: () => ['/bin/true'],
  },
  {
    id: 'python',
    name: 'start-up: python3 -c pass',
    unit: 'ms',
    runs: 10,
    kind: 'wall',
    requires: PYTHON,
    argv: () => [PYTHON, '-c', 'pass'],
  },
  {
    id: 'cat',
    name: 'cat 100 MiB file > /dev/null',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => ['/bin/cat', state.dataFile],
    expectStdoutBytes: CAT_BYTES,
  },
  {
    id: 'touch',
    name: `touch ${TOUCH_MIB} MiB anonymous memory`,
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => [bin('touch'), String(TOUCH_MIB)],
  },
  {
    id: 'mmaps',
    name: '65,000 one-page mmap calls, then their munmaps',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => [bin('mmaps'), '65000'],
  },
  {
    id: 'spawn',
    name: 'sh: 100 × fork + exec /bin/true',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => ['/bin/sh', '-c', 'i=0; while [ $i -lt 100 ]; do /bin/true; i=$((i+1)); done'],
  },
  {
    id: 'threads',
    name: 'python3: 4 threads × 20,000 lock round trips',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    requires: PYTHON,
    argv: () => [PYTHON, '-c', 'import threading\nl = threading.Lock()\ndef w():\n    for _ in range(20000):\n        with l: pass\n' +
      'ts = [threading.Thread(target=w) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]'],
  },
  // File systems (issue 6). Each row makes its own scratch directory in the
  // program's /tmp (the host's natively, the sandbox's own under runsc and
  // tsvisor) and removes it, so runs start alike.
  {
    id: 'files',
    name: 'create, stat and delete 10,000 files in /tmp',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => ['/bin/sh', '-c', `d=$(mktemp -d /tmp/bench.XXXXXX) && ${bin('files')} "$d" 10000 && rmdir "$d"`],
  },
  {
    id: 'bigfile',
    name: 'write and read back 256 MiB in /tmp',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => ['/bin/sh', '-c', 'd=$(mktemp -d /tmp/bench.XXXXXX) && dd if=/dev/zero of="$d/big" bs=1M count=256 status=none && ' +
      'cat "$d/big" > /dev/null && rm -r "$d"'],
  },
  {
    id: 'untar',
    name: 'extract a tarball of /usr/share/doc into /tmp',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    requires: '/usr/share/doc',
    argv: () => ['/bin/sh', '-c', `d=$(mktemp -d /tmp/bench.XXXXXX) && tar -xf ${state.docTar} -C "$d" && rm -r "$d"`],
  },
  {
    id: 'find',
    name: 'find /usr -type f | wc -l',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    argv: () => ['/bin/sh', '-c', 'find /usr -type f | wc -l > /dev/null'],
  },
  {
    id: 'gitstatus',
    name: 'git status in a repository of 1,000 files',
    unit: 'ms',
    runs: 5,
    kind: 'wall',
    requires: '/usr/bin/git',
    argv: () => ['/usr/bin/git', '-C', state.gitRepo, 'status', '--porcelain'],
  },
  // The OCI runtime (issue 7): RUNTIME --root STATE COMMAND, for runc, runsc
  // and tsvisor alike, of a bundle whose rootfs is a busybox-static tree
  // (makeOciBundles). Each run uses a new container id; every container is
  // deleted after its run (untimed), and at the end whatever is left.
  {
    id: 'oci-run',
    name: 'OCI run of /bin/true: bundle to exit and teardown',
    unit: 'ms',
    runs: 10,
    kind: 'ociRun',
    command: 'RUNTIME --root STATE run --bundle B ID (process.args [/bin/true])',
  },
  {
    id: 'oci-start',
    name: 'OCI create + start: bundle to the init\'s first instruction',
    unit: 'ms',
    runs: 10,
    kind: 'ociStart',
    command: 'bench/out/ocistart LOG -- RUNTIME --root STATE create --bundle B ID -- RUNTIME --root STATE start ID (process.args [/first])',
  },
  {
    id: 'oci-exec',
    name: 'OCI exec /bin/true into a running container',
    unit: 'ms',
    runs: 10,
    kind: 'ociExec',
    command: 'RUNTIME --root STATE exec ID /bin/true, ID made by run --detach (process.args [/bin/sleep 1000])',
  },
  // Networking (issue 8): TCP and HTTP over 127.0.0.1 inside one sandbox.
  // Each program forks; the two ends talk over one host's (or one
  // sandbox's) loopback. Like the perCall rows, each round times N and
  // N=0, so the rate line is without start-up; the row's value is T(N).
  {
    id: 'tcp-stream',
    name: 'TCP loopback: 1 GiB in 64 KiB writes',
    unit: 'ms',
    runs: 5,
    kind: 'net',
    program: 'tcpstream',
    loops: 1024, // MiB
    rate: { unit: 'MiB/s', cell: 'MiB/s', of: (ms, n) => n / (ms / 1000) },
  },
  {
    id: 'tcp-rr',
    name: 'TCP loopback: 10,000 1-byte round trips',
    unit: 'ms',
    runs: 5,
    kind: 'net',
    program: 'tcprr',
    loops: 10_000,
    rate: { unit: 'µs per round trip', cell: 'µs', of: (ms, n) => (ms * 1000) / n },
  },
  {
    id: 'http',
    name: 'HTTP: 2,000 requests, a connection each',
    unit: 'ms',
    runs: 5,
    kind: 'net',
    program: 'http',
    loops: 2000,
    rate: { unit: 'requests/s', cell: 'req/s', of: (ms, n) => n / (ms / 1000) },
  },
];
/** Whether a workload (or its row of results) is an OCI row. */
const isOci = (w) => ['ociRun', 'ociStart', 'ociExec'].includes(w.kind);
/** Whether a workload (or its row) is a network row. */
const isNet = (w) => w.kind === 'net';
/** The modes of a workload (or its row). */
const modesOf = (w) => (isOci(w) ? OCI_MODES : isNet(w) ? NET_MODES : DO_MODES);

const TARGETS = [
  { workload: 'syscall', label: 'syscall round trip', max: 0.7 },
  { workload: 'python', label: 'python3 -c pass', max: 1.0 },
  // Issue 6: every file-system row at most half of runsc's time.
  { workload: 'files', label: '10,000 files in /tmp', max: 0.5 },
  { workload: 'bigfile', label: '256 MiB through /tmp', max: 0.5 },
  { workload: 'untar', label: 'untar /usr/share/doc', max: 0.5 },
  { workload: 'find', label: 'find /usr', max: 0.5 },
  { workload: 'gitstatus', label: 'git status, 1,000 files', max: 0.5 },
  // Issue 8: every network row at most half of runsc's time, under each of its networks.
  ...[['tcp-stream', 'TCP 1 GiB'], ['tcp-rr', 'TCP 10,000 round trips'], ['http', 'HTTP 2,000 requests']].flatMap(([workload, label]) =>
    ['runsc-host', 'runsc-netstack'].map((against) => ({ workload, label, max: 0.5, against }))),
];

let selected = WORKLOADS;
if (opts.only) {
  const ids = splitList(opts.only);
  for (const id of ids) {
    if (!WORKLOADS.some((w) => w.id === id)) {
      usageError(`unknown workload ${id} (known: ${WORKLOADS.map((w) => w.id).join(', ')})`);
    }
  }
  selected = WORKLOADS.filter((w) => ids.includes(w.id));
}

// ---------------------------------------------------------------- state

const state = {
  tmp: /** @type {string|null} */ (null),
  dataFile: '',
  runscRoot: '',
  devNull: -1,
  current: /** @type {import('node:child_process').ChildProcess|null} */ (null),
  // The OCI rows: the bundles (by name: true, first, sleep), each runtime's
  // --root, and the containers made and not yet deleted ("mode id" -> {mode, id}).
  oci: {
    dir: '',
    bundles: /** @type {Record<string,string>} */ ({}),
    roots: /** @type {Record<string,string>} */ ({}),
    live: /** @type {Map<string,{mode:string,id:string}>} */ (new Map()),
    n: 0,
    /** Why no OCI row can run here (no static busybox), or null. */
    unavailable: /** @type {string|null} */ (null),
  },
};

function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

function cleanup() {
  if (state.current && state.current.exitCode === null) killGroup(state.current, 'SIGKILL');
  // Before the directory goes: the containers in it hold sandboxes.
  if (state.tmp) {
    cleanupOci();
    killStrays();
  }
  if (state.devNull >= 0) {
    try {
      fs.closeSync(state.devNull);
    } catch {}
    state.devNull = -1;
  }
  if (state.tmp) {
    fs.rmSync(state.tmp, { recursive: true, force: true });
    state.tmp = null;
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function tail(text, maxLines = 12, maxChars = 2000) {
  let t = text.replace(/\s+$/, '');
  if (t.length > maxChars) t = '…' + t.slice(-maxChars);
  const lines = t.split('\n');
  return lines.length > maxLines ? ['…', ...lines.slice(-maxLines)].join('\n') : t;
}

function sh(cmd, args, timeout = 30_000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim(), error: r.error };
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

// --runsc-pin: run runsc (its tracer and stubs) on one CPU, as tsvisor
// runs its tracer and stubs, for a like-for-like comparison.
const runscPin = () => (opts['runsc-pin'] !== undefined ? ['taskset', '-c', String(opts['runsc-pin'])] : []);

// `runsc do` ignores --root for its own state: it makes a bundle and state
// directory $TMPDIR/runsc-do*, which a killed run leaves behind.  Point TMPDIR
// into our temp dir so that cleanup() removes them.  (runsc passes its
// environment to the application, so TMPDIR is visible inside; none of the
// workloads uses it.)
const envFor = (mode) => (mode in RUNSC_DO_NETWORK ? { ...process.env, TMPDIR: state.runscRoot } : process.env);

/** How a `do` row's command runs in a mode; w, when given, is its workload (the network rows give tsvisor --network=none). */
function wrap(mode, argv, w = null) {
  switch (mode) {
    case 'native':
      return argv;
    case 'runsc':
    case 'runsc-host':
    case 'runsc-netstack':
      return [
        ...runscPin(),
        RUNSC,
        `--root=${state.runscRoot}`,
        '--platform=ptrace',
        `--network=${RUNSC_DO_NETWORK[mode]}`,
        ...runscFlags,
        'do',
        '--',
        ...argv,
      ];
    // The sandbox's /tmp is its own tmpfs: the inputs made in the host's (the tarball, the repository) come in as a read-only volume.
    case 'tsvisor':
      return [...TSVISOR_CMD, ...tsvisorFlags, 'do', ...(w && isNet(w) ? ['--network=none'] : []), ...stateVolume(), '--', ...argv];
    case 'no-walls':
      return [...TSVISOR_CMD, ...tsvisorFlags, 'do', '--unsafe-no-walls', ...stateVolume(), '--', ...argv];
  }
  throw new Error(`bad mode ${mode}`);
}

const shellQuote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const showCmd = (argv) => argv.map(shellQuote).join(' ');

/**
 * Run one command under bench/out/timeit.  stdout goes to /dev/null, or is
 * counted when countStdout is set.  Resolves (never rejects) with
 * { ok, wallMs, status, userMs, sysMs, maxrssKb, stdoutBytes, stderr, reason }.
 * With timed set, argv is itself a timer that writes timeit's line to fd 3
 * (bench/out/ocistart); its extra fields (create_ns, start_ns, first_ns, step)
 * come back as createMs, startMs, firstMs and step.
 */
function runOnce(argv, { countStdout = false, env = process.env, timed = false } = {}) {
  return new Promise((resolve) => {
    let child;
    const [cmd, ...args] = timed ? argv : [bin('timeit'), '--', ...argv];
    try {
      child = spawn(cmd, args, {
        cwd: ROOT,
        env,
        stdio: ['ignore', countStdout ? 'pipe' : state.devNull, 'pipe', 'pipe'],
        detached: true, // own process group, so a timeout can kill it all
      });
    } catch (e) {
      resolve({ ok: false, reason: `spawn failed: ${e.message}`, stderr: '' });
      return;
    }
    state.current = child;
    let stderr = '';
    let result = '';
    let stdoutBytes = 0;
    let timedOut = false;
    let done = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.length > 64 * 1024) stderr = stderr.slice(-32 * 1024);
    });
    child.stdio[3].setEncoding('utf8');
    child.stdio[3].on('data', (d) => (result += d));
    if (countStdout) child.stdout.on('data', (d) => (stdoutBytes += d.length));
    // On timeout, SIGTERM first so that runsc / tsvisor can tear their
    // sandbox down, then SIGKILL whatever is left of the process group.
    let killer;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      killer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    }, timeoutSec * 1000);

    const finish = (code, signal, spawnError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killer);
      clearTimeout(grace);
      state.current = null;
      // A descendant that outlived the command (e.g. a sandbox process that
      // escaped the process group) may hold our pipes open: let go of them.
      for (const s of [child.stdout, child.stderr, child.stdio[3]]) s?.destroy();
      const m = /wall_ns=(\d+) status=(\d+) user_us=(\d+) sys_us=(\d+) maxrss_kb=(\d+)/.exec(result);
      const r = { ok: false, stderr, stdoutBytes };
      if (m) {
        Object.assign(r, {
          wallMs: Number(m[1]) / 1e6,
          status: Number(m[2]),
          userMs: Number(m[3]) / 1e3,
          sysMs: Number(m[4]) / 1e3,
          maxrssKb: Number(m[5]),
        });
      }
      const x = /create_ns=(-?\d+) start_ns=(-?\d+) first_ns=(-?\d+) step=(\w+)/.exec(result);
      if (x) {
        Object.assign(r, { createMs: Number(x[1]) / 1e6, startMs: Number(x[2]) / 1e6, firstMs: Number(x[3]) / 1e6, step: x[4] });
      }
      // ocistart's failing step: create or start (their status), or first (the init closed its stdout without the byte).
      const step = x && x[4] !== 'ok' ? `${x[4]}: ` : '';
      if (spawnError) r.reason = `spawn failed: ${spawnError.message}`;
      else if (timedOut) r.reason = `timed out after ${timeoutSec} s (killed)`;
      else if (!m) r.reason = `${path.basename(cmd)} gave no result (exit ${code ?? 'signal ' + signal})`;
      else if (x && x[4] === 'first') r.reason = 'first: the init closed its stdout without writing the byte';
      else if (r.status === 127) r.reason = `${step}command not found / not executable (status 127)`;
      else if (r.status > 128 && r.status <= 128 + 64) r.reason = `${step}killed by signal ${r.status - 128} (status ${r.status})`;
      else if (r.status !== 0) r.reason = `${step}exit status ${r.status}`;
      else r.ok = true;
      resolve(r);
    };
    let grace;
    child.on('error', (e) => finish(null, null, e));
    child.on('exit', (code, signal) => {
      // Give the pipes a moment to drain, but do not wait for them forever.
      grace = setTimeout(() => finish(code, signal), 2000);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`;
}

// ---------------------------------------------------------------- measuring

/**
 * Measure one or more commands (a "pair" for the syscall workload) in one
 * mode: a warm-up run of each, which must succeed (and doubles as the
 * availability check), then `runs` rounds timing each command once.
 * Returns { ok, samples: [[ms...] per command], runs, reason?, stderrTail? }.
 */
async function measure(w, mode, cmds, label) {
  const failed = (reason, r) => {
    const stderrTail = r?.stderr ? tail(r.stderr) : '';
    log(`  ${label} · ${mode}: FAILED: ${reason}${stderrTail ? '\n' + indent(stderrTail, '    | ') : ''}`);
    return { ok: false, reason, stderrTail };
  };
  const wrapped = cmds.map((c) => wrap(mode, c.argv, w));
  let warmMs = 0;
  for (let i = 0; i < cmds.length; i++) {
    log(`${label} · ${mode} · warm-up${cmds.length > 1 ? ` (${cmds[i].tag})` : ''}: ${showCmd(wrapped[i])}`);
    const verify = cmds[i].expectStdoutBytes !== undefined;
    const r = await runOnce(wrapped[i], { countStdout: verify, env: envFor(mode) });
    if (!r.ok) return failed(r.reason, r);
    if (verify && r.stdoutBytes !== cmds[i].expectStdoutBytes) {
      return failed(`wrote ${r.stdoutBytes} bytes to stdout, expected ${cmds[i].expectStdoutBytes}`, r);
    }
    warmMs = Math.max(warmMs, r.wallMs);
  }
  let runs = explicitRuns ?? w.runs;
  if (explicitRuns === null && warmMs > SLOW_SECONDS * 1000) runs = Math.min(runs, SLOW_RUNS);
  const samples = cmds.map(() => []);
  const cpu = cmds.map(() => []);
  for (let k = 1; k <= runs; k++) {
    const parts = [];
    for (let i = 0; i < cmds.length; i++) {
      const r = await runOnce(wrapped[i], { env: envFor(mode) });
      if (!r.ok) return failed(`run ${k}/${runs}${cmds.length > 1 ? ` (${cmds[i].tag})` : ''}: ${r.reason}`, r);
      samples[i].push(r.wallMs);
      cpu[i].push({ userMs: r.userMs, sysMs: r.sysMs, maxrssKb: r.maxrssKb });
      parts.push(`${cmds.length > 1 ? cmds[i].tag + ' ' : ''}${fmtMs(r.wallMs)}`);
    }
    log(`${label} · ${mode} · run ${k}/${runs}: ${parts.join(', ')}`);
  }
  return { ok: true, samples, cpu, runs };
}

/**
 * Measure one OCI row in one mode: a warm-up run, which must succeed, then
 * `runs` timed runs. oci-run and oci-start make a container per run (a new
 * id) and delete it after the run, untimed; oci-exec makes one container
 * with run --detach first (untimed), runs every exec in it, and deletes it
 * at the end, whatever happened. Returns what measure() does; for
 * oci-start, samples[1] and samples[2] are create's and start-to-first's.
 */
async function measureOci(w, mode, label) {
  const failed = (reason, r) => {
    // A usage error's line comes first, before the help text.
    const first = r?.stderr ? r.stderr.trimStart().split('\n')[0] : '';
    let stderrTail = r?.stderr ? tail(r.stderr, first ? 6 : 12) : '';
    if (first && !stderrTail.includes(first)) stderrTail = `${first}\n${stderrTail}`;
    log(`  ${label} · ${mode}: FAILED: ${reason}${stderrTail ? '\n' + indent(stderrTail, '    | ') : ''}`);
    return { ok: false, reason, stderrTail };
  };
  const b = state.oci.bundles;
  const logFile = path.join(state.oci.dir, `ocistart-${mode}.log`);
  let shown = false;
  const show = (what, argv) => {
    if (!shown) log(`${label} · ${mode} · ${what}: ${showCmd(argv)}`);
    shown = true;
  };
  let held = null; // oci-exec's container
  const one = async () => {
    if (w.kind === 'ociExec') {
      const argv = ociCmd(mode, ['exec', held, '/bin/true']);
      show('warm-up', argv);
      return runOnce(argv, { env: envFor(mode) });
    }
    const id = ociNewId(mode);
    let r;
    if (w.kind === 'ociRun') {
      const argv = ociCmd(mode, ['run', '--bundle', b.true, id]);
      show('warm-up', argv);
      r = await runOnce(argv, { env: envFor(mode) });
    } else {
      fs.writeFileSync(logFile, '');
      const argv = [bin('ocistart'), logFile, '--', ...ociCmd(mode, ['create', '--bundle', b.first, id]), '--', ...ociCmd(mode, ['start', id])];
      show('warm-up', argv);
      r = await runOnce(argv, { env: envFor(mode), timed: true });
      // The runtimes' own messages went to the log, not to ocistart's stderr.
      try {
        r.stderr = (r.stderr ?? '') + fs.readFileSync(logFile, 'utf8');
      } catch {}
    }
    // oci-start's container is stopped but still there; oci-run's run deletes its own (delete what it left).
    if (w.kind === 'ociStart' || ociLeft(mode, id)) await ociDelete(mode, id);
    else state.oci.live.delete(`${mode} ${id}`);
    return r;
  };
  try {
    if (w.kind === 'ociExec') {
      held = ociNewId(mode);
      const setup = ['run', '--detach', '--bundle', b.sleep, held];
      log(`${label} · ${mode} · setup: ${showCmd(ociCmd(mode, setup))}`);
      const s = await ociAux(mode, setup);
      if (!s.ok) return failed(`setup (run --detach of /bin/sleep 1000): ${s.reason}`, s);
    }
    const warm = await one();
    if (!warm.ok) return failed(warm.reason, warm);
    let runs = explicitRuns ?? w.runs;
    if (explicitRuns === null && warm.wallMs > SLOW_SECONDS * 1000) runs = Math.min(runs, SLOW_RUNS);
    const samples = w.kind === 'ociStart' ? [[], [], []] : [[]];
    const cpu = [[]];
    for (let k = 1; k <= runs; k++) {
      const r = await one();
      if (!r.ok) return failed(`run ${k}/${runs}: ${r.reason}`, r);
      samples[0].push(r.wallMs);
      cpu[0].push({ userMs: r.userMs, sysMs: r.sysMs, maxrssKb: r.maxrssKb });
      let parts = fmtMs(r.wallMs);
      if (w.kind === 'ociStart') {
        samples[1].push(r.createMs);
        samples[2].push(r.firstMs - r.createMs);
        parts += ` (create ${fmtMs(r.createMs)}, start to first instruction ${fmtMs(r.firstMs - r.createMs)}; start exited after ${fmtMs(r.startMs)})`;
      }
      log(`${label} · ${mode} · run ${k}/${runs}: ${parts}`);
    }
    return { ok: true, samples, cpu, runs };
  } finally {
    if (held !== null) await ociDelete(mode, held);
  }
}

/** The cell of a mode whose measure() or measureOci() failed. */
const failedCell = (m) => ({ status: 'failed', reason: m.reason, stderrTail: m.stderrTail });

const indent = (text, prefix) => text.split('\n').map((l) => prefix + l).join('\n');

async function runWorkload(w, idx, total) {
  const label = `[${idx}/${total}] ${w.name}`;
  const cells = {};
  for (const mode of modesOf(w)) {
    if (!selectedModes.includes(mode)) {
      cells[mode] = { status: 'skipped', reason: 'not selected (--modes)' };
      continue;
    }
    if (isOci(w)) {
      const a = mode === 'runc' ? availability.runc : mode === 'runsc' ? availability.runscOci : null;
      if (state.oci.unavailable || (a && !a.ok)) {
        cells[mode] = { status: 'n/a', reason: state.oci.unavailable ?? a.reason };
        continue;
      }
    } else if (mode in RUNSC_DO_NETWORK && !availability[mode].ok) {
      cells[mode] = { status: 'n/a', reason: availability[mode].reason };
      continue;
    }
    if (mode === 'no-walls' && !WALLS_WORKLOADS.includes(w.id)) {
      cells[mode] = { status: 'skipped', reason: 'the walls are measured on the syscall and true rows' };
      continue;
    }
    if (w.requires && !fs.existsSync(w.requires)) {
      const reason = `${w.requires} not found (apt-get install -y ${w.requires === PYTHON ? 'python3' : w.requires === '/usr/bin/git' ? 'git' : 'the package that has it'})`;
      log(`  ${label} · ${mode}: n/a: ${reason}`);
      cells[mode] = { status: 'n/a', reason };
      continue;
    }
    if ((mode === 'tsvisor' || mode === 'no-walls') && !fs.existsSync(TSVISOR_BIN)) {
      const reason = `${path.relative(ROOT, TSVISOR_BIN)} not found`;
      log(`  ${label} · ${mode}: FAILED: ${reason}`);
      cells[mode] = { status: 'failed', reason, stderrTail: '' };
      continue;
    }

    if (isOci(w)) {
      const m = await measureOci(w, mode, label);
      if (!m.ok) {
        cells[mode] = failedCell(m);
        continue;
      }
      const value = median(m.samples[0]);
      cells[mode] = { status: 'ok', value, runs: m.runs, samplesMs: m.samples[0], cpu: m.cpu[0] };
      if (w.kind === 'ociStart') {
        cells[mode].createMs = median(m.samples[1]);
        cells[mode].startToFirstMs = median(m.samples[2]);
        cells[mode].samplesCreateMs = m.samples[1];
        cells[mode].samplesStartToFirstMs = m.samples[2];
      }
      log(`${label} · ${mode}: median ${fmtMs(value)}${w.kind === 'ociStart' ? ` (create ${fmtMs(cells[mode].createMs)}, start to first instruction ${fmtMs(cells[mode].startToFirstMs)})` : ''}`);
    } else if (w.kind === 'net' || w.kind === 'perCall') {
      // A loop program, timed with N and with N=0.
      const m = await measure(w, mode, loopCmds(w), label);
      if (!m.ok) {
        cells[mode] = failedCell(m);
        continue;
      }
      const loopMs = median(m.samples[0]);
      const zeroMs = median(m.samples[1]);
      if (w.kind === 'perCall') {
        const value = ((loopMs - zeroMs) * 1000) / w.loops; // µs per call
        cells[mode] = {
          status: 'ok',
          value,
          runs: m.runs,
          medianLoopMs: loopMs,
          medianZeroMs: zeroMs,
          samplesLoopMs: m.samples[0],
          samplesZeroMs: m.samples[1],
          cpuLoop: m.cpu[0],
          cpuZero: m.cpu[1],
        };
        log(`${label} · ${mode}: ${value.toFixed(3)} µs/call (median ${fmtMs(loopMs)} − ${fmtMs(zeroMs)}, /${w.loops})`);
        continue;
      }
      // A network row's value is T(N); its rate needs T(N) above T(0): noise that breaks that is shown, not hidden.
      const value = loopMs;
      const netMs = value - zeroMs;
      cells[mode] = {
        status: 'ok',
        value,
        runs: m.runs,
        medianZeroMs: zeroMs,
        netMs,
        rate: netMs > 0 ? w.rate.of(netMs, w.loops) : null,
        samplesMs: m.samples[0],
        samplesZeroMs: m.samples[1],
        cpu: m.cpu[0],
        cpuZero: m.cpu[1],
      };
      const rate = cells[mode].rate === null ? `no rate: T(N=0) ≥ T(N)` : `${fmtValue(cells[mode].rate, w.rate.unit)} without start-up`;
      log(`${label} · ${mode}: median ${fmtMs(value)} (N=0: ${fmtMs(zeroMs)}; ${rate})`);
    } else {
      const cmds = [{ tag: '', argv: w.argv(), expectStdoutBytes: w.expectStdoutBytes }];
      const m = await measure(w, mode, cmds, label);
      if (!m.ok) {
        cells[mode] = failedCell(m);
        continue;
      }
      const value = median(m.samples[0]);
      cells[mode] = { status: 'ok', value, runs: m.runs, samplesMs: m.samples[0], cpu: m.cpu[0] };
      log(`${label} · ${mode}: median ${fmtMs(value)}`);
    }
  }
  const ratio = (a, b, key = 'value') =>
    cells[a].status === 'ok' && cells[b].status === 'ok' && cells[b][key] > 0 ? cells[a][key] / cells[b][key] : null;
  if (isNet(w)) {
    return {
      id: w.id,
      kind: w.kind,
      name: w.name,
      unit: w.unit,
      rateUnit: w.rate.unit,
      rateCellUnit: w.rate.cell,
      loops: w.loops,
      command: `${path.relative(ROOT, bin(w.program))} ${w.loops}, and ${path.relative(ROOT, bin(w.program))} 0`,
      results: cells,
      ratios: Object.fromEntries(['runsc-host', 'runsc-netstack', 'native'].map((m) => [`tsvisor/${m}`, ratio('tsvisor', m)])),
      // Of the times without start-up, T(N) − T(N=0): the rate line's.
      netRatios: Object.fromEntries(['runsc-host', 'runsc-netstack', 'native'].map((m) => [`tsvisor/${m}`, ratio('tsvisor', m, 'netMs')])),
    };
  }
  if (isOci(w)) {
    const row = {
      id: w.id,
      kind: w.kind,
      name: w.name,
      unit: w.unit,
      command: w.command,
      results: cells,
      ratios: { 'tsvisor/runsc': ratio('tsvisor', 'runsc'), 'tsvisor/runc': ratio('tsvisor', 'runc') },
    };
    if (w.kind === 'ociStart') {
      row.parts = {
        create: { 'tsvisor/runsc': ratio('tsvisor', 'runsc', 'createMs'), 'tsvisor/runc': ratio('tsvisor', 'runc', 'createMs') },
        startToFirst: { 'tsvisor/runsc': ratio('tsvisor', 'runsc', 'startToFirstMs'), 'tsvisor/runc': ratio('tsvisor', 'runc', 'startToFirstMs') },
      };
    }
    return row;
  }
  return {
    id: w.id,
    kind: w.kind,
    name: w.name,
    unit: w.unit,
    command: w.kind === 'perCall' ? `${path.relative(ROOT, bin(w.program))} N` : showCmd(w.argv()),
    results: cells,
    ratios: {
      'tsvisor/runsc': ratio('tsvisor', 'runsc'),
      'tsvisor/native': ratio('tsvisor', 'native'),
      'tsvisor/no-walls': ratio('tsvisor', 'no-walls'),
    },
  };
}

/** A loop program's pair of commands, N and N=0, so that start-up cancels out (the perCall and network rows). */
function loopCmds(w) {
  return [
    { tag: `N=${w.loops}`, argv: [bin(w.program), String(w.loops)] },
    { tag: 'N=0', argv: [bin(w.program), '0'] },
  ];
}

// ---------------------------------------------------------------- setup

function compileC() {
  fs.mkdirSync(OUT, { recursive: true });
  const gcc = sh('gcc', ['--version']);
  if (!gcc.ok) throw new Error('gcc not found: the bench needs gcc and a static libc (apt-get install -y gcc libc6-dev)');
  const names = ['timeit', 'getppid', 'clockloop', 'touch', 'mmaps', 'files', 'ocistart', 'first', 'tcpstream', 'tcprr', 'http'];
  for (const name of names) {
    const src = path.join(CSRC, `${name}.c`);
    const dst = bin(name);
    // first is the oci-start row's init: no libc, its write(2) the first system call.
    const r = sh('gcc', ['-O2', '-static', ...(name === 'first' ? ['-nostdlib'] : []), '-Wall', '-o', dst, src], 120_000);
    if (!r.ok) throw new Error(`gcc ${path.relative(ROOT, src)} failed:\n${r.err || r.error?.message}`);
  }
  log(`compiled bench/c/{${names.join(',')}}.c into ${path.relative(ROOT, OUT)}/ (gcc -O2 -static)`);
}

function makeDataFile() {
  state.dataFile = path.join(state.tmp, 'data.bin');
  const fd = fs.openSync(state.dataFile, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  for (let done = 0; done < CAT_BYTES; done += chunk.length) {
    randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, CAT_BYTES - done));
  }
  fs.fsyncSync(fd); // no writeback of this file during the measurement
  fs.closeSync(fd);
  log(`created ${state.dataFile} (${CAT_BYTES} random bytes)`);
}

function makeDocTar() {
  state.docTar = path.join(state.tmp, 'doc.tar');
  const r = sh('tar', ['-cf', state.docTar, '-C', '/usr/share', 'doc'], 300_000);
  if (!r.ok) throw new Error(`tar of /usr/share/doc failed: ${r.err}`);
  fs.chmodSync(state.docTar, 0o644);
  log(`created ${state.docTar} (${fs.statSync(state.docTar).size} bytes)`);
}

/** A git repository of 1,000 committed files, readable by runsc's sandbox user. */
function makeGitRepo() {
  state.gitRepo = path.join(state.tmp, 'repo');
  fs.mkdirSync(state.gitRepo);
  for (let i = 0; i < 1000; i++) {
    const dir = path.join(state.gitRepo, `d${Math.floor(i / 50)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
  }
  const git = (args) => sh('git', ['-C', state.gitRepo, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], 120_000);
  for (const args of [['init', '-q'], ['add', '.'], ['commit', '-qm', 'bench']]) {
    const r = git(args);
    if (!r.ok) throw new Error(`git ${args[0]} failed: ${r.err}`);
  }
  sh('chmod', ['-R', 'a+rX', state.gitRepo]);
  log(`created a git repository of 1,000 files at ${state.gitRepo}`);
}

/** tsvisor's -v for the bench's scratch directory on the host, read-only. */
function stateVolume() {
  return state.tmp === null ? [] : ['-v', `${state.tmp}:${state.tmp}:ro`];
}

// ---------------------------------------------------------------- OCI rows

/**
 * The bundle's config.json: what `runc spec` (runc 1.1) writes, with
 * process.terminal false, process.args args, and no ambient capabilities
 * (runc spec lists them without the inheritable set, which the kernel
 * refuses to raise and tsvisor rejects). runc needs the /proc mount (its
 * init reads /proc/self/fd); runsc and tsvisor take the same file.
 */
function ociConfig(args) {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type })),
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** The busybox applets the bundles link (some of those test/lib/oci.js makeBundle links). */
const OCI_APPLETS = ['sh', 'true', 'sleep', 'echo', 'cat', 'ls'];

/** Whether the ELF file at p asks for a program interpreter (is dynamically linked). */
function elfIsDynamic(p) {
  const b = fs.readFileSync(p);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return null; // not a 64-bit ELF
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3 /* PT_INTERP */) return true;
  return false;
}

/**
 * Three bundles under $TMP/oci, each a busybox-static rootfs (and /first, the
 * static init of the oci-start row) with ociConfig: true (/bin/true), first
 * (/first) and sleep (/bin/sleep 1000). World-readable, for runsc's sandbox.
 */
function makeOciBundles() {
  state.oci.dir = path.join(state.tmp, 'oci');
  fs.mkdirSync(state.oci.dir, { mode: 0o755 });
  for (const mode of OCI_MODES) state.oci.roots[mode] = path.join(state.oci.dir, `state-${mode}`);
  const dyn = fs.existsSync(BUSYBOX) ? elfIsDynamic(BUSYBOX) : undefined;
  if (dyn !== false) {
    state.oci.unavailable = dyn === undefined
      ? `${BUSYBOX} not found (apt-get install -y busybox-static)`
      : `${BUSYBOX} is not a static executable (apt-get install -y busybox-static)`;
    log(`OCI rows: ${state.oci.unavailable}`);
    return;
  }
  for (const [name, args] of [['true', ['/bin/true']], ['first', ['/first']], ['sleep', ['/bin/sleep', '1000']]]) {
    const dir = path.join(state.oci.dir, `bundle-${name}`);
    const rootfs = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true, mode: 0o755 });
    fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const a of OCI_APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
    fs.copyFileSync(bin('first'), path.join(rootfs, 'first'));
    fs.chmodSync(path.join(rootfs, 'first'), 0o755);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(ociConfig(args), null, 2) + '\n');
    state.oci.bundles[name] = dir;
  }
  log(`created the OCI bundles (busybox-static rootfs) in ${state.oci.dir}`);
}

/** RUNTIME --root STATE ARGS..., the same for each OCI runtime. */
function ociCmd(mode, args) {
  const root = state.oci.roots[mode];
  switch (mode) {
    case 'runc':
      return [RUNC, '--root', root, ...args];
    case 'runsc':
      return [...runscPin(), RUNSC, '--root', root, '--platform=ptrace', '--network=none', ...runscFlags, ...args];
    case 'tsvisor':
      return [...TSVISOR_CMD, ...tsvisorFlags, '--root', root, ...args];
  }
  throw new Error(`bad OCI mode ${mode}`);
}

/** This bench run's container ids: the prefix and a number. */
const OCI_ID_PREFIX = `bench-${process.pid}-`;

/** A new container id, remembered (state.oci.live) until it is deleted. */
function ociNewId(mode) {
  const id = `${OCI_ID_PREFIX}${++state.oci.n}`;
  state.oci.live.set(`${mode} ${id}`, { mode, id });
  return id;
}

/** Whether the runtime's state root still has the container (runc and tsvisor: ROOT/ID; runsc: ROOT/ID_sandbox:ID.state). */
function ociLeft(mode, id) {
  try {
    return fs.readdirSync(state.oci.roots[mode]).some((n) => n === id || n.startsWith(`${id}_sandbox:`));
  } catch {
    return false;
  }
}

/**
 * An untimed OCI command (run --detach, delete): stdin /dev/null, stdout
 * /dev/null, stderr to a file (a container keeps the stdio it is given, so
 * never a pipe that is waited on). Resolves (never rejects) with { ok, reason, stderr }.
 */
function ociAux(mode, args) {
  const argv = ociCmd(mode, args);
  const logFile = path.join(state.oci.dir, `aux-${mode}.log`);
  const fd = fs.openSync(logFile, 'w');
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd: state.oci.dir, env: envFor(mode), stdio: ['ignore', state.devNull, fd], detached: true });
    } catch (e) {
      resolve({ ok: false, reason: `spawn failed: ${e.message}`, stderr: '' });
      return;
    } finally {
      fs.closeSync(fd);
    }
    state.current = child;
    // Untimed: never cut shorter than AUX_TIMEOUT_S by a small --timeout.
    const limit = Math.max(timeoutSec, AUX_TIMEOUT_S);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, limit * 1000);
    const done = (reason) => {
      clearTimeout(timer);
      state.current = null;
      let stderr = '';
      try {
        stderr = fs.readFileSync(logFile, 'utf8');
      } catch {}
      resolve({ ok: reason === null, reason: reason ?? '', stderr });
    };
    child.on('error', (e) => done(`spawn failed: ${e.message}`));
    child.on('exit', (code, signal) =>
      done(timedOut ? `timed out after ${limit} s (killed)` : code === 0 ? null : code === null ? `killed by ${signal}` : `exit status ${code}`));
  });
}

/** delete --force ID, untimed; the container is forgotten once that worked. */
async function ociDelete(mode, id) {
  const r = await ociAux(mode, ['delete', '--force', id]);
  if (r.ok && !ociLeft(mode, id)) state.oci.live.delete(`${mode} ${id}`);
  else log(`  ${mode}: delete --force ${id} failed (${r.reason || 'state left'}): ${tail(r.stderr, 3, 300)}; tried again at the end`);
  return r;
}

/**
 * At the end (or on SIGINT/SIGTERM, or when the bench breaks): delete --force
 * every container this run made and did not delete, and whatever else is in
 * the runtimes' state roots (all under $TMP). Synchronous. killStrays()
 * comes after it, for what a lost state leaves running.
 */
function cleanupOci() {
  if (!state.oci.dir) return;
  for (const mode of OCI_MODES) {
    const root = state.oci.roots[mode];
    const ids = new Set([...state.oci.live.values()].filter((c) => c.mode === mode).map((c) => c.id));
    if (root && fs.existsSync(root)) {
      for (const n of fs.readdirSync(root)) {
        const m = /^.*_sandbox:(.*)\.(?:state|lock)$/.exec(n);
        ids.add(m ? m[1] : n);
      }
    }
    for (const id of ids) {
      const argv = ociCmd(mode, ['delete', '--force', id]);
      const r = spawnSync(argv[0], argv.slice(1), {
        cwd: state.oci.dir, env: envFor(mode), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL',
      });
      if (r.status !== 0) log(`cleanup: ${mode} delete --force ${id}: ${r.error?.message ?? `exit ${r.status}`} ${tail(r.stderr ?? '', 2, 200)}`);
    }
  }
  state.oci.live.clear();
}

/**
 * SIGKILL every process still running with $TMP in its arguments (a sandbox
 * or gofer whose state was lost) or in one of this run's runc cgroups (runc
 * names a container's cgroup after its id: a runc container whose state was
 * lost); then remove those cgroups, which runc's delete would have.
 */
function killStrays() {
  const mark = state.tmp + '/';
  const ours = new RegExp(`:/(?:.*/)?${OCI_ID_PREFIX}\\d+$`, 'm'); // a line of /proc/PID/cgroup
  let killed = 0;
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    let args;
    let cgroup = '';
    try {
      args = fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0');
      cgroup = fs.readFileSync(`/proc/${p}/cgroup`, 'latin1');
    } catch {
      continue; // gone
    }
    if (!args.some((a) => a.startsWith(mark) || a.startsWith(`--root=${mark}`)) && !ours.test(cgroup)) continue;
    log(`cleanup: killing pid ${p}, left running: ${args.join(' ').slice(0, 200)}`);
    try {
      process.kill(Number(p), 'SIGKILL');
      killed++;
    } catch {}
  }
  if (!state.oci.dir) return;
  if (killed) spawnSync('sleep', ['0.5']); // let them die before their cgroups go
  const id = new RegExp(`^${OCI_ID_PREFIX}\\d+$`);
  const walk = (dir, depth) => {
    let ents;
    try {
      ents = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      if (id.test(e.name)) {
        try {
          fs.rmdirSync(sub);
          log(`cleanup: removed the cgroup ${sub}`);
        } catch (err) {
          log(`cleanup: cannot remove the cgroup ${sub}: ${err.code}`);
        }
      } else if (depth < 4) {
        walk(sub, depth + 1);
      }
    }
  };
  if (killed) walk('/sys/fs/cgroup', 1);
}

/**
 * Whether a reference runtime (runc, runsc) runs the true bundle here: one
 * `run`. When it does not, its column on the OCI rows is n/a with its error.
 */
async function probeOci(mode) {
  const binary = mode === 'runc' ? RUNC : RUNSC;
  if (!selectedModes.includes(mode)) return { ok: false, reason: 'not selected (--modes)' };
  if (state.oci.unavailable) return { ok: false, reason: state.oci.unavailable };
  if (!fs.existsSync(binary)) return { ok: false, reason: `${binary} not installed (apt-get install -y ${mode})` };
  const id = ociNewId(mode);
  const argv = ociCmd(mode, ['run', '--bundle', state.oci.bundles.true, id]);
  log(`probing ${mode} as an OCI runtime: ${showCmd(argv)}`);
  const r = await runOnce(argv, { env: envFor(mode) });
  await ociDelete(mode, id);
  if (!r.ok) {
    const why = r.stderr ? tail(r.stderr, 6, 800).replace(/\n/g, ' / ') : '';
    const reason = `${mode} run cannot run the bundle here: ${r.reason}${why ? `: ${why}` : ''}`;
    log(reason);
    return { ok: false, reason };
  }
  return { ok: true, reason: '' };
}

const availability = {
  runsc: { ok: false, reason: '' },
  'runsc-host': { ok: false, reason: '' },
  'runsc-netstack': { ok: false, reason: '' },
  runc: { ok: false, reason: '' },
  runscOci: { ok: false, reason: '' },
};

/** Whether `runsc do` runs /bin/true here in a mode of RUNSC_DO_NETWORK (runsc, runsc-host, runsc-netstack). */
async function probeRunsc(mode) {
  if (!selectedModes.includes(mode)) return { ok: false, reason: 'not selected (--modes)' };
  if (!fs.existsSync(RUNSC)) return { ok: false, reason: `${RUNSC} not installed (apt-get install -y runsc)` };
  const argv = wrap(mode, ['/bin/true']);
  log(`probing ${mode}: ${showCmd(argv)}`);
  fs.mkdirSync(state.runscRoot, { recursive: true });
  const r = await runOnce(argv, { env: envFor(mode) });
  if (!r.ok) {
    const why = r.stderr ? tail(r.stderr, 6, 800).replace(/\n/g, ' / ') : '';
    const reason = `runsc --network=${RUNSC_DO_NETWORK[mode]} do cannot run here: ${r.reason}${why ? `: ${why}` : ''}${process.getuid?.() !== 0 ? ' (not root: runsc do needs root, or --runsc-flags=--rootless)' : ''}`;
    log(reason);
    return { ok: false, reason };
  }
  return { ok: true, reason: '' };
}

function machineInfo() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = sh('nproc', []);
  const runscVersion = fs.existsSync(RUNSC) ? sh(RUNSC, ['--version']).out.split('\n')[0] || 'unknown' : 'not installed';
  const runcVersion = fs.existsSync(RUNC) ? sh(RUNC, ['--version']).out.split('\n')[0] || 'unknown' : 'not installed';
  return {
    date: new Date().toISOString(),
    kernel: os.release(),
    node: process.version,
    runsc: runscVersion,
    runc: runcVersion,
    loadavg: os.loadavg().map((x) => x.toFixed(2)),
    cpu,
    nproc: nproc.ok ? Number(nproc.out) : os.availableParallelism?.() ?? os.cpus().length,
  };
}

// ---------------------------------------------------------------- reporting

function fmtValue(v, unit) {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return `${v.toFixed(digits)} ${unit === 'µs/call' ? 'µs' : unit}`;
}

function cellText(c, unit) {
  if (c.status === 'ok') return fmtValue(c.value, unit);
  return c.status; // failed, n/a, skipped
}

const fmtRatio = (r) =>
  r === null ? '–' : `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}x`;

/** A Markdown table, the first column left-aligned and the rest right-aligned. */
function markdownTable(head, body) {
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ') + ' |';
  const sep = '| ' + width.map((n, i) => (i === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ') + ' |';
  return [line(head), sep, ...body.map(line)].join('\n');
}

/**
 * The OCI rows: runc, runsc, tsvisor and tsvisor's ratios to runsc and
 * runc. Under oci-start, its two parts (their medians, which need not add
 * up to the total's).
 */
function ociTable(rows) {
  const head = ['OCI runtime', 'runc', 'runsc', 'tsvisor', 'tsvisor/runsc', 'tsvisor/runc'];
  const body = [];
  for (const w of rows) {
    body.push([w.name, ...OCI_MODES.map((m) => cellText(w.results[m], w.unit)), fmtRatio(w.ratios['tsvisor/runsc']), fmtRatio(w.ratios['tsvisor/runc'])]);
    if (!w.parts) continue;
    for (const [key, label, ratios] of [['createMs', '↳ of which create (until create exits)', w.parts.create],
      ['startToFirstMs', '↳ of which start (from create\'s exit to the init\'s first write)', w.parts.startToFirst]]) {
      body.push([label, ...OCI_MODES.map((m) => (w.results[m].status === 'ok' ? fmtValue(w.results[m][key], w.unit) : '–')),
        fmtRatio(ratios['tsvisor/runsc']), fmtRatio(ratios['tsvisor/runc'])]);
    }
  }
  return markdownTable(head, body);
}

/**
 * The network rows: native, runsc's two networks, tsvisor, and tsvisor's
 * ratios to each. Under each row its rate without start-up, from
 * T(N) − T(N=0), with the ratios of those times (so below 1.00x is faster
 * for tsvisor there too, whatever the rate's unit).
 */
function netTable(rows) {
  const others = ['runsc-host', 'runsc-netstack', 'native'];
  const head = ['network (loopback)', 'native', 'runsc host', 'runsc netstack', 'tsvisor', ...others.map((m) => `tsvisor/${m}`)];
  const body = [];
  for (const w of rows) {
    body.push([w.name, ...NET_MODES.map((m) => cellText(w.results[m], w.unit)), ...others.map((m) => fmtRatio(w.ratios[`tsvisor/${m}`]))]);
    const rate = (c) => (c.status !== 'ok' ? '–' : c.rate === null ? 'T(0) ≥ T(N)' : fmtValue(c.rate, w.rateCellUnit));
    body.push([`↳ ${w.rateUnit}, without start-up`, ...NET_MODES.map((m) => rate(w.results[m])),
      ...others.map((m) => fmtRatio(w.netRatios[`tsvisor/${m}`]))]);
  }
  return markdownTable(head, body);
}

function table(rows) {
  const head = ['workload', 'native', 'runsc', 'tsvisor', 'tsvisor/runsc', 'tsvisor/native', 'no walls', 'walls cost'];
  const body = rows.map((w) => [
    w.name,
    cellText(w.results.native, w.unit),
    cellText(w.results.runsc, w.unit),
    cellText(w.results.tsvisor, w.unit),
    fmtRatio(w.ratios['tsvisor/runsc']),
    fmtRatio(w.ratios['tsvisor/native']),
    w.results['no-walls'].status === 'skipped' ? '–' : cellText(w.results['no-walls'], w.unit),
    fmtRatio(w.ratios['tsvisor/no-walls']),
  ]);
  return markdownTable(head, body);
}

/** The walls' verdict: the system call round trip behind them against without. */
function judgeWalls(rows) {
  const w = rows.find((r) => r.id === 'syscall');
  const goal = `tsvisor/no-walls <= ${WALLS_MAX.toFixed(2)}x`;
  const label = 'second wall, system call round trip';
  if (!w) return { workload: 'syscall', label, max: WALLS_MAX, verdict: 'SKIP', text: `${label}: ${goal}: not run (--only)` };
  const a = w.results.tsvisor;
  const b = w.results['no-walls'];
  if (a.status !== 'ok' || b.status !== 'ok') {
    return { workload: 'syscall', label, max: WALLS_MAX, verdict: 'SKIP', text: `${label}: ${goal}: tsvisor ${a.status}, no-walls ${b.status}` };
  }
  const r = w.ratios['tsvisor/no-walls'];
  return {
    workload: 'syscall', label, max: WALLS_MAX, ratio: r, verdict: r <= WALLS_MAX ? 'PASS' : 'FAIL',
    text: `${label}: ${goal}: ${fmtRatio(r)} (walls ${fmtValue(a.value, w.unit)}, no walls ${fmtValue(b.value, w.unit)})`,
  };
}

function judgeTargets(rows) {
  return [...TARGETS.map((t) => {
    // The mode tsvisor is compared with: runsc, or on the network rows one of runsc's networks.
    const ref = t.against ?? 'runsc';
    const w = rows.find((r) => r.id === t.workload);
    const goal = `tsvisor/${ref} <= ${t.max.toFixed(2)}x`;
    if (!w) return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: not run (--only)` };
    const ts = w.results.tsvisor;
    const rs = w.results[ref];
    if (ts.status === 'skipped') return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: tsvisor not run (--modes)` };
    if (ts.status !== 'ok') return { ...t, verdict: 'FAIL', text: `${t.label}: ${goal}: tsvisor ${ts.status} (${ts.reason})` };
    if (rs.status !== 'ok') return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: ${ref} ${rs.status}, nothing to compare with` };
    const r = w.ratios[`tsvisor/${ref}`];
    const verdict = r <= t.max ? 'PASS' : 'FAIL';
    return {
      ...t,
      verdict,
      ratio: r,
      text: `${t.label}: ${goal}: ${fmtRatio(r)} (tsvisor ${fmtValue(ts.value, w.unit)}, ${ref} ${fmtValue(rs.value, w.unit)})`,
    };
  }), judgeWalls(rows)];
}

function notes(rows) {
  const out = [];
  for (const w of rows) {
    for (const mode of modesOf(w)) {
      const c = w.results[mode];
      if (c.status === 'ok' || c.status === 'skipped') continue;
      out.push(`- **${w.name}**, ${mode}: ${c.status}: ${c.reason}`);
      if (c.stderrTail) out.push('', '  ```', indent(c.stderrTail, '  '), '  ```', '');
    }
  }
  return out;
}

/** What results.md says above the OCI table. */
const NET_NOTE = [
  'TCP and HTTP over 127.0.0.1, both ends in the same sandbox (bench/c/tcpstream.c,',
  'tcprr.c, http.c: each forks, and the two processes talk over one connection, or one per',
  'request). **native** is the host\'s loopback; **runsc host** is `runsc do',
  '--network=host` (hostinet: the host\'s TCP/IP stack, in a network namespace that `runsc',
  'do` makes); **runsc netstack** is `runsc do --network=none` (gVisor\'s own TCP/IP stack',
  'with a loopback interface only); **tsvisor** is `tsvisor do --network=none` (host',
  'sockets in a new network namespace with lo up). A row\'s value is the median wall-clock',
  'time of the whole program, start-up included, timed by `bench/out/timeit`; the ratios',
  'and the targets are of that. The line under it is the rate without start-up: N over',
  'the difference of the medians of T(N) and T(N=0) (the same program doing no transfer),',
  'with the ratios of those differences (below 1.00x: tsvisor is faster).',
];

const OCI_NOTE = [
  'Each runtime is invoked the same way, `RUNTIME --root STATE COMMAND` (runsc with',
  '`--platform=ptrace --network=none`), on bundles whose rootfs is Debian\'s busybox-static',
  'and whose config.json is `runc spec`\'s (no terminal, no ambient capabilities). Medians',
  'of wall-clock times; each container has a new id and is deleted after its run, untimed.',
  '',
  '- **run**: `run --bundle B ID` of `/bin/true`, timed by `bench/out/timeit` from fork to',
  '  exit: parsing the bundle, making the sandbox, the init\'s run, and the teardown and',
  '  deletion that `run` does before it exits.',
  '- **create + start**: start-up alone, the bundle to the init\'s first instruction.',
  '  `bench/out/ocistart` forks `create --bundle B ID` with its stdout a pipe and, once',
  '  create has exited, `start ID`; the init is `/first` (bench/c/first.c), whose first',
  '  instruction is a `write(1, "!", 1)`. Timed from create\'s fork to the byte\'s arrival',
  '  on the pipe (no teardown). The two lines under it are the medians of its parts:',
  '  create (fork to exit) and start (create\'s exit to the byte).',
  '- **exec**: `exec ID /bin/true` into a container made by `run --detach` of',
  '  `/bin/sleep 1000` (untimed), timed from fork to exit; the container is deleted after',
  '  the row.',
];

// ---------------------------------------------------------------- main

async function main() {
  const meta = machineInfo();
  compileC();
  // Not in /tmp: the sandboxes have a /tmp of their own, which hides the host's
  // (the data file, the tarball and the repository must be seen inside).
  state.tmp = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/var/tmp', 'tsvisor-bench-'));
  // runsc's sandbox process drops privileges and must be able to reach the
  // bundle directory that `runsc do` makes under $TMPDIR (mkdtemp gives 0700).
  fs.chmodSync(state.tmp, 0o755);
  state.runscRoot = path.join(state.tmp, 'runsc-state');
  fs.mkdirSync(state.runscRoot); // runsc's TMPDIR
  state.devNull = fs.openSync('/dev/null', 'w');
  if (selected.some((w) => w.id === 'cat')) makeDataFile();
  if (selected.some((w) => w.id === 'untar')) makeDocTar();
  if (selected.some((w) => w.id === 'gitstatus')) makeGitRepo();

  if (selected.some((w) => !isOci(w) && !isNet(w))) availability.runsc = await probeRunsc('runsc');
  if (selected.some(isNet)) {
    availability['runsc-host'] = await probeRunsc('runsc-host');
    availability['runsc-netstack'] = await probeRunsc('runsc-netstack');
  }
  if (selected.some(isOci)) {
    makeOciBundles();
    availability.runc = await probeOci('runc');
    availability.runscOci = await probeOci('runsc');
  }

  const rows = [];
  for (let i = 0; i < selected.length; i++) rows.push(await runWorkload(selected[i], i + 1, selected.length));

  meta.loadavgEnd = os.loadavg().map((x) => x.toFixed(2));
  const verdicts = judgeTargets(rows);
  const doRows = rows.filter((w) => !isOci(w) && !isNet(w));
  const ociRows = rows.filter((w) => isOci(w));
  const netRows = rows.filter((w) => isNet(w));
  const tbl = doRows.length ? table(doRows) : '';
  const otbl = ociRows.length ? ociTable(ociRows) : '';
  const ntbl = netRows.length ? netTable(netRows) : '';
  const verdictLines = verdicts.map((v) => `${v.verdict}: ${v.text}`);
  process.stdout.write(`\n${[tbl, otbl, ntbl].filter(Boolean).join('\n\n')}\n\n${verdictLines.join('\n')}\n`);

  const invocations = {
    native: 'CMD',
    runsc: `TMPDIR=$TMP/runsc-state ${RUNSC} --root=$TMP/runsc-state --platform=ptrace --network=none ${runscFlags.length ? runscFlags.join(' ') + ' ' : ''}do -- CMD`,
    tsvisor: `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}do -- CMD`,
    'no-walls': `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}do --unsafe-no-walls -- CMD (UNSAFE: measurement only)`,
    'runc (OCI rows)': `${RUNC} --root $TMP/oci/state-runc COMMAND`,
    'runsc (OCI rows)': `${runscPin().length ? runscPin().join(' ') + ' ' : ''}${RUNSC} --root $TMP/oci/state-runsc --platform=ptrace --network=none ${runscFlags.length ? runscFlags.join(' ') + ' ' : ''}COMMAND`,
    'tsvisor (OCI rows)': `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}--root $TMP/oci/state-tsvisor COMMAND`,
    ...Object.fromEntries(['runsc-host', 'runsc-netstack'].map((m) => [`${m} (network rows)`,
      `TMPDIR=$TMP/runsc-state ${runscPin().length ? runscPin().join(' ') + ' ' : ''}${RUNSC} --root=$TMP/runsc-state --platform=ptrace --network=${RUNSC_DO_NETWORK[m]} ${runscFlags.length ? runscFlags.join(' ') + ' ' : ''}do -- CMD`])),
    'tsvisor (network rows)': `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}do --network=none -- CMD`,
  };

  if (!opts['no-write']) {
    const partial = [
      opts.only ? `--only ${opts.only}` : '',
      opts.modes ? `--modes ${opts.modes}` : '',
      explicitRuns !== null ? `--runs ${explicitRuns}` : '',
    ].filter(Boolean);
    const note = notes(rows);
    const md = [
      '# tsvisor benchmark results',
      '',
      `- date: ${meta.date}`,
      `- kernel (uname -r): ${meta.kernel}`,
      `- node: ${meta.node}`,
      `- runsc: ${meta.runsc}`,
      `- runc: ${meta.runc}`,
      `- cpu: ${meta.cpu}`,
      `- nproc: ${meta.nproc}`,
      `- load average (1, 5, 15 min): ${meta.loadavg.join(', ')} at the start, ${meta.loadavgEnd.join(', ')} at the end`,
      partial.length ? `- options: ${partial.join(' ')}` : '- options: defaults',
      '',
      ...(tbl ? [
        'Each cell is the median wall-clock time of several runs, each run timed from fork to',
        'exit by `bench/out/timeit` (see bench/README.md). The syscall row is',
        `(T(N=${SYSCALL_LOOPS}) − T(N=0)) / ${SYSCALL_LOOPS} in µs per getppid() call; the clock row`,
        `likewise with ${CLOCK_LOOPS} clock_gettime(CLOCK_MONOTONIC) calls through libc (the vDSO).`,
        '',
        tbl,
        '',
      ] : []),
      ...(otbl ? ['## OCI runtime', '', ...OCI_NOTE, '', otbl, ''] : []),
      ...(ntbl ? ['## Network', '', ...NET_NOTE, '', ntbl, ''] : []),
      '## Targets',
      '',
      ...verdictLines.map((l) => `- ${l}`),
      '',
      '## Invocations',
      '',
      ...Object.entries(invocations).map(([m, s]) => `- ${m}: \`${s}\``),
      ...(note.length ? ['', '## Failures and unavailable modes', '', ...note] : []),
      '',
    ].join('\n');
    fs.writeFileSync(path.join(BENCH, 'results.md'), md);
    const json = {
      meta: { ...meta, options: { runs: explicitRuns, only: opts.only ?? null, modes: selectedModes, timeoutSec } },
      invocations,
      syscallLoops: SYSCALL_LOOPS,
      catBytes: CAT_BYTES,
      touchMiB: TOUCH_MIB,
      workloads: rows,
      targets: verdicts.map(({ workload, label, max, verdict, ratio, text }) => ({
        workload,
        label,
        max,
        verdict,
        ratio: ratio ?? null,
        text,
      })),
    };
    fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(json, null, 2) + '\n');
    log(`wrote ${path.relative(ROOT, path.join(BENCH, 'results.md'))} and ${path.relative(ROOT, path.join(OUT, 'results.json'))}`);
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: broken: ${e.stack || e}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
