// The Sentry's budget for data held inside the sandbox's kernel objects:
// pipe rings and socket queues. A hostile program could otherwise fill the
// Sentry's memory with buffers (each pipe 64 KiB, each socket queue 208 KiB,
// times every descriptor of every process). Beyond the budget a new pipe
// gets one page, as Linux's pipe-user-pages-soft gives it, and a socket
// send waits (or fails with EAGAIN) until readers drain some.

export const BUFFER_BUDGET = 256 * 1024 * 1024;
let used = 0;

/** Takes n bytes of the budget; false (nothing taken) if they do not fit. */
export function chargeBuffers(n: number): boolean {
  if (used + n > BUFFER_BUDGET) return false;
  used += n;
  return true;
}

/** Takes n bytes even past the budget (the one page every pipe gets). */
export function forceChargeBuffers(n: number): void {
  used += n;
}

export function unchargeBuffers(n: number): void {
  used -= n;
}
