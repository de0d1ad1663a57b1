// File locks: flock(2), and fcntl(2)'s record-lock commands F_GETLK,
// F_SETLK, F_SETLKW and their open-file-description forms F_OFD_GETLK,
// F_OFD_SETLK, F_OFD_SETLKW (fcntlLock, called by sys_file.ts's fcntl).
// The locks themselves are the VFS's (src/vfs/lock). A call that must wait
// parks the task on the file's lock queue and tries again when any lock
// of the file changes; a signal ends the wait with ERESTARTSYS, so the
// call restarts under SA_RESTART and fails with EINTR otherwise, as
// Linux's flock and F_SETLKW do.
//
// Differs from Linux: a woken F_SETLKW reads its struct flock again (a
// program that changes it while blocked gets the new range); LOCK_MAND is
// ignored (returns 0), as Linux since 5.15.

import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_PATH } from '../../vfs/file_description.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { flockSet } from '../../vfs/lock/flock.js';
import { locksOf, watchRelease } from '../../vfs/lock/file_locks.js';
import {
  addWait, conflicting, OFFSET_MAX, removeWait, setRecord, wouldDeadlock,
} from '../../vfs/lock/posix.js';
import type { LockWait } from '../../vfs/lock/posix.js';
import { EAGAIN, EBADF, EFAULT, EINVAL, EOVERFLOW, copyInStruct, copyOut } from '../support.js';
import { EDEADLK } from '../../abi/linux/errno.js';

const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8, LOCK_MAND = 32;

export function sysFlock(t: Task): number {
  const r = t.regs;
  const cmd = r.argU32(1);
  if (cmd & LOCK_MAND) return 0;
  const op = cmd & ~LOCK_NB;
  if (op !== LOCK_SH && op !== LOCK_EX && op !== LOCK_UN) return -EINVAL;
  const f = t.fdTable.get(r.argInt(0));
  if (f === undefined || (f.flags & O_PATH) !== 0) return -EBADF;
  const exclusive = op === LOCK_UN ? null : op === LOCK_EX;
  if (exclusive !== null && !f.readable && !f.writable) return -EBADF;
  const res = flockSet(f, exclusive, (cmd & LOCK_NB) !== 0);
  if (typeof res === 'number') return res;
  return t.block([res.queue], EVENT_IN);
}

const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
const F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
/** sizeof(struct flock) on x86-64: l_type, l_whence (shorts), l_start, l_len (off_t), l_pid. */
const FLOCK_SIZE = 32;
const BIG_OFFSET_MAX = (1n << 63n) - 1n;

/** A struct flock turned into a byte range (Linux's flock64_to_posix_lock): [start, end] or -errno. */
function rangeOf(f: FileDescription, whence: number, lStart: bigint, lLen: bigint): { start: number; end: number } | number {
  let base: bigint;
  switch (whence) {
    case SEEK_SET: base = 0n; break;
    case SEEK_CUR: base = BigInt(f.offset); break;
    case SEEK_END: {
      const st = f.stat();
      if (typeof st === 'number') return st;
      base = BigInt(st.size);
      break;
    }
    default:
      return -EINVAL;
  }
  if (lStart > BIG_OFFSET_MAX - base) return -EOVERFLOW;
  let start = base + lStart;
  if (start < 0n) return -EINVAL;
  let end: bigint;
  if (lLen > 0n) {
    if (lLen - 1n > BIG_OFFSET_MAX - start) return -EOVERFLOW;
    end = start + lLen - 1n;
  } else if (lLen < 0n) {
    if (start + lLen < 0n) return -EINVAL;
    end = start - 1n;
    start += lLen;
  } else {
    end = BIG_OFFSET_MAX;
  }
  return { start: Number(start), end: end === BIG_OFFSET_MAX ? OFFSET_MAX : Number(end) };
}

/**
 * fcntl(fd, cmd, struct flock *arg) for the record-lock commands, in
 * Linux's order of checks: the struct (EFAULT), the type (EINVAL), the
 * range (EINVAL, EOVERFLOW), l_pid of an OFD command (EINVAL), the access
 * mode for the type (EBADF).
 */
export function fcntlLock(t: Task, f: FileDescription, cmd: number, arg: number): number {
  if ((f.flags & O_PATH) !== 0) return -EBADF;
  const dv = copyInStruct(t, arg, FLOCK_SIZE);
  if (dv === null) return -EFAULT;
  const type = dv.getInt16(0, true), whence = dv.getInt16(2, true);
  const lStart = dv.getBigInt64(8, true), lLen = dv.getBigInt64(16, true), lPid = dv.getInt32(24, true);
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  const owner: object = ofd ? f : t.fdTable;
  if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
    if (type !== F_RDLCK && type !== F_WRLCK) return -EINVAL;
    const range = rangeOf(f, whence, lStart, lLen);
    if (typeof range === 'number') return range;
    if (ofd && lPid !== 0) return -EINVAL;
    const c = conflicting(locksOf(f, false), owner, type === F_WRLCK, range.start, range.end);
    const out = new Uint8Array(FLOCK_SIZE);
    out.set(new Uint8Array(dv.buffer, dv.byteOffset, FLOCK_SIZE));
    const o = new DataView(out.buffer);
    if (c === null) {
      o.setInt16(0, F_UNLCK, true);
    } else {
      o.setInt16(0, c.write ? F_WRLCK : F_RDLCK, true);
      o.setInt16(2, SEEK_SET, true);
      o.setBigInt64(8, BigInt(c.start), true);
      o.setBigInt64(16, c.end === OFFSET_MAX ? 0n : BigInt(c.end) - BigInt(c.start) + 1n, true);
      // The holder's pid is kept as the root namespace's; shown in the caller's (0 outside it), as locks_translate_pid.
      o.setInt32(24, c.pid > 0 ? t.kernel.pidns.threadGroupWithId(c.pid)?.tgidPid.nr(t.pidns) ?? 0 : c.pid, true);
    }
    return copyOut(t, arg, out) < 0 ? -EFAULT : 0;
  }
  if (cmd !== F_SETLK && cmd !== F_SETLKW && cmd !== F_OFD_SETLK && cmd !== F_OFD_SETLKW) return -EINVAL;
  const range = rangeOf(f, whence, lStart, lLen);
  if (typeof range === 'number') return range;
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -EINVAL;
  if ((type === F_RDLCK && !f.readable) || (type === F_WRLCK && !f.writable)) return -EBADF;
  if (ofd && lPid !== 0) return -EINVAL;
  const wait = cmd === F_SETLKW || cmd === F_OFD_SETLKW;
  // A wait this task registered before it was woken ends here; it is made again if it must wait again.
  const prev = t.syscallState?.lockWait as LockWait | undefined;
  if (prev !== undefined) removeWait(prev);
  if (type === F_UNLCK) {
    const fl = locksOf(f, false);
    return fl === null ? 0 : setRecord(fl, owner, -1, null, range.start, range.end);
  }
  const write = type === F_WRLCK;
  const fl = locksOf(f, true) as NonNullable<ReturnType<typeof locksOf>>;
  const c = conflicting(fl, owner, write, range.start, range.end);
  if (c !== null) {
    if (!wait) {
      fl.dropIfUnused();
      return -EAGAIN;
    }
    if (!ofd && wouldDeadlock(owner, c.owner)) return -EDEADLK;
    if (!ofd) {
      const w: LockWait = {
        owner, blocker: c.owner,
        live: () => t.state === TaskState.Blocked && t.syscallState?.lockWait === w,
      };
      addWait(w);
      t.syscallState = { ...(t.syscallState ?? {}), lockWait: w };
    }
    return t.block([fl.queue], EVENT_IN);
  }
  const res = setRecord(fl, owner, ofd ? -1 : t.tg.tgid, write, range.start, range.end);
  if (res === 0 && ofd) watchRelease(f);
  if (res < 0) fl.dropIfUnused();
  return res;
}
