// exec and consoles, with runc as the oracle: the same bundle run by runc
// and by tsvisor, the same exec commands in each, the same outputs and
// exit statuses. The console socket is spoken to by test/lib/console.py
// (what conmon and runc's recvtty do), --detach's carrier is reaped by
// test/lib/subreaper.py (what conmon and containerd's shim are to it).
// Skipped where runc is not installed (apt-get install runc).

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, TSVISOR_BIN, ms, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, alive, test } from './lib/oci.js';

const RUNC = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
const CONSOLE = join(REPO, 'test', 'lib', 'console.py');
const SUBREAPER = join(REPO, 'test', 'lib', 'subreaper.py');
let w;

before(() => {
  w = new OciWork('tsv-exec-');
});

after(() => {
  if (RUNC !== '') {
    for (const id of ['x-runc', 'xt-runc', 'xp-runc']) spawnSync(RUNC, ['--root', join(w.dir, 'runc-state'), 'delete', '--force', id]);
  }
  w.cleanup();
});

/** One runtime, invoked as a caller invokes runc: RUNTIME --root STATE ARGS. */
function runtimes() {
  const tsv = {
    name: 'tsvisor',
    argv: (args) => [process.execPath, TSVISOR_BIN, '--root', w.stateRoot, ...args],
  };
  const runc = { name: 'runc', argv: (args) => [RUNC, '--root', join(w.dir, 'runc-state'), ...args] };
  return RUNC === '' ? [tsv] : [runc, tsv];
}

function run(rt, args, opts = {}) {
  const [cmd, ...rest] = rt.argv(args);
  const r = spawnSync(cmd, rest, { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000), killSignal: 'SIGKILL', cwd: w.dir, ...opts });
  return { code: r.status ?? 128, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** run -d ID from a fresh bundle of args, its output to a file. */
function start(rt, id, args, extra = {}, more = []) {
  // runc's exec needs /proc in the container.
  const dir = w.bundle(args, { mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }], ...extra });
  // The container keeps the stdio it is given: a file, never a pipe this call would wait on for the container's end.
  const errFile = join(w.dir, `run-${id}.err`);
  const fd = openSync(errFile, 'w');
  let r;
  try {
    r = run(rt, ['run', '-d', '-b', dir, ...more, id], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  assert.equal(r.code, 0, `${rt.name} run -d: ${readFileSync(errFile, 'utf8')}`);
  return dir;
}

/** The console socket's other end: console.py PATH ARGS, started and listening; its done resolves to what the console showed. */
async function consoleAt(path, args = []) {
  rmSync(path, { force: true });
  const p = spawn('python3', [CONSOLE, path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { err += d; });
  assert.ok(await waitFor(() => out.startsWith('listening\n'), ms(10_000), 20), `console.py did not start: ${err}`);
  return { done: new Promise((resolve) => p.on('exit', () => resolve(out.slice('listening\n'.length)))) };
}

async function sequence(rt) {
  const id = `x-${rt.name}`;
  start(rt, id, ['sleep', '1000']);
  const steps = [];
  const step = (name, r) => steps.push(`${name}: ${r.code} ${r.out.trim()}${r.code === 255 ? ` ${/executable file not found|chdir to cwd \("\/nowhere"\) set in config.json failed: no such file|no such file|permission denied|stopped container|paused container/.exec(r.err.replace(/\\"/g, '"'))?.[0]}` : ''}`);
  step('exec', run(rt, ['exec', id, 'sh', '-c', 'echo hello; exit 7']));
  step('stdin', run(rt, ['exec', id, 'cat'], { input: 'piped in\n' }));
  step('stderr', { ...run(rt, ['exec', id, 'sh', '-c', 'echo to-stderr >&2']), out: run(rt, ['exec', id, 'sh', '-c', 'echo to-stderr >&2']).err });
  step('missing', run(rt, ['exec', id, 'nosuch']));
  step('not executable', run(rt, ['exec', id, '/etc/passwd']));
  step('flags', run(rt, ['exec', '--cwd', '/bin', '-e', 'FOO=bar', '-u', '1000:1000', '--additional-gids', '5', id, 'sh', '-c', 'pwd; echo $FOO; id']));
  step('env kept', run(rt, ['exec', id, 'sh', '-c', 'echo $PATH']));
  const pj = join(w.dir, `process-${rt.name}.json`);
  writeFileSync(pj, JSON.stringify({ args: ['sh', '-c', 'echo $X; pwd; id -u'], env: ['PATH=/bin', 'X=from-process-json'], cwd: '/bin', user: { uid: 7, gid: 8 } }));
  step('--process', run(rt, ['exec', '--process', pj, id]));
  step('missing cwd', run(rt, ['exec', '--cwd', '/nowhere', id, 'true']));
  step('ps has it (ppid 0)', run(rt, ['exec', id, 'sh', '-c', 'cut -d" " -f4 /proc/$$/stat']));
  // --detach: the carrier (runc: the process itself) is reaped by a subreaper with the process's status.
  const pf = join(w.dir, `pid-${rt.name}`);
  const d = spawnSync('python3', [SUBREAPER, pf, ...rt.argv(['exec', '-d', '--pid-file', pf, id, 'sh', '-c', 'sleep 0.5; exit 3'])],
    { encoding: 'utf8', timeout: ms(60_000), env: tsvisorHostEnv() });
  steps.push(`detach: ${d.stdout.trim()}`);
  // A signal to the exec command reaches the process.
  const sig = spawnSync('sh', ['-c', `"$@" & p=$!; sleep 1.5; kill -TERM $p; wait $p; echo status=$?`, 'sh',
    ...rt.argv(['exec', id, 'sh', '-c', 'trap "echo got TERM; exit 9" TERM; echo ready; sleep 20 & wait'])], { encoding: 'utf8', timeout: ms(60_000), env: tsvisorHostEnv() });
  steps.push(`signal: ${sig.stdout.trim().replace(/\n/g, ' | ')}`);
  step('pause', run(rt, ['pause', id]));
  step('exec paused', run(rt, ['exec', id, 'true']));
  step('resume', run(rt, ['resume', id]));
  step('kill', run(rt, ['kill', id, 'KILL']));
  await waitFor(() => JSON.parse(run(rt, ['state', id]).out || '{}').status === 'stopped', ms(10_000), 100);
  step('exec stopped', run(rt, ['exec', id, 'true']));
  step('delete', run(rt, ['delete', id]));
  return steps;
}

test('exec: output, stdin, exit statuses, flags, --process, --detach, signals, paused and stopped containers as runc', async (t) => {
  if (RUNC === '') return t.skip('runc is not installed (apt-get install runc): it is the oracle');
  const [runc, tsv] = runtimes();
  const want = await sequence(runc);
  assert.match(want[0], /^exec: 7 hello/);
  assert.deepEqual(await sequence(tsv), want);
});

/** A console session: the container's (run -d, process.terminal) or an exec's (-t). */
async function consoleSession(rt, kind) {
  const sock = join(w.dir, `console-${rt.name}-${kind}.sock`);
  // Size, isatty, a resize that the program hears (SIGWINCH) and sees, and a line typed at the console.
  const script = 'trap "echo winch" WINCH; stty size; [ -t 0 ] && [ -t 1 ] && echo isatty; echo ready; sleep 2; stty size; read l; echo got $l';
  const session = await consoleAt(sock, ['--resize-after', '0.3', '40', '120', '--feed', 'typed\\n', '--idle', '8']);
  const id = `xt-${rt.name}`;
  // runc opens the console in the container's devpts (its /dev/ptmx).
  const mounts = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
  ];
  if (kind === 'create') {
    start(rt, id, ['sh', '-c', script], { mounts, process: { terminal: true, consoleSize: { height: 20, width: 70 } } }, ['--console-socket', sock]);
  } else {
    start(rt, id, ['sleep', '1000'], { mounts });
    const pj = join(w.dir, `tty-${rt.name}.json`);
    writeFileSync(pj, JSON.stringify({ args: ['sh', '-c', script], env: ['PATH=/bin'], cwd: '/', terminal: true, consoleSize: { height: 20, width: 70 } }));
    const r = run(rt, ['exec', '-d', '--console-socket', sock, '--process', pj, id]);
    assert.equal(r.code, 0, r.err);
  }
  const out = await session.done;
  run(rt, ['delete', '--force', id]);
  return out.replace(/\r/g, '');
}

for (const kind of ['create', 'exec']) {
  test(`console (${kind}): the pty master arrives on --console-socket; size, isatty, SIGWINCH on resize, input, as runc`, async (t) => {
    if (RUNC === '') return t.skip('runc is not installed (apt-get install runc): it is the oracle');
    const [runc, tsv] = runtimes();
    const want = await consoleSession(runc, kind);
    assert.match(want, /20 70\nisatty\nready\n/);
    assert.equal(await consoleSession(tsv, kind), want);
  });
}

test('exec refuses what it cannot honour, and bad input, with runc\'s status 255 and a reason', () => {
  const tsv = runtimes().at(-1);
  const id = 'xp-tsvisor';
  start(tsv, id, ['sleep', '1000']);
  const bad = (args, re) => {
    const r = run(tsv, ['exec', ...args]);
    assert.equal(r.code, 255, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
  };
  bad(['nosuch-container', 'true'], /exec failed: container does not exist/);
  bad([id], /args must not be empty/);
  bad(['--apparmor', 'x', id, 'true'], /--apparmor: the Sentry has no AppArmor/);
  bad(['--process-label', 'x', id, 'true'], /--process-label/);
  bad(['--cgroup', 'x', id, 'true'], /--cgroup/);
  // A terminal without --console-socket is the command's own pty (test/oci-runc.test.js), which needs a terminal of its own: none in a new session.
  const noTty = spawnSync('setsid', ['-w', ...tsv.argv(['exec', '-t', id, 'true'])], { env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000) });
  assert.equal(noTty.status, 255, noTty.stderr);
  assert.match(noTty.stderr, /process\.terminal: cannot open a console/);
  bad(['-t', '-d', id, 'true'], /cannot allocate tty if runc will detach without setting console socket/);
  bad(['--console-socket', join(w.dir, 'none'), id, 'true'], /--console-socket is for a process with a terminal/);
  bad(['--process', join(w.dir, 'missing.json'), id], /missing\.json/);
  writeFileSync(join(w.dir, 'bad.json'), '{"args": "not a list", "cwd": "/"}');
  bad(['--process', join(w.dir, 'bad.json'), id], /args/);
  writeFileSync(join(w.dir, 'rel.json'), '{"args": ["true"], "cwd": "relative"}');
  bad(['--process', join(w.dir, 'rel.json'), id], /cwd/);
  bad(['-u', 'root', id, 'true'], /--user root: expected UID/);
  // Nothing is left running for a failed exec: the container still has its init alone.
  const ps = JSON.parse(run(tsv, ['ps', '--format', 'json', id]).out);
  assert.deepEqual(ps, [1]);
  run(tsv, ['delete', '--force', id]);
});

test('exec --preserve-fds passes descriptors 3.., and a detached carrier leads a session of its own and ends with the container', async () => {
  const tsv = runtimes().at(-1);
  const id = 'xf-tsvisor';
  start(tsv, id, ['sleep', '1000']);
  const file = join(w.dir, 'fd3.txt');
  writeFileSync(file, 'through fd 3\n');
  const r = spawnSync('sh', ['-c', `exec 3<"${file}"; "$@"`, 'sh', ...tsv.argv(['exec', '--preserve-fds', '1', id, 'sh', '-c', 'cat <&3'])],
    { encoding: 'utf8', timeout: ms(60_000), env: tsvisorHostEnv() });
  assert.equal(r.stdout, 'through fd 3\n', r.stderr);
  const pf = join(w.dir, 'carrier.pid');
  // stdio not piped: the process holds what it is given, and a caller reading a pipe would wait for it to end.
  assert.equal(run(tsv, ['exec', '-d', '--pid-file', pf, id, 'sleep', '30'], { stdio: 'ignore' }).code, 0);
  const carrier = Number(readFileSync(pf, 'utf8'));
  assert.ok(alive(carrier));
  // The carrier is a session of its own, so a caller's terminal hang-up does not reach it.
  const stat = readFileSync(`/proc/${carrier}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.equal(Number(fields[3]), carrier, 'the carrier leads its own session');
  run(tsv, ['delete', '--force', id]);
  assert.ok(await waitFor(() => !alive(carrier), ms(10_000), 50), 'the carrier ends with the container');
  assert.equal(existsSync(join(w.stateRoot, id)), false);
});
