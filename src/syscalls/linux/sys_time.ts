// Clocks and sleeping: clock_gettime(2), clock_getres(2),
// gettimeofday(2), time(2), nanosleep(2), clock_nanosleep(2).
//
// The clocks are the Timekeeper's (kernel/timekeeper.ts), the ones the vDSO
// reads: CLOCK_REALTIME follows the host's; CLOCK_MONOTONIC and
// CLOCK_BOOTTIME count from the sandbox's boot. A sleep parks the task with
// a deadline, so it can be woken early by a signal and restarted.
//
// CPU-time clocks are the host's accounting of the thread that runs the
// program. Differs from Linux: clock_nanosleep on a CPU-time clock sleeps
// on the monotonic clock; resolution is the host's microseconds.

import type { Task } from '../../kernel/task.js';
import { EFAULT, EINVAL, copyInStruct, copyOut, getI64, putU64 } from '../support.js';
import { getITimerReal, setITimerReal } from '../../kernel/itimer.js';
import { ENOSYS, EOPNOTSUPP, ERESTART_RESTARTBLOCK } from '../../abi/linux/errno.js';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
  CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;

const now2 = new Float64Array(2);

/**
 * Reads clock id into now2 as [seconds, nanoseconds] (exact, which a number
 * of realtime nanoseconds would not be). Returns false for an unknown clock.
 */
function readClock(t: Task, id: number): boolean {
  let ns: number;
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
      t.kernel.timekeeper.realtime(now2);
      return true;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      ns = t.kernel.monotonicNs();
      break;
    case CLOCK_PROCESS_CPUTIME_ID:
      ns = t.tg.cpuTime().totalNs;
      break;
    case CLOCK_THREAD_CPUTIME_ID:
      ns = t.ctx.cpuTime()?.totalNs ?? 0;
      break;
    default:
      return false;
  }
  now2[0] = Math.floor(ns / 1e9);
  now2[1] = ns - now2[0] * 1e9;
  return true;
}

function putPair(t: Task, addr: number, a: number, b: number): number {
  const buf = new Uint8Array(16);
  const dv = new DataView(buf.buffer);
  putU64(dv, 0, a);
  putU64(dv, 8, b);
  return copyOut(t, addr, buf) < 0 ? -EFAULT : 0;
}

function putTimespec(t: Task, addr: number, ns: number): number {
  const sec = Math.floor(ns / 1e9);
  return putPair(t, addr, sec, Math.floor(ns - sec * 1e9));
}

export function sysClockGettime(t: Task): number {
  if (!readClock(t, t.regs.argInt(0))) return -EINVAL;
  return putPair(t, t.regs.arg(1), now2[0], Math.floor(now2[1]));
}

export function sysClockGetres(t: Task): number {
  const id = t.regs.argInt(0);
  if (!readClock(t, id)) return -EINVAL;
  const addr = t.regs.arg(1);
  if (addr === 0) return 0;
  const coarse = id === CLOCK_REALTIME_COARSE || id === CLOCK_MONOTONIC_COARSE;
  return putTimespec(t, addr, coarse ? 4000000 : 1);
}

export function sysGettimeofday(t: Task): number {
  const tv = t.regs.arg(0), tz = t.regs.arg(1);
  readClock(t, CLOCK_REALTIME);
  if (tv !== 0 && putPair(t, tv, now2[0], Math.floor(now2[1] / 1000)) < 0) return -EFAULT;
  if (tz !== 0 && copyOut(t, tz, new Uint8Array(8)) < 0) return -EFAULT;
  return 0;
}

export function sysTime(t: Task): number {
  readClock(t, CLOCK_REALTIME);
  const sec = now2[0];
  const addr = t.regs.arg(0);
  if (addr !== 0) {
    const b = new Uint8Array(8);
    putU64(new DataView(b.buffer), 0, sec);
    if (copyOut(t, addr, b) < 0) return -EFAULT;
  }
  return sec;
}

/** Reads a struct timespec as ns; -EFAULT or -EINVAL for a bad one. */
export function readTimespec(t: Task, addr: number): number {
  const dv = copyInStruct(t, addr, 16);
  if (dv === null) return -EFAULT;
  const sec = getI64(dv, 0), nsec = getI64(dv, 8);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  return sec * 1e9 + nsec;
}

const TIMER_ABSTIME = 1;

function sleep(t: Task, clock: number, deadlineNs: number, remAddr: number): number {
  // The deadline is kept across re-runs of the call, in monotonic ms.
  const nowMs = t.kernel.monotonicMs();
  const st = t.syscallState;
  let deadlineMs: number;
  if (st !== null && st.deadline !== undefined) {
    deadlineMs = st.deadline;
  } else {
    deadlineMs = nowMs + deadlineNs / 1e6;
    // Interrupted, the sleep fails with EINTR if a handler runs, else goes on (its deadline is kept).
    t.syscallState = { deadline: deadlineMs, interruptErr: ERESTART_RESTARTBLOCK, remAddr };
  }
  if (nowMs >= deadlineMs) return 0;
  void clock;
  return t.block([], 0, deadlineMs);
}

export function sysNanosleep(t: Task): number {
  const ns = t.syscallState === null ? readTimespec(t, t.regs.arg(0)) : 0;
  if (ns < 0) return ns;
  return sleep(t, CLOCK_MONOTONIC, ns, t.regs.arg(1));
}

export function sysClockNanosleep(t: Task): number {
  const r = t.regs;
  const clock = r.argInt(0), flags = r.argInt(1);
  if (clock === CLOCK_THREAD_CPUTIME_ID) return -EOPNOTSUPP;
  if (!readClock(t, clock)) return -EINVAL;
  if (t.syscallState !== null) return sleep(t, clock, 0, 0);
  const ns = readTimespec(t, r.arg(2));
  if (ns < 0) return ns;
  // An absolute time is compared as seconds and nanoseconds: realtime ns do not fit a number exactly.
  const dv = flags & TIMER_ABSTIME ? copyInStruct(t, r.arg(2), 16) : null;
  const rel = dv !== null ? Math.max(0, (getI64(dv, 0) - now2[0]) * 1e9 + (getI64(dv, 8) - now2[1])) : ns;
  return sleep(t, clock, rel, flags & TIMER_ABSTIME ? 0 : r.arg(3));
}

const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

function putItimerval(t: Task, addr: number, valueMs: number, intervalMs: number): number {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  const tv = (o: number, ms: number) => {
    const us = Math.round(ms * 1000);
    putU64(dv, o, Math.floor(us / 1e6));
    putU64(dv, o + 8, us % 1e6);
  };
  tv(0, intervalMs);
  tv(16, valueMs);
  return copyOut(t, addr, b) < 0 ? -EFAULT : 0;
}

/** getitimer(2): ITIMER_REAL only; the CPU-time timers need CPU accounting (ENOSYS). */
export function sysGetitimer(t: Task): number {
  const which = t.regs.argInt(0);
  if (which === ITIMER_VIRTUAL || which === ITIMER_PROF) return -ENOSYS;
  if (which !== ITIMER_REAL) return -EINVAL;
  const cur = getITimerReal(t);
  return putItimerval(t, t.regs.arg(1), cur.value, cur.interval);
}

/** setitimer(2): ITIMER_REAL only. */
export function sysSetitimer(t: Task): number {
  const r = t.regs;
  const which = r.argInt(0);
  if (which === ITIMER_VIRTUAL || which === ITIMER_PROF) return -ENOSYS;
  if (which !== ITIMER_REAL) return -EINVAL;
  let valueMs = 0, intervalMs = 0;
  if (r.arg(1) !== 0) {
    const dv = copyInStruct(t, r.arg(1), 32);
    if (dv === null) return -EFAULT;
    const isec = getI64(dv, 0), iusec = getI64(dv, 8), vsec = getI64(dv, 16), vusec = getI64(dv, 24);
    if (iusec < 0 || iusec >= 1e6 || vusec < 0 || vusec >= 1e6 || isec < 0 || vsec < 0) return -EINVAL;
    intervalMs = isec * 1000 + iusec / 1000;
    valueMs = vsec * 1000 + vusec / 1000;
  }
  if (r.arg(2) !== 0) {
    const cur = getITimerReal(t);
    if (putItimerval(t, r.arg(2), cur.value, cur.interval) < 0) return -EFAULT;
  }
  setITimerReal(t, valueMs, intervalMs);
  return 0;
}

/** alarm(2): seconds left on the previous alarm, rounded as Linux rounds. */
export function sysAlarm(t: Task): number {
  const secs = t.regs.argU32(0);
  const cur = getITimerReal(t);
  setITimerReal(t, secs * 1000, 0);
  if (cur.value === 0) return 0;
  const left = cur.value / 1000;
  return Math.max(1, Math.round(left));
}
