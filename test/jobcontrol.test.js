// `tsvisor do bash` on a terminal (a tmux pane): bash gets job control on
// the host's terminal, whose job-control state is the Sentry's, and the
// keys the host's line discipline turns into signals reach the sandbox's
// foreground job. The same session runs natively first, so the test's own
// expectations are checked against Linux.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TSVISOR_ENTRY, ms } from './lib/harness.js';

const SESSION = `tsvisor-jobs-${process.pid}`;

function tmux(...args) {
  return spawnSync('tmux', ['-L', SESSION, ...args], { encoding: 'utf8', timeout: ms(20_000) });
}

function sleep(n) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n);
}

/** Waits until the pane shows re (at most 20 s); returns the pane's text. */
function waitFor(re) {
  const end = Date.now() + ms(20_000);
  let text = '';
  while (Date.now() < end) {
    text = tmux('capture-pane', '-p', '-S', '-200', '-t', SESSION).stdout ?? '';
    if (re.test(text)) return text;
    sleep(200);
  }
  assert.fail(`pane never showed ${re}:\n${text}`);
}

function send(...keys) {
  tmux('send-keys', '-t', SESSION, ...keys);
}

/** Runs the job-control session in bash started by cmd; returns the pane. */
function session(cmd) {
  tmux('kill-server');
  const r = tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '50', `${cmd}; echo EXITED $?; sleep 60`);
  assert.equal(r.status, 0, r.stderr);
  try {
    waitFor(/^\$/m);
    send('sleep 100 &', 'Enter');
    waitFor(/\[1\] \d+/);
    send('jobs', 'Enter');
    waitFor(/Running +sleep 100 &/);
    send('kill %1; sleep 0.5; jobs', 'Enter');
    waitFor(/Terminated +sleep 100/);
    send('sleep 50', 'Enter');
    sleep(1000);
    send('C-z');
    waitFor(/Stopped +sleep 50/);
    send('fg', 'Enter');
    sleep(1000);
    send('C-c');
    sleep(1000);
    send('echo st=$?', 'Enter');
    waitFor(/st=130/);
    send('cat', 'Enter');
    sleep(500);
    send('typed', 'Enter');
    waitFor(/typed\ntyped/);
    send('C-c');
    sleep(1000);
    send('exit 3', 'Enter');
    return waitFor(/EXITED \d+/);
  } finally {
    tmux('kill-server');
  }
}

test('tsvisor do bash on a terminal: jobs, kill %1, Ctrl-Z and fg, Ctrl-C', (t) => {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    // CI installs it (.ci/run); elsewhere try the package manager once.
    spawnSync('apt-get', ['install', '-y', '-qq', 'tmux'], { timeout: ms(120_000) });
    if (spawnSync('tmux', ['-V']).status !== 0) return t.skip('tmux is not installed');
  }
  const bash = "env -i PS1='$ ' TERM=xterm PATH=/usr/bin:/bin /bin/bash --norc --noprofile -i";
  const native = session(bash);
  assert.match(native, /EXITED 3/);
  assert.doesNotMatch(native, /no job control/);
  const sandboxed = session(`${process.execPath} ${TSVISOR_ENTRY} do --env PS1='$ ' --env TERM=xterm ` +
    '--env PATH=/usr/bin:/bin -- /bin/bash --norc --noprofile -i');
  assert.doesNotMatch(sandboxed, /no job control|cannot set terminal process group/);
  assert.match(sandboxed, /EXITED 3/);
});
