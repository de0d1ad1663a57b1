// Low ports (docs/networking.md): binding below 1024 wants
// CAP_NET_BIND_SERVICE, checked by the Sentry as inet_bind checks it,
// while the Sentry keeps that one capability for its host sockets
// (docs/security.md): test/c/inet_lowport.c natively in a fresh network
// namespace with lo up and under tsvisor, compared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SELFCHECK, assertNoSentryCrash, compileC, firstDifference, ms, runNative, runTsvisor } from './lib/harness.js';

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => spawnSync(p, ['-V']).status === 0);
const skip = SELFCHECK ? 'the self-check runs programs natively' : spawnSync('unshare', ['-rn', 'true']).status !== 0 ? 'unshare -rn is not allowed here'
  : IP === undefined ? 'iproute2 is not installed (apt-get install iproute2)' : false;

test('inet_lowport.c: ports below 1024 with and without CAP_NET_BIND_SERVICE, as Linux', { skip }, () => {
  const prog = compileC('inet_lowport');
  const native = runNative(['unshare', '-rn', '--', 'sh', '-c', `${IP} link set lo up && exec "$0"`, prog], { timeout: ms(30_000) });
  assert.equal(native.code, 0, native.stderr);
  assert.match(native.stdout, /bind 80 without it: -1 EACCES/);
  const sandboxed = runTsvisor([prog], { timeout: ms(60_000) });
  assertNoSentryCrash(sandboxed);
  assert.ok(sandboxed.stdout === native.stdout, firstDifference(native.stdout, sandboxed.stdout));
  assert.equal(sandboxed.code, native.code);
});
