// Timekeeper (gVisor pkg/sentry/kernel/timekeeper.go with pkg/sentry/time's
// calibrated clocks): the sandbox's CLOCK_MONOTONIC and CLOCK_REALTIME, and
// the vDSO parameter page that lets the application read them without a
// system call.
//
// Each clock is a straight line in the TSC: ns = base + (tsc - base_cycles)
// * mult / 2^32, kept in one page of the memory file that every address
// space maps read-only as "[vvar]" (native/vdso/vdso_params.h). The Sentry
// reads its own clocks through the same code (native.clockRead), so a
// program sees one clock whether it asks the vDSO or makes the call.
//
// The lines are fitted to the host's clocks: first over the few
// milliseconds after boot, then once a second against the whole run. An
// update never makes CLOCK_MONOTONIC jump back: it starts the new line where
// the old one is now and slews (at most ±50%) so as to meet the host's
// clock by the next update. CLOCK_REALTIME slews the same way, and steps
// when the host's realtime clock was set (by more than half a second).
//
// Until calibrated, and always on a host whose TSC is not constant and
// non-stop, the parameters say "not ready": the vDSO makes the system call
// and the Sentry reads the host's clocks.

import { readFileSync } from 'node:fs';
import { native } from '../native.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { PAGE_SIZE } from '../memory/memory_file.js';

const SEQ = 0, READY = 1, BASE_CYCLES = 2, MONO_BASE = 3, MONO_MULT = 4, REAL_BASE = 5, REAL_MULT = 6;
/** Time over which the first fit is made: the TSC's rate is then known to ~20 ppm. */
const CALIBRATE_NS = 5_000_000n;
/** How often the lines are refitted. */
export const UPDATE_INTERVAL_MS = 1000;
const UPDATE_NS = BigInt(UPDATE_INTERVAL_MS) * 1_000_000n;
/** A realtime error beyond this is a host clock step, followed by a step. */
const REALTIME_STEP_NS = 500_000_000n;

/** Whether the host's TSC runs at one rate on every CPU and in every C-state. */
function hostTscIsStable(): boolean {
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'latin1'))?.[1] ?? '';
    const f = new Set(flags.trim().split(/\s+/));
    return f.has('constant_tsc') && f.has('nonstop_tsc');
  } catch {
    return false;
  }
}

function clamp(v: bigint, lo: bigint, hi: bigint): bigint {
  return v < lo ? lo : v > hi ? hi : v;
}

export class Timekeeper {
  /** Offset of the parameter page in the memory file. */
  readonly paramsOff: number;
  private readonly page: Uint8Array;
  private readonly words: BigInt64Array;
  private readonly sample = new BigInt64Array(3);
  private readonly out = new Float64Array(2);
  /** Host CLOCK_MONOTONIC at boot: the sandbox's monotonic clock counts from it. */
  private readonly hostBootMono: bigint;
  /** The TSC at boot (monotonic 0), the start of every rate measurement. */
  private readonly c0: bigint;
  private ready = false;
  private readonly usable: boolean;
  private timer: NodeJS.Timeout | null = null;

  constructor(mf: MemoryFile, useTsc = hostTscIsStable()) {
    const off = mf.allocate(PAGE_SIZE);
    if (off < 0) throw new Error('tsvisor: no memory for the clock parameter page');
    this.paramsOff = off;
    this.page = mf.view(off, PAGE_SIZE);
    this.words = new BigInt64Array(this.page.buffer, this.page.byteOffset, 7);
    this.usable = useTsc;
    native.clockSample(this.sample);
    this.c0 = this.sample[0];
    this.hostBootMono = this.sample[1];
  }

  /** Starts the periodic refit; it never keeps Node alive. */
  start(): void {
    if (this.timer !== null || !this.usable) return;
    this.timer = setInterval(() => this.update(), UPDATE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the vDSO reads time without the Sentry. */
  get vdsoReady(): boolean {
    return this.ready;
  }

  /** CLOCK_MONOTONIC in ns since boot (a number: exact for 104 days). */
  monotonicNs(): number {
    if (this.read(false)) return this.out[0] * 1e9 + this.out[1];
    native.clockSample(this.sample);
    return Number(this.sample[1] - this.hostBootMono);
  }

  /** CLOCK_MONOTONIC in ms since boot, for deadlines. */
  monotonicMs(): number {
    return this.monotonicNs() / 1e6;
  }

  /** CLOCK_REALTIME as [seconds, nanoseconds] (exact, unlike a number of ns). */
  realtime(out: Float64Array): void {
    if (this.read(true)) {
      out[0] = this.out[0];
      out[1] = this.out[1];
      return;
    }
    native.clockSample(this.sample);
    const ns = this.sample[2];
    out[0] = Number(ns / 1_000_000_000n);
    out[1] = Number(ns % 1_000_000_000n);
  }

  /** Reads a clock through the parameters into this.out, calibrating first if it is time to. */
  private read(realtime: boolean): boolean {
    if (!this.ready) {
      if (!this.usable) return false;
      this.update();
      if (!this.ready) return false;
    }
    return native.clockRead(this.page, realtime, this.out) === 0;
  }

  /** Fits the lines to the host's clocks now (the first fit once CALIBRATE_NS has passed). */
  update(): void {
    if (!this.usable) return;
    native.clockSample(this.sample);
    const c = this.sample[0];
    const m = this.sample[1] - this.hostBootMono;
    const r = this.sample[2];
    if (c <= this.c0 || m < CALIBRATE_NS) return;
    // The TSC's rate in ns per cycle << 32, over the whole run so far.
    const nominal = (m << 32n) / (c - this.c0);
    const w = this.words;
    let mono: bigint, real: bigint, monoMult: bigint, realMult: bigint;
    if (!this.ready) {
      mono = m;
      real = r;
      monoMult = realMult = nominal;
    } else {
      const delta = c - w[BASE_CYCLES];
      const d = delta > 0n ? delta : 0n;
      mono = w[MONO_BASE] + ((d * BigInt.asUintN(64, w[MONO_MULT])) >> 32n);
      real = w[REAL_BASE] + ((d * BigInt.asUintN(64, w[REAL_MULT])) >> 32n);
      // Behind the host by more than an interval: catch up at once (forward only).
      if (m - mono > UPDATE_NS / 2n) mono = m;
      if (r - real > REALTIME_STEP_NS || real - r > REALTIME_STEP_NS) real = r;
      const half = UPDATE_NS / 2n;
      monoMult = (nominal * (UPDATE_NS + clamp(m - mono, -half, half))) / UPDATE_NS;
      realMult = (nominal * (UPDATE_NS + clamp(r - real, -half, half))) / UPDATE_NS;
    }
    // A seqlock write: odd while the fields change.
    const seq = w[SEQ];
    Atomics.store(w, SEQ, seq + 1n);
    Atomics.store(w, BASE_CYCLES, c);
    Atomics.store(w, MONO_BASE, mono);
    Atomics.store(w, MONO_MULT, BigInt.asIntN(64, monoMult));
    Atomics.store(w, REAL_BASE, real);
    Atomics.store(w, REAL_MULT, BigInt.asIntN(64, realMult));
    Atomics.store(w, READY, 1n);
    Atomics.store(w, SEQ, seq + 2n);
    this.ready = true;
  }
}
