// A pod's containers, as containerd's runc shim creates them for
// Kubernetes: a sandbox ("pause") container, then containers whose
// annotations (io.kubernetes.cri.container-type=container,
// io.kubernetes.cri.sandbox-id) name it and whose specs join its pid, UTS
// and IPC namespaces by path. runc is the oracle: it runs each container
// as its own process tree in the pause's namespaces, tsvisor runs them in
// the pause sandbox's Sentry (sub-containers); the outputs, statuses (a
// container's pid is reaped by a subreaper, as the shim reaps it) and
// errors must be the same. Skipped where runc is not installed.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as nodeTest } from 'node:test';
import { REPO, SELFCHECK, TSVISOR_BIN, ms, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, makeBundle, test } from './lib/oci.js';

const RUNC = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
const SUBREAPER = join(REPO, 'test', 'lib', 'subreaper.py');
let w;

/** A comparison with runc: skipped without it (and in self-check mode, whose fake tsvisor has no OCI commands). */
function withRunc(name, fn) {
  const skip = SELFCHECK ? 'the self-check\'s fake tsvisor has no OCI commands' : RUNC === '' ? 'runc is not installed (apt-get install runc)' : false;
  return nodeTest(name, { skip }, fn);
}

before(() => {
  w = new OciWork('tsv-pod-');
});

after(() => {
  if (RUNC !== '') {
    const root = join(w.dir, 'runc-state');
    const ls = spawnSync(RUNC, ['--root', root, 'list', '-q'], { encoding: 'utf8' }).stdout ?? '';
    for (const id of ls.split('\n').filter(Boolean)) spawnSync(RUNC, ['--root', root, 'delete', '--force', id]);
  }
  w.cleanup();
});

function runtimes() {
  const tsv = { name: 'tsvisor', argv: (args) => [process.execPath, TSVISOR_BIN, '--root', w.stateRoot, ...args] };
  const runc = { name: 'runc', argv: (args) => [RUNC, '--root', join(w.dir, 'runc-state'), ...args] };
  return [runc, tsv];
}

function run(rt, args, opts = {}) {
  const [cmd, ...rest] = rt.argv(args);
  const r = spawnSync(cmd, rest, { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000), killSignal: 'SIGKILL', cwd: w.dir, ...opts });
  return { code: r.status ?? 128, out: r.stdout ?? '', err: r.stderr ?? '' };
}

const VOLUME_OF = new Map();

/** The pod: a pause container (sleep) with its own namespaces, and a shared host directory for its containers. */
function pod(rt, id = `pod-${rt.name}`) {
  const vol = join(w.dir, `vol-${rt.name}`);
  mkdirSync(vol, { recursive: true });
  writeFileSync(join(vol, 'from-host'), 'host file\n');
  VOLUME_OF.set(id, vol);
  const dir = makeBundle(join(w.dir, `bundle-${id}`), ['sleep', '1000'], {
    hostname: 'the-pod',
    annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': id },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
  });
  const out = join(w.dir, `out-${id}`);
  const fd = openSync(out, 'w');
  let r;
  try {
    r = run(rt, ['run', '-d', '--pid-file', join(w.dir, `${id}.pid`), '-b', dir, id], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  assert.equal(r.code, 0, `${rt.name} run -d ${id}: ${readFileSync(out, 'utf8')}`);
  return id;
}

/** A container of the pod: its spec joins the pause's pid, UTS and IPC namespaces (by its pid) and mounts the pod's volume at /v. */
function containerBundle(rt, podId, name, args, extraMounts = [], ownPidNs = false) {
  const pausePid = readFileSync(join(w.dir, `${podId}.pid`), 'utf8').trim();
  // A /tmp of its own in the root: runc makes none, tsvisor (as runsc) mounts a tmpfs on an empty one.
  mkdirSync(join(w.dir, `bundle-${name}`, 'rootfs', 'tmp'), { recursive: true });
  return makeBundle(join(w.dir, `bundle-${name}`), args, {
    hostname: 'the-pod',
    annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': podId },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/v', type: 'bind', source: VOLUME_OF.get(podId), options: ['rbind', 'rw'] },
      ...extraMounts,
    ],
    linux: {
      namespaces: [
        ownPidNs ? { type: 'pid' } : { type: 'pid', path: `/proc/${pausePid}/ns/pid` }, { type: 'ipc', path: `/proc/${pausePid}/ns/ipc` },
        { type: 'uts', path: `/proc/${pausePid}/ns/uts` }, { type: 'network', path: `/proc/${pausePid}/ns/net` }, { type: 'mount' },
      ],
    },
  });
}

/**
 * create NAME under a subreaper (as the shim makes it), its output to a
 * file; resolves the subreaper's "cmd=STATUS pid=STATUS" once the
 * container's pid (its init, or tsvisor's carrier) has been reaped.
 */
function createReaped(rt, dir, name) {
  const pidFile = join(w.dir, `${name}.pid`);
  const out = join(w.dir, `out-${name}`);
  const [cmd, ...rest] = rt.argv(['create', '--pid-file', pidFile, '-b', dir, name]);
  // The container's stdio is create's: the output file, not the subreaper's report.
  const p = spawn('python3', [SUBREAPER, pidFile, 'sh', '-c', 'exec "$@" >"$0" 2>&1 </dev/null', out, cmd, ...rest], {
    env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'inherit'], cwd: w.dir,
  });
  let said = '';
  p.stdout.on('data', (d) => { said += d; });
  const reaped = new Promise((resolve) => p.on('exit', () => resolve(said.trim())));
  return { pidFile, out, reaped };
}

async function created(rt, name, c) {
  assert.ok(await waitFor(() => run(rt, ['state', name]).out.includes('"created"'), ms(60_000), 100),
    `${rt.name}: ${name} never became created: ${readFileSync(c.out, 'utf8')}`);
}

/** Waits for the pid file, then for what the container wrote to its output. */
function outputOf(c) {
  return readFileSync(c.out, 'utf8');
}

async function lifecycle(rt) {
  const podId = pod(rt);
  const steps = [];
  const name = `one-${rt.name}`;
  const c = createReaped(rt, containerBundle(rt, podId, name, ['sh', '-c', 'echo hello from the pod; hostname; cat /v/from-host; echo written > /v/by-one; ls /; exit 7']), name);
  await created(rt, name, c);
  const st = JSON.parse(run(rt, ['state', name]).out);
  steps.push(`state: ${st.status} pid=${st.pid === Number(readFileSync(c.pidFile, 'utf8')) ? 'the pid file\'s' : st.pid}`);
  steps.push(`start: ${run(rt, ['start', name]).code}`);
  steps.push(`reaped: ${await c.reaped}`);
  steps.push(`output: ${outputOf(c)}`);
  steps.push(`state after: ${JSON.parse(run(rt, ['state', name]).out).status}`);
  steps.push(`volume: ${readFileSync(join(VOLUME_OF.get(podId), 'by-one'), 'utf8')}`);
  steps.push(`delete: ${run(rt, ['delete', name]).code}`);
  steps.push(`list: ${run(rt, ['list', '-q']).out.split('\n').filter(Boolean).map((x) => x.replace(rt.name, 'RT')).sort().join(' ')}`);
  return steps;
}

async function longRunning(rt) {
  const podId = `pod-${rt.name}`;
  const steps = [];
  const name = `two-${rt.name}`;
  const c = createReaped(rt, containerBundle(rt, podId, name, ['sh', '-c', 'trap "echo got TERM; exit 3" TERM; echo up; touch /tmp/mine; while :; do sleep 1; done']), name);
  await created(rt, name, c);
  run(rt, ['start', name]);
  assert.ok(await waitFor(() => outputOf(c).includes('up'), ms(20_000), 50), `${rt.name}: ${name} did not start: ${outputOf(c)}`);
  const ex = run(rt, ['exec', name, 'sh', '-c', 'echo in exec; cat /v/by-one; ls /tmp; hostname; exit 4']);
  steps.push(`exec: ${ex.code} ${ex.out}`);
  // Another container of the pod sees the volume, not this one's /tmp.
  const other = `three-${rt.name}`;
  const o = createReaped(rt, containerBundle(rt, podId, other, ['sh', '-c', 'ls /tmp; cat /v/by-one; exit 0']), other);
  await created(rt, other, o);
  run(rt, ['start', other]);
  steps.push(`other reaped: ${await o.reaped}`);
  steps.push(`other output: ${outputOf(o)}`);
  run(rt, ['delete', other]);
  const ps = run(rt, ['ps', name]);
  // The container's own processes, by command (pids differ between runtimes).
  steps.push(`ps: ${ps.code} ${ps.out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/).slice(7).join(' ')).filter((x) => !x.startsWith('sleep 1')).sort().join(' | ')}`);
  const podPs = run(rt, ['ps', podId]);
  steps.push(`pod ps: ${podPs.out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/).slice(7).join(' ')).join(' | ')}`);
  steps.push(`kill: ${run(rt, ['kill', name, 'TERM']).code}`);
  steps.push(`reaped: ${await c.reaped}`);
  steps.push(`output: ${outputOf(c)}`);
  steps.push(`kill stopped: ${run(rt, ['kill', name, 'TERM']).code}`);
  steps.push(`delete: ${run(rt, ['delete', name]).code}`);
  return steps;
}

/**
 * A container with a pid namespace of its own (the kubelet's default): its init is pid 1, /proc shows its own
 * processes (sh and ls: read into a variable, since a pipe's grep may or may not have started when ls looks),
 * SIGTERM without a trap is ignored.
 */
async function ownPidNamespace(rt) {
  const podId = pod(rt, `pod-pidns-${rt.name}`);
  const name = `pidns-${rt.name}`;
  const c = createReaped(rt, containerBundle(rt, podId, name, ['sh', '-c', 'echo pid $$ ppid $PPID; p=$(ls /proc); echo "$p" | grep -c "^[0-9]"; echo up; while :; do sleep 1; done'], [], true), name);
  await created(rt, name, c);
  run(rt, ['start', name]);
  assert.ok(await waitFor(() => outputOf(c).includes('up'), ms(20_000), 50), `${rt.name}: ${outputOf(c)}`);
  const steps = [`output: ${outputOf(c)}`];
  const ex = run(rt, ['exec', name, 'sh', '-c', 'echo exec ppid $PPID; cat /proc/1/cmdline | tr "\\0" " "; echo']);
  steps.push(`exec: ${ex.code} ${ex.out}`);
  steps.push(`kill TERM: ${run(rt, ['kill', name, 'TERM']).code}`);
  await new Promise((r) => setTimeout(r, 1000));
  steps.push(`after TERM: ${JSON.parse(run(rt, ['state', name]).out).status}`);
  steps.push(`kill KILL: ${run(rt, ['kill', name, 'KILL']).code}`);
  steps.push(`reaped: ${await c.reaped}`);
  steps.push(`delete: ${run(rt, ['delete', name]).code} ${run(rt, ['delete', '--force', podId]).code}`);
  return steps;
}

/** The pod's sandbox container ends: a container still running in it is killed (its pid reaped with 137). */
async function podEnds(rt) {
  const podId = `pod-${rt.name}`;
  const name = `four-${rt.name}`;
  const c = createReaped(rt, containerBundle(rt, podId, name, ['sh', '-c', 'echo up; while :; do sleep 1; done']), name);
  await created(rt, name, c);
  run(rt, ['start', name]);
  assert.ok(await waitFor(() => outputOf(c).includes('up'), ms(20_000), 50));
  const steps = [];
  steps.push(`kill pod: ${run(rt, ['kill', podId, 'KILL']).code}`);
  steps.push(`reaped: ${await c.reaped}`);
  const st = run(rt, ['state', name]);
  steps.push(`state: ${st.code} ${st.code === 0 ? JSON.parse(st.out).status : st.err}`);
  steps.push(`delete: ${run(rt, ['delete', name]).code} ${run(rt, ['delete', podId]).code}`);
  return steps;
}

withRunc('a pod\'s containers: created, started, reaped with their status, sharing the pod\'s hostname and volume (as runc)', async () => {
  const results = [];
  for (const rt of runtimes()) results.push(await lifecycle(rt));
  assert.deepEqual(results[1], results[0]);
  assert.match(results[1].join('\n'), /reaped: cmd=0 pid=7/);
});

withRunc('a pod\'s running container: exec, ps of its own processes, another container beside it, kill reaped with the trap\'s status (as runc)', async () => {
  const results = [];
  for (const rt of runtimes()) results.push(await longRunning(rt));
  assert.deepEqual(results[1], results[0]);
  assert.match(results[1].join('\n'), /reaped: cmd=0 pid=3/);
});

withRunc('a pod\'s container with a pid namespace of its own: pid 1, its own /proc, SIGTERM ignored without a handler, SIGKILL reaped as 137 (as runc)', async () => {
  const results = [];
  for (const rt of runtimes()) results.push(await ownPidNamespace(rt));
  assert.deepEqual(results[1], results[0]);
  assert.match(results[1][0], /^output: pid 1 ppid 0\n/);
});

withRunc('when the pod\'s sandbox container is killed, its containers die with it (as runc)', async () => {
  const results = [];
  for (const rt of runtimes()) results.push(await podEnds(rt));
  assert.deepEqual(results[1], results[0]);
  assert.match(results[1].join('\n'), /pid=137/);
});

test('a container naming a pod sandbox that does not exist, or is itself a pod\'s container, is refused and leaves nothing', () => {
  const dir = makeBundle(join(w.dir, 'bundle-orphan'), ['true'], {
    annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'no-such-pod' },
  });
  const r = w.create('orphan', dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /the pod's sandbox container no-such-pod: container does not exist/);
  assert.equal(w.tsvisor(['state', 'orphan']).code, 1);
  const noId = makeBundle(join(w.dir, 'bundle-noid'), ['true'], { annotations: { 'io.kubernetes.cri.container-type': 'container' } });
  const r2 = w.create('noid', noId);
  assert.match(r2.stderr, /io.kubernetes.cri.sandbox-id names no sandbox/);
});

test('a tmpfs mount hint: the pod\'s containers share one tmpfs for the volume, and the host directory is never written', async () => {
  const vol = join(w.dir, 'hinted');
  mkdirSync(vol, { recursive: true });
  const podId = 'pod-hinted';
  const pdir = makeBundle(join(w.dir, `bundle-${podId}`), ['sleep', '1000'], {
    annotations: {
      'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': podId,
      'dev.gvisor.spec.mount.cache.source': vol, 'dev.gvisor.spec.mount.cache.type': 'tmpfs', 'dev.gvisor.spec.mount.cache.share': 'pod',
    },
  });
  const r = w.create(podId, pdir, ['--pid-file', join(w.dir, `${podId}.pid`)], ['run', '-d']);
  assert.equal(r.code, 0, r.stderr);
  VOLUME_OF.set(podId, vol);
  const tsv = runtimes()[1];
  const a = createReaped(tsv, containerBundle(tsv, podId, 'hint-a', ['sh', '-c', 'echo from-a > /v/note; cat /v/note']), 'hint-a');
  await created(tsv, 'hint-a', a);
  run(tsv, ['start', 'hint-a']);
  assert.equal(await a.reaped, 'cmd=0 pid=0');
  const b = createReaped(tsv, containerBundle(tsv, podId, 'hint-b', ['sh', '-c', 'cat /v/note']), 'hint-b');
  await created(tsv, 'hint-b', b);
  run(tsv, ['start', 'hint-b']);
  assert.equal(await b.reaped, 'cmd=0 pid=0');
  assert.equal(outputOf(b), 'from-a\n');
  assert.deepEqual(readdirSync(vol), [], 'the host directory stays empty: the volume is the Sentry\'s tmpfs');
  for (const id of ['hint-a', 'hint-b']) assert.equal(run(tsv, ['delete', id]).code, 0);
  assert.equal(run(tsv, ['delete', '--force', podId]).code, 0);
});

test('a bad mount hint fails the pod\'s sandbox container with the annotation named', () => {
  const dir = makeBundle(join(w.dir, 'bundle-badhint'), ['true'], {
    annotations: { 'dev.gvisor.spec.mount.x.source': '/tmp', 'dev.gvisor.spec.mount.x.type': 'nfs', 'dev.gvisor.spec.mount.x.share': 'pod' },
  });
  const r = w.create('badhint', dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /mount hint x \(dev\.gvisor\.spec\.mount\.x\.\*\): type "nfs": expected bind or tmpfs/);
  assert.equal(w.tsvisor(['state', 'badhint']).code, 1);
});

test('a pod\'s container with process.terminal: its console goes to --console-socket, it is a pty of its own devpts, and its status is reaped', async () => {
  const tsv = runtimes()[1];
  const podId = pod(tsv, 'pod-tty');
  const name = 'tty-one';
  const dir = containerBundle(tsv, podId, name, ['sh', '-c', 'echo ready; tty; stty size; read x; echo got $x; exit 5']);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  cfg.process.terminal = true;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  const sock = join(w.dir, 'console.sock');
  const cons = spawn('python3', [join(REPO, 'test', 'lib', 'console.py'), sock, '--size', '30', '100', '--feed', 'hi\\n', '--idle', '5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let shown = '';
  cons.stdout.on('data', (d) => { shown += d; });
  const consDone = new Promise((resolve) => cons.on('exit', resolve));
  assert.ok(await waitFor(() => shown.startsWith('listening\n'), ms(10_000), 20));
  const pidFile = join(w.dir, `${name}.pid`);
  const [cmd, ...rest] = tsv.argv(['create', '--console-socket', sock, '--pid-file', pidFile, '-b', dir, name]);
  const reaper = spawn('python3', [SUBREAPER, pidFile, cmd, ...rest], { env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'inherit'], cwd: w.dir });
  let said = '';
  reaper.stdout.on('data', (d) => { said += d; });
  const reaped = new Promise((resolve) => reaper.on('exit', () => resolve(said.trim())));
  const none = join(w.dir, 'tty-one.out');
  writeFileSync(none, '(the output is the console\'s)');
  await created(tsv, name, { out: none });
  assert.equal(run(tsv, ['start', name]).code, 0);
  assert.equal(await reaped, 'cmd=0 pid=5');
  await consDone;
  assert.equal(shown.replace(/\r/g, ''), 'listening\nready\n/dev/pts/0\n30 100\nhi\ngot hi\n');
  assert.equal(run(tsv, ['delete', name]).code, 0);
  assert.equal(run(tsv, ['delete', '--force', podId]).code, 0);
});
