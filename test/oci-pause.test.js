// tsvisor pause and resume (docs/oci.md "Pause and resume"): a container
// printing a counter every 100 ms prints nothing while paused and goes on
// after resume; state says paused; a paused container's SIGKILL ends it at
// once, other signals wait for resume (as a frozen cgroup's do); delete
// needs --force; runc's errors for the wrong states; the control
// socket's Pause and Resume check their requests like every method.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, sleep, waitFor } from './lib/harness.js';
import { OciWork, alive, controlRequest, test } from './lib/oci.js';

let w;
before(() => {
  w = new OciWork('tsv-pause-');
});
after(() => w.cleanup());

/** A counter every 100 ms; a TERM trap says so and exits 7. */
const COUNTER = ['sh', '-c', 'trap "echo term; exit 7" TERM; i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done'];
const count = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => /^\d+$/.test(l)).length;

async function runCounter() {
  const id = w.newId();
  const c = w.create(id, w.bundle(COUNTER), [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(await waitFor(() => count(c.out) >= 3, ms(20_000)), 'the counter does not count');
  return { id, out: c.out };
}

test('a paused container\'s processes do not run until resume; state says paused, then running', async () => {
  const { id, out } = await runCounter();
  const p = w.tsvisor(['pause', id]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(w.state(id).status, 'paused');
  const list = w.tsvisor(['list', '-f', 'json']);
  assert.equal(JSON.parse(list.stdout).find((s) => s.id === id).status, 'paused');
  const at = count(out);
  await sleep(1500);
  assert.equal(count(out), at, 'the counter went on while paused');
  // ps still answers: the processes are there, not running.
  const ps = w.tsvisor(['ps', '-f', 'json', id]);
  assert.equal(ps.code, 0, ps.stderr);
  assert.ok(JSON.parse(ps.stdout).includes(1));
  const r = w.tsvisor(['resume', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(w.state(id).status, 'running');
  assert.ok(await waitFor(() => count(out) >= at + 3, ms(10_000)), 'the counter did not go on after resume');
  // Twice more: pause and resume are repeatable.
  for (let i = 0; i < 2; i++) {
    assert.equal(w.tsvisor(['pause', id]).code, 0);
    const n = count(out);
    await sleep(500);
    assert.equal(count(out), n);
    assert.equal(w.tsvisor(['resume', id]).code, 0);
  }
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});

test('kill -9 of a paused container ends it at once; another signal waits for resume', async () => {
  const { id } = await runCounter();
  const pid = w.state(id).pid;
  assert.equal(w.tsvisor(['pause', id]).code, 0);
  const k = w.tsvisor(['kill', id, 'KILL']);
  assert.equal(k.code, 0, k.stderr);
  assert.ok(await w.untilStatus(id, 'stopped', 10_000), 'a paused container outlived SIGKILL');
  assert.ok(await waitFor(() => !alive(pid), ms(10_000)));
  assert.equal(w.tsvisor(['delete', id]).code, 0);

  const second = await runCounter();
  assert.equal(w.tsvisor(['pause', second.id]).code, 0);
  assert.equal(w.tsvisor(['kill', second.id, 'TERM']).code, 0);
  await sleep(1000);
  assert.equal(w.state(second.id).status, 'paused', 'SIGTERM was acted on while paused');
  assert.doesNotMatch(readFileSync(second.out, 'utf8'), /term/);
  assert.equal(w.tsvisor(['resume', second.id]).code, 0);
  assert.ok(await w.untilStatus(second.id, 'stopped'), 'SIGTERM was not delivered at resume');
  assert.match(readFileSync(second.out, 'utf8'), /^term$/m);
  assert.equal(w.tsvisor(['delete', second.id]).code, 0);
});

test('kill --all -9 of a paused container with several processes ends them all', async () => {
  const id = w.newId();
  const c = w.create(id, w.bundle(['sh', '-c', 'sleep 100 & sleep 100 & echo ready; wait']), [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(await waitFor(() => readFileSync(c.out, 'utf8').includes('ready'), ms(20_000)));
  assert.equal(w.tsvisor(['pause', id]).code, 0);
  assert.equal(w.tsvisor(['kill', '--all', id, '9']).code, 0);
  assert.ok(await w.untilStatus(id, 'stopped', 10_000));
  assert.equal(w.tsvisor(['delete', id]).code, 0);
});

test('delete of a paused container needs --force; runc\'s errors for pause, resume and start in the wrong state', async () => {
  const { id } = await runCounter();
  assert.equal(w.tsvisor(['pause', id]).code, 0);
  const again = w.tsvisor(['pause', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /container not running/);
  const d = w.tsvisor(['delete', id]);
  assert.equal(d.code, 1);
  assert.match(d.stderr, new RegExp(`cannot delete container ${id} that is not stopped: paused`));
  const pid = w.state(id).pid;
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
  assert.ok(await waitFor(() => !alive(pid), ms(10_000)));

  // A created container pauses too (runc's Pause takes created or running); resumed, it is created again and starts.
  const id2 = w.newId();
  const c = w.create(id2, w.bundle(['sh', '-c', 'echo started']));
  assert.equal(c.code, 0, c.stderr);
  const notPaused = w.tsvisor(['resume', id2]);
  assert.equal(notPaused.code, 1);
  assert.match(notPaused.stderr, /container not paused/);
  assert.equal(w.tsvisor(['pause', id2]).code, 0);
  assert.equal(w.state(id2).status, 'paused');
  const st = w.tsvisor(['start', id2]);
  assert.equal(st.code, 1);
  assert.match(st.stderr, /cannot start a container in the paused state/);
  assert.equal(w.tsvisor(['resume', id2]).code, 0);
  assert.equal(w.state(id2).status, 'created');
  assert.equal(w.tsvisor(['start', id2]).code, 0);
  assert.ok(await waitFor(() => readFileSync(c.out, 'utf8') === 'started\n', ms(20_000)));
  assert.ok(await w.untilStatus(id2, 'stopped'));
  const stopped = w.tsvisor(['pause', id2]);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stderr, /container not running/);
  assert.equal(w.tsvisor(['delete', id2]).code, 0);
  const missing = w.tsvisor(['pause', 'no-such']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /container does not exist/);
});

/** One request on a container's control socket; the parsed reply. */
function rpc(id, msg) {
  return controlRequest(join(w.stateRoot, id, 'control.sock'), msg);
}

test('the control socket\'s Pause and Resume check their requests', async () => {
  const { id } = await runCounter();
  const bad = await rpc(id, { id: 1, method: 'containerManager.Pause', params: { containerId: id, extra: 1 } });
  assert.equal(bad.error.code, 'invalid');
  const other = await rpc(id, { id: 2, method: 'containerManager.Pause', params: { containerId: 'other' } });
  assert.equal(other.error.code, 'no-such-container');
  assert.deepEqual(await rpc(id, { id: 3, method: 'containerManager.Pause', params: { containerId: id } }), { id: 3, result: null });
  assert.deepEqual(await rpc(id, { id: 4, method: 'containerManager.State', params: { containerId: id } }), { id: 4, result: { status: 'paused', exitStatus: null } });
  assert.deepEqual(await rpc(id, { id: 5, method: 'containerManager.Resume', params: { containerId: id } }), { id: 5, result: null });
  const twice = await rpc(id, { id: 6, method: 'containerManager.Resume', params: { containerId: id } });
  assert.deepEqual(twice.error, { code: 'running', message: 'container not paused' });
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});

test('a process busy on the CPU is stopped too: its CPU time does not grow while paused', async () => {
  const id = w.newId();
  const c = w.create(id, w.bundle(['sh', '-c', 'i=0; while true; do i=$((i+1)); [ $((i % 5000)) = 0 ] && echo $i; done']), [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  assert.ok(await waitFor(() => count(c.out) >= 2, ms(20_000)));
  assert.equal(w.tsvisor(['pause', id]).code, 0);
  const user = () => {
    const r = w.tsvisor(['events', '--stats', id]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).data.cpu.usage.user;
  };
  const n = count(c.out);
  const before = user();
  await sleep(1000);
  assert.equal(user(), before, 'the program used CPU while paused');
  assert.equal(count(c.out), n);
  assert.equal(w.tsvisor(['resume', id]).code, 0);
  assert.ok(await waitFor(() => count(c.out) > n, ms(10_000)));
  assert.ok(await waitFor(() => user() > before, ms(10_000), 200), 'no CPU time after resume');
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});
