// The locks of one file (Linux's struct file_lock_context; gVisor
// pkg/sentry/vfs/lock.go with fsimpl/lock): its record locks (POSIX and
// open-file-description locks, posix.ts) and its whole-file flock(2)
// locks (flock.ts), with the wait queue their blocked waiters park on.
//
// A file is named by its identity, st_dev and st_ino, read once per open
// file description and kept with it: every file system gives each live
// file a distinct pair (tmpfs keeps one inode object per file, hostfs makes
// a new one per lookup, so the object alone would not do), and a file that
// holds a lock is open, so its pair cannot be reused while the lock lives.
// The state of a file exists only while it has locks or waiters.
//
// Every lock record is charged to one sandbox-wide bound (fileLockBudget):
// a program that asks for more gets ENOLCK, as Linux's when it cannot
// allocate a lock, never a Sentry out of memory. Each call's own work is
// bounded by that count too (the lists are scanned, as Linux's are).
//
// Differs from Linux: offsets beyond 2^53 are rounded to the nearest
// representable number (the Sentry keeps offsets as numbers).

import type { FileDescription, ReleaseWatcher } from '../file_description.js';
import { WaitQueue, EVENT_IN } from '../../sync/waiter.js';
import type { RecordLock } from './posix.js';

/**
 * Lock records in the whole sandbox: each costs ~75 B of heap (measured:
 * 100,000 records of one owner), and a call scans the records of its file,
 * so the bound keeps a full table (~10 MB) and the slowest call (~0.15 ms
 * for a split among 100,000 records) small. Past it: ENOLCK.
 */
export const DEFAULT_MAX_FILE_LOCKS = 1 << 17;

/** The lock records the sandbox holds now, and the most it may (kernel/limits.ts may change max before start). */
export const fileLockBudget = { used: 0, max: DEFAULT_MAX_FILE_LOCKS };

/** Takes n records from the budget; false (nothing taken) when they do not fit. */
export function chargeLocks(n: number): boolean {
  if (n <= 0) return true;
  if (fileLockBudget.used + n > fileLockBudget.max) return false;
  fileLockBudget.used += n;
  return true;
}

export function unchargeLocks(n: number): void {
  fileLockBudget.used -= n;
}

/** An owner of record locks: a process's file table (POSIX locks) or an open file description (OFD locks). */
export type LockOwner = object;

export class FileLocks {
  /** Record locks by owner; each owner's list is sorted by start and never overlaps itself. */
  readonly records = new Map<LockOwner, RecordLock[]>();
  /** flock(2) locks: the description holding one, and whether it is exclusive. */
  readonly flocks = new Map<FileDescription, boolean>();
  /** Tasks waiting for any lock of this file to change; woken on every change, each tries again. */
  readonly queue = new WaitQueue();

  constructor(readonly key: string) {}

  /** Wakes the waiters; called after any lock of the file goes or shrinks. */
  changed(): void {
    this.queue.notify(EVENT_IN);
    this.dropIfUnused();
  }

  /** Forgets this file's state when nothing is left in it. */
  dropIfUnused(): void {
    if (this.records.size === 0 && this.flocks.size === 0 && this.queue.empty) files.delete(this.key);
  }
}

const files = new Map<string, FileLocks>();
const keys = new WeakMap<FileDescription, string>();

/** The identity of f's file, read once per description. */
export function lockKey(f: FileDescription): string {
  let k = keys.get(f);
  if (k === undefined) {
    const st = f.stat();
    // A file that cannot say who it is is locked by itself alone.
    k = typeof st === 'number' ? `fd${f.id}` : `${st.dev}:${st.ino}`;
    keys.set(f, k);
  }
  return k;
}

/** The lock state of f's file, made if `create`, else null when the file has none. */
export function locksOf(f: FileDescription, create: boolean): FileLocks | null {
  const key = lockKey(f);
  let l = files.get(key);
  if (l === undefined && create) {
    l = new FileLocks(key);
    files.set(key, l);
  }
  return l ?? null;
}

/** The state of the file with this key, if it has any (for owners that know their files by key). */
export function locksByKey(key: string): FileLocks | null {
  return files.get(key) ?? null;
}

/**
 * What a description's last reference must release (Linux's
 * locks_remove_file): its flock lock and its OFD locks. Registered once
 * per description, when it first takes one.
 */
const releasers = new WeakMap<FileDescription, ReleaseWatcher>();
type DescriptionRelease = (f: FileDescription) => void;
const onDescriptionRelease: DescriptionRelease[] = [];

/** Registers what runs when a description that took locks is released (flock.ts and posix.ts each add one). */
export function onRelease(fn: DescriptionRelease): void {
  onDescriptionRelease.push(fn);
}

/** Makes sure f's release reaches the lock code. */
export function watchRelease(f: FileDescription): void {
  if (releasers.has(f)) return;
  const w: ReleaseWatcher = {
    fileReleased: () => {
      releasers.delete(f);
      for (const fn of onDescriptionRelease) fn(f);
    },
  };
  releasers.set(f, w);
  (f.releaseWatchers ??= new Set()).add(w);
}
