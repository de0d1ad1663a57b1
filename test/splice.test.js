// The splice family: splice(2), tee(2), vmsplice(2), copy_file_range(2)
// and sendfile(2) between pipes, memfds and a file in /tmp, with their
// error cases and blocking, compared with a native run
// (test/c/splice_family.c).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsNative, compileC, compileWarnings } from './lib/harness.js';

test('splice_family behaves as natively', () => {
  const bin = compileC('splice_family');
  const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
  assert.match(native.stdout, /\ndone\n$/, 'native splice_family did not reach its end');
});

test('splice_family compiles without warnings', () => {
  compileC('splice_family');
  const noisy = [...compileWarnings].filter(([, w]) => w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
