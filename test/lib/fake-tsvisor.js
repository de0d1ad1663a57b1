#!/usr/bin/env node
// A stand-in for bin/tsvisor.js used by the suite's self-check mode
// (TSVISOR_TEST_SELFCHECK=1): it accepts the same `do` command line and runs
// the program natively, through test/c/fakestub.c linked as "tsvisor-stub".
// Running the suite against it checks the tests, not tsvisor: every
// native-vs-"sandbox" comparison must then hold trivially.
//
//   fake-tsvisor.js do [--root DIR] [--cwd DIR] [--env K=V]... [--strace]
//                      [--debug-log FILE] -- CMD ARGS...

import { spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';

const USAGE = 'Usage: tsvisor do [--root DIR] [--cwd DIR] [--env K=V]... [--strace] [--debug-log FILE] -- CMD ARGS...';

function usage(msg) {
  process.stderr.write(`tsvisor: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
// `node --test test/` runs every .js file under test/, this one included;
// loaded that way (no arguments, or by the runner), do nothing.
if (args.length === 0 || process.env.NODE_TEST_CONTEXT) process.exit(0);
if (args[0] !== 'do') usage('unknown command');
let root = null;
let cwd = '/';
let strace = false;
let debugLog = null;
const env = {};
let i = 1;
for (; i < args.length && args[i] !== '--'; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) usage(`${a} needs a value`);
    return args[++i];
  };
  if (a === '--root') root = value();
  else if (a === '--cwd') cwd = value();
  else if (a === '--env') {
    const kv = value();
    const eq = kv.indexOf('=');
    if (eq <= 0) usage(`bad --env ${kv}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else if (a === '--strace') strace = true;
  else if (a === '--debug-log') debugLog = value();
  else usage(`unknown option ${a}`);
}
const argv = args.slice(i + 1);
if (argv.length === 0) usage('missing command');
if (debugLog) writeFileSync(debugLog, 'fake tsvisor debug log\n');

function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Resolve the command inside the (possibly chrooted) file system.
const inRoot = (p) => (root ? join(root, p) : p);
let prog = argv[0];
if (!prog.includes('/')) {
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':');
  const hit = dirs.find((d) => executable(inRoot(join(d, prog))));
  prog = hit ? join(hit, prog) : prog;
}
if (!prog.includes('/') || !executable(inRoot(prog.startsWith('/') ? prog : join(cwd, prog)))) {
  process.stderr.write(`tsvisor: ${argv[0]}: No such file or directory\n`);
  process.exit(127);
}

const stub = process.env.TSVISOR_FAKE_STUB;
const stubArgs = [root ?? '-', cwd, prog, ...argv];
const [file, fileArgs] = strace ? ['strace', ['-f', '-qq', stub, ...stubArgs]] : [stub, stubArgs];
const child = spawn(file, fileArgs, { env, stdio: 'inherit' });
child.on('error', (e) => {
  process.stderr.write(`tsvisor: ${e.message}\n`);
  process.exit(126);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + osConstants.signals[signal]);
});
