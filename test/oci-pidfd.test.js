// runc's --pidfd-socket on create, run and exec (docs/oci.md): a pidfd of
// the process that stands for the container's (the one --pid-file names)
// goes to the caller's socket as runc sends it, and a signal sent through
// it with pidfd_send_signal(2) reaches the container's process, as
// runc's pidfd-socket.bats checks with its pidfd-kill helper
// (test/c/pidfd_kill.c here). A socket nobody listens on fails create
// and leaves nothing.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TSVISOR_BIN, compileC, ms, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

let w, helper;
before(() => {
  w = new OciWork('tsv-pidfd-');
  helper = compileC('pidfd_kill');
});
after(() => w.cleanup());

/** pidfd_kill SOCKET SIGNO in the background, once it listens. */
async function receiver(signo) {
  const sock = join(w.dir, `pidfd-${++w.n}.sock`);
  const p = spawn(helper, [sock, String(signo)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { sock, out: '', err: '' };
  p.stdout.on('data', (d) => { r.out += d; });
  p.stderr.on('data', (d) => { r.err += d; });
  r.exited = new Promise((resolve) => p.on('exit', resolve));
  assert.ok(await waitFor(() => r.out.includes('ready'), ms(10_000)), 'the receiver listens');
  return r;
}

test('create --pidfd-socket: SIGTERM through the pidfd ends the created container', async () => {
  const rx = await receiver(15);
  const id = w.newId();
  const c = w.create(id, w.bundle(['sleep', '100']), ['--pidfd-socket', rx.sock]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await rx.exited, 0, rx.err);
  assert.match(rx.out, /^ready\nname pidfd\nsent\n$/);
  assert.ok(await waitFor(() => w.state(id).status === 'stopped', ms(10_000), 100), 'stopped');
});

test('run -d --pidfd-socket: SIGKILL through the pidfd ends the running container', async () => {
  const rx = await receiver(9);
  const id = w.newId();
  const c = w.create(id, w.bundle(['sleep', '100']), ['--pidfd-socket', rx.sock], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await rx.exited, 0, rx.err);
  assert.ok(await waitFor(() => w.state(id).status === 'stopped', ms(10_000), 100), 'stopped');
});

test('exec --pidfd-socket: SIGTERM through the pidfd reaches the exec\'d process, which exec reports (143)', async () => {
  const id = w.newId();
  assert.equal(w.create(id, w.bundle(['sleep', '100']), [], ['run', '-d']).code, 0);
  const rx = await receiver(15);
  const ex = spawn(process.execPath, [TSVISOR_BIN, '--root', w.stateRoot, 'exec', '--pidfd-socket', rx.sock, id, 'sleep', '100'], { env: tsvisorHostEnv(), stdio: 'ignore' });
  const status = await new Promise((resolve) => ex.on('exit', (code, sig) => resolve(code ?? sig)));
  assert.equal(await rx.exited, 0, rx.err);
  assert.equal(status, 143);
  assert.equal(w.state(id).status, 'running', 'the container itself runs on');
});

test('--pidfd-socket nobody listens on: create fails naming it, and nothing is left', () => {
  const id = w.newId();
  const c = w.create(id, w.bundle(['sleep', '100']), ['--pidfd-socket', join(w.dir, 'nobody.sock')]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /--pidfd-socket .*nobody\.sock: cannot connect: no such file/);
  assert.equal(w.tsvisor(['state', id]).code, 1, 'no state left');
});
