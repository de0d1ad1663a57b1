// SysV IPC (src/kernel/ipc/): C programs run natively in a fresh IPC
// namespace (unshare --ipc, as root) and under tsvisor, compared line by
// line with their exit status: test/c/sysv_shm.c (shmget, shmat, shmdt,
// shmctl, their errors, fork/exec/exit, permissions, limits, /proc),
// test/c/sysv_sem.c (semget, semop, semtimedop, semctl: blocking, EINTR,
// EIDRM, timeouts, SEM_UNDO with threads and fork, limits, /proc) and
// test/c/sysv_msg.c (msgget, msgsnd, msgrcv, msgctl: selection, MSG_COPY,
// blocking, EINTR, EIDRM, qbytes, limits, /proc, a flood).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, ms, runNative, runTsvisor } from './lib/harness.js';

for (const prog of ['sysv_shm', 'sysv_sem', 'sysv_msg']) {
  for (const isStatic of [false, true]) {
    const mode = isStatic ? 'static' : 'dynamic';
    test(`${prog}.c (${mode}) matches Linux`, { timeout: ms(120_000) }, () => {
      const bin = compileC(prog, { static: isStatic });
      assert.equal(compileWarnings.get(`${prog}.${mode}`) ?? '', '', `${prog}.c compiles without warnings`);
      const { native } = assertSameAsNative([bin], {
        nativeNamespaces: ['ipc'], expectCode: 0, strict: true, checkNativeDeterministic: true, timeout: ms(60_000),
      });
      assert.match(native.stdout, /\ndone\n$/, `native ${prog} did not reach its end`);
    });
  }
}

/** ipcs/ipcmk/ipcrm output without what differs from run to run: keys (ipcmk picks them at random), pids and times. */
function stable(text) {
  return text
    .replace(/0x[0-9a-f]{8}/g, 'KEY')
    .replace(/\b([cl]pid)=\d+/g, '$1=N')
    .replace(/_time=(?!Not set).*$/gm, '_time=DATE')
    .replace(/^([a-z]+time = )(?!Not set).*$/gm, '$1DATE')
    .replace(/^(\d+\s+root\s+)(\S.*)$/gm, (l, a, b) => a + b.replace(/[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|Not set/g, 'T'));
}

const IPC_SHM_SCRIPT = [
  'id=$(ipcmk -M 8192 -p 0640 | sed "s/.*: //"); echo "made: $?"',
  'ipcmk -M 100000 >/dev/null',
  'ipcs -m',
  'ipcs -m -i "$id"',
  'ipcs -m -u',
  'ipcs -m -l',
  'ipcs -m -t',
  'ipcs -m -c',
  'ipcrm -m "$id"; echo "rm: $?"',
  'ipcrm -m "$id"; echo "rm again: $?"',
  'ipcrm -M 0x12345678; echo "rm by missing key: $?"',
  'ipcs -m',
  'sid=$(ipcmk -S 3 | sed "s/.*: //")',
  'ipcs -s',
  'ipcs -s -i "$sid"',
  'ipcs -s -u',
  'ipcs -s -l',
  'ipcs -s -c',
  'ipcrm -s "$sid"; echo "rm sem: $?"',
  'ipcs -s',
  'qid=$(ipcmk -Q | sed "s/.*: //")',
  'ipcmk -Q -p 0600 >/dev/null',
  'ipcs -q',
  'ipcs -q -i "$qid"',
  'ipcs -q -u',
  'ipcs -q -l',
  'ipcs -q -p',
  'ipcs -l',
  'ipcs -u',
  'ipcs',
  'ipcrm -a; echo "rm all: $?"',
  'ipcs',
].join('\n');

test('util-linux ipcmk, ipcs and ipcrm on shared memory, semaphores and message queues print what they print natively in a fresh IPC namespace', { timeout: ms(60_000) }, () => {
  const argv = ['/bin/sh', '-c', IPC_SHM_SCRIPT];
  const native = runNative(argv, { nativeNamespaces: ['ipc'], timeout: ms(30_000) });
  assert.equal(native.code, 0, native.stderr);
  const sandboxed = runTsvisor(argv, { timeout: ms(30_000) });
  assertNoSentryCrash(sandboxed, { strict: true });
  assert.equal(sandboxed.code, native.code, sandboxed.stderr);
  assert.equal(stable(sandboxed.stdout + sandboxed.stderr), stable(native.stdout + native.stderr));
  assert.match(native.stdout, /Shared Memory Limits/);
});

test('each sandbox has an IPC namespace of its own: what one leaves behind, neither the host nor the next sandbox sees', { timeout: ms(60_000) }, () => {
  const hostBefore = readFileSync('/proc/sysvipc/shm', 'latin1');
  const first = runTsvisor(['/bin/sh', '-c', 'ipcmk -M 4096 -p 0600 >/dev/null && ipcmk -S 1 >/dev/null && ipcmk -Q >/dev/null && ipcs -u | grep -E "^(segments|allocated semaphores|allocated queues)"'], { timeout: ms(30_000) });
  assertNoSentryCrash(first, { strict: true });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /segments allocated 1\n/);
  assert.equal(readFileSync('/proc/sysvipc/shm', 'latin1'), hostBefore, 'the host sees no segment of the sandbox');
  const second = runTsvisor(['/bin/sh', '-c', 'cat /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg | wc -l'], { timeout: ms(30_000) });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.trim(), '3', 'a new sandbox starts with no objects (three headers)');
});
