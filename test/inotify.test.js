// inotify, natively compared: test/c/inotify_events.c runs in a private
// mount namespace on a tmpfs of its own (natively as root, and under
// tsvisor) and prints every event it reads, so the events, their order,
// names, padding, cookies and the error cases must agree with Linux's.
// The limits are the host's natively (shared with every process there),
// so test/c/inotify_limits.c runs under tsvisor only, against the numbers
// its comments give. GNU tail -f must follow a file through inotify.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, runTsvisor } from './lib/harness.js';

test('inotify_events behaves as natively', () => {
  const bin = compileC('inotify_events');
  const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
  assert.match(native.stdout, /\ndone\n$/, 'native inotify_events did not reach its end');
  // The things that must be there, lest both runs agree on nothing.
  assert.match(native.stdout, /rename: dir\(1\) MOVED_TO 'g' len=16 cookie=same\n/);
  assert.match(native.stdout, /overflow: events=\d+ \(max\+1: 1\) overflows=1/);
  assert.match(native.stdout, /interrupted_read: -1 EINTR\n/);
});

test('inotify limits: ENOSPC past max_user_watches, EMFILE past max_user_instances, IN_Q_OVERFLOW past max_queued_events', () => {
  const bin = compileC('inotify_limits');
  const r = runTsvisor([bin]);
  assertNoSentryCrash(r);
  assert.equal(r.stdout, [
    'max_user_instances: 128', 'max_user_watches: 8192', 'max_queued_events: 16384',
    'set_bad: -1 EINVAL', 'set_negative: -1 EINVAL', 'set_watches: 3', 'max_user_watches: 16',
    'watches_added: 16', 'add_past_limit: -1 ENOSPC', 'readd_existing: 1', 'rm_one: 0', 'add_after_rm: 1',
    'add_after_close: 1', 'set_instances: 1', 'instances: 4', 'init_past_limit: -1 EMFILE', 'init_after_close: 1',
    'set_queued: 2', 'queued: 11 overflow wd -1', 'nobody_set: -1 EACCES', 'max_queued_events: 10', 'done', '',
  ].join('\n'));
  assert.equal(r.code, 0);
});

test('tail -f follows a file through inotify', () => {
  const script = join(OUT, 'inotify_tail.sh');
  writeFileSync(script, [
    // /dev/shm is a tmpfs always (/tmp may be the root overlay's, on which GNU tail polls, as it does on Linux's overlayfs).
    'echo a > /dev/shm/l', 'tail -f /dev/shm/l & p=$!', 'sleep 1', 'echo b >> /dev/shm/l', 'sleep 1', 'echo c >> /dev/shm/l',
    'sleep 1', 'kill $p', 'wait $p 2>/dev/null', 'echo end', '',
  ].join('\n'));
  const r = runTsvisor(['/bin/sh', script], { strace: true });
  assertNoSentryCrash(r);
  assert.equal(r.stdout, 'a\nb\nc\nend\n');
  assert.match(r.stderr, /tail X inotify_add_watch\(\d+, \S+ "\/dev\/shm\/l", [^)]*IN_MODIFY[^)]*\) = 1 /);
  // It waits on the inotify descriptor, not by sleeping and polling the file.
  assert.match(r.stderr, /tail E poll\(0x[0-9a-f]+ \[\{fd=\d+, events=POLLIN\}\], 1, -1\)/);
  assert.doesNotMatch(r.stderr, /tail X (clock_)?nanosleep/);
});

test('the inotify C programs compile without warnings', () => {
  compileC('inotify_events');
  compileC('inotify_limits');
  const noisy = [...compileWarnings].filter(([k, w]) => /^inotify_/.test(k) && w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
