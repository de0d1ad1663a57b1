// The hostile suite, platform part (test/hostile/README.md): programs that
// attack the ptrace platform's injection, its register handling and the
// ways an x86-64 thread can reach a host kernel entry.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  DEFAULT_ENV, HOSTILE_DIR, SELFCHECK, assertNoSentryCrash, compileC, firstDifference, ms, runNative, runTsvisor,
  tsvisorArgs, tsvisorHostEnv,
} from './lib/harness.js';

const build = (name, dynamic = false) => compileC(name, { static: !dynamic, dir: HOSTILE_DIR });

function sameAsNative(argv, timeout = ms(30_000)) {
  const native = runNative(argv, { timeout });
  assert.ok(!native.timedOut, 'hung natively');
  const sandboxed = runTsvisor(argv, { timeout });
  assertNoSentryCrash(sandboxed, { strict: true, what: `tsvisor running ${argv[0]}` });
  assert.equal(sandboxed.stdout, native.stdout, firstDifference(native.stdout, sandboxed.stdout));
  assert.equal(sandboxed.code, native.code, `status under tsvisor ${sandboxed.code}, natively ${native.code}\n${sandboxed.stderr}`);
  return native;
}

test('32-bit mode: a fault and a signal while in compat mode are served as natively (finding 1: the Sentry hung)', () => {
  const native = sameAsNative([build('compat32')]);
  assert.equal(native.code, 0);
  assert.match(native.stdout, /handler ran: 1, in cs 0x33\n/);
});

test('a kernel-half FS base on a blocked thread: munmap still unmaps, nothing leaks to a sibling (finding 2)', () => {
  const bin = build('fsbase', true);
  const native = runNative([bin], { timeout: ms(30_000) });
  assert.equal(native.stdout, 'read after munmap: fault\n');
  assert.equal(native.code, 0);
  if (SELFCHECK) return;
  const r = runTsvisor([bin], { timeout: ms(30_000) });
  assertNoSentryCrash(r, { strict: true, what: 'tsvisor running fsbase' });
  assert.equal(r.stdout, 'read after munmap: fault\n');
  // The blocked thread's base cannot be given back to it: it dies as by a #GP.
  assert.equal(r.code, 139, r.stderr);
});

test('the vsyscall page answers with the Sentry\'s values, as the system calls do (finding 5)', () => {
  const bin = build('vsyscall');
  // Pinned, so that natively getcpu and the vsyscall agree; tsvisor is pinned
  // to the last CPU so that the host's answer (not 0) would show.
  const cpu = String(availableParallelism() - 1);
  const native = runNative(['taskset', '-c', cpu, bin], { timeout: ms(30_000) });
  assert.equal(native.code, 139);
  assert.match(native.stdout, /agrees with getcpu\(2\): 1\n/);
  const r = spawnSync('taskset', ['-c', cpu, process.execPath, ...tsvisorArgs([bin])],
    { cwd: '/', env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(30_000) });
  const res = { ...r, code: r.status ?? 128, timedOut: r.error?.code === 'ETIMEDOUT', error: r.error ?? null };
  assertNoSentryCrash(res, { strict: true, what: 'tsvisor running vsyscall' });
  assert.equal(r.stdout, native.stdout, firstDifference(native.stdout, r.stdout));
  assert.equal(r.status, 139);
});

test('int $0x80 is ENOSYS, not the x86-64 call of the same number; sysenter is a signal', { skip: SELFCHECK && 'natively int $0x80 is the i386 table' }, () => {
  const r = runTsvisor([build('syscall32')], { env: DEFAULT_ENV, timeout: ms(30_000) });
  assertNoSentryCrash(r, { strict: true, what: 'tsvisor running syscall32' });
  assert.match(r.stdout, /^int80: -38\nsysenter: killed by (SIGILL|SIGSEGV)\n$/);
  assert.equal(r.code, 0);
});

test('a read of a host descriptor that never becomes ready ends with the program', () => {
  // Node's spawn gives stdout as a socket: reading it waits for ever.
  const r = runTsvisor([build('stdread', true)], { timeout: ms(20_000) });
  assertNoSentryCrash(r, { strict: true, what: 'tsvisor after a pending host read' });
  assert.equal(r.stdout, 'reader started\n');
  assert.equal(r.code, 0);
});
