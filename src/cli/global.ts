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

import * as path from 'node:path';
import { Logger } from '../kernel/log.js';
import type { LogFormat } from '../kernel/log.js';
import { writeStderr } from '../kernel/log.js';
import { defaultStateRoot } from '../container/state.js';
import { ContainerError } from '../container/errors.js';

export interface GlobalOptions {
  root?: string;
  log?: string;
  logFormat: string;
  debug: boolean;
  systemdCgroup: boolean;
  rootless: string;
}

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
  const root = path.resolve(o.root ?? defaultStateRoot());
  const bootArgs = ['--root', root, '--log-format', logFormat];
  if (o.log !== undefined) bootArgs.push('--log', o.log);
  if (o.debug) bootArgs.push('--debug');
  // Only this command's: the sandbox's boot keeps its stderr for the container.
  const debugLog = o.debug && o.log === undefined ? new Logger(null, { format: logFormat, debug: true, fd: 2 }) : null;
  return { root, rootGiven: o.root !== undefined, logFile: o.log ?? null, logFormat, debug: o.debug, log, debugLog, bootArgs, systemdCgroup: o.systemdCgroup };
}

/** An error of a command: to stderr (as runc prints it, after our name) and to --log. */
export function reportError(g: Globals | null, msg: string): void {
  writeStderr(`tsvisor: ${msg}\n`);
  g?.log.error(msg);
}
