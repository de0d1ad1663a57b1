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
// run is kept as test/out/fuzz-soak-SEED.log. A run that stalls is first
// asked for the Sentry's task dump (SIGUSR1: each task's state and system
// call, into that log) and a Node diagnostic report (the Sentry's
// JavaScript stack and libuv handles, on its stderr, through
// --report-on-signal), and each of its host processes' state
// and kernel stack is read from /proc, so that a stall can be explained
// after the fact; those go to test/out/fuzz-soak-SEED.stall. Needs
// `npm run build` first.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** The pids below root, read from /proc (a stalled run's Sentry, stubs and launcher). */
function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* it exited */ }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, pp] of parent) if (pp === found[i]) found.push(pid);
  return found;
}

function hostState(pids) {
  const read = (f) => { try { return readFileSync(f, 'latin1').trim(); } catch (e) { return `(${e.code})`; } };
  return pids.map((pid) => {
    const tasks = (() => { try { return readdirSync(`/proc/${pid}/task`); } catch { return []; } })();
    return `pid ${pid} ${read(`/proc/${pid}/cmdline`).replace(/\0/g, ' ')}\n` + tasks.map((t) =>
      `  task ${t}: ${read(`/proc/${pid}/task/${t}/stat`)}\n  wchan ${read(`/proc/${pid}/task/${t}/wchan`)}\n` +
      `  ${read(`/proc/${pid}/task/${t}/stack`).replace(/\n/g, '\n  ')}\n`).join('');
  }).join('');
}

/** One run; on a stall, a report and the host state are taken before the kill. */
function run(args) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', stall = null;
    child.stdout.setEncoding('latin1').on('data', (d) => { if (stdout.length < 64 << 20) stdout += d; });
    child.stderr.setEncoding('latin1').on('data', (d) => { if (stderr.length < 64 << 20) stderr += d; });
    const timer = setTimeout(() => {
      const pids = descendants(child.pid);
      stall = hostState(pids);
      // SIGUSR1: the Sentry's task dump (into the debug log); SIGUSR2: Node's report (on stderr).
      const sentries = pids.filter((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'latin1').startsWith('node'); } catch { return false; } });
      for (const pid of sentries) try { process.kill(pid, 'SIGUSR1'); } catch { /* gone */ }
      setTimeout(() => { for (const pid of sentries) try { process.kill(pid, 'SIGUSR2'); } catch { /* gone */ } }, 1000);
      setTimeout(() => { for (const pid of pids.reverse()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    }, 120_000);
    child.on('close', (status, signal) => { clearTimeout(timer); done({ status, signal, stdout, stderr, stall }); });
  });
}

const end = Date.now() + opt.seconds * 1000;
let runs = 0, calls = 0, crashes = 0;
const distinct = new Set();
for (let seed = Math.floor(Date.now() / 1000) % 100000; Date.now() < end; seed++) {
  const log = join(out, `.fuzz-soak-${process.pid}.log`);
  const args = ['--report-on-signal', '--report-filename=stderr', join(repo, 'bin', 'tsvisor.js'), 'do', '--debug-log', log, '--',
    bin, String(seed), String(opt.count), 'all', `${opt.procs}x${opt.threads}`, 'v'];
  const r = await run(args);
  runs++;
  const done = /fuzz done calls=(\d+) distinct=(\d+)/.exec(r.stdout);
  const nrs = /nrs=([\d,]*)/.exec(r.stdout);
  if (done) calls += Number(done[1]);
  if (nrs) for (const n of nrs[1].split(',')) if (n) distinct.add(Number(n));
  const stackTrace = /^\s+at .*:\d+:\d+\)?$/m.test(r.stderr) || /Error:|FATAL/.test(r.stderr);
  if (r.status !== 0 || !done || stackTrace || r.stall !== null) {
    crashes++;
    const kept = join(out, `fuzz-soak-${seed}.log`);
    try { renameSync(log, kept); } catch { /* no log was written */ }
    if (r.stall !== null) writeFileSync(join(out, `fuzz-soak-${seed}.stall`), `${r.stall}\n--- stderr (report) ---\n${r.stderr}`);
    console.log(`crash: seed ${seed}: status ${r.status} signal ${r.signal}${r.stall !== null ? ' (stalled past 2 minutes)' : ''}, ` +
      `debug log ${kept}\n${r.stderr.slice(-2000)}`);
  }
  rmSync(log, { force: true });
  if (runs % 100 === 0) console.log(`fuzz soak: ${runs} runs, ${calls} calls, ${crashes} crashes, ${Math.round((end - Date.now()) / 1000)} s left`);
}
console.log(`fuzz soak: ${opt.seconds} s, ${runs} runs (${opt.procs} processes x ${opt.threads} threads), ` +
  `calls made ${calls}, distinct calls ${distinct.size}, crashes ${crashes}`);
process.exit(crashes === 0 ? 0 : 1);
