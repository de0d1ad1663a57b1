// The root descriptors of a sandbox's hostfs instances (gVisor's gofer
// filesystem holds its root's host FD until its last reference drops, in
// fsimpl/gofer's filesystem.Release): each instance's directory descriptor
// is charged to the sandbox's host-descriptor budget and closed once
// nothing in the sandbox can reach the instance any more.
//
// "Can reach" is the JavaScript heap's own answer, not a count: every
// HostInode holds its HostFileSystem, and inodes are held by dentries,
// mounts, mount namespaces, tasks' working directories and roots and
// executables (until they end: a zombie holds none), open files,
// mappings, locks, watches, the overlay's layers and caches. tsvisor's VFS counts none of those (Linux's and
// gVisor's refcounts on dentries, mounts and file systems have no
// counterpart here), and a count missed anywhere would close a descriptor
// still in use, whose number the host then gives to the next open: an
// inode of the old instance would reach into another directory. So the
// descriptor is closed only after V8 has found the instance unreachable:
// a FinalizationRegistry closes it when a collection happens to find it,
// and at the points where an instance is likely to have become
// unreachable (a sub-container destroyed, a volume unmounted, the budget
// spent) the Sentry forces a full collection and at once looks which
// instances' WeakRefs it cleared, closing their descriptors without
// waiting for the registry's callbacks.
//
// Forced collections are bounded: none while no instance has been let go
// (nothing could be found), and each instance is let go of once (a
// program that unmounts and binds a volume again and again asks for one);
// at most one per MIN_GC_INTERVAL_MS or GC_SHARE times the last one's
// length, whichever is longer, so that they take at most a tenth of the
// Sentry's time whatever its heap (a pod's other containers share it);
// the one the budget's exhaustion asks for synchronously at most once per
// ENFILE_GC_INTERVAL_MS; while a let-go instance stays reachable, one
// every HELD_POLL_MS, backing off to HELD_POLL_MAX_MS. A full collection
// of a pod Sentry's heap took 7 ms here; 30 create/destroy cycles back to
// back needed 4.
//
// Differs from gVisor: release is not immediate when the last reference
// goes, but at the next collection that finds it: within a few ms of a
// sub-container's destroy or a volume's umount when nothing else holds
// it (the later collections of DESTROY_GC_DELAYS_MS catch what its last
// processes leave for a moment), within HELD_POLL_MS..HELD_POLL_MAX_MS of
// a holder letting go, at once when the budget runs out.

import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { native } from '../../native.js';

/** What the registry keeps of an instance: never the instance itself, which it must not keep alive. */
export interface RootEntry {
  readonly fd: number;
  /** The instance, weakly: cleared by the collection that finds it unreachable. */
  readonly ref: WeakRef<object>;
  closed: boolean;
  /** Its owner let go of it (a destroyed sub-container's, an unmounted volume): a collection may find it unreachable. */
  letGo: boolean;
}

/** The budget the root descriptors are charged to (hostfs's HostFdBudget). */
export interface RootBudget {
  open: number;
  max: number;
  /** Set by HostRoots: frees what it can when the budget is spent; whether anything was freed. */
  reclaim: (() => boolean) | null;
}

/** The least time between two forced collections. */
export const MIN_GC_INTERVAL_MS = 100;
/** The least time between two forced collections, in lengths of the last one. */
export const GC_SHARE = 10;
/** The least time between two collections an exhausted budget forces synchronously. */
export const ENFILE_GC_INTERVAL_MS = 1000;
/**
 * When, after a sub-container is destroyed, collections are asked for: at
 * once, then as its last processes' leftovers go (a killed process's task
 * is reaped a little later; a timer or a pending wait that holds a
 * dentry ends within seconds).
 */
export const DESTROY_GC_DELAYS_MS: readonly number[] = [0, 100, 1100, 6100];
/**
 * While an instance that was let go is still reachable (a process of
 * another container holds a directory of it), a collection after this
 * long, then after twice as long each time, up to HELD_POLL_MAX_MS: the
 * holder may let go by any means (exit, close, chdir), none of which
 * tells hostfs.
 */
export const HELD_POLL_MS = 10_000;
export const HELD_POLL_MAX_MS = 160_000;

let gcFn: (() => void) | null = null;

/**
 * Makes a forced collection possible: V8's gc extension, installed in a
 * context of its own (--expose-gc set at run time, then a new context that
 * has the extension). Called before the Sentry's seal, since making a
 * context may need host calls the seal forbids; true once possible.
 */
export function prepareForcedGc(): boolean {
  if (gcFn !== null) return true;
  const g = (globalThis as { gc?: unknown }).gc;
  if (typeof g === 'function') {
    gcFn = g as () => void;
    return true;
  }
  try {
    v8.setFlagsFromString('--expose-gc');
    const f: unknown = vm.runInNewContext('gc');
    if (typeof f === 'function') gcFn = f as () => void;
  } catch {
    gcFn = null;
  }
  return gcFn !== null;
}

export class HostRoots {
  private readonly live = new Set<RootEntry>();
  private readonly registry = new FinalizationRegistry<RootEntry>((e) => this.close(e));
  /** When the next forced collection may start, and the next that an exhausted budget forces. */
  private nextGc = -Infinity;
  private nextEnfileGc = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private pollMs = HELD_POLL_MS;
  /** Forced collections so far, and root descriptors closed because their instance was found unreachable. */
  collections = 0;
  released = 0;
  /** Told of each forced collection, in words (the sandbox's debug log). */
  report: ((msg: string) => void) | null = null;

  constructor(private readonly budget: RootBudget) {
    budget.reclaim = () => this.reclaimNow();
  }

  /** Root descriptors held now. */
  get held(): number {
    return this.live.size;
  }

  /**
   * Takes fd, the root descriptor of instance: charged to the budget from
   * now on, closed once instance is unreachable (or by closeAll).
   */
  adopt(instance: object, fd: number): RootEntry {
    const e: RootEntry = { fd, ref: new WeakRef(instance), closed: false, letGo: false };
    this.live.add(e);
    this.registry.register(instance, e, e);
    this.budget.open++;
    return e;
  }

  /** Their owners are done with these instances: collections will look for them (soon: delays, in ms). */
  letGo(entries: readonly RootEntry[], delays: readonly number[] = [0]): void {
    let any = false;
    for (const e of entries) {
      if (e.closed || e.letGo) continue;
      e.letGo = true;
      any = true;
    }
    if (!any) return;
    this.pollMs = HELD_POLL_MS;
    for (const d of delays) setTimeout(() => this.collect(), d).unref();
  }

  /** Whether room for n more descriptors is left in the budget, after a collection if it was spent. */
  hasRoom(n: number): boolean {
    if (this.budget.open + n <= this.budget.max) return true;
    this.reclaimNow();
    return this.budget.open + n <= this.budget.max;
  }

  /** A forced collection, now or (rate-limited) a little later, and the descriptors of what it found closed. */
  collect(): void {
    if (!this.anyLetGo()) return;
    const wait = this.nextGc - Date.now();
    if (wait > 0) {
      if (this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.collect();
        }, wait);
        this.timer.unref();
      }
      return;
    }
    this.gcAndSweep();
  }

  /** The budget is spent: a synchronous collection if one may find something (rate-limited); whether descriptors were freed. */
  private reclaimNow(): boolean {
    const now = Date.now();
    if (!this.anyLetGo() || now < this.nextEnfileGc) return false;
    // A collection that ran just now found all there was.
    const n = now < this.nextGc ? this.sweep() : this.gcAndSweep();
    this.nextEnfileGc = Math.max(now + ENFILE_GC_INTERVAL_MS, this.nextGc);
    return n > 0;
  }

  private anyLetGo(): boolean {
    for (const e of this.live) if (e.letGo) return true;
    return false;
  }

  private gcAndSweep(): number {
    const start = performance.now();
    if (gcFn !== null) {
      gcFn();
      this.collections++;
    }
    const took = performance.now() - start;
    this.nextGc = Date.now() + Math.max(MIN_GC_INTERVAL_MS, GC_SHARE * took);
    const n = this.sweep();
    this.report?.(`hostfs roots: forced collection ${this.collections}: ${took.toFixed(1)} ms, ${n} root descriptor(s) closed, ${this.live.size} held`);
    if (this.poll === null && this.anyLetGo()) {
      this.poll = setTimeout(() => {
        this.poll = null;
        this.collect();
      }, this.pollMs);
      this.poll.unref();
      this.pollMs = Math.min(this.pollMs * 2, HELD_POLL_MAX_MS);
    }
    return n;
  }

  /** Closes the descriptors of the instances whose WeakRefs a collection cleared; how many. */
  private sweep(): number {
    let n = 0;
    for (const e of [...this.live]) {
      if (e.ref.deref() !== undefined) continue;
      this.close(e);
      n++;
    }
    return n;
  }

  private close(e: RootEntry, unreachable = true): void {
    if (e.closed) return;
    e.closed = true;
    this.live.delete(e);
    this.registry.unregister(e);
    native.close(e.fd);
    this.budget.open--;
    if (unreachable) this.released++;
  }

  /** The sandbox has ended: every root descriptor still held is closed. */
  closeAll(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.poll !== null) clearTimeout(this.poll);
    this.timer = this.poll = null;
    for (const e of [...this.live]) this.close(e, false);
  }
}
