// The task whose system call the Sentry is serving (Linux's `current`),
// for the code that file operations reach without a task argument: the
// terminal's job-control checks, the controlling terminal an open
// acquires, /dev/tty, procfs's /proc/self and its ptrace access checks. The kernel's run loop sets it before it runs a task;
// tasks run one at a time, so it is always the caller while a call is
// served.

import type { Task } from './task.js';

let running: Task | null = null;

export function setCurrentTask(t: Task | null): void {
  running = t;
}

/** The calling task, or null outside a system call (boot, a release on the event loop). */
export function currentTask(): Task | null {
  return running;
}
