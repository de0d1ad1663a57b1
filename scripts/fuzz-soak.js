#!/usr/bin/env node
// The concurrent fuzzer (test/c/fuzz.c, PxT mode) under tsvisor for a long
// time, outside CI: node scripts/fuzz-soak.js [--seconds N] [--procs P]
// [--threads T] [--count C]. Runs seed after seed (C calls across P
// processes of T threads each, 3x3 and 30000 by default) until N seconds
// (default 3600) have passed, then prints the calls made, the distinct
// system calls made and the crashes: a run counts as a crash when tsvisor
// does not end with status 0 and "fuzz done", prints a JavaScript stack
// trace or an error, or does not finish within two minutes. Each crash's
// seed is printed so that it can be re-run, and tsvisor's debug log of that
// run is kept as test/out/fuzz-soak-SEED.log. Needs `npm run build` first.

import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = { seconds: 3600, procs: 3, threads: 3, count: 30000 };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in opt) || !/^\d+$/.test(process.argv[i + 1] ?? '')) {
    console.error(`usage: fuzz-soak.js [--seconds N] [--procs P] [--threads T] [--count C]`);
    process.exit(2);
  }
  opt[k] = Number(process.argv[i + 1]);
}

const out = join(repo, 'test', 'out');
mkdirSync(out, { recursive: true });
const bin = join(out, 'fuzz.soak');
const cc = spawnSync('gcc', ['-static', '-O1', '-Wall', '-o', bin, join(repo, 'test', 'c', 'fuzz.c'), '-lpthread'], { encoding: 'utf8' });
if (cc.status !== 0) {
  console.error(cc.stderr);
  process.exit(2);
}

const env = { ...process.env };
delete env.NODE_OPTIONS;
const end = Date.now() + opt.seconds * 1000;
let runs = 0, calls = 0, crashes = 0;
const distinct = new Set();
for (let seed = Math.floor(Date.now() / 1000) % 100000; Date.now() < end; seed++) {
  const log = join(out, `.fuzz-soak-${process.pid}.log`);
  const args = [join(repo, 'bin', 'tsvisor.js'), 'do', '--debug-log', log, '--', bin, String(seed), String(opt.count), 'all',
    `${opt.procs}x${opt.threads}`, 'v'];
  const r = spawnSync(process.execPath, args, { encoding: 'latin1', env, timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  runs++;
  const done = /fuzz done calls=(\d+) distinct=(\d+)/.exec(r.stdout ?? '');
  const nrs = /nrs=([\d,]*)/.exec(r.stdout ?? '');
  if (done) calls += Number(done[1]);
  if (nrs) for (const n of nrs[1].split(',')) if (n) distinct.add(Number(n));
  const stackTrace = /^\s+at .*:\d+:\d+\)?$/m.test(r.stderr ?? '') || /Error:|FATAL/.test(r.stderr ?? '');
  if (r.status !== 0 || !done || stackTrace || r.error) {
    crashes++;
    const kept = join(out, `fuzz-soak-${seed}.log`);
    renameSync(log, kept);
    console.log(`crash: seed ${seed}: status ${r.status} signal ${r.signal}${r.error ? ` (${r.error.code})` : ''}, ` +
      `debug log ${kept}\n${(r.stderr ?? '').slice(-2000)}`);
  }
  rmSync(log, { force: true });
}
console.log(`fuzz soak: ${opt.seconds} s, ${runs} runs (${opt.procs} processes x ${opt.threads} threads), ` +
  `calls made ${calls}, distinct calls ${distinct.size}, crashes ${crashes}`);
process.exit(crashes === 0 ? 0 : 1);
