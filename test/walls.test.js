// The second wall, seen from the host (docs/security.md): `tsvisor do`'s
// Sentry runs in namespaces of its own, with an empty root, no-new-privs,
// only the capabilities it needs and a seccomp filter that kills it on a
// host call outside its table; its stubs run under an identity no host
// process has; it works rootless and as root.

import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO, SELFCHECK, TSVISOR_COMMAND, allProcesses, compileC, descendantsOf, ms, sleep, spawnTsvisor, stubsOf, tsvisorHostEnv, waitFor,
} from './lib/harness.js';

const TEST_ENTRY = join(REPO, 'test', 'lib', 'tsvisor-test.js');

/** Every test here is about the real tsvisor: the self-check's fake has no walls. */
function test(name, opts, fn) {
  if (typeof opts === 'function') [opts, fn] = [{}, opts];
  return nodeTest(name, SELFCHECK ? { ...opts, skip: 'the self-check\'s fake tsvisor has no walls' } : opts, fn);
}
const IS_ROOT = process.getuid() === 0;
const CAP_DAC_OVERRIDE = 1;
const CAP_DAC_READ_SEARCH = 2;
const CAP_KILL = 5;
const CAP_NET_BIND_SERVICE = 10;
const CAP_NET_RAW = 13;

function statusField(pid, name) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status) ?? [])[1]?.trim();
}

/** The Sentry (Node, the launcher's child) of the tsvisor process `pid`, once it has sealed itself. */
async function sealedSentry(pid) {
  return waitFor(() => {
    const s = descendantsOf(pid).find((p) => p.comm === 'node' || p.comm === 'MainThread');
    if (!s) return null;
    try {
      return statusField(s.pid, 'Seccomp') === '2' ? s : null;
    } catch {
      return null;
    }
  }, ms(15_000));
}

/** `tsvisor do FLAGS... ARGV...` as spawnTsvisor runs it, with do's flags; prefix: a command to run it under. */
function spawnDo(flags, argv, prefix = [], repo = REPO) {
  const cmd = [...prefix, process.execPath, join(repo, 'bin', 'tsvisor.js'), 'do', ...flags, '--cwd', '/', ...argv];
  return spawn(cmd[0], cmd.slice(1), { env: tsvisorHostEnv(), stdio: 'ignore', cwd: '/' });
}

function exited(child) {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

test('the Sentry is sealed: seccomp, no-new-privs, only the capabilities it needs, an empty root, namespaces of its own', async () => {
  const bin = compileC('sighost', { static: true });
  const child = spawnTsvisor([bin, 'sleep']);
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    assert.equal(statusField(sentry.pid, 'Seccomp'), '2');
    assert.equal(statusField(sentry.pid, 'NoNewPrivs'), '1');
    // As root: CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (read the root as
    // root does) and CAP_KILL (signal stubs of another uid); no
    // CAP_SETUID/CAP_SETGID, since every stub is forked from one made
    // before the seal. Both: CAP_NET_BIND_SERVICE, for the inet sockets'
    // host sockets (the Sentry checks the program's own).
    const allowed = (IS_ROOT ? [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_KILL, CAP_NET_BIND_SERVICE] : [CAP_NET_BIND_SERVICE])
      .reduce((m, c) => m | (1n << BigInt(c)), 0n);
    for (const set of ['CapEff', 'CapPrm', 'CapBnd']) {
      const v = BigInt(`0x${statusField(sentry.pid, set)}`);
      assert.equal(v & ~allowed, 0n, `${set} ${v.toString(16)} has more than ${allowed.toString(16)}`);
    }
    assert.equal(statusField(sentry.pid, 'CapInh'), '0000000000000000');
    assert.equal(statusField(sentry.pid, 'CapAmb'), '0000000000000000');
    assert.deepEqual(readdirSync(`/proc/${sentry.pid}/root`), []);
    for (const ns of ['mnt', 'pid', 'ipc', 'uts', 'net']) {
      assert.notEqual(readlinkSync(`/proc/${sentry.pid}/ns/${ns}`), readlinkSync(`/proc/self/ns/${ns}`), `${ns} namespace`);
    }
    // Its root file system is reached through a read-only mount tree: even
    // host root cannot write through the Sentry's descriptor of it.
    const rootFds = readdirSync(`/proc/${sentry.pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${sentry.pid}/fd/${fd}`) === '/' && existsSync(`/proc/${sentry.pid}/fd/${fd}/tmp`);
      } catch {
        return false;
      }
    });
    assert.ok(rootFds.length > 0, 'no descriptor of the root');
    for (const fd of rootFds) {
      assert.throws(() => writeFileSync(`/proc/${sentry.pid}/fd/${fd}/tmp/tsvisor-walls-${process.pid}`, 'x'),
        (e) => e.code === 'EROFS', `fd ${fd} is writable`);
    }
    // The stubs live in the Sentry's pid namespace.
    const stubs = stubsOf(child.pid);
    assert.ok(stubs.length > 0);
    for (const s of stubs) assert.equal(readlinkSync(`/proc/${s.pid}/ns/pid`), readlinkSync(`/proc/${sentry.pid}/ns/pid`));
  } finally {
    child.kill('SIGKILL');
  }
});

/** Runs `tsvisor do FLAGS sighost sleep` and calls check(sentry, child) once its Sentry is sealed. */
async function withSealedSentry(flags, check) {
  const bin = compileC('sighost', { static: true });
  const child = spawnDo(flags, [bin, 'sleep']);
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    await check(sentry, child);
  } finally {
    child.kill('SIGKILL');
  }
}

test('--net-raw: the Sentry keeps CAP_NET_RAW as well (for the program\'s raw and packet host sockets), and nothing more', () => withSealedSentry(['--net-raw'], (sentry) => {
  const allowed = (IS_ROOT ? [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_KILL, CAP_NET_BIND_SERVICE, CAP_NET_RAW] : [CAP_NET_BIND_SERVICE, CAP_NET_RAW])
    .reduce((m, c) => m | (1n << BigInt(c)), 0n);
  for (const set of ['CapEff', 'CapPrm']) {
    const v = BigInt(`0x${statusField(sentry.pid, set)}`);
    assert.equal(v & ~allowed, 0n, `${set} ${v.toString(16)} has more than ${allowed.toString(16)}`);
    assert.notEqual(v & (1n << BigInt(CAP_NET_RAW)), 0n, `${set} ${v.toString(16)} lacks CAP_NET_RAW`);
  }
}));

test('--network=host keeps the host network namespace (and only it)', () => withSealedSentry(['--network=host'], (sentry) => {
  assert.equal(readlinkSync(`/proc/${sentry.pid}/ns/net`), readlinkSync('/proc/self/ns/net'));
  assert.notEqual(readlinkSync(`/proc/${sentry.pid}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'));
}));

test('the Sentry\'s Node is started without NODE_EXTRA_CA_CERTS (40 ms of certificates); the sandbox\'s program gets it', async () => {
  const ca = '/etc/ssl/certs/ca-certificates.crt';
  const env = { ...tsvisorHostEnv(), NODE_EXTRA_CA_CERTS: ca };
  const bin = compileC('sighost', { static: true });
  const cmd = [process.execPath, join(REPO, 'bin', 'tsvisor.js'), 'do', '--cwd', '/', bin, 'sleep'];
  const child = spawn(cmd[0], cmd.slice(1), { env, stdio: 'ignore', cwd: '/' });
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    const environ = readFileSync(`/proc/${sentry.pid}/environ`, 'latin1').split('\0');
    assert.ok(!environ.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'the Sentry was started with NODE_EXTRA_CA_CERTS');
  } finally {
    child.kill('SIGKILL');
  }
  // Through the native entry (bin/tsvisor) and through `node bin/tsvisor.js`: the program's environment is the one given.
  for (const argv of [[TSVISOR_COMMAND], [process.execPath, join(REPO, 'bin', 'tsvisor.js')]]) {
    const r = spawnSync(argv[0], [...argv.slice(1), 'do', '--cwd', '/', '/usr/bin/env'], { env, encoding: 'utf8', timeout: ms(30_000) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^NODE_EXTRA_CA_CERTS=${ca}$`, 'm'));
    assert.doesNotMatch(r.stdout, /TSVISOR_SAVED/);
  }
});

test('root asking for --userns gets a user namespace of its own', { skip: IS_ROOT ? false : 'root only' },
  () => withSealedSentry(['--userns'], (sentry, child) => {
    assert.notEqual(readlinkSync(`/proc/${sentry.pid}/ns/user`), readlinkSync('/proc/self/ns/user'));
    assert.ok(stubsOf(child.pid).length > 0);
  }));

test('a bad --network is refused', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'tsvisor.js'), 'do', '--network=bridge', '/bin/true'],
    { env: tsvisorHostEnv(), encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.match(r.stderr, /--network bridge: expected one of none, host/);
});

test('the production bundle has no test-only entries', () => {
  const prod = readFileSync(join(REPO, 'dist', 'tsvisor.cjs'), 'utf8');
  assert.ok(!prod.includes('TSVISOR_TEST_FORBIDDEN_CALL'));
  assert.ok(!prod.includes('TSVISOR_TEST_SECCOMP_LOG'));
  assert.ok(!prod.includes('TSVISOR_TEST_SOCKET_PAIRS'));
  assert.ok(readFileSync(join(REPO, 'dist', 'tsvisor-test.cjs'), 'utf8').includes('TSVISOR_TEST_FORBIDDEN_CALL'));
});

test('a Sentry that makes a host call outside its filter is killed by SIGSYS', () => {
  const r = spawnSync(process.execPath, [TEST_ENTRY, 'do', '/bin/true'],
    { env: { ...tsvisorHostEnv(), TSVISOR_TEST_FORBIDDEN_CALL: '1' }, encoding: 'utf8', timeout: ms(30_000) });
  assert.equal(r.signal, 'SIGSYS', `status ${r.status} signal ${r.signal}: ${r.stderr}`);
  // And without that entry the same build runs the program.
  const ok = spawnSync(process.execPath, [TEST_ENTRY, 'do', '/bin/true'], { env: tsvisorHostEnv(), timeout: ms(30_000) });
  assert.equal(ok.status, 0);
});

test('the filter allows socket(2) only for the pairs the Sentry makes: raw inet and AF_PACKET only with --net-raw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-pairs-'));
  try {
    const pairsWith = (flags) => {
      const log = join(dir, `log-${flags.length}`);
      const r = spawnSync(process.execPath, [TEST_ENTRY, 'do', ...flags, '--debug-log', log, '/bin/true'],
        { env: { ...tsvisorHostEnv(), TSVISOR_TEST_SOCKET_PAIRS: '1' }, encoding: 'utf8', timeout: ms(30_000) });
      assert.equal(r.status, 0, r.stderr);
      return /test: socket pairs after the seal: (.*)$/m.exec(readFileSync(log, 'utf8'))?.[1];
    };
    // AF_INET (2) stream, datagram, raw; AF_INET6 (10) raw; AF_PACKET (17) raw, datagram, SOCK_PACKET; AF_NETLINK (16); AF_UNIX (1): -38 is ENOSYS.
    assert.equal(pairsWith([]), '2/1=ok 2/2=ok 2/3=-38 10/3=-38 17/3=-38 17/2=-38 17/10=-38 16/3=-38 1/1=-38');
    assert.equal(pairsWith(['--net-raw']), '2/1=ok 2/2=ok 2/3=ok 10/3=ok 17/3=ok 17/2=ok 17/10=-38 16/3=-38 1/1=-38');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stubs run under a uid and gid of their own, which no host process outside the sandbox has',
  () => withSealedSentry([], (sentry, child) => {
    const stubs = stubsOf(child.pid);
    assert.ok(stubs.length > 0);
    const sandbox = new Set([child.pid, ...descendantsOf(child.pid).map((p) => p.pid)]);
    for (const s of stubs) {
      const uid = statusField(s.pid, 'Uid').split('\t')[0];
      const gid = statusField(s.pid, 'Gid').split('\t')[0];
      if (!IS_ROOT) {
        // Rootless: the caller's uid is the only one there is.
        assert.equal(uid, String(process.getuid()));
        continue;
      }
      assert.notEqual(uid, '65534');
      assert.notEqual(uid, '0');
      for (const p of allProcesses()) {
        if (sandbox.has(p.pid)) continue;
        let u;
        try {
          u = statusField(p.pid, 'Uid').split('\t');
        } catch {
          continue;
        }
        assert.ok(!u.includes(uid), `host process ${p.pid} (${p.comm}) runs as the stubs' uid ${uid}`);
      }
      assert.notEqual(gid, '65534');
    }
  }));

/** `head -c 1 PATH` as host nobody: { status, stderr }. */
function readAsNobody(path) {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'head', '-c', '1', path], { encoding: 'latin1' });
  return { status: r.status, stderr: r.stderr ?? '' };
}

test('a host process running as nobody cannot open the stubs\' /proc mem or fd entries', { skip: IS_ROOT ? false : 'needs root to become nobody' },
  () => withSealedSentry([], (sentry, child) => {
    // The way in works: nobody reads a /proc entry it may read, so a
    // refusal below is the stubs' doing, not setpriv's or head's.
    const control = readAsNobody('/proc/self/status');
    assert.equal(control.status, 0, `nobody cannot read its own /proc/self/status: ${control.stderr}`);
    const stubs = stubsOf(child.pid);
    assert.ok(stubs.length > 0);
    for (const s of stubs) {
      for (const entry of ['mem', 'fd/3', 'environ', 'maps']) {
        const r = readAsNobody(`/proc/${s.pid}/${entry}`);
        assert.notEqual(r.status, 0, `nobody read /proc/${s.pid}/${entry}`);
        // Refused for want of permission (the stub is not dumpable), not
        // because the entry was missing or the stub had gone.
        assert.match(r.stderr, /Permission denied/, `/proc/${s.pid}/${entry}: ${r.stderr}`);
      }
      assert.ok(existsSync(`/proc/${s.pid}`), `stub ${s.pid} went away during the check`);
    }
  }));

test('two sandboxes\' stubs have different identities and namespaces: one cannot reach the other\'s', async () => {
  const bin = compileC('sighost', { static: true });
  const a = spawnDo([], [bin, 'sleep']);
  const b = spawnDo([], [bin, 'sleep']);
  try {
    const [sa, sb] = await Promise.all([sealedSentry(a.pid), sealedSentry(b.pid)]);
    assert.ok(sa && sb, 'no sealed Sentry process found');
    const stubsA = await waitFor(() => (stubsOf(a.pid).length > 0 ? stubsOf(a.pid) : null), ms(10_000));
    const stubsB = await waitFor(() => (stubsOf(b.pid).length > 0 ? stubsOf(b.pid) : null), ms(10_000));
    assert.ok(stubsA && stubsB, 'a sandbox has no stub');
    const id = (p) => `${statusField(p.pid, 'Uid').split('\t')[0]}:${statusField(p.pid, 'Gid').split('\t')[0]}`;
    const ns = (p, n) => readlinkSync(`/proc/${p.pid}/ns/${n}`);
    for (const n of ['pid', 'mnt', 'ipc', 'uts', 'net']) {
      assert.notEqual(ns(sa, n), ns(sb, n), `the two Sentries share a ${n} namespace`);
    }
    for (const s of stubsA) assert.equal(ns(s, 'pid'), ns(sa, 'pid'));
    for (const s of stubsB) assert.equal(ns(s, 'pid'), ns(sb, 'pid'));
    if (IS_ROOT) {
      // As root the launcher gives each sandbox a uid and gid no other
      // process has, so one sandbox's stubs cannot ptrace or read the
      // other's; rootless both are the caller (docs/security.md, "Identities").
      const idsA = new Set(stubsA.map(id));
      const idsB = new Set(stubsB.map(id));
      assert.equal(idsA.size, 1, `sandbox A's stubs have several identities: ${[...idsA]}`);
      assert.equal(idsB.size, 1, `sandbox B's stubs have several identities: ${[...idsB]}`);
      assert.notEqual([...idsA][0], [...idsB][0], 'two sandboxes\' stubs share a uid:gid');
    }
  } finally {
    a.kill('SIGKILL');
    b.kill('SIGKILL');
  }
});

/** A host user for the rootless test: made here (as root) if missing. */
function rootlessUser() {
  const name = 'tsvisor-rootless';
  let r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
    r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  }
  if (r.status !== 0) return null;
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * The build as the test user can reach it: the repository itself, or, when
 * a directory above it is closed to other users (a clone in a private
 * home), a copy of what running tsvisor needs, with the given programs.
 */
function reachableBuild(u, programs = []) {
  const asUser = (...cmd) => spawnSync('setpriv', [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--', ...cmd]).status === 0;
  const files = [join(REPO, 'bin', 'tsvisor.js'), join(REPO, 'dist', 'tsvisor.cjs'), join(REPO, 'build', 'Release', 'tsvisor_native.node'), ...programs];
  if (files.every((f) => asUser('test', '-r', f))) return { repo: REPO, programs, cleanup() {} };
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-rootless-'));
  chmodSync(dir, 0o755);
  for (const d of ['bin', 'dist']) cpSync(join(REPO, d), join(dir, d), { recursive: true });
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  for (const f of ['tsvisor_native.node', 'tsvisor-stub', 'vdso.so', 'tsvisor-launch']) {
    copyFileSync(join(REPO, 'build', 'Release', f), join(dir, 'build', 'Release', f));
  }
  copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  const copies = programs.map((p, i) => {
    const c = join(dir, `program-${i}`);
    copyFileSync(p, c);
    chmodSync(c, 0o755);
    return c;
  });
  return { repo: dir, programs: copies, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('tsvisor do works for an unprivileged host user (rootless: a user namespace maps only the caller)', { skip: IS_ROOT ? false : 'needs root to become another user' }, () => {
  const u = rootlessUser();
  assert.ok(u, 'cannot make a test user (useradd)');
  const build = reachableBuild(u);
  try {
    const run = (args) => spawnSync('setpriv', [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--',
      process.execPath, join(build.repo, 'bin', 'tsvisor.js'), 'do', '--cwd', '/', ...args],
    { env: tsvisorHostEnv(), encoding: 'utf8', cwd: '/', timeout: ms(60_000) });
    const r = run(['/bin/sh', '-c', 'id -u; echo hello; exit 3']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, `${u.uid}\nhello\n`);
  } finally {
    build.cleanup();
  }
});

test('tsvisor do works for an unprivileged host user: the Sentry is sealed too', { skip: IS_ROOT ? false : 'needs root to become another user' }, async () => {
  const u = rootlessUser();
  assert.ok(u);
  const build = reachableBuild(u, [compileC('sighost', { static: true })]);
  const child = spawnDo([], [build.programs[0], 'sleep'], ['setpriv', `--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--'], build.repo);
  const done = exited(child);
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    assert.equal(statusField(sentry.pid, 'NoNewPrivs'), '1');
    // CAP_NET_BIND_SERVICE alone, in its own user namespace (for its own network namespace's low ports).
    assert.equal(statusField(sentry.pid, 'CapEff'), '0000000000000400');
    assert.equal(statusField(sentry.pid, 'Uid').split('\t')[0], String(u.uid));
    assert.notEqual(readlinkSync(`/proc/${sentry.pid}/ns/user`), readlinkSync('/proc/self/ns/user'));
    assert.deepEqual(readdirSync(`/proc/${sentry.pid}/root`), []);
    for (const s of stubsOf(child.pid)) assert.equal(statusField(s.pid, 'Uid').split('\t')[0], String(u.uid));
  } finally {
    child.kill('SIGKILL');
    await Promise.race([done, sleep(ms(5000))]);
    build.cleanup();
  }
});

test('where namespaces cannot be made, tsvisor says so, runs in the host\'s, and still seals what it can', { skip: IS_ROOT ? false : 'needs root to set up the host' }, () => {
  // A host without user namespaces for unprivileged users, made inside a
  // user namespace of its own (the limit is per namespace): the launcher's,
  // as root with --userns, which maps root and the stubs' uid (read from
  // its marker), max_user_namespaces 0, then tsvisor as that uid.
  const log = join(tmpdir(), `tsvisor-walls-degraded-${process.pid}.log`);
  writeFileSync(log, '');
  chmodSync(log, 0o666); // nobody writes it
  const inner = `U=$(echo "$TSVISOR_LAUNCHED" | sed 's/.*stub=\\([0-9]*\\):.*/\\1/') && echo 0 > /proc/sys/user/max_user_namespaces && setpriv --reuid=$U --regid=$U --clear-groups -- ${process.execPath} ${join(REPO, 'bin', 'tsvisor.js')} do --debug-log ${log} --cwd / /bin/sh -c 'echo inside; exit 4'`;
  const r = spawnSync(join(REPO, 'build', 'Release', 'tsvisor-launch'), ['--userns', '--network=host', '--', '/bin/sh', '-c', inner],
    { env: tsvisorHostEnv(), encoding: 'utf8', cwd: '/', timeout: ms(60_000) });
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.stdout, 'inside\n');
  assert.match(r.stderr, /cannot create the sandbox's namespaces/);
  const text = readFileSync(log, 'utf8');
  assert.match(text, /seal: the launcher made no namespaces/);
  assert.match(text, /seal: cannot change the root/);
  assert.match(text, /seal: seccomp filter installed/);
  rmSync(log, { force: true });
});

test('a Node diagnostic report of the sealed Sentry (SIGUSR2 with --report-on-signal) is written and the sandbox goes on', async () => {
  const child = spawn(process.execPath, ['--report-on-signal', '--report-filename=stderr', join(REPO, 'bin', 'tsvisor.js'), 'do',
    '--cwd', '/', '--', '/bin/sh', '-c', 'sleep 2; echo done'], { env: tsvisorHostEnv(), stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = exited(child);
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    process.kill(sentry.pid, 'SIGUSR2');
    const end = await done;
    assert.deepEqual(end, { code: 0, signal: null }, stderr.slice(-500));
    assert.equal(stdout, 'done\n');
    assert.match(stderr, /"event": "SIGUSR2"/);
    assert.match(stderr, /"libuv": \[/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('SIGUSR1 to the sealed Sentry writes the task dump (each task and the call it waits in) and the sandbox goes on', async () => {
  const child = spawnTsvisor(['/bin/sh', '-c', 'sleep 2; echo done']);
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = exited(child);
  try {
    const sentry = await sealedSentry(child.pid);
    assert.ok(sentry, 'no sealed Sentry process found');
    await sleep(500);
    process.kill(sentry.pid, 'SIGUSR1');
    const end = await done;
    assert.deepEqual(end, { code: 0, signal: null }, stderr.slice(-500));
    assert.equal(stdout, 'done\n');
    assert.match(stderr, /^tsvisor: task dump: \d+ tasks/m);
    assert.match(stderr, /comm "sh" \| blocked \| in wait4\(/);
    assert.match(stderr, /comm "sleep" \| blocked \| in (clock_nanosleep|nanosleep)\(/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('SIGKILL of tsvisor leaves no Sentry and no stub behind', async () => {
  const bin = compileC('sighost', { static: true });
  const child = spawnTsvisor([bin, 'sleep']);
  const sentry = await sealedSentry(child.pid);
  assert.ok(sentry);
  const procs = [sentry, ...stubsOf(child.pid)];
  const done = exited(child);
  child.kill('SIGKILL');
  await done;
  const gone = await waitFor(() => procs.every((p) => !existsSync(`/proc/${p.pid}`) ||
    statusField(p.pid, 'State').startsWith('Z')), ms(5000));
  assert.ok(gone, 'a Sentry or stub process outlived tsvisor');
});
