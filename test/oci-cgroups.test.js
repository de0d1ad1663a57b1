// cgroups (docs/oci.md, "Resources and cgroups"): the container's
// /sys/fs/cgroup is the Sentry's cgroup2 (src/fs/cgroupfs), showing the
// spec's limits and the Sentry's usage, and writable as Linux lets root
// write a non-root cgroup; the sandbox process runs in the host cgroup
// linux.cgroupsPath names (src/container/cgroup.ts), which delete removes.
//
// runc is the oracle for what a container reads of its cgroup where the
// host has cgroup v2 at /sys/fs/cgroup (runc then mounts cgroup2 there);
// on a cgroup v1 or hybrid host runc shows v1 files, and the comparison is
// skipped, saying so. The host-side tests need a writable cgroup v2
// hierarchy: /sys/fs/cgroup, or else (a hybrid host) its cgroup2 mount at
// /sys/fs/cgroup/unified through the test bundle's TSVISOR_TEST_CGROUP_ROOT,
// where only the mechanics (made, entered, removed) can be checked, since
// no controller lives there.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, readFileSync, readdirSync, rmdirSync, statfsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE_DIR, REPO, compileC, ms, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, alive, test } from './lib/oci.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TEST_ENTRY = join(REPO, 'test', 'lib', 'tsvisor-test.js');

/** Whether dir is a cgroup v2 hierarchy this process may make cgroups in. */
function writableV2(dir) {
  try {
    if (Number(statfsSync(dir).type) !== CGROUP2_SUPER_MAGIC) return false;
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const HOST_V2 = writableV2('/sys/fs/cgroup');
/** The hierarchy the host-side tests use, and whether its controllers are there (cpu, memory, pids). */
const ROOT = HOST_V2 ? '/sys/fs/cgroup' : writableV2('/sys/fs/cgroup/unified') ? '/sys/fs/cgroup/unified' : null;
const controllers = ROOT === null ? [] : readFileSync(join(ROOT, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
const FULL = ['cpu', 'memory', 'pids'].every((c) => controllers.includes(c));
const haveRunc = spawnSync('sh', ['-c', 'command -v runc']).status === 0;
const NO_V2 = 'the host has no writable cgroup v2 hierarchy (at /sys/fs/cgroup, or a hybrid host\'s /sys/fs/cgroup/unified)';

/** The test bundle's CLI (it alone reads TSVISOR_TEST_CGROUP_ROOT), with the host-side tests' hierarchy. */
class CgroupWork extends OciWork {
  tsvisor(args, opts = {}) {
    const r = spawnSync(process.execPath, [TEST_ENTRY, '--root', this.stateRoot, ...args], {
      env: { ...tsvisorHostEnv(), ...(ROOT !== null ? { TSVISOR_TEST_CGROUP_ROOT: ROOT } : {}) },
      encoding: 'utf8', timeout: ms(60_000), killSignal: 'SIGKILL', cwd: this.dir, ...opts,
    });
    assert.ok(r.error === undefined || r.error === null, `tsvisor ${args.join(' ')}: ${r.error?.message}`);
    return { code: r.status ?? 128 + 9, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }
}

let w;
/** Cgroup directories the tests made on the host, removed at the end (deepest first). */
const madeDirs = [];
before(() => {
  w = new CgroupWork('tsv-cgroups-');
});
after(() => {
  w.cleanup();
  for (const d of madeDirs.reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // Gone, or not empty: left for a human.
    }
  }
});

const EXTRA_APPLETS = ['dd', 'stat', 'grep', 'rm', 'mkdir', 'mount', 'awk'];
const CGROUP_MOUNT = (options) => ({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options });
const RO = ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'];
const NAMESPACES = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type }));

/** A bundle running sh -c script with a cgroup mount (and /proc, /sys), the cgroup namespace, and linux fields merged in. */
function bundle(script, linux = {}, extra = {}) {
  const dir = w.bundle(['sh', '-c', script], {
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      CGROUP_MOUNT(extra.cgroupOptions ?? RO),
    ],
    linux: { namespaces: NAMESPACES, ...linux },
    ...(extra.process ? { process: extra.process } : {}),
  });
  for (const a of EXTRA_APPLETS) symlinkSync('busybox', join(dir, 'rootfs', 'bin', a));
  return dir;
}

function run(dir) {
  const r = w.tsvisor(['run', '-b', dir, w.newId()], { stdio: ['ignore', 'pipe', 'pipe'] });
  return r;
}

const LIMITS = { memory: { limit: 64 * 2 ** 20 }, pids: { limit: 20 } };

test('the container\'s /sys/fs/cgroup shows the spec\'s limits and the Sentry\'s usage', () => {
  const script = [
    'cd /sys/fs/cgroup',
    'cat cgroup.controllers cgroup.type memory.max pids.max cpu.max cpu.weight /proc/self/cgroup',
    'echo "magic $(stat -f -c %t .)"',
    'awk \'$5 == "/sys/fs/cgroup" {print "mount", $6, $(NF-2), $(NF-1)}\' /proc/self/mountinfo',
    // 15 of the 16 MiB: the processes alive at each reading (cat, the shell's forks) are counted too and differ.
    'before=$(cat memory.current)',
    'dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null',
    'after=$(cat memory.current); peak=$(cat memory.peak)',
    'echo "grew $((after - before >= 15728640)) peak $((peak >= after))"',
    'rm /tmp/fill; echo "freed $(($(cat memory.current) < after)) peak kept $(($(cat memory.peak) >= after))"',
    'sleep 30 & sleep 30 & echo "pids $(cat pids.current) procs $(wc -l < cgroup.procs)"',
    'grep -q "^1$" cgroup.procs && echo "init listed"',
    'u0=$(awk \'/^usage_usec/ {print $2}\' cpu.stat)',
    'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done',
    'u1=$(awk \'/^usage_usec/ {print $2}\' cpu.stat)',
    'echo "cpu grew $((u1 > u0))"; awk \'{print $1}\' cpu.stat | tr "\\n" " "; echo',
    'grep oom_kill memory.events',
    'echo 5 > pids.max 2>/dev/null || echo "read-only refused"',
  ].join('; ');
  const r = run(bundle(script, { resources: LIMITS }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'cpu memory pids', 'domain', '67108864', '20', 'max 100000', '100', '0::/',
    `magic ${CGROUP2_SUPER_MAGIC.toString(16)}`,
    'mount ro,nosuid,nodev,noexec,relatime cgroup2 cgroup',
    'grew 1 peak 1', 'freed 1 peak kept 1',
    // sh, two sleeps, and the cat (or wc) reading the file.
    'pids 4 procs 4', 'init listed',
    'cpu grew 1', 'usage_usec user_usec system_usec ',
    'oom_kill 0',
    'read-only refused', '',
  ].join('\n'));
});

test('a writable cgroupfs: root changes the Sentry\'s limits, the rest as Linux answers', () => {
  const script = [
    'cd /sys/fs/cgroup',
    'try() { if eval "$1" 2>/tmp/e; then echo "$1: ok"; else echo "$1: $(sed "s/.*: //" /tmp/e)"; fi; }',
    'try "echo 3 > pids.max"; cat pids.max',
    // sh and the subshell, then its first sleep make three: the second fork fails, and the subshell
    // ends with it (ash's "can't fork"). Not a pipe: its reader would be a fourth task, forked
    // before or after the sleeps as it happens.
    '(sleep 2 & sleep 2 & sleep 2 & wait) 2>/tmp/forks; grep -c "can\'t fork" /tmp/forks',
    'try "echo max > pids.max"; cat pids.max',
    'try "echo 100M > memory.max"; cat memory.max',
    'try "echo 4096 > memory.max"',
    'try "echo lots > memory.max"',
    'try "echo 32M > memory.max"',
    // A string doubled past the limit: the page fault that finds no memory calls the OOM killer.
    'awk \'BEGIN { s = "x"; while (1) s = s s }\' 2>/dev/null; echo "awk $?"',
    'grep -E "^(oom|oom_kill) " memory.events',
    'try "echo \'max 100000\' > cpu.max"',
    'try "echo 50000 > cpu.max"',
    'try "echo 100 > cpu.weight"',
    'try "echo 200 > cpu.weight"',
    'try "echo +memory > cgroup.subtree_control"',
    'try "echo \'+pids +cpu\' > cgroup.subtree_control"; cat cgroup.subtree_control',
    'try "echo +io > cgroup.subtree_control"',
    'try "echo +nonsense > cgroup.subtree_control"',
    'try "echo 1 > cgroup.procs"',
    'try "echo 999 > cgroup.procs"',
    'try "echo threaded > cgroup.type"',
    'try "echo 1 > memory.current"',
    'try "mkdir child"',
    'mkdir /mnt; try "mount -t cgroup2 none /mnt"; cat /mnt/pids.max /mnt/cgroup.subtree_control',
    'try "mount -t cgroup -o memory none /mnt"',
  ].join('; ');
  const r = run(bundle(script, { resources: LIMITS }, { cgroupOptions: ['nosuid', 'noexec', 'nodev'] }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'echo 3 > pids.max: ok', '3', '1',
    'echo max > pids.max: ok', 'max',
    'echo 100M > memory.max: ok', '104857600',
    // Below what the sandbox holds: refused (Linux would reclaim and OOM-kill).
    'echo 4096 > memory.max: Device or resource busy',
    'echo lots > memory.max: Invalid argument',
    'echo 32M > memory.max: ok',
    'awk 137', 'oom 1', 'oom_kill 1',
    'echo \'max 100000\' > cpu.max: ok',
    'echo 50000 > cpu.max: Operation not permitted',
    'echo 100 > cpu.weight: ok',
    'echo 200 > cpu.weight: Operation not permitted',
    'echo +memory > cgroup.subtree_control: Device or resource busy',
    'echo \'+pids +cpu\' > cgroup.subtree_control: ok', 'cpu pids',
    'echo +io > cgroup.subtree_control: No such file or directory',
    'echo +nonsense > cgroup.subtree_control: Invalid argument',
    'echo 1 > cgroup.procs: ok',
    'echo 999 > cgroup.procs: No such process',
    'echo threaded > cgroup.type: Operation not supported',
    'echo 1 > memory.current: Permission denied',
    'mkdir child: Operation not permitted',
    'mount -t cgroup2 none /mnt: ok', 'max', 'cpu pids',
    'mount -t cgroup -o memory none /mnt: No such device', '',
  ].join('\n'));
});

test('a writable cgroupfs: a user other than root cannot open the limits for writing', () => {
  const script = '(echo 5 > /sys/fs/cgroup/pids.max) 2>&1 | sed "s/.*: //"; cat /sys/fs/cgroup/pids.max';
  const r = run(bundle(script, { resources: LIMITS }, {
    cgroupOptions: ['nosuid', 'noexec', 'nodev'], process: { user: { uid: 1000, gid: 1000 } },
  }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Permission denied\n20\n');
});

test('hostile: garbage written and read from 4 processes at once leaves the cgroupfs and the Sentry serving', () => {
  // test/hostile/README.md: cgroupfs.c.
  const dir = bundle('/cgroupfs 4; cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max', { resources: LIMITS },
    { cgroupOptions: ['nosuid', 'noexec', 'nodev'] });
  copyFileSync(compileC('cgroupfs', { static: true, dir: HOSTILE_DIR }), join(dir, 'rootfs', 'cgroupfs'));
  const r = run(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'writers: 4\ntree: ok\nlimits: ok\nfork: ok\nmax\nmax\n');
});

// What a container reads of its cgroup, the same under runc and tsvisor (the controllers differ: runc's cgroup has
// every controller the host enables, tsvisor's the three whose figures the Sentry keeps).
const SAME_AS_RUNC = [
  'cd /sys/fs/cgroup',
  'cat cgroup.type memory.max pids.max cpu.max /proc/self/cgroup',
  'echo "magic $(stat -f -c %t .)"',
  'awk \'$5 == "/sys/fs/cgroup" {print "mount", $(NF-2)}\' /proc/self/mountinfo',
  'sleep 30 & sleep 30 & echo "pids $(cat pids.current) procs $(wc -l < cgroup.procs)"',
  'echo "weight $(cat cpu.weight)"',
].join('; ');

/** runc's shares-to-weight conversion before 1.3.2 (Debian 12's runc 1.1.5), and after it (tsvisor's, config/resources.ts). */
const linearWeight = (s) => 1 + Math.floor(((s - 2) * 9999) / 262142);
const quadraticWeight = (s) => {
  const l = Math.log2(s);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
};

test('runc shows the same cgroup files for the same bundle', (t) => {
  if (!haveRunc) return t.skip('runc is not installed (the oracle)');
  if (!HOST_V2 || !FULL) return t.skip('the host\'s /sys/fs/cgroup is not a writable cgroup v2 hierarchy with cpu, memory and pids: runc would show other files');
  const resources = { ...LIMITS, cpu: { shares: 512, quota: 50000, period: 100000 } };
  const parent = `/tsvisor-oci-cgroups-${process.pid}`;
  madeDirs.push(join('/sys/fs/cgroup', parent));
  const runcDir = bundle(SAME_AS_RUNC, { resources, cgroupsPath: `${parent}/runc` });
  const rc = spawnSync('runc', ['--root', join(w.dir, 'runc-state'), 'run', '-b', runcDir, w.newId()],
    { encoding: 'utf8', timeout: ms(60_000), stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(rc.status, 0, `runc: ${rc.stderr}`);
  const tsv = run(bundle(SAME_AS_RUNC, { resources, cgroupsPath: `${parent}/tsvisor` }));
  assert.equal(tsv.code, 0, tsv.stderr);
  const body = (s) => s.replace(/^weight .*\n/m, '');
  assert.equal(body(tsv.stdout), body(rc.stdout));
  assert.match(rc.stdout, /^50000 100000$/m, 'runc wrote the quota (a check that the probe probes)');
  // cpu.weight: runc's conversion changed in 1.3.2; tsvisor has the new one.
  const runcWeight = Number(/^weight (\d+)$/m.exec(rc.stdout)[1]);
  assert.ok([linearWeight(512), quadraticWeight(512)].includes(runcWeight), `runc's cpu.weight ${runcWeight}`);
  assert.match(tsv.stdout, new RegExp(`^weight ${quadraticWeight(512)}$`, 'm'));
});

/** The host cgroup's directory for cgroupsPath p (absolute, no systemd form). */
const hostDir = (p) => join(ROOT, p);
const readHost = (dir, f) => readFileSync(join(dir, f), 'utf8').trim();

test('the sandbox runs in the host cgroup linux.cgroupsPath names; delete removes it', async (t) => {
  if (ROOT === null) return t.skip(NO_V2);
  const parent = `/tsvisor-oci-cgroups-${process.pid}-host`;
  madeDirs.push(hostDir(parent));
  const id = w.newId();
  // unified's files are written as given: hugetlb, where the hierarchy has it (a hybrid host's cgroup2 often has only it).
  const hugetlb = controllers.includes('hugetlb');
  const resources = {
    ...LIMITS, ...(FULL ? { cpu: { shares: 512, quota: 50000, period: 100000 } } : {}),
    ...(hugetlb ? { unified: { 'hugetlb.2MB.max': '2097152' } } : {}),
  };
  const dir = bundle('while :; do cat /sys/fs/cgroup/cpu.max; sleep 0.2; done', { resources, cgroupsPath: `${parent}/${id}` });
  const c = w.create(id, dir, [], ['run', '-d']);
  assert.equal(c.code, 0, c.stderr);
  const cg = hostDir(`${parent}/${id}`);
  assert.ok(existsSync(cg), `${cg} was not made`);
  const pid = w.state(id).pid;
  const procs = readHost(cg, 'cgroup.procs').split('\n').map(Number);
  // The sandbox and what it forked (the Sentry, the stubs) were born there; the runtime itself moved back out.
  assert.ok(procs.includes(pid), `the sandbox ${pid} is not in ${cg}: ${procs}`);
  assert.ok(procs.length >= 3, `only ${procs} in ${cg}`);
  if (hugetlb) assert.equal(readHost(cg, 'hugetlb.2MB.max'), '2097152');
  if (FULL) {
    assert.equal(readHost(cg, 'cpu.max'), '50000 100000');
    assert.equal(readHost(cg, 'cpu.weight'), String(quadraticWeight(512)));
    // Second bounds on the whole sandbox: the Sentry's own memory and threads have room beyond the container's.
    assert.equal(readHost(cg, 'memory.max'), String(64 * 2 ** 20 + 256 * 2 ** 20));
    assert.equal(readHost(cg, 'pids.max'), '84');
    // update's CPU limits reach the host cgroup and the container's view of it.
    const u = w.tsvisor(['update', '--cpu-quota', '20000', '--memory', '100m', id]);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(readHost(cg, 'cpu.max'), '20000 100000');
    assert.equal(readHost(cg, 'memory.max'), String(100 * 2 ** 20 + 256 * 2 ** 20));
    assert.ok(await waitFor(() => readFileSync(c.out, 'utf8').trim().split('\n').at(-1) === '20000 100000', ms(10_000)),
      readFileSync(c.out, 'utf8'));
  } else {
    t.diagnostic(`${ROOT} has no cpu, memory and pids controllers: only the cgroup's making, entering and removal are checked`);
  }
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
  assert.ok(!alive(pid));
  assert.ok(!existsSync(cg), `${cg} is still there after delete`);
});

test('--systemd-cgroup: slice:prefix:name is the scope /SLICE/prefix-name.scope; a foreground run stays outside it', async (t) => {
  if (ROOT === null) return t.skip(NO_V2);
  const slice = `tsvcg${process.pid}.slice`;
  madeDirs.push(join(ROOT, slice));
  const id = w.newId();
  const dir = bundle('sleep 30', { cgroupsPath: `${slice}:tsvisor:${id}` });
  // run in the foreground: the runtime moved itself in to fork the sandbox, and back out.
  const cli = spawn(process.execPath, [TEST_ENTRY, '--root', w.stateRoot, '--systemd-cgroup', 'run', '-b', dir, id], {
    env: { ...tsvisorHostEnv(), TSVISOR_TEST_CGROUP_ROOT: ROOT }, stdio: 'ignore',
  });
  const exited = new Promise((r) => cli.on('exit', r));
  const scope = join(ROOT, slice, `tsvisor-${id}.scope`);
  const procs = () => (existsSync(scope) ? readHost(scope, 'cgroup.procs').split('\n').map(Number) : []);
  assert.ok(await waitFor(() => existsSync(join(w.stateRoot, id)) && w.state(id).status === 'running', ms(20_000), 100));
  const sandbox = w.state(id).pid;
  assert.ok(procs().includes(sandbox), `the sandbox ${sandbox} is not in ${scope}: ${procs()}`);
  assert.ok(!procs().includes(cli.pid), `the runtime ${cli.pid} stayed in ${scope}`);
  assert.equal(w.tsvisor(['kill', id, 'KILL']).code, 0);
  await exited;
  assert.ok(!existsSync(scope), 'run deleted the container but left its scope');
  // runc's words for a path that is not slice:prefix:name.
  const bad = w.tsvisor(['--systemd-cgroup', 'run', '-b', bundle('true', { cgroupsPath: '/not/systemd' }), w.newId()]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "\/not\/systemd" instead/);
});

test('a CPU limit with no host cgroup to enforce it fails create, naming the field; memory and pids alone, or a CPU weight, do not', () => {
  const before = existsSync(w.stateRoot) ? readdirSync(w.stateRoot).length : 0;
  const r = run(bundle('true', { resources: { cpu: { quota: 50000 } } }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /linux\.resources\.cpu\.quota: only a host cgroup can enforce it, and config\.json has no linux\.cgroupsPath/);
  assert.equal(readdirSync(w.stateRoot).length, before, 'a failed create left its state directory');
  if (!HOST_V2) {
    // The production CLI sees the host's own /sys/fs/cgroup: cgroup v1 or hybrid here.
    const id = w.newId();
    const p = spawnSync(process.execPath, [join(REPO, 'bin', 'tsvisor.js'), '--root', w.stateRoot, 'run', '-b',
      bundle('cat /sys/fs/cgroup/memory.max', { resources: { ...LIMITS, cpu: { quota: 50000, period: 100000 } }, cgroupsPath: `/x/${id}` }), id],
    { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000) });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /linux\.resources\.cpu\.quota: only a host cgroup can enforce it, and the host's \/sys\/fs\/cgroup is not a cgroup v2 hierarchy/);
    // cpu.shares is a weight among cgroups, not a limit (ctr and CRI always send one): the container runs.
    const s = spawnSync(process.execPath, [join(REPO, 'bin', 'tsvisor.js'), '--root', w.stateRoot, 'run', '-b',
      bundle('true', { resources: { ...LIMITS, cpu: { shares: 100 } }, cgroupsPath: `/x/${id}` }), id],
    { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000) });
    assert.equal(s.status, 0, s.stderr);
    const q = spawnSync(process.execPath, [join(REPO, 'bin', 'tsvisor.js'), '--root', w.stateRoot, 'run', '-b',
      bundle('cat /sys/fs/cgroup/memory.max', { resources: LIMITS, cgroupsPath: `/x/${id}` }), id],
    { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000) });
    assert.equal(q.status, 0, q.stderr);
    assert.equal(q.stdout, '67108864\n');
  }
  if (ROOT !== null && !FULL) {
    // A hierarchy without the cpu controller: the write that cannot be made names it.
    const id = w.newId();
    const x = run(bundle('true', { resources: { cpu: { quota: 50000 } }, cgroupsPath: `/tsvisor-oci-cgroups-${process.pid}-x/${id}` }));
    madeDirs.push(join(ROOT, `tsvisor-oci-cgroups-${process.pid}-x`));
    assert.equal(x.code, 1);
    assert.match(x.stderr, /linux\.resources\.cpu\.quota: the host cgroup .* has no cpu\.max \(its controller, cpu, is not enabled there\)/);
    assert.ok(!existsSync(join(ROOT, `tsvisor-oci-cgroups-${process.pid}-x`, id)), 'the failed create left its cgroup');
  }
});

test('linux.cgroupsPath as runc reads it', async () => {
  const { cgroupPathFor } = await import('../dist/container/cgroup.js');
  assert.equal(cgroupPathFor('/a/../b/./c/', false, '/'), '/b/c');
  // A relative path is below the parent of the runtime's own cgroup, and cannot climb out of it.
  assert.equal(cgroupPathFor('x/../../y', false, '/user.slice/session-1.scope'), '/user.slice/y');
  assert.equal(cgroupPathFor('machine.slice:libpod:abc', true, '/'), '/machine.slice/libpod-abc.scope');
  assert.equal(cgroupPathFor('user-1000.slice:p:n', true, '/'), '/user.slice/user-1000.slice/p-n.scope');
  assert.equal(cgroupPathFor(':p:n', true, '/'), '/system.slice/p-n.scope');
  assert.equal(cgroupPathFor('a.slice:p:b.slice', true, '/'), '/a.slice/b.slice');
  assert.throws(() => cgroupPathFor('a:b', true, '/'), /expected cgroupsPath to be of format/);
  assert.throws(() => cgroupPathFor('a--b.slice:p:n', true, '/'), /invalid slice name: a--b\.slice/);
  assert.throws(() => cgroupPathFor('/', false, '/'), /names the root of the cgroup hierarchy/);
  assert.throws(() => cgroupPathFor('../..', false, '/'), /names the root of the cgroup hierarchy/);
});
