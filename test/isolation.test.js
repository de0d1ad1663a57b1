// The stub processes that hold application memory have nothing else: no
// privileges (a uid and gid of the sandbox's own, which no other host
// process has; no capabilities, no_new_privs), not dumpable (so a host
// process of any uid but root cannot open their /proc entries), a seccomp
// filter that lets the host kernel run only mmap/mprotect/munmap for them,
// and no open file but the memory file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { allProcesses, compileC, ms, sleep, spawnTsvisor, stubsOf, waitFor } from './lib/harness.js';

test('stub processes run unprivileged, under seccomp, with only the memory file open', async () => {
  const bin = compileC('sighost', { static: true });
  const child = spawnTsvisor([bin, 'default']);
  try {
    const stubs = await waitFor(() => {
      const s = stubsOf(child.pid);
      return s.length > 0 ? s : null;
    }, ms(10_000));
    assert.ok(stubs && stubs.length > 0, 'no stub process found');
    await sleep(200);
    for (const s of stubs) {
      const status = readFileSync(`/proc/${s.pid}/status`, 'utf8');
      const field = (name) => (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status) ?? [])[1]?.trim();
      if (process.getuid() === 0) {
        const [uid] = field('Uid').split('\t');
        assert.equal(field('Uid'), `${uid}\t${uid}\t${uid}\t${uid}`);
        assert.equal(field('Gid'), `${uid}\t${uid}\t${uid}\t${uid}`);
        assert.notEqual(uid, '65534', 'stubs run as nobody, whom other host processes share');
        assert.equal(field('Groups'), '');
        // No host process other than this sandbox's stubs has that uid.
        const others = allProcesses().filter((p) => p.comm !== 'tsvisor-stub' && statSync(`/proc/${p.pid}`, { throwIfNoEntry: false })?.uid === Number(uid));
        assert.deepEqual(others, [], `host processes share the stubs' uid ${uid}`);
        // Not dumpable: the /proc entries are root's, so nobody cannot read them.
        assert.equal(statSync(`/proc/${s.pid}/mem`).uid, 0);
        for (const entry of ['mem', 'maps', 'fd/3', 'environ']) {
          const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', `/proc/${s.pid}/${entry}`], { encoding: 'latin1' });
          assert.notEqual(r.status, 0, `nobody could read /proc/${s.pid}/${entry}`);
          assert.match(r.stderr, /Permission denied/);
        }
      }
      assert.equal(field('CapEff'), '0000000000000000');
      assert.equal(field('NoNewPrivs'), '1');
      assert.equal(field('Seccomp'), '2');
      const fds = readdirSync(`/proc/${s.pid}/fd`).map((fd) => `${fd} -> ${readlinkSync(`/proc/${s.pid}/fd/${fd}`)}`);
      assert.deepEqual(fds, ['3 -> /memfd:tsvisor-memory (deleted)']);
    }
  } finally {
    child.kill('SIGKILL');
  }
});
