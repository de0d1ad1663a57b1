// runsc's port-forward (and what `kubectl port-forward` does for a pod):
// listens on a host address for each LOCAL:REMOTE pair and hands every
// connection it accepts to the sandbox (the control socket's PortForward),
// which joins it to a new connection to REMOTE on the container's
// loopback. It prints "Forwarding from ADDR:LOCAL -> REMOTE" for each,
// as kubectl does (LOCAL 0: a free port, printed), and runs until it is
// interrupted (status 0) or the container stops (status 1).
//
// A connection whose target refuses (nothing listens on REMOTE inside) is
// closed and the reason printed; the others go on. Where it differs from
// runsc's: no --stream (a Unix socket path instead of a local port).

import * as net from 'node:net';
import type { Command } from 'commander';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import { writeStderr } from '../kernel/log.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

interface Pair {
  local: number;
  remote: number;
}

function parsePair(s: string): Pair {
  const m = /^(?:(\d{1,5}):)?(\d{1,5})$/.exec(s);
  const local = m === null ? NaN : Number(m[1] ?? m[2]), remote = m === null ? NaN : Number(m[2]);
  if (m === null || local > 65535 || remote < 1 || remote > 65535) {
    throw new ContainerError(`${s}: expected [LOCAL_PORT:]REMOTE_PORT, ports from 1 to 65535 (LOCAL 0: any free port)`);
  }
  return { local, remote };
}

/** The descriptor under a Node socket (the sandbox is handed a copy of it). */
function fdOf(s: net.Socket): number {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

export function addPortForwardCommand(program: Command, globals: GlobalsFn): void {
  program.command('port-forward')
    .description('forwards connections to local ports to ports inside a running container')
    .argument('<container-id>')
    .argument('<ports...>', '[LOCAL_PORT:]REMOTE_PORT, one or more')
    .option('--address <addr>', 'the host address to listen on', '127.0.0.1')
    .action(async (id: string, specs: string[], o: { address: string }) => {
      const pairs = specs.map(parsePair);
      if (net.isIP(o.address) === 0) throw new ContainerError(`--address ${o.address}: not an IP address`);
      const c = Container.load(runtime(globals()), id);
      const st = await c.status();
      if (st !== 'running' && st !== 'created') throw new ContainerError('container not running');
      const servers: net.Server[] = [];
      let stop = (_code: number): void => {};
      const ended = new Promise<number>((resolve) => {
        stop = (code) => {
          for (const s of servers) s.close();
          resolve(code);
        };
      });
      for (const p of pairs) {
        // Paused on connect: nothing is read here, the sandbox reads it all.
        const server = net.createServer({ pauseOnConnect: true }, (sock) => {
          const fd = fdOf(sock);
          if (fd < 0) {
            sock.destroy();
            return;
          }
          c.portForward(fd, p.remote)
            .catch((e: Error) => writeStderr(`tsvisor: port-forward: a connection to port ${p.remote}: ${e.message}\n`))
            .finally(() => sock.destroy());
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', (e) => reject(new ContainerError(`cannot listen on ${o.address}:${p.local}: ${e.message}`)));
          server.listen(p.local, o.address, () => resolve());
        });
        const addr = server.address() as net.AddressInfo;
        process.stdout.write(`Forwarding from ${o.address.includes(':') ? `[${o.address}]` : o.address}:${addr.port} -> ${p.remote}\n`);
        servers.push(server);
      }
      const onSignal = () => stop(0);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // The container's end ends the forwarding.
      const watch = setInterval(() => {
        void c.status().then((s) => {
          if (s === 'stopped') stop(1);
        });
      }, 1000);
      const code = await ended;
      clearInterval(watch);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (code !== 0) throw new ContainerError(`port-forward: container ${id} has stopped`);
    });
}
