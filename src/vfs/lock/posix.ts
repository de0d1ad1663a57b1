// Record locks (Linux fs/locks.c posix_lock_inode, posix_test_lock,
// posix_locks_deadlock; gVisor pkg/sentry/fsimpl/lock): byte ranges of a
// file locked for reading (shared) or writing (exclusive) by an owner.
// A POSIX lock's owner is the process's file table (Linux's fl_owner =
// current->files: threads share it, a forked child does not), and closing
// any descriptor of the file releases all of that owner's locks on it; an
// open-file-description (OFD) lock's owner is the description, and it goes
// with the description's last reference. Both kinds conflict with each
// other.
//
// An owner's locks on a file never overlap one another, and locks of one
// type that touch are merged, so setting, converting or unlocking a range
// splits and merges as Linux does, which F_GETLK shows.
//
// Deadlock detection (EDEADLK) follows Linux: only for POSIX owners that
// would wait, following "owner waits for the owner of the lock that
// blocks it" at most MAX_DEADLK_ITERATIONS steps.

import type { FileDescription } from '../file_description.js';
import { ENOLCK } from '../../abi/linux/errno.js';
import { chargeLocks, FileLocks, locksByKey, lockKey, locksOf, onRelease, unchargeLocks } from './file_locks.js';
import type { LockOwner } from './file_locks.js';

/** The largest offset (Linux's OFFSET_MAX, 2^63-1, as the nearest number). */
export const OFFSET_MAX = 2 ** 63;

export interface RecordLock {
  /** First and last byte, inclusive; end is OFFSET_MAX for "to the end of the file, whatever its size". */
  start: number;
  end: number;
  write: boolean;
  readonly owner: LockOwner;
  /** The process that set it, as F_GETLK reports; -1 for OFD locks. */
  readonly pid: number;
}

/** The files on which each owner holds record locks (so that close finds them without a look at every file). */
const ownerFiles = new Map<LockOwner, Set<string>>();

/** The first index of a sorted, non-overlapping list whose lock ends at or after pos. */
function firstEndingFrom(list: RecordLock[], pos: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first lock of another owner that conflicts with `owner` locking
 * [start, end] (for writing if `write`), or null (posix_test_lock).
 */
export function conflicting(fl: FileLocks | null, owner: LockOwner, write: boolean, start: number, end: number): RecordLock | null {
  if (fl === null) return null;
  for (const [o, list] of fl.records) {
    if (o === owner) continue;
    for (let i = firstEndingFrom(list, start); i < list.length && list[i].start <= end; i++) {
      if (write || list[i].write) return list[i];
    }
  }
  return null;
}

/**
 * Sets `owner`'s lock on [start, end] to read, write or none (null),
 * splitting and merging its own locks; the caller has checked that no
 * other owner's lock conflicts. 0, or -ENOLCK when the records it would
 * add do not fit in the sandbox's bound (nothing is changed then).
 */
export function setRecord(fl: FileLocks, owner: LockOwner, pid: number, write: boolean | null, start: number, end: number): number {
  const list = fl.records.get(owner) ?? [];
  // The owner's locks that touch [start, end]: overlapping or adjacent.
  const lo = firstEndingFrom(list, start - 1);
  let hi = lo;
  while (hi < list.length && list[hi].start <= end + 1) hi++;
  const out: RecordLock[] = [];
  let ns = start, ne = end;
  for (let i = lo; i < hi; i++) {
    const l = list[i];
    if (write !== null && l.write === write) {
      // Same type: absorbed into the new lock.
      ns = Math.min(ns, l.start);
      ne = Math.max(ne, l.end);
      continue;
    }
    if (l.end < start || l.start > end) {
      out.push(l);
      continue;
    }
    // Another type, or an unlock: what lies outside the range stays.
    if (l.start < start) out.push({ start: l.start, end: start - 1, write: l.write, owner, pid: l.pid });
    if (l.end > end) out.push({ start: end + 1, end: l.end, write: l.write, owner, pid: l.pid });
  }
  if (write !== null) out.push({ start: ns, end: ne, write, owner, pid });
  out.sort((a, b) => a.start - b.start);
  const delta = out.length - (hi - lo);
  if (delta > 0 && !chargeLocks(delta)) return -ENOLCK;
  if (delta < 0) unchargeLocks(-delta);
  if (hi === lo && out.length === 0) return 0;
  list.splice(lo, hi - lo, ...out);
  if (list.length === 0) {
    fl.records.delete(owner);
    forgetOwnerFile(owner, fl.key);
  } else if (!fl.records.has(owner)) {
    fl.records.set(owner, list);
    let s = ownerFiles.get(owner);
    if (s === undefined) ownerFiles.set(owner, (s = new Set()));
    s.add(fl.key);
  }
  // Something went, shrank or changed type (or was only added): waiters look again.
  if (hi > lo) fl.changed();
  return 0;
}

function forgetOwnerFile(owner: LockOwner, key: string): void {
  const s = ownerFiles.get(owner);
  if (s === undefined) return;
  s.delete(key);
  if (s.size === 0) ownerFiles.delete(owner);
}

/** Drops every lock `owner` holds on the file with this key. */
function releaseOwnerOn(owner: LockOwner, key: string): void {
  const fl = locksByKey(key);
  forgetOwnerFile(owner, key);
  if (fl === null) return;
  const list = fl.records.get(owner);
  if (list === undefined) return;
  fl.records.delete(owner);
  unchargeLocks(list.length);
  fl.changed();
}

/**
 * Closing a descriptor of f: the file table `owner`'s POSIX locks on f's
 * file go (Linux's locks_remove_posix from filp_close). Cheap for a table
 * that holds no locks, as nearly all do.
 */
export function releasePosixLocks(f: FileDescription, owner: LockOwner): void {
  const s = ownerFiles.get(owner);
  if (s === undefined) return;
  const key = lockKey(f);
  if (s.has(key)) releaseOwnerOn(owner, key);
}

// An OFD lock's owner is its description: its last reference drops them.
onRelease((f) => {
  if (ownerFiles.has(f)) releaseOwnerOn(f, lockKey(f));
});

/** A task waiting for a POSIX lock: its owner, and the owner of the lock it waits behind. */
export interface LockWait {
  readonly owner: LockOwner;
  readonly blocker: LockOwner;
  /** Whether the wait is still going on (the task is still blocked in that call). */
  live(): boolean;
}

/** Linux's blocked_hash: the waits of each POSIX owner (weak, so a gone owner's forgotten waits go with it). */
const waits = new WeakMap<LockOwner, Set<LockWait>>();
const MAX_DEADLK_ITERATIONS = 10;

export function addWait(w: LockWait): void {
  let s = waits.get(w.owner);
  if (s === undefined) waits.set(w.owner, (s = new Set()));
  s.add(w);
}

export function removeWait(w: LockWait): void {
  const s = waits.get(w.owner);
  if (s === undefined) return;
  s.delete(w);
  if (s.size === 0) waits.delete(w.owner);
}

/** The owner that `owner` waits behind, if one of its tasks waits (what_owner_is_waiting_for). */
function waitingFor(owner: LockOwner): LockOwner | null {
  const s = waits.get(owner);
  if (s === undefined) return null;
  for (const w of s) {
    if (w.live()) return w.blocker;
    s.delete(w);
  }
  if (s.size === 0) waits.delete(owner);
  return null;
}

/** Whether `caller` waiting behind `blocker` would close a cycle of waits (posix_locks_deadlock). */
export function wouldDeadlock(caller: LockOwner, blocker: LockOwner): boolean {
  let cur: LockOwner | null = blocker;
  for (let i = 0; ; i++) {
    cur = waitingFor(cur);
    if (cur === null) return false;
    if (i > MAX_DEADLK_ITERATIONS) return false;
    if (cur === caller) return true;
  }
}

export { locksOf };
