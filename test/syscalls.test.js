// Small C programs, one per family of system calls, each compiled static and
// dynamic, must print the same lines and exit with the same status under
// tsvisor as natively. Each line of their output is one check (see
// test/c/common.h), so a difference names the failing check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { assertSameAsNative, compileC, compileWarnings } from './lib/harness.js';

/** program -> expected native exit status (shell style). */
const PROGRAMS = {
  fileio: 0, // open/openat/read/write/pread64/pwrite64/readv/writev/lseek/close/dup*/fcntl
  stat: 0, // stat/fstat/lstat/newfstatat/statx
  dirs: 0, // getdents64/getcwd/chdir/fchdir/readlink*/access/faccessat*
  mm: 0, // mmap/munmap/mprotect/mremap/brk/madvise/mincore/msync
  time: 0, // clock_gettime/getres, gettimeofday, time, nanosleep, clock_nanosleep
  unix: 0, // AF_UNIX sockets: socketpair, abstract names, accept, datagrams, SCM_RIGHTS, options, shutdown
  unix_path: 0, // path-named AF_UNIX sockets in /tmp: bind makes the socket file, connect finds it, the errors
  fdtimers: 0, // timerfd_create/settime/gettime, signalfd/signalfd4
  epoll: 0, // epoll_create*/ctl/wait/pwait/pwait2 (LT, ET, ONESHOT, HUP/ERR, nesting, ELOOP), eventfd
  threads: 0, // pthreads: create/join/exit, mutexes, condvars, TLS, signals to threads, yield, fork/exec/exit_group from threads
  forks: 0, // fork/vfork/clone/posix_spawn, wait4/waitid, SIGCHLD, zombies, orphans, kill to others, setpgid
  exec: 0, // execve/execveat: errors, then a chain of stages checking what exec keeps and resets
  vdso: 139, // the vDSO's clocks against the calls', its pages; ends with a bad pointer given to it (SIGSEGV)
  ids: 0, // getpid/gettid/getppid/pgid/sid, uids and gids, uname
  misc: 0, // getrandom, arch_prctl, rlimits, umask, sysinfo, sched_*, prctl, ENOSYS
  signals: 0, // rt_sigprocmask/rt_sigaction/sigpending/sigaltstack/kill 0, no delivery
  sigdeliver: 0, // handlers, siginfo, pending/blocked, faults, traps, sigreturn
  waits: 0, // pipes, poll/ppoll/select/pselect6, alarm/setitimer/pause, EINTR and SA_RESTART
  review: 139, // regressions from the code review; ends with an alternate-stack overflow (SIGSEGV)
  fsmod: 0, // creat/openat2/mkdir*/mknod*/symlink*/link*/unlink*/rmdir/rename*/chmod*/chown*/truncate/utime*/xattrs/statfs/getdents on a read-only root
  fsio: 0, // pwritev/preadv2/pwritev2/sendfile/close_range/ftruncate/fallocate/fsync/fdatasync/sync/syncfs
  caps: 0, // capget/capset v1-v3, bounding/ambient/keepcaps/securebits prctls, setuid fix-ups, execve's sets, single-capability checks, /proc status Cap lines
  procs: 0, // set_tid_address/robust lists/futex/rt_sigreturn/rt_sigsuspend/rt_sigtimedwait/rt_tgsigqueueinfo/mlock*/setpgid/setsid/sched_setscheduler/setpriority/sethostname/setdomainname/set*uid/set*gid/setgroups
  exit42: 42, // main returns 42
  exitcall: 7, // exit(2) with status 0x207: no atexit, no stdio flush
  badsigreturn: 139, // rt_sigreturn with an unreadable frame: SIGSEGV
  abort: 134, // killed by SIGABRT
  segv: 139, // killed by SIGSEGV (NULL store)
};

/** Programs that try to change the tree: natively they run on a read-only
 * root too (harness option nativeReadOnlyRoot), as tsvisor's root is. */
const NATIVE_READ_ONLY_ROOT = new Set(['fsmod', 'fsio', 'unix']);

/** Programs that rename the host: natively they run in private namespaces of
 * these kinds (harness option nativeNamespaces), as the sandbox has its own. */
const NATIVE_NAMESPACES = { procs: ['uts'] };

/** Files some programs need beside their binaries, made before they run. */
const FIXTURES = {
  exec(bin) {
    const dir = join(dirname(bin), 'exec-fixtures');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notelf'), 'just text\n', { mode: 0o755 });
    chmodSync(join(dir, 'notelf'), 0o755);
    writeFileSync(join(dir, 'noexec'), 'just text\n', { mode: 0o644 });
    chmodSync(join(dir, 'noexec'), 0o644);
    writeFileSync(join(dir, 'script.sh'), '#!/bin/sh\necho "script: $0 [$2]"\nexec "$1" empty-argv\n', { mode: 0o755 });
    chmodSync(join(dir, 'script.sh'), 0o755);
    const link = join(dir, `link-${basename(bin)}`);
    rmSync(link, { force: true });
    symlinkSync(bin, link);
  },
};

for (const [name, expectCode] of Object.entries(PROGRAMS)) {
  for (const mode of ['static', 'dynamic']) {
    test(`${name} (${mode}) behaves as natively`, () => {
      const bin = compileC(name, { static: mode === 'static' });
      FIXTURES[name]?.(bin);
      const { native } = assertSameAsNative([bin], {
        expectCode, checkNativeDeterministic: true, nativeReadOnlyRoot: NATIVE_READ_ONLY_ROOT.has(name),
        nativeNamespaces: NATIVE_NAMESPACES[name],
      });
      if (expectCode === 0) {
        // The program ran to its end natively; a truncated run under tsvisor
        // shows up as a stdout difference.
        assert.match(native.stdout, /\ndone\n$/, `native ${name} did not reach its end`);
      }
    });
  }
}

test('the C programs compile without warnings', () => {
  for (const name of [...Object.keys(PROGRAMS), 'rolaunch']) {
    for (const isStatic of [true, false]) compileC(name, { static: isStatic });
  }
  const noisy = [...compileWarnings].filter(([, w]) => w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
