// msgget(2), msgsnd(2), msgrcv(2), msgctl(2): SysV message queues in the
// caller's IPC namespace (kernel/ipc/msg.ts), in Linux's order of checks
// (ipc/msg.c). A send to a full queue and a receive from a queue without
// a message it may take wait on the queue (IPC_NOWAIT: EAGAIN and ENOMSG);
// a signal ends the wait as Linux's ERESTARTNOHAND does (EINTR after a
// handler, restarted otherwise), the queue's removal with EIDRM.
//
// Differs from Linux: see kernel/ipc/msg.ts (the order waiters go in).

import type { Task } from '../../kernel/task.js';
import {
  MSGMNB_DEFAULT, MSG_COPY, MSG_EXCEPT, MSG_INFO, MSG_NOERROR, MSG_STAT, MSG_STAT_ANY, MSQID_DS_SIZE, Queue, Search,
} from '../../kernel/ipc/msg.js';
import { IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT, ipcPermits } from '../../kernel/ipc/object.js';
import { CAP_SYS_RESOURCE } from '../../abi/linux/capability.js';
import { ipcSetOrRemove, ipcStat } from './ipc_ctl.js';
import { E2BIG, EACCES, EAGAIN, EFAULT, EINVAL, EPERM } from '../support.js';
import { EIDRM, ENOMSG, ERESTARTNOHAND } from '../../abi/linux/errno.js';

/** MSGSSZ, MSGSEG, and MSGPOOL, MSGMAP, MSGTQL of Linux's defaults: what IPC_INFO reports. */
const MSGSSZ = 16, MSGSEG = 0xffff, MSGPOOL = (32000 * MSGMNB_DEFAULT) / 1024, MSGMAP = MSGMNB_DEFAULT, MSGTQL = MSGMNB_DEFAULT;
const INT_MAX = 0x7fffffff;

export function sysMsgget(t: Task): number {
  const r = t.regs;
  const ns = t.ipcns;
  return ns.msg.get(t.kernel, t.creds, ns.userns, r.argInt(0), r.argInt(1));
}

/** A re-run after a wait: the queue it waited on, which may have gone meanwhile (EIDRM). */
function waitedOn(t: Task): Queue | undefined {
  const st = t.syscallState;
  const q = st?.msgQueue as Queue | undefined;
  if (st !== null && q !== undefined) st.msgQueue = undefined;
  return q;
}

function wait(t: Task, q: Queue): number {
  const st = t.syscallState ?? (t.syscallState = {});
  st.msgQueue = q;
  st.interruptErr = ERESTARTNOHAND;
  return t.block([q.queue], 0x1);
}

export function sysMsgsnd(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), addr = r.arg(1), flag = r.argInt(3);
  const prev = waitedOn(t);
  const sizeBig = r.argBig(2);
  const ns = t.ipcns;
  const hdr = t.mm.copyIn(addr, 8);
  if (hdr === null) return -EFAULT;
  const type = new DataView(hdr.buffer, hdr.byteOffset, 8).getBigInt64(0, true);
  if (sizeBig > BigInt(ns.msg.msgmax) || sizeBig >= 2n ** 63n || id < 0) return -EINVAL;
  if (type < 1n) return -EINVAL;
  const size = Number(sizeBig);
  const data = t.mm.copyIn(addr + 8, size);
  if (data === null) return -EFAULT;
  const q = ns.msg.objects.findById(id);
  if (q === undefined) return prev !== undefined && prev.perm.deleted ? -EIDRM : -EINVAL;
  if (!ipcPermits(t.creds, q.perm, 0o222, ns.userns)) return -EACCES;
  if (q.fits(size) && q.send({ type, data }, t.tg.tgidPid)) return 0;
  if (flag & IPC_NOWAIT) return -EAGAIN;
  return wait(t, q);
}

export function sysMsgrcv(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), addr = r.arg(1), flag = r.argInt(4);
  const prev = waitedOn(t);
  const sizeBig = r.argBig(2);
  let typ = r.argBig(3);
  if (typ >= 2n ** 63n) typ -= 2n ** 64n;
  let mode: Search;
  if (flag & MSG_COPY) mode = Search.Number;
  else if (typ === 0n) mode = Search.Any;
  else if (typ < 0n) {
    mode = Search.LessEqual;
    typ = typ === -(2n ** 63n) ? 2n ** 63n - 1n : -typ;
  } else mode = flag & MSG_EXCEPT ? Search.NotEqual : Search.Equal;
  if (flag & MSG_COPY && (flag & MSG_EXCEPT || !(flag & IPC_NOWAIT))) return -EINVAL;
  if (id < 0 || sizeBig >= 2n ** 63n) return -EINVAL;
  const ns = t.ipcns;
  const q = ns.msg.objects.findById(id);
  if (q === undefined) return prev !== undefined && prev.perm.deleted ? -EIDRM : -EINVAL;
  if (!ipcPermits(t.creds, q.perm, 0o444, ns.userns)) return -EACCES;
  const i = q.find(mode, typ);
  if (i < 0) {
    if (flag & IPC_NOWAIT) return -ENOMSG;
    return wait(t, q);
  }
  const bufsz = Number(sizeBig > BigInt(ns.msg.msgmax) && flag & MSG_COPY ? BigInt(ns.msg.msgmax) : sizeBig);
  const m0 = q.messages[i];
  if (bufsz < m0.data.length && !(flag & MSG_NOERROR)) return -E2BIG;
  const m = flag & MSG_COPY ? m0 : q.take(i, t.tg.tgidPid);
  const n = Math.min(bufsz, m.data.length);
  const out = new Uint8Array(8 + n);
  new DataView(out.buffer).setBigInt64(0, m.type, true);
  out.set(m.data.subarray(0, n), 8);
  // As Linux, a message taken is gone even if it cannot be written out.
  return t.mm.copyOut(addr, out) < 0 ? -EFAULT : n;
}

/** struct msqid64_ds for q. */
function msqidDs(t: Task, q: Queue): Uint8Array {
  const b = new Uint8Array(MSQID_DS_SIZE);
  const d = new DataView(b.buffer);
  q.perm.write(d, 0, t.creds.userns);
  d.setBigInt64(48, BigInt(q.stime), true);
  d.setBigInt64(56, BigInt(q.rtime), true);
  d.setBigInt64(64, BigInt(q.ctime), true);
  d.setBigUint64(72, BigInt(q.bytes), true);
  d.setBigUint64(80, BigInt(q.messages.length), true);
  d.setBigUint64(88, BigInt(q.qbytes), true);
  d.setInt32(96, q.lspid?.nr(t.pidns) ?? 0, true);
  d.setInt32(100, q.lrpid?.nr(t.pidns) ?? 0, true);
  return b;
}

export function sysMsgctl(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), cmd = r.argInt(1), buf = r.arg(2);
  if (id < 0 || cmd < 0) return -EINVAL;
  const ns = t.ipcns;
  const reg = ns.msg;
  switch (cmd) {
    case IPC_INFO: case MSG_INFO: {
      const b = new Uint8Array(32);
      const d = new DataView(b.buffer);
      const info = cmd === MSG_INFO;
      d.setInt32(0, info ? reg.objects.inUse : MSGPOOL, true);
      d.setInt32(4, info ? Math.min(reg.totalMessages, INT_MAX) : MSGMAP, true);
      d.setInt32(8, reg.msgmax, true);
      d.setInt32(12, reg.msgmnb, true);
      d.setInt32(16, reg.msgmni, true);
      d.setInt32(20, MSGSSZ, true);
      d.setInt32(24, info ? Math.min(reg.totalBytes, INT_MAX) : MSGTQL, true);
      d.setUint16(28, MSGSEG, true);
      if (t.mm.copyOut(buf, b) < 0) return -EFAULT;
      return Math.max(0, reg.objects.maxIdx());
    }
    case IPC_STAT: case MSG_STAT: case MSG_STAT_ANY:
      return ipcStat(t, reg.objects, id, cmd, MSG_STAT_ANY, buf, (q) => msqidDs(t, q));
    case IPC_SET: case IPC_RMID:
      return ipcSetOrRemove(t, reg.objects, id, cmd, buf, MSQID_DS_SIZE, (q) => q.remove(), (q, d) => {
        const qbytes = d.getBigUint64(88, true);
        if (qbytes > BigInt(reg.msgmnb) && !t.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE)) return -EPERM;
        // The permissions are checked (ipc_update_perm) after this, as in Linux; qbytes is taken only if they pass.
        return 0;
      }, (q, d) => {
        const qbytes = d.getBigUint64(88, true);
        q.qbytes = Number(qbytes > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : qbytes);
        // Senders may fit now; receivers look again (expunge_all's EAGAIN makes them recheck).
        q.queue.notify(0x1);
      });
    default:
      return -EINVAL;
  }
}
