// The control server (gVisor's pkg/sentry/control server, seed 000): runs
// inside the sandbox process and answers the runtime's commands on a Unix
// socket in the container's state directory. The socket is made and
// listening before the Sentry seals itself (the sealed filter has no
// socket, bind or listen; it allows accept4 on this descriptor alone), with
// mode 0600 in a 0700 directory: only the container's owner (and root) can
// connect.
//
// What a client sends is untrusted: lines are bounded (protocol.ts), at
// most MAX_CONNECTIONS connections are read at once (one more is answered
// busy and closed) and MAX_PENDING requests a connection served, a
// connection that sends nothing for IDLE_MS is closed (one waiting for a
// reply is not), and every failure is a reply, never a crash. A connection
// parked in a long poll (protocol.ts's LONG_POLLS: a foreground exec waits
// in WaitPID for as long as its process runs) leaves the MAX_CONNECTIONS
// it was read in for MAX_WAITING, so running execs cannot starve the
// commands. A client that does not read its replies is not read either
// once MAX_UNSENT bytes of them wait (they were buffered without bound:
// 100 MB of bad requests grew the Sentry by 500 MB). Methods are the
// handlers the Loader gives (boot/controller.ts); this file knows only
// the protocol.
//
// Each connection's header (protocol.ts) is read before any line, with
// one non-blocking recvmsg on the accepted socket while Node does not yet
// read it (pauseOnConnect); a connection whose header does not come within
// HEADER_MS, or is not the header byte, is closed. The files it carries
// belong to the connection's first request: a handler takes them
// (Call.takeFds) as it starts, and whatever it does not take is closed
// then (a WaitPID's were held for its process's life). A header with more
// than MAX_REQUEST_FDS is answered invalid, its files closed.
//
// Where it differs from gVisor's: JSON lines instead of urpc, one method
// set, and replies are written with write(2) only (the server never calls
// shutdown(2), which the filter does not allow: a connection is closed).

import * as net from 'node:net';
import type { Logger } from '../kernel/log.js';
import { native } from '../native.js';
import { HEADER_BYTE, LONG_POLLS, LineReader, MAX_REQUEST_FDS, ProtocolError, encodeLine, parseRequest } from './protocol.js';
import type { ErrorCode } from './protocol.js';

/** What a handler may ask of the request it serves. */
export interface Call {
  /** The host descriptors the connection's header carried, now the handler's to close; [] after the first take. */
  takeFds(): number[];
}

/**
 * The one descriptor a request must carry (the header's, from Call.takeFds),
 * of the kind ok accepts (ok: null, or why not): it, or every descriptor
 * closed and ProtocolError('invalid') saying what was wrong.
 */
export function takeOneFd(fds: number[], what: string, kind: string, ok: (fd: number) => string | null): number {
  const refuse = (why: string): never => {
    closeAll(fds);
    throw new ProtocolError('invalid', `${what}: ${why}`);
  };
  if (fds.length !== 1) refuse(`the request must carry one ${kind}, not ${fds.length}`);
  const why = ok(fds[0]);
  if (why !== null) refuse(why);
  return fds[0];
}

/** A method: params are an object, already known to be one; throw ProtocolError to fail it. */
export type Handler = (params: Record<string, unknown>, call: Call) => unknown;

/** Connections read at once: their headers, lines and short calls. */
export const MAX_CONNECTIONS = 32;
/** Connections parked in a long poll; each holds a socket and a waiter, nothing it sends is read past MAX_PENDING. */
export const MAX_WAITING = 256;
export const MAX_PENDING = 4;
/** Reply bytes a connection has not taken, past which it is not read until they drain. */
export const MAX_UNSENT = 256 * 1024;
export const IDLE_MS = 30_000;
/** How long a new connection may take to send its header. */
export const HEADER_MS = 5_000;
const EAGAIN = 11;
/** How long close() lets replies flush before it drops the connections left. */
const CLOSE_GRACE_MS = 2_000;

interface Conn {
  socket: net.Socket;
  pending: number;
  /** No more requests are read: close once the pending replies are written. */
  ending: boolean;
  /** The header's descriptors, until a request takes them or the connection ends. */
  fds: number[];
  /** Counted in MAX_WAITING (it has asked for a long poll), not MAX_CONNECTIONS. */
  parked: boolean;
  /** Not read until its unsent replies drain (MAX_UNSENT). */
  throttled: boolean;
}

function closeAll(fds: number[]): void {
  for (const fd of fds.splice(0)) native.close(fd);
}

/** The descriptor under a connected socket Node made (a libuv pipe handle has one). */
function socketFd(s: net.Socket): number {
  const h = (s as unknown as { _handle?: { fd?: unknown } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

export class ControlServer {
  private readonly server: net.Server;
  private readonly conns = new Set<Conn>();
  /** Connections in conns that are not parked. */
  private reading = 0;
  private parked = 0;
  private closing = false;

  constructor(private readonly listenFd: number, private readonly methods: ReadonlyMap<string, Handler>, private readonly log: Logger) {
    // allowHalfOpen: a client's end of writing must not make Node shut
    // down our side (shutdown(2)); the connection is closed instead.
    // pauseOnConnect: nothing is read from a connection until its header has been (readHeader).
    // No maxConnections: Node closes a connection past it unanswered; accept() answers busy instead.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => this.accept(s));
    this.server.on('error', (e) => this.log.warn(`control: ${e.message}`));
  }

  /** Starts serving on the listening descriptor (made before the seal). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ fd: this.listenFd }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy());
    if (this.reading >= MAX_CONNECTIONS) {
      // Nothing of it is read: its header's files are dropped with it by the kernel.
      socket.write(encodeLine({ id: null, error: { code: 'busy', message: `more than ${MAX_CONNECTIONS} connections at once` } }), () => socket.destroy());
      return;
    }
    const c: Conn = { socket, pending: 0, ending: false, fds: [], parked: false, throttled: false };
    this.conns.add(c);
    this.reading++;
    socket.on('close', () => {
      this.conns.delete(c);
      if (c.parked) this.parked--;
      else this.reading--;
      closeAll(c.fds);
    });
    this.readHeader(c, Date.now() + HEADER_MS);
  }

  /**
   * The header: retried on the event loop until it has come (a client
   * sends it as soon as it connects, so the first try nearly always has it),
   * each retry later than the last, up to 100 ms: 32 connections that never
   * send one cost a few hundred recvmsg a second, not 16,000.
   */
  private readHeader(c: Conn, deadline: number, retry = 2): void {
    if (c.socket.destroyed) return;
    const fd = socketFd(c.socket);
    const head = new Uint8Array(1);
    // One more than a request may carry, to see that a header carries too many.
    const r = fd < 0 ? -EAGAIN - 1 : native.recvFds(fd, head, MAX_REQUEST_FDS + 1);
    if (r === -EAGAIN) {
      if (Date.now() > deadline) c.socket.destroy();
      else setTimeout(() => this.readHeader(c, deadline, Math.min(retry * 2, 100)), retry);
      return;
    }
    if (typeof r === 'number' || r.bytes !== 1) {
      c.socket.destroy();
      return;
    }
    c.fds = r.fds;
    if (r.truncated !== 0 || head[0] !== HEADER_BYTE) {
      c.socket.destroy();
      return;
    }
    if (c.fds.length > MAX_REQUEST_FDS) {
      closeAll(c.fds);
      this.reply(c, null, new ProtocolError('invalid', `a request carries at most ${MAX_REQUEST_FDS} descriptors`));
      this.end(c);
      return;
    }
    this.serveLines(c);
  }

  private serveLines(c: Conn): void {
    const socket = c.socket;
    const reader = new LineReader();
    socket.setTimeout(IDLE_MS, () => {
      if (c.pending === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      if (c.ending) return;
      let lines: string[];
      try {
        lines = reader.push(chunk);
      } catch (e) {
        this.reply(c, null, e);
        this.end(c);
        return;
      }
      for (const line of lines) this.serve(c, line);
      this.throttle(c);
    });
    socket.on('end', () => this.end(c));
    socket.resume();
  }

  private serve(c: Conn, line: string): void {
    if (c.ending) return;
    let id: number | null = null;
    try {
      const req = parseRequest(line);
      id = req.id;
      if (c.pending >= MAX_PENDING) throw new ProtocolError('busy', `more than ${MAX_PENDING} requests at once on one connection`);
      const h = this.methods.get(req.method);
      if (h === undefined) throw new ProtocolError('invalid', `method ${req.method} is not served by this sandbox`);
      if (LONG_POLLS.has(req.method) && !c.parked) {
        if (this.parked >= MAX_WAITING) throw new ProtocolError('busy', `more than ${MAX_WAITING} connections waiting at once`);
        c.parked = true;
        this.parked++;
        this.reading--;
      }
      c.pending++;
      const call: Call = { takeFds: () => c.fds.splice(0) };
      Promise.resolve()
        .then(() => {
          try {
            return h(req.params, call);
          } finally {
            // What the handler did not take as it started is not the request's.
            closeAll(c.fds);
          }
        })
        .then((result) => this.reply(c, req.id, null, result ?? null), (e: unknown) => this.reply(c, req.id, e))
        .finally(() => {
          c.pending--;
          if (c.ending && c.pending === 0) this.finish(c);
        });
    } catch (e) {
      this.reply(c, e instanceof ProtocolError ? e.requestId ?? id : id, e);
    }
  }

  private reply(c: Conn, id: number | null, err: unknown, result?: unknown): void {
    if (c.socket.destroyed) return;
    let msg: unknown;
    if (err === null) {
      msg = { id, result };
    } else {
      const code: ErrorCode = err instanceof ProtocolError ? err.code : 'internal';
      const message = err instanceof Error ? err.message : String(err);
      if (code === 'internal') this.log.warn(`control: internal error: ${err instanceof Error ? err.stack ?? message : message}`);
      msg = { id, error: { code, message } };
    }
    c.socket.write(encodeLine(msg));
    this.throttle(c);
  }

  /** Stops reading c while MAX_UNSENT bytes of its replies wait for it to read them. */
  private throttle(c: Conn): void {
    if (c.throttled || c.socket.writableLength <= MAX_UNSENT) return;
    c.throttled = true;
    c.socket.pause();
    c.socket.once('drain', () => {
      c.throttled = false;
      if (!c.socket.destroyed) c.socket.resume();
    });
  }

  /** No more requests from c: close it once its replies are written. */
  private end(c: Conn): void {
    c.ending = true;
    if (c.pending === 0) this.finish(c);
  }

  private finish(c: Conn): void {
    // The write callback runs once the data is in the kernel; closing then
    // loses nothing (a Unix socket's data is queued at the peer).
    if (c.socket.writableLength === 0) c.socket.destroy();
    else c.socket.write('', () => c.socket.destroy());
  }

  /**
   * Stops accepting and closes every connection once its pending replies
   * are written (the Loader resolves waiters first), within a grace period.
   */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const c of this.conns) c.socket.destroy();
      }, CLOSE_GRACE_MS);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const c of this.conns) this.end(c);
    });
  }
}
