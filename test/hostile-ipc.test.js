// SysV IPC against hostile programs (test/hostile/): random arguments to
// every IPC call (ipcfuzz.c, three seeds, under tsvisor only: natively its
// objects would be the host's) leave the Sentry alive with no handler
// exception in its log; segments until shmmni, huge sizes and bad shmat
// addresses (shm_fill.c) as natively in a fresh IPC namespace; segments
// filled past --total-memory OOM-kill the filler, not the Sentry, and
// their memory is back once they are removed, or once the last process
// of their IPC namespace has gone; semaphore sets and undo entries past
// the Sentry's buffer budget are ENOMEM (sem_fill.c).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_DIR, SELFCHECK, assertNoSentryCrash, assertSameAsNative, compileC, ms, runTsvisor } from './lib/harness.js';

const skip = SELFCHECK ? 'the self-check runs programs natively' : false;

test('random arguments to the SysV IPC calls (ipcfuzz.c) leave the Sentry alive', { skip, timeout: ms(300_000) }, () => {
  const bin = compileC('ipcfuzz', { static: true, dir: HOSTILE_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'ipcfuzz-'));
  try {
    for (const seed of [1, 2, 3]) {
      const log = join(dir, `sentry-${seed}.log`);
      const r = runTsvisor([bin, String(seed), '20000'], { debugLog: log, timeout: ms(120_000) });
      assertNoSentryCrash(r, { strict: true });
      assert.equal(r.code, 0, `ipcfuzz ${seed}: status ${r.code}\n${r.stderr}`);
      assert.equal(r.stdout, 'done\n');
      const text = existsSync(log) ? readFileSync(log, 'latin1') : '';
      assert.ok(!/BUG:/.test(text), `an IPC call threw in the Sentry:\n${text.split('\n').filter((l) => /BUG/.test(l)).slice(0, 5).join('\n')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('segments until shmmni, huge sizes and bad shmat addresses (shm_fill.c) as natively', { timeout: ms(120_000) }, () => {
  const bin = compileC('shm_fill', { dir: HOSTILE_DIR });
  const { native } = assertSameAsNative([bin], { nativeNamespaces: ['ipc'], expectCode: 0, strict: true, timeout: ms(60_000) });
  assert.match(native.stdout, /segments until the limit: 4096, then No space left on device\n/);
});

test('segments filled past --total-memory OOM-kill the filler (137); removed, their memory is back', { skip, timeout: ms(120_000) }, () => {
  const bin = compileC('shm_fill', { dir: HOSTILE_DIR });
  const r = runTsvisor([bin, 'fill'], { timeout: ms(60_000), extraArgs: ['--total-memory', '128M'] });
  assertNoSentryCrash(r, { strict: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'child filling 256 MiB of segments: 137\nafter removal 64 MiB filled: 2\nnamespaces filled and left: 4 of 4\ndone\n');
});

test('semaphore sets and SEM_UNDO entries past the buffer budget are ENOMEM, the Sentry goes on (sem_fill.c)', { skip, timeout: ms(120_000) }, () => {
  const bin = compileC('sem_fill', { dir: HOSTILE_DIR });
  const r = runTsvisor([bin], { timeout: ms(60_000) });
  assertNoSentryCrash(r, { strict: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'sets of 32000 until Cannot allocate memory (some made: 1)\nundo entries: Cannot allocate memory\n' +
    'after removal: semget ok, undo semop ok\ndone\n');
});
