// A sub-container (gVisor's runsc/boot containerManager CreateSubcontainer,
// StartSubcontainer and DestroySubcontainer, seed 001): a container of a
// pod that runs in the pod sandbox's Sentry beside its root container,
// with a root and mounts of its own in a mount namespace of its own, its
// init loaded at create and run at start, its processes known by their
// ThreadGroup.containerId. Its create (src/container) opened the root and
// the bind sources on the host and sent them with the request, since the
// sealed Sentry can open no host path. Those descriptors are the
// sandbox's HostRoots' (fs/hostfs/roots.ts), charged to its
// host-descriptor budget; once it is destroyed they are closed when
// nothing in the sandbox reaches its mount tree any more (at once, or
// after a process of another container that holds a directory of it
// through /proc/PID/root lets go), as gVisor releases a gofer file system
// on its last reference. A tmpfs-hinted volume's descriptor is closed at
// create, and a create that fails part way keeps none.
//
// What the pod shares, as Kubernetes' pods share it: the UTS names, the
// IPC objects, the network, the user namespace and the pod's volumes
// (mount_hints.ts). Its pid namespace is its own (its init is pid 1 there,
// and unkillable from inside) unless its spec joins the pod's by path
// (shareProcessNamespace), as runsc decides. When its init ends, its other
// processes are killed, as they are when a pid namespace's init dies.
//
// Where it differs from runsc: its
// linux.resources are not enforced apart from the sandbox's own bounds
// (the pod's); its startContainer and createContainer hooks are refused
// by its create (src/container), as is a hostname or user namespace that
// differs from the sandbox's.

import type { Logger } from '../kernel/log.js';
import type { Dentry } from '../vfs/dentry.js';
import { MS_RDONLY } from '../vfs/mount.js';
import type { PIDNamespace } from '../kernel/pid_namespace.js';
import type { IPCNamespace } from '../kernel/ipc/namespace.js';
import { native } from '../native.js';
import { ProtocolError } from '../control/protocol.js';
import type { ContainerStatus, CreateSubcontainerArgs, ProcessInfo, StateResult } from '../control/protocol.js';
import { killsByDefault, liveProcesses, processes } from '../control/lifecycle.js';
import { makeSiginfo, sendToProcess, userSiginfo } from '../kernel/signals.js';
import { ExecManager } from './exec.js';
import { BootError, buildContainerRoot } from './sandbox.js';
import type { SandboxKernel } from './sandbox.js';
import { parseContainerSpec, specMounts } from './container_spec.js';
import type { ContainerSpec } from './container_spec.js';
import { applyPathRules } from './path_rules.js';
import type { PodMounts } from './mount_hints.js';
import { DESTROY_GC_DELAYS_MS } from '../fs/hostfs.js';
import type { RootEntry } from '../fs/hostfs.js';

const SIGKILL = 9;
const SI_KERNEL = 0x80;

export class Subcontainer {
  private status: Exclude<ContainerStatus, 'paused'> = 'created';
  private exitStatus: number | null = null;
  private readonly waiters: ((status: number) => void)[] = [];

  private constructor(readonly spec: ContainerSpec, private readonly sk: SandboxKernel, private readonly execs: ExecManager,
    readonly initPid: number, readonly root: Dentry, private readonly pidns: PIDNamespace, private readonly roots: RootEntry[]) {
    void execs.wait(initPid).then((s) => this.ended(s));
  }

  /**
   * Builds it: the root and mounts from fds (stdio, root, one per volume:
   * CreateSubcontainerArgs), the init loaded and held. The descriptors are
   * the sandbox's from here, closed on any failure. Throws ProtocolError
   * ('invalid' for a container the sandbox cannot build, 'exec' for an
   * init that cannot be run, in runc's words).
   */
  static create(sk: SandboxKernel, pod: PodMounts, a: CreateSubcontainerArgs, fds: number[], log: Logger): Subcontainer {
    const want = a.stdioCount + 1 + a.volumes.length;
    const stdio = fds.slice(0, a.stdioCount);
    let rest = fds.slice(a.stdioCount);
    const closeAll = () => {
      for (const fd of [...stdio, ...rest]) native.close(fd);
    };
    if (fds.length !== want) {
      closeAll();
      throw new ProtocolError('invalid', `CreateSubcontainer: ${fds.length} descriptors came, ${want} were named (stdio, the root, each volume)`);
    }
    // The root's descriptor and each volume's are charged to the sandbox's host-descriptor budget while they are held.
    if (!sk.roots.hasRoom(1 + a.volumes.length)) {
      closeAll();
      throw new ProtocolError('invalid', `CreateSubcontainer: the sandbox's host descriptors are spent (${sk.hostBudget.open} of ${sk.hostBudget.max}, ` +
        `--max-host-fds): there is no room for the container's root and ${a.volumes.length} volume(s)`);
    }
    let spec: ContainerSpec;
    let root: Dentry;
    let pidns: PIDNamespace;
    let ipcns: IPCNamespace | undefined;
    let entries: RootEntry[] = [];
    try {
      spec = parseContainerSpec(a.container);
      if (spec.id !== a.containerId) throw new BootError(`the container description names ${spec.id}, not ${a.containerId}`, 1);
      const oci = spec.spec;
      const { mounts, volumes } = specMounts(oci, spec.bundle, sk.kernel.userns, a.volumes);
      if (volumes.length !== a.volumes.length) throw new BootError('config.json: the volumes sent are not the spec\'s bind mounts', 1);
      const volumeFds = volumes.map((v) => rest[1 + a.volumes.findIndex((x) => x.target === v.target)]);
      // A pid namespace of its own unless the spec joins the pod's (a path: Kubernetes' shareProcessNamespace), as runsc gives it.
      const ownPid = oci.linux?.namespaces?.some((n) => n.type === 'pid' && n.path === undefined) === true;
      const ns = ownPid ? sk.kernel.pidns.newChild(sk.kernel.userns) : sk.kernel.pidns;
      if (typeof ns === 'number') throw new BootError('linux.namespaces: no pid namespace can be made (32 levels)', 1);
      pidns = ns;
      // The pod's IPC namespace unless the spec asks for one of its own (an ipc entry without a path).
      const ownIpc = oci.linux?.namespaces?.some((n) => n.type === 'ipc' && n.path === undefined) === true;
      ipcns = ownIpc ? sk.kernel.ipcns.newChild(sk.kernel.userns) : undefined;
      const rootFd = rest[0];
      rest = [];
      // Its /proc shows its own pid namespace, as a proc mounted in it does.
      sk.kernel.bootMountPidns = pidns;
      try {
        ({ root, entries } = buildContainerRoot(sk, {
          rootFd, rootPath: spec.rootPath, mounts, volumes, volumeFds, sharedBinds: pod.instancesFor(sk.kernel.mf, volumes),
        }));
      } finally {
        sk.kernel.bootMountPidns = null;
      }
      applyPathRules(sk, oci, root);
      if (oci.root?.readonly === true) root.mount.flags |= MS_RDONLY;
    } catch (e) {
      closeAll();
      sk.roots.letGo(entries);
      if (e instanceof BootError) throw new ProtocolError('invalid', e.message);
      throw e;
    }
    const execs = new ExecManager(sk, spec, log, root, pidns, ipcns);
    let pid: number;
    try {
      // ExecManager.start owns stdio from here, closing it on a failure.
      pid = execs.start(spec.spec.process, stdio, true);
    } catch (e) {
      sk.roots.letGo(entries);
      throw e;
    }
    log.info(`container ${spec.id}: created in the sandbox, init pid ${pid}`);
    return new Subcontainer(spec, sk, execs, pid, root, pidns, entries);
  }

  get id(): string {
    return this.spec.id;
  }

  start(): void {
    if (this.status === 'running') throw new ProtocolError('running', 'cannot start an already running container');
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'cannot start a container that has stopped');
    this.status = 'running';
    this.execs.release(this.initPid);
    this.sk.log.info(`container ${this.id}: started`);
  }

  private ended(status: number): void {
    this.status = 'stopped';
    this.exitStatus = status;
    this.killRest();
    this.sk.log.info(`container ${this.id}: stopped, exit status ${status}`);
    for (const w of this.waiters.splice(0)) w(status);
  }

  /** Its processes other than the init, which end with it (as a pid namespace's do when its init dies). */
  private killRest(): void {
    for (const tg of liveProcesses(this.sk.kernel, this.id)) {
      sendToProcess(tg, makeSiginfo(SIGKILL, SI_KERNEL));
    }
  }

  /** The init, every process, or one exec started (foreground: its terminal's group). */
  signal(signo: number, all: boolean, pid?: number, foreground = false): void {
    if (this.status === 'stopped') throw new ProtocolError('stopped', 'container not running');
    if (pid === undefined && !all) {
      this.execs.signal(this.initPid, signo, false);
      // A signal a created init dies of starts it, so that it dies before its first instruction.
      if (this.status === 'created' && killsByDefault(signo)) this.status = 'running';
      return;
    }
    if (pid !== undefined) {
      this.execs.signal(pid, signo, foreground);
      return;
    }
    if (signo === 0) return;
    for (const tg of liveProcesses(this.sk.kernel, this.id)) sendToProcess(tg, userSiginfo(signo, 0, 0, 0));
    if (this.status === 'created' && killsByDefault(signo)) this.signal(signo, false);
  }

  execute(process: unknown, fds: number[]): { pid: number } {
    if (this.status === 'stopped') {
      for (const fd of fds) native.close(fd);
      throw new ProtocolError('stopped', 'cannot exec in a stopped container');
    }
    return { pid: this.execs.start(process, fds) };
  }

  waitPid(pid: number): Promise<number> {
    if (pid === this.initPid) throw new ProtocolError('invalid', `pid ${pid} is the container's init: use Wait`);
    return this.execs.wait(pid);
  }

  state(): StateResult {
    return { status: this.status, exitStatus: this.exitStatus };
  }

  processes(): ProcessInfo[] {
    return this.status === 'stopped' ? [] : processes(this.sk.kernel, this.id, this.pidns);
  }

  wait(): Promise<number> {
    if (this.exitStatus !== null) return Promise.resolve(this.exitStatus);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Kills every process of it (a created init too) and resolves once the init has ended. */
  destroy(): Promise<number> {
    if (this.status !== 'stopped') {
      this.killRest();
      this.execs.release(this.initPid);
    }
    return this.wait();
  }

  /**
   * It is forgotten (destroyed): its root and volume descriptors are closed
   * once nothing in the sandbox reaches them (another container's process
   * may still hold a directory of it, through /proc/PID/root or a
   * descriptor passed over a socket), found by the collections the
   * delays ask for.
   */
  letGo(): void {
    this.sk.roots.letGo(this.roots, DESTROY_GC_DELAYS_MS);
  }

  /** The sandbox is ending: its waiters hear that it was killed with it. */
  end(): void {
    this.execs.end();
    if (this.exitStatus === null) this.ended(128 + SIGKILL);
  }
}
