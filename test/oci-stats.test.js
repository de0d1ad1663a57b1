// tsvisor events, update, checkpoint and restore (docs/oci.md): events'
// JSON lines in runc's layout with only what the Sentry knows, the
// periodic stream ending when the container stops, an "oom" event when
// the sandbox's OOM killer ends a process (here the init itself, after
// update lowered its memory); update's limits taking effect (the memory
// limit in the stats and the OOM kill, the pids limit refusing forks) and
// everything else refused by name; checkpoint and restore failing clearly.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TSVISOR_BIN, ms, sleep, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

let w;
before(() => {
  w = new OciWork('tsv-stats-');
});
after(() => w.cleanup());

async function runDetached(args) {
  const id = w.newId();
  const c = w.create(id, w.bundle(args), [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  return { id, out: c.out, err: c.err };
}

function stats(id) {
  const r = w.tsvisor(['events', '--stats', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 2, 'one line');
  return JSON.parse(r.stdout);
}

/** tsvisor events ARGS in the background: its lines as they come, and its end. */
function eventsStream(args) {
  const p = spawn(process.execPath, [TSVISOR_BIN, '--root', w.stateRoot, 'events', ...args], { env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const s = { out: '', err: '', code: null };
  p.stdout.on('data', (b) => { s.out += b; });
  p.stderr.on('data', (b) => { s.err += b; });
  s.exited = new Promise((r) => p.on('exit', (code) => { s.code = code; r(code); }));
  s.kill = () => p.kill('SIGKILL');
  return s;
}

test('events --stats: one stats event in runc\'s layout, with only what the Sentry knows', async () => {
  const { id } = await runDetached(['sh', '-c', 'sleep 100 & i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done; wait']);
  assert.ok(await waitFor(() => stats(id).data.cpu.usage.user > 0, ms(20_000), 200), 'no user CPU time');
  const e = stats(id);
  assert.deepEqual(Object.keys(e), ['type', 'id', 'data']);
  assert.equal(e.type, 'stats');
  assert.equal(e.id, id);
  // Absent, not zero: what a cgroup would know and the Sentry does not.
  assert.deepEqual(Object.keys(e.data), ['cpu', 'memory', 'pids']);
  assert.deepEqual(Object.keys(e.data.cpu.usage), ['total', 'kernel', 'user']);
  assert.equal(e.data.cpu.usage.total, e.data.cpu.usage.kernel + e.data.cpu.usage.user);
  assert.ok(e.data.cpu.usage.kernel > 0);
  assert.deepEqual(Object.keys(e.data.memory), ['usage']);
  assert.ok(e.data.memory.usage.usage > 0 && e.data.memory.usage.usage < e.data.memory.usage.limit);
  // Two processes (sh and sleep), one thread each; the default bound of 1024 tasks.
  assert.deepEqual(e.data.pids, { current: 2, limit: 1024 });
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});

test('events streams stats every --interval until the container stops, then exits 0; runc\'s errors', async () => {
  const { id } = await runDetached(['sleep', '100']);
  const s = eventsStream(['--interval', '200ms', id]);
  assert.ok(await waitFor(() => s.out.split('\n').filter(Boolean).length >= 3, ms(20_000)), `stream: ${s.out} ${s.err}`);
  for (const l of s.out.split('\n').filter(Boolean)) {
    const e = JSON.parse(l);
    assert.equal(e.type, 'stats');
    assert.equal(e.id, id);
  }
  assert.equal(w.tsvisor(['kill', id, 'KILL']).code, 0);
  const ended = await Promise.race([s.exited, sleep(ms(15_000)).then(() => 'timeout')]);
  if (ended === 'timeout') s.kill();
  assert.equal(ended, 0, `events did not end with the container: ${s.err}`);
  const gone = w.tsvisor(['events', id]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, new RegExp(`container with id ${id} is not running`));
  assert.equal(w.tsvisor(['delete', id]).code, 0);
  for (const [bad, msg] of [['0s', /duration interval must be greater than 0/], ['5', /missing unit in duration/], ['x', /invalid duration/]]) {
    const r = w.tsvisor(['events', '--interval', bad, id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, msg);
  }
  assert.match(w.tsvisor(['events', 'no-such']).stderr, /container does not exist/);
});

test('update --memory lowers the sandbox\'s memory: an allocation past it is OOM-killed and events says "oom"', async () => {
  // USR1 makes the init read 80 MB into a variable: its own heap, past the new limit.
  const { id, out } = await runDetached(['sh', '-c', 'trap "x=\\$(yes | head -c 80000000); echo survived" USR1; echo waiting; while true; do sleep 0.1; done']);
  assert.ok(await waitFor(() => readFileSync(out, 'utf8').includes('waiting'), ms(20_000)));
  const s = eventsStream(['--interval', '1h', id]);
  const u = w.tsvisor(['update', '--memory', '24m', id]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(stats(id).data.memory.usage.limit, 24 * 2 ** 20);
  // Below what it uses now: refused, as cgroup v1 refuses with EBUSY; nothing changed.
  const low = w.tsvisor(['update', '--memory', '4096', id]);
  assert.equal(low.code, 1);
  assert.match(low.stderr, /memory limit 4096: the sandbox uses \d+ bytes now/);
  assert.equal(stats(id).data.memory.usage.limit, 24 * 2 ** 20);
  await sleep(300); // events has its baseline
  assert.equal(w.tsvisor(['kill', id, 'USR1']).code, 0);
  // The init is the largest process: the OOM killer ends it, and with it the container; events reports it, then ends.
  assert.ok(await w.untilStatus(id, 'stopped'), 'the allocation was not stopped');
  assert.doesNotMatch(readFileSync(out, 'utf8'), /survived/);
  const ended = await Promise.race([s.exited, sleep(ms(15_000)).then(() => 'timeout')]);
  if (ended === 'timeout') s.kill();
  assert.equal(ended, 0, s.err);
  assert.deepEqual(s.out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), [{ type: 'oom', id }]);
  assert.equal(w.tsvisor(['delete', id]).code, 0);
});

test('update --pids-limit bounds the tasks: forks past it fail; -r takes the spec\'s resources; the rest is refused by name', async () => {
  // After 3 s a subshell forks six sleeps: past 4 tasks its fork fails (EAGAIN) and it gives up; the init goes on.
  const { id, out, err } = await runDetached(['sh', '-c', 'echo waiting; sleep 3; (for i in 1 2 3 4 5 6; do sleep 100 & done; echo forked); echo after; while true; do sleep 1; done']);
  assert.ok(await waitFor(() => readFileSync(out, 'utf8').includes('waiting'), ms(20_000)));
  const u = w.tsvisor(['update', '--pids-limit', '4', id]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(stats(id).data.pids.limit, 4);
  assert.ok(await waitFor(() => readFileSync(out, 'utf8').includes('after'), ms(20_000)), readFileSync(err, 'utf8'));
  assert.match(readFileSync(err, 'utf8'), /can't fork: Resource temporarily unavailable/);
  assert.doesNotMatch(readFileSync(out, 'utf8'), /forked/);
  assert.ok(stats(id).data.pids.current <= 4);

  // -r FILE (or - for stdin): the spec's linux.resources; 0 leaves a value as it is, the other flags are ignored.
  const file = join(w.dir, 'resources.json');
  writeFileSync(file, JSON.stringify({ memory: { limit: 200 * 2 ** 20, kernel: 0 }, cpu: { shares: 0, cpus: '' }, pids: { limit: 0 } }));
  const r = w.tsvisor(['update', '-r', file, '--cpu-share', '5', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([stats(id).data.memory.usage.limit, stats(id).data.pids.limit], [200 * 2 ** 20, 4]);
  const stdin = w.tsvisor(['update', '-r', '-', id], { input: JSON.stringify({ pids: { limit: -1 } }) });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal(stats(id).data.pids.limit, 4194304);

  // What tsvisor cannot enforce is refused, by runc's flag or the JSON path, and nothing is changed;
  // CPU limits need the host cgroup this container (no linux.cgroupsPath) does not have.
  const refused = [
    [['--cpu-share', '512', '--cpuset-cpus', '0'], /CPU limits: the container has no host cgroup/],
    [['--cpu-rt-runtime', '1000'], /not supported by tsvisor: --cpu-rt-runtime/],
    [['--memory-swap', '1g', '--memory', '300m'], /not supported by tsvisor: --memory-swap/],
    [['--blkio-weight', '100'], /not supported by tsvisor: --blkio-weight/],
    [['--l3-cache-schema', 'L3:0=f'], /not supported by tsvisor: --l3-cache-schema/],
    [['--memory', '-1'], /the sandbox always has a total memory/],
    [['--memory', 'lots'], /invalid value for --memory/],
  ];
  for (const [flags, msg] of refused) {
    const x = w.tsvisor(['update', ...flags, id]);
    assert.equal(x.code, 1, flags.join(' '));
    assert.match(x.stderr, msg);
  }
  writeFileSync(file, JSON.stringify({ memory: { limit: 300 * 2 ** 20, reservation: 1024 }, cpu: { quota: 1000, mems: '0' } }));
  const rr = w.tsvisor(['update', '-r', file, id]);
  assert.equal(rr.code, 1);
  assert.match(rr.stderr, /not supported by tsvisor: memory\.reservation \(/);
  assert.equal(stats(id).data.memory.usage.limit, 200 * 2 ** 20);
  // runc's warning for kernel memory, which it ignores too.
  const km = w.tsvisor(['update', '--kernel-memory', '10m', id]);
  assert.equal(km.code, 0, km.stderr);
  assert.match(km.stderr, /Kernel memory settings are ignored/);
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
  const stopped = w.tsvisor(['update', '--memory', '1g', 'no-such']);
  assert.match(stopped.stderr, /container does not exist/);
});

test('checkpoint and restore take runc\'s flags and fail clearly', async () => {
  const { id } = await runDetached(['sleep', '100']);
  const c = w.tsvisor(['checkpoint', '--image-path', join(w.dir, 'img'), '--leave-running', '--tcp-established', '--empty-ns', 'network', id]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /checkpoint is not supported yet by tsvisor/);
  assert.equal(w.state(id).status, 'running', 'checkpoint touched the container');
  const r = w.tsvisor(['restore', '--image-path', join(w.dir, 'img'), '-b', w.dir, '-d', '--pid-file', join(w.dir, 'p'), 'other']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /checkpoint is not supported yet by tsvisor/);
  assert.match(w.tsvisor(['checkpoint', 'no-such']).stderr, /container does not exist/);
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});
