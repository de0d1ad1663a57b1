// Hostile programs that only ever run under tsvisor. chaos.c makes system
// calls with arguments aimed at its own stack, heap and code, and lengths
// that run off them. It may destroy itself (and usually does, by SIGSEGV);
// the Sentry must serve every call, never crash, never hang, and end with
// the program's own status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoSentryCrash, compileC, ms, runTsvisor } from './lib/harness.js';

const SEEDS = 12;

test(`chaos: ${SEEDS} seeds of self-aimed random system calls do not take the Sentry down`, () => {
  const bin = compileC('chaos', { static: true });
  const statuses = new Map();
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runTsvisor([bin, String(seed), '20000'], { timeout: ms(60_000) });
    assertNoSentryCrash(r, { what: `tsvisor (chaos seed ${seed})` });
    // 125 is tsvisor's own failure; the program may only exit or die by a signal.
    assert.notEqual(r.code, 125, `seed ${seed}: tsvisor failed:\n${r.stderr}`);
    assert.ok(r.code === 0 || (r.code > 128 && r.code < 128 + 65), `seed ${seed}: status ${r.code}`);
    assert.doesNotMatch(r.stderr, /tsvisor: internal error/);
    statuses.set(r.code, (statuses.get(r.code) ?? 0) + 1);
  }
  assert.ok(statuses.size > 0);
});

// procchaos.c: random process and thread life (fork, threads, exec, signals
// to random pids including stops, reaping, exits, clone with random flags).
const PROC_SEEDS = 4;

test(`procchaos: ${PROC_SEEDS} seeds of random process and thread life do not take the Sentry down`, () => {
  const bin = compileC('procchaos', { static: true });
  for (let seed = 1; seed <= PROC_SEEDS; seed++) {
    const r = runTsvisor([bin, String(seed), '500'], { timeout: ms(120_000) });
    assertNoSentryCrash(r, { what: `tsvisor (procchaos seed ${seed})` });
    assert.equal(r.code, 0, `seed ${seed}: status ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, 'procchaos done\n');
  }
});
