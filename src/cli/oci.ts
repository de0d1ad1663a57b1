// The runc-compatible commands (runc's create.go, start.go, run.go,
// kill.go, delete.go, state.go, list.go; runsc's cmd/ of the same names):
// each a thin layer over src/container's Container. Errors are in runc's
// words and exit 1, as runc's fatal() does, after "tsvisor: " (runc
// prints the bare message; callers match the words, not the line).
// exec, ps, pause, resume, events, update, checkpoint and restore are in
// files of their own (exec.ts, ps.ts, pause.ts, events.ts, update.ts,
// checkpoint.ts), registered here.

import type { Command } from 'commander';
import { constants as osConstants } from 'node:os';
import { Container } from '../container/container.js';
import type { OciState, Runtime } from '../container/container.js';
import { ContainerError, notExist } from '../container/errors.js';
import { DamagedState, StateDir, listIds } from '../container/state.js';
import { killSandboxesOf } from '../container/sandbox.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';
import { addPauseCommands } from './pause.js';
import { addDebugCommands } from './debug.js';
import { addPortForwardCommand } from './port_forward.js';
import { sendPidfd } from '../container/send_fd.js';
import { addEventsCommand } from './events.js';
import { addUpdateCommand } from './update.js';
import { addCheckpointCommands } from './checkpoint.js';
import { addExecCommand } from './exec.js';
import { addCarryCommand } from './carry.js';
import { addPsCommand } from './ps.js';
import { ConsoleRelay } from './console_relay.js';
import { readBundle } from '../container/bundle.js';
import { native } from '../native.js';

export type { GlobalsFn };

/**
 * A signal by name (KILL, SIGKILL, kill) or number, as runc's parseSignal
 * takes it; 0 is kill(2)'s signal 0 (is the target there? nothing sent).
 */
export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n >= 0 && n <= 64) return n;
    throw new ContainerError(`unknown signal ${JSON.stringify(raw)}: a number must be from 0 to 64`);
  }
  let name = raw.toUpperCase();
  if (!name.startsWith('SIG')) name = `SIG${name}`;
  const rt = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt !== null) {
    const base = rt[1] === 'MIN' ? 34 : 64;
    const n = base + (rt[2] === '-' ? -1 : 1) * Number(rt[3] ?? 0);
    if (n >= 34 && n <= 64) return n;
  }
  const n = (osConstants.signals as Record<string, number>)[name];
  if (n === undefined) throw new ContainerError(`unknown signal ${JSON.stringify(raw)}`);
  return n;
}

function printJson(v: unknown): void {
  process.stdout.write(JSON.stringify(v, null, 2));
}

interface CreateFlags {
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  pidfdSocket?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: string;
}

interface RunFlags extends CreateFlags {
  detach: boolean;
  keep: boolean;
}

function createOptions(id: string, o: CreateFlags) {
  if (!/^\d+$/.test(o.preserveFds) || Number(o.preserveFds) > 1 << 16) {
    throw new ContainerError(`--preserve-fds ${o.preserveFds}: expected a number of descriptors (0 to 65536)`);
  }
  return {
    id, bundle: o.bundle, pidFile: o.pidFile ?? null, pidfdSocket: o.pidfdSocket ?? null, preserveFds: Number(o.preserveFds), consoleSocket: o.consoleSocket ?? null,
    // The spec's network namespace decides the rest (container.ts's specNetwork).
    launch: { network: 'none' as const, userns: false },
  };
}

/** The flags create and run share, with runc's meanings. */
function createFlags(c: Command): Command {
  return c
    .option('-b, --bundle <dir>', 'path to the root of the bundle directory', '.')
    .option('--pid-file <file>', 'file to write the container\'s pid (the sandbox process) to')
    .option('--console-socket <path>', 'with process.terminal: a unix socket to send the console\'s pty master to')
    .option('--pidfd-socket <path>', 'a unix socket to send a pidfd of the container\'s process (the sandbox, which --pid-file names) to')
    .option('--no-pivot', 'accepted: the Sentry serves the root file system itself and never pivots into it')
    .option('--no-new-keyring', 'accepted: the container never shares or gets a host session keyring (the Sentry has no keyrings)')
    .option('--preserve-fds <n>', 'pass N more descriptors (3 to 3+N-1) to the container', '0');
}

/** Adds create, start, run, kill, delete, state and list to program. */
export function registerOciCommands(program: Command, globals: GlobalsFn, setStatus: (n: number) => void): void {
  createFlags(program.command('create')
    .description('create a container from a bundle: its sandbox starts and holds the init loaded, waiting for start'))
    .argument('<container-id>')
    .action(async (id: string, o: CreateFlags) => {
      const { sandbox } = await Container.create(runtime(globals()), createOptions(id, o));
      sandbox.detach();
    });

  program.command('start')
    .description('run the init of a created container')
    .argument('<container-id>')
    .action(async (id: string) => {
      await Container.load(runtime(globals()), id).start();
    });

  createFlags(program.command('run')
    .description('create and start a container; without --detach, wait for it and exit with its status'))
    .option('-d, --detach', 'return once the container runs, leaving it running', false)
    .option('--keep', 'do not delete the container after it exits (its state stays, stopped, until tsvisor delete)', false)
    .argument('<container-id>')
    .action(async (id: string, o: RunFlags) => {
      const rt = runtime(globals());
      // In the foreground a process.terminal console is this command's own
      // pty, copied to and from its stdio (console_relay.ts), as runc's.
      let relay: ConsoleRelay | null = null;
      if (!o.detach) {
        if (o.consoleSocket !== undefined) throw new ContainerError('cannot use console socket if runc will not detach or allocate tty: --console-socket is for run --detach (and create)');
        if (readBundle(o.bundle).process.terminal) relay = ConsoleRelay.open();
      }
      let created: Awaited<ReturnType<typeof Container.create>>;
      const replica = relay?.takeReplica();
      try {
        // run's pidfd goes once the container runs (below): a signal through it must find a started container, as runc's.
        created = await Container.create(rt, { ...createOptions(id, o), pidfdSocket: null, ...(replica !== undefined ? { consoleReplica: replica } : {}) });
      } catch (e) {
        relay?.finish();
        throw e;
      } finally {
        // The sandbox has its own copy: the pty ends (EIO at the master) when the sandbox does.
        if (replica !== undefined) native.close(replica);
      }
      const { container, sandbox } = created;
      try {
        await container.start();
        if (o.pidfdSocket !== undefined) sendPidfd(o.pidfdSocket, sandbox.pid);
      } catch (e) {
        relay?.finish();
        // As runc's run: --keep keeps even a container whose start failed.
        if (!o.keep) await container.destroy(true);
        throw e;
      }
      if (o.detach) {
        sandbox.detach();
        return;
      }
      // In the foreground, as runc run: the caller's signals go to the
      // init (the sandbox is in a session of its own, so a terminal's ^C
      // reaches only this process), and the container is deleted at the
      // end unless --keep (then it stays, stopped, until delete). With
      // the relay a resize goes to the pty instead (its line discipline
      // signals the container).
      const forward = (sig: NodeJS.Signals) => {
        void container.signal(osConstants.signals[sig], false).catch(() => {});
      };
      const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', ...(relay === null ? ['SIGWINCH' as const] : [])];
      for (const s of forwarded) process.on(s, forward);
      const { code, signal } = await sandbox.exited();
      for (const s of forwarded) process.off(s, forward);
      relay?.finish();
      if (!o.keep) await container.destroy(true);
      setStatus(code ?? 128 + (signal === null ? 9 : osConstants.signals[signal]));
    });

  program.command('kill')
    .description('send a signal (default SIGTERM) to the container\'s init')
    .option('-a, --all', 'send it to every process of the container', false)
    .argument('<container-id>')
    .argument('[signal]', 'a name (KILL, SIGKILL) or a number', 'SIGTERM')
    .action(async (id: string, sig: string, o: { all: boolean }) => {
      const signo = parseSignal(sig);
      await Container.load(runtime(globals()), id).signal(signo, o.all);
    });

  program.command('delete')
    .description('delete a stopped (or created) container\'s state; --force kills a running one first')
    .option('-f, --force', 'kill the container if it is still running (SIGKILL)', false)
    .argument('<container-id>')
    .action(async (id: string, o: { force: boolean }) => {
      const rt = runtime(globals());
      let c: Container;
      try {
        c = Container.load(rt, id);
      } catch (e) {
        // A directory left without state (a create that was killed) goes
        // too; with --force a container that does not exist is no error.
        if (e instanceof ContainerError && e.message === notExist().message && !o.force) removeLeftover(rt, id);
        // Without a state to believe there is no pid to kill: with --force, a sandbox of this id is found from the host's process table.
        if ((e instanceof DamagedState || (e instanceof ContainerError && e.message === notExist().message)) && o.force) {
          const left = await killSandboxesOf(rt.root, id);
          if (left.length > 0) throw new ContainerError(`container ${id}: its sandbox (pid ${left.join(', ')}) did not die of SIGKILL within 10 s`);
          removeLeftover(rt, id);
          return;
        }
        throw e;
      }
      await c.destroy(o.force);
    });

  program.command('state')
    .description('print the container\'s state as the OCI runtime spec defines it (JSON)')
    .argument('<container-id>')
    .action(async (id: string) => {
      printJson(await Container.load(runtime(globals()), id).ociState());
    });

  program.command('list')
    .alias('ls')
    .description('list the containers under --root')
    .option('-f, --format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'print the ids only', false)
    .action(async (o: { format: string; quiet: boolean }) => {
      if (o.format !== 'table' && o.format !== 'json') throw new ContainerError(`--format ${o.format}: expected table or json`);
      const rt = runtime(globals());
      const states: OciState[] = [];
      for (const id of listIds(rt.root)) {
        try {
          states.push(await Container.load(rt, id).ociState());
        } catch (e) {
          process.stderr.write(`tsvisor: container ${id}: ${(e as Error).message}\n`);
        }
      }
      if (o.quiet) {
        for (const s of states) process.stdout.write(`${s.id}\n`);
      } else if (o.format === 'json') {
        // runc encodes an empty list as null.
        process.stdout.write(`${JSON.stringify(states.length === 0 ? null : states)}\n`);
      } else {
        process.stdout.write(table(['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
          states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner])));
      }
    });

  addExecCommand(program, globals, setStatus);
  addCarryCommand(program, globals, setStatus);
  addPsCommand(program, globals);
  addPauseCommands(program, globals);
  addEventsCommand(program, globals);
  addUpdateCommand(program, globals);
  addCheckpointCommands(program, globals);
  addDebugCommands(program, globals);
  addPortForwardCommand(program, globals);
}

function removeLeftover(rt: Runtime, id: string): void {
  try {
    new StateDir(rt.root, id).remove();
  } catch {
    // Nothing to remove, or an invalid id: the load's error says it.
  }
}

/** Columns as Go's tabwriter lays out runc's list (minwidth 12, padding 3). */
function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(12, ...all.map((r) => r[i].length + 3)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('')).join('\n') + '\n';
}
