// flock(2) locks (Linux fs/locks.c flock_lock_inode): one whole-file lock,
// shared or exclusive, per open file description, so descriptors made by
// dup(2) or inherited across fork share it, and it goes when the
// description's last reference does. They never conflict with record
// locks (posix.ts), as on Linux's local file systems.
//
// Converting a lock is not atomic, as Linux documents: the old lock goes
// first (its waiters are woken), then the new one is tried, and a
// conversion that must wait waits without the old lock.

import type { FileDescription } from '../file_description.js';
import { EAGAIN, ENOLCK } from '../../abi/linux/errno.js';
import { chargeLocks, FileLocks, locksOf, onRelease, unchargeLocks, watchRelease } from './file_locks.js';

/**
 * Sets f's flock lock: exclusive, shared, or none (null). Returns 0, an
 * errno (EAGAIN when it would wait and `nonblock`; ENOLCK at the bound),
 * or the file's locks whose queue to wait on before trying again.
 */
export function flockSet(f: FileDescription, exclusive: boolean | null, nonblock: boolean): number | FileLocks {
  const fl = locksOf(f, exclusive !== null);
  if (fl === null) return 0;
  const held = fl.flocks.get(f);
  if (held !== undefined) {
    if (held === exclusive) return 0;
    fl.flocks.delete(f);
    unchargeLocks(1);
    fl.queue.notify(0x1);
  }
  if (exclusive === null) {
    fl.dropIfUnused();
    return 0;
  }
  for (const [other, ex] of fl.flocks) {
    if (other !== f && (ex || exclusive)) {
      if (nonblock) {
        fl.dropIfUnused();
        return -EAGAIN;
      }
      return fl;
    }
  }
  if (!chargeLocks(1)) {
    fl.dropIfUnused();
    return -ENOLCK;
  }
  fl.flocks.set(f, exclusive);
  watchRelease(f);
  return 0;
}

// The description's last reference releases its flock lock.
onRelease((f) => {
  const fl = locksOf(f, false);
  if (fl === null || !fl.flocks.delete(f)) return;
  unchargeLocks(1);
  fl.changed();
});
