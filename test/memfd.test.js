// memfd_create(2) and file seals (F_ADD_SEALS/F_GET_SEALS) against write,
// truncate, fallocate, chmod and mmap, compared with a native run
// (test/c/memfd_seals.c).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsNative, compileC, compileWarnings } from './lib/harness.js';

for (const mode of ['dynamic', 'static']) {
  test(`memfd_seals (${mode}) behaves as natively`, () => {
    const bin = compileC('memfd_seals', { static: mode === 'static' });
    const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
    assert.match(native.stdout, /\ndone\n$/, 'native memfd_seals did not reach its end');
  });
}

test('memfd_seals compiles without warnings', () => {
  compileC('memfd_seals');
  const noisy = [...compileWarnings].filter(([, w]) => w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});
