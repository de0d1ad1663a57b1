// Futexes (gVisor pkg/sentry/kernel/futex): wait queues keyed by address.
// Keys are (address space, address) for private and shared futexes alike,
// since memory is never shared between address spaces yet.

import type { MemoryManager } from '../mm/mm.js';

export interface FutexWaiterEntry {
  mm: MemoryManager;
  addr: number;
  bitset: number;
  woken: boolean;
  wake(): void;
}

export class FutexManager {
  private readonly queues = new Map<MemoryManager, Map<number, FutexWaiterEntry[]>>();

  enqueue(mm: MemoryManager, addr: number, w: FutexWaiterEntry): void {
    let m = this.queues.get(mm);
    if (m === undefined) {
      m = new Map();
      this.queues.set(mm, m);
    }
    const q = m.get(addr);
    if (q === undefined) m.set(addr, [w]);
    else q.push(w);
  }

  dequeue(mm: MemoryManager, addr: number, w: FutexWaiterEntry): void {
    const q = this.queues.get(mm)?.get(addr);
    if (q === undefined) return;
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) this.queues.get(mm)?.delete(addr);
  }

  /** Removes a waiter that stopped waiting (interrupted or timed out). */
  cancel(w: FutexWaiterEntry): void {
    this.dequeue(w.mm, w.addr, w);
  }

  /** Wakes up to n waiters on addr whose bitset intersects; returns how many. */
  wake(mm: MemoryManager, addr: number, n: number, bitset: number): number {
    const q = this.queues.get(mm)?.get(addr);
    if (q === undefined) return 0;
    let woken = 0;
    for (const w of [...q]) {
      if (woken >= n) break;
      if ((w.bitset & bitset) === 0) continue;
      this.dequeue(mm, addr, w);
      w.woken = true;
      w.wake();
      woken++;
    }
    return woken;
  }
}

