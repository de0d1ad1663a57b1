// Real programs from Debian's packages must print the same thing and exit
// with the same status under tsvisor as natively. The sandbox's root is the
// host's root by default, so they see the same files.

import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { assertSameAsNative, ms } from './lib/harness.js';

const BUSYBOX = '/bin/busybox';
const PYTHON = '/usr/bin/python3'; // the Debian interpreter, not a pyenv shim
const need = (path) => (existsSync(path) ? false : `${path} is not installed`);

const CASES = [
  { argv: ['/bin/echo', 'hello'], code: 0 },
  { argv: ['/bin/true'], code: 0 },
  { argv: ['/bin/false'], code: 1 },
  { argv: [BUSYBOX, 'sh', '-c', 'exit 3'], code: 3, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'echo', 'hello', 'from', 'busybox'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'ls', '-la', '/usr'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'cat', '/etc/os-release'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'wc', '/etc/passwd'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'sha256sum', '/etc/os-release'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'grep', 'root', '/etc/passwd'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'grep', 'no-such-user-anywhere', '/etc/passwd'], code: 1, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'sed', '-n', '1p', '/etc/passwd'], code: 0, skip: need(BUSYBOX) },
  { argv: [BUSYBOX, 'awk', '-F:', '{print $1}', '/etc/passwd'], code: 0, skip: need(BUSYBOX) },
  // find prints in directory order: the sandbox must list host directories
  // in the host's getdents order.
  { argv: [BUSYBOX, 'find', '/usr/share', '-name', '*.txt'], code: 0, skip: need(BUSYBOX), timeout: ms(180_000) },
  { argv: [BUSYBOX, 'cat', '/nonexistent'], code: 1, stderr: true, skip: need(BUSYBOX) },
  { argv: ['/bin/ls', '-l', '/usr/bin'], code: 0 },
  { argv: ['/usr/bin/sha256sum', '/etc/os-release'], code: 0 },
  // execve from a running program: env and shells replace themselves.
  { argv: ['/usr/bin/env', '-i', 'A=1', 'B=two words', '/usr/bin/env'], code: 0 },
  { argv: ['/usr/bin/env', '/nonexistent'], code: 127, stderr: true },
  { argv: [BUSYBOX, 'sh', '-c', 'exec /bin/echo replaced by exec'], code: 0, skip: need(BUSYBOX) },
  { argv: ['/bin/sh', '-c', 'exec /usr/bin/printf "%s|" "$0" "$@"', 'zero', 'one', 'two'], code: 0 },
  { argv: [PYTHON, '-c', 'import os; os.execv("/bin/echo", ["echo", "from", "python"])'], code: 0, skip: need(PYTHON) },
  {
    argv: [PYTHON, '-c',
      'import json, hashlib, os; print(json.dumps(sorted(os.listdir("/"))), hashlib.sha256(b"x").hexdigest())'],
    code: 0,
    skip: need(PYTHON),
    timeout: ms(120_000),
  },
];

for (const c of CASES) {
  test(c.argv.join(' '), { skip: c.skip }, () => {
    assertSameAsNative(c.argv, { expectCode: c.code, compareStderr: c.stderr, timeout: c.timeout });
  });
}
