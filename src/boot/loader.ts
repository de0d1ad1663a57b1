// The Loader of an OCI container's sandbox (gVisor's runsc/boot Loader,
// seed 001): it takes the container's description (ContainerSpec, what
// `tsvisor create` read from the bundle), builds the kernel around the
// container's root with the same mount table `tsvisor do` uses
// (sandbox.ts), loads the init (exec'd into its own address space and
// stopped before its first instruction), starts the control server on the
// container's state directory, seals the Sentry, and then waits: the init
// runs when the control server's StartRoot says so (runsc's
// WaitForStartSignal, then Run), and the sandbox ends with its status.
//
// Where it differs from runsc's: one container per sandbox (no
// sub-containers), no gofer (the Sentry reads the root itself through a
// read-only mount tree, docs/security.md), the spec's mounts, namespaces,
// rlimits, capabilities and seccomp are applied as container_spec.ts and
// path_rules.ts say; process.terminal's console is a pty of the
// container's devpts bridged to the host pty create opened (console.ts),
// as runc's is one of its devpts. The root is the sandbox's overlay (writes go to
// the Sentry's memory, as runsc's --overlay2 root:memory) unless
// root.readonly, which gives it read-only as it is. The container's user
// namespace (the spec's id maps, container_spec.ts) is the kernel's
// (Kernel.userns): its init and every exec'd process start in it.

import * as fs from 'node:fs';
import type { Launched } from './launch.js';
import type { Logger } from '../kernel/log.js';
import { native } from '../native.js';
import { PAGE_SIZE } from '../memory/memory_file.js';
import { MS_RDONLY } from '../vfs/mount.js';
import type { Task } from '../kernel/task.js';
import { O_ACCMODE } from '../vfs/file_description.js';
import {
  BootError, ExecError, buildKernel, installTaskDump, loadInit, runInit, sealSentry, shellStatus,
} from './sandbox.js';
import type { InitFile, RootOverlay, SandboxKernel } from './sandbox.js';
import { StraceTracer } from './strace.js';
import { withHome } from './home.js';
import { ConsoleBridge } from './console.js';
import type { Terminal } from '../kernel/tty/terminal.js';
import { attachHostTerminal, forwardHostSignals } from './host_signals.js';
import { ControlServer } from '../control/server.js';
import { CONTROL_SOCKET_NAME, ProtocolError } from '../control/protocol.js';
import type { ContainerStatus, ProcessInfo, StateResult } from '../control/protocol.js';
import { killsByDefault, processes, signalContainer } from '../control/lifecycle.js';
import { containerManager } from './controller.js';
import { debugMethods } from './debug_controller.js';
import { freeze, thaw } from '../kernel/freeze.js';
import { OomWatch, updateLimits, usage } from '../control/usage.js';
import type { OomResult, UpdateArgs, UsageResult } from '../control/protocol.js';
import type { Hook } from '../config/spec.js';
import { cgroupCpu } from '../config/resources.js';
import { StartHookError, runStartContainerHooks } from './start_hooks.js';
import { applySpecSeccomp, initCredentials, initRlimits, specMounts, specSysctls, specUserNamespace } from './container_spec.js';
import { ExecManager, execFailureMessage } from './exec.js';
import type { ContainerSpec } from './container_spec.js';
import { applyPathRules } from './path_rules.js';
import { Subcontainer } from './subcontainer.js';
import { PodMounts, parseMountHints } from './mount_hints.js';
import type { CreateSubcontainerArgs } from '../control/protocol.js';

const POLLIN = 0x1;
const POLLHUP = 0x10;
const CONSOLE_GONE = 'the console\'s other end (the pty master sent to --console-socket) was closed before the container was created: nobody holds its terminal';

/** The sandbox's stdin, the console's replica, is hung up: its master has been closed (or dropped unread with the connection that carried it). */
function consoleHungUp(): boolean {
  const r = native.poll1(0, POLLIN, 0);
  return r > 0 && (r & POLLHUP) !== 0;
}

export { parseContainerSpec } from './container_spec.js';
export type { ContainerSpec } from './container_spec.js';

export interface LoaderArgs {
  spec: ContainerSpec;
  launched: Launched | null;
  log: Logger;
  /** The container's state directory: the control socket is made in it, before the seal. */
  stateDir: string;
  /** The spec's startContainer hooks, run at StartRoot before the init (start_hooks.ts), and the state create made for the hooks. */
  startHooks?: { hooks: Hook[]; state: object };
  /** The root's overlay medium (--overlay2); default memory. */
  overlay?: RootOverlay;
  /** Every system call traced to log from the first (--strace before the command). */
  strace?: boolean;
  /** --net-raw before the command: raw and packet sockets for processes with CAP_NET_RAW (else none has it). */
  netRaw?: boolean;
}

export class Loader {
  private status: Exclude<ContainerStatus, 'paused'> = 'created';
  private exitStatus: number | null = null;
  private readonly waiters: ((status: number) => void)[] = [];
  private server: ControlServer | null = null;
  private readonly undo: (() => void)[] = [];
  /** The processes exec started (ExecuteAsync, WaitPID). */
  private readonly execs: ExecManager;
  /** Resolved with the init's exit status once the sandbox is done. */
  private readonly done: Promise<number>;
  private resolveDone: (status: number) => void = () => {};
  /** Frozen by Pause (kernel/freeze.ts) until Resume; the status reads "paused" meanwhile. */
  private paused = false;
  /** StartRoot is running the startContainer hooks. */
  private starting = false;
  private startHooks: LoaderArgs['startHooks'];
  private readonly oomWatch: OomWatch;
  /** The pod's other containers (subcontainer.ts), by id. */
  private readonly subs = new Map<string, Subcontainer>();

  private constructor(readonly spec: ContainerSpec, private readonly sk: SandboxKernel, private readonly init: Task, private readonly pod: PodMounts) {
    this.oomWatch = new OomWatch(sk.kernel);
    this.execs = new ExecManager(sk, spec, sk.log);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /**
   * Builds the sandbox up to the start signal: kernel, init loaded, the
   * control server listening, the Sentry sealed. Throws BootError (an
   * init that cannot be run: runc's "exec: ..." words).
   */
  static async create(a: LoaderArgs): Promise<Loader> {
    const { spec, log } = a;
    const oci = spec.spec;
    const proc = oci.process as NonNullable<typeof oci.process>;
    log.info(`tsvisor boot: container ${spec.id} root=${spec.rootPath} argv=${JSON.stringify(proc.args)}`);
    // The container's user namespace (the spec's id maps), made by the Sentry's own ids, as runc makes it.
    const userns = specUserNamespace(oci, process.geteuid?.() ?? 0, process.getegid?.() ?? 0);
    const { mounts, volumes } = specMounts(oci, spec.bundle, userns);
    const sysctl = specSysctls(oci);
    const memoryLimit = oci.linux?.resources?.memory?.limit;
    // The pod's volumes as its mount hints share them (the sandbox container's annotations, mount_hints.ts).
    const pod = new PodMounts(parseMountHints(oci.annotations ?? {}));
    const sk = buildKernel({
      sharedBinds: (mf, vols) => pod.instancesFor(mf, vols),
      root: spec.rootPath, launched: a.launched, log, strace: false, netRaw: a.netRaw === true,
      // root.readonly: the overlay still, so mount points can be made, then the root mount read-only (runc remounts it so).
      overlay: a.overlay ?? 'memory', hostname: sysctl.hostname ?? oci.hostname,
      mounts, volumes,
      // memory.limit: the sandbox's total memory, so the OOM behaviour at it is the Sentry's (Linux's).
      totalMemory: memoryLimit !== undefined && memoryLimit > 0 ? Math.max(PAGE_SIZE, Math.floor(memoryLimit / PAGE_SIZE) * PAGE_SIZE) : undefined,
    });
    sk.kernel.userns = userns;
    // The trace goes to the log: the Sentry's stderr is the container's own.
    if (a.strace === true) sk.kernel.tracer = new StraceTracer((line) => log.info(`strace: ${line}`));
    const domainname = sysctl.domainname ?? oci.domainname;
    if (domainname !== undefined) sk.kernel.uts.domainName = domainname;
    // pids.limit counts tasks, threads too, as the pids controller does: fork and clone past it get EAGAIN.
    const pids = oci.linux?.resources?.pids?.limit;
    if (pids !== undefined && pids > 0) sk.kernel.maxTasks = Math.min(sk.kernel.maxTasks, pids);
    // The CPU limits the host cgroup enforces (src/container/cgroup.ts), for the container's cgroupfs to show.
    sk.kernel.limits.cpu = cgroupCpu(oci.linux?.resources);
    applyPathRules(sk, oci);
    if (oci.root?.readonly === true) sk.vfs.initNs.root.flags |= MS_RDONLY;
    // The caller's stdio and --preserve-fds, each with the access it was opened with.
    const files: InitFile[] = [];
    for (let fd = 0; fd < 3 + spec.preserveFds; fd++) {
      const fl = native.getfl(fd);
      if (fl >= 0) files.push({ hostFd: fd, guestFd: fd, flags: fl & O_ACCMODE });
    }
    let init: Task;
    try {
      init = loadInit(sk, {
        argv: proc.args ?? [], env: withHome(sk.vfs, proc.env ?? [], proc.user?.uid ?? 0), cwd: proc.cwd, creds: initCredentials(oci, userns), files, cwdName: 'process.cwd', containerId: spec.id,
        rlimits: initRlimits(oci, sk.rlimits), umask: proc.user?.umask, noNewPrivs: proc.noNewPrivileges === true,
        oomScoreAdj: proc.oomScoreAdj,
      });
    } catch (e) {
      if (e instanceof ExecError) throw new BootError(execFailureMessage(e), e.exitCode);
      throw e;
    }
    applySpecSeccomp(init, oci, log);
    const loader = new Loader(spec, sk, init, pod);
    loader.startHooks = a.startHooks;
    // process.terminal: the sandbox's stdio is the pty create opened for
    // the console socket (or run's relay); the init's terminal is a pty of
    // the container's devpts bridged to it (console.ts), or without one
    // the host pty itself. The host pty is the Sentry's own controlling
    // terminal on the host, so that the host's line discipline sends the
    // Sentry a resize (and, without the bridge, what a key means) for the
    // container's foreground group (host_signals.ts).
    let term: Terminal | null = null;
    let bridge: ConsoleBridge | null = null;
    if (proc.terminal === true) {
      // A console whose master is already gone fails create (the check below, before the seal, sees one that goes meanwhile).
      if (consoleHungUp()) throw new BootError(CONSOLE_GONE, 1);
      bridge = ConsoleBridge.attach(sk.vfs, init, log);
      term = bridge !== null ? bridge.pty : attachHostTerminal(init, init.fdTable);
      if (term === null) throw new BootError('process.terminal is true, but the sandbox\'s stdin is no terminal (create opens one for --console-socket)', 1);
      const r = native.takeTerminal(0);
      if (r < 0) log.warn(`the console cannot be the sandbox's controlling terminal (errno ${-r}): its keys and resizes will not signal the container`);
    }
    // The container's last output reaches the host pty before its modes are put back.
    if (bridge !== null) loader.undo.push(() => bridge.stop());
    // A signal sent to the sandbox process (the launcher forwards TERM,
    // INT, HUP, QUIT) reaches the init as runc's would.
    loader.undo.push(forwardHostSignals(init, term, (sig) => loader.afterSignal(sig), bridge !== null ? () => bridge.resize() : undefined));
    loader.undo.push(installTaskDump(sk.kernel, log));
    // The control socket, before the seal: no socket can be made after it.
    let dirFd: number;
    try {
      dirFd = fs.openSync(a.stateDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    } catch (e) {
      throw new BootError(`cannot open the state directory ${a.stateDir}: ${(e as Error).message}`, 125);
    }
    const listenFd = native.listenUnix(dirFd, CONTROL_SOCKET_NAME, 0o600, 16);
    native.close(dirFd);
    if (listenFd < 0) throw new BootError(`cannot make the control socket in ${a.stateDir} (errno ${-listenFd})`, 125);
    loader.server = new ControlServer(listenFd, new Map([...containerManager(loader), ...debugMethods(loader, sk.kernel, log)]), log);
    // listen() on the descriptor asks the host what it is (getsockopt,
    // getsockname): done before the seal, which allows neither.
    await loader.server.start();
    // The console's master went to --console-socket when create began; a
    // peer that took the connection and closed it unread (or took the
    // master and closed it) has hung the terminal up by now: refused here,
    // as nobody would ever hold the container's console (later closes are
    // not seen, as with runc).
    if (term !== null && consoleHungUp()) throw new BootError(CONSOLE_GONE, 1);
    sealSentry(sk, listenFd);
    return loader;
  }

  /**
   * Runs the init (StartRoot), after the startContainer hooks; ProtocolError
   * if it runs already, has stopped or is paused. A hook that fails stops
   * the container (its init dies before its first instruction: the spec's
   * "stop the container", what runc's init does when its hook fails) and
   * fails the call with the hook's error.
   */
  async startRoot(): Promise<void> {
    if (this.status === 'running' || this.starting) throw new ProtocolError('running', 'cannot start an already running container');
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'cannot start a container that has stopped');
    if (this.paused) throw new ProtocolError('paused', 'cannot start a container in the paused state');
    const h = this.startHooks;
    if (h !== undefined && h.hooks.length > 0) {
      this.starting = true;
      try {
        // As the container's process: runc runs these hooks in its init after finalizeNamespace (user, capabilities).
        const p = this.spec.spec.process as NonNullable<ContainerSpec['spec']['process']>;
        const proc = { env: p.env ?? [], cwd: p.cwd, creds: initCredentials(this.spec.spec, this.sk.kernel.userns) };
        await runStartContainerHooks(this.sk, h.hooks, h.state, proc);
      } catch (e) {
        if (!(e instanceof StartHookError)) throw e;
        this.sk.log.warn(`container ${this.spec.id}: ${e.message}`);
        if (this.status === 'created') {
          signalContainer(this.sk.kernel, this.init.tg, 9, false);
          this.begin();
        }
        throw new ProtocolError('hook', e.message);
      } finally {
        this.starting = false;
      }
      // A signal may have started (and ended) the init while the hooks ran.
      const now = this.status as ContainerStatus;
      if (now !== 'created') throw new ProtocolError(now === 'stopped' ? 'stopped' : 'running', 'the container was signalled while its startContainer hooks ran');
    }
    this.begin();
  }

  private begin(): void {
    if (this.status !== 'created') return;
    this.status = 'running';
    // A pid namespace of its own: the init is pid 1 of it, as runc's is,
    // and unkillable from inside and by most signals from outside. Not
    // while created: runc's waiting init (its own Go program) dies of them.
    const oci = this.spec.spec;
    this.sk.kernel.initUnkillable = oci.linux?.namespaces?.some((n) => n.type === 'pid' && n.path === undefined) === true;
    this.sk.log.info(`container ${this.spec.id}: started`);
    void runInit(this.sk, this.init).then((ws) => this.ended(shellStatus(ws)));
  }

  private async ended(status: number): Promise<void> {
    this.status = 'stopped';
    this.paused = false;
    thaw(this.sk.kernel);
    this.oomWatch.end();
    this.exitStatus = status;
    this.sk.log.info(`container ${this.spec.id}: stopped, exit status ${status}`);
    for (const w of this.waiters.splice(0)) w(status);
    this.execs.end();
    for (const s of this.subs.values()) s.end();
    for (const u of this.undo.splice(0)) u();
    if (this.server !== null) await this.server.close();
    this.resolveDone(status);
  }

  /** A signal reached a created init: one it would die of starts it, so it dies before its first instruction. */
  private afterSignal(signo: number): void {
    if (this.status === 'created' && killsByDefault(signo)) this.begin();
  }

  /** pid: to that process (foreground: its terminal's foreground group) instead of the init. */
  signal(signo: number, all: boolean, pid?: number, foreground = false): void {
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'container not running');
    if (pid !== undefined) {
      this.execs.signal(pid, signo, foreground);
      return;
    }
    signalContainer(this.sk.kernel, this.init.tg, signo, all);
    this.afterSignal(signo);
  }

  /**
   * Starts a process in the container (runc exec): a created or running
   * one, not a paused or stopped one, in runc's words. fds are its stdio
   * and are the Loader's from here. Its pid in the container.
   */
  execute(process: unknown, fds: number[]): { pid: number } {
    const refuse = (code: 'stopped' | 'paused', msg: string) => {
      for (const fd of fds) native.close(fd);
      return new ProtocolError(code, msg);
    };
    if (this.status === 'stopped') throw refuse('stopped', 'cannot exec in a stopped container');
    if (this.paused) throw refuse('paused', 'cannot exec in a paused container');
    return { pid: this.execs.start(process, fds) };
  }

  /** The exit status of a process exec started, once it has ended. */
  waitPid(pid: number): Promise<number> {
    return this.execs.wait(pid);
  }

  state(): StateResult {
    return { status: this.paused && this.status !== 'stopped' ? 'paused' : this.status, exitStatus: this.exitStatus };
  }

  /** Freezes every task (runsc's Lifecycle Pause); a created or running container only, as runc's Pause. */
  async pause(): Promise<void> {
    if (this.status === 'stopped' || this.paused) throw new ProtocolError('stopped', 'container not running');
    this.paused = true;
    try {
      await freeze(this.sk.kernel);
    } catch (e) {
      this.paused = false;
      throw e;
    }
    this.sk.log.info(`container ${this.spec.id}: paused`);
  }

  /** Thaws them (runsc's Lifecycle Resume): the container is created or running again, as it was. */
  resume(): void {
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'container not running');
    if (!this.paused) throw new ProtocolError('running', 'container not paused');
    this.paused = false;
    thaw(this.sk.kernel);
    this.sk.log.info(`container ${this.spec.id}: resumed`);
  }

  usage(): UsageResult {
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'container not running');
    return usage(this.sk.kernel);
  }

  /** Answers once the OOM killer has ended more than seen processes, or the container has stopped. */
  waitOom(seen: number): Promise<OomResult> {
    return this.oomWatch.wait(seen);
  }

  update(a: UpdateArgs): void {
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'container not running');
    updateLimits(this.sk.kernel, a);
  }

  processes(): ProcessInfo[] {
    return this.status === 'stopped' ? [] : processes(this.sk.kernel, this.spec.id);
  }

  /** The init's exit status, once it has ended. */
  wait(): Promise<number> {
    if (this.exitStatus !== null) return Promise.resolve(this.exitStatus);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The sub-container id names, or undefined for the root's id; ProtocolError for an id the sandbox does not hold. */
  /** Whether the sandbox has a network namespace of its own, served through host sockets (PortForward needs one). */
  get hasNetwork(): boolean {
    return this.sk.inet;
  }

  subcontainer(id: string): Subcontainer | undefined {
    if (id === this.spec.id) return undefined;
    const s = this.subs.get(id);
    if (s === undefined) throw new ProtocolError('no-such-container', `this sandbox runs no container ${id}`);
    return s;
  }

  /**
   * Builds a sub-container (CreateSubcontainer): fds are its stdio, root
   * and volumes, the Loader's from here. Not once the sandbox has stopped,
   * nor for an id it holds already.
   */
  createSubcontainer(a: CreateSubcontainerArgs, fds: number[]): { pid: number } {
    const refuse = (code: 'stopped' | 'invalid', msg: string) => {
      for (const fd of fds) native.close(fd);
      return new ProtocolError(code, msg);
    };
    if (this.status === 'stopped') throw refuse('stopped', 'the sandbox\'s container has stopped: no container can join it');
    if (a.containerId === this.spec.id || this.subs.has(a.containerId)) throw refuse('invalid', `container with id exists: ${a.containerId}`);
    const s = Subcontainer.create(this.sk, this.pod, a, fds, this.sk.log);
    this.subs.set(a.containerId, s);
    return { pid: s.initPid };
  }

  /** Kills a sub-container's processes and forgets it, once they are gone. */
  async destroySubcontainer(id: string): Promise<void> {
    const s = this.subcontainer(id);
    if (s === undefined) throw new ProtocolError('invalid', `${id} is the sandbox's own container: delete it to end the sandbox`);
    await s.destroy();
    this.subs.delete(id);
    s.letGo();
  }

  /** Resolves, with the init's exit status, once the sandbox is done (init ended, waiters told, server closed). */
  run(): Promise<number> {
    return this.done;
  }
}
