// Pseudo-terminals the sandbox makes (devpts): C programs compared with
// Linux (the line discipline, ptsname/grantpt/unlockpt, openpty and
// forkpty-style sessions, job-control signals, hangups), Python's
// pty.spawn, and an interactive bash with job control on a pty made
// inside the sandbox, driven by a Python program there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, compileC, runNative, runTsvisor, ms } from './lib/harness.js';

function compare(argv, opts = {}) {
  const native = runNative(argv, opts);
  const sandboxed = runTsvisor(argv, opts);
  assert.equal(native.timedOut, false, 'native run timed out');
  assert.match(native.stdout, /done\n$/, `native run did not finish:\n${native.stdout}${native.stderr}`);
  assert.equal(sandboxed.stdout, native.stdout, sandboxed.stderr);
  assert.equal(sandboxed.code, native.code);
}

for (const isStatic of [false, true]) {
  test(`pty line discipline, ptsname/grantpt/unlockpt, VMIN/VTIME, hangup (${isStatic ? 'static' : 'dynamic'})`, () => {
    compare([compileC('pty_basic', { static: isStatic })]);
  });
}

test('job control on a pty: ^C ^\\ ^Z, SIGWINCH, SIGTTIN/SIGTTOU, orphaned EIO, TIOCSCTTY/TIOCNOTTY, SIGHUP', () => {
  compare([compileC('pty_jobs')], { timeout: ms(90_000) });
});

test('python3 pty.spawn runs a shell on a pty of its own', () => {
  const argv = ['/usr/bin/python3', '-c', 'import pty; pty.spawn(["/bin/sh","-c","echo hi; tty"])'];
  const native = runNative(argv);
  const sandboxed = runTsvisor(argv);
  assert.match(native.stdout, /^hi\r\n\/dev\/pts\/\d+\r\n$/);
  assert.match(sandboxed.stdout, /^hi\r\n\/dev\/pts\/\d+\r\n$/);
  assert.equal(sandboxed.code, native.code);
});

const DRIVER = String.raw`import os, pty, select, sys, time, signal
pid, fd = pty.fork()
if pid == 0:
    os.execve('/bin/bash', ['bash', '--norc', '--noprofile', '-i'], {'PS1': '$ ', 'PATH': '/usr/bin:/bin', 'TERM': 'dumb', 'LC_ALL': 'C'})
buf = b''
def until(marker, timeout=15):
    global buf
    end = time.time() + timeout
    while marker not in buf:
        left = end - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            buf += d
    return True
def run(cmd, marker):
    global buf
    buf = b''
    os.write(fd, cmd)
    return until(marker)
print('prompt:', until(b'$ '))
print('job_control_on:', b'no job control' not in buf and b'cannot set terminal' not in buf)
print('background:', run(b'sleep 100 &\n', b'$ '))
print('jobs_running:', run(b'jobs\n', b'Running'))
until(b'$ ')
print('kill_terminated:', run(b'kill %1; sleep 0.5; jobs\n', b'Terminated'))
until(b'$ ')
print('fg_job:', run(b'sleep 50\n', b'sleep 50'))
time.sleep(0.5)
print('ctrl_z_stopped:', run(b'\x1a', b'Stopped'))
until(b'$ ')
print('fg:', run(b'fg\n', b'sleep 50'))
time.sleep(0.5)
print('ctrl_c:', run(b'\x03', b'$ '))
print('status_130:', run(b'echo st=$?\n', b'st=130'))
until(b'$ ')
print('tty:', run(b'tty\n', b'/dev/pts/'))
until(b'$ ')
os.write(fd, b'exit 7\n')
_, st = os.waitpid(pid, 0)
print('exit:', os.WEXITSTATUS(st))
`;

test('interactive bash with job control on a pty made in the sandbox', () => {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, 'pty_bash_driver.py');
  writeFileSync(path, DRIVER);
  const native = runNative(['/usr/bin/python3', path], { timeout: ms(90_000) });
  assert.doesNotMatch(native.stdout, /False/, native.stdout);
  assert.match(native.stdout, /exit: 7\n$/);
  const sandboxed = runTsvisor(['/usr/bin/python3', path], { timeout: ms(90_000) });
  assert.equal(sandboxed.stdout, native.stdout, sandboxed.stderr);
});
