// uname(2), sethostname(2), setdomainname(2): the sandbox's UTS names.

import type { Task } from '../../kernel/task.js';
import { UTSNamespace } from '../../kernel/uts.js';
import { EFAULT, EINVAL, EPERM, copyOut } from '../support.js';
import { CAP_SYS_ADMIN } from '../../abi/linux/capability.js';

export function sysUname(t: Task): number {
  const b = Buffer.alloc(65 * 6);
  const u = t.kernel.uts;
  [UTSNamespace.sysname, u.hostName, UTSNamespace.release, UTSNamespace.version, UTSNamespace.machine, u.domainName]
    .forEach((s, i) => b.write(s.slice(0, 64), i * 65, 'latin1'));
  return copyOut(t, t.regs.arg(0), b) < 0 ? -EFAULT : 0;
}

function setName(t: Task, domain: boolean): number {
  const len = t.regs.argInt(1);
  // CAP_SYS_ADMIN over the UTS namespace: in the user namespace that owns it (the kernel's).
  if (!t.creds.hasCapabilityIn(CAP_SYS_ADMIN, t.kernel.userns)) return -EPERM;
  if (len < 0 || len > 64) return -EINVAL;
  const b = t.mm.copyIn(t.regs.arg(0), len);
  if (b === null) return -EFAULT;
  const s = Buffer.from(b).toString('latin1');
  if (domain) t.kernel.uts.domainName = s; else t.kernel.uts.hostName = s;
  return 0;
}

export function sysSethostname(t: Task): number { return setName(t, false); }
export function sysSetdomainname(t: Task): number { return setName(t, true); }
