#!/usr/bin/env node
// Micro-benchmark of the Sentry's seccomp filter evaluation (src/kernel/bpf,
// src/kernel/seccomp.ts), run after `npm run build`:
//
//   node bench/seccomp-filter.js [--iterations N]
//
// A typical 30-instruction filter (an architecture check, the x32 check, an
// allowlist of 22 system calls, one argument check, a default ERRNO) is run
// over seccomp_data for calls found early, late, by argument, and not at
// all, by the interpreter and by the compiled function, and the whole
// evaluation a system call pays (secureComputing: seccomp_data from the
// registers, the action cache, the chain) is timed on a fake task. Prints ns
// per evaluation, the median of 7 rounds.

import { performance } from 'node:perf_hooks';
import { Program } from '../dist/kernel/bpf/program.js';
import { runProgram } from '../dist/kernel/bpf/interpreter.js';
import { compileProgram } from '../dist/kernel/bpf/codegen.js';
import { checkSeccompFilter } from '../dist/kernel/bpf/check.js';
import { installFilter, secureComputing } from '../dist/kernel/seccomp.js';
import { Registers } from '../dist/platform/registers.js';
import { typicalFilter, seccompData } from './seccomp-filter-lib.js';

const arg = process.argv.indexOf('--iterations');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 2_000_000;

const insns = typicalFilter();
if (checkSeccompFilter(insns) !== 0) throw new Error('the typical filter does not validate');
const prog = new Program(insns);
const compiled = compileProgram(prog);
const mem = new Uint32Array(16);

const cases = {
  'read (first in the list)': seccompData(0, [3, 0, 0]),
  'exit_group (last in the list)': seccompData(231, [0]),
  'socket(AF_UNIX) (argument check)': seccompData(41, [1, 1, 0]),
  'ptrace (not in the list: ERRNO)': seccompData(101, [0]),
};

function time(fn) {
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    let acc = 0;
    for (let i = 0; i < N; i++) acc ^= fn();
    const t1 = performance.now();
    if (acc === 0x12345678) console.log('');
    rounds.push(((t1 - t0) * 1e6) / N);
  }
  rounds.sort((a, b) => a - b);
  return rounds[3];
}

console.log(`filter: ${insns.length} instructions; ${N} evaluations per round, median of 7 rounds`);
console.log('| call | interpreter | compiled | result |');
console.log('| --- | ---: | ---: | --- |');
for (const [name, d] of Object.entries(cases)) {
  const ri = runProgram(prog, d), rc = compiled(d, mem);
  if (ri !== rc) throw new Error(`${name}: interpreter 0x${ri.toString(16)}, compiled 0x${rc.toString(16)}`);
  const ti = time(() => runProgram(prog, d));
  const tc = time(() => compiled(d, mem));
  console.log(`| ${name} | ${ti.toFixed(1)} ns | ${tc.toFixed(1)} ns | 0x${ri.toString(16)} |`);
}

// The whole check a filtered call pays in the run loop, on a task made of what seccomp.ts reads.
function fakeTask() {
  const t = {
    seccompMode: 0, seccompFilter: null, seccompFilters: 0, tid: 1, comm: 'bench', state: 0, prctl: { noNewPrivs: 1 },
    kernel: { limits: { seccomp: { insns: 0, maxInsns: 1 << 20, compiled: 0, maxCompiled: 1 << 18 } }, log: { enabled: false } },
    ctx: { regs: new Registers(), regsDirty: false },
  };
  t.tg = { tgid: 1, tasks: [t] };
  if (installFilter(t, insns) !== 0) throw new Error('installFilter');
  return t;
}
const calls = {
  'read (allowed whatever the arguments: the action cache)': [0, [3, 0, 0]],
  'socket(AF_UNIX) (the filter runs: ALLOW)': [41, [1, 1, 0]],
  'ptrace (the filter runs: ERRNO, rax set)': [101, [0]],
};
console.log('');
console.log('secureComputing (seccomp_data from the registers, the cache, the chain, the action):');
console.log('| call | interpreted | compiled |');
console.log('| --- | ---: | ---: |');
for (const [name, [nr, args]] of Object.entries(calls)) {
  const cells = [];
  for (const compiled of [false, true]) {
    const t = fakeTask();
    const r = t.ctx.regs;
    const set = () => {
      r.set(15, nr);
      [14, 13, 12, 7, 9, 8].forEach((reg, i) => r.set(reg, args[i] ?? 0));
    };
    set();
    // HOT_RUNS evaluations compile the filter; without, keep it interpreted by never letting it get hot.
    if (compiled) for (let i = 0; i < 100; i++) secureComputing(t);
    else t.seccompFilter.runs = -1e12;
    cells.push(time(() => {
      if (nr === 101) r.set(10, 0);
      return secureComputing(t) ? 1 : 0;
    }).toFixed(1) + ' ns');
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
