// SysV IPC (src/kernel/ipc/): C programs run natively in a fresh IPC
// namespace (unshare --ipc, as root) and under tsvisor, compared line by
// line with their exit status: test/c/sysv_shm.c (shmget, shmat, shmdt,
// shmctl, their errors, fork/exec/exit, permissions, limits, /proc),
// test/c/sysv_sem.c (semget, semop, semtimedop, semctl: blocking, EINTR,
// EIDRM, timeouts, SEM_UNDO with threads and fork, limits, /proc) and
// test/c/sysv_msg.c (msgget, msgsnd, msgrcv, msgctl: selection, MSG_COPY,
// blocking, EINTR, EIDRM, qbytes, limits, /proc, a flood); util-linux's
// ipcmk/ipcs/ipcrm, Perl's IPC::SysV and PostgreSQL 15 as real programs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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

/** Perl's IPC::SysV (IPC::SharedMem, IPC::Semaphore, IPC::Msg): a SysV binding of a real language runtime. */
const PERL_SCRIPT = `use strict; use warnings;
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT IPC_NOWAIT S_IRUSR S_IWUSR);
use IPC::SharedMem; use IPC::Semaphore; use IPC::Msg;
my $shm = IPC::SharedMem->new(IPC_PRIVATE, 8192, S_IRUSR|S_IWUSR) or die "shm: $!";
$shm->write("hello from perl", 0, 15) or die;
if (fork() == 0) { $shm->write("child", 0, 5); exit 0 } wait;
print "shm: ", $shm->read(0, 15), "\\n";
my $st = $shm->stat; print "segsz ", $st->segsz, " nattch ", $st->nattch, "\\n";
$shm->remove;
my $sem = IPC::Semaphore->new(IPC_PRIVATE, 2, S_IRUSR|S_IWUSR|IPC_CREAT) or die "sem: $!";
$sem->setall(3, 0);
$sem->op(0, -1, 0, 1, 2, 0) or die "op: $!";
print "sem: ", join(",", $sem->getall), "\\n";
print "nowait: ", ($sem->op(1, -5, IPC_NOWAIT) ? "ok" : "$!"), "\\n";
$sem->remove;
my $q = IPC::Msg->new(IPC_PRIVATE, S_IRUSR|S_IWUSR) or die "msg: $!";
$q->snd(2, "two"); $q->snd(1, "one");
my $buf; $q->rcv($buf, 100, -2); print "msg: $buf\\n";
$q->rcv($buf, 100, 0); print "msg: $buf\\n";
print "empty: ", (defined $q->rcv($buf, 100, 0, IPC_NOWAIT) ? "got" : "$!"), "\\n";
print "qnum ", $q->stat->qnum, "\\n";
$q->remove;
`;

test('Perl\'s IPC::SysV modules print what they print natively', { timeout: ms(60_000) }, () => {
  const { native } = assertSameAsNative(['/usr/bin/perl', '-e', PERL_SCRIPT], { nativeNamespaces: ['ipc'], expectCode: 0, strict: true, timeout: ms(30_000) });
  assert.match(native.stdout, /^shm: child from perl\n/);
});

/** The newest PostgreSQL Debian installed (.ci/run installs the distribution's), or undefined. */
const PG_VERSION = (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
  .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a))[0];
const PG_BIN = `/usr/lib/postgresql/${PG_VERSION}/bin`;
/** initdb, a server on a Unix socket only, one query, the SysV segments it holds, stop: as user postgres. */
function pgScript(settings) {
  return [
    'set -e', 'D=$(mktemp -d /tmp/pgdata.XXXXXX)', 'chown postgres "$D"',
    `su postgres -s /bin/sh -c "${PG_BIN}/initdb -D $D/db -A trust -U postgres >/dev/null 2>&1 && ` +
      `${PG_BIN}/pg_ctl -D $D/db -o '-k $D -c listen_addresses= ${settings}' -l $D/log -w start >/dev/null && ` +
      `psql -h $D -U postgres -Atc 'select 40+2' && ipcs -m | grep -c postgres; ${PG_BIN}/pg_ctl -D $D/db -w stop >/dev/null"`,
    'rm -rf "$D"',
  ].join('\n');
}

for (const [what, settings] of [['its defaults', ''], ['shared_memory_type=sysv and dynamic_shared_memory_type=sysv', '-c shared_memory_type=sysv -c dynamic_shared_memory_type=sysv']]) {
  test(`PostgreSQL ${PG_VERSION ?? ''} starts, answers a query and stops with ${what}, as natively`, {
    skip: PG_VERSION !== undefined ? false : 'PostgreSQL is not installed (apt-get install postgresql)', timeout: ms(240_000),
  }, () => {
    const { native } = assertSameAsNative(['/bin/sh', '-c', pgScript(settings)], { nativeNamespaces: ['ipc'], expectCode: 0, timeout: ms(180_000) });
    assert.match(native.stdout, /^42\n\d+\n$/);
  });
}
