// Real programs on the sandbox's file systems (issue 6, "What must be
// shown"): each script in test/fixtures/fs-programs/ runs natively in a
// scratch directory and under tsvisor in a directory of the sandbox's /tmp
// (tmpfs), and must print the same and exit the same. The work directory
// is $W; it is the only thing normalised (a script prints "$W" for it).
// The native scratch directory is on /dev/shm when that is a tmpfs, so
// that sizes and block counts the scripts print come from tmpfs on both
// sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_ENV, TEST_DIR, assertNoSentryCrash, firstDifference, ms, runNative, runTsvisor,
} from './lib/harness.js';

const FIXTURES = join(TEST_DIR, 'fixtures', 'fs-programs');
const TMPFS_MAGIC = 0x01021994;
const PYTHON = '/usr/bin/python3'; // Debian's, not a pyenv shim

function scratchParent() {
  try {
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) return '/dev/shm';
  } catch { /* no /dev/shm */ }
  return tmpdir();
}

const need = (...paths) => paths.find((p) => !existsSync(p)) ? `${paths.find((p) => !existsSync(p))} is not installed` : false;

/**
 * Run fixture NAME (a bash script, or with interp another interpreter)
 * natively and under tsvisor with W set to the work directory; assert the
 * same stdout (with W replaced by "$W") and status.
 */
function sameAsNative(name, { interp = ['/bin/bash'], expectCode = 0, timeout = ms(180_000), env = {} } = {}) {
  const script = join(FIXTURES, name);
  const scratch = mkdtempSync(join(scratchParent(), 'tsvisor-fsprogs-'));
  try {
    const nativeW = join(scratch, 'w');
    const sandboxW = `/tmp/fsprogs-${name.replace(/\W/g, '-')}`;
    const run = (runner, w) => runner([...interp, script], {
      env: { ...DEFAULT_ENV, ...env, W: w }, cwd: runner === runNative ? scratch : '/tmp', timeout,
    });
    const native = run(runNative, nativeW);
    const norm = (s, w) => s.split(w).join('$W');
    const nout = norm(native.stdout, nativeW);
    assert.equal(native.code, expectCode, `native ${name} exited ${native.code}\nstdout:\n${nout}\nstderr:\n${native.stderr}`);
    const sandboxed = run(runTsvisor, sandboxW);
    assertNoSentryCrash(sandboxed);
    const sout = norm(sandboxed.stdout, sandboxW);
    assert.ok(sout === nout, `stdout of ${name} differs under tsvisor:\n${firstDifference(nout, sout)}` +
      `\ntsvisor stderr:\n${sandboxed.stderr.slice(-4000)}`);
    assert.equal(sandboxed.code, native.code, `exit status of ${name}: tsvisor ${sandboxed.code}, native ${native.code}` +
      `\ntsvisor stderr:\n${sandboxed.stderr.slice(-4000)}`);
    return { native: nout, sandboxed: sout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('gcc compiles, assembles and links in /tmp, and the program runs', { skip: need('/usr/bin/gcc') }, () => {
  const { native } = sameAsNative('gcc.sh');
  assert.match(native, /plain: 100 lines, sum 4950\nstatus 7/);
});

test('make builds several targets and rebuilds what a touch made stale', { skip: need('/usr/bin/make', '/usr/bin/gcc') }, () => {
  const { native } = sameAsNative('make.sh');
  assert.match(native, /stale: 1\ngcc -c -o f.o f.c\ngcc -o prog main.o f.o g.o\ncat main.c f.c g.c \| wc -l > notes.txt\nup to date/);
});

test('git init, add, commit, log, status on a thousand files', { skip: need('/usr/bin/git') }, () => {
  const { native } = sameAsNative('git.sh', { timeout: ms(300_000) });
  assert.match(native, /^[0-9a-f]{7,} a thousand files\n0\n1000\n/);
});

test('tar and gzip round trips', { skip: need('/usr/bin/tar', '/usr/bin/gzip') }, () => {
  const { native } = sameAsNative('tar.sh');
  assert.match(native, /trees equal/);
  assert.match(native, /gunzip round trip/);
});

test('sqlite3: a writer and concurrent readers, rollback journal and WAL', { skip: need('/usr/bin/sqlite3') }, () => {
  const { native } = sameAsNative('sqlite.sh', { timeout: ms(300_000) });
  assert.equal((native.match(/torn reads 0/g) ?? []).length, 6);
  assert.match(native, /400\|40\|4350\nok\ndelete\n/);
  assert.match(native, /400\|40\|4350\nok\nwal\n/);
  assert.match(native, /database is locked/);
});

test('Python: tempfile, shutil.copytree, pathlib, mmap of a file, fcntl.flock', { skip: need(PYTHON) }, () => {
  const { native } = sameAsNative('files.py', { interp: [PYTHON] });
  assert.match(native, /\nTrue 21\n/); // the copied tree compares equal
  assert.match(native, /b'PRIVA' b'hello'/);
  assert.match(native, /child refused 11 None\nchild shared 0\n/);
});

test('python3 -m venv in /tmp, and venv imports in it', { skip: need(PYTHON) }, () => {
  const { native } = sameAsNative('venv.sh');
  assert.match(native, /\$W\/env \/usr True\n/);
  assert.match(native, /\nremoved\n$/);
});

test('tail -f sees lines another process appends (inotify or polling)', { skip: need('/usr/bin/tail') }, () => {
  const { native } = sameAsNative('tail.sh');
  assert.match(native, /^tail killed: 143\n4\n5\n6\n7\n8\npartial line\n100\n/);
  assert.match(native, /\n199\nnew-file-1\nmore\n$/);
});

test('find, ls -lR, du over /tmp and the host tree; cp -a, mv, rm -rf, ln -s, chmod -R', () => {
  const { native } = sameAsNative('tree.sh');
  // find printed the tree newest first, as tmpfs lists it.
  assert.match(native, /^t\nt\/e\nt\/e\/fifo\nt\/e\/hard\nt\/d\n/);
  assert.match(native, /host copy lists the same\nhost copy has the same contents\n/);
  assert.match(native, /copy lists the same\n/);
  assert.match(native, /\nt2 removed\nhostcopy removed\n/);
});

// procfs's fd/N links are read as paths until the VFS follows them as
// magic links (src/fs/proc/task_dir.ts): a pipe cannot be reopened
// through /dev/fd/N, so bash's <(...) fails under tsvisor.
test('bash process substitution and /dev/stdin reopen pipes', () => {
  const { native } = sameAsNative('procsubst.sh');
  assert.match(native, /^5a6\n> 6\ndiff: 1\npiped\nhere-string\nthrough-proc\n5\n$/);
});
