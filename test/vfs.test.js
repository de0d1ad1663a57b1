// The writable VFS, natively compared: C programs that run in a private
// mount namespace on a tmpfs of their own over /tmp (natively as root, and
// under tsvisor), so both runs start from the same empty tree and the
// host's /tmp is never touched. Each line of their output is one check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { assertSameAsNative, compileC, compileWarnings, runTsvisor, assertNoSentryCrash } from './lib/harness.js';

/** program -> modes it is built in */
const PROGRAMS = {
  vfs_tree: ['dynamic', 'static'], // names, links, rename corner cases, permissions, getcwd, getdents, xattrs, times
  vfs_mount: ['dynamic'], // mount/umount2/bind/remount/MS_MOVE/propagation flags/noexec/nodev/chroot/pivot_root, ENOSPC
  vfs_propagation: ['dynamic'], // peer groups, slaves, private, unbindable: mounts and unmounts reaching peers, in one namespace and a copied one
  tmpfs_mmap: ['dynamic', 'static'],
  vfs_locks: ['dynamic'], // fcntl record locks, OFD locks, flock between processes
  tmpfs_order: ['dynamic'], // getdents lists newest first, as Linux's tmpfs; telldir/seekdir
  vfs_resolve: ['dynamic'], // openat2 RESOLVE_*, trailing slashes, mount roots, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW
};

for (const [name, modes] of Object.entries(PROGRAMS)) {
  for (const mode of modes) {
    test(`${name} (${mode}) behaves as natively`, () => {
      const bin = compileC(name, { static: mode === 'static' });
      const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
      assert.match(native.stdout, /\ndone\n$/, `native ${name} did not reach its end`);
    });
  }
}

test('/tmp is the program\'s to write (a tmpfs, or the root overlay\'s where the host\'s /tmp has files), and the host never sees it', () => {
  const name = `tsvisor-vfs-${process.pid}`;
  const r = runTsvisor(['/bin/sh', '-c', `echo hi > /tmp/${name} && cat /tmp/${name} && stat -f -c %T /tmp /dev/shm`]);
  assertNoSentryCrash(r);
  const hostTmpEmpty = readdirSync('/tmp').length === 0;
  assert.equal(r.stdout, `hi\n${hostTmpEmpty ? 'tmpfs' : 'overlayfs'}\ntmpfs\n`);
  assert.equal(r.code, 0);
  assert.equal(existsSync(`/tmp/${name}`), false, 'the file reached the host');
});

test('the C programs compile without warnings', () => {
  for (const name of Object.keys(PROGRAMS)) compileC(name);
  compileC('vfs_hostile');
  compileC('vfs_fuzz');
  const noisy = [...compileWarnings].filter(([k, w]) => /^(vfs_|tmpfs_)/.test(k) && w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
