// PIDNamespace (gVisor pkg/sentry/kernel.PIDNamespace): the ids tasks and
// thread groups are known by. The sandbox has one namespace whose first
// task is pid 1, as in a container.

import type { Task } from './task.js';

export class PIDNamespace {
  private next = 1;
  readonly tasks = new Map<number, Task>();

  allocate(): number {
    while (this.tasks.has(this.next)) this.next++;
    return this.next++;
  }

  /** The last pid handed out (/proc/loadavg's last field; /proc/stat's processes: pids are never reused before it). */
  get lastAllocated(): number {
    return this.next - 1;
  }

  add(t: Task): void {
    this.tasks.set(t.tid, t);
  }

  remove(t: Task): void {
    this.tasks.delete(t.tid);
  }
}
