// procfs and sysfs. C programs check /proc/self, a zombie's entries and the
// system files against what they know of themselves and what the system calls say,
// natively and under tsvisor, line by line; then procps (ps, top, free,
// uptime, pgrep), nproc and Python, run inside a sandbox with a few
// sleeping children, must list exactly the sandbox's processes and agree
// with /proc.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { SELFCHECK, assertNoSentryCrash, assertSameAsNative, compileC, compileWarnings, runTsvisor } from './lib/harness.js';

const PROGRAMS = ['proc_self', 'proc_sys', 'proc_links', 'proc_zombie'];

for (const name of PROGRAMS) {
  for (const mode of ['static', 'dynamic']) {
    test(`${name} (${mode}) behaves as natively`, () => {
      const bin = compileC(name, { static: mode === 'static' });
      const { native } = assertSameAsNative([bin, 'an arg', 'two words'], { expectCode: 0, checkNativeDeterministic: true });
      assert.match(native.stdout, /\ndone\n$/, `native ${name} did not reach its end`);
    });
  }
}

test('the proc C programs compile without warnings', () => {
  for (const name of PROGRAMS) for (const isStatic of [true, false]) compileC(name, { static: isStatic });
  const noisy = [...compileWarnings].filter(([k, w]) => PROGRAMS.some((p) => k.startsWith(p)) && w.trim() !== '');
  assert.deepEqual(noisy, [], noisy.map(([k, w]) => `${k}:\n${w}`).join('\n'));
});

const HAVE_PROCPS = existsSync('/usr/bin/ps') && existsSync('/usr/bin/top') && existsSync('/usr/bin/free');
const skipProcps = SELFCHECK ? 'runs natively in self-check mode: the host has other processes' :
  !HAVE_PROCPS ? 'procps is not installed (apt-get install procps)' : false;

/** Runs a shell script in a sandbox whose first process starts three `sleep 60` children first. */
function withSleepers(script) {
  const sh = `sleep 60 & a=$!; sleep 60 & b=$!; sleep 60 & c=$!\n${script}\nkill $a $b $c; wait; exit 0`;
  const r = runTsvisor(['/bin/sh', '-c', sh]);
  assertNoSentryCrash(r);
  assert.equal(r.code, 0, `sandbox exited ${r.code}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** The sections of output between "== NAME" lines. */
function sections(out) {
  const s = {};
  let cur = null;
  for (const line of out.split('\n')) {
    const m = /^== (\S+)$/.exec(line);
    if (m) {
      cur = m[1];
      s[cur] = [];
    } else if (cur !== null && line !== '') {
      s[cur].push(line);
    }
  }
  return s;
}

test('ps lists exactly the sandbox\'s processes', { skip: skipProcps }, () => {
  const out = sections(withSleepers('echo "== eo"; ps -eo pid,ppid,stat,comm\necho "== aux"; ps aux\necho "== pgrep"; pgrep sleep'));
  const rows = out.eo.slice(1).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(out.eo[0].trim().split(/\s+/), ['PID', 'PPID', 'STAT', 'COMMAND']);
  // sh (pid 1, parent outside), three sleepers and ps itself: nothing of the host.
  assert.deepEqual(rows.map((r) => r[3]).sort(), ['ps', 'sh', 'sleep', 'sleep', 'sleep'], out.eo.join('\n'));
  const byName = (n) => rows.filter((r) => r[3] === n);
  assert.deepEqual(byName('sh').map((r) => [r[0], r[1]]), [['1', '0']]);
  for (const r of [...byName('sleep'), ...byName('ps')]) assert.equal(r[1], '1', `parent of ${r}`);
  for (const r of byName('sleep')) assert.match(r[2], /^S/, `sleeper state ${r}`);
  assert.match(byName('ps')[0][2], /^R/);
  const sleepers = byName('sleep').map((r) => r[0]).sort();
  assert.deepEqual([...out.pgrep].sort(), sleepers, 'pgrep sleep');
  assert.match(out.aux[0], /^USER\s+PID\s+%CPU\s+%MEM\s+VSZ\s+RSS\s+TTY\s+STAT\s+START\s+TIME\s+COMMAND$/);
  assert.equal(out.aux.length, 6, out.aux.join('\n'));
  const auxSleep = out.aux.filter((l) => / sleep 60$/.test(l));
  assert.equal(auxSleep.length, 3, out.aux.join('\n'));
  for (const l of auxSleep) {
    const f = l.trim().split(/\s+/);
    assert.ok(Number(f[4]) > 0 && Number(f[5]) > 0, `VSZ and RSS of ${l}`);
  }
});

test('top -bn1 runs and shows the sleepers', { skip: skipProcps }, () => {
  const out = withSleepers('echo "== top"; top -bn1 -w 200');
  const text = out;
  assert.match(text, /^top - \d\d:\d\d:\d\d up /m);
  const tasks = /^Tasks:\s+(\d+) total,\s+(\d+) running,\s+(\d+) sleeping/m.exec(text);
  assert.ok(tasks, text);
  assert.equal(Number(tasks[1]), 5, `sh, three sleepers and top:\n${text}`);
  assert.match(text, /^MiB Mem :/m);
  assert.equal(text.split('\n').filter((l) => / sleep\s*$/.test(l)).length, 3, text);
});

test('free and uptime agree with /proc', { skip: skipProcps }, () => {
  const out = sections(withSleepers('echo "== free"; free -k\necho "== meminfo"; cat /proc/meminfo\necho "== uptime"; uptime'));
  const total = Number(/^MemTotal:\s+(\d+) kB$/m.exec(out.meminfo.join('\n'))[1]);
  const mem = out.free.find((l) => l.startsWith('Mem:')).split(/\s+/);
  assert.equal(Number(mem[1]), total, 'free\'s total is MemTotal');
  assert.ok(Number(mem[2]) > 0 && Number(mem[3]) > 0 && Number(mem[2]) + Number(mem[3]) <= total);
  assert.match(out.uptime[0], /^ \d\d:\d\d:\d\d up .*load average: 0\.00, 0\.00, 0\.00$/);
});

test('cpuinfo, nproc, sysfs and Python agree on the CPU count', { skip: SELFCHECK ? 'self-check' : false }, () => {
  const py = existsSync('/usr/bin/python3');
  const script = 'echo "== cpus"; grep -c ^processor /proc/cpuinfo; nproc; nproc --all; cat /sys/devices/system/cpu/online' +
    (py ? '; /usr/bin/python3 -c "import os; print(os.cpu_count()); print(len(os.sched_getaffinity(0)))"' : '');
  const r = runTsvisor(['/bin/sh', '-c', script]);
  assertNoSentryCrash(r);
  const s = sections(r.stdout).cpus;
  const n = s[0];
  assert.ok(Number(n) >= 1, r.stdout);
  assert.equal(s[1], n, 'nproc');
  assert.equal(s[2], n, 'nproc --all');
  assert.equal(s[3], n === '1' ? '0' : `0-${Number(n) - 1}`, 'sys cpu online');
  if (py) assert.deepEqual(s.slice(4), [n, n], 'os.cpu_count() and sched_getaffinity');
});

test('/proc/sys/kernel/hostname writes set the UTS name, other sysctl writes are refused', { skip: SELFCHECK ? 'self-check' : false }, () => {
  const r = runTsvisor(['/bin/sh', '-c',
    'echo sandboxed > /proc/sys/kernel/hostname && uname -n; echo 1 > /proc/sys/vm/max_map_count; echo "rc=$?"; ' +
    'cat /proc/sys/vm/max_map_count > /proc/sys/vm/max_map_count; echo "same rc=$?"']);
  assertNoSentryCrash(r);
  // dash reports any failed write as "I/O error" (the call failed with EPERM).
  assert.equal(r.stdout, 'sandboxed\nrc=1\nsame rc=0\n', r.stderr);
});
