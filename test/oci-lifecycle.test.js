// The OCI runtime's lifecycle, as runc's callers drive it: create (the
// sandbox starts, the init is loaded and waits), start, state, kill,
// delete, run, list, with a bundle whose rootfs is a small busybox tree.
// Real processes and real sockets: the sandbox is the launcher and the
// sealed Sentry, and the control socket is spoken to directly too.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, SELFCHECK, TSVISOR_BIN, ms, sleep, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { alive, childOf, makeBundle } from './lib/oci.js';

/** The self-check's fake tsvisor knows only do. */
function test(name, fn) {
  return nodeTest(name, SELFCHECK ? { skip: 'the self-check\'s fake tsvisor has no OCI commands' } : {}, fn);
}

let work;
let stateRoot;
let n = 0;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'tsv-oci-'));
  chmodSync(work, 0o755);
  stateRoot = join(work, 'state');
});

after(() => {
  // Whatever a failed test left running goes with its state.
  if (stateRoot && existsSync(stateRoot)) {
    for (const id of readdirSync(stateRoot)) tsvisor(['delete', '--force', id]);
  }
  rmSync(work, { recursive: true, force: true });
});

/** A bundle in the work directory: a busybox rootfs and a config.json running args (lib/oci.js). */
function bundle(args, extra = {}) {
  return makeBundle(join(work, `bundle-${++n}`), args, extra);
}

const newId = () => `c${process.pid}-${++n}`;

/** tsvisor GLOBAL... ARGS, waited for; opts.stdio as spawnSync takes it (default: all piped). */
function tsvisor(args, opts = {}) {
  const r = spawnSync(process.execPath, [TSVISOR_BIN, '--root', stateRoot, ...args], {
    env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000), killSignal: 'SIGKILL', cwd: work, ...opts,
  });
  assert.ok(r.error === undefined || r.error === null, `tsvisor ${args.join(' ')}: ${r.error?.message}`);
  return { code: r.status ?? 128 + (r.signal === 'SIGKILL' ? 9 : 0), stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
}

/** create ID from bundle with stdout and stderr to files (the sandbox keeps them: never a pipe we wait on). */
function create(id, dir, more = []) {
  const out = join(work, `create-${++n}.out`);
  const err = join(work, `create-${n}.err`);
  const o = openSync(out, 'w');
  const e = openSync(err, 'w');
  try {
    const r = tsvisor(['create', '-b', dir, ...more, id], { stdio: ['ignore', o, e] });
    return { ...r, out, err, stderr: readFileSync(err, 'utf8') };
  } finally {
    closeSync(o);
    closeSync(e);
  }
}

function state(id) {
  const r = tsvisor(['state', id]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function untilStatus(id, status) {
  return waitFor(() => state(id).status === status, ms(20_000), 100);
}

test('create leaves the init loaded and waiting; start runs it; pid 1 ignores TERM, KILL stops it; delete removes the state', async () => {
  const id = newId();
  const pidFile = join(work, `${id}.pid`);
  const c = create(id, bundle(['sh', '-c', 'echo started; exec sleep 100']), ['--pid-file', pidFile]);
  assert.equal(c.code, 0, c.stderr);
  const s = state(id);
  assert.equal(s.status, 'created');
  assert.equal(s.id, id);
  assert.equal(s.ociVersion, '1.2.0');
  assert.ok(s.bundle.startsWith(work));
  assert.ok(s.pid > 0 && alive(s.pid), `the sandbox ${s.pid} is not alive`);
  // --pid-file names the sandbox: the launcher's process, with no newline, as runc writes it.
  assert.equal(readFileSync(pidFile, 'utf8'), String(s.pid));
  assert.match(readFileSync(`/proc/${s.pid}/cmdline`, 'latin1'), /tsvisor-launch/);
  // Its child is the Sentry, sealed as do's is: seccomp, no-new-privs, an empty root.
  const sentry = childOf(s.pid);
  const status = readFileSync(`/proc/${sentry}/status`, 'utf8');
  assert.match(status, /^Seccomp:\s+2$/m);
  assert.match(status, /^NoNewPrivs:\s+1$/m);
  assert.deepEqual(readdirSync(`/proc/${sentry}/root`), []);
  // The state directory is the owner's alone, the control socket too.
  const dir = join(stateRoot, id);
  assert.equal(spawnSync('stat', ['-c', '%a', dir], { encoding: 'utf8' }).stdout.trim(), '700');
  assert.equal(spawnSync('stat', ['-c', '%a %F', join(dir, 'control.sock')], { encoding: 'utf8' }).stdout.trim(), '600 socket');
  await sleep(300);
  assert.equal(readFileSync(c.out, 'utf8'), '', 'the init ran before start');

  const st = tsvisor(['start', id]);
  assert.equal(st.code, 0, st.stderr);
  assert.ok(await waitFor(() => readFileSync(c.out, 'utf8') === 'started\n', ms(20_000)), `output: ${readFileSync(c.out, 'utf8')}`);
  assert.equal(state(id).status, 'running');
  const ps = tsvisor(['ps', id]);
  assert.equal(ps.code, 0, ps.stderr);
  // ps -ef's columns, as runc prints them (test/oci-runc.test.js compares them with runc's).
  assert.match(ps.stdout, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\nroot\s+1\s+0\s+0\s+\S+\s+\?\s+00:00:00 sleep 100\n$/);
  assert.deepEqual(JSON.parse(tsvisor(['ps', '--format', 'json', id]).stdout), [1]);
  const again = tsvisor(['start', id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /cannot start an already running container/);

  // The init is pid 1 of its pid namespace without a handler for TERM: it ignores it, as runc's does (SIGNAL_UNKILLABLE).
  const k = tsvisor(['kill', id, 'TERM']);
  assert.equal(k.code, 0, k.stderr);
  await sleep(500);
  assert.equal(state(id).status, 'running', 'pid 1 without a TERM handler died of TERM');
  assert.equal(tsvisor(['kill', id, 'KILL']).code, 0);
  assert.ok(await untilStatus(id, 'stopped'), 'not stopped after SIGKILL');
  const stopped = state(id);
  assert.equal(stopped.pid, 0);
  assert.ok(await waitFor(() => !alive(s.pid), ms(10_000)), 'the sandbox outlived its init');
  assert.match(tsvisor(['start', id]).stderr, /cannot start a container that has stopped/);
  const k2 = tsvisor(['kill', id, 'KILL']);
  assert.equal(k2.code, 1);
  assert.match(k2.stderr, /container not running/);

  const d = tsvisor(['delete', id]);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(!existsSync(dir), 'delete left the state directory');
  assert.match(tsvisor(['state', id]).stderr, /container does not exist/);
});

test('an init that exits on its own leaves the container stopped', async () => {
  const id = newId();
  const c = create(id, bundle(['sh', '-c', 'echo bye']));
  assert.equal(c.code, 0, c.stderr);
  assert.equal(tsvisor(['start', id]).code, 0);
  assert.ok(await untilStatus(id, 'stopped'));
  assert.equal(readFileSync(c.out, 'utf8'), 'bye\n');
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('run waits and exits with the init\'s status: 3 for exit 3, 137 for SIGKILL (not of pid 1 by itself); and deletes the container', () => {
  const id = newId();
  const r = tsvisor(['run', '-b', bundle(['sh', '-c', 'echo out; echo err >&2; exit 3']), id]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.ok(!existsSync(join(stateRoot, id)), 'run left its container');
  // In a pid namespace of its own the init is pid 1, which its own SIGKILL does not end (Linux's, runc's); in the
  // host's (no "pid" entry) it is an ordinary process.
  const own = tsvisor(['run', '-b', bundle(['sh', '-c', 'kill -9 $$; echo survived']), newId()]);
  assert.equal(own.code, 0, own.stderr);
  assert.equal(own.stdout, 'survived\n');
  const namespaces = ['network', 'ipc', 'uts', 'mount'].map((type) => ({ type }));
  const killed = tsvisor(['run', '-b', bundle(['sh', '-c', 'kill -9 $$'], { linux: { namespaces } }), newId()]);
  assert.equal(killed.code, 137, killed.stderr);
});

test('the spec\'s hostname is the UTS name; env, cwd and the user are the spec\'s', () => {
  const dir = bundle(['sh', '-c', 'hostname; echo "$FOO"; pwd; id -u; id -g'], {
    hostname: 'oci-box', process: { env: ['PATH=/bin', 'FOO=bar baz'], cwd: '/bin', user: { uid: 1000, gid: 1001 } },
  });
  const r = tsvisor(['run', '-b', dir, newId()]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'oci-box\nbar baz\n/bin\n1000\n1001\n');
});

test('run --detach returns with the container running; delete --force kills it', async () => {
  const id = newId();
  const out = openSync(join(work, `${id}.out`), 'w');
  const r = tsvisor(['run', '-d', '-b', bundle(['sleep', '100']), id], { stdio: ['ignore', out, out] });
  closeSync(out);
  assert.equal(r.code, 0);
  const s = state(id);
  assert.equal(s.status, 'running');
  const plain = tsvisor(['delete', id]);
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, new RegExp(`cannot delete container ${id} that is not stopped: running`));
  const d = tsvisor(['delete', '--force', id]);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(!existsSync(join(stateRoot, id)));
  assert.ok(await waitFor(() => !alive(s.pid), ms(10_000)), 'the sandbox survived delete --force');
});

test('SIGTERM sent to the sandbox process (the container\'s pid) reaches the init', async () => {
  const id = newId();
  const c = create(id, bundle(['sh', '-c', 'trap "echo got-term; exit 0" TERM; echo ready; sleep 100 & wait']));
  assert.equal(c.code, 0, c.stderr);
  assert.equal(tsvisor(['start', id]).code, 0);
  assert.ok(await waitFor(() => readFileSync(c.out, 'utf8') === 'ready\n', ms(20_000)));
  process.kill(state(id).pid, 'SIGTERM');
  assert.ok(await untilStatus(id, 'stopped'));
  assert.equal(readFileSync(c.out, 'utf8'), 'ready\ngot-term\n');
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('SIGKILL of the sandbox process: state says stopped, and delete works', async () => {
  const id = newId();
  assert.equal(create(id, bundle(['sleep', '100'])).code, 0);
  assert.equal(tsvisor(['start', id]).code, 0);
  const { pid } = state(id);
  process.kill(pid, 'SIGKILL');
  assert.ok(await waitFor(() => !alive(pid), ms(10_000)));
  assert.equal(state(id).status, 'stopped');
  const d = tsvisor(['delete', id]);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(!existsSync(join(stateRoot, id)));
});

test('a recorded sandbox whose pid now names another process (its start time differs) is stopped', () => {
  const id = newId();
  assert.equal(create(id, bundle(['true'])).code, 0);
  const file = join(stateRoot, id, 'state.json');
  const saved = readFileSync(file, 'utf8');
  const rec = JSON.parse(saved);
  writeFileSync(file, JSON.stringify({ ...rec, sandbox: { ...rec.sandbox, startTime: '1' } }));
  assert.equal(state(id).status, 'stopped');
  assert.equal(state(id).pid, 0);
  writeFileSync(file, saved);
  assert.equal(state(id).status, 'created');
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('delete of a created container kills its sandbox', async () => {
  const id = newId();
  assert.equal(create(id, bundle(['sleep', '100'])).code, 0);
  const { pid } = state(id);
  const d = tsvisor(['delete', id]);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(await waitFor(() => !alive(pid), ms(10_000)));
});

test('kill of a created container with a deadly signal stops it without running the init', async () => {
  const id = newId();
  const c = create(id, bundle(['sh', '-c', 'echo ran']));
  assert.equal(c.code, 0);
  assert.equal(tsvisor(['kill', id, '9']).code, 0);
  assert.ok(await untilStatus(id, 'stopped'));
  assert.equal(readFileSync(c.out, 'utf8'), '');
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('kill --all reaches every process; unknown signals are refused', async () => {
  const id = newId();
  // The init ignores TERM (after it has started its child, which would
  // inherit the ignored signal for good); the child does not: --all must reach it.
  const c = create(id, bundle(['sh', '-c', 'sh -c "trap \'echo child-term; exit 0\' TERM; sleep 100 & wait" & trap "" TERM; wait; echo init-done']));
  assert.equal(c.code, 0);
  assert.equal(tsvisor(['start', id]).code, 0);
  await sleep(500);
  assert.match(tsvisor(['kill', id, 'BOGUS']).stderr, /unknown signal "BOGUS"/);
  assert.equal(tsvisor(['kill', '--all', id, 'SIGTERM']).code, 0);
  assert.ok(await untilStatus(id, 'stopped'), readFileSync(c.out, 'utf8'));
  assert.match(readFileSync(c.out, 'utf8'), /child-term\ninit-done\n/);
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('list shows the containers: a table, --format json and -q', () => {
  const a = newId();
  const b = newId();
  assert.equal(create(a, bundle(['true'])).code, 0);
  assert.equal(create(b, bundle(['true'])).code, 0);
  const t = tsvisor(['list']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\n/);
  assert.match(t.stdout, new RegExp(`^${a}\\s+\\d+\\s+created\\s`, 'm'));
  const j = JSON.parse(tsvisor(['list', '--format', 'json']).stdout);
  assert.deepEqual(j.filter((s) => s.id === a || s.id === b).map((s) => s.status), ['created', 'created']);
  assert.ok(tsvisor(['list', '-q']).stdout.split('\n').includes(b));
  for (const id of [a, b]) assert.equal(tsvisor(['delete', id]).code, 0);
});

test('bad input: no such container, a duplicate id, an id with a slash, a missing executable', async () => {
  for (const cmd of [['state', 'nope'], ['start', 'nope'], ['kill', 'nope'], ['delete', 'nope']]) {
    const r = tsvisor(cmd);
    assert.equal(r.code, 1, cmd.join(' '));
    assert.match(r.stderr, /container does not exist/);
  }
  assert.equal(tsvisor(['delete', '--force', 'nope']).code, 0);
  const id = newId();
  const dir = bundle(['true']);
  assert.equal(create(id, dir).code, 0);
  const dup = create(id, dir);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, new RegExp(`container with id exists: ${id}`));
  assert.equal(tsvisor(['delete', id]).code, 0);
  for (const bad of ['a/b', '..', '.', 'x y']) {
    const r = create(bad, dir);
    assert.equal(r.code, 1, bad);
    assert.match(r.stderr, /invalid container ID format/);
  }
  for (const [args, msg] of [[['nothere'], /exec: "nothere": executable file not found in \$PATH/],
    [['/bin/nothere'], /exec: "\/bin\/nothere": stat \/bin\/nothere: no such file or directory/]]) {
    const mid = newId();
    const r = create(mid, bundle(args));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, msg);
    assert.ok(!existsSync(join(stateRoot, mid)), 'a failed create left its state directory');
    const left = spawnSync('pgrep', ['-f', `boot --sync-fd 3 ${mid}$`], { encoding: 'utf8' });
    assert.equal(left.stdout, '', 'a failed create left a sandbox process');
  }
  const noBundle = create(newId(), join(work, 'no-such-bundle'));
  assert.equal(noBundle.code, 1);
  assert.match(noBundle.stderr, /no-such-bundle: bundle directory does not exist/);
  const badField = bundle(['true'], { process: { cwd: 'relative' } });
  const bf = create(newId(), badField);
  assert.equal(bf.code, 1);
  assert.match(bf.stderr, /process\.cwd/);
});

test('nothing of the caller\'s but stdio stays open in the sandbox; --preserve-fds N passes 3..3+N-1', async () => {
  // A pipe create gets as fd 3 and does not preserve: once create has
  // returned, its write end must be closed everywhere (conmon waits for it).
  const id = newId();
  const child = spawn(process.execPath, [TSVISOR_BIN, '--root', stateRoot, 'create', '-b', bundle(['sleep', '100']), id],
    { env: tsvisorHostEnv(), stdio: ['ignore', 'ignore', 'pipe', 'pipe'], cwd: work });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const eof = new Promise((resolve) => child.stdio[3].on('close', resolve));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr);
  const closed = await Promise.race([eof.then(() => true), sleep(ms(10_000)).then(() => false)]);
  assert.ok(closed, 'the sandbox kept a descriptor create was given');
  const { pid } = state(id);
  // The sandbox process's own descriptors: stdio and the launcher's own (signalfd, the ready pipe).
  const fds = readdirSync(`/proc/${pid}/fd`).map(Number).filter((fd) => fd > 2);
  for (const fd of fds) assert.doesNotMatch(readlinkSync(`/proc/${pid}/fd/${fd}`), /socket|^\/(?!proc)/, `fd ${fd}`);
  assert.equal(tsvisor(['delete', id]).code, 0);

  // --preserve-fds 1: the caller's fd 3 is the container's fd 3.
  const pid2 = newId();
  const r = spawnSync(process.execPath, [TSVISOR_BIN, '--root', stateRoot, 'run', '--preserve-fds', '1', '-b',
    bundle(['sh', '-c', 'echo via3 >&3; echo x >&4 || echo no4']), pid2], {
    env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe', 'pipe'], encoding: 'utf8', timeout: ms(60_000), cwd: work,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.output[3], 'via3\n');
  assert.match(r.stdout, /no4/);
});

test('the control socket answers the protocol and refuses malformed requests', async () => {
  const id = newId();
  assert.equal(create(id, bundle(['sh', '-c', 'exit 7'])).code, 0);
  const sock = join(stateRoot, id, 'control.sock');
  /** Sends lines, collects reply lines until the server closes or `want` arrive. */
  const talk = (payload, want) => new Promise((resolve, reject) => {
    const c = createConnection(sock);
    let buf = '';
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`no reply to ${payload.slice(0, 80)}`)); }, ms(20_000));
    c.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n').filter(Boolean);
      if (lines.length >= want) { clearTimeout(timer); c.destroy(); resolve(lines.map((l) => JSON.parse(l))); }
    });
    c.on('close', () => { clearTimeout(timer); resolve(buf.split('\n').filter(Boolean).map((l) => JSON.parse(l))); });
    c.on('error', reject);
    // Every connection opens with the header byte '*' (protocol.ts), which may carry descriptors.
    c.write(`*${payload}`);
  });
  const call = async (method, params) => (await talk(`${JSON.stringify({ id: 5, method, params })}\n`, 1))[0];
  assert.deepEqual(await call('containerManager.State', { containerId: id }), { id: 5, result: { status: 'created', exitStatus: null } });
  assert.equal((await talk('not json\n', 1))[0].error.code, 'invalid');
  assert.equal((await call('containerManager.Exec', { containerId: id })).error.code, 'invalid');
  assert.equal((await call('containerManager.State', { containerId: 'other' })).error.code, 'no-such-container');
  assert.equal((await call('containerManager.State', { containerId: id, extra: 1 })).error.code, 'invalid');
  assert.equal((await call('containerManager.Signal', { containerId: id, signo: 99 })).error.code, 'invalid');
  // A line past 64 KiB ends the connection with an error.
  const long = await talk(`{"id":1,"method":"${'x'.repeat(70_000)}`, 1);
  assert.equal(long[0].error.code, 'invalid');
  // No header (or another byte first): the connection is closed unanswered.
  await new Promise((resolve, reject) => {
    const c = createConnection(sock);
    c.on('data', () => reject(new Error('a connection without the header got a reply')));
    c.on('close', resolve);
    c.on('error', resolve);
    c.write(`${JSON.stringify({ id: 1, method: 'containerManager.State', params: { containerId: id } })}\n`);
  });
  const ps = await call('containerManager.Processes', { containerId: id });
  assert.deepEqual(ps.result.map((p) => [p.pid, p.ppid, p.uid, p.cmd]), [[1, 0, 0, 'sh']]);
  // Wait, then StartRoot: the waiter hears the init's exit status.
  const waiting = call('containerManager.Wait', { containerId: id });
  await sleep(200);
  assert.deepEqual(await call('containerManager.StartRoot', { containerId: id }), { id: 5, result: null });
  assert.deepEqual(await waiting, { id: 5, result: { exitStatus: 7 } });
  assert.ok(await untilStatus(id, 'stopped'));
  assert.equal(tsvisor(['delete', id]).code, 0);
});

test('global flags: --log-format json writes error lines, --version, bad values refused, --root before do refused', () => {
  const log = join(work, 'log.json');
  const r = tsvisor(['--log', log, '--log-format', 'json', 'state', 'nope']);
  assert.equal(r.code, 1);
  const line = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop());
  assert.equal(line.level, 'error');
  assert.equal(line.msg, 'container does not exist');
  assert.ok(!Number.isNaN(Date.parse(line.time)));
  const v = tsvisor(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^tsvisor version \d+\.\d+\.\d+\nspec: 1\.\d+\.\d+\n/);
  assert.match(tsvisor(['--log-format', 'xml', 'list']).stderr, /--log-format xml: expected text or json/);
  assert.match(tsvisor(['--rootless', 'maybe', 'list']).stderr, /--rootless maybe: expected true, false or auto/);
  assert.equal(tsvisor(['--systemd-cgroup', '--rootless', 'true', 'list']).code, 0);
  const doRoot = tsvisor(['do', '/bin/true']);
  assert.equal(doRoot.code, 125);
  assert.match(doRoot.stderr, /--root before do/);
  const debugDo = spawnSync(process.execPath, [TSVISOR_BIN, '--debug', '--log', join(work, 'do.log'), '--log-format', 'json', 'do', '/bin/true'],
    { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000) });
  assert.equal(debugDo.status, 0, debugDo.stderr);
  assert.match(readFileSync(join(work, 'do.log'), 'utf8'), /"msg":"seal: seccomp filter installed/);
  const [a, b, c] = [newId(), newId(), newId()];
  const noTty = bundle(['true']);
  assert.match(tsvisor(['create', '--console-socket', '/x', '-b', noTty, a]).stderr, /cannot use console socket if runc will not detach or allocate tty/);
  const tty = bundle(['true'], { process: { terminal: true } });
  assert.match(tsvisor(['create', '-b', tty, b]).stderr, /cannot allocate tty .* without setting console socket/);
  assert.match(tsvisor(['create', '--console-socket', join(work, 'nobody-listens'), '-b', tty, c]).stderr, /--console-socket .*: cannot connect/);
  for (const id of [a, b, c]) assert.equal(existsSync(join(stateRoot, id)), false, `${id} left a state directory`);
  const term = create(newId(), bundle(['true'], { process: { terminal: true } }));
  assert.equal(term.code, 1);
  assert.match(term.stderr, /process\.terminal is true/);
});

test('the launch scans (native/entry.c, handover.ts) step over exactly the global flags do takes', async () => {
  const help = spawnSync(process.execPath, [TSVISOR_BIN, '--help'], { encoding: 'utf8', env: tsvisorHostEnv() });
  const flags = new Set();
  const valued = new Set();
  for (const m of help.stdout.matchAll(/^\s+(--[\w-]+)( <[^>]+>)?/gm)) {
    // --root and tsvisor's own flags (--platform, --network, --net-raw, --overlay2, --strace, --debug-log) are refused before do: the scans leave them to the CLI.
    if (['--root', '--version', '--help', '--platform', '--network', '--net-raw', '--overlay2', '--strace', '--debug-log'].includes(m[1])) continue;
    (m[2] ? valued : flags).add(m[1]);
  }
  assert.ok(valued.has('--log') && flags.has('--debug'), help.stdout);
  const { GLOBAL_VALUE_OPTIONS, GLOBAL_FLAGS } = await import('../dist/cli/handover.js');
  assert.deepEqual([...GLOBAL_VALUE_OPTIONS].sort(), [...valued].sort());
  assert.deepEqual([...GLOBAL_FLAGS].sort(), [...flags].sort());
  const entry = spawnSync(join(REPO, 'build', 'Release', 'tsvisor-entry'), ['--print-global-options'], { encoding: 'utf8' });
  const listed = entry.stdout.trim().split('\n');
  assert.deepEqual(listed.filter((l) => l.endsWith(' <value>')).map((l) => l.split(' ')[0]).sort(), [...valued].sort());
  assert.deepEqual(listed.filter((l) => !l.includes(' ')).sort(), [...flags].sort());
  // Through the native front door, global flags then do: the Sentry's debug log goes to --log.
  const log = join(work, 'entry-do.log');
  const r = spawnSync(join(REPO, 'bin', 'tsvisor'), ['--debug', '--log', log, '--log-format=json', '--systemd-cgroup', 'do', '/bin/sh', '-c', 'exit 4'],
    { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000), cwd: '/' });
  assert.equal(r.status, 4, r.stderr);
  assert.match(readFileSync(log, 'utf8'), /"level":"info","msg":"seal: /);
});

test('an unprivileged user runs a bundle (rootless: state under $XDG_RUNTIME_DIR/tsvisor)', (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to become another user');
  const user = spawnSync('id', ['-u', 'tsvisor-rootless'], { encoding: 'utf8' });
  if (user.status !== 0) return t.skip('no user tsvisor-rootless (test/walls.test.js makes it)');
  const uid = Number(user.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'tsvisor-rootless'], { encoding: 'utf8' }).stdout.trim());
  const as = (...cmd) => spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...cmd],
    { encoding: 'utf8', env: { ...tsvisorHostEnv(), XDG_RUNTIME_DIR: join(work, 'xdg') }, cwd: '/', timeout: ms(60_000) });
  if (as('test', '-r', join(REPO, 'dist', 'tsvisor.cjs')).status !== 0) return t.skip('the checkout is closed to other users');
  const dir = bundle(['sh', '-c', 'echo rootless; exit 5']);
  spawnSync('chown', ['-R', `${uid}:${gid}`, dir]);
  mkdirSync(join(work, 'xdg'), { mode: 0o700 });
  spawnSync('chown', [`${uid}:${gid}`, join(work, 'xdg')]);
  const r = as(process.execPath, TSVISOR_BIN, 'run', '-b', dir, 'rootless');
  assert.equal(r.status, 5, r.stderr);
  assert.equal(r.stdout, 'rootless\n');
  assert.deepEqual(readdirSync(join(work, 'xdg', 'tsvisor')), []);
  return undefined;
});

test('linux.namespaces: a network namespace path is joined; none means the host\'s; an entry without a path a new one', (t) => {
  const name = `tsvisor-test-${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', name]).status !== 0) return t.skip('cannot make a named network namespace here (ip netns add)');
  try {
    const nsOf = (pid) => readlinkSync(`/proc/${pid}/ns/net`);
    const given = spawnSync('stat', ['-L', '-c', 'net:[%i]', `/run/netns/${name}`], { encoding: 'utf8' }).stdout.trim();
    const cases = [
      [[{ type: 'pid' }, { type: 'mount' }, { type: 'network', path: `/run/netns/${name}` }], given],
      [[{ type: 'pid' }, { type: 'mount' }], nsOf(process.pid)],
      [[{ type: 'pid' }, { type: 'mount' }, { type: 'network' }], 'new'],
    ];
    for (const [namespaces, want] of cases) {
      const id = newId();
      const c = create(id, bundle(['true'], { linux: { namespaces } }));
      assert.equal(c.code, 0, c.stderr);
      // The sandbox's Sentry is the launcher's child: its namespace is the sandbox's.
      const sentry = childOf(state(id).pid);
      const got = nsOf(sentry);
      if (want === 'new') assert.ok(got !== nsOf(process.pid) && got !== given, `a new namespace: ${got}`);
      else assert.equal(got, want, JSON.stringify(namespaces));
      assert.equal(tsvisor(['delete', '--force', id]).code, 0);
    }
  } finally {
    spawnSync('ip', ['netns', 'delete', name]);
  }
});
