// `tsvisor exec` (runc's exec.go, runsc's cmd/exec.go): runs a process in
// a running container. The process is --process's JSON (what podman,
// conmon and containerd's shim send), or the container's own process with
// the command line's args and runc's overrides (--cwd, --env appended,
// --user, --additional-gids, --cap added to every set but inheritable,
// --no-new-privs, --tty). Its stdio is this command's (descriptors 0-2,
// and 3.. with --preserve-fds), sent to the sandbox over the control
// socket; with a terminal, a pty's replica instead, whose master goes to
// --console-socket (src/container/console.ts).
//
// The process runs inside the Sentry, so no host process is it; as runsc
// does, a host process stands for it and carries its exit status: this
// command itself, or with --detach a child of it (this program again,
// with --internal-carrier-fd) that outlives it and whose pid --pid-file
// gets, so a subreaper (conmon, containerd's shim) reaps it with the
// status. The carrier forwards the signals it gets to the process (to its
// terminal's foreground group when it has a terminal, whose keys and
// resizes reach the carrier: the replica is its controlling terminal).
//
// A terminal without --console-socket is this command's own pty, copied
// to and from its stdio as runc's (console_relay.ts); with --detach it is
// refused in runc's words. Refused, as the Sentry has nothing to honour
// them with: --apparmor, --process-label, --cgroup.

import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Process } from '../config/spec.js';
import { validateProcess } from '../config/validate.js';
import { SpecError } from '../config/errors.js';
import { readJsonFile } from '../config/bundle.js';
import { capabilityFromName } from '../abi/linux/capability.js';
import { Container } from '../container/container.js';
import { sendPidfd } from '../container/send_fd.js';
import { openConsole } from '../container/console.js';
import { ConsoleRelay } from './console_relay.js';
import { ContainerError } from '../container/errors.js';
import { writePidFile } from '../container/state.js';
import { native } from '../native.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

interface ExecFlags {
  process?: string;
  consoleSocket?: string;
  cwd?: string;
  env: string[];
  tty?: boolean;
  user?: string;
  additionalGids: string[];
  detach: boolean;
  pidFile?: string;
  pidfdSocket?: string;
  processLabel?: string;
  apparmor?: string;
  noNewPrivs?: boolean;
  cap: string[];
  preserveFds: string;
  cgroup?: string;
  ignorePaused: boolean;
  internalCarrierFd?: string;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** Signals the carrier passes on (runc forwards all but SIGCHLD, SIGURG and, without a terminal, SIGWINCH). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGPIPE'];

/** runc's process from the command line: the container's, with the flags' overrides. */
function processFromFlags(base: Process, args: string[], o: ExecFlags): Process {
  const p: Process = structuredClone(base);
  p.args = args;
  if (o.cwd !== undefined) p.cwd = o.cwd;
  p.env = [...(p.env ?? []), ...o.env];
  p.terminal = o.tty === true;
  if (o.noNewPrivs !== undefined) p.noNewPrivileges = o.noNewPrivs;
  if (o.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(o.user);
    if (m === null) throw new ContainerError(`--user ${o.user}: expected UID or UID:GID (numbers: the Sentry does not read the container's /etc/passwd for it)`);
    p.user = { ...(p.user ?? { uid: 0, gid: 0 }), uid: Number(m[1]) };
    if (m[2] !== undefined) p.user.gid = Number(m[2]);
  }
  for (const g of o.additionalGids) {
    if (!/^\d+$/.test(g)) throw new ContainerError(`--additional-gids ${g}: expected a number`);
    p.user = { ...(p.user ?? { uid: 0, gid: 0 }) };
    p.user.additionalGids = [...(p.user.additionalGids ?? []), Number(g)];
  }
  if (o.cap.length > 0) {
    const c = p.capabilities ?? {};
    for (const name of o.cap) {
      const n = name.toUpperCase().startsWith('CAP_') ? name.toUpperCase() : `CAP_${name.toUpperCase()}`;
      if (capabilityFromName(n) === undefined) throw new ContainerError(`--cap ${name}: unknown capability`);
      for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) c[set] = [...(c[set] ?? []), n];
    }
    p.capabilities = c;
  }
  return p;
}

function buildProcess(c: Container, args: string[], o: ExecFlags): Process {
  let p: Process;
  try {
    if (o.process !== undefined) {
      p = validateProcess(readJsonFile(o.process, { pipes: true }), o.process);
      // --tty beside --process, as runc 1.1 takes it: it sets process.terminal.
      if (o.tty !== undefined) p.terminal = o.tty;
    } else {
      if (args.length === 0) throw new ContainerError('exec: args must not be empty (give a command after the container id, or --process)');
      const base = c.config().process;
      if (base === undefined) throw new ContainerError('exec: the container\'s config.json has no process to start from: use --process');
      p = validateProcess(processFromFlags(base, args, o), 'the command line');
    }
  } catch (e) {
    if (e instanceof SpecError) throw new ContainerError(e.message);
    throw e;
  }
  if (!(p.args ?? []).length) throw new ContainerError('exec: process.args must not be empty');
  if (!p.cwd.startsWith('/')) throw new ContainerError(`exec: process.cwd ${JSON.stringify(p.cwd)} must be an absolute path`);
  return p;
}

function refuseUnsupported(o: ExecFlags): void {
  const no = (flag: string, why: string) => new ContainerError(`${flag}: ${why}`);
  if (o.apparmor !== undefined) throw no('--apparmor', 'the Sentry has no AppArmor: the container\'s processes are confined by the Sentry itself');
  if (o.processLabel !== undefined) throw no('--process-label', 'the Sentry has no SELinux labels');
  if (o.cgroup !== undefined) throw no('--cgroup', 'a container under tsvisor has one cgroup; exec cannot choose another');
  if (!/^\d+$/.test(o.preserveFds) || Number(o.preserveFds) > 60) throw no('--preserve-fds', `${o.preserveFds}: expected a number of descriptors (0 to 60)`);
}

/** Adds `exec` to program. setStatus: the command's exit status (the process's). */
export function addExecCommand(program: Command, globals: GlobalsFn, setStatus: (n: number) => void): void {
  program.command('exec')
    .description('run a process in a running container; the command (or the carrier with --detach) exits with its status')
    .option('-p, --process <file>', 'the process as config.json\'s process object (JSON); the command line\'s args are then ignored')
    .option('--console-socket <path>', 'with a terminal: a unix socket to send the pty master to')
    .option('--cwd <dir>', 'the working directory in the container')
    .option('-e, --env <KEY=VALUE>', 'an environment variable, added to the container\'s (repeatable)', collect, [])
    .option('-t, --tty', 'give the process a terminal (its master goes to --console-socket)')
    .option('-u, --user <uid[:gid]>', 'the user (and group) to run as')
    .option('-g, --additional-gids <gid>', 'an additional group (repeatable)', collect, [])
    .option('-d, --detach', 'return once the process runs; --pid-file names the host process that carries its status', false)
    .option('--pid-file <file>', 'write the pid of the host process that carries the exit status to this file')
    .option('--pidfd-socket <path>', 'a unix socket to send a pidfd of that host process to (a signal through it reaches the process)')
    .option('--process-label <label>', 'refused: the Sentry has no SELinux labels')
    .option('--apparmor <profile>', 'refused: the Sentry has no AppArmor')
    .option('--no-new-privs', 'set no_new_privs for the process')
    .option('-c, --cap <capability>', 'add a capability to the bounding, effective, permitted and ambient sets (repeatable)', collect, [])
    .option('--preserve-fds <n>', 'pass N more descriptors (3 to 3+N-1) to the process', '0')
    .option('--cgroup <path>', 'refused: a container under tsvisor has one cgroup')
    .option('--ignore-paused', 'exec in a paused container too (the process runs once it is resumed)', false)
    .option('--internal-carrier-fd <fd>', 'internal: this is the detached carrier; report on FD', undefined)
    .argument('<container-id>')
    .argument('[command...]')
    .passThroughOptions()
    .action(async (id: string, args: string[], o: ExecFlags, cmd: Command) => {
      // commander sets noNewPrivs false from --no-new-privs' "no-" form only when given.
      if (cmd.getOptionValueSource('newPrivs') === 'cli') o.noNewPrivs = true;
      try {
        refuseUnsupported(o);
        if (o.internalCarrierFd !== undefined) {
          await carry(id, args, o, globals, setStatus, Number(o.internalCarrierFd));
        } else if (o.detach) {
          await startDetached(o);
        } else {
          setStatus(await runExec(id, args, o, globals, null));
        }
      } catch (e) {
        // runc's exec: every failure is "exec failed: ..." with status 255 (podman reads 127 and 126 from the words).
        if (e instanceof ContainerError) throw new ContainerError(e.message.startsWith('exec failed: ') ? e.message : `exec failed: ${e.message}`, 255);
        throw e;
      }
    });
}

/**
 * Starts the process and waits for it; returns its exit status. ready:
 * the detached carrier's report channel, told once the process runs (or why not).
 */
async function runExec(id: string, args: string[], o: ExecFlags, globals: GlobalsFn, ready: ((err: ContainerError | null) => void) | null): Promise<number> {
  const rt = runtime(globals());
  const c = Container.load(rt, id);
  const proc = buildProcess(c, args, o);
  const extra = Number(o.preserveFds);
  for (let fd = 3; fd < 3 + extra; fd++) {
    try {
      fs.fstatSync(fd);
    } catch {
      throw new ContainerError(`--preserve-fds ${extra}: descriptor ${fd} is not open`);
    }
  }
  let fds: number[] = [0, 1, 2];
  let replica = -1;
  let relay: ConsoleRelay | null = null;
  let forward = (_sig: NodeJS.Signals): void => {};
  if (proc.terminal === true) {
    if (o.consoleSocket === undefined) {
      // runc's words: the detached carrier has no terminal to copy to.
      if (ready !== null) throw new ContainerError('cannot allocate tty if runc will detach without setting console socket');
      // In the foreground, this command's own pty, copied to and from its stdio as runc does (console_relay.ts).
      relay = ConsoleRelay.open(() => forward('SIGWINCH'));
      replica = relay.takeReplica();
    } else {
      replica = openConsole(o.consoleSocket, proc.consoleSize).replica;
      // The replica is the carrier's controlling terminal: what its line discipline signals comes here and goes on to the process.
      native.takeTerminal(replica);
    }
    fds = [replica, replica, replica];
  } else if (o.consoleSocket !== undefined) {
    throw new ContainerError('--console-socket is for a process with a terminal (--tty, or process.terminal)');
  }
  for (let fd = 3; fd < 3 + extra; fd++) fds.push(fd);
  // With the relay a resize reaches the process after the pty (the relay's own SIGWINCH handler), and its keys as signals.
  const signals: NodeJS.Signals[] = replica >= 0 && relay === null ? [...FORWARDED, 'SIGWINCH'] : FORWARDED;
  try {
    const pid = await c.exec(proc, fds, o.ignorePaused);
    // Forwarding first: whoever reads the pid file or gets the pidfd may signal at once.
    forward = (sig: NodeJS.Signals) => {
      void c.signalProcess(pid, osConstants.signals[sig], replica >= 0).catch(() => {});
    };
    if (relay !== null) relay.onKey = (signo) => void c.signalProcess(pid, signo, true).catch(() => {});
    for (const s of signals) process.on(s, forward);
    if (o.pidFile !== undefined || o.pidfdSocket !== undefined) {
      try {
        if (o.pidFile !== undefined) writePidFile(o.pidFile, process.pid);
        if (o.pidfdSocket !== undefined) sendPidfd(o.pidfdSocket, process.pid);
      } catch (e) {
        // As runc's exec: the process it cannot name is killed.
        await c.signalProcess(pid, osConstants.signals.SIGKILL, false).catch(() => {});
        await c.waitProcess(pid).catch(() => 0);
        throw e;
      }
    }
    ready?.(null);
    rt.debug(`exec: container ${id}: pid ${pid} in the container runs ${JSON.stringify(proc.args)}${relay !== null ? ' on this command\'s own pty' : ''}`);
    const status = await c.waitProcess(pid);
    rt.debug(`exec: container ${id}: pid ${pid} exited, status ${status}`);
    return status;
  } finally {
    for (const s of signals) process.off(s, forward);
    if (replica >= 0) native.close(replica);
    relay?.finish();
  }
}

/** The carrier (--detach's child): runs the process and tells its parent through fd how the start went. */
async function carry(id: string, args: string[], o: ExecFlags, globals: GlobalsFn, setStatus: (n: number) => void, fd: number): Promise<void> {
  let told = false;
  const tell = (err: ContainerError | null) => {
    if (told) return;
    told = true;
    try {
      fs.writeSync(fd, `${JSON.stringify(err === null ? { ok: true } : { error: err.message, code: err.exitCode })}\n`);
      fs.closeSync(fd);
    } catch {
      // The parent is gone: nobody to tell.
    }
    if (err !== null) return;
    // The process has its own copies of the caller's stdio and passed
    // descriptors: the carrier lets go of its, so that the caller sees
    // EOF when the process closes them (or ends), not when the carrier does.
    for (let n = 3; n < 3 + Number(o.preserveFds); n++) fs.closeSync(n);
    for (const n of [0, 1, 2]) {
      fs.closeSync(n);
      fs.openSync('/dev/null', n === 0 ? 'r' : 'w');
    }
  };
  try {
    setStatus(await runExec(id, args, o, globals, tell));
  } catch (e) {
    if (e instanceof ContainerError && !told) {
      tell(e);
      setStatus(e.exitCode);
      return;
    }
    throw e;
  }
}

/** --detach: the carrier is a child in a session of its own; this returns once it says the process runs. */
function startDetached(o: ExecFlags): Promise<void> {
  const extra = Number(o.preserveFds);
  const carrierFd = 3 + extra;
  // The same command line, as the carrier: --detach off, the report fd on.
  const argv = process.argv.slice(2).filter((a) => a !== '-d' && a !== '--detach');
  const at = argv.indexOf('exec');
  argv.splice(at + 1, 0, '--internal-carrier-fd', String(carrierFd));
  const stdio: ('inherit' | 'pipe' | number)[] = ['inherit', 'inherit', 'inherit'];
  for (let fd = 3; fd < carrierFd; fd++) stdio.push(fd);
  stdio.push('pipe');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], { stdio, detached: true });
  child.on('error', () => {});
  return new Promise((resolve, reject) => {
    let text = '';
    const pipe = child.stdio[carrierFd];
    if (pipe === null || pipe === undefined) {
      reject(new ContainerError('exec --detach: cannot start the carrier process'));
      return;
    }
    pipe.on('data', (b: Buffer) => {
      text += b.toString('utf8');
    });
    pipe.on('error', () => {});
    pipe.on('close', () => {
      let r: { ok?: boolean; error?: string; code?: number } = {};
      try {
        r = JSON.parse(text.split('\n')[0]) as typeof r;
      } catch {
        // No report: the carrier died first.
      }
      if (r.ok === true) {
        child.unref();
        resolve();
      } else {
        reject(new ContainerError(typeof r.error === 'string' ? r.error : 'exec --detach: the carrier process ended before the process started', typeof r.code === 'number' ? r.code : 255));
      }
    });
  });
}
