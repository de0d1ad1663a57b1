// Hostile programs: nothing an application does may crash or hang the
// Sentry, and nothing it can read may reveal the Sentry or the host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  REPO, SELFCHECK, assertNoSentryCrash, compileC, firstDifference, isGone, ms, runNative, runTsvisor, sleep,
  spawnTsvisor, stubsOf, waitFor,
} from './lib/harness.js';

// --- the fuzzer -------------------------------------------------------------

// seed, number of calls, build. Natively each run takes well under a second;
// see test/c/fuzz.c for what it calls and what it never does.
const FUZZ_RUNS = [
  { seed: 1, count: 20000, mode: 'static' },
  { seed: 2, count: 20000, mode: 'dynamic' },
  { seed: 3, count: 20000, mode: 'static' },
];

for (const { seed, count, mode } of FUZZ_RUNS) {
  test(`fuzz seed=${seed} count=${count} (${mode}) ends as natively`, () => {
    const bin = compileC('fuzz', { static: mode === 'static' });
    const argv = [bin, String(seed), String(count)];
    const native = runNative(argv, { timeout: ms(30_000) });
    assert.ok(!native.timedOut, 'the fuzzer hung natively');
    assert.ok(native.durationMs < 10_000, `the fuzzer took ${native.durationMs} ms natively`);
    assert.equal(native.code, 0, `native fuzz exited ${native.code}: ${native.stderr}`);
    assert.match(native.stdout, /fuzz done calls=\d+\n$/);

    const sandboxed = runTsvisor(argv, { timeout: ms(120_000) });
    assertNoSentryCrash(sandboxed, { strict: true, what: 'tsvisor running the fuzzer' });
    assert.equal(sandboxed.code, native.code,
      `fuzz status under tsvisor ${sandboxed.code}, natively ${native.code}\nstderr:\n${sandboxed.stderr.slice(-4000)}`);
    assert.ok(sandboxed.stdout === native.stdout, firstDifference(native.stdout, sandboxed.stdout));
  });
}

// --- leaks through /proc ----------------------------------------------------

/** Things that must not appear in anything the sandboxed program can read. */
function forbidden(extra = []) {
  const cwd = process.cwd();
  const list = [
    { re: /\bnode\b/, why: 'the word "node"' },
    { re: /node_modules/, why: 'node_modules' },
    { re: /tsvisor/i, why: '"tsvisor"' },
    { re: /\/work\b/, why: 'the /work tree' },
    { re: new RegExp(escape(REPO)), why: `the repository path ${REPO}` },
  ];
  if (cwd !== '/') list.push({ re: new RegExp(escape(cwd)), why: `the test's cwd ${cwd}` });
  for (const p of extra) list.push({ re: new RegExp(escape(p)), why: `the host path ${p}` });
  return list;
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function assertNoLeaks(out, extra) {
  for (const { re, why } of forbidden(extra)) {
    const line = out.split('\n').find((l) => re.test(l));
    assert.equal(line, undefined, `the sandboxed program can see ${why}: ${JSON.stringify(line)}`);
  }
  // A traced stub would show a tracer; the Sentry must not.
  const tracer = /^TracerPid:\s*(\d+)/m.exec(out);
  if (tracer) assert.equal(tracer[1], '0', 'the sandboxed program sees that it is traced');
}

/** A directory outside the repository (and not named after anything above); not /tmp, which the sandbox has a tmpfs on. */
function neutralDir() {
  mkdirSync('/var/tmp', { recursive: true });
  return mkdtempSync('/var/tmp/lk-');
}

test('/proc shows nothing of the Sentry or the host (host root)', () => {
  const dir = neutralDir();
  try {
    const bin = join(dir, 'leaks');
    copyFileSync(compileC('leaks', { static: true }), bin);
    const env = { PATH: '/usr/bin:/bin', LEAKCHECK: 'yes' };
    const r = (SELFCHECK ? runNative : runTsvisor)([bin], { env, timeout: ms(60_000) });
    assertNoSentryCrash(r);
    assert.equal(r.code, 0, `leaks exited ${r.code}\n${r.stderr}`);
    assert.match(r.stdout, /leaks done\n$/);
    if (SELFCHECK) return; // natively, /proc shows the real host; nothing to assert
    assertNoLeaks(r.stdout);
    // The environment is exactly the one given.
    const environ = /==> \/proc\/self\/environ\n([\s\S]*?)==> /.exec(r.stdout);
    if (environ && !/^open: /.test(environ[1])) {
      const vars = environ[1].split('\n').filter(Boolean).sort();
      assert.deepEqual(vars, ['LEAKCHECK=yes', 'PATH=/usr/bin:/bin']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/proc shows nothing of the Sentry or the host (--root)', () => {
  const dir = neutralDir();
  try {
    for (const d of ['proc', 'dev', 'tmp']) mkdirSync(join(dir, d));
    copyFileSync(compileC('leaks', { static: true }), join(dir, 'leaks'));
    const r = runTsvisor(['/leaks'], { root: dir, env: { A: 'b' }, timeout: ms(60_000) });
    assertNoSentryCrash(r);
    assert.equal(r.code, 0, `leaks exited ${r.code}\n${r.stderr}`);
    assert.match(r.stdout, /leaks done\n$/);
    assertNoLeaks(r.stdout, [dir]);
    const exe = /^\/proc\/self\/exe -> (.*)$/m.exec(r.stdout);
    if (exe && !/readlink/.test(exe[1])) assert.equal(exe[1], '/leaks');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- a fork bomb ------------------------------------------------------------

test('a fork bomb stops at the sandbox task limit, and every stub goes with the sandbox', async () => {
  const bin = compileC('forkbomb', { static: true });
  const child = spawnTsvisor([bin]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = once(child, 'exit');
  // Collect the stubs while the bomb runs.
  const seen = new Map();
  while (child.exitCode === null && child.signalCode === null) {
    for (const s of stubsOf(child.pid)) seen.set(s.pid, s);
    await sleep(50);
  }
  const [code] = await exited;
  assertNoSentryCrash({ code, stdout, stderr, timedOut: false, error: null }, { what: 'tsvisor running a fork bomb' });
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'forked many, then EAGAIN\n');
  assert.ok(seen.size > 100, `only ${seen.size} stubs were seen`);
  const gone = await waitFor(() => [...seen.values()].every(isGone), ms(5000));
  assert.ok(gone, `${[...seen.values()].filter((s) => !isGone(s)).length} stubs outlived the sandbox`);
});

// --- filling the Sentry with kernel buffers ----------------------------------

test('pipes and sockets filled to the descriptor limit in several processes stop at the limits', () => {
  const bin = compileC('exhaust', { static: true });
  const r = runTsvisor([bin], { timeout: ms(120_000) });
  assertNoSentryCrash(r, { strict: true, what: 'tsvisor running exhaust' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'exhaust stopped by the limits\n');
});
