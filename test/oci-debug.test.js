// tsvisor debug and metric-export (docs/oci.md's "Debugging a sandbox"):
// the control server's Metrics.Export, Logging.Change, Profile.CPU,
// Profile.Heap and debug.Stacks, driven through the CLI against a running
// container. The metrics are the container's limits and tasks as the spec
// set them; the stacks name the task and its system call with registers;
// the trace reaches the sandbox's log for the calls asked for and stops
// when turned off; the profiles are V8's formats; every bad input is a
// clear error with a non-zero status.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ms, sleep, waitFor } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

let w, ID, LOG;
before(() => {
  w = new OciWork('tsv-debug-');
  ID = w.newId();
  LOG = join(w.dir, 'sandbox.log');
  const dir = w.bundle(['sh', '-c', 'while true; do cat /dev/null; sleep 0.1; done'], {
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      resources: { memory: { limit: 256 * 1024 * 1024 }, pids: { limit: 50 } },
    },
  });
  const c = w.create(ID, dir, [], ['--log', LOG, 'run', '-d']);
  assert.equal(c.code, 0, c.stderr);
});
after(() => w.cleanup());

/** A metric's value by name (the sandbox label checked). */
function metric(text, name) {
  const m = new RegExp(`^${name}\\{sandbox="([^"]+)"\\} (\\S+)$`, 'm').exec(text);
  assert.ok(m !== null, `${name} in:\n${text}`);
  assert.equal(m[1], ID);
  return Number(m[2]);
}

test('metric-export: Prometheus text with the spec\'s limits, the tasks there are, CPU and memory', async () => {
  const r = w.tsvisor(['metric-export', ID]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(metric(r.stdout, 'tsvisor_memory_limit_bytes'), 256 * 1024 * 1024);
  assert.equal(metric(r.stdout, 'tsvisor_tasks_limit'), 50);
  const tasks = metric(r.stdout, 'tsvisor_tasks');
  assert.ok(tasks === 1 || tasks === 2, `tasks ${tasks}: sh, and sleep or cat at times`);
  assert.ok(metric(r.stdout, 'tsvisor_memory_usage_bytes') > 0);
  assert.ok(metric(r.stdout, 'tsvisor_cpu_system_seconds_total') > 0);
  assert.equal(metric(r.stdout, 'tsvisor_oom_kills_total'), 0);
  assert.match(r.stdout, /^# TYPE tsvisor_oom_kills_total counter$/m);
  assert.match(r.stdout, /^# TYPE tsvisor_tasks gauge$/m);
  // --metric-filter matches whole names.
  const f = w.tsvisor(['metric-export', '--metric-filter', 'tsvisor_tasks', ID]);
  assert.equal(f.code, 0, f.stderr);
  assert.deepEqual(f.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('{')[0]), ['tsvisor_tasks']);
  const bad = w.tsvisor(['metric-export', '--metric-filter', '(', ID]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--metric-filter \(: .*regular expression/i);
});

test('debug --stacks: every task with its state, system call, signals and registers', () => {
  const r = w.tsvisor(['debug', '--stacks', ID]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^task dump: \d+ tasks/);
  // The init, sh, waits for its child or sleeps between them.
  assert.match(r.stdout, /^tid 1 \| tgid 1 \| comm "sh" \| blocked \| in wait4\(/m);
  const regs = r.stdout.split('\n').filter((l) => /^ +r15 0x[0-9a-f]{16}/.test(l));
  assert.ok(regs.length >= 1, r.stdout);
  assert.match(r.stdout, /orig_rax 0x000000000000003d/, 'the blocked wait4 (61) in orig_rax');
});

test('debug --strace CALLS and --log-level: the named calls only, in the sandbox\'s log, until --strace off', async () => {
  const r = w.tsvisor(['debug', '--log-level', 'debug', '--strace', 'openat,execve', ID]);
  assert.equal(r.code, 0, r.stderr);
  const traced = () => readFileSync(LOG, 'utf8').split('\n').filter((l) => l.includes('msg="strace: '));
  assert.ok(await waitFor(() => traced().some((l) => / openat\(.*\/dev\/null/.test(l)), ms(10_000), 100), 'no openat of /dev/null traced');
  assert.ok(traced().some((l) => / execve\(/.test(l)), 'execve traced');
  const calls = new Set(traced().map((l) => /\] \S+ [EX] (\w+)\(/.exec(l)?.[1]));
  assert.deepEqual([...calls].filter((c) => c !== 'openat' && c !== 'execve'), [], 'only the calls asked for');
  assert.match(readFileSync(LOG, 'utf8'), /log level now debug/);
  const off = w.tsvisor(['debug', '--strace', 'off', ID]);
  assert.equal(off.code, 0, off.stderr);
  const n = traced().length;
  await sleep(600);
  assert.equal(traced().length, n, 'tracing went on after --strace off');
  // Back to info: the container is left as it was.
  assert.equal(w.tsvisor(['debug', '--log-level', 'info', ID]).code, 0);
});

test('debug --profile-cpu and --profile-heap: V8\'s .cpuprofile and .heapsnapshot of the Sentry', () => {
  const cpu = join(w.dir, 'sentry.cpuprofile');
  const heap = join(w.dir, 'sentry.heapsnapshot');
  const t0 = Date.now();
  const r = w.tsvisor(['debug', '--profile-cpu', cpu, '--duration', '700ms', '--profile-heap', heap, ID]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 700, 'the CPU profile took its duration');
  const p = JSON.parse(readFileSync(cpu, 'utf8'));
  assert.ok(Array.isArray(p.nodes) && p.nodes.length > 0 && p.endTime - p.startTime >= 600_000, `a profile of 700 ms: ${p.endTime - p.startTime} µs`);
  assert.ok(p.nodes.some((n) => /serveSyscall|runLoop/.test(n.callFrame.functionName)), 'the Sentry\'s own functions are in it');
  assert.ok(statSync(heap).size > 1 << 20);
  const snap = JSON.parse(readFileSync(heap, 'utf8'));
  assert.ok(snap.snapshot.meta.node_fields.includes('name'), 'a heap snapshot');
  assert.match(r.stderr, /CPU profile written to /);
});

test('bad input: nothing to do, a bad level, an unknown call, a FIFO for a profile, no such container, a stopped one, a sandbox without a log', async () => {
  const cases = [
    [['debug', ID], /nothing to do/],
    [['debug', '--log-level', 'loud', ID], /--log-level loud: expected one of debug, info, warning, error/],
    [['debug', '--strace', 'no_such_call', ID], /no such system call: no_such_call/],
    [['debug', '--strace', 'open at', ID], /expected all, off or a comma-separated list/],
    [['debug', '--profile-cpu', join(w.dir, 'p'), '--duration', '20m', ID], /--duration 20m: expected from 1ms to 10m/],
    [['debug', '--stacks', 'nosuch'], /container does not exist/],
    [['metric-export', 'nosuch'], /container does not exist/],
  ];
  const fifo = join(w.dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  cases.push([['debug', '--profile-heap', fifo, ID], /--profile-heap .*fifo: not a regular file/]);
  for (const [args, want] of cases) {
    const r = w.tsvisor(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
  }
  // A container run without --log: Logging.Change has nothing to change, and says so.
  const id = w.newId();
  assert.equal(w.create(id, w.bundle(['sleep', '100']), [], ['run', '-d']).code, 0);
  const nolog = w.tsvisor(['debug', '--strace', 'all', id]);
  assert.notEqual(nolog.code, 0);
  assert.match(nolog.stderr, /the sandbox has no log to change/);
  // Its stacks and metrics still answer; once it has stopped, "container not running".
  assert.equal(w.tsvisor(['debug', '--stacks', id]).code, 0);
  assert.equal(w.tsvisor(['kill', id, 'KILL']).code, 0);
  assert.ok(await waitFor(() => w.state(id).status === 'stopped', ms(10_000), 100));
  const stopped = w.tsvisor(['metric-export', id]);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, /container not running/);
  assert.ok(!existsSync(join(w.dir, 'p')), 'no profile file made for a refused duration');
});
