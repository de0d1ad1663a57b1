// PID namespaces. test/c/pidns.c (unshare and clone with CLONE_NEWPID:
// pid 1 and parent 0 inside, the outer pid from fork and wait, ESRCH for a
// process outside, the init's immunity to signals it does not handle,
// orphans reaped by the namespace's init, its death killing the rest and
// ending forks into the namespace, a proc mounted inside showing only the
// namespace with its status NS* lines over two levels, 32 levels at most,
// CLONE_THREAD's EINVAL, EPERM without CAP_SYS_ADMIN; and
// PR_SET_CHILD_SUBREAPER's reparenting) runs natively and
// under tsvisor and must print the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsNative, compileC } from './lib/harness.js';

const ROOT = process.getuid?.() === 0;

for (const mode of ['static', 'dynamic']) {
  test(`pidns (${mode}) behaves as natively`, ROOT ? {} : { skip: 'needs root (CAP_SYS_ADMIN for CLONE_NEWPID)' }, () => {
    const bin = compileC('pidns', { static: mode === 'static' });
    const { native } = assertSameAsNative([bin], { checkNativeDeterministic: true });
    assert.match(native.stdout, /\ndone\n$/, 'native pidns did not reach its end');
    // The native run did make namespaces (a host that forbids them would print the same refusals twice).
    assert.match(native.stdout, /^child getpid: 1$/m);
    assert.match(native.stdout, /^child getppid: 0$/m);
    assert.match(native.stdout, /^child kill outer parent: -1 ESRCH$/m);
    assert.match(native.stdout, /^wait second child after init exit: same pid 1, signal 9$/m);
    assert.match(native.stdout, /^init reaped orphan 3 status 31 /m);
    assert.match(native.stdout, /^proc pids: 1$/m);
    assert.match(native.stdout, /NSpid 3 1 /);
    assert.match(native.stdout, /^nesting: level 32, then ENOSPC$/m);
    assert.match(native.stdout, /^orphan came to the subreaper: 1 status 1$/m);
    assert.doesNotMatch(native.stdout, /case ended with status|setup:/);
  });
}
