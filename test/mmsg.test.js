// sendmmsg(2) and recvmmsg(2) waiting for every message on blocking Unix,
// UDP and TCP sockets (test/c/mmsg_wait.c): MSG_WAITFORONE, recvmmsg's
// timeout (looked at after each datagram, what is left written back),
// SO_RCVTIMEO, signals after the first message and before any, a stream
// send that a signal ends part way. Natively in a fresh network namespace
// with lo up, and under tsvisor, compared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameAsNative, compileC, compileWarnings, ms } from './lib/harness.js';

for (const isStatic of [true, false]) {
  test(`mmsg_wait.c (${isStatic ? 'static' : 'dynamic'}) matches Linux`, { timeout: ms(120_000) }, () => {
    const bin = compileC('mmsg_wait', { static: isStatic });
    assert.equal(compileWarnings.get(`mmsg_wait.${isStatic ? 'static' : 'dynamic'}`) ?? '', '', 'mmsg_wait.c compiles without warnings');
    const { native } = assertSameAsNative([bin], { nativeNamespaces: ['net'], expectCode: 0, strict: true, timeout: ms(60_000) });
    assert.match(native.stdout, /udp blocking, three come late: 3\n/);
    assert.match(native.stdout, /\ndone\n$/);
  });
}
