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
  // Processes: shells running pipelines, substitutions, subshells and
  // background jobs; programs that fork and wait.
  ...[
    'cat /etc/passwd | grep root | wc -l',
    'ls /usr/bin | sort -r | head -3 | xargs echo',
    "find /etc -maxdepth 1 -name 'host*' -exec echo found {} \\;",
    'echo $(echo a $(echo b)); (exit 4); echo "subshell $?"',
    '{ for i in 1 2 3; do (echo sub$i) & done; wait; } | sort',
    'tar -C /etc -cf - hostname passwd | tar -tf -',
    'gzip -c /etc/passwd | gunzip | md5sum',
    'seq 1 1000 | awk \'{s+=$1} END {print s}\'',
    'yes | head -3',
    "trap 'echo trapped' USR1; kill -USR1 $$; echo after",
    'sleep 0.1 & wait $!; echo "slept $?"',
    'timeout 5 /bin/true; echo "timeout $?"',
    "printf '%s\\n' b a c | sort | uniq -c",
    'sh -c "exit 7"',
  ].map((cmd) => ({ argv: ['/bin/bash', '-c', cmd], code: cmd.endsWith('exit 7"') ? 7 : 0 })),
  { argv: [BUSYBOX, 'sh', '-c', 'echo hello | tr a-z A-Z; x=$(echo sub); echo $x'], code: 0, skip: need(BUSYBOX) },
  {
    argv: [PYTHON, '-c', 'import subprocess; r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], ' +
      'capture_output=True); print(r.returncode, r.stdout, r.stderr)'],
    code: 0,
    skip: need(PYTHON),
  },
  { argv: [PYTHON, '-c', 'import os; pid = os.fork(); os._exit(4) if pid == 0 else print(os.waitpid(pid, 0)[1] >> 8)'], code: 0, skip: need(PYTHON) },
  // Sockets and epoll: asyncio's event loop, a listener on an abstract name, descriptors passed.
  {
    argv: [PYTHON, '-c', 'import asyncio, socket, os\n' +
      'async def main():\n' +
      '    r = await asyncio.gather(*(asyncio.sleep(0.01 * i, result=i) for i in range(5)))\n' +
      '    p = await asyncio.create_subprocess_exec("echo", "from", "asyncio", stdout=asyncio.subprocess.PIPE)\n' +
      '    out, _ = await p.communicate()\n' +
      '    print(r, out.decode().strip(), await p.wait())\n' +
      'asyncio.run(main())\n' +
      's = socket.socket(socket.AF_UNIX); s.bind("\\0tsvisor-programs-test"); s.listen()\n' +
      'c = socket.socket(socket.AF_UNIX); c.connect("\\0tsvisor-programs-test"); conn, addr = s.accept()\n' +
      'c.sendall(b"ping"); print(conn.recv(4))\n' +
      'r, w = os.pipe(); socket.send_fds(c, [b"fd"], [w]); msg, fds, _, _ = socket.recv_fds(conn, 10, 4)\n' +
      'os.write(fds[0], b"via a passed descriptor"); print(msg, os.read(r, 100))'],
    code: 0,
    skip: need(PYTHON),
  },
  // Threads.
  {
    argv: [PYTHON, '-c', 'import threading, queue, concurrent.futures as cf\n' +
      'q = queue.Queue()\n' +
      'ts = [threading.Thread(target=lambda i=i: q.put(i * i)) for i in range(8)]\n' +
      '[t.start() for t in ts]; [t.join() for t in ts]\n' +
      'print(sorted(q.get() for _ in range(8)))\n' +
      'with cf.ThreadPoolExecutor(4) as ex: print(sum(ex.map(lambda x: x * 2, range(100))))'],
    code: 0,
    skip: need(PYTHON),
  },
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
