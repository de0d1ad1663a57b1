// The `tsvisor do` command line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, assertNoSentryCrash, ms, runTsvisor, runTsvisorRaw, tsvisorHostEnv } from './lib/harness.js';

test('do without a command prints usage and fails', () => {
  const r = runTsvisorRaw(['do']);
  assertNoSentryCrash(r);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /usage/i);
});

test('do -- without a command prints usage and fails', () => {
  const r = runTsvisorRaw(['do', '--']);
  assertNoSentryCrash(r);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /usage/i);
});

test('a missing program exits 127 and names the path', () => {
  const r = runTsvisor(['/nonexistent']);
  assertNoSentryCrash(r);
  assert.equal(r.code, 127);
  assert.match(r.stderr, /\/nonexistent/);
  assert.equal(r.stdout, '');
});

test('--env gives exactly the given environment', () => {
  const r = runTsvisor(['/usr/bin/env'], { env: { FOO: 'bar' } });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'FOO=bar\n');
});

test('--env may be repeated', () => {
  const r = runTsvisor(['/usr/bin/env'], { env: { A: '1', B: 'two words', C: 'x=y' } });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), ['A=1', 'B=two words', 'C=x=y']);
});

test('--cwd sets the working directory', () => {
  const r = runTsvisor(['/bin/pwd'], { cwd: '/usr' });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/usr\n');
});

test('arguments after -- reach the program unchanged', () => {
  const args = ['a b', '', '--cwd', '-x', 'ünï', '$HOME'];
  const r = runTsvisor(['/usr/bin/printf', '[%s]\\n', ...args]);
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(Buffer.from(r.stdout, 'latin1').toString('utf8'), args.map((a) => `[${a}]\n`).join(''));
});

test('stdin reaches the program', () => {
  const r = runTsvisor(['/bin/cat'], { input: 'line one\nline two\n' });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'line one\nline two\n');
});

test('--strace writes system calls, including exit_group, to stderr', () => {
  const r = runTsvisor(['/bin/true'], { strace: true });
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /exit_group/);
  assert.equal(r.stdout, '');
});

test('--debug-log FILE creates FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsv-cli-'));
  try {
    const log = join(dir, 'debug.log');
    const r = runTsvisor(['/bin/true'], { debugLog: log });
    assertNoSentryCrash(r);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(log), `${log} was not created`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without --, options end at the command, as with runsc do', () => {
  const r = runTsvisorRaw(['do', '--env', 'X=1', '/bin/echo', '-n', '--env', 'hi']);
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '--env hi');
});

test('an unknown option before the command is an error with usage', () => {
  const r = runTsvisorRaw(['do', '--bogus', '/bin/true']);
  assertNoSentryCrash(r);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--bogus'/);
  assert.match(r.stderr, /usage/i);
});

test('a bare command name is found in the PATH of the program\'s environment, as runsc does', () => {
  const r = runTsvisorRaw(['do', '--env', 'PATH=/usr/bin:/bin', 'ls', '-d', '/usr']);
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '/usr\n');
  const missing = runTsvisorRaw(['do', '--env', 'PATH=/nonexistent', 'ls']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /ls: no such file or directory/);
});

test('the launch scans (native/entry.c and handover.ts) know every option of do that takes a value', async () => {
  const help = runTsvisorRaw(['do', '--help']);
  assert.equal(help.code, 0, help.stderr);
  const cli = new Set();
  for (const m of help.stdout.matchAll(/^\s+(?:(-\w), )?(--[\w-]+) <[^>]+>/gm)) {
    if (m[1]) cli.add(m[1]);
    cli.add(m[2]);
  }
  assert.ok(cli.has('--root') && cli.has('--network'), `parsed ${[...cli]} from do --help`);
  const entry = spawnSync(join(REPO, 'build', 'Release', 'tsvisor-entry'), ['--print-value-options'], { encoding: 'utf8' });
  assert.equal(entry.status, 0);
  const entryList = new Set(entry.stdout.trim().split('\n'));
  const { DO_VALUE_OPTIONS } = await import('../dist/cli/handover.js');
  for (const o of cli) {
    assert.ok(entryList.has(o), `native/entry.c does not know ${o} takes a value`);
    assert.ok(DO_VALUE_OPTIONS.has(o), `src/cli/handover.ts does not know ${o} takes a value`);
  }
});

test('bin/tsvisor (the native front door) runs do with the walls, other commands, and --unsafe-no-walls as node bin/tsvisor.js does', () => {
  const env = tsvisorHostEnv();
  const run = (args) => spawnSync(join(REPO, 'bin', 'tsvisor'), args, { encoding: 'utf8', env, cwd: '/', timeout: ms(60_000) });
  const walled = run(['do', '--network', 'host', '--cwd', '/tmp', '--', '/bin/sh', '-c', 'pwd; exit 3']);
  assert.equal(walled.code ?? walled.status, 3, walled.stderr);
  assert.equal(walled.stdout, '/tmp\n');
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: tsvisor/);
  const bad = run(['do', '--network=bridge', '/bin/true']);
  assert.equal(bad.status, 125);
  assert.match(bad.stderr, /network/);
  const unsafe = run(['do', '--unsafe-no-walls', '/bin/true']);
  assert.equal(unsafe.status, 0, unsafe.stderr);
  assert.match(unsafe.stderr, /unsafe-no-walls/);
});
