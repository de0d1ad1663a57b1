// Signals from outside the sandbox: tsvisor forwards SIGINT/SIGTERM to the
// program as `runsc do` does, whether the program is sleeping in a system
// call or running on the CPU, and handlers run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileC, ms, sleep, spawnTsvisor, waitFor } from './lib/harness.js';

function collect(child) {
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { done, out: () => out, err: () => err };
}

async function signalAfter(argv, sig, delayMs) {
  const child = spawnTsvisor(argv);
  const c = collect(child);
  await sleep(delayMs);
  child.kill(sig);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms(15_000));
  const st = await c.done;
  clearTimeout(timer);
  return { ...st, stdout: c.out(), stderr: c.err() };
}

test('SIGINT reaches a handler of a program spinning on the CPU', async () => {
  const bin = compileC('sighost', { static: true });
  const r = await signalAfter([bin, 'spin'], 'SIGINT', ms(1500));
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'handler ran: 2\n');
});

test('SIGTERM interrupts a program sleeping in nanosleep: the handler runs and the sleep fails with EINTR', async () => {
  const bin = compileC('sighost', { static: true });
  const r = await signalAfter([bin, 'sleep'], 'SIGTERM', ms(1500));
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'handler ran: 15\nnanosleep: -1 EINTR\n');
});

test('SIGINT with the default action ends the program as a shell reports it (130)', async () => {
  const bin = compileC('sighost', { static: true });
  const r = await signalAfter([bin, 'default'], 'SIGINT', ms(1500));
  assert.equal(r.code, 130, r.stderr);
});

test('python3 turns SIGINT into KeyboardInterrupt', async () => {
  const r = await signalAfter(['/usr/bin/python3', '-c', 'import time\ntry:\n time.sleep(30)\nexcept KeyboardInterrupt:\n print("interrupted")'], 'SIGINT', ms(2000));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'interrupted\n');
});

void waitFor;
