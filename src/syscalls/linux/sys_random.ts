// getrandom(2): bytes from the host's CSPRNG. The sandbox's entropy pool is
// always initialised, so GRND_NONBLOCK never fails with EAGAIN.

import type { Task } from '../../kernel/task.js';
import { native } from '../../native.js';
import { EINVAL, ioViews } from '../support.js';

const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

export function sysGetrandom(t: Task): number {
  const r = t.regs;
  const flags = r.argU32(2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE)) return -EINVAL;
  const len = Math.min(r.arg(1), 0x1ffffff);
  if (len === 0) return 0;
  const io = ioViews(t, r.arg(0), len, true);
  if (typeof io === 'number') return io;
  for (const v of io.views) {
    for (let o = 0; o < v.length; o += 65536) native.getRandom(v.subarray(o, Math.min(v.length, o + 65536)));
  }
  return io.total;
}
