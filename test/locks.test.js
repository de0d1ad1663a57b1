// File locks: flock(2), POSIX record locks and OFD locks through fcntl(2),
// between processes, compared with a native run (test/c/locks_*.c, on a
// memfd and on a file in /tmp); and the sandbox's bound on lock records
// (test/c/locks_bound.c, under tsvisor only: Linux has no such bound).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, runTsvisor } from './lib/harness.js';

for (const name of ['locks_posix', 'locks_flock']) {
  test(`${name} behaves as natively`, () => {
    const bin = compileC(name);
    const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
    assert.match(native.stdout, /\ndone\n$/, `native ${name} did not reach its end`);
  });
}

test('a program holding lock records without end gets ENOLCK and the Sentry goes on', () => {
  const bin = compileC('locks_bound');
  const r = runTsvisor([bin]);
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'one record 0..99: 0',
    'stopped: ENOLCK after at least 65536: 1',
    'split at the bound: -1 ENOLCK',
    'trim at the bound: 0',
    'unlock all: 0',
    'lock again: 0',
    'split now: 0',
    'done',
    '',
  ].join('\n'));
});

test('the lock programs compile without warnings', () => {
  for (const name of ['locks_posix', 'locks_flock', 'locks_bound']) compileC(name);
  const noisy = [...compileWarnings].filter(([, w]) => w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
