// The sandbox's root is a host directory, and nothing outside it is
// reachable: not by an absolute symlink (it resolves inside the sandbox),
// not by a relative one or ".." climbing out, not by a magic /proc link,
// not by a device node or FIFO planted in the tree. /proc and /sys are the
// sandbox's own (empty for now) and /dev holds only the Sentry's devices.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoSentryCrash, runTsvisor } from './lib/harness.js';

let root;
const SECRET = 'host-secret-' + process.pid;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'tsvisor-rootfs-'));
  chmodSync(root, 0o755);
  for (const d of ['bin', 'etc', 'data']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  writeFileSync(join(root, 'etc', 'motd'), 'inside the sandbox\n');
  // A host file next to the root that nothing inside may read.
  writeFileSync(join(root, '..', `${SECRET}.txt`), SECRET);
  symlinkSync('/etc/motd', join(root, 'data', 'abs'));
  symlinkSync(`../../${SECRET}.txt`, join(root, 'data', 'rel'));
  symlinkSync(`/../../../${SECRET}.txt`, join(root, 'data', 'absdots'));
  symlinkSync('/proc/self/root/etc/hostname', join(root, 'data', 'magic'));
  spawnSync('mknod', [join(root, 'data', 'mem'), 'c', '1', '1']);
  spawnSync('mkfifo', [join(root, 'data', 'fifo')]);
});

after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(join(root, '..', `${SECRET}.txt`), { force: true });
});

function cat(path) {
  const r = runTsvisor(['/bin/busybox', 'cat', path], { root, timeout: 30_000 });
  assertNoSentryCrash(r);
  return r;
}

test('an absolute symlink resolves inside the sandbox root', () => {
  const r = cat('/data/abs');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'inside the sandbox\n');
});

for (const [name, path] of [['a relative symlink climbing out', '/data/rel'], ['an absolute symlink with ..', '/data/absdots'],
  ['.. from the root', `/../${SECRET}.txt`], ['a /proc magic link', '/data/magic']]) {
  test(`${name} cannot reach the host`, () => {
    const r = cat(path);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, new RegExp(SECRET));
    assert.match(r.stderr, /No such file or directory/);
  });
}

test('a device node planted in the tree cannot be opened', () => {
  const r = cat('/data/mem');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Permission denied/);
});

test('a FIFO planted in the tree cannot be opened (and does not hang) on the bare host root', () => {
  const r = runTsvisor(['/bin/busybox', 'cat', '/data/fifo'], { root, timeout: 30_000, extraArgs: ['--overlay2', 'none'] });
  assertNoSentryCrash(r);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Permission denied/);
});

test('through the overlay root a FIFO planted in the tree is the sandbox\'s own FIFO, never the host\'s', () => {
  const r = runTsvisor(['/bin/busybox', 'sh', '-c', '/bin/busybox cat /data/fifo & /bin/busybox sleep 0.3; echo through > /data/fifo; wait'], { root, timeout: 30_000 });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'through\n');
});

test('/proc and /sys are the sandbox\'s own and /dev has only the Sentry\'s devices', () => {
  const r = runTsvisor(['/bin/busybox', 'ls', '-a', '/proc', '/sys', '/dev'], { root, timeout: 30_000 });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  // /proc: the system files and the one process there is (ls itself, pid 1); /sys: its own three trees.
  assert.equal(r.stdout, '/dev:\n.\n..\nfd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n\n' +
    '/proc:\n.\n..\n1\ncpuinfo\nfilesystems\nloadavg\nmeminfo\nmounts\nnet\nself\nstat\nswaps\nsys\nsysvipc\nthread-self\nuptime\nversion\n\n' +
    '/sys:\n.\n..\ndevices\nfs\nkernel\n');
});

test('the root file system is read-only with --overlay2 none', () => {
  const r = runTsvisor(['/bin/busybox', 'sh', '-c', 'echo x > /etc/new; echo $?'], { root, timeout: 30_000, extraArgs: ['--overlay2', 'none'] });
  assertNoSentryCrash(r);
  assert.match(r.stderr, /Read-only file system/);
  assert.equal(r.stdout, '1\n');
});
