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

  add(t: Task): void {
    this.tasks.set(t.tid, t);
  }

  remove(t: Task): void {
    this.tasks.delete(t.tid);
  }
}
