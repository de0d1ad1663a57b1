// The root overlay's upper layer on disk (runsc's --overlay2 root:dir=PATH
// and root:self): what the program writes to its tree goes to a nameless
// host file, so it may write more than the sandbox's memory; the host
// directory is left as it was; a full disk is ENOSPC for the writer and the
// Sentry goes on; shared and private mappings of such a file behave as on
// any file; bad media are refused before anything runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, assertNoSentryCrash, runTsvisor } from './lib/harness.js';

const scratch = () => {
  mkdirSync(OUT, { recursive: true });
  return mkdtempSync(join(OUT, 'overlay-medium-'));
};

// 96 MiB written with 48 MiB of sandbox memory, then mapped shared (a write
// through the mapping is seen by read) and privately (a write is not).
const BIG = `dd if=/dev/zero of=/var/big bs=1M count=96 2>/dev/null; echo dd=$?; stat -c %s /var/big; python3 -c '
import mmap
f = open("/var/big", "r+b")
m = mmap.mmap(f.fileno(), 0)
m[90 << 20] = 7
m.flush(); m.close()
def at(off):
    g = open("/var/big", "rb"); g.seek(off); return g.read(1)[0]
print(at(90 << 20))
p = mmap.mmap(f.fileno(), 1 << 20, access=mmap.ACCESS_COPY, offset=90 << 20)
p[0] = 9
print(p[0], at(90 << 20))
'`;

test('--overlay2 root:dir=PATH: the upper layer is on disk, past the sandbox\'s memory; PATH is left empty', () => {
  const dir = scratch();
  try {
    const r = runTsvisor(['/bin/sh', '-c', BIG], { extraArgs: ['--total-memory', '48M', '--overlay2', `root:dir=${dir}`] });
    assertNoSentryCrash(r);
    assert.equal(r.stdout, 'dd=0\n100663296\n7\n9 7\n', r.stderr);
    assert.equal(r.code, 0);
    assert.deepEqual(readdirSync(dir), [], 'the file store left a file behind');
    // The same write in memory stops at the upper layer's size (half the sandbox's memory).
    const m = runTsvisor(['/bin/sh', '-c', 'dd if=/dev/zero of=/var/big bs=1M count=96 2>/dev/null; echo dd=$?; stat -c %s /var/big'],
      { extraArgs: ['--total-memory', '48M'] });
    assertNoSentryCrash(m);
    assert.equal(m.stdout, `dd=1\n${24 << 20}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--overlay2 root:self: the file is on the root\'s own file system, and the root tree is unchanged', () => {
  const dir = scratch();
  try {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'motd'), 'host\n');
    const sh = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
    assert.ok(sh, 'busybox (busybox-static) is needed');
    mkdirSync(join(root, 'bin'));
    spawnSync('cp', [sh, join(root, 'bin', 'busybox')]);
    const r = runTsvisor(['/bin/busybox', 'sh', '-c', 'echo sandbox > /etc/motd; /bin/busybox mkdir /new; echo x > /new/f; /bin/busybox cat /etc/motd /new/f'],
      { root, extraArgs: ['--overlay2', 'root:self'] });
    assertNoSentryCrash(r);
    assert.equal(r.stdout, 'sandbox\nx\n', r.stderr);
    assert.deepEqual(readdirSync(root).sort(), ['bin', 'etc']);
    assert.deepEqual(readdirSync(join(root, 'etc')), ['motd']);
    assert.equal(spawnSync('cat', [join(root, 'etc', 'motd')], { encoding: 'utf8' }).stdout, 'host\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a full disk under the file store is ENOSPC for the writer; the sandbox goes on and frees what it removes', (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to mount a small tmpfs');
  const dir = scratch();
  try {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
    if (m.status !== 0) return t.skip(`cannot mount a tmpfs here: ${m.stderr}`);
    const r = runTsvisor(['/bin/sh', '-c',
      'dd if=/dev/zero of=/big bs=1M count=20 2>/dev/null; echo dd=$?; rm /big; dd if=/dev/zero of=/big2 bs=1M count=6 2>/dev/null; echo again=$?'],
    { extraArgs: ['--overlay2', `root:dir=${dir}`] });
    assertNoSentryCrash(r);
    assert.equal(r.stdout, 'dd=1\nagain=0\n', r.stderr);
    assert.equal(r.code, 0);
  } finally {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --overlay2 media are refused before anything runs, naming what is wrong', () => {
  const dir = scratch();
  try {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    for (const [medium, why] of [
      ['root:dir=relative/dir', /must be an absolute host path/],
      [`root:dir=${join(dir, 'missing')}`, /ENOENT|no such file/i],
      [`root:dir=${file}`, /is not a directory/],
      ['root:disk', /expected root:memory, root:self, root:dir=PATH or none/],
    ]) {
      const r = runTsvisor(['/bin/true'], { extraArgs: ['--overlay2', medium] });
      assert.equal(r.code, 125, `${medium}: ${r.stderr}`);
      assert.match(r.stderr, why, medium);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
