// Advisory file locks (Linux fs/locks.c): POSIX record locks (fcntl
// F_SETLK/F_SETLKW/F_GETLK), open file description locks (F_OFD_*), and
// flock(2) locks. They belong to the file (its inode), whatever name or
// descriptor reaches it, and are independent of each other by kind, as in
// Linux.
//
// Owners, as Linux has them: a POSIX lock belongs to the descriptor table
// that took it (Linux's fl_owner, current->files: the threads of a process
// share it, a forked child does not) and goes when that table closes any
// descriptor of the file; an OFD or flock lock belongs to the open file
// description and goes when the description does.
//
// Differs from Linux: deadlock detection (EDEADLK) follows the chain of
// POSIX waiters as they last waited, so a waiter interrupted by a signal
// stays in the chain until its owner next takes or waits for a lock; no
// mandatory locking; no leases.

import { WaitQueue } from '../sync/waiter.js';
import type { Inode } from './inode.js';

export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

interface RecordLock {
  owner: object;
  /** The locker's pid for F_GETLK (-1 for OFD locks). */
  pid: number;
  type: number;
  start: number;
  /** Inclusive; Infinity: to the end of the file, however it grows. */
  end: number;
  ofd: boolean;
}

interface FileLocks {
  records: RecordLock[];
  /** flock(2): description -> F_RDLCK or F_WRLCK. */
  flocks: Map<object, number>;
  readonly queue: WaitQueue;
}

/** Locks by file: the inode itself where it is the file's only object, else the file's identity. */
const byInode = new WeakMap<object, FileLocks>();
const byIdentity = new Map<string, FileLocks>();
/** POSIX owners blocked, and the owner each waits for (deadlock detection). */
const waitingFor = new Map<object, object>();

/** Record and flock locks in the sandbox: while none, closing a descriptor costs nothing here. */
let liveRecords = 0;
let liveFlocks = 0;

function setRecords(l: FileLocks, records: RecordLock[]): void {
  liveRecords += records.length - l.records.length;
  l.records = records;
}

/** The most record locks one file may carry (each split adds one): past it, F_SETLK is ENOLCK. */
const MAX_RECORDS_PER_FILE = 4096;

function identity(inode: Inode): object | string | null {
  if (inode.fs.stableTree === true) return inode;
  const st = inode.statForWalk();
  return typeof st === 'number' ? null : `${inode.fs.type}:${st.dev}:${st.ino}`;
}

function locksOf(inode: Inode, create: boolean): FileLocks | undefined {
  const id = identity(inode);
  if (id === null) return undefined;
  let l = typeof id === 'string' ? byIdentity.get(id) : byInode.get(id);
  if (l === undefined && create) {
    l = { records: [], flocks: new Map(), queue: new WaitQueue() };
    if (typeof id === 'string') byIdentity.set(id, l);
    else byInode.set(id, l);
  }
  return l;
}

function dropIfEmpty(inode: Inode, l: FileLocks): void {
  if (l.records.length > 0 || l.flocks.size > 0) return;
  const id = identity(inode);
  if (typeof id === 'string') byIdentity.delete(id);
}

/** The queue waiters for this file's locks wait on. */
export function lockQueue(inode: Inode): WaitQueue {
  return (locksOf(inode, true) as FileLocks).queue;
}

function conflicts(a: RecordLock, owner: object, type: number, start: number, end: number): boolean {
  return a.owner !== owner && a.start <= end && start <= a.end && (a.type === F_WRLCK || type === F_WRLCK);
}

/** F_GETLK: the first lock that would conflict with [start, end] of type, or null. */
export function testLock(inode: Inode, owner: object, type: number, start: number, end: number): RecordLock | null {
  const l = locksOf(inode, false);
  if (l === undefined) return null;
  return l.records.find((r) => conflicts(r, owner, type, start, end)) ?? null;
}

/**
 * F_SETLK: takes, changes or releases owner's lock on [start, end].
 * Returns 0, -EAGAIN (a conflicting lock: the caller may wait), -EDEADLK
 * (waiting would deadlock; POSIX locks with `wait` only), -ENOLCK.
 */
export function setLock(inode: Inode, owner: object, pid: number, ofd: boolean, type: number, start: number, end: number,
  wait: boolean): number {
  const l = locksOf(inode, type !== F_UNLCK);
  if (l === undefined) return 0;
  if (type !== F_UNLCK) {
    const blocker = l.records.find((r) => conflicts(r, owner, type, start, end));
    if (blocker !== undefined) {
      if (wait && !ofd && !blocker.ofd) {
        // Would the blocker (or whoever it waits for) ever wait for us?
        for (let o: object | undefined = blocker.owner, n = 0; o !== undefined && n < 10000; o = waitingFor.get(o), n++) {
          if (o === owner) return -35; // EDEADLK
        }
        waitingFor.set(owner, blocker.owner);
      }
      return -11; // EAGAIN
    }
  }
  waitingFor.delete(owner);
  // Cut the owner's locks out of [start, end], keeping what lies outside.
  const kept: RecordLock[] = [];
  for (const r of l.records) {
    if (r.owner !== owner || r.end < start || r.start > end) {
      kept.push(r);
      continue;
    }
    if (r.start < start) kept.push({ ...r, end: start - 1 });
    if (r.end > end) kept.push({ ...r, start: end + 1 });
  }
  if (type !== F_UNLCK) {
    // Coalesce with the owner's adjacent locks of the same type.
    let s = start, e = end;
    const merged: RecordLock[] = [];
    for (const r of kept) {
      if (r.owner === owner && r.type === type && (r.end === s - 1 || r.start === e + 1)) {
        s = Math.min(s, r.start);
        e = Math.max(e, r.end);
      } else {
        merged.push(r);
      }
    }
    if (merged.length >= MAX_RECORDS_PER_FILE) return -37; // ENOLCK
    merged.push({ owner, pid, type, start: s, end: e, ofd });
    setRecords(l, merged);
  } else {
    setRecords(l, kept);
  }
  l.queue.notify(1);
  dropIfEmpty(inode, l);
  return 0;
}

/** flock(2): LOCK_SH (F_RDLCK), LOCK_EX (F_WRLCK) or LOCK_UN (F_UNLCK) for description f; 0 or -EAGAIN. */
export function flock(inode: Inode, f: object, type: number): number {
  const l = locksOf(inode, type !== F_UNLCK);
  if (l === undefined) return 0;
  if (l.flocks.delete(f)) {
    // A conversion gives up the old lock first, as Linux's does.
    liveFlocks--;
    l.queue.notify(1);
  }
  if (type === F_UNLCK) {
    dropIfEmpty(inode, l);
    return 0;
  }
  for (const [o, t] of l.flocks) {
    if (o !== f && (t === F_WRLCK || type === F_WRLCK)) {
      dropIfEmpty(inode, l);
      return -11; // EAGAIN
    }
  }
  l.flocks.set(f, type);
  liveFlocks++;
  return 0;
}

/** A descriptor table closed a descriptor of the file: its POSIX locks on it go (locks_remove_posix). */
export function releasePosixLocks(inode: Inode, owner: object): void {
  if (liveRecords === 0) return;
  const l = locksOf(inode, false);
  if (l === undefined || !l.records.some((r) => r.owner === owner && !r.ofd)) return;
  setRecords(l, l.records.filter((r) => r.owner !== owner || r.ofd));
  waitingFor.delete(owner);
  l.queue.notify(1);
  dropIfEmpty(inode, l);
}

/** The last reference to a description went: its OFD and flock locks go. */
export function releaseFileLocks(inode: Inode, f: object): void {
  if (liveRecords === 0 && liveFlocks === 0) return;
  const l = locksOf(inode, false);
  if (l === undefined) return;
  const hadFlock = l.flocks.delete(f);
  if (hadFlock) liveFlocks--;
  if (!hadFlock && !l.records.some((r) => r.owner === f)) return;
  setRecords(l, l.records.filter((r) => r.owner !== f));
  l.queue.notify(1);
  dropIfEmpty(inode, l);
}
