// Hostile networking (docs/networking.md, docs/security.md): a peer that
// never reads, senders that wait on it (ended by SO_SNDTIMEO and by a
// signal), and socket(2) asked for every family and type
// (test/hostile/sockpeer.c). Then, from the host, while the program holds
// its sockets: the Sentry is alive and small (the bytes wait in the host's
// socket buffers, not in its heap), it is in a network namespace of its
// own, and every socket it holds beyond the stdio it was given is one of
// its namespace's Unix, TCP, UDP, raw, packet or netlink sockets: none in
// the host's namespace, none of another family; with --net-raw too, where
// the program holds raw and packet sockets. Random arguments to the socket
// calls with raw and packet sockets in the pool (sockfuzz.c, --net-raw)
// leave the Sentry alive and log no handler exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_DIR, SELFCHECK, assertNoSentryCrash, compileC, descendantsOf, ms, runNative, runTsvisor, spawnTsvisor, waitFor } from './lib/harness.js';

function statusField(pid, name) {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? '' : m[1].trim();
}

/** The inodes of the sockets listed in the Sentry's own /proc/PID/net tables (its namespace's). */
function namespaceSockets(pid) {
  const inodes = new Set();
  for (const [file, col] of [['tcp', 9], ['tcp6', 9], ['udp', 9], ['udp6', 9], ['raw', 9], ['raw6', 9], ['packet', 8], ['unix', 6], ['netlink', 9]]) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > col) inodes.add(f[col]);
    }
  }
  return inodes;
}

for (const netRaw of [false, true]) {
  test(`a peer that never reads, waits ended by timeout and signal, every family asked for${netRaw ? ' (--net-raw: raw and packet sockets held too)' : ''}: the Sentry holds only its namespace's sockets and stays small`, { skip: SELFCHECK ? 'the self-check runs programs natively' : false, timeout: ms(120_000) }, async () => {
    const child = spawnTsvisor([compileC('sockpeer', { dir: HOSTILE_DIR })], { stdin: 'pipe', extraArgs: netRaw ? ['--net-raw'] : [] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      assert.ok(await waitFor(() => out.includes('holding\n'), ms(60_000)), `the program did not get to hold its sockets: ${out}`);
      assert.match(out, /^non-blocking sender stops: EAGAIN\nsome bytes queued: 1\n/);
      // The peer's buffers may still take a little in the time a timeout or a signal waits: then the call is partial.
      assert.match(out, /\nblocking send with SO_SNDTIMEO: (EAGAIN|partial)\nblocking send, then a signal: (EINTR|partial)\n/);
      assert.match(out, netRaw ? /\nsockets made: some 1, of other families 0\npacket types: c\nraw and packet held: 1 1\nholding\n$/
        : /\nsockets made: some 1, of other families 0\npacket types: 0\nraw and packet held: 0 0\nholding\n$/);
      const sentry = await waitFor(() => descendantsOf(child.pid).find((p) => (p.comm === 'node' || p.comm === 'MainThread') && statusField(p.pid, 'Seccomp') === '2'), ms(10_000));
      assert.ok(sentry, 'no sealed Sentry');
      assert.notEqual(readlinkSync(`/proc/${sentry.pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'the Sentry is in a network namespace of its own');
      const rssKb = Number(statusField(sentry.pid, 'VmRSS').split(/\s+/)[0]);
      assert.ok(rssKb < 400 * 1024, `the Sentry holds ${rssKb} kB`);
      const known = namespaceSockets(sentry.pid);
      // Its stdio (0-2) is the caller's, as it was given (here the test's socketpairs): every other socket is its own.
      const held = readdirSync(`/proc/${sentry.pid}/fd`).filter((fd) => Number(fd) > 2).map((fd) => {
        try {
          return readlinkSync(`/proc/${sentry.pid}/fd/${fd}`);
        } catch {
          return '';
        }
      }).filter((l) => l.startsWith('socket:['));
      assert.ok(held.length >= (netRaw ? 5 : 3), `the program's listener, its connection and the peer (and its raw and packet sockets) are the Sentry's: ${held}`);
      for (const l of held) assert.ok(known.has(l.slice(8, -1)), `${l} is not one of the namespace's sockets`);
    } finally {
      child.stdin.end();
    }
    assert.equal(await exited, 0);
  });
}

test('random arguments to the socket calls with raw and packet sockets in the pool (sockfuzz.c, --net-raw) leave the Sentry alive', { skip: SELFCHECK ? 'the self-check runs programs natively' : false, timeout: ms(300_000) }, () => {
  const bin = compileC('sockfuzz', { static: true, dir: HOSTILE_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'sockfuzz-raw-'));
  try {
    for (const seed of [4, 5]) {
      const log = join(dir, `sentry-${seed}.log`);
      const r = runTsvisor([bin, String(seed), '20000'], { debugLog: log, netRaw: true, timeout: ms(120_000) });
      assertNoSentryCrash(r, { strict: true });
      assert.equal(r.code, 0, `sockfuzz ${seed}: status ${r.code}\n${r.stderr}`);
      assert.equal(r.stdout, 'done\n');
      const text = existsSync(log) ? readFileSync(log, 'latin1') : '';
      assert.ok(!/BUG:/.test(text), `a socket call threw in the Sentry:\n${text.split('\n').filter((l) => /BUG/.test(l)).slice(0, 5).join('\n')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ten thousand sockets at once, as natively (RLIMIT_NOFILE raised to its hard limit); with --max-host-fds 500, ENFILE past it; the Sentry goes on', { skip: SELFCHECK ? 'the self-check runs programs natively' : false, timeout: ms(180_000) }, () => {
  const py = [
    'import socket, resource, errno',
    'soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)',
    'resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))',
    'socks, err = [], None',
    'try:',
    '    for i in range(10000): socks.append(socket.socket())',
    'except OSError as e: err = errno.errorcode[e.errno]',
    'print(len(socks) if err is None else "stopped", err)',
    'for s in socks: s.close()',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print("a listener after:", s.getsockname()[0])',
  ].join('\n');
  const native = runNative(['unshare', '-rn', '--', '/usr/bin/python3', '-c', py], { timeout: ms(60_000) });
  const sandboxed = runTsvisor(['/usr/bin/python3', '-c', py], { timeout: ms(120_000) });
  assertNoSentryCrash(sandboxed);
  assert.equal(sandboxed.stdout, native.stdout);
  const bounded = runTsvisor(['/usr/bin/python3', '-c', py], { extraArgs: ['--max-host-fds', '500'], timeout: ms(120_000) });
  assertNoSentryCrash(bounded);
  assert.equal(bounded.stdout, 'stopped ENFILE\na listener after: 127.0.0.1\n');
});
