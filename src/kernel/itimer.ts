// Interval timers (gVisor pkg/sentry/kernel/time): alarm(2) and
// setitimer(2)'s ITIMER_REAL, which send SIGALRM to the process when they
// expire. The timer is a deadline and an interval (plain data); the Node
// timer that fires it is re-created from them.

import type { Task } from './task.js';
import { sendToProcess, makeSiginfo, SI_KERNEL } from './signals.js';

const SIGALRM = 14;

export interface ITimerState {
  /** Monotonic ms when it next fires, or 0 when disarmed. */
  deadline: number;
  /** Re-arm interval in ms (0: one-shot). */
  interval: number;
}

const handles = new WeakMap<ITimerState, NodeJS.Timeout>();

/** Remaining time and interval of the real-time timer, in ms. */
export function getITimerReal(t: Task): { value: number; interval: number } {
  const s = t.tg.itimerReal;
  if (s.deadline === 0) return { value: 0, interval: s.interval };
  return { value: Math.max(0.001, s.deadline - t.kernel.monotonicMs()), interval: s.interval };
}

/** Arms (value > 0) or disarms the real-time timer; values in ms. */
export function setITimerReal(t: Task, value: number, interval: number): void {
  const s = t.tg.itimerReal;
  const old = handles.get(s);
  if (old !== undefined) clearTimeout(old);
  handles.delete(s);
  s.interval = interval;
  s.deadline = value > 0 ? t.kernel.monotonicMs() + value : 0;
  if (value > 0) schedule(t, s);
}

function schedule(t: Task, s: ITimerState): void {
  const h = setTimeout(() => {
    handles.delete(s);
    if (t.tg.exitStatus !== null) return;
    if (t.kernel.monotonicMs() < s.deadline - 1) {
      // A deadline beyond Node's longest timer (2^31-1 ms): wait again.
      schedule(t, s);
      return;
    }
    // SI_KERNEL is what Linux reports for an itimer's SIGALRM.
    sendToProcess(t.tg, makeSiginfo(SIGALRM, SI_KERNEL));
    if (s.interval > 0) {
      s.deadline += s.interval;
      schedule(t, s);
    } else {
      s.deadline = 0;
    }
  }, Math.min(2 ** 31 - 1, Math.max(0, Math.ceil(s.deadline - t.kernel.monotonicMs()))));
  h.unref();
  handles.set(s, h);
}

/** Stops the timer when the process exits. */
export function cancelITimers(t: Task): void {
  const old = handles.get(t.tg.itimerReal);
  if (old !== undefined) clearTimeout(old);
  handles.delete(t.tg.itimerReal);
}
