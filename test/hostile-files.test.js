// The hostile suite, host-file part (test/hostile/README.md): bounds on
// what the sandbox's files cost the Sentry on the host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTILE_DIR, SELFCHECK, assertNoSentryCrash, compileC, ms, runTsvisor } from './lib/harness.js';

test('opening files until it fails stops at --max-host-fds with ENFILE, for the whole sandbox, and closing gives them back', { skip: SELFCHECK && 'a bound of the Sentry' }, () => {
  const bin = compileC('hostfds', { static: true, dir: HOSTILE_DIR });
  const r = runTsvisor([bin], { extraArgs: ['--max-host-fds', '64'], timeout: ms(30_000) });
  assertNoSentryCrash(r, { strict: true, what: 'tsvisor running hostfds' });
  assert.equal(r.stdout, 'child: ENFILE after many\nparent while the child holds them: ENFILE\nparent after the child: ok\npipe: ok\n');
  assert.equal(r.code, 0, r.stderr);
});

test('--max-host-fds refuses what is not a positive number', () => {
  const r = runTsvisor(['/bin/true'], { extraArgs: ['--max-host-fds', 'lots'] });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /--max-host-fds lots: expected a positive whole number/);
});
