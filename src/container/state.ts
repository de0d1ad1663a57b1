// The state directory (runc's --root, /run/runc; runsc's --root): one
// directory per container, mode 0700, holding the runtime's own record of
// it (state.json, runc's file of the same name, in a format of tsvisor's
// own) and the sandbox's control socket (control.sock, src/control/).
//
// Only host-side commands write state.json (atomically: a temporary file
// renamed over it); the sandbox never does, and is never asked for the
// pid: what a command kills or reports as the container's pid comes only
// from this file, never from a process that runs untrusted code. Whether
// the sandbox still lives is read from the host (kill(pid, 0), then
// /proc/PID/stat's start time, as runc checks against pid reuse).
//
// The directory is the owner's (0700), but its files are read as
// untrusted all the same: state.json is opened without following a
// symlink (one to /etc/passwd had its first bytes printed in the error)
// and without waiting on a FIFO, must be a regular file of at most
// MAX_STATE_BYTES (a 3 GB one took 23 s to fail), and an error never
// quotes its text. A damaged state is a DamagedState, which delete
// --force still removes (oci.ts: the sandbox is then found from the host's
// process table, sandbox.ts's killSandboxesOf, not from the file).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerError, exists, notExist } from './errors.js';
import { validateContainerId } from './id.js';
import { CONTROL_SOCKET_NAME } from '../control/protocol.js';
import { parseHooks } from './hooks.js';
import type { Hooks } from './hooks.js';

/** runc's container states ("paused": tsvisor pause, src/kernel/freeze.ts). */
export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';
export const STATUSES: readonly Status[] = ['creating', 'created', 'running', 'paused', 'stopped'];

/** A host process, named so that a reused pid is not taken for it. */
export interface ProcessRef {
  pid: number;
  /** /proc/PID/stat's starttime (clock ticks since boot), as a string. */
  startTime: string;
}

/** state.json. */
export interface StoredState {
  /** This file's own format. */
  version: 1;
  id: string;
  ociVersion: string;
  bundle: string;
  rootfs: string;
  annotations: Record<string, string>;
  /** RFC 3339, UTC. */
  created: string;
  /** What the last command that changed it left: creating, created, running (stopped is seen, not stored). */
  status: Status;
  /** uid of the container's owner (who created it). */
  owner: number;
  /** The sandbox process: the container's pid (null before it is started). */
  sandbox: ProcessRef | null;
  /** The `create` (or `run`) that is making it, while status is creating. */
  creator: ProcessRef | null;
  /**
   * The config's hooks as create read them (start runs poststart, delete
   * poststop: config.json may have changed since, and must not count).
   * Absent in a file written before hooks were kept: none.
   */
  hooks?: Hooks;
  /** The sandbox's host cgroup, a directory below /sys/fs/cgroup (src/container/cgroup.ts): delete removes it. Absent: none was made. */
  cgroup?: string;
  /**
   * The pid the hooks' state gives (the Sentry's process, in the
   * container's namespaces: container.ts's createSteps), found at create
   * when there are hooks; only ever given to hooks, never signalled.
   */
  hookPid?: number;
  /**
   * A sub-container: the id of the pod's sandbox container whose Sentry
   * runs it (its control socket is that container's); `sandbox` is then
   * the carrier process that holds its exit status. Absent: a sandbox of
   * its own.
   */
  sandboxId?: string;
}

export const STATE_FILE = 'state.json';
/** The largest state.json read: its hooks are the config's (bundle.ts's MAX_CONFIG_BYTES), and a little more. */
export const MAX_STATE_BYTES = 5 << 20;

/** A state.json that cannot be believed (garbage, not a regular file, too large): only delete --force gets past it. */
export class DamagedState extends ContainerError {}

/** The default --root: runc's /run/runc is /run/tsvisor; rootless, $XDG_RUNTIME_DIR/tsvisor as runc does. */
export function defaultStateRoot(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  if ((process.geteuid?.() ?? 0) !== 0 && xdg !== undefined && xdg !== '') return path.join(xdg, 'tsvisor');
  return '/run/tsvisor';
}

/** The process's start time, or null if it is gone (or a zombie: it has ended, only its status is left). */
export function startTimeOf(pid: number): string | null {
  let s: string;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  if (state === 'Z' || state === 'X') return null;
  return rest[19] ?? null;
}

export function processRef(pid: number): ProcessRef {
  const startTime = startTimeOf(pid);
  if (startTime === null) throw new ContainerError(`process ${pid} ended before it could be recorded`);
  return { pid, startTime };
}

/** Whether the process still runs: it exists (kill 0), has not ended (no zombie) and is the one recorded (start time). */
export function isAlive(p: ProcessRef): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (e) {
    // EPERM: a process of another user has the pid; the start time decides.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return startTimeOf(p.pid) === p.startTime;
}

/** The --root directory: made (0700) if absent; it must be a real directory of the caller's. */
export function openStateRoot(root: string): string {
  const abs = path.resolve(root);
  try {
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ContainerError(`cannot make the state directory --root ${abs}: ${(e as Error).message}`);
  }
  const st = fs.lstatSync(abs);
  if (!st.isDirectory()) throw new ContainerError(`--root ${abs} is not a directory`);
  const uid = process.geteuid?.() ?? 0;
  if (st.uid !== uid) throw new ContainerError(`--root ${abs} belongs to uid ${st.uid}, not to you (uid ${uid}): give a --root of your own`);
  return abs;
}

function isContainerId(id: string): boolean {
  try {
    validateContainerId(id);
    return true;
  } catch {
    return false;
  }
}

/** One container's directory under the state root. */
export class StateDir {
  readonly dir: string;

  constructor(readonly root: string, readonly id: string) {
    validateContainerId(id);
    this.dir = path.join(root, id);
  }

  get socketPath(): string {
    return path.join(this.dir, CONTROL_SOCKET_NAME);
  }

  /** Makes the directory, 0700; "container with id exists: ID" if it is there. */
  make(): void {
    try {
      fs.mkdirSync(this.dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(this.id);
      throw new ContainerError(`cannot make the container's state directory ${this.dir}: ${(e as Error).message}`);
    }
    // The umask may have taken bits away; never more than the owner's.
    fs.chmodSync(this.dir, 0o700);
  }

  exists(): boolean {
    try {
      return fs.lstatSync(this.dir).isDirectory();
    } catch {
      return false;
    }
  }

  /** Writes state.json atomically: a temporary file in the directory, renamed over it. */
  save(state: StoredState): void {
    writeAtomic(path.join(this.dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }

  /** Reads state.json; "container does not exist" when the directory or the file is absent, DamagedState when it cannot be believed. */
  load(): StoredState {
    const bad = damaged(this.id);
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.dir, STATE_FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notExist();
      if (code === 'ELOOP') throw bad(`${STATE_FILE} is a symbolic link`);
      throw bad(`cannot open ${STATE_FILE}: ${code ?? (e as Error).message}`);
    }
    let text: string;
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw bad(`${STATE_FILE} is not a regular file`);
      if (st.size > MAX_STATE_BYTES) throw bad(`${STATE_FILE} is ${st.size} bytes, more than ${MAX_STATE_BYTES}`);
      text = fs.readFileSync(fd, 'utf8');
    } catch (e) {
      if (e instanceof ContainerError) throw e;
      throw bad(`cannot read ${STATE_FILE}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
    return parseState(text, this.id);
  }

  /** Removes the directory and everything in it (the control socket, state.json). */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The ids of the containers under root: its directories with a valid id, sorted. */
export function listIds(root: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ContainerError(`cannot list --root ${root}: ${(e as Error).message}`);
  }
  const ids: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    try {
      validateContainerId(e.name);
      ids.push(e.name);
    } catch {
      // Not a container's directory.
    }
  }
  return ids.sort();
}

/**
 * Writes text to file atomically, with mode: the file is complete or
 * absent, whatever moment the writer is killed at (a temporary file in the
 * same directory, then rename(2), which replaces the target in one step).
 */
export function writeAtomic(file: string, text: string, mode: number): void {
  // A ContainerError naming the file (--pid-file in a directory that does not exist was an internal error).
  const fail = (e: unknown) => new ContainerError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, mode);
  } catch (e) {
    throw fail(e);
  }
  try {
    try {
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fail(e);
  }
}

/**
 * Writes pid to the --pid-file file (atomically, 0644, as runc's
 * createPidFile); a file that cannot be written is a ContainerError
 * naming it, so the caller can undo what it started.
 */
export function writePidFile(file: string, pid: number): void {
  const abs = path.resolve(file);
  try {
    writeAtomic(abs, String(pid), 0o644);
  } catch (e) {
    throw new ContainerError(`--pid-file ${file}: cannot write it: ${(e as Error).message}`);
  }
}

function damaged(id: string): (why: string) => DamagedState {
  return (why) => new DamagedState(`the state of container ${id} is damaged (${why}): delete it with tsvisor delete --force ${id}`);
}

function parseState(text: string, id: string): StoredState {
  const bad = damaged(id);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text.
    throw bad(`${STATE_FILE} is not JSON`);
  }
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const o = v as Record<string, unknown>;
  const ref = (x: unknown, name: string): ProcessRef | null => {
    if (x === null) return null;
    const r = x as Record<string, unknown>;
    if (typeof r !== 'object' || !Number.isInteger(r.pid) || (r.pid as number) <= 0 || typeof r.startTime !== 'string') throw bad(`${name} is not a process`);
    return { pid: r.pid as number, startTime: r.startTime };
  };
  if (o.version !== 1) throw bad(`format version ${String(o.version)}, this tsvisor reads 1`);
  if (o.id !== id) throw bad(`it names container ${String(o.id)}`);
  for (const k of ['ociVersion', 'bundle', 'rootfs', 'created'] as const) if (typeof o[k] !== 'string') throw bad(`${k} is not a string`);
  if (!STATUSES.includes(o.status as Status)) throw bad(`status ${String(o.status)}`);
  if (!Number.isInteger(o.owner)) throw bad('owner is not a uid');
  const annotations = o.annotations as Record<string, unknown>;
  if (typeof annotations !== 'object' || annotations === null || Object.values(annotations).some((a) => typeof a !== 'string')) throw bad('annotations');
  // delete removes this directory: it must be a cgroup's, by an absolute path with nothing to climb out by.
  const cgroup = o.cgroup;
  if (cgroup !== undefined && (typeof cgroup !== 'string' || !cgroup.startsWith('/') || cgroup !== path.posix.normalize(cgroup) || cgroup.split('/').length < 3)) {
    throw bad('cgroup is not a cgroup directory');
  }
  const hookPid = o.hookPid;
  if (hookPid !== undefined && (!Number.isInteger(hookPid) || (hookPid as number) <= 0)) throw bad('hookPid is not a pid');
  // Names a sibling directory: a container id, never a path.
  const sandboxId = o.sandboxId;
  if (sandboxId !== undefined && (typeof sandboxId !== 'string' || !isContainerId(sandboxId) || sandboxId === id)) throw bad('sandboxId is not another container\'s id');
  return {
    version: 1, id, ociVersion: o.ociVersion as string, bundle: o.bundle as string, rootfs: o.rootfs as string,
    annotations: annotations as Record<string, string>, created: o.created as string, status: o.status as Status,
    owner: o.owner as number, sandbox: ref(o.sandbox, 'sandbox'), creator: ref(o.creator, 'creator'),
    hooks: parseStoredHooks(o.hooks, bad), ...(cgroup !== undefined ? { cgroup } : {}),
    ...(hookPid !== undefined ? { hookPid: hookPid as number } : {}),
    ...(sandboxId !== undefined ? { sandboxId } : {}),
  };
}

function parseStoredHooks(v: unknown, bad: (why: string) => ContainerError): Hooks {
  try {
    return parseHooks(v, 'state.json');
  } catch (e) {
    throw bad((e as Error).message);
  }
}
