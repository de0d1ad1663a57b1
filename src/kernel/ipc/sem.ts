// SysV semaphore sets (Linux ipc/sem.c, gVisor
// pkg/sentry/kernel/semaphore): a Set of nsems values, each with the pid
// of its last operation; semop's operations applied all or none, in order
// (so several on one semaphore add up); the undo lists of SEM_UNDO (an
// UndoList per process, shared by CLONE_SYSVSEM, applied with Linux's
// clamping when its last holder ends). A task whose operations cannot all
// be done now waits on the set's queue with its blocking operation
// recorded (semncnt/semzcnt count them); any change to the set wakes every
// waiter, which tries its operations again from the start. Sets and undo
// entries are charged to the Sentry's buffer budget (SET_COST below).
//
// Differs from Linux: waiters are woken all at once and retry in the order
// the run loop serves them (Linux walks its pending queues in FIFO order,
// alter operations first), so which of two waiters that cannot both go
// gets there first may differ; sem_otime is kept per set, not per
// semaphore (what IPC_STAT shows is the same).

import type { Kernel } from '../kernel.js';
import type { Credentials } from '../credentials.js';
import type { Pid } from '../pid_namespace.js';
import type { UserNamespace } from '../user_namespace.js';
import { WaitQueue } from '../../sync/waiter.js';
import { chargeBuffers, unchargeBuffers } from '../buffers.js';
import { EAGAIN, EINVAL, ENOMEM, ENOSPC, ERANGE } from '../../abi/linux/errno.js';
import { IPC_NOWAIT, ipcGet, ipcNow, IPCPerm, Registry } from './object.js';

export const SEM_UNDO = 0x1000;
export const GETPID = 11, GETVAL = 12, GETALL = 13, GETNCNT = 14, GETZCNT = 15, SETVAL = 16, SETALL = 17;
export const SEM_STAT = 18, SEM_INFO = 19, SEM_STAT_ANY = 20;
export const SEMVMX = 32767, SEMAEM = SEMVMX;
/** Linux's defaults: semmsl, semmns, semopm, semmni. */
export const SEMMSL_DEFAULT = 32000, SEMMNS_DEFAULT = 1024000000, SEMOPM_DEFAULT = 500, SEMMNI_DEFAULT = 32000;
/**
 * What a set and an undo entry cost the Sentry's heap, charged to its
 * buffer budget (kernel/buffers.ts): semmns would otherwise let a program
 * ask for a billion semaphores. Past the budget, semget and a SEM_UNDO
 * semop are ENOMEM, as Linux's allocations failing.
 */
export const SET_COST = 512, SEM_COST = 16, UNDO_COST = 128;
/** sizeof(struct semid64_ds) on x86-64. */
export const SEMID_DS_SIZE = 104;

/** One struct sembuf. */
export interface SemOp {
  num: number;
  op: number;
  flg: number;
}

/** A task waiting on a set: the operation that blocked it (GETNCNT/GETZCNT). */
export interface SemWaiter {
  num: number;
  zero: boolean;
}

/** The outcome of trying a semop: done, must wait (with the operation that blocked), or -errno. */
export type SemResult = { done: true } | { done: false; blocking: SemOp } | number;

export class Set {
  readonly perm: IPCPerm;
  readonly values: Uint16Array;
  /** The last operation's process on each semaphore (sempid); null before any. */
  readonly pids: (Pid | null)[];
  otime = 0;
  ctime: number;
  /** Tasks waiting for a change; woken by every change, they try again. */
  readonly queue = new WaitQueue();
  readonly waiters = new globalThis.Set<SemWaiter>();
  /** The undo lists that have adjustments for this set (SETVAL/SETALL clear them; removal invalidates them). */
  readonly undoLists = new globalThis.Set<UndoList>();

  constructor(readonly kernel: Kernel, readonly registry: SemRegistry, key: number, creds: Credentials, mode: number, readonly nsems: number) {
    this.perm = new IPCPerm(key, creds, mode);
    this.values = new Uint16Array(nsems);
    this.pids = new Array<Pid | null>(nsems).fill(null);
    this.ctime = ipcNow(kernel);
  }

  /** semncnt (zero false) or semzcnt (true) of semaphore num. */
  count(num: number, zero: boolean): number {
    let n = 0;
    for (const w of this.waiters) if (w.num === num && w.zero === zero) n++;
    return n;
  }

  /**
   * perform_atomic_semop: applies ops all or none, in order, the values and
   * undo adjustments checked as Linux checks them (ERANGE past SEMVMX or
   * SEMAEM); with undo, SEM_UNDO operations adjust its entry for the set.
   */
  apply(ops: readonly SemOp[], undo: Int16Array | null, pid: Pid): SemResult {
    const vals = Int32Array.from(this.values);
    const adj = undo === null ? null : Int32Array.from(undo);
    for (const o of ops) {
      const cur = vals[o.num];
      if (o.op === 0) {
        if (cur !== 0) return (o.flg & IPC_NOWAIT) ? -EAGAIN : { done: false, blocking: o };
        continue;
      }
      const next = cur + o.op;
      if (next < 0) return (o.flg & IPC_NOWAIT) ? -EAGAIN : { done: false, blocking: o };
      if (next > SEMVMX) return -ERANGE;
      if (o.flg & SEM_UNDO && adj !== null) {
        const u = adj[o.num] - o.op;
        if (u < -SEMAEM - 1 || u > SEMAEM) return -ERANGE;
        adj[o.num] = u;
      }
      vals[o.num] = next;
    }
    let changed = false;
    for (const o of ops) {
      this.pids[o.num] = pid;
      if (o.op !== 0) changed = true;
    }
    for (let i = 0; i < this.nsems; i++) this.values[i] = vals[i];
    if (undo !== null && adj !== null) undo.set(adj);
    this.otime = ipcNow(this.kernel);
    if (changed) this.changed();
    return { done: true };
  }

  /** SETVAL and SETALL: the values given, every undo adjustment of them cleared (num -1: all). */
  set(num: number, values: ArrayLike<number>, pid: Pid): void {
    for (let i = 0; i < values.length; i++) {
      const n = num < 0 ? i : num;
      this.values[n] = values[i];
      this.pids[n] = pid;
      for (const l of this.undoLists) {
        const a = l.entries.get(this);
        if (a !== undefined) a[n] = 0;
      }
    }
    this.ctime = ipcNow(this.kernel);
    this.changed();
  }

  /** update_queue: every waiter looks again. */
  changed(): void {
    this.queue.notify(0x1);
  }

  /** IPC_RMID (freeary): waiters wake to EIDRM, undo entries are dropped. */
  remove(): void {
    this.registry.objects.remove(this);
    this.registry.usedSems -= this.nsems;
    unchargeBuffers(SET_COST + SEM_COST * this.nsems);
    for (const l of this.undoLists) l.drop(this);
    this.undoLists.clear();
    this.changed();
  }
}

/** A process's SEM_UNDO adjustments (Linux's sem_undo_list), shared by the tasks CLONE_SYSVSEM joins. */
export class UndoList {
  readonly entries = new Map<Set, Int16Array>();
  /** Tasks holding it. */
  refs = 1;

  /** The entry for s, made now (find_alloc_undo); null past the buffer budget (ENOMEM). */
  entryFor(s: Set): Int16Array | null {
    let a = this.entries.get(s);
    if (a === undefined) {
      if (!chargeBuffers(UNDO_COST + 2 * s.nsems)) return null;
      a = new Int16Array(s.nsems);
      this.entries.set(s, a);
      s.undoLists.add(this);
    }
    return a;
  }

  /** Forgets the entry for s (the set is gone). */
  drop(s: Set): void {
    if (this.entries.delete(s)) unchargeBuffers(UNDO_COST + 2 * s.nsems);
  }

  /** exit_sem: the adjustments are applied, each value clamped to [0, SEMVMX]. */
  apply(pid: Pid): void {
    for (const [s, adj] of this.entries) {
      s.undoLists.delete(this);
      unchargeBuffers(UNDO_COST + 2 * s.nsems);
      if (s.perm.deleted) continue;
      for (let i = 0; i < s.nsems; i++) {
        if (adj[i] === 0) continue;
        s.values[i] = Math.min(SEMVMX, Math.max(0, s.values[i] + adj[i]));
        s.pids[i] = pid;
      }
      s.changed();
    }
    this.entries.clear();
  }
}

/** The sets of one IPC namespace, with its limits (kernel.sem: semmsl, semmns, semopm, semmni). */
export class SemRegistry {
  readonly objects = new Registry<Set>();
  semmsl = SEMMSL_DEFAULT;
  semmns = SEMMNS_DEFAULT;
  semopm = SEMOPM_DEFAULT;
  semmni = SEMMNI_DEFAULT;
  /** Semaphores of all sets (used_sems). */
  usedSems = 0;

  /** semget. */
  get(k: Kernel, creds: Credentials, userns: UserNamespace, key: number, nsems: number, flag: number): number {
    if (nsems < 0 || nsems > this.semmsl) return -EINVAL;
    return ipcGet(this.objects, key, flag, creds, userns, () => {
      if (nsems === 0) return -EINVAL;
      if (this.usedSems + nsems > this.semmns) return -ENOSPC;
      if (this.objects.inUse >= Math.min(this.semmni, 32768)) return -ENOSPC;
      if (!chargeBuffers(SET_COST + SEM_COST * nsems)) return -ENOMEM;
      const s = new Set(k, this, key, creds, flag, nsems);
      const id = this.objects.add(s, this.semmni);
      if (id < 0) {
        unchargeBuffers(SET_COST + SEM_COST * nsems);
        return id;
      }
      this.usedSems += nsems;
      return id;
    }, (s) => (nsems > s.nsems ? -EINVAL : 0));
  }
}
