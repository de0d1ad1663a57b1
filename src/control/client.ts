// The client side of the control protocol (protocol.ts): what the
// runtime's commands (src/container/) call a sandbox with. One connection
// a call, as runsc's urpc client makes one per command. Every reply is
// checked before it is believed: the sandbox runs untrusted code. A call
// the sandbox refuses as busy (more connections at once than it reads:
// server.ts) was not acted on, and is made again, for as long as its
// timeout allows (BUSY_RETRY_MS when it has none); a request longer than
// the protocol's line is refused here, in words, before it is sent.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { native } from '../native.js';
import {
  HEADER_BYTE, LineReader, MAX_MESSAGE_BYTES, MAX_REQUEST_FDS, METHODS, ProtocolError, encodeLine, parseExecResult, parseProcesses, parseResponse, parseOomResult,
  parseStateResult, parseUsageResult, parseWaitResult,
} from './protocol.js';
import { parseMetricsExportResult } from './debug_protocol.js';
import type { LoggingArgs, MetricsExportResult } from './debug_protocol.js';
import type {
  CreateSubcontainerArgs, ExecResult, Method, OomResult, ProcessInfo, SignalArgs, StateResult, UpdateArgs, UsageResult, WaitResult,
} from './protocol.js';

/** The sandbox cannot be reached: no socket, nobody listening, or no reply in time. */
export class ControlUnavailable extends Error {}

/** A unix socket address holds 108 bytes; a longer path is reached through a descriptor of its directory. */
const SUN_PATH_MAX = 107;
/** How long a call without a timeout (a long poll) retries a busy sandbox. */
const BUSY_RETRY_MS = 30_000;

/**
 * Calls method on the sandbox listening at socketPath; resolves to its
 * result, rejects with ProtocolError (the sandbox refused) or
 * ControlUnavailable. timeoutMs: null waits for ever (Wait). fds: host
 * descriptors sent with the header (the sandbox gets its own copies;
 * these stay the caller's).
 */
export async function call(socketPath: string, method: Method, params: Record<string, unknown>, timeoutMs: number | null = 10_000, fds: readonly number[] = []): Promise<unknown> {
  const line = encodeLine({ id: 1, method, params });
  const size = Buffer.byteLength(line);
  if (size > MAX_MESSAGE_BYTES) {
    throw new ProtocolError('invalid', `the request is ${size} bytes as JSON, more than the ${MAX_MESSAGE_BYTES} the control socket carries (an exec's args and env must fit in it)`);
  }
  if (fds.length > MAX_REQUEST_FDS) throw new ProtocolError('invalid', `at most ${MAX_REQUEST_FDS} descriptors go with a request, not ${fds.length}`);
  const until = Date.now() + (timeoutMs ?? BUSY_RETRY_MS);
  for (let pause = 10; ; pause = Math.min(pause * 2, 500)) {
    const left = until - Date.now();
    try {
      return await callOnce(socketPath, method, line, timeoutMs === null ? null : Math.max(1, left), fds);
    } catch (e) {
      if (!(e instanceof ProtocolError && e.code === 'busy') || left <= pause) throw e;
    }
    await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
  }
}

function callOnce(socketPath: string, method: Method, line: string, timeoutMs: number | null, fds: readonly number[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let dirFd = -1;
    let target = socketPath;
    if (Buffer.byteLength(socketPath) > SUN_PATH_MAX) {
      try {
        dirFd = fs.openSync(path.dirname(socketPath), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      } catch (e) {
        reject(new ControlUnavailable(`cannot open ${path.dirname(socketPath)}: ${(e as Error).message}`));
        return;
      }
      target = `/proc/self/fd/${dirFd}/${path.basename(socketPath)}`;
    }
    const id = 1;
    const reader = new LineReader();
    let done = false;
    /** The header could not be sent: a busy refusal may be waiting to be read, else this is the failure. */
    let headerFailed: ControlUnavailable | null = null;
    const finish = (err: Error | null, value?: unknown) => {
      if (done) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      sock.destroy();
      if (dirFd >= 0) fs.closeSync(dirFd);
      if (err !== null) reject(err);
      else resolve(value);
    };
    const sock = net.createConnection({ path: target });
    const timer = timeoutMs === null ? null : setTimeout(() => finish(new ControlUnavailable(`no reply to ${method} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('connect', () => {
      if (dirFd >= 0) {
        fs.closeSync(dirFd);
        dirFd = -1;
      }
      // The header first, on the descriptor itself: Node's writes cannot carry files.
      const h = (sock as unknown as { _handle?: { fd?: unknown } })._handle;
      const n = typeof h?.fd === 'number' ? native.sendFds(h.fd, new Uint8Array([HEADER_BYTE]), fds) : -9;
      if (n !== 1) {
        headerFailed = new ControlUnavailable(`cannot send the request header to the sandbox at ${socketPath} (errno ${-n})`);
        return;
      }
      sock.write(line);
    });
    sock.on('data', (chunk: Buffer) => {
      received = true;
      try {
        const lines = reader.push(chunk);
        if (lines.length > 0) finish(null, parseResponse(lines[0], id));
      } catch (e) {
        finish(e as Error);
      }
    });
    let received = false;
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // EAGAIN: the listening socket's backlog is full, the sandbox's busy in the kernel's words.
      if (e.code === 'EAGAIN') finish(new ProtocolError('busy', 'the sandbox\'s control socket has more connections waiting than it takes'));
      // Closed under our request before anything came back: the server's busy refusal (a line, then close), whose
      // line the write's EPIPE or a reset may have beaten here. It acted on nothing, so the call is made again.
      else if ((e.code === 'EPIPE' || e.code === 'ECONNRESET') && !received) finish(new ProtocolError('busy', 'the sandbox closed the connection before it read the request'));
      else finish(headerFailed ?? new ControlUnavailable(`cannot reach the sandbox at ${socketPath}: ${e.message}`));
    });
    sock.on('close', () => finish(headerFailed ?? new ControlUnavailable(`the sandbox closed the connection without a reply to ${method}`)));
  });
}

/** Typed calls, one per method; each checks the reply's shape. */
export class ControlClient {
  constructor(readonly socketPath: string, readonly containerId: string) {}

  /** timeoutMs: null waits for ever (startContainer hooks run before the reply). */
  async startRoot(timeoutMs?: number | null): Promise<void> {
    await call(this.socketPath, METHODS.startRoot, { containerId: this.containerId }, timeoutMs);
  }

  async state(timeoutMs = 5_000): Promise<StateResult> {
    return parseStateResult(await call(this.socketPath, METHODS.state, { containerId: this.containerId }, timeoutMs));
  }

  async processes(): Promise<ProcessInfo[]> {
    return parseProcesses(await call(this.socketPath, METHODS.processes, { containerId: this.containerId }));
  }

  /** pid: that process (foreground: its terminal's foreground group) rather than the init. */
  async signal(signo: number, all: boolean, pid?: number, foreground = false): Promise<void> {
    const args: SignalArgs = { containerId: this.containerId, signo, all };
    if (pid !== undefined) {
      args.pid = pid;
      args.foreground = foreground;
    }
    await call(this.socketPath, METHODS.signal, { ...args });
  }

  /** Starts process (config.json's process object) with fds as its descriptors 0, 1, 2, ... */
  async execute(process: object, fds: readonly number[]): Promise<ExecResult> {
    return parseExecResult(await call(this.socketPath, METHODS.execute, { containerId: this.containerId, process }, 30_000, fds));
  }

  /** Waits, for ever if need be, for a process exec started; its exit status. */
  async waitPid(pid: number): Promise<WaitResult> {
    return parseWaitResult(await call(this.socketPath, METHODS.waitPid, { containerId: this.containerId, pid }, null));
  }

  /** Resolves once no task of the sandbox runs (the freeze can take a scheduler turn or two). */
  async pause(): Promise<void> {
    await call(this.socketPath, METHODS.pause, { containerId: this.containerId }, 15_000);
  }

  async resume(): Promise<void> {
    await call(this.socketPath, METHODS.resume, { containerId: this.containerId });
  }

  async usage(): Promise<UsageResult> {
    return parseUsageResult(await call(this.socketPath, METHODS.usage, { containerId: this.containerId }));
  }

  async update(limits: Omit<UpdateArgs, 'containerId'>): Promise<void> {
    const args: UpdateArgs = { containerId: this.containerId, ...limits };
    await call(this.socketPath, METHODS.update, { ...args });
  }

  /** Waits, for ever if need be, for more OOM kills than seen or the container's end. */
  async waitOom(seen: number): Promise<OomResult> {
    return parseOomResult(await call(this.socketPath, METHODS.waitOom, { containerId: this.containerId, seen }, null));
  }

  async wait(): Promise<WaitResult> {
    return parseWaitResult(await call(this.socketPath, METHODS.wait, { containerId: this.containerId }, null));
  }

  /**
   * Builds this sub-container in the sandbox; fds: its stdio, its root,
   * one per volume (CreateSubcontainerArgs). The sandbox loads its init,
   * so this takes as long as an exec's start; the init's pid in the sandbox.
   */
  async createSubcontainer(container: object, stdioCount: number, volumes: CreateSubcontainerArgs['volumes'], fds: readonly number[]): Promise<ExecResult> {
    return parseExecResult(await call(this.socketPath, METHODS.createSubcontainer, { containerId: this.containerId, container, stdioCount, volumes: [...volumes] }, 60_000, fds));
  }

  /** Joins fd, a connected stream socket (the sandbox gets a copy), to the port inside (PortForward). */
  async portForward(fd: number, port: number): Promise<void> {
    await call(this.socketPath, METHODS.portForward, { containerId: this.containerId, port }, 15_000, [fd]);
  }

  /** The sandbox's metrics in Prometheus's text format. */
  async metricsExport(): Promise<MetricsExportResult> {
    return parseMetricsExportResult(await call(this.socketPath, METHODS.metricsExport, { containerId: this.containerId }));
  }

  async loggingChange(change: Omit<LoggingArgs, 'containerId'>): Promise<void> {
    await call(this.socketPath, METHODS.loggingChange, { containerId: this.containerId, ...change });
  }

  /** Writes a CPU profile of durationMs to fd, a regular file (the sandbox gets a copy of it). */
  async profileCpu(fd: number, durationMs: number): Promise<void> {
    await call(this.socketPath, METHODS.profileCpu, { containerId: this.containerId, durationMs }, durationMs + 60_000, [fd]);
  }

  /** Writes a heap snapshot to fd, a regular file; the Sentry stands still while it is taken. */
  async profileHeap(fd: number): Promise<void> {
    await call(this.socketPath, METHODS.profileHeap, { containerId: this.containerId }, 300_000, [fd]);
  }

  /** Writes every task's state and registers to fd, a regular file. */
  async stacks(fd: number): Promise<void> {
    await call(this.socketPath, METHODS.debugStacks, { containerId: this.containerId }, 30_000, [fd]);
  }

  async startSubcontainer(): Promise<void> {
    await call(this.socketPath, METHODS.startSubcontainer, { containerId: this.containerId });
  }

  /** Resolves once its processes are gone. */
  async destroySubcontainer(): Promise<void> {
    await call(this.socketPath, METHODS.destroySubcontainer, { containerId: this.containerId }, 15_000);
  }
}

export { ProtocolError };
