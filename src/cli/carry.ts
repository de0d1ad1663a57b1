// `tsvisor carry` (hidden): the carrier of a sub-container (src/container/
// pod.ts), the host process that stands for its init, as runsc's does for
// a container in a pod's sandbox. Its create starts it in a session of its
// own; it asks the sandbox to Wait for the container and exits with the
// init's status (the code, or 128 + N for a death by signal N), so that
// the caller's subreaper (containerd's shim, conmon) reaps it with that
// status. The signals a process sends it (TERM, INT, HUP, QUIT, USR1,
// USR2) go on to the init, as the launcher forwards them for a sandbox.
// With a terminal, the console's replica is its stdin and its controlling
// terminal, so a resize of the console reaches it and goes on to the
// container's console (its foreground group). When the sandbox ends, or
// cannot be asked, the container ended with it: 137, as SIGKILL.

import type { Command } from 'commander';
import { constants as osConstants } from 'node:os';
import { Container } from '../container/container.js';
import { native } from '../native.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export function addCarryCommand(program: Command, globals: GlobalsFn, setStatus: (n: number) => void): void {
  program.command('carry', { hidden: true })
    .description('internal: the carrier process of a container in a pod\'s sandbox (started by create; not run by hand)')
    .requiredOption('--init-pid <pid>', 'the container init\'s pid in the sandbox')
    .option('--terminal', 'stdin is the console\'s replica: take it as the controlling terminal', false)
    .argument('<container-id>')
    .action(async (id: string, o: { initPid: string; terminal: boolean }) => {
      const rt = runtime(globals());
      const initPid = Number(o.initPid);
      const c = Container.load(rt, id);
      const forward = (sig: NodeJS.Signals) => {
        void c.signal(osConstants.signals[sig], false).catch(() => {});
      };
      const resize = () => {
        void c.signalProcess(initPid, osConstants.signals.SIGWINCH, true).catch(() => {});
      };
      for (const s of FORWARDED) process.on(s, forward);
      if (o.terminal && Number.isInteger(initPid) && initPid > 0 && native.takeTerminal(0) === 0) process.on('SIGWINCH', resize);
      let status = 128 + osConstants.signals.SIGKILL;
      try {
        status = await c.wait();
      } catch (e) {
        rt.debug(`carry: container ${id}: the sandbox cannot be asked (${(e as Error).message}): it ended with it`);
      }
      for (const s of FORWARDED) process.off(s, forward);
      process.off('SIGWINCH', resize);
      rt.debug(`carry: container ${id}: exit status ${status}`);
      setStatus(status);
    });
}
