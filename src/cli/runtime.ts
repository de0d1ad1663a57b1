// What every OCI command gives src/container: the state root, how to run
// tsvisor itself, the global flags the sandbox's boot takes, and where the
// runtime's debug lines and warnings go (a warning, a poststart or
// poststop hook that failed, goes to stderr and to --log, as runc's
// logrus warnings do).

import type { Runtime } from '../container/container.js';
import { openStateRoot } from '../container/state.js';
import { writeStderr } from '../kernel/log.js';
import type { Globals } from './global.js';
import { nodeCommandLine } from './handover.js';

/** The OCI commands' context: the checked global flags, parsed when a command runs. */
export type GlobalsFn = () => Globals;

export function runtime(g: Globals): Runtime {
  return {
    root: openStateRoot(g.root), self: nodeCommandLine([]), bootArgs: g.bootArgs, debug: (m) => {
      g.log.debug(m);
      g.debugLog?.debug(m);
    },
    systemdCgroup: g.systemdCgroup, network: g.network,
    warn: (m) => {
      writeStderr(`tsvisor: warning: ${m}\n`);
      g.log.warn(m);
    },
  };
}
