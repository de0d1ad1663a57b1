// A container as the runtime's commands see it (gVisor's runsc/container
// Container; runc's libcontainer Container): made by Create from a bundle
// (the sandbox started and the init loaded, waiting), then Start, Signal,
// State, Destroy. Each command loads it from its state directory
// (state.ts), acts, and saves what changed; what runs is asked through
// the control socket (src/control/client.ts), and whether it still runs
// is read from the host.
//
// Where it differs from runsc: one container per sandbox, so the sandbox
// process is the container's pid (runsc reports the sandbox's pid for the
// root container too); no gofer, no cgroups, no hooks, no console yet.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlClient, ControlUnavailable } from '../control/client.js';
import { ProtocolError } from '../control/protocol.js';
import type { ProcessInfo } from '../control/protocol.js';
import type { ContainerSpec } from '../boot/loader.js';
import type { LaunchConfig } from '../boot/launch.js';
import type { Spec } from '../config/spec.js';
import { readBundle } from './bundle.js';
import { ContainerError, notRunning } from './errors.js';
import { Sandbox } from './sandbox.js';
import { StateDir, isAlive, processRef, writeAtomic } from './state.js';
import type { Status, StoredState } from './state.js';

/** What every command shares: where state lives, how to run tsvisor, what to log. */
export interface Runtime {
  /** The state root (--root), made and checked (openStateRoot). */
  root: string;
  /** Node, its flags and the tsvisor script: how the sandbox runs `tsvisor boot`. */
  self: string[];
  /** The global flags the sandbox's boot takes (--root, --log, --log-format, --debug). */
  bootArgs: string[];
  debug: (msg: string) => void;
}

/**
 * The network namespace a spec asks for, as runc reads linux.namespaces:
 * a "network" entry with a path is joined (podman's and CNI's), one
 * without a path is a new namespace, and no entry at all is the host's.
 */
function specNetwork(spec: Spec, launch: Omit<LaunchConfig, 'closeFrom'>): Omit<LaunchConfig, 'closeFrom'> {
  const ns = spec.linux?.namespaces?.find((n) => n.type === 'network');
  if (ns === undefined) return { ...launch, network: 'host' };
  if (ns.path !== undefined) return { ...launch, netns: ns.path };
  return { ...launch, network: 'none' };
}

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile: string | null;
  preserveFds: number;
  launch: Omit<LaunchConfig, 'closeFrom'>;
}

/** The OCI runtime spec's state (what `tsvisor state` prints), with runc's rootfs and created. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  annotations?: Record<string, string>;
  owner: string;
}

/** How long a sandbox may take from its start to "created" (two Node start-ups on a loaded machine, and the init's load). */
const CREATE_TIMEOUT_MS = 120_000;
/** How long the state check asks the sandbox before it believes state.json. */
const STATE_RPC_MS = 3_000;

export class Container {
  private constructor(readonly dir: StateDir, private state: StoredState) {}

  get id(): string {
    return this.state.id;
  }

  /** The container's pid (the sandbox process), or 0 if it has none. */
  get pid(): number {
    return this.state.sandbox?.pid ?? 0;
  }

  /** Loads an existing container; "container does not exist" if there is none. */
  static load(rt: Runtime, id: string): Container {
    const dir = new StateDir(rt.root, id);
    return new Container(dir, dir.load());
  }

  /**
   * Creates the container: reads the bundle, makes the state directory,
   * starts the sandbox and waits until it holds the init loaded and
   * stopped. On any failure nothing is left: no state directory, no
   * process. Returns the container and its sandbox (run waits on it).
   */
  static async create(rt: Runtime, o: CreateOptions): Promise<{ container: Container; sandbox: Sandbox }> {
    const dir = new StateDir(rt.root, o.id);
    // The bundle first: a bad config leaves nothing behind.
    const cfg = readBundle(o.bundle);
    if (cfg.process.terminal) {
      throw new ContainerError('process.terminal is true, but tsvisor has no console yet (--console-socket is not supported): set it to false');
    }
    for (let fd = 3; fd < 3 + o.preserveFds; fd++) {
      try {
        fs.fstatSync(fd);
      } catch {
        throw new ContainerError(`--preserve-fds ${o.preserveFds}: descriptor ${fd} is not open`);
      }
    }
    dir.make();
    const state: StoredState = {
      version: 1, id: o.id, ociVersion: cfg.ociVersion, bundle: cfg.bundle, rootfs: cfg.root.path, annotations: cfg.annotations,
      created: new Date().toISOString(), status: 'creating', owner: process.geteuid?.() ?? 0, sandbox: null,
      creator: processRef(process.pid),
    };
    let sandbox: Sandbox | null = null;
    try {
      dir.save(state);
      const spec: ContainerSpec = { id: o.id, spec: cfg.spec, bundle: cfg.bundle, rootPath: cfg.root.path, preserveFds: o.preserveFds };
      sandbox = Sandbox.start({ self: rt.self, globalArgs: rt.bootArgs, spec, launch: specNetwork(cfg.spec, o.launch), timeoutMs: CREATE_TIMEOUT_MS });
      rt.debug(`container ${o.id}: sandbox started, pid ${sandbox.pid}`);
      state.sandbox = processRef(sandbox.pid);
      dir.save(state);
      await sandbox.waitCreated(spec, CREATE_TIMEOUT_MS);
      state.status = 'created';
      state.creator = null;
      dir.save(state);
      if (o.pidFile !== null) writeAtomic(path.resolve(o.pidFile), String(sandbox.pid), 0o644);
      rt.debug(`container ${o.id}: created`);
      return { container: new Container(dir, state), sandbox };
    } catch (e) {
      if (sandbox !== null) {
        sandbox.kill();
        await sandbox.exited();
      }
      dir.remove();
      throw e;
    }
  }

  private control(): ControlClient {
    return new ControlClient(this.dir.socketPath, this.id);
  }

  /**
   * The status now: stopped once the sandbox process is gone (or its pid
   * is another process's); otherwise what the sandbox says, or, if it
   * cannot answer, what state.json last recorded.
   */
  async status(): Promise<Status> {
    const s = this.state;
    if (s.sandbox === null) return s.creator !== null && isAlive(s.creator) ? 'creating' : 'stopped';
    if (!isAlive(s.sandbox)) return 'stopped';
    if (s.status === 'creating') return s.creator !== null && isAlive(s.creator) ? 'creating' : 'stopped';
    try {
      return (await this.control().state(STATE_RPC_MS)).status;
    } catch {
      return s.status;
    }
  }

  async ociState(): Promise<OciState> {
    const status = await this.status();
    const s = this.state;
    const o: OciState = {
      ociVersion: s.ociVersion, id: s.id, pid: status === 'stopped' ? 0 : this.pid, status, bundle: s.bundle, rootfs: s.rootfs,
      created: s.created, owner: ownerName(s.owner),
    };
    if (Object.keys(s.annotations).length > 0) o.annotations = s.annotations;
    return o;
  }

  /** Runs the init of a created container. */
  async start(): Promise<void> {
    const status = await this.status();
    if (status === 'stopped') throw new ContainerError('cannot start a container that has stopped');
    if (status === 'running') throw new ContainerError('cannot start an already running container');
    if (status !== 'created') throw new ContainerError(`cannot start a container in the ${status} state`);
    try {
      await this.control().startRoot();
    } catch (e) {
      throw rpcFailure(e, 'start');
    }
    this.state.status = 'running';
    this.dir.save(this.state);
  }

  /**
   * Sends signo to the init (all: to every process). A SIGKILL that the
   * sandbox cannot be asked to deliver (it does not answer) kills the
   * sandbox process itself, which ends the container as surely.
   */
  async signal(signo: number, all: boolean): Promise<void> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw notRunning();
    try {
      await this.control().signal(signo, all);
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'stopped') throw notRunning();
      if (e instanceof ControlUnavailable && signo === 9 && this.killSandbox()) return;
      throw rpcFailure(e, 'signal');
    }
  }

  /** SIGKILL to the sandbox process if it is still the one recorded; whether it was sent. */
  private killSandbox(): boolean {
    const sb = this.state.sandbox;
    if (sb === null || !isAlive(sb)) return false;
    try {
      process.kill(sb.pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Removes the container: a stopped or created one always (a created
   * one's sandbox is killed, as runc kills a created init), a running one
   * only with force (killed first).
   */
  async destroy(force: boolean): Promise<void> {
    const status = await this.status();
    if ((status === 'running' || status === 'creating') && !force) {
      throw new ContainerError(`cannot delete container ${this.id} that is not stopped: ${status}`);
    }
    if (status !== 'stopped' || (this.state.sandbox !== null && isAlive(this.state.sandbox))) {
      this.killSandbox();
      const sb = this.state.sandbox;
      const until = Date.now() + 10_000;
      while (sb !== null && isAlive(sb)) {
        if (Date.now() > until) throw new ContainerError(`container ${this.id}: its sandbox (pid ${sb.pid}) did not die of SIGKILL within 10 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.dir.remove();
  }

  /** The container's processes, as the sandbox lists them (its own pids, init first). */
  async processes(): Promise<ProcessInfo[]> {
    const status = await this.status();
    if (status !== 'created' && status !== 'running') throw notRunning();
    try {
      return await this.control().processes();
    } catch (e) {
      throw rpcFailure(e, 'ps');
    }
  }

  /** The init's exit status, asked of the sandbox (it answers once the init has ended). */
  async wait(): Promise<number> {
    try {
      return (await this.control().wait()).exitStatus;
    } catch (e) {
      throw rpcFailure(e, 'wait');
    }
  }
}

/** A failed control call in the words a caller can act on. */
function rpcFailure(e: unknown, what: string): ContainerError {
  if (e instanceof ProtocolError) {
    if (e.code === 'stopped' || e.code === 'running') return new ContainerError(e.message);
    return new ContainerError(`${what}: the sandbox refused: ${e.message}`);
  }
  if (e instanceof ControlUnavailable) return new ContainerError(`${what}: ${e.message}`);
  return new ContainerError(`${what}: ${(e as Error).message}`);
}

/** The owner's user name, or #UID as runc prints one it cannot name. */
function ownerName(uid: number): string {
  try {
    if (uid === (process.geteuid?.() ?? -1)) return os.userInfo().username;
  } catch {
    // No passwd entry.
  }
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // No /etc/passwd.
  }
  return `#${uid}`;
}
