// Clocks and sleeping: clock_gettime(2), clock_getres(2),
// gettimeofday(2), time(2), nanosleep(2), clock_nanosleep(2).
//
// CLOCK_REALTIME is the host's; CLOCK_MONOTONIC and CLOCK_BOOTTIME count
// from the sandbox's boot. A sleep parks the task with a deadline, so it
// can be woken early by a signal and restarted.
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

/** Now on clock id, in ns (as a number: exact to 2^53 ns, which is ~104 days for monotonic and µs-rounded for realtime). */
function clockNow(t: Task, id: number): number | null {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
      return (t.kernel.bootRealtimeMs + (performance.now() - t.kernel.bootMono)) * 1e6;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      return t.kernel.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      // One thread per process for now: both are the thread's CPU time.
      return t.ctx.cpuTime()?.totalNs ?? 0;
    default:
      return null;
  }
}

function putTimespec(t: Task, addr: number, ns: number): number {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const sec = Math.floor(ns / 1e9);
  putU64(dv, 0, sec);
  putU64(dv, 8, Math.floor(ns - sec * 1e9));
  return copyOut(t, addr, b) < 0 ? -EFAULT : 0;
}

export function sysClockGettime(t: Task): number {
  const now = clockNow(t, t.regs.argInt(0));
  if (now === null) return -EINVAL;
  return putTimespec(t, t.regs.arg(1), now);
}

export function sysClockGetres(t: Task): number {
  const id = t.regs.argInt(0);
  if (clockNow(t, id) === null) return -EINVAL;
  const addr = t.regs.arg(1);
  if (addr === 0) return 0;
  const coarse = id === CLOCK_REALTIME_COARSE || id === CLOCK_MONOTONIC_COARSE;
  return putTimespec(t, addr, coarse ? 4000000 : 1);
}

export function sysGettimeofday(t: Task): number {
  const tv = t.regs.arg(0), tz = t.regs.arg(1);
  const ns = clockNow(t, CLOCK_REALTIME) as number;
  if (tv !== 0) {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    const sec = Math.floor(ns / 1e9);
    putU64(dv, 0, sec);
    putU64(dv, 8, Math.floor((ns - sec * 1e9) / 1000));
    if (copyOut(t, tv, b) < 0) return -EFAULT;
  }
  if (tz !== 0 && copyOut(t, tz, new Uint8Array(8)) < 0) return -EFAULT;
  return 0;
}

export function sysTime(t: Task): number {
  const sec = Math.floor((clockNow(t, CLOCK_REALTIME) as number) / 1e9);
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
  const nowMs = performance.now();
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
  const now = clockNow(t, clock);
  if (now === null) return -EINVAL;
  if (t.syscallState !== null) return sleep(t, clock, 0, 0);
  const ns = readTimespec(t, r.arg(2));
  if (ns < 0) return ns;
  const rel = flags & TIMER_ABSTIME ? Math.max(0, ns - now) : ns;
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
