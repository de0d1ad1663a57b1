// Garbage collection of descriptions in flight (the idea of Linux's
// net/unix/garbage.c, unix_gc): a Unix socket passed with SCM_RIGHTS is
// held by the message that carries it. A socket sent over itself, or two
// sockets sent over each other, and then closed, hold each other for ever:
// no program can reach them, and reference counting never frees them.
//
// The collector works on the sockets that are in flight now (kept in a
// set, so it costs nothing while none is). A candidate is one whose every
// reference is an in-flight one (refs === inflight). For each candidate,
// the in-flight references held by other candidates' queues are taken
// away; one with some left is held from outside (a queue of a socket that
// has a descriptor), so it is reachable, and so is everything in its
// queues, recursively. The candidates left over are garbage: the
// descriptions in their queues are dropped, which frees them all.
//
// When it runs, as Linux: when a socket's references drop and all that are
// left are in flight (it may just have become garbage), and when the
// number of sockets in flight passes a threshold at a send. To keep a
// program that holds many sockets in flight (reachably) from making every
// close a scan of all of them, the first trigger collects only once the
// triggers since the last collection are a quarter of the set's size;
// and before any descriptor is refused with ENFILE the collector runs
// (fd_table.ts), so garbage never costs a program a descriptor.
//
// Also here: the in-flight count per user for Linux's too_many_unix_fds
// (a sender whose user has more descriptions in flight than its
// RLIMIT_NOFILE gets ETOOMANYREFS, unless privileged).

import type { FileDescription } from '../vfs/file_description.js';
import { UserCounter } from './limits.js';

/** What the collector needs of a socket (kernel/unix_socket.ts's UnixSocket). */
export interface GCSocket {
  readonly refs: number;
  /** References held by messages in flight. */
  inflight: number;
  /** Calls fn for every description in flight in this socket's queues (and its unaccepted connections'). */
  forEachInFlight(fn: (f: FileDescription) => void): void;
  /** Takes every description in flight out of its queues, for the caller to drop. */
  purgeInFlight(into: FileDescription[]): void;
}

/** Linux's UNIX_INFLIGHT_TRIGGER_GC: sockets in flight at a send that start a collection. */
const TRIGGER = 16000;

export class UnixGC {
  /** Drops the references of descriptions taken out of flight (unix_socket.ts dropInFlight: a loop, not a recursion). */
  constructor(private readonly drop: (files: FileDescription[]) => void) {}

  /** Sockets with references in flight now. */
  readonly sockets = new Set<GCSocket>();
  /** In-flight descriptions (of every kind) per sending user, for ETOOMANYREFS. */
  readonly users = new UserCounter(Infinity);
  /** Candidate triggers since the last collection. */
  private triggers = 0;
  /** The set's size at a send that starts the next collection. */
  private nextThreshold = TRIGGER;
  private running = false;
  /** Collections made, and sockets they freed (for tests and the debug log). */
  collections = 0;
  collected = 0;

  /** A socket goes in flight once more. */
  attach(s: GCSocket): void {
    if (s.inflight++ === 0) this.sockets.add(s);
  }

  /** A socket comes out of flight once (received, or dropped with its message). */
  detach(s: GCSocket): void {
    if (--s.inflight === 0) this.sockets.delete(s);
  }

  /** A socket's references dropped to its in-flight ones: it may be garbage now. */
  candidate(): void {
    if (++this.triggers * 4 >= this.sockets.size) this.collect();
  }

  /** At a send that put descriptions in flight. */
  afterSend(): void {
    if (this.sockets.size > this.nextThreshold) this.collect();
  }

  /** Finds the garbage among the sockets in flight and frees it. */
  collect(): void {
    if (this.running || this.sockets.size === 0) return;
    this.running = true;
    this.triggers = 0;
    this.collections++;
    const dropped: FileDescription[] = [];
    try {
      // In-flight references of each candidate not (yet) explained by a candidate's queue.
      const left = new Map<unknown, number>();
      for (const s of this.sockets) if (s.refs === s.inflight) left.set(s, s.inflight);
      if (left.size === 0) return;
      for (const s of left.keys()) {
        (s as GCSocket).forEachInFlight((f) => {
          const n = left.get(f);
          if (n !== undefined) left.set(f, n - 1);
        });
      }
      const reachable = new Set<unknown>();
      const stack: GCSocket[] = [];
      for (const [s, n] of left) {
        if (n > 0) {
          reachable.add(s);
          stack.push(s as GCSocket);
        }
      }
      while (stack.length > 0) {
        (stack.pop() as GCSocket).forEachInFlight((f) => {
          if (left.has(f) && !reachable.has(f)) {
            reachable.add(f);
            stack.push(f as unknown as GCSocket);
          }
        });
      }
      for (const s of left.keys()) {
        if (reachable.has(s)) continue;
        (s as GCSocket).purgeInFlight(dropped);
        this.collected++;
      }
    } finally {
      // Dropping the references frees the garbage (and starts no new collection: running is set).
      this.drop(dropped);
      this.running = false;
      this.nextThreshold = Math.max(TRIGGER, 2 * this.sockets.size);
    }
  }
}
