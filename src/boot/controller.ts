// containerManager (gVisor's runsc/boot controller.go, seed 001): the
// control server's methods for a sandbox's containers, bound to its
// Loader: the root container's, and its sub-containers' (subcontainer.ts)
// by the id each request names. Each checks its parameters (protocol.ts)
// before the Loader acts. Pause, Resume, Usage, Update and WaitOOM are the
// sandbox's as a whole and answer for its root container only.

import {
  METHODS, ProtocolError, parseContainerArgs, parseCreateSubcontainerArgs, parseExecArgs, parseOomArgs, parseSignalArgs, parseUpdateArgs,
  parsePortForwardArgs, parseWaitPidArgs,
} from '../control/protocol.js';
import { isStreamSocket, portForward } from '../net/hostinet/forward.js';
import type { Handler } from '../control/server.js';
import { takeOneFd } from '../control/server.js';
import { ECONNREFUSED } from '../abi/linux/errno.js';
import type { Loader } from './loader.js';
import type { Subcontainer } from './subcontainer.js';

/** Refuses a sandbox-wide method asked of a sub-container (or of a container the sandbox does not run). */
export function assertSandboxWide(loader: Loader, method: string, id: string): void {
  if (loader.subcontainer(id) !== undefined) {
    throw new ProtocolError('invalid', `${method}: ${id} is a sub-container; this applies to the whole sandbox, so ask it of the sandbox's container ${loader.spec.id}`);
  }
}

export function containerManager(loader: Loader): Map<string, Handler> {
  /** The root's action, or the sub-container's the request names. */
  const either = <T>(method: string, root: () => T, sub: (s: Subcontainer) => T): Handler => (p) => {
    const s = loader.subcontainer(parseContainerArgs(p, method).containerId);
    return s === undefined ? root() : sub(s);
  };
  /** The sandbox's as a whole: asked of its root container. */
  const rootOnly = (method: string, id: string) => assertSandboxWide(loader, method, id);
  const plainRoot = (method: string, act: () => unknown): Handler => (p) => {
    rootOnly(method, parseContainerArgs(p, method).containerId);
    return act();
  };
  return new Map<string, Handler>([
    [METHODS.startRoot, plainRoot(METHODS.startRoot, () => loader.startRoot())],
    [METHODS.state, either(METHODS.state, () => loader.state(), (s) => s.state())],
    [METHODS.processes, either(METHODS.processes, () => loader.processes(), (s) => s.processes())],
    [METHODS.wait, either(METHODS.wait, async () => ({ exitStatus: await loader.wait() }), async (s) => ({ exitStatus: await s.wait() }))],
    [METHODS.pause, plainRoot(METHODS.pause, () => loader.pause())],
    [METHODS.resume, plainRoot(METHODS.resume, () => loader.resume())],
    [METHODS.usage, plainRoot(METHODS.usage, () => loader.usage())],
    [METHODS.update, (p) => {
      const a = parseUpdateArgs(p);
      rootOnly(METHODS.update, a.containerId);
      loader.update(a);
      return null;
    }],
    [METHODS.waitOom, (p) => {
      const a = parseOomArgs(p);
      rootOnly(METHODS.waitOom, a.containerId);
      return loader.waitOom(a.seen);
    }],
    [METHODS.signal, (p) => {
      const a = parseSignalArgs(p);
      const s = loader.subcontainer(a.containerId);
      if (s === undefined) loader.signal(a.signo, a.all, a.pid, a.foreground);
      else s.signal(a.signo, a.all, a.pid, a.foreground);
      return null;
    }],
    [METHODS.execute, (p, call) => {
      const a = parseExecArgs(p);
      // An unknown id throws before the descriptors are taken: the server closes them.
      const s = loader.subcontainer(a.containerId);
      const fds = call.takeFds();
      return s === undefined ? loader.execute(a.process, fds) : s.execute(a.process, fds);
    }],
    [METHODS.waitPid, async (p) => {
      const a = parseWaitPidArgs(p);
      const s = loader.subcontainer(a.containerId);
      return { exitStatus: await (s === undefined ? loader.waitPid(a.pid) : s.waitPid(a.pid)) };
    }],
    [METHODS.createSubcontainer, (p, call) => {
      const a = parseCreateSubcontainerArgs(p);
      return loader.createSubcontainer(a, call.takeFds());
    }],
    [METHODS.startSubcontainer, (p) => {
      const id = parseContainerArgs(p, METHODS.startSubcontainer).containerId;
      const s = loader.subcontainer(id);
      if (s === undefined) throw new ProtocolError('invalid', `${id} is the sandbox's own container: use StartRoot`);
      s.start();
      return null;
    }],
    [METHODS.portForward, async (p, call) => {
      const a = parsePortForwardArgs(p);
      // Any container of the sandbox names its network (a pod's share one); an unknown one throws before the fd is taken.
      loader.subcontainer(a.containerId);
      return forwardPort(loader, a.port, call.takeFds());
    }],
    [METHODS.destroySubcontainer, async (p) => {
      await loader.destroySubcontainer(parseContainerArgs(p, METHODS.destroySubcontainer).containerId);
      return null;
    }],
  ]);
}

/** PortForward's work: the one stream socket checked, then joined to the port inside (forward.ts). */
async function forwardPort(loader: Loader, port: number, fds: number[]): Promise<null> {
  const fd = takeOneFd(fds, METHODS.portForward, 'stream socket', (d) => {
    if (!isStreamSocket(d)) return 'the descriptor it carries is not a stream socket';
    return loader.hasNetwork ? null : 'the sandbox has no network namespace of its own (it was launched without namespaces)';
  });
  const r = await portForward(fd, port);
  if (r === -ECONNREFUSED) throw new ProtocolError('invalid', `nothing listens on port ${port} in the container`);
  if (r < 0) throw new ProtocolError('internal', `${METHODS.portForward}: port ${port}: errno ${-r}`);
  return null;
}
