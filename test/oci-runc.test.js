// What runc v1.1.5's own integration tests (test/runc-integration) check
// of the lifecycle commands, with runc as the oracle: each scenario runs
// under tsvisor and, where runc can run here (root, runc installed), under
// runc with the same bundle, and the two must agree. kill's signal 0 and
// --all on a stopped container, run --keep, ps (runc's ps -ef columns, ps
// options after the id, a stopped container), exec --pid-file that
// cannot be written.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, TSVISOR_BIN, ms, sleep, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

let w;

before(() => {
  w = new OciWork('tsv-runc-');
});

after(() => {
  if (w === undefined) return;
  for (const id of runcIds) spawnSync('runc', ['--root', runcRoot(), 'delete', '--force', id]);
  w.cleanup();
});

const runcIds = new Set();
const runcRoot = () => join(w.dir, 'runc-state');

/** Whether runc can be the oracle here: root, and runc installed. */
const haveRunc = () => process.getuid?.() === 0 && spawnSync('runc', ['--version']).status === 0;

/** The runtimes to compare: tsvisor, and runc where it can run. */
const runtimes = () => (haveRunc() ? ['tsvisor', 'runc'] : ['tsvisor']);

/** rt ARGS (--root its own), waited for: { code, stdout, stderr }. */
function cmd(rt, args, opts = {}) {
  if (rt === 'tsvisor') return w.tsvisor(args, opts);
  const r = spawnSync('runc', ['--root', runcRoot(), ...args], { encoding: 'utf8', timeout: ms(60_000), cwd: w.dir, ...opts });
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A busybox bundle runc can run too (a /proc mount: runc's init needs one). */
function bundle(args, extra = {}) {
  const dir = w.bundle(args, { mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }], ...extra });
  mkdirSync(join(dir, 'rootfs', 'proc'), { recursive: true });
  return dir;
}

/** run -d ID under rt, the container's output in a file; the id. */
function runDetached(rt, args) {
  const id = `${rt}-${w.newId()}`;
  if (rt === 'runc') runcIds.add(id);
  const out = openSync(join(w.dir, `${id}.out`), 'w');
  try {
    const r = cmd(rt, ['run', '-d', '-b', bundle(args), id], { stdio: ['ignore', out, out] });
    assert.equal(r.code, 0, `${rt} run -d: ${r.stderr}`);
  } finally {
    closeSync(out);
  }
  return id;
}

function status(rt, id) {
  const r = cmd(rt, ['state', id]);
  return r.code === 0 ? JSON.parse(r.stdout).status : null;
}

async function untilStopped(rt, id) {
  assert.ok(await waitFor(() => status(rt, id) === 'stopped', ms(20_000), 100), `${rt}: ${id} did not stop`);
}

test('kill: signal 0 checks the init and delivers nothing; on a stopped container it is "container not running", but --all succeeds (runc\'s kill.bats)', async () => {
  const seen = {};
  for (const rt of runtimes()) {
    // The init would print the signal it got: signal 0 must not be one.
    const id = runDetached(rt, ['sh', '-c', 'trap "echo got; exit 7" HUP INT QUIT USR1 USR2 TERM; while :; do sleep 1; done']);
    const r = [];
    r.push(cmd(rt, ['kill', id, '0']).code, cmd(rt, ['kill', '--all', id, '0']).code);
    await sleep(300);
    r.push(status(rt, id));
    assert.equal(cmd(rt, ['kill', id, 'KILL']).code, 0);
    await untilStopped(rt, id);
    const zero = cmd(rt, ['kill', id, '0']);
    r.push(zero.code, /container not running/.test(zero.stderr));
    r.push(cmd(rt, ['kill', '-a', id, '0']).code, cmd(rt, ['kill', '-a', id, 'TERM']).code, cmd(rt, ['kill', id, 'TERM']).code);
    assert.equal(cmd(rt, ['delete', id]).code, 0);
    r.push(readFileSync(join(w.dir, `${id}.out`), 'utf8'));
    seen[rt] = r;
  }
  assert.deepEqual(seen.tsvisor, [0, 0, 'running', 1, true, 0, 0, 1, '']);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
  // A created container's init is not started (nor killed) by signal 0.
  const id = w.newId();
  assert.equal(w.create(id, bundle(['sh', '-c', 'echo ran'])).code, 0);
  assert.equal(w.tsvisor(['kill', id, '0']).code, 0);
  await sleep(300);
  assert.equal(w.state(id).status, 'created');
  assert.match(w.tsvisor(['kill', id, '65']).stderr, /unknown signal "65": a number must be from 0 to 64/);
  assert.equal(w.tsvisor(['delete', id]).code, 0);
});

test('run --keep: the container stays, stopped, until delete (runc\'s run.bats)', () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = `${rt}-${w.newId()}`;
    if (rt === 'runc') runcIds.add(id);
    const r = cmd(rt, ['run', '--keep', '-b', bundle(['sh', '-c', 'echo kept; exit 3']), id]);
    const st = cmd(rt, ['state', id]);
    const d = cmd(rt, ['delete', id]);
    seen[rt] = [r.code, r.stdout, st.code, st.code === 0 ? JSON.parse(st.stdout).status : st.stderr, d.code, cmd(rt, ['state', id]).code];
  }
  assert.deepEqual(seen.tsvisor, [3, 'kept\n', 0, 'stopped', 0, 1]);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
});

/** The table's lines split into fields (procps's columns are blank-separated; CMD may hold blanks: it is the rest). */
const rows = (text, n) => text.split('\n').filter((l) => l !== '').map((l) => {
  const f = l.trim().split(/\s+/);
  return [...f.slice(0, n - 1), f.slice(n - 1).join(' ')];
});

test('ps: runc\'s ps -ef columns, ps options after the id, a stopped container\'s header, -f json (runc\'s ps.bats)', async () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = runDetached(rt, ['sleep', '100']);
    const ef = cmd(rt, ['ps', id]);
    const ex = cmd(rt, ['ps', id, '-e', '-x']);
    const eo = cmd(rt, ['ps', id, '-eo', 'pid,user,c,tty,time,comm,args']);
    const json = cmd(rt, ['ps', '-f', 'json', id]);
    assert.equal(ef.code, 0, ef.stderr);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal(eo.code, 0, eo.stderr);
    const [efHead, efInit] = rows(ef.stdout, 8);
    const [exHead, exInit] = rows(ex.stdout, 5);
    assert.equal(cmd(rt, ['kill', id, 'KILL']).code, 0);
    await untilStopped(rt, id);
    const after = cmd(rt, ['ps', id]);
    const afterJson = cmd(rt, ['ps', '-f', 'json', id]);
    assert.equal(cmd(rt, ['delete', id]).code, 0);
    seen[rt] = {
      efHead, exHead, eo: rows(eo.stdout, 7).map((x) => x.slice(1)),
      // The init's row but its pids (the host's under runc, the container's under tsvisor) and STIME (its shape only).
      efInit: [efInit[0], efInit[3], /^\d\d:\d\d$/.test(efInit[4]), ...efInit.slice(5)],
      exInit: exInit.slice(1),
      jsonLength: JSON.parse(json.stdout).length,
      after: [after.code, after.stdout], afterJson: [afterJson.code, afterJson.stdout],
    };
  }
  const t = seen.tsvisor;
  assert.deepEqual(t.efHead, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(t.efInit, ['root', '0', true, '?', '00:00:00', 'sleep 100']);
  assert.deepEqual(t.exHead, ['PID', 'TTY', 'STAT', 'TIME', 'COMMAND']);
  // procps reads -e as BSD e beside -x: the environment follows the command.
  assert.deepEqual(t.exInit, ['?', 'Ss', '0:00', 'sleep 100 PATH=/bin HOME=/']);
  assert.deepEqual(t.eo, [['USER', 'C', 'TT', 'TIME', 'COMMAND', 'COMMAND'], ['root', '0', '?', '00:00:00', 'sleep', 'sleep 100']]);
  assert.equal(t.jsonLength, 1);
  assert.deepEqual(t.after, [0, 'UID        PID  PPID  C STIME TTY          TIME CMD\n']);
  assert.deepEqual(t.afterJson, [0, 'null\n']);
  if (seen.runc !== undefined) {
    const r = seen.runc;
    for (const k of ['efHead', 'exHead', 'jsonLength', 'after', 'afterJson']) assert.deepEqual(t[k], r[k], k);
    // C is the share of a CPU the process used since it started: a host process's, under runc, a few ms of start-up
    // over a few ms of life on a loaded machine (33 in one CI run), so only the other columns are runc's to match.
    const withoutC = (row, at) => row.filter((_, i) => i !== at);
    assert.deepEqual(withoutC(t.efInit, 1), withoutC(r.efInit, 1), 'efInit');
    assert.deepEqual(t.eo[0], r.eo[0], 'eo header');
    assert.deepEqual(withoutC(t.eo[1], 1), withoutC(r.eo[1], 1), 'eo');
    // runc's init is the session leader of its own session too.
    assert.deepEqual(t.exInit, r.exInit);
  }
});

test('ps: the Sentry\'s processes (an exec\'s too), -o\'s keywords and headers, and options it does not take refused by name', async () => {
  const id = runDetached('tsvisor', ['sh', '-c', 'sleep 100 & sleep 101 & wait']);
  assert.ok(await waitFor(() => w.tsvisor(['ps', id]).stdout.split('\n').length >= 5, ms(10_000)), w.tsvisor(['ps', id]).stdout);
  const ps = rows(w.tsvisor(['ps', id]).stdout, 8);
  assert.deepEqual(ps.slice(1).map((r) => [r[1], r[2], r[7]]), [['1', '0', 'sh -c sleep 100 & sleep 101 & wait'], ['2', '1', 'sleep 100'], ['3', '1', 'sleep 101']]);
  // -o: pid, ppid, process group, session, the threads, nice; KEY=HEADER renames, all empty drops the header line.
  assert.equal(w.tsvisor(['ps', id, '-o', 'pid,ppid,pgid,sid,nlwp,ni,s', '--format', 'comm=NAME']).stdout,
    '  PID  PPID  PGID   SID NLWP  NI S NAME\n    1     0     1     1    1   0 S sh\n    2     1     1     1    1   0 S sleep\n    3     1     1     1    1   0 S sleep\n');
  assert.equal(w.tsvisor(['ps', id, '-opid=']).stdout, '    1\n    2\n    3\n');
  for (const [args, re] of [
    [['-l'], /ps: -l: not supported \(tsvisor lists the container's processes itself and takes these ps\(1\) options: -e, -A, a, x, -x, e, -f, -o LIST, --format LIST\)/],
    [['-x', '-f'], /ps: -f with -x/],
    [['-p', '1'], /ps: -p: not supported/],
    [['aux'], /ps: u: not supported/],
    [['-f', 'x'], /ps: -f with x/],
    [['-o', 'pid,rss'], /ps: -o rss: unknown or unsupported keyword/],
    [['-o'], /ps: -o needs a list of keywords/],
  ]) {
    const r = w.tsvisor(['ps', id, ...args]);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.match(w.tsvisor(['ps', '-f', 'json', id, '-e']).stderr, /ps\(1\) options are for --format table/);
  assert.equal(w.tsvisor(['delete', '--force', id]).code, 0);
});

test('exec --pid-file that cannot be written: status 255 and the process is killed (runc\'s exec.bats)', async () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = runDetached(rt, ['sleep', '100']);
    const marker = join(w.dir, `${id}.marker`);
    writeFileSync(marker, '');
    const r = cmd(rt, ['exec', '--pid-file', '/non-existent/directory', id, 'sh', '-c', 'sleep 2; echo late > /proc/1/root/x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    seen[rt] = [r.code];
    // The process was killed: the container has only its init again.
    const pids = () => JSON.parse(cmd(rt, ['ps', '-f', 'json', id]).stdout);
    seen[rt].push(await waitFor(() => pids().length === 1, ms(5_000)));
    assert.equal(cmd(rt, ['delete', '--force', id]).code, 0);
  }
  assert.deepEqual(seen.tsvisor, [255, true]);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
  assert.ok(!existsSync('/non-existent'));
});

test('HOME: from the container\'s /etc/passwd for the process\'s uid when its env has none, else "/" (runc\'s setupUser), for run and exec', () => {
  const seen = {};
  for (const rt of runtimes()) {
    const out = [];
    for (const [uid, passwd, env] of [
      [1000, 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:u:/home/u:/bin/sh\n', []],
      [0, 'root:x:0:0:root:/root:/bin/sh\n', []],
      [1000, 'root:x:0:0:root:/root:/bin/sh\n', []],
      [0, null, []],
      [1000, 'u:x:1000:1000:u:/home/u:/bin/sh\n', ['HOME=/mine']],
    ]) {
      const id = `${rt}-${w.newId()}`;
      if (rt === 'runc') runcIds.add(id);
      const dir = bundle(['sh', '-c', 'echo "$HOME"'], { process: { env: ['PATH=/bin', ...env], user: { uid, gid: uid } } });
      if (passwd !== null) {
        mkdirSync(join(dir, 'rootfs', 'etc'));
        writeFileSync(join(dir, 'rootfs', 'etc', 'passwd'), passwd);
      }
      const r = cmd(rt, ['run', '-b', dir, id]);
      out.push([r.code, r.stdout.trim()]);
    }
    // exec: the same rule for the process it starts.
    const id = runDetached(rt, ['sleep', '100']);
    const e = cmd(rt, ['exec', '--user', '1000', id, 'sh', '-c', 'echo "$HOME"']);
    out.push([e.code, e.stdout.trim()]);
    assert.equal(cmd(rt, ['delete', '--force', id]).code, 0);
    seen[rt] = out;
  }
  assert.deepEqual(seen.tsvisor, [[0, '/home/u'], [0, '/root'], [0, '/'], [0, '/'], [0, '/mine'], [0, '/']]);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
});

const TERMINAL = join(REPO, 'test', 'lib', 'terminal.py');
/** runc's devpts mounts: runc opens the console's pty in the container's /dev/pts. */
const DEV_MOUNTS = [
  { destination: '/proc', type: 'proc', source: 'proc' },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
];

/** rt ARGS on a terminal of its own (terminal.py TERMARGS): { code, out } with the terminal's carriage returns dropped. */
function onTerminal(rt, termArgs, args) {
  const argv = rt === 'tsvisor' ? [process.execPath, TSVISOR_BIN, '--root', w.stateRoot, ...args] : ['runc', '--root', runcRoot(), ...args];
  const r = spawnSync('python3', [TERMINAL, ...termArgs, '--', ...argv], { encoding: 'latin1', timeout: ms(60_000), cwd: w.dir, env: tsvisorHostEnv() });
  return { code: r.status, out: (r.stdout ?? '').replace(/\r/g, ''), err: r.stderr };
}

/**
 * Size, isatty, a resize the program hears (SIGWINCH) and sees, a line
 * typed at the terminal, an exit status. It waits a second first: runc
 * sizes the pty only once the process runs (tsvisor before).
 */
const SESSION = 'sleep 1; trap "echo winch" WINCH; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo isatty; echo ready; sleep 2; stty size; read l; echo "got $l"; exit 5';
const SESSION_TERM = ['--size', '20', '70', '--resize-after', '0.3', '40', '120', '--feed', 'typed\\n'];

test('run and exec -t without --console-socket: the command\'s own pty copied to its terminal (runc\'s tty.go): size, resize, input, ^C, exit status', () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = `${rt}-${w.newId()}`;
    if (rt === 'runc') runcIds.add(id);
    const runDir = w.bundle(['sh', '-c', SESSION], { mounts: DEV_MOUNTS, process: { terminal: true } });
    const run = onTerminal(rt, SESSION_TERM, ['run', '-b', runDir, id]);
    // ^C reaches the container's foreground group through the pty (the init traps it: Linux's pid 1 ignores SIGINT it has no handler for, and the Sentry's does not).
    const intDir = w.bundle(['sh', '-c', 'trap "echo int; exit 4" INT; echo ready; sleep 100 & wait'], { mounts: DEV_MOUNTS, process: { terminal: true } });
    const intId = `${id}-int`;
    if (rt === 'runc') runcIds.add(intId);
    const interrupted = onTerminal(rt, ['--feed', '\\x03'], ['run', '-b', intDir, intId]);
    // exec -t in a running container: the same session, and ^C to its process.
    const cid = `${id}-exec`;
    if (rt === 'runc') runcIds.add(cid);
    const out = openSync(join(w.dir, `${cid}.out`), 'w');
    assert.equal(cmd(rt, ['run', '-d', '-b', w.bundle(['sleep', '100'], { mounts: DEV_MOUNTS }), cid], { stdio: ['ignore', out, out] }).code, 0);
    closeSync(out);
    const ex = onTerminal(rt, SESSION_TERM, ['exec', '-t', cid, 'sh', '-c', SESSION]);
    const exInt = onTerminal(rt, ['--feed', '\\x03'], ['exec', '-t', cid, 'sh', '-c', 'echo ready; sleep 100']);
    // No terminal at all (a session of its own, stdio pipes): runc's console needs one, and so does tsvisor's.
    const none = spawnSync('setsid', ['-w', ...(rt === 'tsvisor' ? [process.execPath, TSVISOR_BIN, '--root', w.stateRoot] : ['runc', '--root', runcRoot()]), 'exec', '-t', cid, 'true'], { encoding: 'utf8', timeout: ms(60_000), env: tsvisorHostEnv() });
    assert.equal(cmd(rt, ['delete', '--force', cid]).code, 0);
    seen[rt] = { run: [run.code, run.out], interrupted: [interrupted.code, interrupted.out], ex: [ex.code, ex.out], exInt: exInt.code, none: [none.status, none.stderr] };
  }
  const t = seen.tsvisor;
  // The line is echoed as it is typed, during the sleep; the trap runs after it.
  assert.deepEqual(t.run, [5, '20 70\nisatty\nready\ntyped\nwinch\n40 120\ngot typed\n'], JSON.stringify(t.run));
  assert.deepEqual(t.ex, t.run);
  assert.deepEqual(t.interrupted, [4, 'ready\n^Cint\n']);
  assert.equal(t.exInt, 130);
  assert.equal(t.none[0], 255);
  assert.match(t.none[1], /exec failed: process\.terminal: cannot open a console: stdin, stdout and stderr are no terminal, and \/dev\/tty cannot be opened/);
  if (seen.runc !== undefined) {
    const r = seen.runc;
    assert.deepEqual(t.run, r.run);
    assert.deepEqual(t.ex, r.ex);
    assert.deepEqual(t.interrupted, r.interrupted);
    assert.equal(t.exInt, r.exInt);
    assert.equal(t.none[0], r.none[0], r.none[1]);
  }
});

test('the console is a pty of the container\'s own devpts: tty names /dev/pts/0, owned by the process\'s uid and group tty, sized as the terminal; ps shows it (runc\'s tty.bats)', async () => {
  const SCRIPT = 'tty; stat -c %u:%g $(tty); readlink /proc/self/fd/0; readlink /proc/self/fd/2; stty -a | grep -o "rows [0-9]*; columns [0-9]*"';
  const seen = {};
  for (const rt of runtimes()) {
    const id = `${rt}-${w.newId()}`;
    if (rt === 'runc') runcIds.add(id);
    const user = { uid: 1000, gid: 100 };
    let run = onTerminal(rt, ['--size', '30', '100'], ['run', '-b', w.bundle(['sh', '-c', SCRIPT], { mounts: DEV_MOUNTS, process: { terminal: true, user } }), id]);
    // runc, the oracle, now and then hands its process a console whose stty fails with ENOTTY: once more, then believed.
    if (rt === 'runc' && /Inappropriate ioctl/.test(run.out)) {
      runcIds.add(`${id}-again`);
      run = onTerminal(rt, ['--size', '30', '100'], ['run', '-b', w.bundle(['sh', '-c', SCRIPT], { mounts: DEV_MOUNTS, process: { terminal: true, user } }), `${id}-again`]);
    }
    // exec -t in a container whose own process has no terminal; then ps from outside while a terminal's process runs.
    const cid = `${id}-exec`;
    if (rt === 'runc') runcIds.add(cid);
    const out = openSync(join(w.dir, `${cid}.out`), 'w');
    assert.equal(cmd(rt, ['run', '-d', '-b', w.bundle(['sleep', '100'], { mounts: DEV_MOUNTS, process: { user } }), cid], { stdio: ['ignore', out, out] }).code, 0);
    closeSync(out);
    const ex = onTerminal(rt, ['--size', '30', '100'], ['exec', '-t', cid, 'sh', '-c', SCRIPT]);
    const argv = rt === 'tsvisor' ? [process.execPath, TSVISOR_BIN, '--root', w.stateRoot] : ['runc', '--root', runcRoot()];
    const term = spawn('python3', [TERMINAL, '--', ...argv, 'exec', '-t', cid, 'sh', '-c', 'echo ready; exec sleep 5'], { stdio: 'ignore', cwd: w.dir, env: tsvisorHostEnv() });
    let ps = { stdout: '' };
    await waitFor(() => (ps = cmd(rt, ['ps', cid, '-eo', 'pid,tty,stat,args'])).stdout.includes('sleep 5'), ms(10_000), 200);
    await new Promise((resolve) => term.on('exit', resolve));
    assert.equal(cmd(rt, ['delete', '--force', cid]).code, 0);
    // runc's pids are the host's: the PID column is left out.
    seen[rt] = { run: [run.code, run.out], ex: [ex.code, ex.out], ps: ps.stdout.split('\n').map((l) => l.slice(6)).join('\n') };
  }
  const t = seen.tsvisor;
  const want = '/dev/pts/0\n1000:5\n/dev/pts/0\n/dev/pts/0\nrows 30; columns 100\n';
  assert.deepEqual(t.run, [0, want], JSON.stringify(t.run));
  assert.deepEqual(t.ex, [0, want], JSON.stringify(t.ex));
  assert.match(t.ps, /^TT +STAT COMMAND\n\? +Ss +sleep 100\npts\/0 +Ss\+ +sleep 5\n$/);
  if (seen.runc !== undefined) {
    assert.deepEqual(t.run, seen.runc.run);
    assert.deepEqual(t.ex, seen.runc.ex);
    assert.equal(t.ps, seen.runc.ps);
  }
});

test('/proc/self/fd/N of a descriptor the caller gave opens it again: exec --preserve-fds (runc\'s exec.bats), /dev/stdin of a pipe and of a file, a new file position', () => {
  const file = join(w.dir, 'preserved.txt');
  writeFileSync(file, 'hello\nworld\n');
  const seen = {};
  for (const rt of runtimes()) {
    const id = runDetached(rt, ['sleep', '100']);
    const fd = openSync(file, 'r');
    const r = [];
    try {
      const preserved = cmd(rt, ['exec', '--preserve-fds=2', id, 'cat', '/proc/self/fd/4'], { stdio: ['ignore', 'pipe', 'pipe', 'ignore', fd] });
      r.push([preserved.code, preserved.stdout]);
      // A line read through fd 3 moves its position; the reopened file starts at 0.
      const moved = cmd(rt, ['exec', '--preserve-fds=1', id, 'sh', '-c', 'read l <&3; echo "read $l"; cat /proc/self/fd/3'], { stdio: ['ignore', 'pipe', 'pipe', fd] });
      r.push([moved.code, moved.stdout]);
    } finally {
      closeSync(fd);
    }
    // A pipe (Node's own stdio pipes are sockets, which Linux does not reopen: ENXIO).
    const argv = rt === 'tsvisor' ? [process.execPath, TSVISOR_BIN, '--root', w.stateRoot] : ['runc', '--root', runcRoot()];
    const piped = spawnSync('sh', ['-c', 'printf "from a pipe\\n" | "$@"', 'sh', ...argv, 'exec', id, 'cat', '/dev/stdin'], { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000) });
    r.push([piped.status, piped.stdout]);
    const f2 = openSync(file, 'r');
    const fromFile = cmd(rt, ['exec', id, 'cat', '/dev/stdin'], { stdio: [f2, 'pipe', 'pipe'] });
    closeSync(f2);
    r.push([fromFile.code, fromFile.stdout]);
    if (rt === 'tsvisor') {
      // Never more access than the descriptor has: a read-only one is not opened for writing.
      const f3 = openSync(file, 'r');
      const write = cmd(rt, ['exec', '--preserve-fds=1', id, 'sh', '-c', 'echo x >> /proc/self/fd/3'], { stdio: ['ignore', 'pipe', 'pipe', f3] });
      closeSync(f3);
      assert.equal(write.code, 1);
      assert.match(write.stderr, /Permission denied/);
      assert.equal(readFileSync(file, 'utf8'), 'hello\nworld\n');
    }
    assert.equal(cmd(rt, ['delete', '--force', id]).code, 0);
    seen[rt] = r;
  }
  assert.deepEqual(seen.tsvisor, [[0, 'hello\nworld\n'], [0, 'read hello\nhello\nworld\n'], [0, 'from a pipe\n'], [0, 'hello\nworld\n']]);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
});

test('exec --process from a pipe (runc\'s tty.bats gives -p <(...)); a FIFO nobody writes is empty at once', () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = runDetached(rt, ['sleep', '100']);
    const argv = rt === 'tsvisor' ? [process.execPath, TSVISOR_BIN, '--root', w.stateRoot] : ['runc', '--root', runcRoot()];
    const r = spawnSync('bash', ['-c', 'id=$1; shift; "$@" exec -p <(sleep 0.5; echo \'{"args": ["echo", "from a pipe"], "env": ["PATH=/bin"], "cwd": "/"}\') "$id"', 'bash', id, ...argv], { encoding: 'utf8', env: tsvisorHostEnv(), timeout: ms(60_000) });
    seen[rt] = [r.status, r.stdout];
    if (rt === 'tsvisor') {
      const fifo = join(w.dir, 'process.fifo');
      spawnSync('mkfifo', [fifo]);
      const empty = cmd(rt, ['exec', '-p', fifo, id]);
      assert.equal(empty.code, 255);
      assert.match(empty.stderr, /process\.fifo: is empty, not JSON/);
    }
    assert.equal(cmd(rt, ['delete', '--force', id]).code, 0);
  }
  assert.deepEqual(seen.tsvisor, [0, 'from a pipe\n']);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
});

test('--debug: debug lines on stderr, or with --log in the file and not on stderr (runc\'s exec.bats, but for runc\'s own messages)', () => {
  const seen = {};
  for (const rt of runtimes()) {
    const id = runDetached(rt, ['sleep', '100']);
    const plain = cmd(rt, ['--debug', 'exec', id, 'true']);
    const log = join(w.dir, `${id}.log`);
    const logged = cmd(rt, ['--debug', '--log', log, 'exec', id, 'true']);
    const text = readFileSync(log, 'utf8');
    assert.equal(cmd(rt, ['delete', '--force', id]).code, 0);
    seen[rt] = [plain.code, /level=debug/.test(plain.stderr), logged.code, /level=debug/.test(logged.stderr), /level=debug/.test(text)];
  }
  assert.deepEqual(seen.tsvisor, [0, true, 0, false, true]);
  if (seen.runc !== undefined) assert.deepEqual(seen.tsvisor, seen.runc);
});
