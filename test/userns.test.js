// User namespaces. test/c/userns.c (unshare and clone with CLONE_NEWUSER,
// the uid_map/gid_map/setgroups files and their rules, ids and
// capabilities through a namespace) runs natively and under tsvisor and
// must print the same. Then an OCI bundle with linux.uidMappings and
// gidMappings, run by runc and by tsvisor: the container must see the same
// ids, maps, file owners (mapped, and 65534 for a host file whose owner
// is unmapped), refusals, and its new files must have the same owners on
// the host's volume; `exec` joins the same namespace.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO as REPO_DIR, assertSameAsNative, compileC, ms, tsvisorHostEnv } from './lib/harness.js';
import { OciWork, makeBundle, test as ociTest } from './lib/oci.js';

const ROOT = process.getuid?.() === 0;
const RUNC = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();

for (const mode of ['static', 'dynamic']) {
  nodeTest(`userns (${mode}) behaves as natively`, ROOT ? {} : { skip: 'needs root (it maps ids as the parent namespace\'s root)' }, () => {
    const bin = compileC('userns', { static: mode === 'static' });
    const { native } = assertSameAsNative([bin], { checkNativeDeterministic: true });
    assert.match(native.stdout, /\ndone\n$/, 'native userns did not reach its end');
    // The native run did make namespaces (a host that forbids them would print the same refusals twice).
    assert.match(native.stdout, /^unshare_newuser: 0$/m);
    assert.match(native.stdout, /^nesting: 33 levels, then ENOSPC$/m);
  });
}

let w;
before(() => {
  w = new OciWork('tsv-userns-');
});
after(() => {
  if (RUNC !== '') spawnSync(RUNC, ['--root', join(w.dir, 'runc-state'), 'delete', '--force', 'ux-runc']);
  w.cleanup();
});

const CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'];
const MAP = [{ containerID: 0, hostID: 100000, size: 1000 }];

/** A busybox bundle in a user namespace mapping 0-999 to host 100000-100999, with host files of mapped and unmapped owners. */
function usernsBundle(args, proc = {}) {
  const dir = join(w.dir, `bundle-${w.newId()}`);
  makeBundle(dir, args, {
    process: { capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS }, ...proc },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/vol', type: 'bind', source: 'vol', options: ['rbind', 'rw'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    ],
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'user'].map((type) => ({ type })),
      uidMappings: MAP,
      gidMappings: MAP,
    },
  });
  const root = join(dir, 'rootfs');
  for (const a of ['chown', 'grep', 'stat', 'awk']) symlinkSync('busybox', join(root, 'bin', a));
  // Mount points made beforehand: the container's root cannot make them in a directory host root owns.
  for (const d of ['proc', 'dev', 'vol', 'scratch', 'etc', 'data']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/:/bin/sh\nseven:x:7:8::/:/bin/sh\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\neight:x:8:\n');
  chownSync(join(root, 'data'), 100000, 100000);
  for (const [name, uid, gid] of [['mine', 100000, 100000], ['five', 100005, 100007], ['hostroot', 0, 0], ['stranger', 5000, 5000]]) {
    writeFileSync(join(root, 'data', name), `${name}\n`);
    chownSync(join(root, 'data', name), uid, gid);
  }
  mkdirSync(join(dir, 'vol'));
  chownSync(join(dir, 'vol'), 100000, 100000);
  return dir;
}

function runc(args, opts = {}) {
  const r = spawnSync(RUNC, ['--root', join(w.dir, 'runc-state'), ...args], { encoding: 'utf8', timeout: ms(60_000), cwd: w.dir, ...opts });
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function runBoth(args, proc = {}) {
  const dirs = { runc: usernsBundle(args, proc), tsvisor: usernsBundle(args, proc) };
  const r = runc(['run', '-b', dirs.runc, `u-${w.newId()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = w.tsvisor(['run', '-b', dirs.tsvisor, `u-${w.newId()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { runc: r, tsvisor: t, dirs };
}

// What the container prints of the namespace; ls -ln without the dates.
const PROBE = [
  'id',
  'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups',
  'grep -E "^(Uid|Gid|Groups|CapEff):" /proc/self/status',
  'ls -ln /data/five /data/hostroot /data/mine /data/stranger /bin/busybox | awk \'{print $1, $3, $4, $NF}\'',
  'echo made > /data/new; echo made > /vol/new',
  'ls -ln /data/new /vol/new | awk \'{print $1, $3, $4, $NF}\'',
  'chown 5000 /data/mine 2>/dev/null; echo "chown to unmapped $?"',
  'chown 7:8 /data/mine; echo "chown mapped $?"; stat -c "%u:%g %n" /data/mine',
  'chown 0 /data/hostroot 2>/dev/null; echo "chown unmapped owner $?"',
  'cat /data/stranger >/dev/null 2>&1; echo "read unmapped 0644 $?"',
  '(echo x >> /data/stranger) 2>/dev/null; echo "write unmapped 0644 $?"',
  '(echo x > /x) 2>/dev/null; echo "write in a host-root directory $?"',
  'stat -c "%u:%g %n" /scratch /vol',
  'grep " /scratch " /proc/self/mounts | grep -o "uid=[0-9]*,gid=[0-9]*"',
].join('; ');

ociTest('a bundle with uid and gid mappings: the container sees what runc gives it', (t) => {
  if (RUNC === '') return t.skip('runc is not installed (the oracle)');
  if (!ROOT) return t.skip('needs root (the mappings name host ids)');
  const { runc: r, tsvisor: v, dirs } = runBoth(['sh', '-c', PROBE]);
  assert.equal(r.code, 0, `runc: ${r.stderr}`);
  assert.equal(v.stderr, r.stderr);
  assert.equal(v.stdout, r.stdout);
  assert.equal(v.code, r.code);
  // The oracle says what the test means: the namespace's view.
  assert.match(r.stdout, /^uid=0\(root\) gid=0\(root\)/m);
  assert.match(r.stdout, /^ +0 +100000 +1000$/m);
  assert.match(r.stdout, /^-rw-r--r-- 5 7 \/data\/five$/m);
  assert.match(r.stdout, /^-rw-r--r-- 65534 65534 \/data\/hostroot$/m);
  assert.match(r.stdout, /^chown to unmapped 1$/m);
  assert.match(r.stdout, /^7:8 \/data\/mine$/m);
  // On the host, the volume's new file belongs to the mapped ids, under either runtime.
  for (const [rt, dir] of Object.entries(dirs)) {
    const st = statSync(join(dir, 'vol', 'new'));
    assert.deepEqual([st.uid, st.gid], [100000, 100000], `${rt}: owner of the volume's new file`);
  }
});

ociTest('a process user the mappings do not cover is refused, as runc refuses it', (t) => {
  if (RUNC === '') return t.skip('runc is not installed (the oracle)');
  if (!ROOT) return t.skip('needs root');
  const { runc: r, tsvisor: v } = runBoth(['id'], { user: { uid: 5000, gid: 0 } });
  assert.notEqual(r.code, 0, 'runc ran a user its mappings do not cover');
  assert.notEqual(v.code, 0, 'tsvisor ran a user its mappings do not cover');
  assert.equal(v.stdout, '');
  assert.match(v.stderr, /process\.user: uid 5000 has no mapping in the user namespace/);
});

ociTest('exec joins the container\'s user namespace', (t) => {
  if (RUNC === '') return t.skip('runc is not installed (the oracle)');
  if (!ROOT) return t.skip('needs root');
  const probe = ['sh', '-c', 'id; cat /proc/self/uid_map; echo made > /vol/exec-made; stat -c "%u:%g" /data/five'];
  const out = {};
  for (const rt of ['runc', 'tsvisor']) {
    const dir = usernsBundle(['sleep', '1000']);
    const id = `ux-${rt}`;
    // The detached container keeps what it was given as stdio: files, never a pipe this waits on.
    const start = rt === 'runc' ? runc(['run', '-d', '-b', dir, id], { stdio: 'ignore' }) : w.create(id, dir, [], ['run', '-d']);
    assert.equal(start.code, 0, `${rt} run -d: ${start.stderr}`);
    const x = rt === 'runc' ? runc(['exec', id, ...probe]) : w.tsvisor(['exec', id, ...probe], { env: tsvisorHostEnv() });
    assert.equal(x.code, 0, `${rt} exec: ${x.stderr}`);
    out[rt] = x.stdout;
    const st = statSync(join(dir, 'vol', 'exec-made'));
    assert.deepEqual([st.uid, st.gid], [100000, 100000], `${rt}: owner of the file exec made`);
    if (rt === 'runc') runc(['delete', '--force', id]);
    else w.tsvisor(['delete', '--force', id]);
  }
  assert.equal(out.tsvisor, out.runc);
  assert.match(out.runc, /^uid=0\(root\) gid=0\(root\)/m);
});

ociTest('a user namespace joined by path (/proc/PID/ns/user): the container has its maps and ids, as under runc', async (t) => {
  if (RUNC === '') return t.skip('runc is not installed (the oracle)');
  if (!ROOT) return t.skip('needs root (the holder maps host ids)');
  const { spawn } = await import('node:child_process');
  const holder = spawn('python3', [join(REPO_DIR, 'test', 'lib', 'userns_holder.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const pid = await new Promise((resolve) => holder.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    const out = {};
    for (const rt of ['runc', 'tsvisor']) {
      const dir = usernsBundle(['sh', '-c', 'id; cat /proc/self/uid_map /proc/self/gid_map; stat -c "%u:%g %n" /data/mine /data/hostroot']);
      const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      cfg.linux.namespaces = cfg.linux.namespaces.map((n) => (n.type === 'user' ? { type: 'user', path: `/proc/${pid}/ns/user` } : n));
      writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
      out[rt] = rt === 'runc' ? runc(['run', '-b', dir, `uj-${w.newId()}`], { stdio: ['ignore', 'pipe', 'pipe'] })
        : w.tsvisor(['run', '-b', dir, `uj-${w.newId()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    assert.equal(out.runc.code, 0, `runc: ${out.runc.stderr}`);
    assert.equal(out.tsvisor.stdout, out.runc.stdout);
    assert.equal(out.tsvisor.code, 0, out.tsvisor.stderr);
    assert.match(out.runc.stdout, /^ +0 +100000 +1000$/m);
  } finally {
    holder.stdout.destroy();
    holder.kill('SIGKILL');
  }
});

ociTest('a user namespace path that is no process\'s /proc/PID/ns/user is refused, naming the field', () => {
  const dir = usernsBundle(['true']);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  cfg.linux.namespaces = cfg.linux.namespaces.map((n) => (n.type === 'user' ? { type: 'user', path: '/run/some-ns-file' } : n));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  const r = w.tsvisor(['run', '-b', dir, `ub-${w.newId()}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /linux\.namespaces\[5\]\.path \/run\/some-ns-file: tsvisor joins a user namespace named by a process's \/proc\/PID\/ns\/user only/);
});
