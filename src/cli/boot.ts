// `tsvisor boot` (runsc's hidden `boot` command): what the sandbox process
// runs once the launcher has made its namespaces. Only `create` and `run`
// start it (src/container/sandbox.ts), with a socket at --sync-fd: the
// container's description comes in on it, one JSON line; with
// namespacesStep, {"namespaces":true} goes back and {"continue":true} (with
// the createContainer and startContainer hooks, if any) comes in once
// create's prestart and createRuntime hooks have run; then one line goes
// back, {"created":true} once the Loader holds the init loaded and the
// Sentry is sealed, or {"error":...} saying why not; then it is closed. The
// process then lives until the container's init has ended and exits with
// its status (128 + N for a death by signal N, as `do`).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Loader, parseContainerSpec } from '../boot/loader.js';
import { BootError } from '../boot/sandbox.js';
import type { RootOverlay } from '../boot/sandbox.js';
import type { Launched } from '../boot/launch.js';
import type { Logger } from '../kernel/log.js';
import { native } from '../native.js';
import { validateContainerId } from '../container/id.js';
import { parseSandboxHooks, runCreateContainerHooks } from '../container/hooks.js';

const MAX_SPEC_BYTES = 8 << 20;
const POLLIN = 1;

/** One line from fd (blocking reads; the socket is the sandbox's own end). */
function readLine(fd: number): string {
  const parts: Buffer[] = [];
  let size = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        native.poll1(fd, POLLIN, 1000);
        continue;
      }
      throw new BootError(`cannot read the container's description: ${(e as Error).message}`, 125);
    }
    if (n === 0) throw new BootError('create closed the start socket before it sent the container', 125);
    const nl = buf.subarray(0, n).indexOf(10);
    parts.push(Buffer.from(buf.subarray(0, nl >= 0 ? nl : n)));
    size += n;
    if (nl >= 0) return Buffer.concat(parts).toString('utf8');
    if (size > MAX_SPEC_BYTES) throw new BootError(`the container's description is larger than ${MAX_SPEC_BYTES} bytes`, 125);
  }
}

function reply(fd: number, msg: object): boolean {
  try {
    fs.writeSync(fd, `${JSON.stringify(msg)}\n`);
    return true;
  } catch {
    return false;
  } finally {
    native.close(fd);
  }
}

export interface BootOptions {
  id: string;
  syncFd: number;
  stateRoot: string;
  launched: Launched | null;
  log: Logger;
  /** --overlay2 before the command: the root's overlay medium. */
  overlay: RootOverlay;
  /** --strace before the command: every system call to the log. */
  strace: boolean;
  /** --net-raw before the command: raw and packet sockets served, CAP_NET_RAW kept. */
  netRaw: boolean;
}

/** Runs the sandbox; resolves to its exit status. */
export async function boot(o: BootOptions): Promise<number> {
  if (o.launched === null) {
    throw new BootError('boot is the sandbox process: tsvisor create and run start it through the launcher; it is not run by hand', 125);
  }
  let loader: Loader;
  try {
    validateContainerId(o.id);
    const msg = JSON.parse(readLine(o.syncFd)) as { spec?: unknown; namespacesStep?: unknown };
    const spec = parseContainerSpec(msg.spec);
    if (spec.id !== o.id) throw new BootError(`the description is of container ${spec.id}, not ${o.id}`, 125);
    let hooks = null;
    if (msg.namespacesStep === true) {
      // The namespaces exist (the launcher made them): create runs the
      // prestart and createRuntime hooks now, before the root is opened
      // (their mounts in this process's mount namespace are then in the
      // root's tree), and sends the hooks this process runs itself.
      fs.writeSync(o.syncFd, `${JSON.stringify({ namespaces: true })}\n`);
      const go = JSON.parse(readLine(o.syncFd)) as { continue?: unknown; hooks?: unknown };
      if (go.continue !== true) throw new BootError('create did not let the sandbox go on after its hooks', 125);
      hooks = parseSandboxHooks(go.hooks);
    }
    if (hooks !== null && hooks.createContainer.length > 0) await runCreateContainerHooks(hooks, spec.rootPath);
    loader = await Loader.create({
      spec, launched: o.launched, log: o.log, stateDir: path.join(o.stateRoot, o.id), overlay: o.overlay, strace: o.strace, netRaw: o.netRaw,
      ...(hooks !== null && hooks.startContainer.length > 0 ? { startHooks: { hooks: hooks.startContainer, state: hooks.state } } : {}),
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    o.log.error(`container ${o.id}: ${why}`);
    reply(o.syncFd, { error: why });
    return e instanceof BootError ? e.exitCode : 125;
  }
  // create is gone (killed while it waited): nobody will ever start this
  // container or know its pid, so the sandbox ends rather than linger.
  if (!reply(o.syncFd, { created: true })) return 125;
  return loader.run();
}
