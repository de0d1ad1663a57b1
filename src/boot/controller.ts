// containerManager (gVisor's runsc/boot controller.go, seed 001): the
// control server's methods for a sandbox's root container, bound to its
// Loader. Each checks its parameters (protocol.ts) and that they name this
// sandbox's container before the Loader acts.

import {
  METHODS, ProtocolError, parseContainerArgs, parseExecArgs, parseOomArgs, parseSignalArgs, parseUpdateArgs, parseWaitPidArgs,
} from '../control/protocol.js';
import type { Handler } from '../control/server.js';
import type { Loader } from './loader.js';

export function containerManager(loader: Loader): Map<string, Handler> {
  const mine = (id: string) => {
    if (id !== loader.spec.id) throw new ProtocolError('no-such-container', `this sandbox runs container ${loader.spec.id}, not ${id}`);
  };
  const plain = (method: string, act: () => unknown): Handler => (p) => {
    mine(parseContainerArgs(p, method).containerId);
    return act();
  };
  return new Map<string, Handler>([
    [METHODS.startRoot, plain(METHODS.startRoot, () => loader.startRoot())],
    [METHODS.state, plain(METHODS.state, () => loader.state())],
    [METHODS.processes, plain(METHODS.processes, () => loader.processes())],
    [METHODS.wait, plain(METHODS.wait, async () => ({ exitStatus: await loader.wait() }))],
    [METHODS.pause, plain(METHODS.pause, () => loader.pause())],
    [METHODS.resume, plain(METHODS.resume, () => loader.resume())],
    [METHODS.usage, plain(METHODS.usage, () => loader.usage())],
    [METHODS.update, (p) => {
      const a = parseUpdateArgs(p);
      mine(a.containerId);
      loader.update(a);
      return null;
    }],
    [METHODS.waitOom, (p) => {
      const a = parseOomArgs(p);
      mine(a.containerId);
      return loader.waitOom(a.seen);
    }],
    [METHODS.signal, (p) => {
      const a = parseSignalArgs(p);
      mine(a.containerId);
      loader.signal(a.signo, a.all, a.pid, a.foreground);
      return null;
    }],
    [METHODS.execute, (p, call) => {
      const a = parseExecArgs(p);
      mine(a.containerId);
      return loader.execute(a.process, call.takeFds());
    }],
    [METHODS.waitPid, async (p) => {
      const a = parseWaitPidArgs(p);
      mine(a.containerId);
      return { exitStatus: await loader.waitPid(a.pid) };
    }],
  ]);
}
