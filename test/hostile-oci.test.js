// The hostile suite against the OCI runtime (test/hostile/README.md;
// docs/security.md, "The runtime's inputs"): what an attacker would try
// on the control socket, as a local client of it (its owner's processes:
// the socket is 0600 in a 0700 directory) and from inside the container
// (which must not reach it at all), and on the bundle, the command line,
// the console socket and the state directory. Each attack is a test of its
// own. After each control-socket attack the container must still answer
// state and run `exec true`, and the Sentry must hold no more host
// descriptors than before (every descriptor a header carried is closed);
// after each refused bundle or command nothing may be left: no state
// directory, no process, no host file outside the bundle changed.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync,
  symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { HOSTILE_DIR, SELFCHECK, TSVISOR_BIN, compileC, ms, sleep, stubsOf, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, alive, pidsWithArg, test } from './lib/oci.js';

const { native } = await import('../dist/native.js');
const { METHODS, MAX_MESSAGE_BYTES, MAX_REQUEST_FDS } = await import('../dist/control/protocol.js');
const { MAX_CONNECTIONS, MAX_WAITING, HEADER_MS, IDLE_MS } = await import('../dist/control/server.js');
const { ControlClient } = await import('../dist/control/client.js');
const { ProcessSchema } = await import('../dist/config/spec.js');
const { validateProcess } = await import('../dist/config/validate.js');
const { MAX_CONFIG_BYTES, MAX_JSON_DEPTH } = await import('../dist/config/bundle.js');

let w;
/** The long-lived target container of the control-socket attacks. */
let ID, SOCK, STATE_DIR, containerPid, sentry, baseFds, baseList;
/** /dev/null, read-write: what most requests carry as stdio. */
let nul;
/** A connection that sends its header and then nothing (IDLE_MS), opened early, checked late. */
let idle;
const SECRET = 'HOST SECRET: never seen inside';

before(async () => {
  // The self-check's fake tsvisor has no OCI commands: every test is skipped (lib/oci.js's test).
  if (SELFCHECK) return;
  w = new OciWork('tsv-hostile-oci-');
  nul = openSync('/dev/null', 'r+');
  writeFileSync(join(w.dir, 'marker-outside'), `${SECRET}\n`);
  const dir = w.bundle(['sleep', '100000'], { mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }] });
  copyFileSync(compileC('ctlreach', { static: true, dir: HOSTILE_DIR }), join(dir, 'rootfs', 'bin', 'ctlreach'));
  // Symlinks a cwd may go through: up and out by "..", and the host path of a directory outside the root.
  symlinkSync('../../../../../../../..', join(dir, 'rootfs', 'up'));
  symlinkSync(w.dir, join(dir, 'rootfs', 'hostdir'));
  ID = w.newId();
  const r = w.create(ID, dir, [], ['run', '-d']);
  assert.equal(r.code, 0, r.stderr);
  STATE_DIR = join(w.stateRoot, ID);
  SOCK = join(STATE_DIR, 'control.sock');
  containerPid = w.state(ID).pid;
  sentry = Number(readFileSync(`/proc/${containerPid}/task/${containerPid}/children`, 'utf8').trim().split(/\s+/)[0]);
  // One exec first, waiting on a pipe that is empty: what the Sentry opens once for that (its watch
  // epoll for host descriptors that may block, native/watch.c) is not a leak.
  const first = spawn(process.execPath, [TSVISOR_BIN, '--root', w.stateRoot, 'exec', ID, 'head', '-c', '1'], { env: tsvisorHostEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
  setTimeout(() => first.stdin.end('x'), 2000);
  let got = '';
  first.stdout.on('data', (d) => { got += d; });
  assert.equal(await new Promise((resolve) => first.on('exit', resolve)), 0);
  assert.equal(got, 'x');
  await sleep(300);
  baseList = sentryFds();
  baseFds = baseList.length;
  idle = { conn: await Raw.open({ fds: [nul, nul, nul] }), at: Date.now() };
});

after(() => {
  w?.cleanup();
});

function sentryFds() {
  return readdirSync(`/proc/${sentry}/fd`).map((f) => {
    try {
      return readlinkSync(`/proc/${sentry}/fd/${f}`);
    } catch {
      return '';
    }
  });
}

function rss() {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${sentry}/status`, 'utf8'))[1]) * 1024;
}

/** The container still answers state, runs exec true, and the Sentry holds no descriptor more than before the attack. */
async function assertHealthy(what) {
  assert.ok(alive(containerPid), `${what}: the sandbox died`);
  const st = w.tsvisor(['state', ID]);
  assert.equal(st.code, 0, `${what}: state: ${st.stderr}`);
  assert.equal(JSON.parse(st.stdout).status, 'running', what);
  const ex = w.tsvisor(['exec', ID, 'true']);
  assert.equal(ex.code, 0, `${what}: exec true: ${ex.stderr}`);
  // The idle connection of the IDLE_MS test holds a socket and its header's 3 descriptors until it is closed.
  const allowed = () => baseFds + (idle === undefined || idle.conn.closed ? 0 : 4);
  const settled = await waitFor(() => sentryFds().length <= allowed(), ms(10_000), 50);
  if (!settled) {
    const extra = [...sentryFds()];
    for (const f of baseList) extra.splice(extra.indexOf(f), extra.includes(f) ? 1 : 0);
    assert.fail(`${what}: the Sentry holds ${sentryFds().length} descriptors, ${allowed()} before; more: ${extra.join(', ')}`);
  }
}

/** A raw connection to the control socket: the header (with fds) if asked, lines written as given, replies read one by one. */
class Raw {
  static open({ header = true, fds = [], path = SOCK } = {}) {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      const r = new Raw(s);
      s.once('connect', () => {
        if (header && native.sendFds(s._handle.fd, new Uint8Array([0x2a]), fds) !== 1) r.headerRefused = true;
        resolve(r);
      });
      s.once('error', (e) => {
        if (!r.connected) reject(e);
      });
    });
  }

  constructor(s) {
    this.s = s;
    this.buf = '';
    this.replies = [];
    this.wake = null;
    this.closed = false;
    this.closedAt = 0;
    s.on('connect', () => { this.connected = true; });
    s.on('data', (d) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.replies.push(JSON.parse(this.buf.slice(0, nl)));
        this.buf = this.buf.slice(nl + 1);
      }
      this.wake?.();
    });
    s.on('error', () => {});
    s.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this.wake?.();
    });
  }

  send(text) {
    if (!this.closed) this.s.write(text);
    return this;
  }

  request(method, params, id = 1) {
    return this.send(`${JSON.stringify({ id, method, params })}\n`);
  }

  /** The next reply, or null once the server has closed the connection without one. */
  async next(timeout = ms(15_000)) {
    const until = Date.now() + timeout;
    while (this.replies.length === 0 && !this.closed) {
      if (Date.now() > until) throw new Error('no reply in time');
      await new Promise((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
    return this.replies.shift() ?? null;
  }

  async untilClosed(timeout) {
    return waitFor(() => this.closed, timeout, 50);
  }

  close() {
    this.s.destroy();
  }
}

/** One request on a connection of its own (fds in its header); the reply. */
async function call(method, params, fds = []) {
  const c = await Raw.open({ fds });
  const reply = await c.request(method, params).next();
  c.close();
  return reply;
}

/** ExecuteAsync then WaitPID; the exit status, or the refusal. */
async function execRaw(proc, fds = [nul, nul, nul]) {
  const r = await call(METHODS.execute, { containerId: ID, process: proc }, fds);
  if (r.error !== undefined) return r;
  return { pid: r.result.pid, ...(await call(METHODS.waitPid, { containerId: ID, pid: r.result.pid })) };
}

/** What a memfd holds (a process's output). */
function memfdText(fd) {
  const b = Buffer.alloc(1 << 16);
  const n = native.pread(fd, b, 0);
  return b.subarray(0, Math.max(0, n)).toString();
}

const BASE_PROC = { args: ['true'], env: ['PATH=/bin'], cwd: '/' };

// --- The container cannot reach the control socket --------------------------------------------

test('from inside: the control socket is not in the container, by path, "..", /proc/*/root, an abstract name, any descriptor or mount', () => {
  const r = w.tsvisor(['exec', ID, 'ctlreach', SOCK, STATE_DIR]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /reached/);
  assert.match(r.stdout, /^path: stat: -1 ENOENT\npath: connect: -1 ENOENT\n/);
  assert.match(r.stdout, /\nfds: none in all processes\nmounts: none\nreach: none\n$/);
  // From the host: the listening socket is the Sentry's; no stub (every sandboxed process is one) holds it, or any socket.
  const unix = readFileSync(`/proc/${sentry}/net/unix`, 'utf8').split('\n').find((l) => l.endsWith('/control.sock'));
  assert.ok(unix, 'the control socket is in the Sentry\'s network namespace');
  const inode = unix.trim().split(/\s+/)[6];
  assert.ok(sentryFds().includes(`socket:[${inode}]`), 'the Sentry holds it');
  const stubs = stubsOf(containerPid);
  assert.ok(stubs.length >= 2, 'the init\'s stub and the master stub');
  for (const s of stubs) {
    const fds = readdirSync(`/proc/${s.pid}/fd`).map((f) => readlinkSync(`/proc/${s.pid}/fd/${f}`));
    assert.deepEqual(fds.filter((l) => l.startsWith('socket:')), [], `stub ${s.pid} holds a socket`);
  }
  // The launcher (the container's pid) closed its copy too.
  const launcher = readdirSync(`/proc/${containerPid}/fd`).map((f) => readlinkSync(`/proc/${containerPid}/fd/${f}`));
  assert.ok(!launcher.includes(`socket:[${inode}]`));
});

test('from inside a sub-container (a pod\'s container in the same Sentry): the control socket is out of reach too, and its root is its own bundle\'s; once deleted, its descriptors are the Sentry\'s no more', async () => {
  const sub = w.newId();
  const dir = w.bundle(['ctlreach', SOCK, STATE_DIR], {
    annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': ID },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid', path: `/proc/${containerPid}/ns/pid` }, { type: 'mount' }] },
  });
  copyFileSync(compileC('ctlreach', { static: true, dir: HOSTILE_DIR }), join(dir, 'rootfs', 'bin', 'ctlreach'));
  const r = w.create(sub, dir, [], ['run']);
  const out = readFileSync(r.out, 'utf8');
  assert.equal(r.code, 0, out + r.stderr);
  assert.doesNotMatch(out, /reached/);
  assert.match(out, /^path: stat: -1 ENOENT\npath: connect: -1 ENOENT\n/);
  assert.match(out, /\nfds: none in all processes\nmounts: none\nreach: none\n$/);
  // Its root is its own bundle's: the host file beside the bundles is not there. (The pod's other processes'
  // roots are reachable through /proc/PID/root in the shared pid namespace, as under runc.)
  const look = w.newId();
  const dir2 = w.bundle(['sh', '-c', 'ls /; cat /marker-outside 2>&1; cat /../marker-outside 2>&1'], {
    annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': ID },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid', path: `/proc/${containerPid}/ns/pid` }, { type: 'mount' }] },
  });
  const r2 = w.create(look, dir2, [], ['run']);
  const out2 = readFileSync(r2.out, 'utf8');
  assert.doesNotMatch(out2, new RegExp(SECRET));
  assert.match(out2, /^bin\ndev\nproc\ntmp\ncat: can't open '\/marker-outside': No such file or directory\ncat: can't open '\/..\/marker-outside': No such file or directory\n$/);
  // Deleted, they leave nothing in the Sentry: their roots are closed once unreachable (src/fs/hostfs/roots.ts).
  await assertHealthy('two sub-containers run and deleted');
});

// --- Connections ----------------------------------------------------------------------------------

test(`a flood of connections past MAX_CONNECTIONS (${MAX_CONNECTIONS}) is answered busy; those that never send the header are closed after HEADER_MS`, async () => {
  const flood = [];
  const t0 = Date.now();
  for (let i = 0; i < MAX_CONNECTIONS + 48; i++) flood.push(await Raw.open({ header: false }));
  // The extra ones are refused at once, in words, and closed.
  assert.ok(await waitFor(() => flood.filter((c) => c.closed).length >= 48, ms(4000), 50), 'the connections past the bound were closed');
  const refused = flood.filter((c) => c.closed);
  for (const c of refused) assert.deepEqual(c.replies, [{ id: null, error: { code: 'busy', message: `more than ${MAX_CONNECTIONS} connections at once` } }]);
  // The ones held are closed unanswered once HEADER_MS has passed without a header.
  const held = flood.filter((c) => !c.closed);
  // The idle connection of the IDLE_MS test holds one of the slots.
  assert.equal(held.length, MAX_CONNECTIONS - (idle.conn.closed ? 0 : 1));
  assert.ok(await waitFor(() => held.every((c) => c.closed), ms(HEADER_MS + 10_000), 50), 'connections without a header were closed');
  for (const c of held) {
    assert.deepEqual(c.replies, []);
    assert.ok(c.closedAt - t0 >= HEADER_MS - 1000, `closed after ${c.closedAt - t0} ms, before HEADER_MS`);
  }
  await assertHealthy('flood');
});

test('the real client rides out a flood: a busy refusal is retried, not reported', async () => {
  const flood = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) flood.push(await Raw.open({ header: false }));
  await sleep(200);
  const client = new ControlClient(SOCK, ID);
  const t0 = Date.now();
  const st = client.state(HEADER_MS + 10_000);
  // Until the flood ends (here: closed by the test after 1 s), the client's connections are refused busy.
  setTimeout(() => flood.forEach((c) => c.close()), 1000);
  assert.deepEqual(await st, { status: 'running', exitStatus: null });
  assert.ok(Date.now() - t0 >= 900, 'the call waited for the flood to end');
  await assertHealthy('client retries');
});

test(`headers with 253 descriptors are refused (at most MAX_REQUEST_FDS, ${MAX_REQUEST_FDS}); every one is closed`, async () => {
  const c = await Raw.open({ fds: Array(253).fill(nul) });
  c.request(METHODS.state, { containerId: ID });
  assert.deepEqual(await c.next(), { id: null, error: { code: 'invalid', message: `a request carries at most ${MAX_REQUEST_FDS} descriptors` } });
  assert.ok(await c.untilClosed(ms(5000)));
  // Exactly the bound is a request like any other, and what it does not take is closed.
  assert.deepEqual(await call(METHODS.state, { containerId: ID }, Array(MAX_REQUEST_FDS).fill(nul)), { id: 1, result: { status: 'running', exitStatus: null } });
  // Descriptors sent later than the header (with a line) are never received: the server reads lines with read(2).
  const late = await Raw.open();
  native.sendFds(late.s._handle.fd, Buffer.from(`${JSON.stringify({ id: 2, method: METHODS.state, params: { containerId: ID } })}\n`), Array(200).fill(nul));
  assert.equal((await late.next()).result.status, 'running');
  late.close();
  await assertHealthy('253 descriptors');
});

/** The test process's own libuv epoll descriptor (Node has one), to send as an odd descriptor. */
function anEpollFd() {
  for (const f of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${f}`) === 'anon_inode:[eventpoll]') return Number(f);
    } catch {
      // Gone.
    }
  }
  throw new Error('no epoll descriptor in this process');
}

test('descriptors of odd types as an exec\'s files: a directory, an epoll, a socket to the control socket itself, the client\'s /proc/self/mem, a memfd', async () => {
  const dirFd = openSync(w.dir, constants.O_RDONLY | constants.O_DIRECTORY);
  const mem = openSync('/proc/self/mem', 'r+');
  const memfd = native.memfdCreate('hostile-oci', 4096);
  const stateDirFd = openSync(STATE_DIR, constants.O_RDONLY | constants.O_DIRECTORY);
  const selfSock = native.connectUnix(stateDirFd, 'control.sock');
  closeSync(stateDirFd);
  assert.ok(selfSock >= 0);
  try {
    for (const [kind, fd] of [['directory', dirFd], ['epoll', anEpollFd()], ['control socket', selfSock], ['/proc/self/mem', mem], ['memfd', memfd]]) {
      const out = native.memfdCreate('out', 0);
      // As descriptor 3: read it, write it, look at it; the process must end and report. The write in a
      // subshell: one to a closed socket is a SIGPIPE, as natively. An epoll is not read: the Sentry's read
      // of one waits until it has events (Linux fails it at once with EINVAL), docs/security.md.
      const read = kind === 'epoll' ? 'echo read=22' : 'head -c 4 <&3 >/dev/null 2>&1; echo read=$?';
      const script = `${read}; (echo x >&3) 2>/dev/null; echo write=$?; [ -L /proc/self/fd/3 ]; echo fd3=$?; ls -l /proc/self/fd/3 >/dev/null; echo ls=$?`;
      const r = await execRaw({ ...BASE_PROC, args: ['sh', '-c', script] }, [nul, out, out, fd]);
      assert.equal(r.result?.exitStatus, 0, `${kind}: ${JSON.stringify(r)}`);
      assert.match(memfdText(out), /^read=\d+\nwrite=\d+\nfd3=0\nls=0\n$/, kind);
      native.close(out);
    }
  } finally {
    for (const fd of [dirFd, mem, memfd, selfSock]) native.close(fd);
  }
  await assertHealthy('odd descriptors');
});

// --- Lines, JSON, methods ----------------------------------------------------------------------

test('the debugging methods\' output files: none, two, a pipe nobody reads, a directory, a read-only file: refused, never waited on; no metric filter reaches the Sentry', async () => {
  // A FIFO opened read-write is a pipe whose other end nobody reads.
  const fifo = join(w.dir, 'debug-fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const wr = openSync(fifo, 'r+');
  const dirFd = openSync(w.dir, 'r');
  const ro = openSync(join(w.dir, 'marker-outside'), 'r');
  const out = openSync(join(w.dir, 'stacks-out'), 'w');
  try {
    for (const method of [METHODS.profileCpu, METHODS.profileHeap, METHODS.debugStacks]) {
      const params = method === METHODS.profileCpu ? { containerId: ID, durationMs: 1 } : { containerId: ID };
      for (const [what, fds] of [['no file', []], ['two files', [out, out]], ['a pipe', [wr]], ['a directory', [dirFd]]]) {
        const r = await call(method, params, fds);
        assert.equal(r.error?.code, 'invalid', `${method} with ${what}: ${JSON.stringify(r)}`);
      }
      // A file opened read-only: the Sentry's write fails, in words, and it lives on.
      const r = await call(method, params, [ro]);
      assert.ok(r.error !== undefined, `${method} with a read-only file: ${JSON.stringify(r)}`);
    }
    // No filter reaches the Sentry (a regular expression could backtrack for hours on its one thread).
    assert.equal((await call(METHODS.metricsExport, { containerId: ID, onlyMetrics: '(.+)+x' })).error?.code, 'invalid');
    // Stacks to a real file: the sleeping init is there with its registers.
    assert.equal((await call(METHODS.debugStacks, { containerId: ID }, [out])).result, null);
    assert.match(readFileSync(join(w.dir, 'stacks-out'), 'utf8'), /tid 1 \| tgid 1 \| comm "sleep"[^\n]*\n +r15 0x/);
  } finally {
    for (const fd of [wr, dirFd, ro, out]) closeSync(fd);
  }
  await assertHealthy('debugging methods\' files');
});

test(`lines at and past ${MAX_MESSAGE_BYTES} bytes, deep nesting, huge numbers, unknown methods: answered invalid, the connection kept where it can be`, async () => {
  const state = JSON.stringify({ id: 1, method: METHODS.state, params: { containerId: ID } });
  const at = `${state.slice(0, -1)}${' '.repeat(MAX_MESSAGE_BYTES - state.length - 1)}}\n`;
  assert.equal(Buffer.byteLength(at), MAX_MESSAGE_BYTES);
  const c = await Raw.open();
  assert.equal((await c.send(at).next()).result.status, 'running', 'a line of exactly the bound is a request');
  const bad = async (line, code, message) => {
    const r = await c.send(`${line}\n`).next();
    assert.equal(r?.error?.code, code, `${line.slice(0, 80)}: ${JSON.stringify(r)}`);
    if (message) assert.match(r.error.message, message);
  };
  await bad(`{"id":1,"method":"${METHODS.state}","params":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 'invalid', /nest at most/);
  await bad(`{"id":1,"method":"${METHODS.state}","params":{"containerId":"${ID}","x":${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}}}`, 'invalid', /nest at most/);
  await bad(`{"id":1e400,"method":"${METHODS.state}","params":{"containerId":"${ID}"}}`, 'invalid', /id must be/);
  await bad(`{"id":9007199254740993,"method":"${METHODS.state}"}`, 'invalid', /id must be/);
  await bad(`{"id":-1,"method":"${METHODS.state}"}`, 'invalid', /id must be/);
  await bad(`{"id":1,"method":"${METHODS.signal}","params":{"containerId":"${ID}","signo":1e308}}`, 'invalid', /signo/);
  await bad(`{"id":1,"method":"${METHODS.signal}","params":{"containerId":"${ID}","signo":28,"pid":${'9'.repeat(60_000)}}}`, 'invalid', /pid/);
  await bad(`{"id":1,"method":"${METHODS.waitOom}","params":{"containerId":"${ID}","seen":1e16}}`, 'invalid', /seen/);
  for (const m of ['', 'x', 'containerManager.Exec', 'containerManager.state', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(10_000)]) {
    await bad(JSON.stringify({ id: 1, method: m, params: { containerId: ID } }), 'invalid', /unknown method/);
  }
  await bad(`{"id":1,"method":"${METHODS.state}","params":{"containerId":"${ID}","__proto__":{"polluted":1}}}`, 'invalid', /unknown field "__proto__"/);
  await bad('{"id":1,"method":42}', 'invalid');
  await bad('[]', 'invalid');
  await bad('"a string"', 'invalid');
  await bad('\u0000\u0001\u00ff', 'invalid', /not JSON/);
  assert.equal(({}).polluted, undefined);
  assert.equal(c.closed, false, 'bad requests do not end the connection');
  // Past the bound: answered, and the connection is closed.
  const past = await Raw.open();
  past.send(`${state.slice(0, -1)}${' '.repeat(MAX_MESSAGE_BYTES - state.length)}}\n`);
  assert.deepEqual(await past.next(), { id: null, error: { code: 'invalid', message: `a message longer than ${MAX_MESSAGE_BYTES} bytes` } });
  assert.ok(await past.untilClosed(ms(5000)));
  c.close();
  await assertHealthy('lines and JSON');
});

/** Each method's parameters, valid: the wrong-type table below is made from it, and it must name every method. */
function validParams() {
  return {
    [METHODS.startRoot]: {}, [METHODS.state]: {}, [METHODS.processes]: {}, [METHODS.wait]: {}, [METHODS.pause]: {},
    [METHODS.resume]: {}, [METHODS.usage]: {},
    [METHODS.update]: { memoryLimit: 1 << 30, pidsLimit: 1000, cpuQuota: -1, cpuPeriod: 100_000, cpuWeight: 100 },
    [METHODS.waitOom]: { seen: 0 },
    [METHODS.signal]: { signo: 28, all: false },
    [METHODS.execute]: { process: BASE_PROC },
    [METHODS.waitPid]: { pid: 1 },
    // Without the descriptors it names (stdio, root, volumes) it is refused whatever it says.
    [METHODS.createSubcontainer]: { container: {}, stdioCount: 0, volumes: [] },
    [METHODS.startSubcontainer]: {}, [METHODS.destroySubcontainer]: {},
    // The debugging methods: without a file to write to, those that write are refused whatever they say.
    [METHODS.metricsExport]: {}, [METHODS.loggingChange]: { level: 'info' },
    [METHODS.profileCpu]: { durationMs: 1000 }, [METHODS.profileHeap]: {}, [METHODS.debugStacks]: {},
    // Without its stream socket PortForward is refused whatever it says.
    [METHODS.portForward]: { port: 7777 },
  };
}

/** Whether v is a valid value of field (the protocol's ranges, protocol.ts). */
function validValue(field, v) {
  const int = (lo, hi) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  switch (field) {
    case 'containerId': return v === ID;
    case 'signo': return int(0, 64); // 0: kill(2)'s check (runc kill ID 0)
    case 'all': case 'foreground': return typeof v === 'boolean';
    case 'pid': case 'pidsLimit': return int(1, 4194304);
    case 'seen': return int(0, Number.MAX_SAFE_INTEGER);
    case 'memoryLimit': return int(4096, Number.MAX_SAFE_INTEGER);
    case 'cpuQuota': return int(-1, Number.MAX_SAFE_INTEGER);
    case 'cpuPeriod': return int(1, Number.MAX_SAFE_INTEGER);
    case 'cpuWeight': return int(1, 10000);
    case 'process': case 'container': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'stdioCount': return int(0, 3);
    case 'volumes': return Array.isArray(v) && v.length === 0;
    case 'level': return ['debug', 'info', 'warning', 'error'].includes(v);
    case 'durationMs': return int(1, 600_000);
    case 'port': return int(1, 65535);
    default: throw new Error(`no rule for ${field}`);
  }
}

const WRONG = [null, true, false, 0, -2, 1.5, 65, 10001, 4194305, 2 ** 53, 2 ** 64, 1e308, -1e308, '', '1', 'x', '../x', 'a'.repeat(201), [], [1], {}, { a: 1 }];

test('wrong types and values in every field of every method (from the method list) are invalid, and nothing acts', async () => {
  const valid = validParams();
  assert.deepEqual(Object.keys(valid).sort(), Object.values(METHODS).sort(), 'every method has a row');
  const c = await Raw.open();
  let n = 0;
  for (const [method, fields] of Object.entries(valid)) {
    const base = { containerId: ID, ...fields };
    for (const field of [...Object.keys(base), ...(method === METHODS.signal ? ['pid', 'foreground'] : [])]) {
      for (const v of WRONG) {
        if (validValue(field, v)) continue;
        const params = { ...base, [field]: v };
        // foreground alone is refused for wanting a pid; give it one so that its type is what is checked.
        if (field === 'foreground') params.pid = 1;
        const r = await c.request(method, params, ++n).next();
        // A well-formed id that is another container's is that error, not a malformed request.
        // (CreateSubcontainer's id is the one to make: without its descriptors, invalid.)
        const want = field === 'containerId' && typeof v === 'string' && /^[A-Za-z0-9_+.-]{1,200}$/.test(v) && method !== METHODS.createSubcontainer ? 'no-such-container' : 'invalid';
        assert.equal(r?.error?.code, want, `${method} ${field}=${JSON.stringify(v)}: ${JSON.stringify(r)}`);
        assert.equal(r.id, n);
      }
      if (['signo', 'seen', 'process'].includes(field) || (field === 'pid' && method === METHODS.waitPid)) {
        const { [field]: _, ...missing } = base;
        assert.equal((await c.request(method, missing, ++n).next()).error?.code, 'invalid', `${method} without ${field}`);
      }
    }
    const needsMore = [METHODS.waitOom, METHODS.signal, METHODS.execute, METHODS.waitPid, METHODS.createSubcontainer, METHODS.loggingChange, METHODS.profileCpu, METHODS.portForward];
    assert.equal((await c.request(method, { containerId: 'another' }, ++n).next()).error?.code, needsMore.includes(method) ? 'invalid' : 'no-such-container', method);
    assert.equal((await c.request(method, { ...base, extra: 1 }, ++n).next()).error?.code, 'invalid', `${method} with an unknown field`);
    assert.equal((await c.request(method, [], ++n).next()).error?.code, 'invalid', `${method} with params an array`);
  }
  for (const p of [{ signo: 28, all: true, pid: 1 }, { signo: 28, foreground: true }]) {
    assert.equal((await c.request(METHODS.signal, { containerId: ID, ...p }, ++n).next()).error?.code, 'invalid', JSON.stringify(p));
  }
  c.close();
  // Nothing was paused, updated or started.
  assert.deepEqual((await call(METHODS.processes, { containerId: ID })).result.map((p) => p.cmd), ['sleep']);
  const u = await call(METHODS.usage, { containerId: ID });
  assert.notEqual(u.result.pids.limit, 1000);
  await assertHealthy('wrong types');
});

// --- ExecuteAsync's process --------------------------------------------------------------------

/** A process object with every field of the schema, valid (its wrong variants are made from it). */
const FULL_PROC = {
  terminal: false, consoleSize: { height: 24, width: 80 }, user: { uid: 0, gid: 0, umask: 18, additionalGids: [1], username: 'root' },
  args: ['true'], commandLine: 'true', env: ['PATH=/bin'], cwd: '/',
  capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], inheritable: [], permitted: ['CAP_KILL'], ambient: [] },
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 100 }], noNewPrivileges: true, apparmorProfile: '', oomScoreAdj: 0,
  scheduler: { policy: 'SCHED_OTHER', nice: 0, priority: 0, flags: ['SCHED_FLAG_RESET_ON_FORK'], runtime: 0, deadline: 0, period: 0 },
  selinuxLabel: '', ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 0 },
};

/** [path, value]: every wrong type or out-of-range value of every field of the schema, walked from schema and example. */
function* malformed(schema, example, path = []) {
  const wrongType = { string: [1, true, null, [], {}], integer: ['1', 1.5, true, null, [], {}], boolean: ['true', 1, null, []], array: ['x', 1, {}, null], object: ['x', 1, [], null] };
  for (const v of wrongType[schema.type] ?? []) yield [path, v];
  if (schema.type === 'integer') {
    if (schema.minimum !== undefined) yield [path, schema.minimum - 1];
    if (schema.maximum !== undefined && schema.maximum < 2 ** 53) yield [path, schema.maximum + 1];
    yield [path, 2 ** 65];
  }
  if (schema.enum !== undefined || schema.anyOf !== undefined) yield [path, 'NOT_A_VALUE'];
  if (schema.pattern !== undefined) yield [path, 'not matching'];
  if (schema.type === 'object') {
    for (const k of schema.required ?? []) yield [[...path, k], undefined];
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      assert.ok(example[k] !== undefined, `FULL_PROC has no ${[...path, k].join('.')}: add it`);
      yield* malformed(sub, example[k], [...path, k]);
    }
  }
  if (schema.type === 'array' && schema.items !== undefined && example.length > 0) yield* malformed(schema.items, example[0], [...path, 0]);
}

function withValue(obj, path, v) {
  if (path.length === 0) return v;
  const copy = structuredClone(obj);
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k];
  if (v === undefined) delete o[path.at(-1)];
  else o[path.at(-1)] = v;
  return copy;
}

test('ExecuteAsync with a process malformed in every field (from the schema), and with bad values the schema allows: invalid, nothing started, its descriptors closed', async () => {
  validateProcess(FULL_PROC);
  const cases = [...malformed(ProcessSchema, FULL_PROC)].map(([path, v]) => [path.join('.'), withValue(FULL_PROC, path, v)]);
  assert.ok(cases.length > 150, `${cases.length} cases`);
  const semantic = {
    'args empty': { ...BASE_PROC, args: [] }, 'args[0] empty': { ...BASE_PROC, args: [''] }, 'args with a NUL': { ...BASE_PROC, args: ['true', 'a\u0000b'] },
    'cwd relative': { ...BASE_PROC, cwd: 'bin' }, 'cwd empty': { ...BASE_PROC, cwd: '' }, 'cwd with a NUL': { ...BASE_PROC, cwd: '/\u0000/etc' },
    'env without =': { ...BASE_PROC, env: ['NOEQUALS'] }, 'env without a name': { ...BASE_PROC, env: ['=x'] }, 'env with a NUL': { ...BASE_PROC, env: ['A=\u0000'] },
    'capability unknown': { ...BASE_PROC, capabilities: { bounding: ['CAP_GOD'] } }, 'capability lower case': { ...BASE_PROC, capabilities: { effective: ['kill'] } },
    'rlimit unknown': { ...BASE_PROC, rlimits: [{ type: 'RLIMIT_EVERYTHING', soft: 1, hard: 1 }] },
    'rlimit twice': { ...BASE_PROC, rlimits: [{ type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }] },
    'rlimit soft above hard': { ...BASE_PROC, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 9 }] },
    'RLIMIT_NOFILE past nr_open': { ...BASE_PROC, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 2 ** 62, hard: 2 ** 62 }] },
    'RLIMIT_NOFILE unlimited': { ...BASE_PROC, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 2 ** 64, hard: 2 ** 64 }] },
    'oomScoreAdj past 1000': { ...BASE_PROC, oomScoreAdj: 1001 },
  };
  for (const [what, proc] of [...cases, ...Object.entries(semantic)]) {
    const r = await call(METHODS.execute, { containerId: ID, process: proc }, [nul, nul, nul]);
    assert.equal(r.error?.code, 'invalid', `${what}: ${JSON.stringify(r)}`);
    assert.doesNotMatch(r.error.message, /internal/);
  }
  assert.deepEqual((await call(METHODS.processes, { containerId: ID })).result.map((p) => p.cmd), ['sleep']);
  await assertHealthy('malformed processes');
});

test('ExecuteAsync with args of 100 k entries or an env of 10 MB: past the line bound, refused; tsvisor exec says so in words', async () => {
  for (const proc of [{ ...BASE_PROC, args: ['true', ...Array(100_000).fill('a')] }, { ...BASE_PROC, env: [`BIG=${'x'.repeat(10 << 20)}`] }]) {
    const rss0 = rss();
    const c = await Raw.open({ fds: [nul, nul, nul] });
    c.request(METHODS.execute, { containerId: ID, process: proc });
    // The server answers once the line passes the bound and closes; the rest of the write then fails, and Node drops what it had not read.
    const r = await c.next();
    if (r !== null) assert.deepEqual(r, { id: null, error: { code: 'invalid', message: `a message longer than ${MAX_MESSAGE_BYTES} bytes` } });
    assert.ok(await c.untilClosed(ms(5000)));
    assert.ok(rss() - rss0 < 32 << 20, `the Sentry grew by ${(rss() - rss0) >> 20} MiB`);
  }
  const pj = join(w.dir, 'process-100k.json');
  writeFileSync(pj, JSON.stringify({ ...BASE_PROC, args: ['sh', '-c', 'echo $#', ...Array(100_000).fill('a')] }));
  let r = w.tsvisor(['exec', '--process', pj, ID]);
  assert.equal(r.code, 255, r.stderr);
  assert.match(r.stderr, new RegExp(`the request is \\d+ bytes as JSON, more than the ${MAX_MESSAGE_BYTES} the control socket carries`));
  writeFileSync(pj, JSON.stringify({ ...BASE_PROC, env: [`BIG=${'x'.repeat(10 << 20)}`] }));
  r = w.tsvisor(['exec', '--process', pj, ID]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`process-100k\\.json: is \\d+ bytes, more than the ${MAX_CONFIG_BYTES} a config may have`));
  await assertHealthy('100k args');
});

test('rlimits at the edges the schema allows run and stay bounded: unlimited everything, RLIMIT_NPROC 0, RLIMIT_CPU 0', async () => {
  const out = native.memfdCreate('out', 0);
  const unlimited = ['RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_MEMLOCK', 'RLIMIT_MSGQUEUE', 'RLIMIT_RSS', 'RLIMIT_STACK', 'RLIMIT_SIGPENDING']
    .map((type) => ({ type, soft: 2 ** 64, hard: 2 ** 64 }));
  let r = await execRaw({ ...BASE_PROC, args: ['sh', '-c', 'ulimit -s; ulimit -v; exec 7>/dev/null; echo ok'], rlimits: [...unlimited, { type: 'RLIMIT_NOFILE', soft: 1 << 20, hard: 1 << 20 }] }, [nul, out, out]);
  assert.equal(r.result?.exitStatus, 0, JSON.stringify(r));
  assert.equal(memfdText(out), 'unlimited\nunlimited\nok\n');
  native.close(out);
  const out2 = native.memfdCreate('out', 0);
  // busybox's sh ends with status 2 when it cannot fork, as natively.
  r = await execRaw({ ...BASE_PROC, args: ['sh', '-c', 'echo before; (true); echo after'], user: { uid: 1000, gid: 1000 }, rlimits: [{ type: 'RLIMIT_NPROC', soft: 0, hard: 0 }, { type: 'RLIMIT_CPU', soft: 0, hard: 0 }] }, [nul, out2, nul]);
  assert.equal(r.result?.exitStatus, 2, JSON.stringify(r));
  assert.equal(memfdText(out2), 'before\n');
  native.close(out2);
  await assertHealthy('rlimits');
});

test('a cwd through symlinks out of the root stays in it: ".." climbs to the container\'s /, a host path is not there', () => {
  let r = w.tsvisor(['exec', '--cwd', '/up', ID, 'sh', '-c', 'pwd -P; ls; cat marker-outside 2>&1; cat ../../../../marker-outside 2>&1']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^\/\nbin\n/);
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET));
  for (const cwd of ['/hostdir', `/up${w.dir}`, w.dir, `/../../..${w.dir}`]) {
    r = w.tsvisor(['exec', '--cwd', cwd, ID, 'cat', 'marker-outside']);
    assert.equal(r.code, 255, `${cwd}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /chdir to cwd \(.*\) set in config.json failed: no such file or directory/);
    assert.ok(!r.stdout.includes(SECRET));
  }
});

test('WaitPID and Signal for pids the container does not have, or that exec did not start, or that have ended: invalid', async () => {
  const done = await execRaw(BASE_PROC);
  assert.equal(done.result.exitStatus, 0);
  for (const pid of [1, done.pid, 99_999, 4_194_304]) {
    const r = await call(METHODS.waitPid, { containerId: ID, pid });
    assert.equal(r.error?.code, 'invalid', `WaitPID ${pid}: ${JSON.stringify(r)}`);
    assert.match(r.error.message, /no process with pid \d+ was started by exec/);
  }
  for (const pid of [done.pid, 99_999, 4_194_304]) {
    for (const foreground of [false, true]) {
      const r = await call(METHODS.signal, { containerId: ID, signo: 9, pid, foreground });
      assert.equal(r.error?.code, 'invalid', `Signal ${pid}: ${JSON.stringify(r)}`);
      assert.match(r.error.message, /no process with pid \d+ in the container/);
    }
  }
  await assertHealthy('absent pids');
});

test('Signal with foreground for a process without a terminal reaches the process itself', async () => {
  const r = await call(METHODS.execute, { containerId: ID, process: { ...BASE_PROC, args: ['sleep', '100'] } }, [nul, nul, nul]);
  const pid = r.result.pid;
  const waiting = call(METHODS.waitPid, { containerId: ID, pid });
  assert.deepEqual(await call(METHODS.signal, { containerId: ID, signo: 15, pid, foreground: true }), { id: 1, result: null });
  assert.deepEqual(await waiting, { id: 1, result: { exitStatus: 128 + 15 } });
  await assertHealthy('foreground without a terminal');
});

test(`many concurrent execs: 150 at once through the real client all run; ${MAX_WAITING} waiting connections park, more are refused busy, and commands still answer`, async () => {
  const client = new ControlClient(SOCK, ID);
  const rss0 = rss();
  const statuses = await Promise.all(Array.from({ length: 150 }, async () => {
    const { pid } = await client.execute({ ...BASE_PROC, args: ['sh', '-c', 'exit 3'] }, [nul, nul, nul]);
    return (await client.waitPid(pid)).exitStatus;
  }));
  assert.deepEqual([...new Set(statuses)], [3]);
  // Waiters on one sleeping process: MAX_WAITING of them park, out of the connection slots the commands use.
  const { pid } = await client.execute({ ...BASE_PROC, args: ['sleep', '1000'] }, [nul, nul, nul]);
  const waiters = [];
  for (let i = 0; i < MAX_WAITING + 8; i++) {
    waiters.push((await Raw.open()).request(METHODS.waitPid, { containerId: ID, pid }));
    // A few at a time: connections not yet parked count in MAX_CONNECTIONS.
    if (i % 8 === 7) await sleep(50);
  }
  assert.ok(await waitFor(() => waiters.filter((c) => c.replies.length > 0).length >= 8, ms(10_000), 50));
  const refused = waiters.filter((c) => c.replies.length > 0);
  assert.equal(refused.length, 8);
  for (const c of refused) assert.equal(c.replies[0].error.code, 'busy');
  assert.equal((await client.state()).status, 'running');
  assert.deepEqual(await call(METHODS.signal, { containerId: ID, signo: 9, pid }), { id: 1, result: null });
  const parked = waiters.filter((c) => !refused.includes(c));
  for (const c of parked) assert.deepEqual(await c.next(), { id: 1, result: { exitStatus: 137 } });
  for (const c of waiters) c.close();
  const grown = rss() - rss0;
  assert.ok(grown < 150 << 20, `the Sentry grew by ${grown >> 20} MiB`);
  await assertHealthy('concurrent execs');
});

test('a client that never reads its replies is not read either: the Sentry\'s memory stays bounded', async () => {
  const c = await Raw.open();
  c.s.pause();
  const chunk = Buffer.from(`{"id":1,"method":"${'m'.repeat(60)}"}\n`.repeat(10_000));
  const rss0 = rss();
  let sent = 0;
  let stalled = false;
  // Each bad request is answered with more bytes than it has; the server stops reading once replies pile up.
  while (sent < 200 << 20) {
    if (!c.s.write(chunk)) {
      const drained = await new Promise((r) => {
        c.s.once('drain', () => r(true));
        setTimeout(() => r(false), 2000);
      });
      if (!drained) {
        stalled = true;
        break;
      }
    }
    sent += chunk.length;
  }
  assert.ok(stalled, `the server read all ${sent >> 20} MiB without its replies being read`);
  const grown = rss() - rss0;
  assert.ok(grown < 64 << 20, `the Sentry grew by ${grown >> 20} MiB for ${sent >> 20} MiB of requests`);
  c.close();
  await assertHealthy('replies never read');
});

test(`a connection that sends its header and then nothing is closed after IDLE_MS (${IDLE_MS} ms), and its descriptors with it`, async () => {
  assert.ok(await idle.conn.untilClosed(ms(IDLE_MS + 20_000) - (Date.now() - idle.at)), 'the idle connection was closed');
  assert.ok(idle.conn.closedAt - idle.at >= IDLE_MS - 1000, `closed after ${idle.conn.closedAt - idle.at} ms`);
  assert.deepEqual(idle.conn.replies, []);
  await assertHealthy('idle');
});

// --- Bundles and the command line ----------------------------------------------------------------

/** Host files outside any bundle that a create must never change. */
function hostSnapshot() {
  const files = ['/etc/passwd', '/etc/hostname', join(w.dir, 'marker-outside')];
  return files.map((f) => `${f} ${statSync(f).mtimeMs} ${readFileSync(f, 'latin1').length}`).join('\n');
}

/**
 * A create (cmd) of a bundle of args, changed by edit (the config object,
 * changed in place or replaced by the text returned; the bundle's
 * directory is its second argument): it must fail with a message matching
 * want and leave nothing behind.
 */
function refused(what, { edit = () => {}, args = ['true'], more = [], cmd = ['create'], id = w.newId(), want, timeout = 30_000 }) {
  const dir = w.bundle(args);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const text = edit(cfg, dir);
  if (text !== false) writeFileSync(join(dir, 'config.json'), text ?? JSON.stringify(cfg));
  const before = hostSnapshot();
  const roots = existsSync(w.stateRoot) ? readdirSync(w.stateRoot).sort() : [];
  const t0 = Date.now();
  const r = w.create(id, dir, more, cmd, { timeout: ms(timeout) });
  assert.notEqual(r.code, 0, `${what}: created`);
  assert.notEqual(r.code, 125, `${what}: an internal error: ${r.stderr}`);
  assert.match(r.stderr, want, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: ${r.stderr}`);
  assert.deepEqual(existsSync(w.stateRoot) ? readdirSync(w.stateRoot).sort() : [], roots, `${what}: a state directory was left`);
  if (id !== '') assert.deepEqual(pidsWithArg(id), [], `${what}: a process was left`);
  assert.equal(hostSnapshot(), before, `${what}: a host file changed`);
  return { ...r, ms: Date.now() - t0 };
}

test('config.json of 100 MB, a FIFO, /dev/zero: refused before anything is started', () => {
  const huge = refused('100 MB', {
    edit: (c) => `${JSON.stringify(c).slice(0, -1)},"annotations":{"pad":"${'x'.repeat(100 << 20)}"}}`,
    want: new RegExp(`config\\.json: is 1048\\d{5} bytes, more than the ${MAX_CONFIG_BYTES} a config may have`),
  });
  assert.ok(huge.ms < ms(10_000), `${huge.ms} ms`);
  refused('a FIFO', { edit: (c, dir) => { rmSync(join(dir, 'config.json')); spawnSync('mkfifo', [join(dir, 'config.json')]); return false; }, want: /config\.json: is not a regular file/ });
  refused('/dev/zero', { edit: (c, dir) => { rmSync(join(dir, 'config.json')); symlinkSync('/dev/zero', join(dir, 'config.json')); return false; }, want: /config\.json: is not a regular file/ });
});

test('config.json nested deeply, or with invalid UTF-8: refused in words', () => {
  refused('arrays', { edit: (c) => `${JSON.stringify(c).slice(0, -1)},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, want: new RegExp(`nests arrays and objects more than ${MAX_JSON_DEPTH} deep`) });
  refused('objects', { edit: (c) => `${JSON.stringify(c).slice(0, -1)},"x":${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}`, want: /nests arrays and objects more than/ });
  refused('invalid UTF-8', {
    edit: (c) => Buffer.concat([Buffer.from(`${JSON.stringify(c).slice(0, -1)},"hostname":"`), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}')]),
    want: /config\.json: is not valid UTF-8/,
  });
});

test('NUL bytes in every string that becomes a path, an argument or a name: refused, naming the field', () => {
  const nulIn = {
    'root.path': (c) => { c.root.path = 'root\u0000fs'; },
    'process.args[0]': (c) => { c.process.args = ['tr\u0000ue']; },
    'process.cwd': (c) => { c.process.cwd = '/\u0000'; },
    'process.env[0]': (c) => { c.process.env = ['A=\u0000']; },
    hostname: (c) => { c.hostname = 'a\u0000b'; },
    'mounts[0].destination': (c) => { c.mounts = [{ destination: '/m\u0000', type: 'tmpfs', source: 'tmpfs' }]; },
    'hooks.prestart[0].path': (c) => { c.hooks = { prestart: [{ path: '/bin/tr\u0000ue' }] }; },
    'hooks.prestart[0].args[0]': (c) => { c.hooks = { prestart: [{ path: '/bin/true', args: ['a\u0000'] }] }; },
    'hooks.poststop[0].env[0]': (c) => { c.hooks = { poststop: [{ path: '/bin/true', env: ['A=\u0000'] }] }; },
    'linux.maskedPaths[0]': (c) => { c.linux.maskedPaths = ['/a\u0000']; },
    'linux.cgroupsPath': (c) => { c.linux.cgroupsPath = '/a\u0000b'; },
    'linux.namespaces[1].path': (c) => { c.linux.namespaces[1].path = '/proc/1/ns/net\u0000'; },
  };
  for (const [field, edit] of Object.entries(nulIn)) {
    refused(field, { edit, want: new RegExp(`config\\.json: ${field.replace(/[.[\]]/g, '\\$&')}: contains a NUL byte`) });
  }
});

test('mount destinations laden with ".." or through a symlink to the host\'s /etc land inside the container', () => {
  const mark = `tsv-hostile-oci-${process.pid}`;
  // runc follows the symlink inside the root (securejoin) and mounts on the container's /etc; the Sentry mounts over the link itself.
  const dir = w.bundle(['sh', '-c', `echo inside > /hostetc/hostname && cat /hostetc/hostname && ls -d /tmp/${mark}`], {
    mounts: [
      { destination: `/../../../../../../tmp/${mark}`, type: 'tmpfs', source: 'tmpfs' },
      { destination: '/hostetc', type: 'tmpfs', source: 'tmpfs' },
    ],
  });
  symlinkSync('/etc', join(dir, 'rootfs', 'hostetc'));
  const before = hostSnapshot();
  const r = w.create(w.newId(), dir, [], ['run']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(r.out, 'utf8'), `inside\n/tmp/${mark}\n`);
  assert.equal(hostSnapshot(), before);
  assert.equal(existsSync(`/tmp/${mark}`), false);
});

test('a rootfs that is a symlink is refused, as runc refuses it', () => {
  refused('rootfs -> /', { edit: (c, dir) => { rmSync(join(dir, 'rootfs'), { recursive: true }); symlinkSync('/', join(dir, 'rootfs')); }, want: /root\.path: .*rootfs is not an absolute path, or a symlink \(it leads to \/;/ });
  refused('rootfs -> its real directory', {
    edit: (c, dir) => { spawnSync('mv', [join(dir, 'rootfs'), join(dir, 'real')]); symlinkSync('real', join(dir, 'rootfs')); },
    want: /root\.path: .*is not an absolute path, or a symlink/,
  });
});

test('bind mount sources that are a FIFO or a device are refused', () => {
  const fifo = join(w.dir, 'a-fifo');
  spawnSync('mkfifo', [fifo]);
  for (const source of [fifo, '/dev/null', '/dev/zero']) {
    refused(source, { edit: (c) => { c.mounts = [{ destination: '/x', type: 'bind', source, options: ['bind'] }]; }, want: /mounts\[0\] \(\/x\): the source .* is neither a directory nor a file/ });
  }
});

test('hooks whose path does not exist fail the create (or the start of run) in runc\'s words, and nothing is left', () => {
  for (const kind of ['prestart', 'createRuntime', 'createContainer']) {
    refused(kind, { edit: (c) => { c.hooks = { [kind]: [{ path: '/nonexistent/hook' }] }; }, want: new RegExp(`error running ${kind} hook #0 \\(/nonexistent/hook\\): fork/exec /nonexistent/hook: no such file or directory`) });
  }
  refused('startContainer', { cmd: ['run'], edit: (c) => { c.hooks = { startContainer: [{ path: '/nonexistent/hook' }] }; }, want: /error running startContainer hook #0/ });
});

test('container ids of 1024 characters, with "..", with a slash, empty: refused, no directory made anywhere', () => {
  for (const id of ['a'.repeat(1024), '..', '.', '../escaped', 'a/b', '/abs', '']) {
    const seen = new Set(readdirSync(w.dir));
    refused(JSON.stringify(id.slice(0, 20)), { id, want: /invalid container ID format|container id cannot be empty/ });
    assert.deepEqual(readdirSync(w.dir).filter((f) => !seen.has(f) && !/^(bundle|out|err)-/.test(f)), [], JSON.stringify(id));
  }
  assert.equal(existsSync(join(w.dir, 'escaped')), false);
});

test('--pid-file in a directory that does not exist: a clear error after create, the container removed', () => {
  refused('pid-file', { more: ['--pid-file', join(w.dir, 'no-such-dir', 'pid')], want: /cannot write .*no-such-dir\/pid: ENOENT/ });
});

/** A console socket's other end (test/lib/console.py's cousin): mode accept-close, or never (listens, never accepts, backlog filled). */
async function hostilePeer(mode) {
  const path = join(w.dir, `peer-${mode}-${process.hrtime.bigint()}.sock`);
  const py = `
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
if sys.argv[2] == 'never':
    s.listen(0)
    fill = []
    for i in range(4):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(sys.argv[1])
        except OSError:
            pass
        fill.append(c)
    print('ready', flush=True)
    time.sleep(3600)
else:
    s.listen(16)
    print('ready', flush=True)
    kept = []
    while True:
        c, _ = s.accept()
        if sys.argv[2] == 'roomy':
            kept.append(c)
        else:
            c.close()
`;
  const p = spawn('python3', ['-c', py, path, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => p.stdout.once('data', resolve));
  return { path, stop: () => p.kill('SIGKILL') };
}

test('--console-socket at a regular file, a directory, a peer that accepts and closes at once, a peer that never accepts: each a clear error', async () => {
  const tty = { process: { terminal: true } };
  const regular = join(w.dir, 'not-a-socket');
  writeFileSync(regular, '');
  for (const path of [regular, w.dir]) {
    refused(path, { edit: (c) => { Object.assign(c.process, tty.process); }, more: ['--console-socket', path], want: /--console-socket .*: cannot connect: nothing listens on it/ });
  }
  const closing = await hostilePeer('close');
  try {
    refused('accept and close', {
      edit: (c) => { Object.assign(c.process, tty.process); }, more: ['--console-socket', closing.path],
      want: /--console-socket .*: cannot send the console: the other end closed the connection first|the console's other end \(the pty master sent to --console-socket\) was closed before the container was created/,
    });
  } finally {
    closing.stop();
  }
  const never = await hostilePeer('never');
  try {
    const r = refused('never accepts', {
      edit: (c) => { Object.assign(c.process, tty.process); }, more: ['--console-socket', never.path],
      want: /--console-socket .*: cannot connect: nobody accepted the connection within \d+ ms \(its backlog is full\)/,
    });
    assert.ok(r.ms < ms(25_000), `${r.ms} ms`);
  } finally {
    never.stop();
  }
});

test('a console socket that accepts and never reads is not waited for (containerd takes the console after create returns): created, and deleted cleanly', async () => {
  const roomy = await hostilePeer('roomy');
  try {
    const id = w.newId();
    const r = w.create(id, w.bundle(['sleep', '100'], { process: { terminal: true } }), ['--console-socket', roomy.path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(w.state(id).status, 'created');
    assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
    assert.deepEqual(pidsWithArg(id), []);
  } finally {
    roomy.stop();
  }
});

test('a state directory tampered with between commands (garbage, a symlink to /etc/passwd, 3 GB, a FIFO, a directory, the directory a symlink): clear errors, delete --force cleans up', async () => {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const canary = join(w.dir, 'canary');
  mkdirSync(canary, { recursive: true });
  writeFileSync(join(canary, 'keep'), 'keep');
  const tampers = {
    garbage: (f) => writeFileSync(f, 'garbage\u0000\u00ff{'),
    'a symlink to /etc/passwd': (f) => { rmSync(f); symlinkSync('/etc/passwd', f); },
    '3 GB': (f) => truncateSync(f, 3 * 2 ** 30),
    'a FIFO': (f) => { rmSync(f); spawnSync('mkfifo', [f]); },
    'a directory': (f) => { rmSync(f); mkdirSync(f); },
    'the directory a symlink to another': (f, dir) => { rmSync(dir, { recursive: true }); symlinkSync(canary, dir); },
  };
  for (const [what, tamper] of Object.entries(tampers)) {
    const id = w.newId();
    const r = w.create(id, w.bundle(['sleep', '1000']), [], ['run', '-d']);
    assert.equal(r.code, 0, r.stderr);
    const dir = join(w.stateRoot, id);
    tamper(join(dir, 'state.json'), dir);
    for (const cmd of [['state', id], ['kill', id, 'KILL'], ['delete', id]]) {
      const t0 = Date.now();
      const c = w.tsvisor(cmd);
      assert.equal(c.code, 1, `${what}: ${cmd[0]}: ${c.stdout}${c.stderr}`);
      assert.match(c.stderr, /is damaged \(.*\): delete it with tsvisor delete --force|container does not exist/, `${what}: ${cmd[0]}`);
      assert.doesNotMatch(c.stderr, /root:|internal error/, `${what}: ${cmd[0]}`);
      assert.ok(Date.now() - t0 < ms(10_000), `${what}: ${cmd[0]} took ${Date.now() - t0} ms`);
    }
    const d = w.tsvisor(['delete', '--force', id]);
    assert.equal(d.code, 0, `${what}: delete --force: ${d.stderr}`);
    assert.equal(existsSync(dir), false, `${what}: the state directory is left`);
    assert.ok(await waitFor(() => pidsWithArg(id).length === 0, ms(10_000), 50), `${what}: the sandbox is left`);
  }
  assert.equal(readFileSync('/etc/passwd', 'utf8'), passwd);
  assert.equal(readFileSync(join(canary, 'keep'), 'utf8'), 'keep');
});
