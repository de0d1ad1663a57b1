// Inet sockets (src/net/hostinet): test/c/inet.c, built static and dynamic,
// prints the same natively, in a fresh network namespace with lo up
// (`unshare --net`), as under tsvisor's --network=none; a Python TCP echo
// over 127.0.0.1 and a UDP exchange over ::1 print the same; random
// arguments to every socket call (test/hostile/sockfuzz.c) leave the
// Sentry alive and log no handler exception.

import { test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, ms, runTsvisor, spawnTsvisor,
} from './lib/harness.js';

const spawnTsvisorAsync = (argv, extraArgs) => spawnTsvisor(argv, { extraArgs });

const HOSTILE_DIR = new URL('./hostile/', import.meta.url).pathname;
const PYTHON = '/usr/bin/python3'; // the Debian interpreter, not a pyenv shim

for (const isStatic of [true, false]) {
  test(`inet.c (${isStatic ? 'static' : 'dynamic'}) matches Linux in a fresh network namespace`, { timeout: ms(120_000) }, () => {
    const bin = compileC('inet', { static: isStatic });
    assert.equal(compileWarnings.get(`inet.${isStatic ? 'static' : 'dynamic'}`) ?? '', '', 'inet.c compiles without warnings');
    const { native } = assertSameAsNative([bin], { nativeNamespaces: ['net'], expectCode: 0, strict: true, timeout: ms(60_000) });
    assert.match(native.stdout, /\ndone\n$/);
  });
}

const PY_TCP = `
import socket, threading
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
port = l.getsockname()[1]
def serve():
    c, _ = l.accept()
    while True:
        d = c.recv(100)
        if not d: break
        c.sendall(d.upper())
    c.close()
t = threading.Thread(target=serve); t.start()
s = socket.create_connection(('127.0.0.1', port))
for w in [b'hello', b'tcp echo', b'x' * 5000]:
    s.sendall(w)
    got = b''
    while len(got) < len(w): got += s.recv(65536)
    print(len(got), got[:12])
s.shutdown(socket.SHUT_WR); t.join(); s.close()
u1 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u1.bind(('::1', 0))
u2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u2.sendto(b'datagram', u1.getsockname())
d, a = u1.recvfrom(100)
print(d, a[0])
try:
    socket.create_connection(('127.0.0.1', 1), timeout=2)
except OSError as e:
    print(type(e).__name__)
`;

test('python3 TCP echo over 127.0.0.1 and UDP over ::1', { skip: existsSync(PYTHON) ? false : `${PYTHON} is not installed`, timeout: ms(120_000) }, () => {
  const { native } = assertSameAsNative([PYTHON, '-c', PY_TCP], { nativeNamespaces: ['net'], expectCode: 0, timeout: ms(60_000) });
  assert.match(native.stdout, /ConnectionRefusedError/);
});

const PY_SERVERS = `
import http.server, threading, urllib.request, os, asyncio
os.chdir('/etc')
class Q(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Q)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_address[1]
for i in range(20):
    r = urllib.request.urlopen(f'http://127.0.0.1:{port}/passwd')
    body = r.read()
print(r.status, body == open('/etc/passwd', 'rb').read())
srv.shutdown()
async def main():
    async def handle(r, w):
        d = await r.read(100)
        w.write(d[::-1]); await w.drain(); w.close()
    s = await asyncio.start_server(handle, '::1', 0)
    p = s.sockets[0].getsockname()[1]
    r, w = await asyncio.open_connection('::1', p)
    w.write(b'asyncio echo'); w.write_eof()
    print(await r.read()); w.close()
    s.close(); await s.wait_closed()
asyncio.run(main())
`;

test('python3 http.server fetched by urllib, and an asyncio echo over ::1, in one sandbox', { skip: existsSync(PYTHON) ? false : `${PYTHON} is not installed`, timeout: ms(120_000) }, () => {
  const { native } = assertSameAsNative([PYTHON, '-c', PY_SERVERS], { nativeNamespaces: ['net'], expectCode: 0, timeout: ms(60_000) });
  assert.equal(native.stdout, "200 True\nb'ohce oicnysa'\n");
});

const CURL = '/usr/bin/curl';
const SH_CURL = `
${PYTHON} -m http.server 8000 --bind 127.0.0.1 --directory /etc >/dev/null 2>&1 &
pid=$!
got=$(mktemp)
i=0
until ${CURL} -s -o "$got" http://127.0.0.1:8000/passwd; do
  i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1
done
cmp "$got" /etc/passwd && echo same
rm -f "$got"
${CURL} -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8000/nosuch
kill $pid; wait $pid; echo "server ended $?"
`;

test('python3 -m http.server fetched by curl in the same sandbox', { skip: existsSync(PYTHON) && existsSync(CURL) ? false : 'python3 or curl is not installed', timeout: ms(120_000) }, () => {
  const { native } = assertSameAsNative(['/bin/sh', '-c', SH_CURL], { nativeNamespaces: ['net'], expectCode: 0, timeout: ms(60_000) });
  assert.equal(native.stdout, 'same\n404\nserver ended 143\n');
});

/** A TCP server on the host's 127.0.0.1 that greets each connection; resolves to its port. */
function hostServer() {
  return new Promise((resolve) => {
    const srv = net.createServer((c) => c.end('hello from the host\n'));
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

const PY_CLIENT = `
import socket, sys
try:
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
    print(s.recv(100).decode().strip())
except OSError as e:
    print(type(e).__name__)
`;

test('--network=none cannot reach the host\'s loopback; --network=host can', { skip: existsSync(PYTHON) ? false : `${PYTHON} is not installed`, timeout: ms(120_000) }, async () => {
  const srv = await hostServer();
  try {
    const port = String(srv.address().port);
    // spawnSync would block the event loop the server runs on: the client runs asynchronously.
    const run = (mode) => new Promise((resolve) => {
      const c = spawnTsvisorAsync([PYTHON, '-c', PY_CLIENT, port], ['--network', mode]);
      let out = '';
      c.stdout.on('data', (d) => { out += d; });
      c.on('close', (code) => resolve({ out, code }));
    });
    const none = await run('none');
    assert.equal(none.out, 'ConnectionRefusedError\n');
    const host = await run('host');
    assert.equal(host.out, 'hello from the host\n');
  } finally {
    srv.close();
  }
});

const PY_MANY = `
import socket, errno
socks = []
try:
    while len(socks) < 10000:
        socks.append(socket.socket())
    print('no limit')
except OSError as e:
    print(errno.errorcode[e.errno], len(socks) < 64)
for s in socks[:8]: s.close()
print(len(open('/etc/passwd').read()) > 0, socket.socket() is not None)
`;

test('host sockets count against --max-host-fds (ENFILE past it) and the sandbox goes on', { skip: existsSync(PYTHON) ? false : `${PYTHON} is not installed`, timeout: ms(120_000) }, () => {
  const r = runTsvisor([PYTHON, '-c', PY_MANY], { extraArgs: ['--max-host-fds', '64'], timeout: ms(60_000) });
  assertNoSentryCrash(r);
  assert.equal(r.stdout, 'ENFILE True\nTrue True\n', r.stderr);
});

test('random arguments to the socket calls leave the Sentry alive (sockfuzz.c)', { timeout: ms(300_000) }, () => {
  const bin = compileC('sockfuzz', { static: true, dir: HOSTILE_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'sockfuzz-'));
  try {
    for (const seed of [1, 2, 3]) {
      const log = join(dir, `sentry-${seed}.log`);
      const r = runTsvisor([bin, String(seed), '20000'], { debugLog: log, timeout: ms(120_000) });
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
