#!/usr/bin/env node
// tsvisor benchmarks: the same workloads natively, under gVisor's runsc on
// the ptrace platform, and under tsvisor, in one run.  See bench/README.md.
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
const PYTHON = '/usr/bin/python3';

const MODES = ['native', 'runsc', 'tsvisor', 'no-walls'];
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

const USAGE = `usage: node bench/run.js [options]

  --runs N          timed runs per workload and mode (default: per workload,
                    5 or 10, and ${SLOW_RUNS} when one run takes over ${SLOW_SECONDS} s)
  --only IDS        comma-separated workloads to run: syscall,clock,true,python,cat,touch,mmaps,spawn,threads,files,bigfile,untar,find,gitstatus
  --modes MODES     comma-separated modes to run: native,runsc,tsvisor,no-walls (default all;
                    no-walls is tsvisor do --unsafe-no-walls, on the syscall and true rows)
  --timeout S       seconds before one run is killed and counted as failed (default 300)
  --runsc-flags F   extra runsc flags, placed before "do" (space-separated)
  --runsc-pin CPU   run runsc under taskset -c CPU (tsvisor pins itself to one CPU)
  --tsvisor-flags F extra tsvisor flags, placed before "do" (space-separated)
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
];

const TARGETS = [
  { workload: 'syscall', label: 'syscall round trip', max: 0.7 },
  { workload: 'python', label: 'python3 -c pass', max: 1.0 },
  // Issue 6: every file-system row at most half of runsc's time.
  { workload: 'files', label: '10,000 files in /tmp', max: 0.5 },
  { workload: 'bigfile', label: '256 MiB through /tmp', max: 0.5 },
  { workload: 'untar', label: 'untar /usr/share/doc', max: 0.5 },
  { workload: 'find', label: 'find /usr', max: 0.5 },
  { workload: 'gitstatus', label: 'git status, 1,000 files', max: 0.5 },
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
};

function log(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

function cleanup() {
  if (state.current && state.current.exitCode === null) killGroup(state.current, 'SIGKILL');
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

// `runsc do` ignores --root for its own state: it makes a bundle and state
// directory $TMPDIR/runsc-do*, which a killed run leaves behind.  Point TMPDIR
// into our temp dir so that cleanup() removes them.  (runsc passes its
// environment to the application, so TMPDIR is visible inside; none of the
// workloads uses it.)
const envFor = (mode) => (mode === 'runsc' ? { ...process.env, TMPDIR: state.runscRoot } : process.env);

function wrap(mode, argv) {
  switch (mode) {
    case 'native':
      return argv;
    case 'runsc':
      return [
        // --runsc-pin: run runsc (its tracer and stubs) on one CPU, as tsvisor
        // runs its tracer and stubs, for a like-for-like comparison.
        ...(opts['runsc-pin'] !== undefined ? ['taskset', '-c', String(opts['runsc-pin'])] : []),
        RUNSC,
        `--root=${state.runscRoot}`,
        '--platform=ptrace',
        '--network=none',
        ...runscFlags,
        'do',
        '--',
        ...argv,
      ];
    // The sandbox's /tmp is its own tmpfs: the inputs made in the host's (the tarball, the repository) come in as a read-only volume.
    case 'tsvisor':
      return [...TSVISOR_CMD, ...tsvisorFlags, 'do', ...stateVolume(), '--', ...argv];
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
 */
function runOnce(argv, { countStdout = false, env = process.env } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(bin('timeit'), ['--', ...argv], {
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
      if (spawnError) r.reason = `spawn failed: ${spawnError.message}`;
      else if (timedOut) r.reason = `timed out after ${timeoutSec} s (killed)`;
      else if (!m) r.reason = `timeit gave no result (exit ${code ?? 'signal ' + signal})`;
      else if (r.status === 127) r.reason = 'command not found / not executable (status 127)';
      else if (r.status > 128) r.reason = `killed by signal ${r.status - 128} (status ${r.status})`;
      else if (r.status !== 0) r.reason = `exit status ${r.status}`;
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
  const wrapped = cmds.map((c) => wrap(mode, c.argv));
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

const indent = (text, prefix) => text.split('\n').map((l) => prefix + l).join('\n');

async function runWorkload(w, idx, total) {
  const label = `[${idx}/${total}] ${w.name}`;
  const cells = {};
  for (const mode of MODES) {
    if (!selectedModes.includes(mode)) {
      cells[mode] = { status: 'skipped', reason: 'not selected (--modes)' };
      continue;
    }
    if (mode === 'runsc' && !availability.runsc.ok) {
      cells[mode] = { status: 'n/a', reason: availability.runsc.reason };
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

    if (w.kind === 'perCall') {
      const cmds = [
        { tag: `N=${w.loops}`, argv: [bin(w.program), String(w.loops)] },
        { tag: 'N=0', argv: [bin(w.program), '0'] },
      ];
      const m = await measure(w, mode, cmds, label);
      if (!m.ok) {
        cells[mode] = { status: 'failed', reason: m.reason, stderrTail: m.stderrTail };
        continue;
      }
      const loopMs = median(m.samples[0]);
      const zeroMs = median(m.samples[1]);
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
    } else {
      const cmds = [{ tag: '', argv: w.argv(), expectStdoutBytes: w.expectStdoutBytes }];
      const m = await measure(w, mode, cmds, label);
      if (!m.ok) {
        cells[mode] = { status: 'failed', reason: m.reason, stderrTail: m.stderrTail };
        continue;
      }
      const value = median(m.samples[0]);
      cells[mode] = { status: 'ok', value, runs: m.runs, samplesMs: m.samples[0], cpu: m.cpu[0] };
      log(`${label} · ${mode}: median ${fmtMs(value)}`);
    }
  }
  const ratio = (a, b) =>
    cells[a].status === 'ok' && cells[b].status === 'ok' && cells[b].value > 0 ? cells[a].value / cells[b].value : null;
  return {
    id: w.id,
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

// ---------------------------------------------------------------- setup

function compileC() {
  fs.mkdirSync(OUT, { recursive: true });
  const gcc = sh('gcc', ['--version']);
  if (!gcc.ok) throw new Error('gcc not found: the bench needs gcc and a static libc (apt-get install -y gcc libc6-dev)');
  for (const name of ['timeit', 'getppid', 'clockloop', 'touch', 'mmaps', 'files']) {
    const src = path.join(CSRC, `${name}.c`);
    const dst = bin(name);
    const r = sh('gcc', ['-O2', '-static', '-Wall', '-o', dst, src], 120_000);
    if (!r.ok) throw new Error(`gcc ${path.relative(ROOT, src)} failed:\n${r.err || r.error?.message}`);
  }
  log(`compiled bench/c/{timeit,getppid,clockloop,touch,mmaps,files}.c into ${path.relative(ROOT, OUT)}/ (gcc -O2 -static)`);
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

const availability = { runsc: { ok: false, reason: '' } };

async function probeRunsc() {
  if (!selectedModes.includes('runsc')) return { ok: false, reason: 'not selected (--modes)' };
  if (!fs.existsSync(RUNSC)) return { ok: false, reason: `${RUNSC} not installed (apt-get install -y runsc)` };
  const argv = wrap('runsc', ['/bin/true']);
  log(`probing runsc: ${showCmd(argv)}`);
  fs.mkdirSync(state.runscRoot, { recursive: true });
  const r = await runOnce(argv, { env: envFor('runsc') });
  if (!r.ok) {
    const why = r.stderr ? tail(r.stderr, 6, 800).replace(/\n/g, ' / ') : '';
    const reason = `runsc cannot run here: ${r.reason}${why ? `: ${why}` : ''}${process.getuid?.() !== 0 ? ' (not root: runsc do needs root, or --runsc-flags=--rootless)' : ''}`;
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
  return {
    date: new Date().toISOString(),
    kernel: os.release(),
    node: process.version,
    runsc: runscVersion,
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
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ') + ' |';
  const sep = '| ' + width.map((n, i) => (i === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ') + ' |';
  return [line(head), sep, ...body.map(line)].join('\n');
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
    const w = rows.find((r) => r.id === t.workload);
    const goal = `tsvisor/runsc <= ${t.max.toFixed(2)}x`;
    if (!w) return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: not run (--only)` };
    const ts = w.results.tsvisor;
    const rs = w.results.runsc;
    if (ts.status === 'skipped') return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: tsvisor not run (--modes)` };
    if (ts.status !== 'ok') return { ...t, verdict: 'FAIL', text: `${t.label}: ${goal}: tsvisor ${ts.status} (${ts.reason})` };
    if (rs.status !== 'ok') return { ...t, verdict: 'SKIP', text: `${t.label}: ${goal}: runsc ${rs.status}, nothing to compare with` };
    const r = w.ratios['tsvisor/runsc'];
    const verdict = r <= t.max ? 'PASS' : 'FAIL';
    return {
      ...t,
      verdict,
      ratio: r,
      text: `${t.label}: ${goal}: ${fmtRatio(r)} (tsvisor ${fmtValue(ts.value, w.unit)}, runsc ${fmtValue(rs.value, w.unit)})`,
    };
  }), judgeWalls(rows)];
}

function notes(rows) {
  const out = [];
  for (const w of rows) {
    for (const mode of MODES) {
      const c = w.results[mode];
      if (c.status === 'ok' || c.status === 'skipped') continue;
      out.push(`- **${w.name}**, ${mode}: ${c.status}: ${c.reason}`);
      if (c.stderrTail) out.push('', '  ```', indent(c.stderrTail, '  '), '  ```', '');
    }
  }
  return out;
}

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
  state.devNull = fs.openSync('/dev/null', 'w');
  if (selected.some((w) => w.id === 'cat')) makeDataFile();
  if (selected.some((w) => w.id === 'untar')) makeDocTar();
  if (selected.some((w) => w.id === 'gitstatus')) makeGitRepo();

  availability.runsc = await probeRunsc();

  const rows = [];
  for (let i = 0; i < selected.length; i++) rows.push(await runWorkload(selected[i], i + 1, selected.length));

  const verdicts = judgeTargets(rows);
  const tbl = table(rows);
  const verdictLines = verdicts.map((v) => `${v.verdict}: ${v.text}`);
  process.stdout.write(`\n${tbl}\n\n${verdictLines.join('\n')}\n`);

  const invocations = {
    native: 'CMD',
    runsc: `TMPDIR=$TMP/runsc-state ${RUNSC} --root=$TMP/runsc-state --platform=ptrace --network=none ${runscFlags.length ? runscFlags.join(' ') + ' ' : ''}do -- CMD`,
    tsvisor: `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}do -- CMD`,
    'no-walls': `${TSVISOR_CMD.length > 1 ? 'node ' : ''}${path.relative(ROOT, TSVISOR_BIN)} ${tsvisorFlags.length ? tsvisorFlags.join(' ') + ' ' : ''}do --unsafe-no-walls -- CMD (UNSAFE: measurement only)`,
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
      `- cpu: ${meta.cpu}`,
      `- nproc: ${meta.nproc}`,
      partial.length ? `- options: ${partial.join(' ')}` : '- options: defaults',
      '',
      'Each cell is the median wall-clock time of several runs, each run timed from fork to',
      'exit by `bench/out/timeit` (see bench/README.md). The syscall row is',
      `(T(N=${SYSCALL_LOOPS}) − T(N=0)) / ${SYSCALL_LOOPS} in µs per getppid() call; the clock row`,
      `likewise with ${CLOCK_LOOPS} clock_gettime(CLOCK_MONOTONIC) calls through libc (the vDSO).`,
      '',
      tbl,
      '',
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
