// futex(2): FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET,
// with FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME.
//
// Differs from Linux: requeue, wake-op and the priority-inheritance
// operations return ENOSYS until threads arrive.

import type { Task } from '../../kernel/task.js';
import type { FutexWaiterEntry } from '../../kernel/futex.js';
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT, copyInStruct } from '../support.js';
import { readTimespec } from './sys_time.js';

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

type FutexWaitState = {
  deadline?: number;
  futexWaiter?: FutexWaiterEntry;
  interruptErr?: number;
};

export function sysFutex(t: Task): number {
  const r = t.regs;
  const addr = r.arg(0), op = r.argInt(1), val = r.argU32(2);
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if (op & FUTEX_CLOCK_REALTIME && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_WAIT) return -ENOSYS;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : r.argU32(5);
      if (bitset === 0) return -EINVAL;
      if (addr % 4 !== 0) return -EINVAL;
      const st = t.syscallState as FutexWaitState | null;
      if (st !== null && st.futexWaiter !== undefined) {
        // Run again after waking: by FUTEX_WAKE, or because the deadline passed.
        if (st.futexWaiter.woken) return 0;
        if (st.deadline !== undefined && t.kernel.monotonicMs() >= st.deadline) {
          t.kernel.futexes.cancel(st.futexWaiter);
          return -ETIMEDOUT;
        }
        return t.block([], 0, st.deadline);
      }
      if (st !== null && st.deadline !== undefined && t.kernel.monotonicMs() >= st.deadline) return -ETIMEDOUT;
      // The timeout is read and checked before the futex word, as Linux does.
      let deadline: number | undefined = st?.deadline;
      if (st === null && r.arg(3) !== 0) {
        const ns = readTimespec(t, r.arg(3));
        if (ns < 0) return ns;
        if (cmd === FUTEX_WAIT) deadline = t.kernel.monotonicMs() + ns / 1e6;
        else if (op & FUTEX_CLOCK_REALTIME) deadline = t.kernel.monotonicMs() + (ns / 1e6 - t.kernel.realtimeMs());
        else deadline = ns / 1e6;
      }
      const dv = copyInStruct(t, addr, 4);
      if (dv === null) return -EFAULT;
      if (dv.getUint32(0, true) !== val) return -EAGAIN;
      const entry: FutexWaiterEntry = { mm: t.mm, addr, bitset, woken: false, wake: () => t.wake() };
      t.kernel.futexes.enqueue(t.mm, addr, entry);
      // Interrupted, a timed wait fails with EINTR if a handler runs (ERESTART_RESTARTBLOCK), an untimed one restarts.
      t.syscallState = { deadline, futexWaiter: entry, interruptErr: deadline !== undefined ? 516 : 512 } as FutexWaitState;
      return t.block([], 0, deadline);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : r.argU32(5);
      if (bitset === 0) return -EINVAL;
      if (addr % 4 !== 0) return -EINVAL;
      // A shared futex's key is found through its page, which must be mapped; a private one is just an address.
      if (!(op & FUTEX_PRIVATE_FLAG) && copyInStruct(t, addr, 4) === null) return -EFAULT;
      const n = r.argInt(2) <= 0 ? 0 : r.argInt(2);
      return t.kernel.futexes.wake(t.mm, addr, n, bitset);
    }
    default:
      return -ENOSYS;
  }
}
