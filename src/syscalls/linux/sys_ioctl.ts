// ioctl(2): the generic requests (FIONCLEX, FIOCLEX, FIONBIO, FIOASYNC)
// here, TIOCGPTPEER (it makes a descriptor), everything else by the file:
// the terminal requests of a pty (kernel/tty/pty.ts) or of a host
// terminal (fs/host_fd.ts), FIONREAD on pipes; and on any socket the
// interface ioctls (SIOCGIF*: net/dev_ioctl.ts), as Linux's sock_ioctl
// hands them to dev_ioctl whatever the socket's family.

import type { Task } from '../../kernel/task.js';
import { O_ACCMODE, O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_PATH } from '../../vfs/file_description.js';
import { PtyMasterFD, TIOCGPTPEER } from '../../kernel/tty/pty.js';
import { EBADF, EFAULT, copyInStruct, installNew, ioctlIO } from '../support.js';
import { EINVAL } from '../../abi/linux/errno.js';
import { devIoctl, isDevIoctl } from '../../net/dev_ioctl.js';
import { AF_UNIX, isSocket } from '../../net/socket.js';
import { UnixSocket } from '../../kernel/unix_socket.js';

const FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIONBIO = 0x5421, FIOASYNC = 0x5452;
/** The open flags TIOCGPTPEER takes (Linux's ptm_open_peer). */
const PEER_FLAGS = O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;

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
    case TIOCGPTPEER: {
      // Another terminal answers EIO itself, any other file ENOTTY.
      if (!(f instanceof PtyMasterFD)) return f.ioctl(req, arg, ioctlIO(t));
      const flags = r.argU32(2) & PEER_FLAGS;
      const p = f.pty.openPeer(flags & ~O_CLOEXEC);
      if (typeof p === 'number') return p;
      return installNew(t, p, (flags & O_CLOEXEC) !== 0);
    }
    default:
      if (isDevIoctl(req)) {
        if (isSocket(f)) return devIoctl(t, f.family, req, arg, ioctlIO(t));
        if (f instanceof UnixSocket) return devIoctl(t, AF_UNIX, req, arg, ioctlIO(t));
      }
      return f.ioctl(req, arg, ioctlIO(t));
  }
}
