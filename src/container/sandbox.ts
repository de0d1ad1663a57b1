// Starting a container's sandbox from the host (gVisor's runsc/sandbox
// Sandbox, seed 001's createSandboxProcess): one host process, a child of
// the caller, that goes through the one launch path (native/launcher.c
// makes the namespaces, then Node runs `tsvisor boot`, the Loader) and
// whose pid is the container's. It is detached from the caller's session
// (setsid, as runsc does: it must not get the terminal's SIGHUP or
// SIGCONT when the caller ends and it is reparented), so `create` can
// return while it runs on.
//
// Its descriptors: the caller's stdin, stdout and stderr are the
// container's (runsc passes them to the application the same way, though
// it gives the sandbox process itself /dev/null: here the Sentry writes
// nothing to them once the container is created, only the debug log);
// --preserve-fds N passes 3..3+N-1; one socket just above them carries the
// container's description to the sandbox and the sandbox's "created" (or
// why not) back, then is closed; the launcher closes everything else
// (--close-from), so nothing else of the caller's stays open in the
// sandbox and a caller waiting for EOF on a pipe (conmon) is not held.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import { launcherArgv } from '../boot/launch.js';
import { launcherPath } from '../native.js';
import type { LaunchConfig } from '../boot/launch.js';
import type { ContainerSpec } from '../boot/loader.js';
import { LineReader } from '../control/protocol.js';
import { ContainerError } from './errors.js';
import { startTimeOf } from './state.js';

export interface SandboxStart {
  /** How to run tsvisor itself: Node, its flags and the script (the CLI knows). */
  self: string[];
  /** The global flags the sandbox's `boot` takes (--root, --log, --log-format, --debug). */
  globalArgs: string[];
  spec: ContainerSpec;
  launch: Omit<LaunchConfig, 'closeFrom'>;
  /** How long the sandbox may take to say it has created the container. */
  timeoutMs: number;
  /** The descriptor that is the sandbox's stdin, stdout and stderr (the console's replica); null: the caller's own. */
  stdio?: number | null;
}

/** What the sandbox says on its start socket: namespaces (when asked), then created or error. */
interface BootReply {
  created?: boolean;
  error?: string;
  /** Its namespaces exist; it waits for {"continue":true} before it builds the container. */
  namespaces?: boolean;
}

/** What create adds to the start-up exchange (Sandbox.waitCreated). */
export interface CreateSteps {
  /**
   * Runs once the sandbox's namespaces exist, before it builds the
   * container, given the host pid of the sandbox's process inside them
   * (the Sentry's: Sandbox.sentryPid); what it resolves to goes to the
   * sandbox with its "continue" (the hooks the sandbox runs itself:
   * src/cli/boot.ts). A rejection fails the create.
   */
  atNamespaces?: (sentryPid: number) => Promise<Record<string, unknown>>;
}

export class Sandbox {
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly sync: net.Socket;

  private constructor(private readonly child: ChildProcess, readonly pid: number, syncFd: number) {
    this.sync = child.stdio[syncFd] as net.Socket;
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts the sandbox process; it then builds the container (waitCreated). */
  static start(s: SandboxStart): Sandbox {
    const syncFd = 3 + s.spec.preserveFds;
    const program = [...s.self, ...s.globalArgs, 'boot', '--sync-fd', String(syncFd), s.spec.id];
    const argv = launcherArgv({ ...s.launch, closeFrom: syncFd + 1 }, program);
    const own = s.stdio ?? null;
    const stdio: ('inherit' | 'pipe' | number)[] = own === null ? ['inherit', 'inherit', 'inherit'] : [own, own, own];
    for (let fd = 3; fd < syncFd; fd++) stdio.push(fd);
    stdio.push('pipe');
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), { stdio, detached: true, env: process.env });
    } catch (e) {
      throw new ContainerError(`cannot start the sandbox (${argv[0]}): ${(e as Error).message}`);
    }
    // A failed exec is reported as an 'error' event too: handled here, as the missing pid.
    child.on('error', () => {});
    if (child.pid === undefined) {
      throw new ContainerError(`cannot start the sandbox (${argv[0]}); run 'npm install' to build it`);
    }
    return new Sandbox(child, child.pid, syncFd);
  }

  /**
   * Sends the container's description and waits until the sandbox says
   * the container is created (its init loaded, the control socket up, the
   * Sentry sealed). Throws ContainerError with the sandbox's reason.
   * steps: what runs on this side once the sandbox says its namespaces
   * exist and before it builds the container (prestart and createRuntime
   * hooks: runc's procHooks step), and what goes to the sandbox then (the
   * hooks it runs itself); a failure there fails the create (the caller
   * kills the sandbox).
   */
  waitCreated(spec: ContainerSpec, timeoutMs: number, steps: CreateSteps = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const reader = new LineReader();
      let settled = false;
      const settle = (err: ContainerError | null) => {
        if (settled) return;
        settled = true;
        if (timer !== null) clearTimeout(timer);
        this.sync.destroy();
        if (err === null) resolve();
        else reject(err);
      };
      let timer: NodeJS.Timeout | null = null;
      const arm = () => {
        timer = setTimeout(() => settle(new ContainerError(`the sandbox did not create the container within ${timeoutMs} ms`)), timeoutMs);
      };
      arm();
      const onLine = (line: string) => {
        let r: BootReply;
        try {
          r = JSON.parse(line) as BootReply;
        } catch {
          settle(new ContainerError('the sandbox sent a start-up reply that is not JSON'));
          return;
        }
        if (r.namespaces === true && steps.atNamespaces !== undefined) {
          // The hooks take their own time (each has its own timeout): the
          // sandbox's own deadline stops while they run.
          if (timer !== null) clearTimeout(timer);
          timer = null;
          const step = steps.atNamespaces;
          Promise.resolve().then(() => step(this.sentryPid())).then((more) => {
            if (settled) return;
            arm();
            this.sync.write(`${JSON.stringify({ continue: true, ...more })}\n`);
          }, (e: unknown) => settle(e instanceof ContainerError ? e : new ContainerError((e as Error).message)));
          return;
        }
        if (r.created === true) settle(null);
        else settle(new ContainerError(typeof r.error === 'string' ? r.error.slice(0, 4096) : 'the sandbox could not create the container'));
      };
      this.sync.on('data', (chunk: Buffer) => {
        let lines: string[];
        try {
          lines = reader.push(chunk);
        } catch {
          settle(new ContainerError('the sandbox sent a start-up reply too long to be one'));
          return;
        }
        for (const l of lines) onLine(l);
      });
      this.sync.on('error', () => {});
      void this.exit.then(({ code, signal }) => {
        settle(new ContainerError(`the sandbox exited (${signal ?? `status ${code}`}) before the container was created`));
      });
      const msg = { spec, namespacesStep: steps.atNamespaces !== undefined };
      this.sync.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /**
   * The host pid of the sandbox process's one child: the Sentry, pid 1 of
   * the pid namespace the launcher made and in its mount, network, IPC
   * and UTS namespaces (native/launcher.c), where runc's init would be.
   * Found from the host's /proc (the first process whose parent is the
   * sandbox process), never asked of the sandbox.
   */
  sentryPid(): number {
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      } catch {
        continue;
      }
      // comm may hold spaces and parentheses: the fields start after the last ')'; ppid is the second.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === this.pid) return Number(name);
    }
    throw new ContainerError(`the sandbox (pid ${this.pid}) has no Sentry process`);
  }

  /** Resolves when the sandbox process ends: its exit code, or the signal that killed it. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** Lets this process end while the sandbox runs on (create). */
  detach(): void {
    this.sync.destroy();
    this.child.unref();
  }

  /** Kills the sandbox (its Sentry and stubs die with the launcher). */
  kill(): void {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/**
 * The sandbox processes of container id under the state root, found from
 * the host's process table, not from state.json (for delete --force of a
 * damaged state): the launcher that start() ran, whose command line is
 * `tsvisor-launch ... -- ... --root ROOT ... boot --sync-fd N ID`, owned
 * by this user.
 */
export function sandboxProcessesOf(root: string, id: string): number[] {
  const uid = process.geteuid?.() ?? 0;
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    let owner: number;
    try {
      argv = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').slice(0, -1);
      owner = fs.statSync(`/proc/${name}`).uid;
    } catch {
      continue;
    }
    const boot = argv.lastIndexOf('boot');
    const rootAt = argv.indexOf('--root');
    if (argv[0] !== launcherPath || owner !== uid || boot < 0 || rootAt < 0 || rootAt > boot) continue;
    if (argv[rootAt + 1] === root && argv[boot + 1] === '--sync-fd' && argv.length === boot + 4 && argv[boot + 3] === id) found.push(Number(name));
  }
  return found;
}

/** SIGKILLs them (their Sentries and stubs die with them) and waits, at most timeoutMs, until they are gone; the pids left. */
export async function killSandboxesOf(root: string, id: string, timeoutMs = 10_000): Promise<number[]> {
  const pids = sandboxProcessesOf(root, id);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  const until = Date.now() + timeoutMs;
  let left = pids;
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    left = left.filter((p) => startTimeOf(p) !== null);
  }
  return left;
}
