// The stub processes that hold application memory have nothing else: no
// privileges (an unprivileged uid/gid, no capabilities, no_new_privs), a seccomp
// filter that lets the host kernel run only mmap/mprotect/munmap for them,
// and no open file but the memory file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { compileC, ms, sleep, spawnTsvisor, stubsOf, waitFor } from './lib/harness.js';

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
        // One unprivileged identity in every field (which one: walls.test.js).
        const [uid] = field('Uid').split('\t');
        const [gid] = field('Gid').split('\t');
        assert.notEqual(uid, '0');
        assert.notEqual(gid, '0');
        assert.equal(field('Uid'), [uid, uid, uid, uid].join('\t'));
        assert.equal(field('Gid'), [gid, gid, gid, gid].join('\t'));
        assert.equal(field('Groups'), '');
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
