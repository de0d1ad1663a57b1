// No stub process outlives tsvisor. Stubs are the host processes that hold
// application threads: comm "tsvisor-stub", below the tsvisor node process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  compileC, descendantsOf, isGone, ms, sleep, spawnTsvisor, stubsOf, waitFor,
} from './lib/harness.js';

/** Start tsvisor on `sleepy MS MODE`, collect its stubs while the program sleeps. */
async function startAndFindStubs(msArg, mode) {
  const bin = compileC('sleepy', { static: true });
  const child = spawnTsvisor([bin, String(msArg), mode]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = once(child, 'exit');
  // Wait until the program is running (it prints "sleeping" first), then look.
  const running = await waitFor(() => stdout.includes('sleeping') || child.exitCode !== null, ms(20_000));
  const stubs = running && child.exitCode === null ? stubsOf(child.pid) : [];
  const all = running && child.exitCode === null ? descendantsOf(child.pid) : [];
  return { child, stubs, all, exited, out: () => ({ stdout, stderr }) };
}

async function assertAllGone(stubs, what) {
  const gone = await waitFor(() => stubs.every(isGone), ms(3000));
  const left = stubs.filter((s) => !isGone(s)).map((s) => s.pid);
  assert.ok(gone, `stub processes ${left.join(', ')} outlived tsvisor (${what})`);
}

async function killIfRunning(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit').catch(() => {});
  }
}

test('stubs are gone after a normal exit', async () => {
  const { child, stubs, exited, out } = await startAndFindStubs(2000, 'exit');
  try {
    assert.ok(stubs.length >= 1, `no tsvisor-stub process found below tsvisor (pid ${child.pid})\n${out().stderr}`);
    const [code] = await Promise.race([exited, sleep(ms(30_000)).then(() => ['timeout'])]);
    assert.equal(code, 0, `tsvisor exited ${code}\n${out().stderr}`);
    assert.equal(out().stdout, 'sleeping\nwoke\n');
    await assertAllGone(stubs, 'normal exit');
  } finally {
    await killIfRunning(child);
  }
});

test('stubs are gone after the program crashes', async () => {
  const { child, stubs, exited, out } = await startAndFindStubs(2000, 'crash');
  try {
    assert.ok(stubs.length >= 1, `no tsvisor-stub process found below tsvisor (pid ${child.pid})\n${out().stderr}`);
    const [code] = await Promise.race([exited, sleep(ms(30_000)).then(() => ['timeout'])]);
    assert.equal(code, 139, `tsvisor exited ${code}\n${out().stderr}`);
    await assertAllGone(stubs, 'program crash');
  } finally {
    await killIfRunning(child);
  }
});

test('stubs are gone after tsvisor itself is SIGKILLed', async () => {
  const { child, stubs, all, out } = await startAndFindStubs(30000, 'exit');
  try {
    assert.ok(stubs.length >= 1, `no tsvisor-stub process found below tsvisor (pid ${child.pid})\n${out().stderr}`);
    await sleep(ms(500));
    assert.equal(child.exitCode, null, 'tsvisor exited before it was killed');
    child.kill('SIGKILL');
    await once(child, 'exit');
    await assertAllGone(stubs, 'tsvisor SIGKILLed');
  } finally {
    await killIfRunning(child);
    // Whatever the outcome, leave nothing of this run behind.
    for (const p of all) {
      if (!isGone(p)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {}
      }
    }
  }
});
