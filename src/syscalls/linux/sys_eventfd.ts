// eventfd(2), eventfd2(2): kernel/eventfd.ts is the file.

import type { Task } from '../../kernel/task.js';
import { EventFD } from '../../kernel/eventfd.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import { EINVAL, installNew } from '../support.js';

const EFD_SEMAPHORE = 1, EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK;

function create(t: Task, initval: number, flags: number): number {
  if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) return -EINVAL;
  const f = new EventFD(initval, flags & EFD_NONBLOCK, (flags & EFD_SEMAPHORE) !== 0);
  return installNew(t, f, (flags & EFD_CLOEXEC) !== 0);
}

export function sysEventfd(t: Task): number {
  return create(t, t.regs.argU32(0), 0);
}

export function sysEventfd2(t: Task): number {
  return create(t, t.regs.argU32(0), t.regs.argInt(1));
}
