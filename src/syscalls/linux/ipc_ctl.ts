// What shmctl(2), semctl(2) and msgctl(2) share (Linux ipc/util.c and the
// *ctl_stat/*ctl_down functions of ipc/{shm,sem,msg}.c): the STAT commands
// (by id with its sequence checked, or by index for *_STAT and
// *_STAT_ANY, which skips the read check) and IPC_SET/IPC_RMID (the
// structure read first, then the owner-or-admin check, ipc_update_perm and
// the change time).

import type { Task } from '../../kernel/task.js';
import type { IPCPerm, Registry } from '../../kernel/ipc/object.js';
import { IPC_RMID, IPC_STAT, ipcNow, ipcPermits, ownerOrAdmin } from '../../kernel/ipc/object.js';
import { EACCES, EFAULT, EINVAL, EPERM } from '../support.js';

interface Controlled {
  readonly perm: IPCPerm;
  ctime: number;
}

/**
 * IPC_STAT (cmd), or a *_STAT command by index (anyCmd skips the read
 * permission check): the object's structure (ds) copied out to buf; 0 for
 * IPC_STAT, the object's id for the others.
 */
export function ipcStat<T extends Controlled>(t: Task, reg: Registry<T>, id: number, cmd: number, anyCmd: number, buf: number,
  ds: (o: T) => Uint8Array): number {
  const o = cmd === IPC_STAT ? reg.findById(id) : reg.findByIndex(id);
  if (o === undefined) return -EINVAL;
  if (cmd !== anyCmd && !ipcPermits(t.creds, o.perm, 0o444, t.ipcns.userns)) return -EACCES;
  if (t.mm.copyOut(buf, ds(o)) < 0) return -EFAULT;
  return cmd === IPC_STAT ? 0 : o.perm.id;
}

/**
 * IPC_RMID (remove) or IPC_SET: the size bytes of the caller's structure
 * at buf are read first (EFAULT), then the object looked up (EINVAL) and
 * its owner checked (EPERM); check may refuse the change before the
 * permissions are updated (EINVAL for an unmapped id), and apply takes
 * the rest of the structure after.
 */
export function ipcSetOrRemove<T extends Controlled>(t: Task, reg: Registry<T>, id: number, cmd: number, buf: number, size: number,
  remove: (o: T) => void, check?: (o: T, d: DataView) => number, apply?: (o: T, d: DataView) => void): number {
  let d: DataView | null = null;
  if (cmd !== IPC_RMID) {
    const b = t.mm.copyIn(buf, size);
    if (b === null) return -EFAULT;
    d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  const o = reg.findById(id);
  if (o === undefined) return -EINVAL;
  if (!ownerOrAdmin(t.creds, o.perm, t.ipcns.userns)) return -EPERM;
  if (d === null) {
    remove(o);
    return 0;
  }
  const e = check?.(o, d) ?? 0;
  if (e < 0) return e;
  const u = o.perm.update(d, 0, t.creds);
  if (u < 0) return u;
  apply?.(o, d);
  o.ctime = ipcNow(t.kernel);
  return 0;
}
