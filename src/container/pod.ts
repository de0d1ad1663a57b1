// The host side of a pod's sub-containers (gVisor's runsc/container for a
// container whose spec names a sandbox, seed 001): which sandbox a spec's
// annotations name (CRI's, as containerd sets them; CRI-O's), the host
// files its create opens and sends to that sandbox (the root, a read-only
// copy of its mount tree where the host allows, and each bind source),
// and the carrier: the host process that stands for the container's init,
// as runsc's does, so that the caller's subreaper (containerd's shim,
// conmon) reaps it with the init's exit status. The carrier is
// `tsvisor carry` (src/cli/carry.ts): a child of create, in a session of
// its own, that waits on the sandbox for the container's end.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { native } from '../native.js';
import type { Spec } from '../config/spec.js';
import type { SubcontainerVolume } from '../control/protocol.js';
import { BootError } from '../boot/sandbox.js';
import { specMounts } from '../boot/container_spec.js';
import { ContainerError } from './errors.js';

const CRI_TYPE = 'io.kubernetes.cri.container-type';
const CRI_SANDBOX = 'io.kubernetes.cri.sandbox-id';
const CRIO_TYPE = 'io.kubernetes.cri-o.ContainerType';
const CRIO_SANDBOX = 'io.kubernetes.cri-o.SandboxID';

/** The id of the pod sandbox container the annotations put this container in, or null: a sandbox of its own. */
export function podSandboxOf(annotations: Readonly<Record<string, string>>): string | null {
  for (const [type, sandbox] of [[CRI_TYPE, CRI_SANDBOX], [CRIO_TYPE, CRIO_SANDBOX]]) {
    if (annotations[type] !== 'container') continue;
    const id = annotations[sandbox];
    if (id === undefined || id === '') throw new ContainerError(`annotation ${type} is "container" but ${sandbox} names no sandbox`);
    return id;
  }
  return null;
}

/** What create sends CreateSubcontainer: the descriptors in their order, and the volumes they are. */
export interface ContainerFiles {
  /** The root, then one per volume (the caller puts stdio before them). */
  fds: number[];
  volumes: SubcontainerVolume[];
}

/** Opens the container's root and bind sources on the host; on a failure, closes what it opened and throws naming it. */
export function openContainerFiles(spec: Spec, bundle: string, rootPath: string): ContainerFiles {
  const fds: number[] = [];
  try {
    let root = native.openTreeReadOnly(rootPath);
    if (root < 0) root = fs.openSync(rootPath, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    fds.push(root);
    let volumes;
    try {
      volumes = specMounts(spec, bundle).volumes;
    } catch (e) {
      if (e instanceof BootError) throw new ContainerError(e.message);
      throw e;
    }
    for (const v of volumes) {
      if (fs.statSync(v.host).isDirectory()) {
        const fd = native.openTreeVolume(v.host, v.readOnly);
        fds.push(fd >= 0 ? fd : fs.openSync(v.host, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
      } else {
        fds.push(fs.openSync(v.host, fs.constants.O_RDONLY));
      }
    }
    return { fds, volumes: volumes.map((v) => ({ host: v.host, target: v.target, readOnly: v.readOnly })) };
  } catch (e) {
    for (const fd of fds) native.close(fd);
    if (e instanceof ContainerError) throw e;
    throw new ContainerError(`cannot open the container's files: ${(e as Error).message}`);
  }
}

/** The carrier process of a sub-container. */
export class Carrier {
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess, readonly pid: number) {
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Starts `tsvisor carry ID`: self and globalArgs are how to run tsvisor
   * with this command's global flags; terminal: the console's replica,
   * which becomes the carrier's controlling terminal (its resizes reach
   * the container's console through it), or null.
   */
  static start(self: string[], globalArgs: string[], id: string, initPid: number, terminal: number | null): Carrier {
    const argv = [...self, ...globalArgs, 'carry', '--init-pid', String(initPid), ...(terminal !== null ? ['--terminal'] : []), id];
    const child = spawn(argv[0], argv.slice(1), { stdio: [terminal ?? 'ignore', 'ignore', 'ignore'], detached: true, env: process.env });
    child.on('error', () => {});
    if (child.pid === undefined) throw new ContainerError(`cannot start the container's carrier process (${argv[0]})`);
    return new Carrier(child, child.pid);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  detach(): void {
    this.child.unref();
  }

  kill(): void {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
