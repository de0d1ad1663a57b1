// signalfd(2), signalfd4(2): kernel/signalfd.ts is the file.

import type { Task } from '../../kernel/task.js';
import { SignalFD } from '../../kernel/signalfd.js';
import { O_CLOEXEC, O_NONBLOCK } from '../../vfs/file_description.js';
import { EBADF, EFAULT, EINVAL, copyInStruct, installNew } from '../support.js';

function signalfd(t: Task, fd: number, maskAddr: number, size: number, flags: number): number {
  if (size !== 8) return -EINVAL;
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  const m = copyInStruct(t, maskAddr, 8);
  if (m === null) return -EFAULT;
  const mask = m.getBigUint64(0, true);
  if (fd !== -1) {
    // An existing signalfd gets the new mask.
    const f = t.fdTable.get(fd);
    if (f === undefined) return -EBADF;
    if (!(f instanceof SignalFD)) return -EINVAL;
    f.setMask(mask);
    return fd;
  }
  return installNew(t, new SignalFD(t.tg, mask, flags & O_NONBLOCK), (flags & O_CLOEXEC) !== 0);
}

export function sysSignalfd(t: Task): number {
  const r = t.regs;
  return signalfd(t, r.argInt(0), r.arg(1), r.arg(2), 0);
}

export function sysSignalfd4(t: Task): number {
  const r = t.regs;
  return signalfd(t, r.argInt(0), r.arg(1), r.arg(2), r.argInt(3));
}
