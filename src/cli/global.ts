// The global flags, before the command, as runc takes them (main.go):
// --root (the state directory), --log and --log-format (where the
// runtime's own messages go, text or json lines), --debug (debug lines in
// --log, or on stderr without one, as runc's), --systemd-cgroup
// and --rootless. --systemd-cgroup says how linux.cgroupsPath names the
// host cgroup (src/container/cgroup.ts: systemd's slice:prefix:name);
// --rootless (whether cgroup permission errors are ignored) changes
// nothing, since a host cgroup that cannot be had is skipped unless the
// spec needs it, and is accepted for callers that always pass it; a
// --rootless value other than runc's true, false or auto is refused.
//
// tsvisor's own, as runsc's: --platform (ptrace, the only one), --network
// (host: the namespace the spec gives, served through host sockets; none:
// a new empty one whatever the spec says; runsc's default "sandbox", a
// user-space stack, is refused until there is one), --overlay2 (the root's
// overlay medium: overlay_flag.ts), --net-raw (raw and packet sockets for
// a process with CAP_NET_RAW; without it, the default, CAP_NET_RAW is
// removed from every container process's capability sets, as runsc's),
// --strace (every system call traced to
// the sandbox's log from the start: it needs --log or --debug-log, since
// the container's stderr is its own) and --debug-log FILE (the sandbox's
// log, with its debug lines, in the Sentry's format, instead of --log).
// They shape the sandboxes create and run make; the other commands take
// them and they change nothing there, as runsc's. `do` takes its own
// after the command, and refuses these before it.

import * as path from 'node:path';
import { Logger } from '../kernel/log.js';
import type { LogFormat } from '../kernel/log.js';
import { writeStderr } from '../kernel/log.js';
import { defaultStateRoot } from '../container/state.js';
import { ContainerError } from '../container/errors.js';
import { BootError } from '../boot/sandbox.js';
import type { RootOverlay } from '../boot/sandbox.js';
import { parseOverlay } from './overlay_flag.js';

export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat: string;
  debug: boolean;
  systemdCgroup: boolean;
  rootless: string;
  platform: string;
  network: string;
  overlay2: string;
  strace: boolean;
  netRaw: boolean;
  debugLog?: string;
}

/** tsvisor's own global flags' defaults: a flag given with another value is one `do` refuses before it. */
export const SANDBOX_FLAG_DEFAULTS = { platform: 'ptrace', network: 'host', overlay2: 'root:memory', strace: false, netRaw: false } as const;

export const LOG_FORMATS = ['text', 'json'] as const;
const ROOTLESS_VALUES = ['true', 'false', 'auto'];

/** The global flags, checked; throws ContainerError naming a bad one. */
export interface Globals {
  /** The state root, as given or the default, absolute. */
  root: string;
  /** Whether --root was given (do refuses it: do keeps no state). */
  rootGiven: boolean;
  logFile: string | null;
  logFormat: 'text' | 'json';
  debug: boolean;
  /** Where the runtime's messages go: --log in its format; errors also to stderr. */
  log: Logger;
  /** --debug without --log: the runtime's debug lines on stderr as well, as runc's (its --log defaults to /dev/stderr). */
  debugLog: Logger | null;
  /** The same flags again, for the sandbox's `tsvisor boot`. */
  bootArgs: string[];
  /** --systemd-cgroup. */
  systemdCgroup: boolean;
  /** --network: host (the spec's namespace) or none (a new empty one). */
  network: 'host' | 'none';
  /** --overlay2, parsed. */
  overlay: RootOverlay;
  /** --strace: every system call to the sandbox's log. */
  strace: boolean;
  /** --net-raw: raw and packet sockets for processes with CAP_NET_RAW; without it none has CAP_NET_RAW. */
  netRaw: boolean;
  /** --debug-log, absolute; null without. */
  debugLogFile: string | null;
  /** The tsvisor flags given before the command (do refuses them there). */
  sandboxFlags: string[];
}

export function parseGlobals(o: GlobalOptions): Globals {
  if (!(LOG_FORMATS as readonly string[]).includes(o.logFormat)) {
    throw new ContainerError(`--log-format ${o.logFormat}: expected text or json`);
  }
  if (!ROOTLESS_VALUES.includes(o.rootless)) throw new ContainerError(`--rootless ${o.rootless}: expected true, false or auto`);
  const logFormat = o.logFormat as 'text' | 'json';
  let log: Logger;
  try {
    log = new Logger(o.log ?? null, { format: logFormat as LogFormat, debug: o.debug });
  } catch (e) {
    throw new ContainerError(`--log ${o.log ?? ''}: ${(e as Error).message}`);
  }
  const sandboxFlags: string[] = [];
  if (o.platform !== SANDBOX_FLAG_DEFAULTS.platform) {
    throw new ContainerError(`--platform ${o.platform}: tsvisor has the ptrace platform only`);
  }
  if (o.network !== 'host' && o.network !== 'none') {
    throw new ContainerError(o.network === 'sandbox'
      ? '--network sandbox: tsvisor has no user-space network stack yet; host serves the container\'s network namespace through host sockets, none gives it an empty one'
      : `--network ${o.network}: expected host or none`);
  }
  let overlay: RootOverlay;
  try {
    overlay = parseOverlay(o.overlay2);
  } catch (e) {
    if (e instanceof BootError) throw new ContainerError(e.message);
    throw e;
  }
  const debugLogFile = o.debugLog === undefined ? null : path.resolve(o.debugLog);
  if (o.strace && o.log === undefined && debugLogFile === null) {
    throw new ContainerError('--strace needs --log or --debug-log: the trace goes to the sandbox\'s log, since the container\'s stderr is its own');
  }
  for (const [k, flag] of [['network', '--network'], ['overlay2', '--overlay2'], ['strace', '--strace'], ['netRaw', '--net-raw']] as const) {
    if (o[k] !== SANDBOX_FLAG_DEFAULTS[k]) sandboxFlags.push(flag);
  }
  if (debugLogFile !== null) sandboxFlags.push('--debug-log');
  const root = path.resolve(o.root ?? defaultStateRoot());
  const bootArgs = ['--root', root, '--log-format', logFormat];
  if (o.log !== undefined) bootArgs.push('--log', o.log);
  if (o.debug) bootArgs.push('--debug');
  // What the sandbox itself needs: the root's overlay, the trace, its log (the network is the launcher's, before boot).
  if (o.overlay2 !== SANDBOX_FLAG_DEFAULTS.overlay2) bootArgs.push('--overlay2', o.overlay2);
  if (o.strace) bootArgs.push('--strace');
  if (o.netRaw) bootArgs.push('--net-raw');
  if (debugLogFile !== null) bootArgs.push('--debug-log', debugLogFile);
  // Only this command's: the sandbox's boot keeps its stderr for the container.
  const debugLog = o.debug && o.log === undefined ? new Logger(null, { format: logFormat, debug: true, fd: 2 }) : null;
  return {
    root, rootGiven: o.root !== undefined, logFile: o.log ?? null, logFormat, debug: o.debug, log, debugLog, bootArgs, systemdCgroup: o.systemdCgroup,
    network: o.network, overlay, strace: o.strace, netRaw: o.netRaw, debugLogFile, sandboxFlags,
  };
}

/** An error of a command: to stderr (as runc prints it, after our name) and to --log. */
export function reportError(g: Globals | null, msg: string): void {
  writeStderr(`tsvisor: ${msg}\n`);
  g?.log.error(msg);
}
