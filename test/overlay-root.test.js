// The sandbox's root is an overlay: the host tree below, the Sentry's
// memory above. A program changes a tree of host files as it likes
// (test/c/overlay_root.c): what it sees is what Linux's overlayfs shows for
// the same changes to a scratch copy of the tree, and the host tree is left
// exactly as it was.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, assertNoSentryCrash, compileC, ms, runNative, runTsvisor } from './lib/harness.js';

function makeTree(dir) {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0\n');
  writeFileSync(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  mkdirSync(join(dir, 'd', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'd', 'a'), 'A\n');
  linkSync(join(dir, 'd', 'a'), join(dir, 'd', 'b'));
  writeFileSync(join(dir, 'd', 'sub', 'deep'), 'D\n');
  mkdirSync(join(dir, 'many'));
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, 'many', `f${String(i).padStart(2, '0')}`), `${i}\n`);
  symlinkSync('etc/passwd', join(dir, 'link'));
}

/** Every path below dir with its kind, mode, size, link count, inode and contents. */
function snapshot(dir, rel = '') {
  const out = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = join(rel, name);
    const st = lstatSync(join(dir, p));
    out.push(`${p} ${st.mode.toString(8)} ${st.size} ${st.nlink} ${st.ino} ${st.mtimeMs}` +
      (st.isFile() ? ` ${readFileSync(join(dir, p), 'latin1')}` : ''));
    if (st.isDirectory()) out.push(...snapshot(dir, p));
  }
  return out;
}

/**
 * A scratch host tree made by make(dir), given to fn(lower, nativeRun):
 * nativeRun(bin, { opts, upperSize, timeout }) runs bin natively on the
 * merged directory of Linux's own overlayfs over a copy of the tree (mount
 * options opts; with upperSize, its upper layer on a tmpfs of that many
 * bytes). After fn the host tree must be exactly as it was.
 */
function withHostTree(prefix, make, fn) {
  const scratch = mkdtempSync(join(OUT, prefix));
  try {
    const lower = join(scratch, 'tree');
    mkdirSync(lower);
    make(lower);
    const before = snapshot(lower);
    const copy = join(scratch, 'native-lower');
    assert.equal(spawnSync('cp', ['-a', lower, copy]).status, 0);
    const nativeRun = (bin, { opts = '', upperSize = 0, timeout } = {}) => {
      const [layers, merged] = ['native-layers', 'native'].map((n) => join(scratch, n));
      for (const d of [layers, merged]) mkdirSync(d);
      const tmpfs = upperSize > 0 ? `mount -t tmpfs -o size=${upperSize} tmpfs ${layers} && ` : '';
      const all = `lowerdir=${copy},upperdir=${layers}/upper,workdir=${layers}/work${opts ? `,${opts}` : ''}`;
      return runNative(['unshare', '-m', 'sh', '-c',
        `${tmpfs}mkdir ${layers}/upper ${layers}/work && mount -t overlay overlay -o ${all} ${merged} && exec "$0" ${merged}`, bin],
      timeout ? { timeout } : {});
    };
    fn(lower, nativeRun);
    assert.deepEqual(snapshot(lower), before, 'the host tree changed');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('a program changing host files through the overlay root sees what Linux shows, and the host tree is unchanged', () => {
  const bin = compileC('overlay_root', { static: true });
  withHostTree('overlay-root-', makeTree, (lower, nativeRun) => {
    // Natively on Linux's own overlayfs with its default redirect_dir=off
    // (a directory with lower entries: EXDEV) and index=on (hard links stay
    // one file when copied up).
    const native = nativeRun(bin, { opts: 'redirect_dir=off,index=on' });
    const sandboxed = runTsvisor([bin, lower]);
    assertNoSentryCrash(sandboxed);
    assert.equal(native.code, 0, native.stderr);
    assert.equal(sandboxed.stdout, native.stdout);
    assert.equal(sandboxed.code, native.code);
  });
});

test('writes anywhere in the tree stay in the sandbox; /tmp is the sandbox\'s own', () => {
  const tag = `tsvisor-ovl-${process.pid}`;
  const r = runTsvisor(['/bin/sh', '-c',
    `echo hi > /tmp/${tag} && cat /tmp/${tag} && echo etc > /etc/${tag} && cat /etc/${tag} && mkdir /usr/${tag} && ` +
    `touch /usr/${tag}/f && ls /usr/${tag} && rm /etc/passwd && ls /etc/passwd; echo rc=$?`]);
  assertNoSentryCrash(r);
  assert.equal(r.stdout, `hi\netc\nf\nrc=2\n`, r.stderr);
  for (const p of [`/tmp/${tag}`, `/etc/${tag}`, `/usr/${tag}`]) assert.equal(existsSync(p), false, `${p} reached the host`);
  assert.equal(existsSync('/etc/passwd'), true, 'the host lost /etc/passwd');
});

test('renaming a host directory is EXDEV at once, whatever is below it, and mv copies it instead', () => {
  const r = runTsvisor(['/bin/sh', '-c',
    'python3 -c "import os\ntry: os.rename(\'/usr\', \'/usr2\')\nexcept OSError as e: print(e.errno)" && ' +
    'mv /etc/apt /etc/apt2 && ls -d /etc/apt2 && ls /etc/apt 2>/dev/null; echo rc=$?']);
  assertNoSentryCrash(r);
  assert.equal(r.stdout, '18\n/etc/apt2\nrc=2\n', r.stderr);
  assert.equal(existsSync('/etc/apt'), true);
  assert.equal(existsSync('/etc/apt2'), false);
});

test('filling the overlay root\'s upper layer is ENOSPC as on Linux\'s overlayfs; the Sentry goes on and the host tree is unchanged', () => {
  const bin = compileC('overlay_fill', { static: true });
  withHostTree('overlay-fill-', (lower) => writeFileSync(join(lower, 'data'), 'host contents\n'), (lower, nativeRun) => {
    // The sandbox's upper layer is half of --total-memory (docs/filesystems.md,
    // "Limits"); natively, an upper tmpfs of that size under Linux's overlay.
    const total = 256 * 1024 * 1024;
    const native = nativeRun(bin, { upperSize: total / 2, timeout: ms(120_000) });
    assert.equal(native.code, 0, native.stderr);
    assert.match(native.stdout, /^create: ok\nfill_error: ENOSPC\nfill_some: yes\nwrite_when_full: ENOSPC\ncopyup_when_full: ENOSPC\n/);
    const sandboxed = runTsvisor([bin, lower], { extraArgs: ['--total-memory', String(total)], timeout: ms(120_000) });
    assertNoSentryCrash(sandboxed);
    assert.equal(sandboxed.stdout, native.stdout, sandboxed.stderr);
    assert.equal(sandboxed.code, 0);
  });
});
