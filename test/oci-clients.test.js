// Real container tools driving tsvisor as their OCI runtime (issue 7): an
// image made here from busybox-static, then the same podman and containerd
// sequences run with runc and with tsvisor, and runc's outputs and exit
// statuses are the oracle. Each tool runs with state of its own under a
// scratch directory, so the host's podman and containerd are not touched.
//
// This machine's root lacks CAP_SYS_RESOURCE, so podman's default rlimits
// (above the host's hard limits) are lowered in a containers.conf of the
// test's own; runc fails without that, whatever the runtime.
//
// Skipped, saying why, where podman or containerd cannot be installed or
// does not work with runc on the machine.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ms } from './lib/harness.js';

const TSVISOR = resolve('bin/tsvisor');

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const busybox = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();

// In /tmp, short: podman refuses a --runroot longer than 50 characters (a checkout's test/out can be deeper).
const scratch = mkdtempSync(join(tmpdir(), 'tsvoc-'));
chmodSync(scratch, 0o755);
after(() => {
  if (ctrd !== null) ctrd.kill('SIGKILL');
  ctrd = null;
});
process.on('exit', () => {
  if (ctrd !== null) ctrd.kill('SIGKILL');
  spawnSync('sh', ['-c', `umount -R ${scratch}/podman/root/overlay 2>/dev/null; true`]);
  rmSync(scratch, { recursive: true, force: true });
});

/** A root file system: busybox-static and its applets, /etc/passwd and /etc/group. */
function makeRootfs(dir) {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'etc'));
  mkdirSync(join(dir, 'tmp'));
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'ls', 'cat', 'echo', 'true', 'false', 'sleep', 'ps', 'id', 'hostname', 'env', 'wc', 'head', 'top', 'kill']) {
    symlinkSync('busybox', join(dir, 'bin', a));
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  // Not executable, for exit status 126.
  writeFileSync(join(dir, 'bin', 'noexec'), '#!/bin/sh\necho never\n');
  // busybox's httpd serves it for the published-port test.
  symlinkSync('busybox', join(dir, 'bin', 'httpd'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), 'hello from inside the container\n');
}

// ---------------------------------------------------------------- podman

const P = join(scratch, 'podman');
const IMAGE = 'localhost/tsvisor-busybox:test';
const conf = join(scratch, 'containers.conf');
writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\n');

function podman(args, opts = {}) {
  const r = spawnSync('podman', ['--root', join(P, 'root'), '--runroot', join(P, 'run'), '--tmpdir', join(P, 'tmp'), ...args], {
    encoding: 'utf8', timeout: ms(opts.timeout ?? 60_000), input: opts.input ?? '',
    env: { ...process.env, CONTAINERS_CONF: conf },
  });
  return { code: r.status ?? (r.signal ? 128 : -1), out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** podman under a pty (for -t): script(1) gives the terminal. */
function podmanTty(args, input = '') {
  const cmd = ['podman', '--root', join(P, 'root'), '--runroot', join(P, 'run'), '--tmpdir', join(P, 'tmp'), ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // script's stdin stays open for a while: at its EOF script sends the terminal's EOF and podman's attach can end
  // before the container's output is copied (runc's run lost it so, now and then).
  const r = spawnSync('sh', ['-c', `{ printf %s "$1"; sleep 3; } | script -qec "exec $0" /dev/null`, cmd, input], {
    encoding: 'utf8', timeout: ms(60_000), env: { ...process.env, CONTAINERS_CONF: conf },
  });
  return { code: r.status ?? -1, out: (r.stdout ?? '').replace(/\r\n/g, '\n') };
}

let podmanReady = null;
function podmanSetup() {
  if (podmanReady !== null) return podmanReady;
  if (!have('podman')) return (podmanReady = 'podman is not installed (apt-get install podman)');
  if (!busybox) return (podmanReady = 'busybox-static is not installed');
  const rootfs = join(scratch, 'rootfs');
  makeRootfs(rootfs);
  const tar = spawnSync('sh', ['-c', `tar -C ${rootfs} -c . > ${scratch}/rootfs.tar`]);
  if (tar.status !== 0) return (podmanReady = 'cannot make the image tarball');
  const imp = podman(['import', join(scratch, 'rootfs.tar'), IMAGE]);
  if (imp.code !== 0) return (podmanReady = `podman import failed: ${imp.err}`);
  const base = podman(['--runtime', 'runc', 'run', '--rm', IMAGE, 'true']);
  if (base.code !== 0) return (podmanReady = `podman does not run containers with runc here: ${base.err.trim()}`);
  return (podmanReady = '');
}

/**
 * The podman sequence with one runtime: each step's exit status and output,
 * normalised where a run's own names and ids show (container ids, hostnames).
 */
function podmanSequence(runtime) {
  const rt = ['--runtime', runtime];
  const steps = [];
  // Normalised: ids, the container's name (it names the runtime), and the ^@ script(1) echoes for its stdin's EOF, which
  // lands before or after the container's output as it happens.
  const step = (name, r) => steps.push(`${name}: ${r.code} ${r.out.replace(/\^@|\0/g, '').trim().replace(/[0-9a-f]{12,64}/g, 'ID').replace(/seq-(runc|tsvisor)/g, 'NAME')}`);
  const vol = join(scratch, `vol-${runtime === "runc" ? "runc" : "tsvisor"}`);
  mkdirSync(vol, { recursive: true });
  step('run', podman([...rt, 'run', '--rm', IMAGE, 'sh', '-c', 'echo hello; id; cat /proc/self/status | head -1']));
  step('run exit 3', podman([...rt, 'run', '--rm', IMAGE, 'sh', '-c', 'exit 3']));
  step('run missing (127)', podman([...rt, 'run', '--rm', IMAGE, '/bin/nosuch']));
  step('run not executable (126)', podman([...rt, 'run', '--rm', IMAGE, '/bin/noexec']));
  step('run bad flag (125)', podman([...rt, 'run', '--rm', '--nosuchflag', IMAGE, 'true']));
  step('run killed (137)', podman([...rt, 'run', '--rm', IMAGE, 'sh', '-c', 'kill -9 $$']));
  step('run -v', podman([...rt, 'run', '--rm', '-v', `${vol}:/data`, IMAGE, 'sh', '-c', 'echo in > /data/f; cat /data/f']));
  steps.push(`volume on host: ${existsSync(join(vol, 'f'))}`);
  step('run -it', podmanTty([...rt, 'run', '--rm', '-it', IMAGE, 'sh', '-c', 'test -t 0 && echo tty']));
  step('run --pids-limit', podman([...rt, 'run', '--rm', '--pids-limit', '20', IMAGE, 'sh', '-c',
    'for i in $(seq 1 40); do sleep 5 & done 2>/dev/null; echo started']));
  step('run --memory', podman([...rt, 'run', '--rm', '--memory', '64m', IMAGE, 'sh', '-c', 'head -c 200000000 /dev/zero | tail -c 1 >/dev/null; echo survived']));
  const name = `seq-${runtime === 'runc' ? 'runc' : 'tsvisor'}`;
  step('run -d', podman([...rt, 'run', '-d', '--name', name, IMAGE, 'sh', '-c', 'echo started; sleep 1000']));
  step('exec', podman(['exec', name, 'sh', '-c', 'echo from exec; exit 5']));
  step('exec -it', podmanTty(['exec', '-it', name, 'sh', '-c', 'test -t 1 && echo exec tty']));
  step('logs', podman(['logs', name]));
  step('ps', podman(['ps', '--filter', `name=${name}`, '--format', '{{.Names}} {{.Status}}']));
  // With ps(1) options podman runs ps in the container (exec); its descriptors (`podman top NAME args`) are read from
  // the host's /proc in the pid namespace of the container's pid, which is the sandbox process's, on the host, under
  // tsvisor (runsc's too): they list host processes, not the container's (docs/oci.md).
  step('top', podman(['top', name, '-eo', 'pid,args']));
  step('pause', podman(['pause', name]));
  step('ps paused', podman(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']));
  step('unpause', podman(['unpause', name]));
  step('kill', podman(['kill', '-s', 'TERM', name]));
  step('wait', podman(['wait', name]));
  step('rm -f', podman(['rm', '-f', name]));
  step('run -d then stop', podman([...rt, 'run', '-d', '--name', `${name}-2`, IMAGE, 'sleep', '1000']));
  step('stop', podman(['stop', '-t', '1', `${name}-2`]));
  step('rm', podman(['rm', `${name}-2`]));
  return steps.map((s) => s.replace(/Up .*?(ago|$)/, 'Up').replace(/\(paused\)/, 'paused'));
}

let runcPodman = null;

test('podman with runc: the oracle sequence runs', (t) => {
  const why = podmanSetup();
  if (why) return t.skip(why);
  runcPodman = podmanSequence('runc');
  assert.match(runcPodman[0], /^run: 0 hello/);
});

test('podman with tsvisor: the same sequence, the same statuses and outputs as runc', (t) => {
  const why = podmanSetup();
  if (why) return t.skip(why);
  if (runcPodman === null) runcPodman = podmanSequence('runc');
  assert.deepEqual(podmanSequence(TSVISOR), runcPodman);
});

/** GET http://127.0.0.1:PORT/ from the host, retried while the server comes up: the status and body, or the last error. */
async function fetchFromHost(port) {
  let last = '';
  for (let i = 0; i < 50; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      return `${r.status} ${await r.text()}`;
    } catch (e) {
      last = String(e.cause?.code ?? e.message);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  return `error ${last}`;
}

/** podman run -d -p HOST:80 of busybox's httpd, fetched from the host; the container removed after. */
async function publishedPort(runtime, port) {
  const name = `web-${runtime === 'runc' ? 'runc' : 'tsvisor'}`;
  const run = podman(['--runtime', runtime, 'run', '-d', '--name', name, '-p', `127.0.0.1:${port}:80`, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www']);
  try {
    if (run.code !== 0) return `run: ${run.code} ${run.err.trim()}`;
    return await fetchFromHost(port);
  } finally {
    podman(['rm', '-f', name]);
  }
}

let runcPublished = null;

test('podman run -p with runc: the container\'s web server is reached from the host (the oracle)', async (t) => {
  const why = podmanSetup();
  if (why) return t.skip(why);
  runcPublished = await publishedPort('runc', 18480);
  if (!runcPublished.startsWith('200 ')) return t.skip(`podman cannot publish ports here: ${runcPublished}`);
  assert.equal(runcPublished, '200 hello from inside the container\n');
});

test('podman run -p with tsvisor: the same page, through the sandbox\'s host sockets in podman\'s network namespace', async (t) => {
  const why = podmanSetup();
  if (why) return t.skip(why);
  if (runcPublished === null) runcPublished = await publishedPort('runc', 18480);
  if (!runcPublished.startsWith('200 ')) return t.skip(`podman cannot publish ports here: ${runcPublished}`);
  assert.equal(await publishedPort(TSVISOR, 18481), runcPublished);
});

// ---------------------------------------------------------------- containerd

const C = join(scratch, 'containerd');
const SOCK = join(C, 'containerd.sock');
let ctrd = null;

function ctr(args, opts = {}) {
  const r = spawnSync('ctr', ['-a', SOCK, '-n', 'tsvisor-test', ...args], { encoding: 'utf8', timeout: ms(opts.timeout ?? 60_000), input: opts.input ?? '' });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

let ctrReady = null;
async function ctrSetup() {
  if (ctrReady !== null) return ctrReady;
  if (!have('containerd') || !have('ctr')) return (ctrReady = 'containerd is not installed (apt-get install containerd)');
  const p = podmanSetup();
  if (p) return (ctrReady = `the image comes from podman: ${p}`);
  mkdirSync(C, { recursive: true });
  ctrd = spawn('containerd', ['--root', join(C, 'root'), '--state', join(C, 'state'), '--address', SOCK], { stdio: 'ignore' });
  // The daemon must not keep this file's process alive once its tests are done (after() stops it).
  ctrd.unref();
  for (let i = 0; i < 100 && !existsSync(SOCK); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(SOCK)) return (ctrReady = 'containerd did not start');
  const save = podman(['save', '-o', join(scratch, 'image.tar'), IMAGE]);
  if (save.code !== 0) return (ctrReady = `podman save: ${save.err}`);
  const imp = ctr(['images', 'import', join(scratch, 'image.tar')]);
  if (imp.code !== 0) return (ctrReady = `ctr images import: ${imp.err}`);
  const base = ctr(['run', '--rm', IMAGE, 'probe', 'true']);
  if (base.code !== 0) return (ctrReady = `ctr does not run containers with runc here: ${base.err.trim()}`);
  return (ctrReady = '');
}

function ctrSequence(runcBinary) {
  const rt = ['--runtime', 'io.containerd.runc.v2', '--runc-binary', runcBinary];
  const id = runcBinary === 'runc' ? 'c-runc' : 'c-tsvisor';
  const steps = [];
  const step = (name, r) => steps.push(`${name}: ${r.code} ${r.out.trim().replace(/[0-9a-f]{12,64}/g, 'ID').replace(/\b\d{2,7}\b/g, 'N')}`);
  step('run', ctr(['run', '--rm', ...rt, IMAGE, `${id}-1`, 'sh', '-c', 'echo hi from ctr; exit 4']));
  step('run -d', ctr(['run', '-d', ...rt, IMAGE, id, 'sh', '-c', 'sleep 1000']));
  step('task exec', ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec; exit 2']));
  step('task ps', { code: ctr(['task', 'ps', id]).code, out: '' });
  step('pause', ctr(['task', 'pause', id]));
  step('paused', { code: 0, out: ctr(['task', 'ls']).out.split('\n').find((l) => l.startsWith(id))?.split(/\s+/)[2] ?? '' });
  step('resume', ctr(['task', 'resume', id]));
  step('kill', ctr(['task', 'kill', '-s', 'SIGKILL', id]));
  for (let i = 0; i < 50 && !/STOPPED/.test(ctr(['task', 'ls']).out); i++) spawnSync('sleep', ['0.1']);
  step('stopped', { code: 0, out: ctr(['task', 'ls']).out.split('\n').find((l) => l.startsWith(id))?.split(/\s+/)[2] ?? '' });
  step('task rm', ctr(['task', 'rm', id]));
  step('container rm', ctr(['containers', 'rm', id]));
  return steps;
}

let runcCtr = null;

test('containerd with runc: the oracle sequence runs', async (t) => {
  const why = await ctrSetup();
  if (why) return t.skip(why);
  runcCtr = ctrSequence('runc');
  assert.match(runcCtr[0], /^run: 4 hi from ctr/);
});

test('containerd with tsvisor as the runc binary: the same sequence as runc', async (t) => {
  const why = await ctrSetup();
  if (why) return t.skip(why);
  if (runcCtr === null) runcCtr = ctrSequence('runc');
  assert.deepEqual(ctrSequence(TSVISOR), runcCtr);
});
