// Exiting (gVisor pkg/sentry/kernel/task_exit.go): a thread group ends
// with exit_group(2) or a fatal signal. The address space and file table
// are released and the exit status is recorded as wait(2) encodes it.

import { Task, TaskState } from './task.js';
import { sendSignal, userSiginfo } from './signals.js';
import { cancelITimers } from './itimer.js';
import type { FutexWaiterEntry } from './futex.js';

const SIGNAL_CORE = new Set([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);

function finish(t: Task, status: number): void {
  const tg = t.tg;
  if (tg.exitStatus === null) tg.exitStatus = status;
  for (const task of [...tg.tasks]) {
    if (task.state === TaskState.Dead) continue;
    const fw = task.syscallState?.futexWaiter as FutexWaiterEntry | undefined;
    if (fw !== undefined) task.kernel.futexes.cancel(fw);
    task.wake();
    task.state = TaskState.Dead;
    task.fdTable.closeAll();
    task.kernel.taskExited(task);
  }
  cancelITimers(t);
  t.mm.release();
}

/** exit_group(code). */
export function exitThreadGroup(t: Task, code: number): void {
  finish(t, (code & 0xff) << 8);
}

/** Death by signal sig (with a core dump flag where Linux would dump core). */
export function killBySignal(t: Task, sig: number): void {
  finish(t, sig | (SIGNAL_CORE.has(sig) ? 0x80 : 0));
}

/**
 * A signal sent to a thread group from outside the sandbox (tsvisor's own
 * SIGINT/SIGTERM forwarded): generated as if by kill(2) from a process
 * outside the sandbox's pid namespace (si_pid 0).
 */
export function signalFromHost(t: Task, sig: number): void {
  sendSignal(t, userSiginfo(sig, 0, 0, 0));
}
