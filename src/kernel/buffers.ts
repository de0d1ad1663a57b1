// The Sentry's budget for data held inside the sandbox's kernel objects:
// pipe rings and socket queues. A hostile program could otherwise fill the
// Sentry's memory with buffers (each pipe 64 KiB, each socket queue 208 KiB,
// times every descriptor of every process). Beyond the budget a new pipe
// gets one page, as Linux's pipe-user-pages-soft gives it, and a socket
// send waits (or fails with EAGAIN) until readers drain some. Those single
// pages may pass the budget by FORCED_MAX at most (Linux's
// pipe-user-pages-hard); past that a pipe's first write waits too.
//
// What is charged: a pipe's ring (its capacity); a socket message's data,
// its own heap (MESSAGE_COST, which covers a datagram's sender address:
// the name is shared, not copied) and RIGHT_COST per description it
// carries in flight (kernel/unix_socket.ts). Credentials are not queued
// per message (SO_PEERCRED is kept per socket).

import type { WaitQueue } from '../sync/waiter.js';
import { EVENT_OUT } from '../sync/waiter.js';

export const BUFFER_BUDGET = 256 * 1024 * 1024;
/** How far the one page each pipe gets may take the total past the budget. */
export const FORCED_MAX = 64 * 1024 * 1024;
let used = 0;

/**
 * The queues of writers the budget refused: a writer waits on its own
 * file's queue, which nothing of its own file may ever wake (the budget is
 * freed by other pipes and sockets), so each is told once budget comes back.
 */
const starved = new Set<WaitQueue>();

/** Takes n bytes of the budget; false (nothing taken) if they do not fit, and `waiter` is woken when some come back. */
export function chargeBuffers(n: number, waiter?: WaitQueue): boolean {
  if (used + n > BUFFER_BUDGET) {
    if (waiter !== undefined) starved.add(waiter);
    return false;
  }
  used += n;
  return true;
}

/** Takes n bytes past the budget (the one page every pipe gets), up to FORCED_MAX beyond it; false if not (as above). */
export function forceChargeBuffers(n: number, waiter?: WaitQueue): boolean {
  if (used + n > BUFFER_BUDGET + FORCED_MAX) {
    if (waiter !== undefined) starved.add(waiter);
    return false;
  }
  used += n;
  return true;
}

export function unchargeBuffers(n: number): void {
  used -= n;
  if (starved.size === 0) return;
  const woken = [...starved];
  starved.clear();
  for (const q of woken) q.notify(EVENT_OUT);
}
