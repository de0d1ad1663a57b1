// pipe(2) and pipe2(2).

import type { Task } from '../../kernel/task.js';
import { Pipe } from '../../kernel/pipe.js';
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK } from '../../vfs/file_description.js';
import { EFAULT, EINVAL, copyOut, installNew } from '../support.js';

function pipe2(t: Task, addr: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const p = new Pipe(t.creds.fsuid, t.creds.fsgid);
  const status = flags & (O_NONBLOCK | O_DIRECT);
  p.readEnd.flags |= status;
  p.writeEnd.flags |= status;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = installNew(t, p.readEnd, cloexec);
  if (rfd < 0) {
    p.writeEnd.decRef();
    return rfd;
  }
  const wfd = installNew(t, p.writeEnd, cloexec);
  if (wfd < 0) {
    t.fdTable.close(rfd);
    return wfd;
  }
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, rfd, true);
  dv.setInt32(4, wfd, true);
  if (copyOut(t, addr, b) < 0) {
    t.fdTable.close(rfd);
    t.fdTable.close(wfd);
    return -EFAULT;
  }
  return 0;
}

export function sysPipe(t: Task): number {
  return pipe2(t, t.regs.arg(0), 0);
}

export function sysPipe2(t: Task): number {
  return pipe2(t, t.regs.arg(0), t.regs.argInt(1));
}
