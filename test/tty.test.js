// Programs on a terminal: with a pseudo-terminal from script(1) as stdin
// and stdout, terminal queries and mode changes give the same results under
// tsvisor as natively.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TSVISOR_ENTRY, compileC, ms } from './lib/harness.js';

// `exec`: the program (or tsvisor) is the session leader script(1) made,
// whatever $SHELL is; dash, CI's /bin/sh when SHELL is unset, forks a -c
// command instead of running it in place, and the native program would then
// be a member of the session rather than its leader.
function underPty(cmd) {
  const r = spawnSync('script', ['-qec', `exec ${cmd}`, '/dev/null'], { encoding: 'utf8', timeout: ms(60_000), stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: (r.stdout ?? '').replace(/\r\n/g, '\n') };
}

test('terminal ioctls on a pty behave as natively (TCGETS size, TCSETS, window size)', () => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, 'script(1) from util-linux is needed for this test');
  const bin = compileC('tty', { static: true });
  const native = underPty(bin);
  const sandboxed = underPty(`${process.execPath} ${TSVISOR_ENTRY} do -- ${bin}`);
  // Both transcripts in the message: a CI failure shows which line differed.
  const both = `native (status ${native.code}):\n${native.out}\ntsvisor (status ${sandboxed.code}):\n${sandboxed.out}`;
  assert.match(native.out, /done\n$/, both);
  assert.equal(sandboxed.out, native.out, both);
  assert.equal(sandboxed.code, native.code, both);
});

test('the host terminal is the controlling terminal: foreground group, /dev/tty, SIGTTIN/SIGTTOU, TIOCNOTTY', () => {
  const bin = compileC('pty_ctty');
  const native = underPty(bin);
  const sandboxed = underPty(`${process.execPath} ${TSVISOR_ENTRY} do -- ${bin}`);
  // Both transcripts in the message: a CI failure shows which line differed.
  const both = `native (status ${native.code}):\n${native.out}\ntsvisor (status ${sandboxed.code}):\n${sandboxed.out}`;
  assert.match(native.out, /done\n$/, both);
  assert.equal(sandboxed.out, native.out, both);
  assert.equal(sandboxed.code, native.code, both);
});
