// Port forwarding (docs/networking.md): `tsvisor port-forward ID
// [LOCAL:]REMOTE` listens on the host and hands each connection to the
// sandbox's control socket (containerManager.PortForward), which joins it
// to REMOTE on the container's loopback in its own network namespace. An
// echo server in the container (test/c/tcp_echo.c) must give back what a
// host client sends, for several connections at once and for a megabyte;
// a port nothing listens on closes the connection and says why; bad
// requests on the control socket are refused and leave the Sentry well.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, openSync, closeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { TSVISOR_BIN, compileC, ms, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, controlRequest, test } from './lib/oci.js';

const { METHODS } = await import('../dist/control/protocol.js');

let w, ID;
before(async () => {
  w = new OciWork('tsv-portfwd-');
  const dir = w.bundle(['/bin/tcp_echo', '7777']);
  copyFileSync(compileC('tcp_echo', { static: true }), join(dir, 'rootfs', 'bin', 'tcp_echo'));
  ID = w.newId();
  const c = w.create(ID, dir, [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
});
after(() => w.cleanup());

/** tsvisor port-forward ARGS in the background, once it has printed its forwarding lines: the local ports. */
async function forwarder(args, lines = 1) {
  const p = spawn(process.execPath, [TSVISOR_BIN, '--root', w.stateRoot, 'port-forward', ...args], { env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const f = { out: '', err: '', code: null };
  p.stdout.on('data', (d) => { f.out += d; });
  p.stderr.on('data', (d) => { f.err += d; });
  f.exited = new Promise((resolve) => p.on('exit', (code) => { f.code = code; resolve(code); }));
  f.kill = (sig = 'SIGTERM') => p.kill(sig);
  assert.ok(await waitFor(() => f.out.split('\n').filter((l) => l.startsWith('Forwarding from')).length >= lines || f.code !== null, ms(20_000)), `port-forward: ${f.out} ${f.err}`);
  f.ports = [...f.out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)$/gm)].map((m) => Number(m[1]));
  return f;
}

/** Sends data on a new connection to port, ends it, and resolves to what came back before the other side ended. */
function exchange(port, data) {
  return new Promise((resolve, reject) => {
    const s = createConnection(port, '127.0.0.1');
    const got = [];
    s.on('data', (d) => got.push(d));
    s.on('end', () => resolve(Buffer.concat(got)));
    // A connection closed with our bytes unread is reset (close(2) with data pending): nothing came back.
    s.on('error', (e) => (e.code === 'ECONNRESET' ? resolve(Buffer.concat(got)) : reject(e)));
    s.on('connect', () => s.end(data));
  });
}

test('port-forward 0:7777: the container\'s echo server answers host clients, several at once and a megabyte', async () => {
  const f = await forwarder([ID, '0:7777']);
  try {
    assert.equal(f.ports.length, 1, f.out);
    const port = f.ports[0];
    assert.equal((await exchange(port, 'hello through the sandbox\n')).toString(), 'hello through the sandbox\n');
    const many = await Promise.all([...Array(8).keys()].map((i) => exchange(port, `connection ${i}\n`)));
    assert.deepEqual(many.map(String), [...Array(8).keys()].map((i) => `connection ${i}\n`));
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    assert.ok((await exchange(port, big)).equals(big), 'a megabyte came back whole');
  } finally {
    f.kill();
  }
  assert.equal(await f.exited, 0, f.err);
});

test('a port nothing listens on inside: the connection is closed and the reason printed; the forwarder goes on', async () => {
  const f = await forwarder([ID, '0:7778', '0:7777'], 2);
  try {
    assert.equal((await exchange(f.ports[0], 'x')).length, 0);
    assert.ok(await waitFor(() => /nothing listens on port 7778 in the container/.test(f.err), ms(10_000)), f.err);
    assert.equal((await exchange(f.ports[1], 'still\n')).toString(), 'still\n');
  } finally {
    f.kill();
  }
});

test('bad input: a bad port pair, no such container, a stopped one', async () => {
  for (const [args, want] of [[[ID, '70000'], /70000: expected \[LOCAL_PORT:\]REMOTE_PORT/], [[ID, 'x:80'], /expected \[LOCAL_PORT:\]REMOTE_PORT/],
    [['nosuch', '80'], /container does not exist/], [['--address', 'nowhere', ID, '80'], /--address nowhere: not an IP address/]]) {
    const r = w.tsvisor(['port-forward', ...args]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
  }
  const id = w.newId();
  assert.equal(w.create(id, w.bundle(['true']), [], ['run']).code, 0, 'a container that has ended');
  const stopped = w.tsvisor(['port-forward', id, '80']);
  assert.equal(stopped.code, 1);
});

test('PortForward on the control socket: no descriptor, two, a pipe, a bad port: invalid; the sandbox goes on', async () => {
  const sock = join(w.stateRoot, ID, 'control.sock');
  const call = (params, fds) => controlRequest(sock, { id: 1, method: METHODS.portForward, params }, fds);
  const nul = openSync('/dev/null', 'r+');
  try {
    for (const [params, fds, what] of [[{ containerId: ID, port: 7777 }, [], 'no descriptor'], [{ containerId: ID, port: 7777 }, [nul, nul], 'two'],
      [{ containerId: ID, port: 7777 }, [nul], 'not a socket'], [{ containerId: ID, port: 0 }, [], 'port 0'], [{ containerId: ID, port: 65536 }, [], 'port 65536'],
      [{ containerId: ID, port: '80' }, [], 'a string port']]) {
      const r = await call(params, fds);
      assert.equal(r.error?.code, 'invalid', `${what}: ${JSON.stringify(r)}`);
    }
  } finally {
    closeSync(nul);
  }
  const f = await forwarder([ID, '0:7777']);
  try {
    assert.equal((await exchange(f.ports[0], 'after\n')).toString(), 'after\n');
  } finally {
    f.kill();
  }
});
