// Hostile uses of the writable VFS: a deep tree, paths past PATH_MAX, a
// million entries in one directory (made, listed, removed: about a minute), symlink loops, a mount loop,
// tmpfs instances filled past the sandbox's total memory. Each must end in
// Linux's errors (compared with a native run where that is cheap) with the
// Sentry alive and answering.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoSentryCrash, assertSameAsNative, compileC, ms, runTsvisor } from './lib/harness.js';

const bin = () => compileC('vfs_hostile');

for (const [mode, arg] of [['deep', '3000'], ['links', ''], ['sparse', ''], ['mounts', '2000'], ['many', '1000000']]) {
  test(`hostile VFS: ${mode} ${arg} ends as natively`, () => {
    const argv = [bin(), mode, ...(arg === '' ? [] : [arg])];
    const { sandboxed } = assertSameAsNative(argv, { expectCode: 0, timeout: ms(mode === 'many' ? 400_000 : 180_000) });
    assertNoSentryCrash(sandboxed);
  });
}

test('hostile VFS: more mounts than a namespace may hold end in ENOSPC', () => {
  const r = runTsvisor([bin(), 'mounts', '20000'], { timeout: ms(180_000) });
  assertNoSentryCrash(r);
  assert.equal(r.stdout, 'mounts_stop: ENOSPC\nmounts_made: -1\nmounts_unmounted: 1\ndone\n');
});

test('hostile VFS: filling tmpfs, alone and past the total memory, is ENOSPC and the sandbox goes on', () => {
  const total = ['--total-memory', String(256 * 1024 * 1024)];
  const one = runTsvisor([bin(), 'fill'], { extraArgs: total, timeout: ms(120_000) });
  assertNoSentryCrash(one);
  assert.equal(one.stdout, 'fill_error: ENOSPC\nfill_some: 1\nfill_unlink: 0\nfill_write_after_free: 4096\ndone\n');
  const both = runTsvisor([bin(), 'fillboth'], { extraArgs: total, timeout: ms(120_000) });
  assertNoSentryCrash(both);
  assert.equal(both.stdout,
    'a_error: ENOSPC\nb/b_error: ENOSPC\nfillboth_some: 1 1\nfillboth_unlink: 0\nfillboth_write_after_free: 1\ndone\n');
  assert.equal(both.code, 0);
});

test('hostile VFS: random arguments to the file system calls leave the Sentry alive', () => {
  const fuzz = compileC('vfs_fuzz');
  for (const seed of ['1', '2', '3', '4']) {
    const r = runTsvisor([fuzz, '5000', seed], { timeout: ms(180_000) });
    assertNoSentryCrash(r);
    assert.equal(r.stdout, 'done\n', `seed ${seed}: ${r.stderr}`);
    assert.equal(r.code, 0);
  }
});
