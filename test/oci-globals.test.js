// tsvisor's own global flags before an OCI command (docs/oci.md's "Global
// flags"), as runsc takes them: --strace and --debug-log reach the
// sandbox's log and never the container's stderr; --overlay2 picks the
// root's medium; --network none gives the sandbox a new network namespace
// even when the spec names none (the host's), seen from the host as the
// sandbox process's /proc/PID/ns/net; --platform takes ptrace only;
// --net-raw (test/rawsock.test.js runs containers with it). Each
// bad value is a clear error, and `do` refuses them before the command.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TSVISOR_BIN, ms, tsvisorHostEnv } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

let w;
before(() => {
  w = new OciWork('tsv-globals-');
});
after(() => w.cleanup());

test('--strace with --debug-log: every call of the container in the sandbox\'s log, in the Sentry\'s format; the container\'s stderr has none', () => {
  const log = join(w.dir, 'debug.log');
  const c = w.create(w.newId(), w.bundle(['sh', '-c', 'cat /dev/null; echo done >&2']), [], ['--strace', '--debug-log', log, 'run']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(readFileSync(c.err, 'utf8'), 'done\n', 'the container\'s stderr is its own');
  const lines = readFileSync(log, 'utf8').split('\n');
  assert.ok(lines.some((l) => /^I\d{4}-\d\d-\d\dT.* strace: \[ *\d+: *\d+\] cat X openat\(AT_FDCWD, 0x[0-9a-f]+ "\/dev\/null", O_RDONLY/.test(l)), 'cat\'s openat traced');
  assert.ok(lines.some((l) => / strace: .* sh [EX] execve\(/.test(l)), 'the init\'s execve traced');
  assert.ok(lines.some((l) => / strace: .* X exit_group\(0\)/.test(l)) || lines.some((l) => / strace: .* exit_group\(0\)/.test(l)), 'exit_group traced');
});

test('--strace with --log: the trace in --log\'s format', () => {
  const log = join(w.dir, 'runc.log');
  const c = w.create(w.newId(), w.bundle(['true']), [], ['--strace', '--log', log, '--log-format', 'json', 'run']);
  assert.equal(c.code, 0, c.stderr);
  const traced = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.msg.startsWith('strace: '));
  assert.ok(traced.some((e) => e.level === 'info' && /exit_group\(0\)/.test(e.msg)), JSON.stringify(traced.slice(-3)));
});

test('--overlay2: root:memory and root:self take writes to the root; none is the rootfs as it is, read-only', () => {
  const write = ['sh', '-c', 'echo x > /written && cat /written'];
  for (const medium of ['root:memory', 'root:self', `root:dir=${w.dir}`]) {
    const c = w.create(w.newId(), w.bundle(write), [], ['--overlay2', medium, 'run']);
    assert.equal(c.code, 0, `${medium}: ${c.stderr}`);
    assert.equal(readFileSync(c.out, 'utf8'), 'x\n', medium);
  }
  const dir = w.bundle(write);
  const c = w.create(w.newId(), dir, [], ['--overlay2', 'none', 'run']);
  assert.notEqual(c.code, 0);
  assert.match(readFileSync(c.err, 'utf8'), /Read-only file system/);
  assert.deepEqual(readdirSync(join(dir, 'rootfs')), ['bin'], 'nothing written to the bundle');
});

test('--network none: a new network namespace for a spec without one (which would be the host\'s)', async () => {
  const spec = { linux: { namespaces: ['pid', 'ipc', 'uts', 'mount'].map((type) => ({ type })) } };
  const nsOf = (globals) => {
    const id = w.newId();
    const c = w.create(id, w.bundle(['sleep', '100'], spec), [], [...globals, 'run', '-d']);
    assert.equal(c.code, 0, c.stderr);
    // The container's pid is the launcher's; the Sentry, its child, is in the namespaces it made.
    const pid = w.state(id).pid;
    const sentry = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    const ns = readlinkSync(`/proc/${sentry}/ns/net`);
    assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
    return ns;
  };
  const host = readlinkSync('/proc/self/ns/net');
  assert.equal(nsOf([]), host, 'without --network none the spec decides: the host\'s');
  assert.notEqual(nsOf(['--network', 'none']), host);
});

test('bad values: each a clear error naming the flag, nothing created; do refuses them before the command', () => {
  const cases = [
    [['--platform', 'kvm'], /--platform kvm: tsvisor has the ptrace platform only/],
    [['--network', 'sandbox'], /--network sandbox: tsvisor has no user-space network stack yet/],
    [['--network', 'bridge'], /--network bridge: expected host or none/],
    [['--overlay2', 'root:disk'], /--overlay2 root:disk: expected root:memory, root:self, root:dir=PATH or none/],
    [['--overlay2', 'root:dir=relative'], /--overlay2 root:dir=relative: the directory must be an absolute host path/],
    [['--strace'], /--strace needs --log or --debug-log/],
  ];
  for (const [flags, want] of cases) {
    const id = w.newId();
    const c = w.create(id, w.bundle(['true']), [], [...flags, 'run']);
    assert.equal(c.code, 1, flags.join(' '));
    assert.match(c.stderr, want, flags.join(' '));
    assert.equal(w.tsvisor(['state', id]).code, 1, `${flags.join(' ')}: nothing created`);
  }
  const d = spawnSync(process.execPath, [TSVISOR_BIN, '--network', 'none', 'do', 'true'], { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(30_000) });
  assert.equal(d.status, 125);
  assert.match(d.stderr, /--network before do is the OCI commands' flag; do takes its own after the command: tsvisor do --network/);
  const dr = spawnSync(process.execPath, [TSVISOR_BIN, '--net-raw', 'do', 'true'], { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(30_000) });
  assert.equal(dr.status, 125);
  assert.match(dr.stderr, /--net-raw before do is the OCI commands' flag; do takes its own after the command: tsvisor do --net-raw/);
  // The flags change nothing for commands that make no sandbox, as runsc's: list still lists.
  assert.equal(w.tsvisor(['--platform', 'ptrace', '--network', 'none', '--net-raw', 'list']).code, 0);
});
