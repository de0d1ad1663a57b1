// Port forwarding (runsc's containerManager.PortForward, seed 001's
// PortForwardOpts; what `kubectl port-forward` asks of a pod): a stream
// the runtime hands the sandbox (a connection it accepted on the host,
// passed over the control socket) is joined to a new TCP connection to a
// port inside the sandbox, made by the Sentry in the sandbox's network
// namespace, and bytes are copied both ways until both sides have ended.
// The program sees an ordinary connection from the loopback address.
//
// Both descriptors are the Sentry's; they are watched edge-triggered
// (kernel/fdnotifier.ts) and pumped without blocking, with at most one
// chunk (CHUNK) held per direction, so a side that does not read holds
// back the other side's sender rather than growing the Sentry. A side's
// end of data is passed on as a shutdown of writing to the other; a reset
// or an error on either closes both.
//
// Differs from runsc: IPv4's 127.0.0.1 is tried first, then ::1 (runsc
// connects on its netstack's loopback); a forward whose target refuses
// is reported to the caller as ECONNREFUSED before the copying starts.

import { native } from '../../native.js';
import { disarmHostFd, watchHostFdEdges } from '../../kernel/fdnotifier.js';

const AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1;
const SOL_SOCKET = 1, SO_TYPE = 3, SO_ERROR = 4;
const SHUT_WR = 1;
const EAGAIN = 11, EINPROGRESS = 115;
const CHUNK = 64 * 1024;
const EPOLLIN = 1, EPOLLOUT = 4, EPOLLRDHUP = 0x2000;
/** How long the connect inside may take. */
const CONNECT_MS = 10_000;

/** A sockaddr_in or sockaddr_in6 for the loopback address and port. */
function loopback(family: number, port: number): Uint8Array {
  const a = new Uint8Array(family === AF_INET ? 16 : 28);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, family, true);
  dv.setUint16(2, port, false);
  if (family === AF_INET) a.set([127, 0, 0, 1], 4);
  else a[23] = 1;
  return a;
}

/** Whether fd is a stream socket (what a forwarded connection must be). */
export function isStreamSocket(fd: number): boolean {
  const b = new Uint8Array(4);
  return native.sockGetsockopt(fd, SOL_SOCKET, SO_TYPE, b) === 4 && new DataView(b.buffer).getInt32(0, true) === SOCK_STREAM;
}

/** One direction of the copy: from `from` into `to`. */
interface Half {
  from: number;
  to: number;
  /** Bytes read from `from` not yet written to `to`. */
  held: Uint8Array | null;
  /** `from` has ended (EOF), and `to` was told (shutdown). */
  ended: boolean;
}

/** A forward in progress: the outside stream and the connection inside. */
class Forward {
  private readonly halves: Half[];
  private closed = false;
  private readonly buf = new Uint8Array(CHUNK);
  private readonly out = new Int32Array(3);

  constructor(private readonly outside: number, private readonly inside: number, private readonly onEnd: () => void) {
    this.halves = [
      { from: outside, to: inside, held: null, ended: false },
      { from: inside, to: outside, held: null, ended: false },
    ];
  }

  start(): number {
    const pump = () => this.pump();
    for (const fd of [this.outside, this.inside]) {
      const r = watchHostFdEdges(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, pump);
      if (r < 0) {
        this.close();
        return r;
      }
    }
    this.pump();
    return 0;
  }

  /** Moves what can be moved now, in both directions; ends the forward once both are done or one fails. */
  private pump(): void {
    if (this.closed) return;
    let progress = true;
    while (progress && !this.closed) {
      progress = false;
      for (const h of this.halves) {
        const r = this.step(h);
        if (r < 0) {
          this.close();
          return;
        }
        if (r > 0) progress = true;
      }
    }
    if (this.halves.every((h) => h.ended && h.held === null)) this.close();
  }

  /** 1 if it moved something, 0 if it must wait, -1 on an error. */
  private step(h: Half): number {
    if (h.held !== null) {
      const n = native.sockSendmsg(h.to, [h.held], null, null, 0);
      if (n === -EAGAIN) return 0;
      if (n < 0) return -1;
      h.held = n < h.held.length ? h.held.subarray(n) : null;
      return 1;
    }
    if (h.ended) return 0;
    const n = native.sockRecvmsg(h.from, [this.buf], null, null, 0, this.out);
    if (n === -EAGAIN) return 0;
    if (n < 0) return -1;
    if (n === 0) {
      h.ended = true;
      native.sockShutdown(h.to, SHUT_WR);
      return 1;
    }
    h.held = this.buf.slice(0, n);
    return 1;
  }

  /** Ends the forward: both descriptors closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [this.outside, this.inside]) {
      disarmHostFd(fd);
      native.close(fd);
    }
    this.onEnd();
  }
}

/** The forwards running, so that the sandbox's end can close them. */
const running = new Set<Forward>();

/**
 * Connects to port on the sandbox's loopback (127.0.0.1, then ::1) and
 * copies between that connection and outside (a stream socket, now the
 * forward's to close). Resolves once the connection inside is made, to 0
 * or -errno (ECONNREFUSED: nothing listens there); outside is closed then
 * on a failure.
 */
export async function portForward(outside: number, port: number): Promise<number> {
  let err = -111;
  for (const family of [AF_INET, AF_INET6]) {
    const fd = native.sockSocket(family, SOCK_STREAM, 0);
    if (fd < 0) {
      err = fd;
      continue;
    }
    const r = await connect(fd, loopback(family, port));
    if (r < 0) {
      native.close(fd);
      err = r;
      continue;
    }
    const f: Forward = new Forward(outside, fd, () => running.delete(f));
    running.add(f);
    return f.start();
  }
  native.close(outside);
  return err;
}

/** A non-blocking connect, waited for (within CONNECT_MS): 0 or -errno. */
function connect(fd: number, addr: Uint8Array): Promise<number> {
  const r = native.sockConnect(fd, addr);
  if (r !== -EINPROGRESS) return Promise.resolve(r);
  return new Promise((resolve) => {
    const done = (v: number) => {
      clearTimeout(timer);
      disarmHostFd(fd);
      resolve(v);
    };
    const timer = setTimeout(() => done(-110), CONNECT_MS);
    const w = watchHostFdEdges(fd, EPOLLOUT, () => {
      const b = new Uint8Array(4);
      if (native.sockGetsockopt(fd, SOL_SOCKET, SO_ERROR, b) !== 4) return done(-5);
      const e = new DataView(b.buffer).getInt32(0, true);
      // The first edge may be a spurious one before the handshake ends: wait on while it is still in progress.
      if (e === 0 && native.sockName(fd, true, new Uint8Array(128)) < 0) return;
      done(-e);
    });
    if (w < 0) done(w);
  });
}

/** Ends every forward (the sandbox is going away). */
export function stopForwards(): void {
  for (const f of [...running]) f.close();
}
