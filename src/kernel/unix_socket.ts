// Unix domain sockets (gVisor pkg/sentry/socket/unix): sockets that live
// entirely in the Sentry. A connected pair exchanges messages: each send
// appends one to the peer's receive queue, with the descriptions it passes
// (SCM_RIGHTS) and the sender's credentials. A stream socket reads across
// messages (stopping after one that carries descriptions); datagram and
// seqpacket sockets read one message at a time.
//
// Names: the abstract namespace (a name starting with a NUL byte), kept
// per sandbox, and paths: bind makes a socket file in the file system
// (sys_tree.ts makeSocketFile) and the namespace maps that file's identity
// (st_dev, st_ino) to the socket while it is open (`paths`); connect finds
// the file by a path walk. A host socket file (one in a volume or the host
// tree that no sandbox socket is bound to) is never reached: connecting to
// it is ECONNREFUSED, and a socket file the sandbox makes in a volume does
// not listen for host processes.
//
// Descriptions in flight (SCM_RIGHTS) are counted: per socket (its
// `inflight`, for the collector of unix_gc.ts, which frees sockets that
// hold each other in flight and nothing else reaches), and per sending
// user (ETOOMANYREFS past its RLIMIT_NOFILE, as Linux's
// too_many_unix_fds). Each message is charged to the Sentry's buffer
// budget for its data, its own heap and its descriptions (buffers.ts).
//
// SO_RCVTIMEO and SO_SNDTIMEO bound the waits of receives, accept and
// sends (and of read(2)/write(2) on the socket): EAGAIN at the timeout.
//
// Every message carries its sender's credentials (or those it gave with
// SCM_CREDENTIALS), received as SCM_CREDENTIALS by a socket with
// SO_PASSCRED.
//
// Differs from Linux: SO_PASSCRED does not autobind; buffer sizes are
// recorded but one fixed capacity (DEFAULT_BUF) bounds each queue;
// connect never waits for room in a full backlog (EAGAIN).

import type { Pid } from './pid_namespace.js';
import type { Task } from './task.js';
import { FileDescription, WOULD_BLOCK } from '../vfs/file_description.js';
import { SockfsFile } from './sockfs.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT, EVENT_RDHUP } from '../sync/waiter.js';
import { EINVAL, EMSGSIZE, ENOTCONN, EPIPE, ETOOMANYREFS } from '../abi/linux/errno.js';
import { chargeBuffers, unchargeBuffers } from './buffers.js';
import { UnixGC } from './unix_gc.js';
import { fileReclaimers } from './fd_table.js';
import type { GCSocket } from './unix_gc.js';
import { currentTask } from './current.js';

export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
export const DEFAULT_BUF = 212992;

export interface PeerCred {
  /** The process's ids in every pid namespace it is in (SO_PEERCRED shows the reader's). */
  pid: Pid;
  uid: number;
  gid: number;
}

export interface Message {
  data: Uint8Array;
  /** Bytes of data already read (stream sockets read messages in pieces). */
  off: number;
  /** Descriptions passed with SCM_RIGHTS, each holding a reference until received. */
  rights: FileDescription[] | null;
  /** The sending user the rights are counted against (unix_gc.ts users). */
  rightsUid: number;
  /** The sender's address (datagram sockets), or null. */
  from: Uint8Array | null;
  /** What it holds of the Sentry's buffer budget. */
  cost: number;
  /** The sender's credentials (SCM_CREDENTIALS: its own, or what it gave), or null. */
  cred: MessageCred | null;
}

/** Credentials a message carries (Linux's UNIXCB(skb).pid/uid/gid): kernel ids, and the process's Pid (null: none). */
export interface MessageCred {
  pid: Pid | null;
  uid: number;
  gid: number;
}

/** The credentials a message carries when its sender gives none: its process, real uid and gid (scm_send's). */
export function messageCredOf(t: Task): MessageCred {
  return { pid: t.tg.tgidPid, uid: t.creds.ruid, gid: t.creds.rgid };
}

function sameCred(a: MessageCred | null, b: MessageCred | null): boolean {
  return a === b || (a !== null && b !== null && a.pid === b.pid && a.uid === b.uid && a.gid === b.gid);
}

/**
 * What a message costs the buffer budget besides its data, and each
 * description it carries: its heap, measured by scripts/kernel-heap.js
 * (a 1-byte message, its Uint8Array and queue slot: ~295 B; a rights
 * array ~50 B for its first description, 8 B for each further one).
 */
export const MESSAGE_COST = 320, RIGHT_COST = 16;

/** Who sends descriptions: the user they count against, and that user's limit (Infinity: privileged). */
export interface RightsSender {
  uid: number;
  limit: number;
}

/**
 * The sandbox's abstract socket namespace: (type, name) -> bound socket.
 * As in Linux, each socket type has its own names.
 */
export class UnixNamespace {
  readonly names = new Map<string, UnixSocket>();
  /**
   * Path-named sockets: the socket file's identity ("DEV:INO", which names
   * one file of one file system instance) -> the socket bound there, while
   * it is open. The file outlives the socket (connect then gets
   * ECONNREFUSED); the binding goes with the socket.
   */
  readonly paths = new Map<string, UnixSocket>();
  /** The collector of sockets in flight that nothing reaches. */
  readonly gc = new UnixGC(dropInFlight);
  /** Every socket not yet released, in the order made (/proc/net/unix). */
  readonly live = new Set<UnixSocket>();

  constructor() {
    fileReclaimers.add(() => this.gc.collect());
  }
  private autobind = 0;

  /** A fresh autobind name: NUL then five hex digits, as Linux makes them. */
  autoName(type: number): Uint8Array {
    for (;;) {
      const n = (this.autobind++ & 0xfffff).toString(16).padStart(5, '0');
      const name = new Uint8Array([0, ...Buffer.from(n, 'latin1')]);
      if (!this.names.has(key(type, name))) return name;
    }
  }
}

export function key(type: number, name: Uint8Array): string {
  return `${type}:${Buffer.from(name).toString('latin1')}`;
}

export interface RecvResult {
  n: number;
  /** The message's full length (datagrams), for MSG_TRUNC. */
  full: number;
  truncated: boolean;
  rights: FileDescription[] | null;
  from: Uint8Array | null;
  /** The credentials of the (first) message read, or null. */
  cred: MessageCred | null;
}

export class UnixSocket extends SockfsFile implements GCSocket {
  /** References held by messages in flight (unix_gc.ts). */
  inflight = 0;
  peer: UnixSocket | null = null;
  /** A connected socket whose peer has gone: reads see EOF, writes EPIPE. */
  peerGone = false;
  listening = false;
  /** Connected sockets waiting for accept (a listening socket's). */
  readonly backlog: UnixSocket[] = [];
  backlogMax = 0;
  readonly inbox: Message[] = [];
  queued = 0;
  shutRead = false;
  shutWrite = false;
  name: Uint8Array | null = null;
  /** For a path-named socket, its socket file's key in UnixNamespace.paths. */
  pathKey: string | null = null;
  /** Who is at the other end (SO_PEERCRED), fixed when connected. */
  peerCred: PeerCred | null = null;
  /** setsockopt values kept for getsockopt. */
  rcvbuf = DEFAULT_BUF;
  sndbuf = DEFAULT_BUF;
  passcred = false;
  /** A datagram socket's default destination (connect). */
  target: UnixSocket | null = null;
  /** Who listens (a listening socket's): the SO_PEERCRED of the connections it accepts. */
  listenerCred: PeerCred | null = null;
  /** setsockopt values with no other effect, kept for getsockopt. */
  readonly options = new Map<number, Uint8Array>();
  constructor(readonly type: number, flags: number, readonly ns: UnixNamespace) {
    super(flags);
    ns.live.add(this);
  }

  get stream(): boolean {
    return this.type === SOCK_STREAM;
  }

  override get writesEmpty(): boolean {
    return true;
  }

  /** Connects two sockets to each other. */
  static pair(a: UnixSocket, b: UnixSocket, credA: PeerCred, credB: PeerCred): void {
    a.peer = b;
    b.peer = a;
    a.peerCred = credB;
    b.peerCred = credA;
  }

  /** Room in this socket's receive queue. */
  get room(): number {
    return DEFAULT_BUF - this.queued;
  }

  /**
   * Queues a message for dest (the peer, or a datagram target): the bytes
   * written, or WOULD_BLOCK, -EPIPE, -EMSGSIZE, -ENOTCONN. A stream send
   * takes what fits.
   */
  send(dest: UnixSocket | null, srcs: Uint8Array[], total: number, rights: FileDescription[] | null,
    sender: RightsSender | null = null, cred: MessageCred | null = null): number {
    if (this.shutWrite) return -EPIPE;
    if (dest === null) {
      return this.peerGone ? -EPIPE : -ENOTCONN;
    }
    if (dest.shutRead && this.type !== SOCK_DGRAM) return -EPIPE;
    let n = total;
    // A stream sends no empty messages; a datagram can be empty.
    if (this.stream && total === 0) return 0;
    if (this.stream) {
      if (dest.room <= 0) return WOULD_BLOCK;
      n = Math.min(total, dest.room);
    } else {
      if (total > DEFAULT_BUF - 32) return -EMSGSIZE;
      if (dest.room < total) return WOULD_BLOCK;
    }
    const gc = this.ns.gc;
    const uid = sender?.uid ?? 0;
    // Linux's too_many_unix_fds: the user's in-flight count before this message, against its RLIMIT_NOFILE.
    if (rights !== null && sender !== null && gc.users.of(uid) > sender.limit) return -ETOOMANYREFS;
    const cost = n + MESSAGE_COST + (rights?.length ?? 0) * RIGHT_COST;
    if (!chargeBuffers(cost, this.queue)) return WOULD_BLOCK;
    const data = new Uint8Array(n);
    let off = 0;
    for (const s of srcs) {
      if (off >= n) break;
      const k = Math.min(s.length, n - off);
      data.set(s.subarray(0, k), off);
      off += k;
    }
    if (rights !== null) {
      for (const f of rights) {
        f.incRef();
        if (f instanceof UnixSocket) gc.attach(f);
      }
      gc.users.force(uid, rights.length);
    }
    dest.inbox.push({ data, off: 0, rights, rightsUid: uid, from: this.type === SOCK_DGRAM ? this.name : null, cost, cred });
    dest.queued += n;
    dest.queue.notify(EVENT_IN);
    if (rights !== null) gc.afterSend();
    return n;
  }

  /** Reads into dsts: a RecvResult, or WOULD_BLOCK; n 0 is end of file. peek leaves the queue as it was. */
  recv(dsts: Uint8Array[], total: number, peek: boolean, waitAll: boolean): RecvResult | number {
    const q = this.inbox;
    // An unconnected stream socket has nothing to read from (Linux 6.x: EINVAL); seqpacket: ENOTCONN.
    if (q.length === 0 && this.peer === null && !this.peerGone) {
      if (this.stream) return -EINVAL;
      if (this.type === SOCK_SEQPACKET) return -ENOTCONN;
    }
    if (q.length === 0) {
      if (this.shutRead || (this.stream || this.type === SOCK_SEQPACKET) && (this.peerGone || this.peer?.shutWrite === true)) {
        return { n: 0, full: 0, truncated: false, rights: null, from: null, cred: null };
      }
      return WOULD_BLOCK;
    }
    if (!this.stream) {
      const m = q[0];
      const n = copyOut(dsts, m.data, 0, total);
      if (!peek) {
        q.shift();
        this.queued -= m.data.length;
        unchargeBuffers(m.cost);
        this.notifyRoom();
      }
      return {
        n, full: m.data.length, truncated: n < m.data.length, rights: peek ? null : this.land(m), from: m.from, cred: m.cred,
      };
    }
    // A stream: across messages, up to the first that carries descriptions.
    if (waitAll && this.queued < total && !this.shutRead && !this.peerGone && this.peer?.shutWrite !== true) {
      return WOULD_BLOCK;
    }
    let done = 0;
    let rights: FileDescription[] | null = null;
    const cred = q.length > 0 ? q[0].cred : null;
    for (let i = 0; i < q.length && done < total; i++) {
      const m = q[i];
      if (m.rights !== null && done > 0) break;
      // With SO_PASSCRED, one read never joins the bytes of different writers (unix_stream_read_generic).
      if (this.passcred && i > 0 && !sameCred(m.cred, cred)) break;
      const k = copyOut(dsts, m.data, m.off, total - done, done);
      done += k;
      if (m.rights !== null && !peek) rights = this.land(m);
      if (!peek) {
        m.off += k;
        this.queued -= k;
      }
      if (rights !== null || (peek && m.rights !== null)) break;
    }
    if (!peek) {
      while (q.length > 0 && q[0].off >= q[0].data.length && q[0].rights === null) {
        unchargeBuffers((q.shift() as Message).cost);
      }
      this.notifyRoom();
    }
    return { n: done, full: done, truncated: false, rights, from: null, cred };
  }

  /** Takes a message's descriptions out of flight (they are received, or dropped): the caller owns their references. */
  private land(m: Message): FileDescription[] | null {
    const rights = m.rights;
    if (rights === null) return null;
    m.rights = null;
    const gc = this.ns.gc;
    for (const f of rights) if (f instanceof UnixSocket) gc.detach(f);
    gc.users.uncharge(m.rightsUid, rights.length);
    return rights;
  }

  forEachInFlight(fn: (f: FileDescription) => void): void {
    for (const m of this.inbox) for (const f of m.rights ?? []) fn(f);
    for (const c of this.backlog) c.forEachInFlight(fn);
  }

  purgeInFlight(into: FileDescription[]): void {
    for (const m of this.inbox) {
      const r = this.land(m);
      if (r !== null) into.push(...r);
    }
    for (const c of this.backlog) c.purgeInFlight(into);
  }

  override decRef(): void {
    super.decRef();
    // All that is left are references in flight: it may be garbage now.
    if (this.inflight > 0 && this.refs === this.inflight) this.ns.gc.candidate();
  }

  private notifyRoom(): void {
    this.peer?.queue.notify(EVENT_OUT);
    this.queue.notify(EVENT_OUT);
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    void offset;
    const r = this.recv(dsts, total, false, false);
    if (typeof r === 'number') return r;
    // Descriptions received by read(2) are dropped, as Linux drops them.
    for (const f of r.rights ?? []) f.decRef();
    return r.n;
  }

  override write(srcs: Uint8Array[], total: number): number {
    // write(2) carries the writer's credentials as a send does (scm_send's).
    const t = currentTask();
    return this.send(this.peer ?? this.target, srcs, total, null, null, t === null ? null : messageCredOf(t));
  }

  override readiness(mask: number): number {
    let r = 0;
    if (this.listening) return this.backlog.length > 0 ? mask & EVENT_IN : 0;
    const peerShut = this.peerGone || this.peer?.shutWrite === true;
    if (this.inbox.length > 0 || this.shutRead || (!!this.peer || this.peerGone) && peerShut) r |= EVENT_IN;
    if (this.shutRead || peerShut) r |= EVENT_RDHUP;
    if ((this.shutRead && this.shutWrite) || (this.peerGone && this.type !== SOCK_DGRAM)) r |= EVENT_HUP;
    const dest = this.peer ?? this.target;
    if (!this.shutWrite && (dest === null ? this.type === SOCK_DGRAM && this.peer === null && !this.peerGone : dest.room > 0)) {
      r |= EVENT_OUT;
    }
    if (this.peerGone && this.type !== SOCK_DGRAM) r |= EVENT_OUT;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override release(): void {
    this.ns.live.delete(this);
    if (this.name !== null && this.ns.names.get(key(this.type, this.name)) === this) {
      this.ns.names.delete(key(this.type, this.name));
    }
    if (this.pathKey !== null && this.ns.paths.get(this.pathKey) === this) this.ns.paths.delete(this.pathKey);
    const dropped: FileDescription[] = [];
    this.purgeInFlight(dropped);
    for (const m of this.inbox) unchargeBuffers(m.cost);
    this.inbox.length = 0;
    dropInFlight(dropped);
    for (const s of this.backlog) s.decRef();
    this.backlog.length = 0;
    const p = this.peer;
    if (p !== null) {
      p.peer = null;
      p.peerGone = true;
      p.queue.notify(EVENT_IN | EVENT_OUT | EVENT_HUP | EVENT_RDHUP);
    }
    this.peer = null;
  }

}

/** Descriptions whose in-flight references are being dropped, and whether a drop is under way. */
const toDrop: FileDescription[] = [];
let dropping = false;

/**
 * Drops the references of descriptions that were in flight. A socket freed
 * this way drops what its own queue held, and so on: a chain of sockets,
 * each in flight in the one before, is freed by one loop here rather than
 * by a recursion as deep as the chain (which overflowed the Sentry's stack
 * at ~10,000 links).
 */
export function dropInFlight(files: FileDescription[]): void {
  for (const f of files) toDrop.push(f);
  if (dropping) return;
  dropping = true;
  try {
    for (let f = toDrop.pop(); f !== undefined; f = toDrop.pop()) f.decRef();
  } finally {
    dropping = false;
  }
}

/** Copies src[from...] into the views, starting at byte `at` of them; at most max bytes. Returns the count. */
function copyOut(dsts: Uint8Array[], src: Uint8Array, from: number, max: number, at = 0): number {
  let n = Math.min(max, src.length - from);
  const want = n;
  let pos = 0;
  for (const d of dsts) {
    if (n <= 0) break;
    if (at >= pos + d.length) {
      pos += d.length;
      continue;
    }
    const start = Math.max(0, at - pos);
    const k = Math.min(d.length - start, n);
    d.set(src.subarray(from, from + k), start);
    from += k;
    n -= k;
    at += k;
    pos += d.length;
  }
  return want - n;
}
