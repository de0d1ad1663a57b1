// The Timekeeper on its own: the clocks it gives the Sentry and the vDSO,
// on a host with a usable TSC and without one (the fallback every host
// without constant_tsc/nonstop_tsc takes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Timekeeper } from '../dist/kernel/timekeeper.js';
import { MemoryFile } from '../dist/memory/memory_file.js';

const mf = new MemoryFile();
const hostTscStable = /^flags\s*:.*\bconstant_tsc\b.*\bnonstop_tsc\b/m.test(readFileSync('/proc/cpuinfo', 'latin1'));

function spin(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

function realtimeMs(tk) {
  const out = new Float64Array(2);
  tk.realtime(out);
  return out[0] * 1e3 + out[1] / 1e6;
}

test('without a usable TSC the clocks are the host\'s and the vDSO is told to make the call', () => {
  const tk = new Timekeeper(mf, false);
  const a = tk.monotonicNs();
  spin(10);
  tk.update();
  const b = tk.monotonicNs();
  assert.equal(tk.vdsoReady, false);
  assert.ok(a >= 0 && a < 50e6, `monotonic starts near zero: ${a}`);
  assert.ok(b - a >= 10e6 && b - a < 100e6, `10 ms passed: ${b - a} ns`);
  assert.ok(Math.abs(realtimeMs(tk) - Date.now()) < 50);
});

test('with a usable TSC the clock calibrates, then never goes back across refits, and follows the host', { skip: !hostTscStable && 'the host TSC is not constant and non-stop' }, () => {
  const tk = new Timekeeper(mf, true);
  assert.equal(tk.vdsoReady, false, 'not ready before the calibration interval');
  const start = performance.now();
  spin(6);
  let last = tk.monotonicNs();
  assert.equal(tk.vdsoReady, true, 'a read after 5 ms calibrates');
  // Refit every 2 ms for a while (far more often than the Sentry does), reading between.
  let backwards = 0;
  for (let i = 0; i < 100; i++) {
    spin(2);
    tk.update();
    for (let j = 0; j < 10; j++) {
      const now = tk.monotonicNs();
      if (now < last) backwards++;
      last = now;
    }
  }
  assert.equal(backwards, 0);
  const elapsedHost = (performance.now() - start) * 1e6;
  assert.ok(Math.abs(last - elapsedHost) < 2e6, `monotonic ${last} ns follows the host's ${elapsedHost} ns`);
  assert.ok(Math.abs(realtimeMs(tk) - Date.now()) < 5, 'realtime follows the host');
});
