// timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): the timer is
// kernel/timerfd.ts; reading it is read(2).

import type { Task } from '../../kernel/task.js';
import { TimerFD } from '../../kernel/timerfd.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import { EBADF, EFAULT, EINVAL, EPERM, copyOut, installNew, putU64 } from '../support.js';
import { readTimespec } from './sys_time.js';
import { CAP_WAKE_ALARM } from '../../abi/linux/capability.js';

const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;
const TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;

export function sysTimerfdCreate(t: Task): number {
  const clock = t.regs.argInt(0), flags = t.regs.argInt(1);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  if (![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM].includes(clock)) {
    return -EINVAL;
  }
  // Alarm clocks need CAP_WAKE_ALARM.
  if ((clock === CLOCK_REALTIME_ALARM || clock === CLOCK_BOOTTIME_ALARM) && !t.creds.hasCapabilityInRoot(CAP_WAKE_ALARM)) return -EPERM;
  const f = new TimerFD(t.kernel, clock, flags & O_NONBLOCK);
  return installNew(t, f, (flags & O_CLOEXEC) !== 0);
}

function timerOf(t: Task, fd: number): TimerFD | number {
  const f = t.fdTable.get(fd);
  if (f === undefined) return -EBADF;
  return f instanceof TimerFD ? f : -EINVAL;
}

/** Writes an itimerspec of (value, interval) in ms. */
function putItimerspec(t: Task, addr: number, v: { value: number; interval: number }): number {
  const b = new Uint8Array(32);
  const dv = new DataView(b.buffer);
  const put = (o: number, ms: number) => {
    const ns = Math.round(ms * 1e6);
    putU64(dv, o, Math.floor(ns / 1e9));
    putU64(dv, o + 8, ns % 1e9);
  };
  put(0, v.interval);
  put(16, v.value);
  return copyOut(t, addr, b) < 0 ? -EFAULT : 0;
}

export function sysTimerfdGettime(t: Task): number {
  const tf = timerOf(t, t.regs.argInt(0));
  if (typeof tf === 'number') return tf;
  return putItimerspec(t, t.regs.arg(1), tf.get());
}

export function sysTimerfdSettime(t: Task): number {
  const r = t.regs;
  const flags = r.argInt(1);
  // Linux's order: the new value is read, then it and the flags are checked, then the descriptor.
  const interval = readTimespec(t, r.arg(2));
  const value = readTimespec(t, r.arg(2) + 16);
  if (interval === -EFAULT || value === -EFAULT) return -EFAULT;
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return -EINVAL;
  if (interval < 0) return interval;
  if (value < 0) return value;
  const tf = timerOf(t, r.argInt(0));
  if (typeof tf === 'number') return tf;
  if (r.arg(3) !== 0 && putItimerspec(t, r.arg(3), tf.get()) < 0) return -EFAULT;
  if (value === 0) {
    tf.set(0, interval / 1e6);
    return 0;
  }
  const now = t.kernel.monotonicMs();
  let deadline: number;
  if (!(flags & TFD_TIMER_ABSTIME)) deadline = now + value / 1e6;
  else if (tf.clock === CLOCK_REALTIME || tf.clock === CLOCK_REALTIME_ALARM) deadline = now + (value / 1e6 - t.kernel.realtimeMs());
  else deadline = value / 1e6;
  // A deadline already past expires at once.
  tf.set(Math.max(deadline, 1e-6), interval / 1e6);
  return 0;
}
