// A container as the runtime's commands see it (gVisor's runsc/container
// Container; runc's libcontainer Container): made by Create from a bundle
// (the sandbox started and the init loaded, waiting), then Start, Signal,
// Pause, Resume, Usage, Update, State, Destroy, with the config's hooks
// at their steps (hooks.ts; docs/oci.md "Hooks"). Each command loads it from its state directory
// (state.ts), acts, and saves what changed; what runs is asked through
// the control socket (src/control/client.ts), and whether it still runs
// is read from the host.
//
// Where it differs from runsc: one container per sandbox, so the sandbox
// process is the container's pid (runsc reports the sandbox's pid for the
// root container too); no gofer; the host cgroup is made before the
// sandbox is forked into it (cgroup.ts); the
// createContainer hooks run in the sandbox process (as runsc's run in its
// gofer) and startContainer ones inside the Sentry (runsc skips them).

import * as fs from 'node:fs';
import * as os from 'node:os';
import { ControlClient, ControlUnavailable } from '../control/client.js';
import { ProtocolError } from '../control/protocol.js';
import type { OomResult, ProcessInfo, UpdateArgs, UsageResult } from '../control/protocol.js';
import type { ContainerSpec } from '../boot/loader.js';
import type { LaunchConfig } from '../boot/launch.js';
import type { Spec } from '../config/spec.js';
import { readBundle } from './bundle.js';
import { openConsole } from './console.js';
import { native } from '../native.js';
import { ContainerError, notRunning } from './errors.js';
import { sendPidfd } from './send_fd.js';
import { Sandbox } from './sandbox.js';
import { Carrier, openContainerFiles, podSandboxOf } from './pod.js';
import { joinUserNamespace } from './join_userns.js';
import { HostCgroup, startInHostCgroup } from './cgroup.js';
import type { CpuUpdate } from './cgroup.js';
import type { CreateSteps } from './sandbox.js';
import { StateDir, isAlive, processRef, writePidFile } from './state.js';
import { closeInheritedFds, hasHooks, runHooks, runHooksBestEffort } from './hooks.js';
import type { HookState, Hooks } from './hooks.js';
import type { Status, StoredState } from './state.js';

/** What every command shares: where state lives, how to run tsvisor, what to log. */
export interface Runtime {
  /** The state root (--root), made and checked (openStateRoot). */
  root: string;
  /** Node, its flags and the tsvisor script: how the sandbox runs `tsvisor boot`. */
  self: string[];
  /** The global flags the sandbox's boot takes (--root, --log, --log-format, --debug, --overlay2, --strace, --debug-log). */
  bootArgs: string[];
  debug: (msg: string) => void;
  /** A warning (a poststart or poststop hook that failed); none: dropped. */
  warn?: (msg: string) => void;
  /** --systemd-cgroup: linux.cgroupsPath is systemd's slice:prefix:name (cgroup.ts). */
  systemdCgroup?: boolean;
  /** --network none: a new empty network namespace whatever the spec names; host (default): the spec's. */
  network?: 'host' | 'none';
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
  /** runc's --pidfd-socket: where a pidfd of the container's process (the one --pid-file names) goes once it is created. */
  pidfdSocket?: string | null;
  preserveFds: number;
  /** With process.terminal: where the console's pty master goes (console.ts); required then, unless consoleReplica. */
  consoleSocket: string | null;
  /** With process.terminal, instead: a pty replica the caller holds the master of (a foreground run's relay), the caller's to close. */
  consoleReplica?: number;
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
  private constructor(readonly dir: StateDir, private state: StoredState, private readonly rt: Runtime) {}

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
    return new Container(dir, dir.load(), rt);
  }

  /**
   * Creates the container: reads the bundle, makes the state directory,
   * starts the sandbox and waits until it holds the init loaded and
   * stopped. On any failure nothing is left: no state directory, no
   * process. Returns the container and its sandbox (run waits on it).
   */
  static async create(rt: Runtime, o: CreateOptions): Promise<{ container: Container; sandbox: Sandbox | Carrier }> {
    const dir = new StateDir(rt.root, o.id);
    // The bundle first: a bad config leaves nothing behind.
    const cfg = readBundle(o.bundle);
    if (cfg.process.terminal && o.consoleSocket === null && o.consoleReplica === undefined) {
      throw new ContainerError('cannot allocate tty if runc will detach without setting console socket: process.terminal is true; give --console-socket');
    }
    if (!cfg.process.terminal && o.consoleSocket !== null) {
      throw new ContainerError('cannot use console socket if runc will not detach or allocate tty: process.terminal is false');
    }
    for (let fd = 3; fd < 3 + o.preserveFds; fd++) {
      try {
        fs.fstatSync(fd);
      } catch {
        throw new ContainerError(`--preserve-fds ${o.preserveFds}: descriptor ${fd} is not open`);
      }
    }
    const sandboxId = podSandboxOf(cfg.annotations);
    if (sandboxId !== null) return Container.createSub(rt, o, cfg, dir, sandboxId);
    dir.make();
    const state = creatingState(o.id, cfg);
    let sandbox: Sandbox | null = null;
    let replica = -1;
    let cgroup: HostCgroup | null = null;
    try {
      dir.save(state);
      const spec: ContainerSpec = { id: o.id, spec: joinUserNamespace(cfg.spec), bundle: cfg.bundle, rootPath: cfg.root.path, preserveFds: o.preserveFds };
      // The console: its master goes to the caller now, its replica is the sandbox's stdio (the init's terminal).
      if (o.consoleSocket !== null) replica = openConsole(o.consoleSocket, cfg.spec.process?.consoleSize).replica;
      const stdio = replica >= 0 ? replica : cfg.process.terminal ? o.consoleReplica ?? null : null;
      const start = () => Sandbox.start({
        self: rt.self, globalArgs: rt.bootArgs, spec, launch: rt.network === 'none' ? { ...o.launch, network: 'none' } : specNetwork(cfg.spec, o.launch), timeoutMs: CREATE_TIMEOUT_MS, stdio,
      });
      // Born in the host cgroup, where there is one (cgroup.ts).
      ({ started: sandbox, cgroup } = startInHostCgroup(cfg.spec, { systemd: rt.systemdCgroup === true, debug: rt.debug }, start));
      if (cgroup !== null) state.cgroup = cgroup.dir;
      if (replica >= 0) {
        native.close(replica);
        replica = -1;
      }
      rt.debug(`container ${o.id}: sandbox started, pid ${sandbox.pid}`);
      state.sandbox = processRef(sandbox.pid);
      dir.save(state);
      await sandbox.waitCreated(spec, CREATE_TIMEOUT_MS, createSteps(cfg.hooks, state));
      state.status = 'created';
      state.creator = null;
      dir.save(state);
      if (o.pidFile !== null) writePidFile(o.pidFile, sandbox.pid);
      if (o.pidfdSocket != null) sendPidfd(o.pidfdSocket, sandbox.pid);
      rt.debug(`container ${o.id}: created`);
      return { container: new Container(dir, state, rt), sandbox };
    } catch (e) {
      if (replica >= 0) native.close(replica);
      if (sandbox !== null) {
        sandbox.kill();
        await sandbox.exited();
      }
      const why = cgroup === null ? null : await cgroup.remove();
      if (why !== null) warner(rt)(why);
      dir.remove();
      // runtime.md: a create that fails (a prestart, createRuntime or
      // createContainer hook among other causes) goes on to the
      // destruction and then the poststop hooks, as runc's destroy runs them.
      if (sandbox !== null) await runPoststop(rt, state);
      throw e;
    }
  }

  /**
   * A sub-container of the pod sandbox sandboxId (pod.ts): built in that
   * sandbox's Sentry from the files opened here, its pid the carrier's.
   * As create's: nothing is left on a failure.
   */
  private static async createSub(rt: Runtime, o: CreateOptions, cfg: ReturnType<typeof readBundle>, dir: StateDir, sandboxId: string): Promise<{ container: Container; sandbox: Carrier }> {
    let pod: Container;
    try {
      pod = Container.load(rt, sandboxId);
    } catch (e) {
      if (e instanceof ContainerError) throw new ContainerError(`the pod's sandbox container ${sandboxId}: ${e.message}`);
      throw e;
    }
    if (pod.state.sandboxId !== undefined) throw new ContainerError(`${sandboxId} is itself a sub-container of ${pod.state.sandboxId}: a container joins its pod's sandbox container`);
    const podStatus = await pod.status();
    if (podStatus !== 'created' && podStatus !== 'running') throw new ContainerError(`the pod's sandbox container ${sandboxId} is ${podStatus}: a container can join only a created or running one`);
    const hooks = cfg.hooks;
    if (hasHooks(hooks, ['createContainer', 'startContainer'])) {
      throw new ContainerError('hooks.createContainer and hooks.startContainer are not supported for a container that joins a pod sandbox (the sandbox runs them only for its own container)');
    }
    if (o.preserveFds > 0) throw new ContainerError('--preserve-fds: not supported for a container that joins a pod sandbox');
    dir.make();
    const state: StoredState = { ...creatingState(o.id, cfg), sandboxId };
    if (pod.state.hookPid !== undefined) state.hookPid = pod.state.hookPid;
    const c = new Container(dir, state, rt);
    let carrier: Carrier | null = null;
    let replica = -1;
    let files: number[] = [];
    let built = false;
    try {
      dir.save(state);
      if (hasHooks(hooks, ['prestart', 'createRuntime'])) {
        const creating = hookState(state, 'creating', state.hookPid ?? pod.pid);
        closeInheritedFds();
        await runHooks('prestart', hooks.prestart, creating, creating.bundle);
        await runHooks('createRuntime', hooks.createRuntime, creating, creating.bundle);
      }
      if (o.consoleSocket !== null) replica = openConsole(o.consoleSocket, cfg.spec.process?.consoleSize).replica;
      const stdio = replica >= 0 ? [replica, replica, replica] : [0, 1, 2];
      const opened = openContainerFiles(cfg.spec, cfg.bundle, cfg.root.path);
      files = opened.fds;
      const spec: ContainerSpec = { id: o.id, spec: cfg.spec, bundle: cfg.bundle, rootPath: cfg.root.path, preserveFds: 0 };
      let initPid: number;
      try {
        initPid = (await c.control().createSubcontainer(spec, stdio.length, opened.volumes, [...stdio, ...files])).pid;
      } catch (e) {
        if (e instanceof ProtocolError && (e.code === 'exec' || e.code === 'invalid' || e.code === 'stopped')) throw new ContainerError(e.message);
        throw rpcFailure(e, 'create');
      }
      built = true;
      for (const fd of files) native.close(fd);
      files = [];
      carrier = Carrier.start(rt.self, rt.bootArgs, o.id, initPid, replica >= 0 ? replica : null);
      if (replica >= 0) {
        native.close(replica);
        replica = -1;
      }
      state.sandbox = processRef(carrier.pid);
      state.status = 'created';
      state.creator = null;
      dir.save(state);
      if (o.pidFile !== null) writePidFile(o.pidFile, carrier.pid);
      if (o.pidfdSocket != null) sendPidfd(o.pidfdSocket, carrier.pid);
      rt.debug(`container ${o.id}: created in the sandbox of ${sandboxId}, carrier pid ${carrier.pid}`);
      return { container: c, sandbox: carrier };
    } catch (e) {
      if (replica >= 0) native.close(replica);
      for (const fd of files) native.close(fd);
      if (built) await c.control().destroySubcontainer().catch(() => {});
      if (carrier !== null) {
        carrier.kill();
        await carrier.exited();
      }
      dir.remove();
      await runPoststop(rt, state);
      throw e;
    }
  }

  /** A sub-container's control socket is its pod sandbox container's. */
  private control(): ControlClient {
    const sb = this.state.sandboxId;
    return new ControlClient(sb === undefined ? this.dir.socketPath : new StateDir(this.rt.root, sb).socketPath, this.id);
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
    const hooks = this.state.hooks ?? {};
    try {
      // startContainer hooks run in the sandbox before the init does, for as long as they take.
      if (this.state.sandboxId !== undefined) await this.control().startSubcontainer();
      else await this.control().startRoot(hasHooks(hooks, ['startContainer']) ? null : undefined);
    } catch (e) {
      throw rpcFailure(e, 'start');
    }
    this.state.status = 'running';
    this.dir.save(this.state);
    // Spec 1.2's poststart: after the init runs, before start returns; a
    // failure is a warning (runc 1.1 runs them within create and kills the
    // container on a failure, spec 1.3 and runc 1.2 do the latter: docs/oci.md).
    if (hasHooks(hooks, ['poststart'])) {
      closeInheritedFds();
      await runHooksBestEffort('poststart', hooks.poststart, hookState(this.state, 'running', this.state.hookPid ?? this.pid), this.state.bundle, warner(this.rt));
    }
  }

  /**
   * Sends signo to the init (all: to every process; 0: kill(2)'s check
   * that the init is there, nothing sent). A SIGKILL that the sandbox
   * cannot be asked to deliver (it does not answer) kills the sandbox
   * process itself, which ends the container as surely. With all, a
   * stopped container has no process to signal and that is no error
   * (runc 1.1's kill --all signals what is left in its cgroup: nothing).
   */
  async signal(signo: number, all: boolean): Promise<void> {
    const status = await this.status();
    if (status === 'stopped' && all) return;
    if (status === 'stopped' || status === 'creating') throw notRunning();
    try {
      await this.control().signal(signo, all);
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'stopped') {
        if (all) return;
        throw notRunning();
      }
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
    if ((status === 'running' || status === 'creating' || status === 'paused') && !force) {
      throw new ContainerError(`cannot delete container ${this.id} that is not stopped: ${status}`);
    }
    // A sub-container: its processes are killed in the sandbox (which may be gone already); then its carrier ends.
    if (this.state.sandboxId !== undefined) {
      await this.control().destroySubcontainer().catch((e: unknown) => {
        if (!(e instanceof ControlUnavailable) && !(e instanceof ProtocolError && e.code === 'no-such-container')) throw rpcFailure(e, 'delete');
      });
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
    const why = this.state.cgroup === undefined ? null : await HostCgroup.at(this.state.cgroup, this.rt.debug).remove();
    if (why !== null) warner(this.rt)(why);
    this.dir.remove();
    await runPoststop(this.rt, this.state);
  }

  /** The container's processes, as the sandbox lists them (its own pids, init first); a stopped one has none (runc's ps prints its header). */
  async processes(): Promise<ProcessInfo[]> {
    const status = await this.status();
    if (status === 'stopped') return [];
    if (status !== 'created' && status !== 'running' && status !== 'paused') throw notRunning();
    try {
      return await this.control().processes();
    } catch (e) {
      throw rpcFailure(e, 'ps');
    }
  }

  /**
   * Freezes every process of the container (runc pause, runsc's Lifecycle
   * Pause): a created or running container only ("container not running").
   */
  async pause(): Promise<void> {
    const status = await this.status();
    if (status !== 'created' && status !== 'running') throw notRunning();
    try {
      await this.control().pause();
    } catch (e) {
      throw rpcFailure(e, 'pause');
    }
    this.state.status = 'paused';
    this.dir.save(this.state);
  }

  /** Thaws them (runc resume): "container not paused" unless paused; it is then created or running again. */
  async resume(): Promise<void> {
    const status = await this.status();
    if (status !== 'paused') throw new ContainerError('container not paused');
    try {
      await this.control().resume();
    } catch (e) {
      throw rpcFailure(e, 'resume');
    }
    // Created again if its init had not started; the container may also have ended at once (a signal that waited).
    this.state.status = 'running';
    if ((await this.status()) === 'created') this.state.status = 'created';
    this.dir.save(this.state);
  }

  /** What the Sentry knows of the container's use (tsvisor events): "container not running" once it has stopped. */
  async usage(): Promise<UsageResult> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw notRunning();
    try {
      return await this.control().usage();
    } catch (e) {
      throw rpcFailure(e, 'events');
    }
  }

  /** Forwards fd (a connection accepted on the host) to port inside (tsvisor port-forward): "container not running" once stopped. */
  async portForward(fd: number, port: number): Promise<void> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw notRunning();
    try {
      await this.control().portForward(fd, port);
    } catch (e) {
      throw rpcFailure(e, 'port-forward');
    }
  }

  /**
   * A debugging call to the container's sandbox (tsvisor debug,
   * metric-export), as the sandbox's own container: the methods are the
   * sandbox's as a whole, so a sub-container's are its pod's. "container
   * not running" once it has stopped.
   */
  async debug<T>(what: string, f: (c: ControlClient) => Promise<T>): Promise<T> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw notRunning();
    const sb = this.state.sandboxId;
    const client = sb === undefined ? new ControlClient(this.dir.socketPath, this.id) : new ControlClient(new StateDir(this.rt.root, sb).socketPath, sb);
    try {
      return await f(client);
    } catch (e) {
      throw rpcFailure(e, what);
    }
  }

  /**
   * Waits for more OOM kills than seen, or the container's end (its final
   * count, stopped true); a sandbox that is gone, or killed meanwhile,
   * reads as stopped with seen kills.
   */
  async waitOom(seen: number): Promise<OomResult> {
    try {
      return await this.control().waitOom(seen);
    } catch (e) {
      if (e instanceof ControlUnavailable || (e instanceof ProtocolError && e.code === 'stopped')) return { oomKills: seen, stopped: true };
      throw rpcFailure(e, 'events');
    }
  }

  /**
   * Changes the limits (tsvisor update): the Sentry's memory and tasks,
   * and the host cgroup's CPU limits (refused without one), which the
   * Sentry is told of for its cgroupfs; the host cgroup's second bounds
   * follow the Sentry's.
   */
  async update(limits: Omit<UpdateArgs, 'containerId'>, cpu?: CpuUpdate): Promise<void> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw notRunning();
    const cg = this.state.cgroup === undefined ? null : HostCgroup.at(this.state.cgroup, this.rt.debug);
    let args = limits;
    if (cpu !== undefined) {
      if (cg === null) throw new ContainerError('CPU limits: the container has no host cgroup to apply them to (no linux.cgroupsPath, or no writable cgroup v2 at /sys/fs/cgroup when it was created)');
      args = { ...limits, ...cg.updateCpu(cpu) };
    }
    try {
      await this.control().update(args);
    } catch (e) {
      // A limit the Sentry cannot take: its reason is the whole message.
      if (e instanceof ProtocolError && e.code === 'invalid') throw new ContainerError(e.message);
      throw rpcFailure(e, 'update');
    }
    cg?.updateBounds(limits.memoryLimit, limits.pidsLimit);
  }

  /**
   * Starts process (config.json's process, whole) in the container with
   * fds as its descriptors 0, 1, 2, ...; its pid in the container. Only a
   * created or running container (runc's words otherwise); paused too
   * with ignorePaused (the process then waits for resume). A program that
   * cannot be run fails with exit code 255, as runc exec's.
   */
  async exec(process: object, fds: readonly number[], ignorePaused = false): Promise<number> {
    const status = await this.status();
    if (status === 'stopped' || status === 'creating') throw new ContainerError('cannot exec in a stopped container');
    if (status === 'paused' && !ignorePaused) throw new ContainerError('cannot exec in a paused container');
    try {
      return (await this.control().execute(process, fds)).pid;
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'exec') throw new ContainerError(`unable to start container process: ${e.message}`, 255);
      if (e instanceof ProtocolError && e.code === 'invalid') throw new ContainerError(e.message, 255);
      throw rpcFailure(e, 'exec');
    }
  }

  /** A process exec started: its exit status once it ends (for ever if need be). */
  async waitProcess(pid: number): Promise<number> {
    try {
      return (await this.control().waitPid(pid)).exitStatus;
    } catch (e) {
      throw rpcFailure(e, 'exec');
    }
  }

  /** A signal to a process exec started, or with foreground to its terminal's foreground group. */
  async signalProcess(pid: number, signo: number, foreground: boolean): Promise<void> {
    try {
      await this.control().signal(signo, false, pid, foreground);
    } catch (e) {
      throw rpcFailure(e, 'signal');
    }
  }

  /** The container's config.json as create read it (exec without --process starts from its process). */
  config(): Spec {
    return readBundle(this.state.bundle).spec;
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

/** The state a hook reads (runtime.md's State, as runc gives it): pid only while there is a process. */
function hookState(s: StoredState, status: HookState['status'], pid: number): HookState {
  // runc's key order (specs.State): ociVersion, id, status, pid, bundle, annotations.
  const h: HookState = { ociVersion: s.ociVersion, id: s.id, status, ...(status !== 'stopped' ? { pid } : {}), bundle: s.bundle };
  if (Object.keys(s.annotations).length > 0) h.annotations = s.annotations;
  return h;
}

function warner(rt: Runtime): (msg: string) => void {
  return (msg) => (rt.warn ?? rt.debug)(msg);
}

/**
 * The hooks' part of the sandbox's start-up (Sandbox.waitCreated): once
 * the sandbox's namespaces exist, the hooks' pid is found (the Sentry's
 * process, in those namespaces, as runc's init is: a hook's `nsenter -t
 * PID` enters the container's mount and network namespaces, and a mount
 * it makes there is in the root's tree the Sentry opens afterwards) and
 * recorded for poststart; prestart and createRuntime run here, in the
 * runtime's namespaces, before the sandbox opens the container's root
 * (runc runs them at the same step, while its init waits); the
 * createContainer and startContainer lists go to the sandbox, which runs
 * them (src/cli/boot.ts, src/boot/start_hooks.ts).
 */
function createSteps(hooks: Hooks, s: StoredState): CreateSteps {
  if (!hasHooks(hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'])) return {};
  return {
    atNamespaces: async (sentry) => {
      s.hookPid = sentry;
      const creating = hookState(s, 'creating', sentry);
      if (hasHooks(hooks, ['prestart', 'createRuntime'])) {
        closeInheritedFds();
        await runHooks('prestart', hooks.prestart, creating, creating.bundle);
        await runHooks('createRuntime', hooks.createRuntime, creating, creating.bundle);
      }
      if (!hasHooks(hooks, ['createContainer', 'startContainer'])) return {};
      return { hooks: { createContainer: hooks.createContainer ?? [], startContainer: hooks.startContainer ?? [], state: creating } };
    },
  };
}

/** The poststop hooks, once the container is gone (delete, or a create that failed): each failure is a warning. */
async function runPoststop(rt: Runtime, s: StoredState): Promise<void> {
  const hooks = s.hooks ?? {};
  if (!hasHooks(hooks, ['poststop'])) return;
  closeInheritedFds();
  await runHooksBestEffort('poststop', hooks.poststop, hookState(s, 'stopped', 0), s.bundle, warner(rt));
}

/** A new container's state as create records it first: creating, made by this process, no sandbox yet. */
function creatingState(id: string, cfg: ReturnType<typeof readBundle>): StoredState {
  return {
    version: 1, id, ociVersion: cfg.ociVersion, bundle: cfg.bundle, rootfs: cfg.root.path, annotations: cfg.annotations,
    created: new Date().toISOString(), status: 'creating', owner: process.geteuid?.() ?? 0, sandbox: null,
    creator: processRef(process.pid), hooks: cfg.hooks,
  };
}

/** A failed control call in the words a caller can act on. */
function rpcFailure(e: unknown, what: string): ContainerError {
  if (e instanceof ProtocolError) {
    if (e.code === 'stopped' || e.code === 'running' || e.code === 'paused' || e.code === 'hook') return new ContainerError(e.message);
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
