// Freezing the whole sandbox (gVisor's Kernel.Pause/Unpause, which runsc's
// Lifecycle Pause and Resume call; what runc does with the cgroup freezer):
// while frozen, no task runs application code. A task that is running is
// stopped at once (its host thread interrupted, then parked as a job-control
// stop parks it, task_run.ts); a task blocked in a system call stays
// blocked, and if its wait ends (a timer, I/O) it is parked before it
// serves the call again, so nothing returns to the program. Signals
// generated meanwhile (an interval timer's, a kill from outside) stay
// pending and are acted on at thaw, as a frozen cgroup's are, with one
// exception: a task with SIGKILL pending runs far enough to die (the
// Sentry's own exit path, never application code), so `kill -9` of a
// paused container ends it as runc's does (runc thaws a v1 freezer for
// SIGKILL).
//
// The freeze is invisible to the programs, as the freezer is: their
// processes are not "stopped" (no SIGCHLD, wait(2) reports nothing, the
// job-control state is untouched) and their clocks go on.

import type { Kernel } from './kernel.js';
import { TaskState } from './task.js';
import type { Task } from './task.js';
import { sigbit, SIGKILL } from './signals.js';

/** Whether t must not run now because the sandbox is frozen (a pending SIGKILL lets it run to its death). */
export function frozenOut(t: Task): boolean {
  return t.kernel.frozen && (t.pendingMask & sigbit(SIGKILL)) === 0n;
}

/**
 * Whether no task of k can be running application code: every live task's
 * host thread is stopped (parked, blocked in a call, or runnable but not
 * yet resumed: the run loop parks those before it would resume them). A
 * loaded init that was never started is such a one.
 */
export function isFrozen(k: Kernel): boolean {
  if (!k.frozen) return false;
  for (const t of k.pidns.tasks.values()) if (t.state === TaskState.Running && !t.ctx.stopped && frozenOut(t)) return false;
  return true;
}

const SETTLE_POLL_MS = 5;

/**
 * Freezes k: from now no task returns to application code. Resolves once
 * every task is parked or blocked (the ones running when it was called
 * stop within a scheduler turn); rejects, thawing again, if they have not
 * within timeoutMs.
 */
export function freeze(k: Kernel, timeoutMs = 10_000): Promise<void> {
  k.frozen = true;
  // A running thread is stopped by an interrupt; the run loop then parks it.
  for (const t of k.pidns.tasks.values()) if (t.state === TaskState.Running) t.ctx.interrupt();
  return new Promise((resolve, reject) => {
    const until = Date.now() + timeoutMs;
    const check = () => {
      if (isFrozen(k)) {
        resolve();
      } else if (!k.frozen) {
        reject(new Error('the sandbox was thawed before it had frozen'));
      } else if (Date.now() > until) {
        thaw(k);
        reject(new Error(`the sandbox's tasks did not stop within ${timeoutMs} ms`));
      } else {
        setTimeout(check, SETTLE_POLL_MS);
      }
    };
    check();
  });
}

/** Thaws k: every task the freeze parked runs again (one its process's job-control stop holds parks again). */
export function thaw(k: Kernel): void {
  if (!k.frozen) return;
  k.frozen = false;
  for (const t of k.pidns.tasks.values()) if (t.state === TaskState.Blocked && t.parkedStopped) t.wake();
}
