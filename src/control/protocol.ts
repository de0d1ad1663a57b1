// The control protocol between the runtime's commands (src/container/,
// the clients) and a sandbox (server.ts): what gVisor's urpc carries for
// runsc (seed 000's Lifecycle and seed 001's containerManager methods),
// as newline-delimited JSON-RPC on a Unix stream socket.
//
//   request   {"id":N,"method":"containerManager.Signal","params":{...}}\n
//   response  {"id":N,"result":...}\n  or  {"id":N,"error":{"code":C,"message":M}}\n
//
// Every connection opens with a header: one byte, HEADER_BYTE, sent with
// sendmsg, which carries the request's files as SCM_RIGHTS (exec's stdio,
// as urpc carries FilePayload); most requests carry none. The server reads
// it with one recvmsg before it reads any line.
//
// Where it differs from urpc: JSON lines, not urpc's framing; the files go
// in the header, before the request; the method set is the root
// container's lifecycle (with runsc's Pause and Resume), exec
// (ExecuteAsync and WaitPID), its usage (runsc's Event, as Usage and the
// WaitOOM long poll) and Update, which runsc has no method for, and the
// debugging methods (debug_protocol.ts: Metrics.Export, Logging.Change,
// Profile.CPU and Profile.Heap, debug.Stacks). Both sides treat what they read as
// untrusted: every message is bounded (MAX_MESSAGE_BYTES), and every field
// is checked here before anything acts on it (parse* throw ProtocolError).

import { MAX_JSON_DEPTH, withinDepth } from '../config/bundle.js';

/** The socket's name in the container's state directory. */
export const CONTROL_SOCKET_NAME = 'control.sock';

/** containerManager's methods, named as runsc/boot names them (ContMgr*). */
export const METHODS = {
  /** Runs the root container's init, loaded and stopped since create (runsc's ContMgrRootContainerStart). */
  startRoot: 'containerManager.StartRoot',
  /** The root container's status and, once stopped, the init's exit status. */
  state: 'containerManager.State',
  /** The sandbox's processes (runsc's ContMgrProcesses, control.Processes). */
  processes: 'containerManager.Processes',
  /** A signal to the init or to every process (runsc's ContMgrSignal, DeliverToProcess / DeliverToAllProcesses). */
  signal: 'containerManager.Signal',
  /** Waits for the init to end; its exit status (runsc's ContMgrWait). */
  wait: 'containerManager.Wait',
  /** Freezes every task of the sandbox (runsc's ContMgrPause, Lifecycle Pause: Kernel.Pause). */
  pause: 'containerManager.Pause',
  /** Thaws them (runsc's ContMgrResume). */
  resume: 'containerManager.Resume',
  /** What the Sentry knows of the sandbox's use of CPU, memory and pids, and its OOM kills (runsc's ContMgrEvent, control's Usage). */
  usage: 'containerManager.Usage',
  /** Changes the limits the Sentry enforces: total memory, most tasks (runsc has no such method: tsvisor update). */
  update: 'containerManager.Update',
  /** Waits until the OOM killer has ended more processes than `seen`, or the container has stopped (tsvisor events' "oom"). */
  waitOom: 'containerManager.WaitOOM',
  /** Starts a process in the running container, its stdio the header's files (runsc's ContMgrExecuteAsync); its pid. */
  execute: 'containerManager.ExecuteAsync',
  /** Waits for a process exec started to end; its exit status (runsc's ContMgrWaitPID). */
  waitPid: 'containerManager.WaitPID',
  /**
   * Builds a sub-container in the sandbox (runsc's ContMgrCreateSubcontainer):
   * its root and mounts from the header's files, its init loaded and
   * stopped, as create leaves a root container.
   */
  createSubcontainer: 'containerManager.CreateSubcontainer',
  /** Runs a created sub-container's init (runsc's ContMgrStartSubcontainer). */
  startSubcontainer: 'containerManager.StartSubcontainer',
  /** Kills a sub-container's processes and lets go of its root (runsc's ContMgrDestroySubcontainer). */
  destroySubcontainer: 'containerManager.DestroySubcontainer',
  /**
   * Joins the header's one stream socket to a new connection to a port on
   * the sandbox's loopback, copying both ways (runsc's ContMgrPortForward).
   */
  portForward: 'containerManager.PortForward',
  /** The sandbox's metrics in Prometheus's text format (seed 000's Metrics.Export; debug_protocol.ts). */
  metricsExport: 'Metrics.Export',
  /** Changes the sandbox log's level and the system call trace (seed 000's Logging.Change). */
  loggingChange: 'Logging.Change',
  /** A CPU profile of the Sentry for a duration, written to the header's file (seed 000's Profile.CPU). */
  profileCpu: 'Profile.CPU',
  /** A heap snapshot of the Sentry, written to the header's file (seed 000's Profile.Heap). */
  profileHeap: 'Profile.Heap',
  /** Every task's state and registers, written to the header's file (runsc's debug.Stacks). */
  debugStacks: 'debug.Stacks',
} as const;

/** The first byte of every connection; the request's files ride on it. */
export const HEADER_BYTE = 0x2a;
/** The most files one request may carry (exec: stdio and --preserve-fds). */
export const MAX_REQUEST_FDS = 64;

export type Method = (typeof METHODS)[keyof typeof METHODS];
const METHOD_NAMES: ReadonlySet<string> = new Set(Object.values(METHODS));

/**
 * The long polls: a reply may take as long as a process lives. The server
 * counts a connection parked in one apart from those it is reading
 * (server.ts's MAX_WAITING), so running execs do not use up its slots.
 */
export const LONG_POLLS: ReadonlySet<string> = new Set([METHODS.wait, METHODS.waitPid, METHODS.waitOom, METHODS.profileCpu]);

/** One line may hold at most this many bytes, newline included; a longer one ends the connection. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Why a request failed: the client maps these to runc's words. */
export type ErrorCode =
  /** The request is malformed: bad JSON, an unknown method, a missing or wrong field. */
  | 'invalid'
  /** The request names another container than the sandbox's. */
  | 'no-such-container'
  /** The container is running already (StartRoot twice). */
  | 'running'
  /** The container has stopped. */
  | 'stopped'
  /** The container is paused (StartRoot of a paused one); or, for Resume, is not. */
  | 'paused'
  /** A startContainer hook failed (StartRoot): the container is stopped. */
  | 'hook'
  /** The process exec names cannot be run (a missing or non-executable file: runc's "exec: ..." words). */
  | 'exec'
  /** Too many requests at once on this connection, or connections at once. */
  | 'busy'
  | 'internal';
const ERROR_CODES: ReadonlySet<string> = new Set(['invalid', 'no-such-container', 'running', 'stopped', 'paused', 'hook', 'exec', 'busy', 'internal']);

export type ContainerStatus = 'created' | 'running' | 'paused' | 'stopped';
const CONTAINER_STATUSES: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'stopped']);

export interface Request {
  id: number;
  method: Method;
  params: Record<string, unknown>;
}

export interface ContainerArgs {
  containerId: string;
}

export interface SignalArgs extends ContainerArgs {
  /** 1 to 64; 0 is kill(2)'s check that the target is there, delivering nothing. */
  signo: number;
  /** Every process of the container, not the init alone (runc kill --all). */
  all: boolean;
  /** This process instead of the init (runsc's DeliverToProcess: exec forwards its signals so). */
  pid?: number;
  /** With pid: to the foreground process group of pid's terminal (runsc's DeliverToForegroundProcessGroup), else to pid. */
  foreground?: boolean;
}

export interface ExecArgs extends ContainerArgs {
  /** config.json's process object, whole (the runtime filled in what --process left out); the sandbox validates it. */
  process: unknown;
}

export interface ExecResult {
  /** The process's pid in the container. */
  pid: number;
}

/** A host directory or file a sub-container binds: where, and whether read-only; its descriptor rides in the header. */
export interface SubcontainerVolume {
  host: string;
  target: string;
  readOnly: boolean;
}

/**
 * CreateSubcontainer's parameters. The header's files are, in order: the
 * process's stdio (stdioCount of them: 0, 1, 2, or a terminal's replica
 * three times), the root directory, then one per volume.
 */
export interface CreateSubcontainerArgs extends ContainerArgs {
  /** The container as create read it (boot/container_spec.ts's ContainerSpec); the sandbox checks it. */
  container: unknown;
  stdioCount: number;
  volumes: SubcontainerVolume[];
}

export interface WaitPidArgs extends ContainerArgs {
  pid: number;
}

export interface StateResult {
  status: ContainerStatus;
  /** The init's exit status as a shell reports it (code, or 128 + signal), once stopped; else null. */
  exitStatus: number | null;
}

export interface WaitResult {
  exitStatus: number;
}

/**
 * What the Sentry knows of the sandbox's use (control/usage.ts), each
 * figure a non-negative integer. CPU in nanoseconds: user is the
 * programs' own time (their stub threads' user time), kernel the time
 * spent for them by a kernel: the stubs' system time (the host's, for the
 * few calls that reach it) and the Sentry's own CPU (it is the kernel
 * that serves every system call). Memory in bytes: what the memory file
 * holds for the programs, and the sandbox's total memory.
 */
export interface UsageResult {
  cpu: { user: number; kernel: number };
  memory: { usage: number; limit: number };
  pids: { current: number; limit: number };
  /** Processes the OOM killer has ended since boot. */
  oomKills: number;
}

export interface OomArgs extends ContainerArgs {
  /** OOM kills the caller knows of already. */
  seen: number;
}

export interface OomResult {
  /** OOM kills since boot. */
  oomKills: number;
  /** The container has stopped: no more will come. */
  stopped: boolean;
}

export interface UpdateArgs extends ContainerArgs {
  /** The sandbox's total memory in bytes (at least a page); absent: unchanged. */
  memoryLimit?: number;
  /** The most tasks the sandbox may hold (1 to 4194304); absent: unchanged. */
  pidsLimit?: number;
  /**
   * The CPU limits the host cgroup now enforces, for the container's
   * cgroupfs to show (Kernel.limits.cpu): cpu.max's quota in µs (-1:
   * "max") and period, cpu.weight; absent: unchanged.
   */
  cpuQuota?: number;
  cpuPeriod?: number;
  cpuWeight?: number;
}

/** One process, as runsc's control.Process has it (pids are the sandbox's own). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** The effective uid (ps's UID and USER; gVisor's EffectiveKUID). */
  uid: number;
  threads: number;
  /** A Linux state letter: R, S, T, Z... */
  state: string;
  nice: number;
  /** The controlling terminal as ps names it (pts/N), or "?". */
  tty: string;
  /** Whether it is in its terminal's foreground process group (ps's + in STAT). */
  foreground: boolean;
  /** When it started: CLOCK_REALTIME, milliseconds. */
  startTime: number;
  /** Its CPU time, user and system, in microseconds. */
  cpuUs: number;
  /** Its name (comm). */
  cmd: string;
  /** Its command line, arguments joined by spaces, cut at 512 bytes; empty when it has none (or the list's budget ran out). */
  args: string;
  /** Its environment (/proc/PID/environ), the same way (ps's BSD e shows it after the command). */
  env: string;
}

export class ProtocolError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly requestId: number | null = null) {
    super(message);
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Exactly the keys named (a key that is not is an error: an unknown field is never ignored). */
export function onlyKeys(o: Obj, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ProtocolError('invalid', `${what}: unknown field ${JSON.stringify(k.slice(0, 64))}`);
}

const ID_RE = /^[A-Za-z0-9_+.-]{1,200}$/;

export function containerId(o: Obj, what: string): string {
  const id = o.containerId;
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new ProtocolError('invalid', `${what}: containerId must be a container id`);
  return id;
}

export function int(o: Obj, key: string, min: number, max: number, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ProtocolError('invalid', `${what}: ${key} must be an integer from ${min} to ${max}`);
  return v;
}

/** A request line as the server reads it. */
export function parseRequest(line: string): Request {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError('invalid', 'not JSON');
  }
  if (!isObj(v)) throw new ProtocolError('invalid', 'a request must be an object');
  // 64 KiB holds 32,000 levels, which JSON.parse takes but recursive code after it (JSON.stringify at 5,000) would not.
  if (!withinDepth(v, MAX_JSON_DEPTH)) throw new ProtocolError('invalid', `a request may nest at most ${MAX_JSON_DEPTH} levels`);
  const id = typeof v.id === 'number' && Number.isSafeInteger(v.id) && v.id >= 0 ? v.id : null;
  if (id === null) throw new ProtocolError('invalid', 'id must be a non-negative integer');
  try {
    onlyKeys(v, ['id', 'method', 'params'], 'request');
    if (typeof v.method !== 'string' || !METHOD_NAMES.has(v.method)) {
      throw new ProtocolError('invalid', `unknown method ${JSON.stringify(String(v.method).slice(0, 64))}`);
    }
    const params = v.params === undefined ? {} : v.params;
    if (!isObj(params)) throw new ProtocolError('invalid', 'params must be an object');
    return { id, method: v.method as Method, params };
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError(e.code, e.message, id);
    throw e;
  }
}

export function parseContainerArgs(p: Obj, method: string): ContainerArgs {
  onlyKeys(p, ['containerId'], method);
  return { containerId: containerId(p, method) };
}

export function parseSignalArgs(p: Obj): SignalArgs {
  const what = METHODS.signal;
  onlyKeys(p, ['containerId', 'signo', 'all', 'pid', 'foreground'], what);
  // Absent is false; null is not absent (a field is its type or missing).
  const all = p.all === undefined ? false : p.all, foreground = p.foreground === undefined ? false : p.foreground;
  if (typeof all !== 'boolean') throw new ProtocolError('invalid', `${what}: all must be a boolean`);
  if (typeof foreground !== 'boolean') throw new ProtocolError('invalid', `${what}: foreground must be a boolean`);
  const a: SignalArgs = { containerId: containerId(p, what), signo: int(p, 'signo', 0, 64, what), all };
  if (p.pid !== undefined) {
    if (all) throw new ProtocolError('invalid', `${what}: pid and all exclude each other`);
    a.pid = int(p, 'pid', 1, 4194304, what);
    a.foreground = foreground;
  } else if (foreground) {
    throw new ProtocolError('invalid', `${what}: foreground needs a pid`);
  }
  return a;
}

export function parseExecArgs(p: Obj): ExecArgs {
  const what = METHODS.execute;
  onlyKeys(p, ['containerId', 'process'], what);
  if (!isObj(p.process)) throw new ProtocolError('invalid', `${what}: process must be an object`);
  return { containerId: containerId(p, what), process: p.process };
}

export function parseExecResult(r: unknown): ExecResult {
  if (!isObj(r) || typeof r.pid !== 'number' || !Number.isInteger(r.pid) || r.pid < 1 || r.pid > 4194304) {
    throw new ProtocolError('internal', 'the sandbox sent a bad pid');
  }
  return { pid: r.pid };
}

const PATH_MAX = 4096;

export function parseCreateSubcontainerArgs(p: Obj): CreateSubcontainerArgs {
  const what = METHODS.createSubcontainer;
  onlyKeys(p, ['containerId', 'container', 'stdioCount', 'volumes'], what);
  if (!isObj(p.container)) throw new ProtocolError('invalid', `${what}: container must be an object`);
  const stdioCount = int(p, 'stdioCount', 0, 3, what);
  if (!Array.isArray(p.volumes) || p.volumes.length > MAX_REQUEST_FDS - 4) throw new ProtocolError('invalid', `${what}: volumes must be an array of at most ${MAX_REQUEST_FDS - 4}`);
  const absolute = (v: unknown) => typeof v === 'string' && v.startsWith('/') && v.length <= PATH_MAX && !v.includes('\0');
  const volumes = p.volumes.map((v: unknown, i: number) => {
    if (!isObj(v)) throw new ProtocolError('invalid', `${what}: volumes[${i}] must be an object`);
    onlyKeys(v, ['host', 'target', 'readOnly'], `${what}: volumes[${i}]`);
    if (!absolute(v.host) || !absolute(v.target) || typeof v.readOnly !== 'boolean') {
      throw new ProtocolError('invalid', `${what}: volumes[${i}] needs absolute host and target paths and a boolean readOnly`);
    }
    return { host: v.host as string, target: v.target as string, readOnly: v.readOnly };
  });
  return { containerId: containerId(p, what), container: p.container, stdioCount, volumes };
}

export function parseWaitPidArgs(p: Obj): WaitPidArgs {
  const what = METHODS.waitPid;
  onlyKeys(p, ['containerId', 'pid'], what);
  return { containerId: containerId(p, what), pid: int(p, 'pid', 1, 4194304, what) };
}

export function parseOomArgs(p: Obj): OomArgs {
  const what = METHODS.waitOom;
  onlyKeys(p, ['containerId', 'seen'], what);
  return { containerId: containerId(p, what), seen: int(p, 'seen', 0, Number.MAX_SAFE_INTEGER, what) };
}

export function parseOomResult(r: unknown): OomResult {
  if (!isObj(r) || typeof r.oomKills !== 'number' || !Number.isSafeInteger(r.oomKills) || r.oomKills < 0 || typeof r.stopped !== 'boolean') {
    throw new ProtocolError('internal', 'the sandbox sent a bad OOM count');
  }
  return { oomKills: r.oomKills, stopped: r.stopped };
}

export interface PortForwardArgs extends ContainerArgs {
  /** The TCP port inside (1 to 65535). */
  port: number;
}

export function parsePortForwardArgs(p: Obj): PortForwardArgs {
  const what = METHODS.portForward;
  onlyKeys(p, ['containerId', 'port'], what);
  return { containerId: containerId(p, what), port: int(p, 'port', 1, 65535, what) };
}

export function parseUpdateArgs(p: Obj): UpdateArgs {
  const what = METHODS.update;
  onlyKeys(p, ['containerId', 'memoryLimit', 'pidsLimit', 'cpuQuota', 'cpuPeriod', 'cpuWeight'], what);
  const a: UpdateArgs = { containerId: containerId(p, what) };
  if (p.memoryLimit !== undefined) a.memoryLimit = int(p, 'memoryLimit', 4096, Number.MAX_SAFE_INTEGER, what);
  if (p.pidsLimit !== undefined) a.pidsLimit = int(p, 'pidsLimit', 1, 4194304, what);
  if (p.cpuQuota !== undefined) a.cpuQuota = int(p, 'cpuQuota', -1, Number.MAX_SAFE_INTEGER, what);
  if (p.cpuPeriod !== undefined) a.cpuPeriod = int(p, 'cpuPeriod', 1, Number.MAX_SAFE_INTEGER, what);
  if (p.cpuWeight !== undefined) a.cpuWeight = int(p, 'cpuWeight', 1, 10000, what);
  return a;
}

/** A response line as the client reads it: the result, or a ProtocolError with the server's code and message. */
export function parseResponse(line: string, wantId: number): unknown {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError('internal', 'the sandbox sent a reply that is not JSON');
  }
  // id null: the server refused the connection or a line it could not read as a request (busy, a line too long).
  if (!isObj(v) || (v.id !== wantId && !(v.id === null && v.error !== undefined))) throw new ProtocolError('internal', 'the sandbox sent a reply to another request');
  if (v.error !== undefined) {
    const e = v.error;
    const code = isObj(e) && typeof e.code === 'string' && ERROR_CODES.has(e.code) ? e.code as ErrorCode : 'internal';
    const msg = isObj(e) && typeof e.message === 'string' ? e.message.slice(0, 1024) : 'an error without a message';
    throw new ProtocolError(code, msg);
  }
  return v.result;
}

export function parseStateResult(r: unknown): StateResult {
  if (!isObj(r) || typeof r.status !== 'string' || !CONTAINER_STATUSES.has(r.status)) throw new ProtocolError('internal', 'the sandbox sent a bad state');
  const es = r.exitStatus;
  if (es !== null && (typeof es !== 'number' || !Number.isInteger(es) || es < 0 || es > 255)) throw new ProtocolError('internal', 'the sandbox sent a bad exit status');
  return { status: r.status as ContainerStatus, exitStatus: es };
}

export function parseWaitResult(r: unknown): WaitResult {
  if (!isObj(r) || typeof r.exitStatus !== 'number' || !Number.isInteger(r.exitStatus) || r.exitStatus < 0 || r.exitStatus > 255) {
    throw new ProtocolError('internal', 'the sandbox sent a bad exit status');
  }
  return { exitStatus: r.exitStatus };
}

export function parseUsageResult(r: unknown): UsageResult {
  const bad = () => new ProtocolError('internal', 'the sandbox sent a bad usage');
  if (!isObj(r)) throw bad();
  const part = (k: string, keys: readonly string[]): Record<string, number> => {
    const o = r[k];
    if (!isObj(o)) throw bad();
    const out: Record<string, number> = {};
    for (const f of keys) {
      const v = o[f];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad();
      out[f] = v;
    }
    return out;
  };
  const cpu = part('cpu', ['user', 'kernel']);
  const memory = part('memory', ['usage', 'limit']);
  const pids = part('pids', ['current', 'limit']);
  if (typeof r.oomKills !== 'number' || !Number.isSafeInteger(r.oomKills) || r.oomKills < 0) throw bad();
  return {
    cpu: { user: cpu.user, kernel: cpu.kernel }, memory: { usage: memory.usage, limit: memory.limit },
    pids: { current: pids.current, limit: pids.limit }, oomKills: r.oomKills,
  };
}

export function parseProcesses(r: unknown): ProcessInfo[] {
  if (!Array.isArray(r) || r.length > 4096) throw new ProtocolError('internal', 'the sandbox sent a bad process list');
  return r.map((p: unknown) => {
    if (!isObj(p)) throw new ProtocolError('internal', 'the sandbox sent a bad process');
    const n = (k: string) => int(p, k, 0, 2 ** 31 - 1, 'process');
    const str = (k: string, max: number) => {
      const v = p[k];
      if (typeof v !== 'string') throw new ProtocolError('internal', 'the sandbox sent a bad process');
      return v.slice(0, max);
    };
    if (typeof p.foreground !== 'boolean') throw new ProtocolError('internal', 'the sandbox sent a bad process');
    return {
      pid: n('pid'), ppid: n('ppid'), pgid: n('pgid'), sid: n('sid'), uid: n('uid'), threads: n('threads'), state: str('state', 1),
      nice: int(p, 'nice', -20, 19, 'process'), tty: str('tty', 32), foreground: p.foreground,
      startTime: int(p, 'startTime', 0, Number.MAX_SAFE_INTEGER, 'process'), cpuUs: int(p, 'cpuUs', 0, Number.MAX_SAFE_INTEGER, 'process'),
      cmd: str('cmd', 64), args: str('args', 512), env: str('env', 512),
    };
  });
}

/**
 * Splits a byte stream into lines of at most MAX_MESSAGE_BYTES. push
 * returns the complete lines so far; it throws ProtocolError('invalid')
 * once a line grows past the bound (the connection must then end).
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      if (this.size + nl - from + 1 > MAX_MESSAGE_BYTES) throw new ProtocolError('invalid', `a message longer than ${MAX_MESSAGE_BYTES} bytes`);
      this.parts.push(chunk.subarray(from, nl));
      lines.push(Buffer.concat(this.parts).toString('utf8'));
      this.parts = [];
      this.size = 0;
      from = nl + 1;
    }
    if (from < chunk.length) {
      this.size += chunk.length - from;
      if (this.size > MAX_MESSAGE_BYTES) throw new ProtocolError('invalid', `a message longer than ${MAX_MESSAGE_BYTES} bytes`);
      this.parts.push(Buffer.from(chunk.subarray(from)));
    }
    return lines;
  }
}

export function encodeLine(msg: unknown): string {
  return `${JSON.stringify(msg)}\n`;
}
