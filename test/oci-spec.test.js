// A bundle for the fields of config.json the boot loader applies, run by
// runc and by tsvisor: runc is the oracle. The container prints what it
// can see of each field (its ids, groups, capabilities and no_new_privs in
// /proc/self/status, umask, rlimits, cwd, env, hostname, domainname,
// oom_score_adj, the mounts it was given, masked and read-only paths) and
// both runs must print the same. Then the resource limits bite: a fork
// loop stops at pids.limit, and an allocation past memory.limit is killed.

import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SELFCHECK, TSVISOR_BIN, ms, tsvisorHostEnv } from './lib/harness.js';

function test(name, fn) {
  return nodeTest(name, SELFCHECK ? { skip: 'the self-check\'s fake tsvisor has no OCI commands' } : {}, fn);
}

const haveRunc = spawnSync('sh', ['-c', 'command -v runc']).status === 0;
let work;
let n = 0;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'tsv-spec-'));
  chmodSync(work, 0o755);
});
after(() => rmSync(work, { recursive: true, force: true }));

const APPLETS = ['sh', 'cat', 'echo', 'ls', 'grep', 'hostname', 'id', 'stat', 'touch', 'sleep', 'head', 'awk', 'umask', 'env', 'dd', 'true'];

/** A bundle: a busybox rootfs with a few files of its own, and config.json = base spec with `linux` and `process` merged in. */
function bundle(args, extra = {}) {
  const dir = join(work, `bundle-${++n}`);
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'work', 'masked-dir', 'ro']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc', 'secret'), 'host secret\n');
  writeFileSync(join(root, 'masked-dir', 'inside'), 'x\n');
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/:/bin/sh\n');
  const vol = join(dir, 'volume');
  mkdirSync(vol);
  writeFileSync(join(vol, 'in-volume'), 'volume file\n');
  writeFileSync(join(dir, 'bound-file'), 'bound file\n');
  const { process: proc = {}, linux = {}, ...rest } = extra;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    ociVersion: '1.0.2',
    process: { args, env: ['PATH=/bin', 'ONE=1'], cwd: '/', user: { uid: 0, gid: 0 }, ...proc },
    root: { path: 'rootfs' },
    linux: { namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })), ...linux },
    ...rest,
  }));
  return dir;
}

function runWith(runtime, dir) {
  const id = `spec-${process.pid}-${++n}`;
  const r = runtime === 'runc'
    ? spawnSync('runc', ['--root', join(work, 'runc-state'), 'run', '-b', dir, id], { encoding: 'utf8', timeout: ms(60_000), stdio: ['ignore', 'pipe', 'pipe'] })
    : spawnSync(process.execPath, [TSVISOR_BIN, '--root', join(work, 'tsv-state'), 'run', '-b', dir, id],
      { encoding: 'utf8', timeout: ms(60_000), env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status ?? 128 + 9, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const CAPS = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID', 'CAP_SETGID', 'CAP_NET_BIND_SERVICE'];

// What the container prints of itself; every line is one field's effect.
const PROBE = [
  'grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Umask):" /proc/self/status',
  'echo "umask $(umask)"',
  'grep -E "^Max (open files|processes|core file size)" /proc/self/limits',
  'echo "cwd $(pwd)"',
  'echo "env ONE=$ONE TWO=$TWO"',
  'echo "hostname $(hostname)"',
  'echo "domainname $(cat /proc/sys/kernel/domainname)"',
  'echo "oom_score_adj $(cat /proc/self/oom_score_adj)"',
  // The spec's mounts, in order, as mountinfo shows their mount points.
  'awk \'$5 ~ /^\\/(scratch|vol|vol-ro|etc\\/bound|proc|dev|dev\\/pts|sys)$/ {print "mount " $5 " " $6}\' /proc/self/mountinfo',
  'echo "scratch $(stat -c %a /scratch)"',
  'cat /vol/in-volume /etc/bound',
  'touch /vol-ro/x 2>/dev/null; echo "write vol-ro $?"',
  'echo "secret [$(cat /etc/secret)] $(stat -c %F /etc/secret)"',
  'echo "masked-dir [$(ls /masked-dir)]"',
  'touch /ro/x 2>/dev/null; echo "write ro $?"',
  'touch /work/x 2>/dev/null; echo "write work $?"',
].join('; ');

test('config.json fields: the container sees what runc gives it', (t) => {
  if (!haveRunc) return t.skip('runc is not installed (the oracle)');
  const mk = () => bundle(['sh', '-c', PROBE], {
    hostname: 'spec-host',
    domainname: 'spec.domain',
    process: {
      env: ['PATH=/bin', 'ONE=1', 'TWO=two'],
      cwd: '/work',
      user: { uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 0o027 },
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 768 }, { type: 'RLIMIT_NPROC', soft: 300, hard: 400 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }],
      noNewPrivileges: true,
      oomScoreAdj: 123,
    },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1770', 'size=1m'] },
      { destination: '/vol', type: 'bind', source: 'volume', options: ['rbind', 'rw'] },
      { destination: '/vol-ro', type: 'bind', source: 'volume', options: ['rbind', 'ro'] },
      { destination: '/etc/bound', type: 'bind', source: 'bound-file', options: ['bind', 'ro'] },
    ],
    linux: {
      maskedPaths: ['/etc/secret', '/masked-dir', '/no/such/path'],
      readonlyPaths: ['/ro', '/also/absent'],
      sysctl: { 'kernel.domainname': 'spec.domain' },
    },
  });
  const runc = runWith('runc', mk());
  assert.equal(runc.code, 0, `runc: ${runc.stderr}`);
  const tsv = runWith('tsvisor', mk());
  assert.equal(tsv.stderr, '');
  assert.equal(tsv.stdout, runc.stdout);
  assert.equal(tsv.code, runc.code);
  // The oracle printed what the fields say (a check that the probe probes).
  assert.match(runc.stdout, /^Uid:\t1000\t1000\t1000\t1000$/m);
  assert.match(runc.stdout, /^Groups:\t10 20 $/m);
  assert.match(runc.stdout, /^hostname spec-host$/m);
  assert.match(runc.stdout, /^secret \[\] character special file$/m);
});

const PROC = [{ destination: '/proc', type: 'proc', source: 'proc' }];

test('pids.limit stops a fork loop, and memory.limit ends an allocation past it', (t) => {
  // Counted by each runtime its own way (runc: the host's cgroups; tsvisor: the Sentry), so checked as facts, not compared.
  // ash ends (status 2) when a fork fails, under runc as here: the count it reached is the limit's work.
  const forks = bundle(['sh', '-c', 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); echo $i; done 2>/dev/null; echo all'],
    { linux: { resources: { pids: { limit: 20 } } }, mounts: PROC });
  for (const rt of haveRunc ? ['tsvisor', 'runc'] : ['tsvisor']) {
    const f = runWith(rt, forks);
    const lines = f.stdout.trim().split('\n');
    assert.doesNotMatch(f.stdout, /all/, `${rt}: 60 processes started under a limit of 20`);
    assert.equal(f.code, 2, `${rt}: ${f.stderr}`);
    assert.ok(Number(lines.at(-1)) >= 15 && Number(lines.at(-1)) < 20, `${rt}: ${lines.at(-1)} forks`);
  }
  const mem = bundle(['sh', '-c', 'echo before; dd if=/dev/zero of=/dev/null bs=300M count=1 2>/dev/null; echo survived $?'],
    { linux: { resources: { memory: { limit: 64 * 1024 * 1024 } } }, mounts: PROC });
  const m = runWith('tsvisor', mem);
  assert.match(m.stdout, /^before\n/);
  // The allocation fails (ENOMEM, dd's status 1) or its process is OOM-killed: either way it never completes.
  assert.doesNotMatch(m.stdout, /survived 0/, 'an allocation of 300 MB went past a 64 MiB limit');
  if (!haveRunc) return;
  const mr = runWith('runc', mem);
  assert.doesNotMatch(mr.stdout, /survived 0/, 'runc let it pass too: the probe does not allocate');
});

test('spec fields tsvisor cannot honour are refused, naming the field', () => {
  const cases = [
    [{ linux: { sysctl: { 'net.ipv4.ip_forward': '1' } } }, /linux\.sysctl: net\.ipv4\.ip_forward/],
    [{ mounts: [{ destination: '/x', type: 'nfs', source: 'server:/x' }] }, /mounts\[0\] \(\/x\): mount type "nfs"/],
    [{ linux: { devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }] } }, /linux\.devices: \/dev\/sda/],
    [{ mounts: [{ destination: '/x', type: 'bind', source: '/no/such/dir', options: ['bind'] }] }, /mounts\[0\] \(\/x\): the source \/no\/such\/dir/],
  ];
  for (const [extra, why] of cases) {
    const r = runWith('tsvisor', bundle(['true'], extra));
    assert.notEqual(r.code, 0, JSON.stringify(extra));
    assert.match(r.stderr, why);
  }
});
