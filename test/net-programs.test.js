// Real network programs (docs/networking.md), natively and under tsvisor
// with the same results, beside test/inet.test.js's Python ones:
// getent's lookup of localhost; OpenBSD netcat both ways inside one
// sandbox; with --network=host, a server inside reached by curl outside,
// curl inside reaching a server on the host's loopback, and an nc listener
// inside fed from outside; ss listing the sandbox's
// listener from /proc/net.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { SELFCHECK, TSVISOR_BIN, assertNoSentryCrash, ms, runNative, runTsvisor, tsvisorHostEnv, waitFor } from './lib/harness.js';

const NC = ['/usr/bin/nc.openbsd', '/bin/nc.openbsd'].find((p) => existsSync(p));
const CURL = '/usr/bin/curl';
const PYTHON = '/usr/bin/python3';
const SS = ['/usr/bin/ss', '/bin/ss', '/usr/sbin/ss'].find((p) => existsSync(p));
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));
const noNative = SELFCHECK ? 'the self-check runs programs natively' : spawnSync('unshare', ['-rn', 'true']).status !== 0 ? 'unshare -rn is not allowed here' : false;

/** sh -c script natively in a fresh network namespace with lo up, as the sandbox's --network=none. */
function nativeNetns(script) {
  return runNative(['unshare', '-rn', '--', 'sh', '-c', `${IP ?? 'ip'} link set lo up && ${script}`], { timeout: ms(60_000) });
}

/** A free TCP port on the host's loopback (bound, then let go). */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** tsvisor do --network=host ARGV in the background. */
function hostSandbox(argv) {
  const p = spawn(process.execPath, [TSVISOR_BIN, 'do', '--network=host', '--cwd', '/', '--', ...argv], { env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { out: '', err: '' };
  p.stdout.on('data', (d) => { r.out += d; });
  p.stderr.on('data', (d) => { r.err += d; });
  r.exited = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
  r.kill = () => p.kill('SIGTERM');
  return r;
}

test('getent hosts and ahosts localhost: as natively in a fresh namespace (none) and on the host (host)', { skip: noNative }, () => {
  // ahosts asks with AI_ADDRCONFIG, which counts the namespace's addresses (netlink's RTM_GETADDR): loopback alone is none.
  for (const args of [['hosts', 'localhost'], ['ahostsv4', 'localhost'], ['ahosts', 'localhost']]) {
    const native = nativeNetns(`/usr/bin/getent ${args.join(' ')}`);
    const sandboxed = runTsvisor(['/usr/bin/getent', ...args]);
    assertNoSentryCrash(sandboxed);
    assert.equal(sandboxed.stdout, native.stdout, args.join(' '));
    assert.equal(sandboxed.code, native.code, args.join(' '));
    const onHost = runNative(['/usr/bin/getent', ...args]);
    const hostMode = runTsvisor(['/usr/bin/getent', ...args], { extraArgs: ['--network=host'] });
    assert.equal(hostMode.stdout, onHost.stdout, `--network=host ${args.join(' ')}`);
    assert.equal(hostMode.code, onHost.code);
  }
});

test('nc both ways in one sandbox: a listener and a client over 127.0.0.1, the bytes and statuses as natively', { skip: noNative || (NC === undefined ? 'netcat-openbsd is not installed' : false) }, () => {
  const script = `d=$(mktemp -d); ${NC} -l 127.0.0.1 9911 > "$d/got" & sleep 1; printf 'one line\\nand another\\n' | ${NC} -N 127.0.0.1 9911; echo "client $?"; wait $!; echo "server $?"; cat "$d/got"; ` +
    `${NC} -z 127.0.0.1 9912; echo "nothing listens: $?"; rm -r "$d"`;
  const native = nativeNetns(script);
  assert.equal(native.code, 0, native.stderr);
  const sandboxed = runTsvisor(['/bin/sh', '-c', script], { timeout: ms(60_000) });
  assertNoSentryCrash(sandboxed);
  assert.equal(sandboxed.stdout, native.stdout);
  assert.match(native.stdout, /client 0\nserver 0\none line\nand another\nnothing listens: 1\n/);
});

test('--network=host: curl outside fetches a server inside, curl inside fetches one outside, and nc inside hears a client outside', { skip: SELFCHECK ? 'self-check' : !existsSync(PYTHON) || !existsSync(CURL) ? 'python3 or curl is not installed' : false, timeout: ms(120_000) }, async () => {
  const port = await freePort();
  const web = hostSandbox([PYTHON, '-m', 'http.server', '--bind', '127.0.0.1', '--directory', '/usr/share', String(port)]);
  try {
    let page = '';
    assert.ok(await waitFor(() => {
      const r = spawnSync(CURL, ['-s', '-m', '3', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
      page = r.stdout;
      return r.status === 0;
    }, ms(30_000), 200), `curl never got the page: ${web.err}`);
    assert.match(page, /Directory listing for \//);
  } finally {
    web.kill();
    await web.exited;
  }
  // The other way: curl inside fetches a page from a server on the host's loopback.
  const outside = createServer((c) => c.end('HTTP/1.0 200 OK\r\nContent-Length: 18\r\n\r\nhello from outside'));
  await new Promise((resolve) => outside.listen(0, '127.0.0.1', resolve));
  try {
    const fetcher = hostSandbox([CURL, '-s', '-m', '10', `http://127.0.0.1:${outside.address().port}/`]);
    assert.equal(await fetcher.exited, 0, fetcher.err);
    assert.equal(fetcher.out, 'hello from outside');
  } finally {
    outside.close();
  }
  if (NC === undefined) return;
  const ncPort = await freePort();
  const listener = hostSandbox([NC, '-l', '127.0.0.1', String(ncPort)]);
  try {
    const sent = await new Promise((resolve, reject) => {
      const tryConnect = (left) => {
        const s = createConnection(ncPort, '127.0.0.1');
        s.on('connect', () => s.end('from outside\n', () => resolve(true)));
        s.on('error', (e) => (left > 0 ? setTimeout(() => tryConnect(left - 1), 200) : reject(e)));
      };
      tryConnect(100);
    });
    assert.ok(sent);
    assert.equal(await listener.exited, 0, listener.err);
    assert.equal(listener.out, 'from outside\n');
  } finally {
    listener.kill();
  }
});

test('ss -tlnp lists the sandbox\'s listener and the process holding it, as natively (from /proc/net: a listener\'s Send-Q reads 0)', { skip: noNative || (SS === undefined || !existsSync(PYTHON) ? 'ss or python3 is not installed' : false) }, () => {
  const script = `${PYTHON} -c "import socket,subprocess; s=socket.socket(); s.bind(('127.0.0.1', 8765)); s.listen(); print(subprocess.run(['${SS}','-tlnpH'],capture_output=True,text=True).stdout,end='')"`;
  const native = nativeNetns(script);
  const sandboxed = runTsvisor(['/bin/sh', '-c', script], { timeout: ms(60_000) });
  assertNoSentryCrash(sandboxed);
  // State, Recv-Q, local and peer address alike; Send-Q (the backlog) only sock_diag reports, which ss falls back from.
  // The process is found through /proc/PID/fd (its pid is the sandbox's own).
  const cols = (out) => out.trim().split('\n').map((l) => l.split(/\s+/)).map((f) => [f[0], f[1], f[3], f[4], (f[5] ?? '').replace(/pid=\d+/, 'pid=N')].join(' '));
  assert.deepEqual(cols(sandboxed.stdout), cols(native.stdout));
  assert.deepEqual(cols(sandboxed.stdout), ['LISTEN 0 127.0.0.1:8765 0.0.0.0:* users:(("python3",pid=N,fd=3))']);
});
