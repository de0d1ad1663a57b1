// The OCI spec's hooks as tsvisor runs them (docs/oci.md "Hooks"): each of
// the six lists with small shell scripts that append their name, argv,
// working directory, a variable or two and the state they read on stdin
// to a log. The host hooks are /bin/sh scripts on the host; the
// startContainer hook is a busybox script in the container's root file
// system (it runs inside the sandbox) and writes its log there, which the
// init then prints. runc, where it can run here, is the oracle for the
// order and the state's contents.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SELFCHECK, TSVISOR_BIN, ms, sleep, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, test, alive, childOf, pidsWithArg } from './lib/oci.js';

let w;
let hostHook;

/** The host hook: HOOK NAME LOG [fail|sleep]; logs what it was given, then fails or succeeds. */
const HOST_HOOK = `#!/bin/sh
name=$1; log=$2
state=$(cat)
{
  printf 'hook %s argv0=%s args=%s cwd=%s\\n' "$name" "$0" "$*" "$(pwd)"
  printf 'var %s HOOKVAR=%s MARKER=%s\\n' "$name" "\${HOOKVAR-unset}" "\${HOOK_MARKER-unset}"
  printf 'state %s %s\\n' "$name" "$state"
} >> "$log"
case "$3" in
  fail) echo "out of $name"; echo "err of $name" >&2; exit 3;;
  daemon) sleep 3177 & exit 0;;
esac
exit 0
`;

/** The startContainer hook, in the container (busybox sh): the same lines, in /hooklog. */
const CONTAINER_HOOK = `#!/bin/sh
name=$1
state=$(cat)
{
  printf 'hook %s argv0=%s args=%s cwd=%s\\n' "$name" "$0" "$*" "$(pwd)"
  printf 'var %s HOOKVAR=%s MARKER=%s\\n' "$name" "\${HOOKVAR-unset}" "\${INIT_MARKER-unset}"
  printf 'state %s %s\\n' "$name" "$state"
} >> /hooklog
[ "$2" = fail ] && { echo "out of $name"; echo "err of $name" >&2; exit 3; }
exit 0
`;

before(() => {
  w = new OciWork('tsv-hooks-');
  hostHook = join(w.dir, 'hook.sh');
  writeFileSync(hostHook, HOST_HOOK);
  chmodSync(hostHook, 0o755);
});

after(() => w.cleanup());

/** Hook entry for the host hook: name, its log, and how it ends; env as given (undefined: the runtime's). */
function host(name, log, how = '', more = {}) {
  return { path: hostHook, args: ['hook', name, log, ...(how === '' ? [] : [how])], env: [`HOOKVAR=${name}`, 'PATH=/usr/bin:/bin'], ...more };
}

/** The log's lines of one kind: [{name, rest}], in order. */
function lines(text, kind) {
  return text.split('\n').filter((l) => l.startsWith(`${kind} `)).map((l) => {
    const [, name, ...rest] = l.split(' ');
    return { name, rest: rest.join(' ') };
  });
}

const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const names = (text) => lines(text, 'hook').map((l) => l.name);
const states = (text) => Object.fromEntries(lines(text, 'state').map((l) => [l.name, JSON.parse(l.rest)]));

/** A bundle with every hook list: host hooks logging to log, startContainer logging inside. */
function allHooks(log, args = ['sh', '-c', 'cat /hooklog; echo init ran'], over = {}) {
  return w.bundle(args, {
    annotations: { 'org.example/a': 'b' },
    hooks: {
      prestart: [host('prestart', log)],
      createRuntime: [
        host('createRuntime', log), host('createRuntime2', log, '', { env: undefined }),
        // busybox picks its applet by argv[0]: args[0] reaches the program as its argv[0].
        { path: '/bin/busybox', args: ['sh', '-c', `printf 'hook argv0-is-args0\\n' >> ${log}`] },
      ],
      createContainer: [host('createContainer', log)],
      startContainer: [{ path: '/bin/hook.sh', args: ['hook.sh', 'startContainer'] }],
      poststart: [host('poststart', log)],
      poststop: [host('poststop', log)],
      ...over,
    },
    process: { env: ['PATH=/bin', 'INIT_MARKER=from-init'] },
  }, { 'bin/hook.sh': [CONTAINER_HOOK, 0o755] });
}

test('every hook runs, in runc\'s order, with the state for its step on stdin, its args, env and working directory', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const dir = allHooks(log);
  const c = w.create(id, dir, [], ['create'], { env: { ...process.env, HOOK_MARKER: 'from-runtime' } });
  assert.equal(c.code, 0, c.stderr);
  const pid = w.state(id).pid;
  // The hooks' pid: the Sentry's process, the sandbox's child, in the container's namespaces (runc gives its init's).
  const sentry = childOf(pid);
  assert.ok(sentry > 0, 'no Sentry process');
  assert.notEqual(readlinkSync(`/proc/${sentry}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'));
  // create: prestart, createRuntime (both, in order), createContainer; nothing of start's yet.
  assert.deepEqual(names(read(log)), ['prestart', 'createRuntime', 'createRuntime2', 'argv0-is-args0', 'createContainer']);
  assert.equal(read(c.out), '', 'the init ran at create');
  const st = w.tsvisor(['start', id]);
  assert.equal(st.code, 0, st.stderr);
  assert.ok(await waitFor(() => read(c.out).includes('init ran'), ms(20_000)), read(c.out));
  assert.deepEqual(names(read(log)), ['prestart', 'createRuntime', 'createRuntime2', 'argv0-is-args0', 'createContainer', 'poststart']);
  assert.ok(await w.untilStatus(id, 'stopped'));
  assert.equal(w.tsvisor(['delete', id]).code, 0);
  const text = read(log);
  assert.deepEqual(names(text), ['prestart', 'createRuntime', 'createRuntime2', 'argv0-is-args0', 'createContainer', 'poststart', 'poststop']);

  // The state, in runc's layout and key order; pid is the Sentry's while there is one.
  const s = states(text);
  const base = { ociVersion: '1.2.0', id, bundle: dir, annotations: { 'org.example/a': 'b' } };
  for (const n of ['prestart', 'createRuntime', 'createContainer']) assert.deepEqual(s[n], { ...base, status: 'creating', pid: sentry });
  assert.deepEqual(s.poststart, { ...base, status: 'running', pid: sentry });
  assert.deepEqual(s.poststop, { ...base, status: 'stopped' });
  assert.deepEqual(Object.keys(s.prestart), ['ociVersion', 'id', 'status', 'pid', 'bundle', 'annotations']);
  assert.deepEqual(Object.keys(s.poststop), ['ociVersion', 'id', 'status', 'bundle', 'annotations']);

  // args after args[0] are the arguments (a script's $0 is its path, whatever argv[0] was: see argv0-is-args0 for that);
  // the working directory is the bundle, createContainer's the rootfs.
  for (const l of lines(text, 'hook').filter((x) => x.name !== 'argv0-is-args0')) {
    assert.match(l.rest, new RegExp(`^argv0=${hostHook} args=${l.name} ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(l.rest, new RegExp(`cwd=${l.name === 'createContainer' ? join(dir, 'rootfs') : dir}$`));
  }
  // env: exactly the hook's when it has one; the runtime's own when it has none (createRuntime2), as runc.
  const vars = Object.fromEntries(lines(text, 'var').map((l) => [l.name, l.rest]));
  assert.equal(vars.prestart, 'HOOKVAR=prestart MARKER=unset');
  assert.equal(vars.createRuntime2, 'HOOKVAR=unset MARKER=from-runtime');

  // startContainer: inside the container, before the init, as the container's process with its env and cwd; state created, pid 1.
  const inside = read(c.out);
  assert.ok(inside.indexOf('hook startContainer') < inside.indexOf('init ran'), inside);
  assert.match(inside, /^hook startContainer argv0=\/bin\/hook\.sh args=startContainer cwd=\/$/m);
  assert.match(inside, /^var startContainer HOOKVAR=unset MARKER=from-init$/m);
  assert.deepEqual(states(inside).startContainer, { ...base, status: 'created', pid: 1 });
  assert.ok(!alive(pid));
});

test('a failing createRuntime hook fails create with its output and leaves nothing behind; poststop runs', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const dir = allHooks(log, ['true'], { createRuntime: [host('createRuntime', log, 'fail'), host('never', log)] });
  const c = w.create(id, dir);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /error running createRuntime hook #0 \(.*hook\.sh\): exit status 3, stdout: out of createRuntime, stderr: err of createRuntime/);
  assert.deepEqual(names(read(log)), ['prestart', 'createRuntime', 'poststop']);
  assert.equal(existsSync(join(w.stateRoot, id)), false, 'the state directory is left');
  const pid = states(read(log)).prestart.pid;
  assert.ok(await waitFor(() => !alive(pid), ms(5_000)), `the sandbox ${pid} is left`);
  assert.equal(w.tsvisor(['state', id]).code, 1);
});

test('a failing createContainer hook fails create the same way', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const c = w.create(id, allHooks(log, ['true'], { createContainer: [host('createContainer', log, 'fail')] }));
  assert.equal(c.code, 1);
  assert.match(c.stderr, /error running createContainer hook #0 .*exit status 3/);
  assert.deepEqual(names(read(log)), ['prestart', 'createRuntime', 'createRuntime2', 'argv0-is-args0', 'createContainer', 'poststop']);
  assert.equal(existsSync(join(w.stateRoot, id)), false);
  const pid = states(read(log)).prestart.pid;
  assert.ok(await waitFor(() => !alive(pid), ms(5_000)));
});

test('a hook past its timeout is killed and fails create; a hook that leaves a daemon does not hold create', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const t0 = Date.now();
  const c = w.create(id, w.bundle(['true'], { hooks: { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '3178'], timeout: 1 }] } }));
  assert.equal(c.code, 1);
  assert.match(c.stderr, /error running createRuntime hook #0 \(\/bin\/sleep\): hook ran past specified timeout of 1\.0s/);
  assert.ok(Date.now() - t0 < ms(30_000));
  assert.deepEqual(pidsWithArg('3178'), [], 'the hook outlived its timeout');
  assert.equal(existsSync(join(w.stateRoot, id)), false);

  // A prestart hook that starts a daemon (still holding its stdout) and
  // exits: create returns, and a caller waiting for EOF on a pipe it gave
  // create (fd 3) gets it, since neither the hook nor the daemon has it.
  const id2 = w.newId();
  const dir = w.bundle(['true'], { hooks: { prestart: [host('prestart', log, 'daemon')] } });
  const p = spawn(process.execPath, [TSVISOR_BIN, '--root', w.stateRoot, 'create', '-b', dir, id2], {
    env: tsvisorHostEnv(), stdio: ['ignore', 'ignore', 'pipe', 'pipe'], cwd: w.dir,
  });
  let err = '';
  p.stderr.on('data', (b) => { err += b; });
  const eof = new Promise((r) => p.stdio[3].on('end', r).on('close', r).resume());
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 0, err);
  const gotEof = await Promise.race([eof.then(() => true), sleep(ms(10_000)).then(() => false)]);
  assert.ok(gotEof, 'the pipe create was given is still held open');
  assert.equal(pidsWithArg('3177').length > 0, true, 'the daemon is not running');
  for (const pid of pidsWithArg('3177')) process.kill(pid, 'SIGKILL');
  assert.equal(w.tsvisor(['delete', '--force', id2]).code, 0);
});

test('poststart and poststop failures only warn: start and delete succeed, the rest of each list runs', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const dir = allHooks(log, ['true'], {
    poststart: [host('poststart', log, 'fail'), host('poststart2', log)],
    poststop: [host('poststop', log, 'fail'), host('poststop2', log)],
  });
  assert.equal(w.create(id, dir).code, 0);
  const st = w.tsvisor(['start', id]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stderr, /warning: error running poststart hook #0 .*exit status 3, stdout: out of poststart, stderr: err of poststart/);
  assert.equal(w.state(id).status === 'running' || w.state(id).status === 'stopped', true);
  assert.ok(await w.untilStatus(id, 'stopped'));
  const d = w.tsvisor(['delete', id]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stderr, /warning: error running poststop hook #0 .*exit status 3/);
  assert.equal(existsSync(join(w.stateRoot, id)), false);
  assert.deepEqual(names(read(log)).slice(-4), ['poststart', 'poststart2', 'poststop', 'poststop2']);
});

test('a failing startContainer hook fails start; the init never runs and the container is stopped until delete', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const dir = allHooks(log, ['sh', '-c', 'echo init ran'], { startContainer: [{ path: '/bin/hook.sh', args: ['hook.sh', 'startContainer', 'fail'] }] });
  const c = w.create(id, dir);
  assert.equal(c.code, 0, c.stderr);
  const pid = w.state(id).pid;
  const st = w.tsvisor(['start', id]);
  assert.equal(st.code, 1);
  assert.match(st.stderr, /error running startContainer hook #0 \(\/bin\/hook\.sh\): exit status 3, stdout: out of startContainer, stderr: err of startContainer/);
  assert.ok(await w.untilStatus(id, 'stopped'));
  assert.ok(await waitFor(() => !alive(pid), ms(10_000)));
  assert.equal(read(c.out), '', 'the init ran');
  assert.ok(!names(read(log)).includes('poststart'));
  assert.equal(w.tsvisor(['delete', id]).code, 0);
  assert.deepEqual(names(read(log)).slice(-1), ['poststop']);
  // A startContainer path is the container's: one the container does not have fails as Go's exec words it.
  const id2 = w.newId();
  assert.equal(w.create(id2, w.bundle(['true'], { hooks: { startContainer: [{ path: '/no/such/hook' }] } })).code, 0);
  const st2 = w.tsvisor(['start', id2]);
  assert.equal(st2.code, 1);
  assert.match(st2.stderr, /error running startContainer hook #0 \(\/no\/such\/hook\): fork\/exec \/no\/such\/hook: no such file or directory/);
  assert.equal(w.tsvisor(['delete', id2]).code, 0);
});

test('run runs every hook too, and state.json keeps the hooks create read (a later config.json does not count)', async () => {
  const id = w.newId();
  const log = join(w.dir, `${id}.log`);
  const dir = allHooks(log, ['true']);
  const c = w.create(id, dir);
  assert.equal(c.code, 0, c.stderr);
  // The bundle changes after create: start and delete still run the hooks create read.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), hooks: {} }));
  assert.equal(w.tsvisor(['start', id]).code, 0);
  assert.ok(await w.untilStatus(id, 'stopped'));
  assert.equal(w.tsvisor(['delete', id]).code, 0);
  assert.deepEqual(names(read(log)).slice(-2), ['poststart', 'poststop']);

  const id2 = w.newId();
  const log2 = join(w.dir, `${id2}.log`);
  const r = w.create(id2, allHooks(log2, ['sh', '-c', 'exit 4']), [], ['run']);
  assert.equal(r.code, 4, r.stderr);
  assert.deepEqual(names(read(log2)), ['prestart', 'createRuntime', 'createRuntime2', 'argv0-is-args0', 'createContainer', 'poststart', 'poststop']);
});

/**
 * runc's hooks.bats: a createRuntime hook bind-mounts a host file over one
 * in the rootfs inside the container's mount namespace (nsenter -m -t
 * PID, PID from its state), a createContainer hook does it where it runs;
 * the container sees both files and the host's mount table neither. Run
 * under runc too where it can be (the oracle: the same output).
 */
function bindHooks(id) {
  const src = join(w.dir, `${id}-lib`);
  mkdirSync(src);
  writeFileSync(join(src, 'cr'), 'from createRuntime\n');
  writeFileSync(join(src, 'cc'), 'from createContainer\n');
  const dir = w.bundle(['sh', '-c', 'cat /lib/cr /lib/cc'], {
    hooks: {
      createRuntime: [{
        path: '/bin/sh',
        args: ['sh', '-c', `pid=$(sed 's/.*"pid": *\\([0-9]*\\).*/\\1/'); nsenter -m -t "$pid" mount --bind ${src}/cr "$(pwd)/rootfs/lib/cr"`],
      }],
      createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `mount --bind ${src}/cc ./lib/cc`] }],
    },
  });
  mkdirSync(join(dir, 'rootfs', 'lib'));
  writeFileSync(join(dir, 'rootfs', 'lib', 'cr'), 'the rootfs\'s own\n');
  writeFileSync(join(dir, 'rootfs', 'lib', 'cc'), 'the rootfs\'s own\n');
  return dir;
}

const rootOnly = process.getuid?.() === 0 && spawnSync('nsenter', ['--version']).status === 0 ? false : 'needs root and nsenter';

nodeTest('a createRuntime hook\'s mount in the container\'s mount namespace (nsenter -t PID) is seen by the container, and not by the host', { skip: SELFCHECK ? 'self-check' : rootOnly }, () => {
  const id = w.newId();
  const dir = bindHooks(id);
  const r = w.tsvisor(['run', '-b', dir, id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'from createRuntime\nfrom createContainer\n');
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(join(dir, 'rootfs', 'lib')), false, 'a hook\'s mount is on the host');
  assert.equal(readFileSync(join(dir, 'rootfs', 'lib', 'cr'), 'utf8'), 'the rootfs\'s own\n');
  if (!runcUsable()) return;
  const rid = `runc-bind-${process.pid}`;
  const rdir = bindHooks(rid);
  mkdirSync(join(rdir, 'rootfs', 'proc'));
  const cfg = JSON.parse(readFileSync(join(rdir, 'config.json'), 'utf8'));
  cfg.mounts = [{ destination: '/proc', type: 'proc', source: 'proc' }];
  writeFileSync(join(rdir, 'config.json'), JSON.stringify(cfg));
  const rr = spawnSync('runc', ['--root', runcRoot(), 'run', '-b', rdir, rid], { encoding: 'utf8', timeout: ms(60_000), cwd: w.dir });
  spawnSync('runc', ['--root', runcRoot(), 'delete', '--force', rid]);
  assert.equal(rr.status, 0, rr.stderr);
  assert.equal(rr.stdout, r.stdout);
});

/** runc as the oracle: whether it can run here (root, installed). */
function runcUsable() {
  return process.getuid?.() === 0 && spawnSync('runc', ['--version']).status === 0;
}

const runcRoot = () => join(w.dir, 'runc-state');

nodeTest('the same hooks under runc: the same order and the same state at each step (runc 1.1\'s known differences aside)', { skip: SELFCHECK || !runcUsable() ? 'needs runc and root' : false }, async () => {
  const run = (runtime, id, dir) => {
    const log = join(w.dir, `${id}.log`);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    for (const list of Object.values(cfg.hooks)) for (const h of list) if (h.path === hostHook) h.args[2] = log;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    if (runtime === 'runc') {
      const opts = { stdio: 'ignore', timeout: ms(60_000), cwd: w.dir };
      assert.equal(spawnSync('runc', ['--root', runcRoot(), 'run', '-b', dir, id], opts).status, 0, 'runc run failed');
      spawnSync('runc', ['--root', runcRoot(), 'delete', '--force', id], opts);
    } else {
      assert.equal(w.create(id, dir, [], ['run']).code, 0);
    }
    return read(log);
  };
  const mk = () => {
    // runc needs a /proc mount target; no startContainer (runc runs it after pivot_root, from the container's own files).
    const dir = allHooks('LOG', ['true'], { startContainer: [] });
    mkdirSync(join(dir, 'rootfs', 'proc'));
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    cfg.mounts = [{ destination: '/proc', type: 'proc', source: 'proc' }];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    return dir;
  };
  const theirs = run('runc', `runc-${process.pid}`, mk());
  const ours = run('tsvisor', w.newId(), mk());
  // runc 1.1 runs poststart within create (before its "created"); tsvisor within start, after the init runs (the spec's place).
  assert.deepEqual(names(theirs), ['prestart', 'createRuntime', 'createRuntime2', 'createContainer', 'poststart', 'poststop']);
  assert.deepEqual(names(ours), names(theirs));
  const a = states(theirs), b = states(ours);
  for (const n of ['prestart', 'createRuntime', 'createContainer', 'poststop']) {
    assert.equal(b[n].status, a[n].status, n);
    assert.deepEqual(Object.keys(b[n]), Object.keys(a[n]), n);
    assert.deepEqual(b[n].annotations, a[n].annotations, n);
  }
  // runc 1.1 gives poststart "created" (it runs at create), tsvisor "running" (it runs after start).
  assert.equal(a.poststart.status, 'created');
  assert.equal(b.poststart.status, 'running');
  // The env and argv rules agree: exactly the hook's env, the runtime's without one, args[0] as argv[0].
  const vars = (t) => Object.fromEntries(lines(t, 'var').map((l) => [l.name, l.rest.replace(/MARKER=.*/, '')]));
  assert.deepEqual(vars(ours), vars(theirs));
});
