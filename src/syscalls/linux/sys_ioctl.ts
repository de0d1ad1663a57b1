// ioctl(2): the generic requests (FIONCLEX, FIOCLEX, FIONBIO, FIOASYNC)
// here, everything else by the file (terminal requests on a host
// terminal, for example).

import type { Task } from '../../kernel/task.js';
import { O_NONBLOCK, O_PATH } from '../../vfs/file_description.js';
import { EBADF, EFAULT, copyInStruct, ioctlIO } from '../support.js';
import { EINVAL } from '../../abi/linux/errno.js';

const FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIONBIO = 0x5421, FIOASYNC = 0x5452;

export function sysIoctl(t: Task): number {
  const r = t.regs;
  const fd = r.argInt(0), req = r.argU32(1), arg = r.arg(2);
  const f = t.fdTable.get(fd);
  if (f === undefined || f.flags & O_PATH) return -EBADF;
  switch (req) {
    case FIONCLEX:
      return t.fdTable.setCloexec(fd, false);
    case FIOCLEX:
      return t.fdTable.setCloexec(fd, true);
    case FIONBIO: {
      const dv = copyInStruct(t, arg, 4);
      if (dv === null) return -EFAULT;
      if (dv.getInt32(0, true) !== 0) f.flags |= O_NONBLOCK; else f.flags &= ~O_NONBLOCK;
      return 0;
    }
    case FIOASYNC: {
      const dv = copyInStruct(t, arg, 4);
      if (dv === null) return -EFAULT;
      return dv.getInt32(0, true) !== 0 ? -EINVAL : 0;
    }
    default:
      return f.ioctl(req, arg, ioctlIO(t));
  }
}
