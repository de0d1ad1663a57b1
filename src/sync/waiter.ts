// Wait queues (gVisor pkg/waiter): how an object with readiness (a pipe,
// a terminal, a timer) tells the tasks waiting on it that something
// changed. A waiter is a callback plus the event mask it cares about; the
// kernel's waiter callback makes a blocked task runnable again, and the
// task re-runs its system call from the start.

export const EVENT_IN = 0x1;
export const EVENT_PRI = 0x2;
export const EVENT_OUT = 0x4;
export const EVENT_ERR = 0x8;
export const EVENT_HUP = 0x10;
export const EVENT_RDHUP = 0x2000;

export interface Waiter {
  mask: number;
  notify(events: number): void;
}

export class WaitQueue {
  private readonly waiters = new Set<Waiter>();

  register(w: Waiter): void {
    this.waiters.add(w);
  }

  unregister(w: Waiter): void {
    this.waiters.delete(w);
  }

  /** Wakes every waiter interested in any of `events`. */
  notify(events: number): void {
    for (const w of [...this.waiters]) if (w.mask & events) w.notify(events);
  }

  get empty(): boolean {
    return this.waiters.size === 0;
  }
}
