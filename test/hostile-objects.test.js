// The Sentry's bounds on kernel objects (issue 5, finding 3; kernel/limits.ts,
// docs/security.md "Resource bounds: kernel objects"): hostile programs fill
// each bound from several processes and must meet Linux's errno, with the
// Sentry alive afterwards; Unix sockets passed over themselves and closed
// are collected as Linux's unix_gc collects them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HOSTILE_DIR, SELFCHECK, assertNoSentryCrash, assertSameAsNative, compileC, ms, runTsvisor,
} from './lib/harness.js';
import { DEFAULT_MAX_EPOLL_WATCHES, DEFAULT_MAX_PENDING_SIGNALS } from '../dist/kernel/limits.js';
import { FILE_MAX } from '../dist/vfs/file_description.js';

const tsvisorOnly = SELFCHECK && 'the bound is the Sentry\'s own (natively the host\'s limits apply)';

/** Runs a hostile program under tsvisor: the Sentry must not crash, and the program must print exactly `stdout` and exit 0. */
function runsTo(name, args, stdout, timeout = 120_000, extraArgs = []) {
  const bin = compileC(name, { static: true, dir: HOSTILE_DIR });
  const r = runTsvisor([bin, ...args], { timeout: ms(timeout), extraArgs });
  assertNoSentryCrash(r, { strict: true, what: `tsvisor running ${name}` });
  assert.equal(r.stdout, stdout);
  assert.equal(r.code, 0, r.stderr);
}

test('epollwatch: four processes filling the epoll watch limit get ENOSPC, and the watches come back',
  { skip: tsvisorOnly }, () => runsTo('epollwatch', ['4', String(DEFAULT_MAX_EPOLL_WATCHES)], `watches: ${DEFAULT_MAX_EPOLL_WATCHES}\nenospc: 4\nafter: ok\n`));

test('--max-epoll-watches sets the bound: four processes stop at 1,000 watches with ENOSPC',
  // Each process may try one more than the bound (1,001): one that ran alone to 1,000 would otherwise stop there
  // without meeting ENOSPC.
  { skip: tsvisorOnly }, () => runsTo('epollwatch', ['4', '1001'], 'watches: 1000\nenospc: 4\nafter: ok\n', 60_000, ['--max-epoll-watches', '1000']));

test('unixcycle: 560,000 socket pairs sent over themselves and closed are collected; files and sockets still open',
  { skip: tsvisorOnly }, () => runsTo('unixcycle', ['560000'], 'cycles: 560000\nopen: ok\nsocketpair: ok\n', 180_000));

test('unixgc: what the collector frees and keeps, and ETOOMANYREFS, as Linux', () => {
  const bin = compileC('unixgc', { static: true, dir: HOSTILE_DIR });
  assertSameAsNative([bin]);
});

test('sigqueue: RLIMIT_SIGPENDING per user, as Linux (EAGAIN for realtime signals past it)', () => {
  const bin = compileC('sigqueue', { static: true, dir: HOSTILE_DIR });
  assertSameAsNative([bin]);
});

test('sigqueue fill: four users queueing realtime signals meet the sandbox\'s bound with EAGAIN',
  { skip: tsvisorOnly }, () => runsTo('sigqueue', ['fill', '4'], `queued: ${DEFAULT_MAX_PENDING_SIGNALS}\neagain: 4\nafter: ok\n`));

// The descriptors of 32 processes (RLIMIT_NOFILE raised to the host's hard
// limit, 20,000 here) add up past FILE_MAX; the two kinds that cost the
// Sentry most (kernel/limits.ts).
for (const kind of ['socketpair', 'timerfd']) {
  test(`filemax ${kind}: 32 processes filling the sandbox's open files get ENFILE, and the Sentry lives`,
    { skip: tsvisorOnly }, () => {
      const bin = compileC('filemax', { static: true, dir: HOSTILE_DIR });
      const r = runTsvisor([bin, kind, '32'], { timeout: ms(120_000) });
      assertNoSentryCrash(r, { strict: true, what: `tsvisor running filemax ${kind}` });
      const m = /^made: (\d+)\nenfile: (\d+)\nemfile: (\d+)\nafter: ok\n$/.exec(r.stdout);
      assert.ok(m !== null, `unexpected output:\n${r.stdout}\n${r.stderr}`);
      // Each process met ENFILE, or its own EMFILE first; what they made, with the few descriptions
      // that were open before, is FILE_MAX.
      assert.ok(Number(m[2]) >= 1 && Number(m[2]) + Number(m[3]) === 32, r.stdout);
      assert.ok(Number(m[1]) <= FILE_MAX && Number(m[1]) > FILE_MAX - 64, `made ${m[1]}, FILE_MAX ${FILE_MAX}`);
      assert.equal(r.code, 0, r.stderr);
    });
}

test('fdslots: forks that copy a full descriptor table fail with ENOMEM at the sandbox\'s bound, and fork works again',
  { skip: tsvisorOnly }, () => runsTo('fdslots', [], 'dups full: 1\nfork: ENOMEM\nforked some: 1\nafter: ok\n'));

test('budgetwake: a send the buffer budget refused is woken when another socket gives budget back',
  { skip: tsvisorOnly }, () => runsTo('budgetwake', [], 'budget spent: 1\nwriter woken: ok\n', 60_000));

test('sockfill: four processes filling the buffer budget with socket messages carrying descriptors get EAGAIN, and the Sentry lives',
  { skip: tsvisorOnly }, () => runsTo('sockfill', ['4'], 'budget spent: 4\nafter: ok\n'));

test('unixchain: a chain of 100,000 socket pairs, each in flight in the one before, is kept while reachable and freed without a Sentry stack overflow',
  { skip: tsvisorOnly }, () => runsTo('unixchain', ['100000'], 'chain: 100000\nreachable: 1\nfreed: ok\n'));
