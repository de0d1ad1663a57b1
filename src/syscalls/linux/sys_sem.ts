// semget(2), semop(2), semtimedop(2), semctl(2): SysV semaphores in the
// caller's IPC namespace (kernel/ipc/sem.ts), in Linux's order of checks
// (ipc/sem.c). A semop that must wait parks the task on the set's queue
// with its blocking operation counted (GETNCNT/GETZCNT) and tries again
// when the set changes; a signal ends the wait with EINTR (never
// restarted, as Linux), semtimedop's timeout with EAGAIN, the set's
// removal with EIDRM.
//
// Differs from Linux: see kernel/ipc/sem.ts (the order waiters go in).

import type { Task } from '../../kernel/task.js';
import {
  GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, SEMAEM, SEMID_DS_SIZE, SEMVMX, SEM_INFO, SEM_STAT, SEM_STAT_ANY, SEM_UNDO,
  SETALL, SETVAL, Set,
} from '../../kernel/ipc/sem.js';
import type { SemOp, SemWaiter } from '../../kernel/ipc/sem.js';
import { IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, ipcPermits } from '../../kernel/ipc/object.js';
import { readTimespec } from './sys_time.js';
import { ipcSetOrRemove, ipcStat } from './ipc_ctl.js';
import { E2BIG, EACCES, EAGAIN, EFAULT, EFBIG, EINTR, EINVAL, ENOMEM, ERANGE } from '../support.js';
import { EIDRM } from '../../abi/linux/errno.js';

/** SEMMAP, SEMMNU, SEMUME, SEMUSZ: the constants IPC_INFO reports. */
const SEMMAP = 32000, SEMMNU = 32000, SEMUME = 500, SEMUSZ = 20;

export function sysSemget(t: Task): number {
  const r = t.regs;
  const ns = t.ipcns;
  return ns.sem.get(t.kernel, t.creds, ns.userns, r.argInt(0), r.argInt(1), r.argInt(2));
}

export function sysSemop(t: Task): number {
  return semtimedop(t, false);
}

export function sysSemtimedop(t: Task): number {
  return semtimedop(t, true);
}

interface SemWait {
  set: Set;
  waiter: SemWaiter;
}

function semtimedop(t: Task, timed: boolean): number {
  const r = t.regs;
  const id = r.argInt(0), sopsAddr = r.arg(1);
  const st = t.syscallState;
  // A re-run after a wait: it is no longer waiting on what it waited on.
  const prev = st?.semWait as SemWait | undefined;
  if (prev !== undefined && st !== null) {
    prev.set.waiters.delete(prev.waiter);
    st.semWait = undefined;
    st.waitCancel = undefined;
  }
  // nsops is an unsigned int.
  const nsops = r.argU32(2);
  const ns = t.ipcns;
  if (nsops < 1 || id < 0) return -EINVAL;
  if (nsops > ns.sem.semopm) return -E2BIG;
  const b = t.mm.copyIn(sopsAddr, nsops * 6);
  if (b === null) return -EFAULT;
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let timeoutMs: number | undefined;
  if (timed && r.arg(3) !== 0) {
    const ns2 = readTimespec(t, r.arg(3));
    if (ns2 < 0) return ns2;
    timeoutMs = ns2 / 1e6;
  }
  const ops: SemOp[] = [];
  let max = 0, undos = false, alter = false;
  for (let i = 0; i < nsops; i++) {
    const o = { num: d.getUint16(i * 6, true), op: d.getInt16(i * 6 + 2, true), flg: d.getInt16(i * 6 + 4, true) };
    if (o.num > max) max = o.num;
    if (o.flg & SEM_UNDO) undos = true;
    if (o.op !== 0) alter = true;
    ops.push(o);
  }
  const s = ns.sem.objects.findById(id);
  if (s === undefined) {
    // Woken by the removal of the set it waited on.
    if (prev !== undefined && prev.set.perm.deleted) return -EIDRM;
    return -EINVAL;
  }
  if (max >= s.nsems) return -EFBIG;
  if (!ipcPermits(t.creds, s.perm, alter ? 0o222 : 0o444, ns.userns)) return -EACCES;
  const undo = undos ? t.undoList().entryFor(s) : null;
  if (undos && undo === null) return -ENOMEM;
  const res = s.apply(ops, undo, t.tg.tgidPid);
  if (typeof res === 'number') return res;
  if (res.done) return 0;
  // Wait: until the set changes, a signal, or the timeout.
  const state = t.syscallState ?? (t.syscallState = {});
  let deadline: number | undefined;
  if (timeoutMs !== undefined) {
    if (state.deadline === undefined) state.deadline = t.kernel.monotonicMs() + timeoutMs;
    deadline = state.deadline;
    if (t.kernel.monotonicMs() >= deadline) return -EAGAIN;
  }
  const waiter: SemWaiter = { num: res.blocking.num, zero: res.blocking.op === 0 };
  s.waiters.add(waiter);
  state.semWait = { set: s, waiter } satisfies SemWait;
  state.waitCancel = { cancel: () => s.waiters.delete(waiter) };
  state.interruptErr = EINTR;
  return t.block([s.queue], 0x1, deadline);
}

/** struct semid64_ds for s. */
function semidDs(t: Task, s: Set): Uint8Array {
  const b = new Uint8Array(SEMID_DS_SIZE);
  const d = new DataView(b.buffer);
  s.perm.write(d, 0, t.creds.userns);
  d.setBigInt64(48, BigInt(s.otime), true);
  d.setBigInt64(64, BigInt(s.ctime), true);
  d.setBigUint64(80, BigInt(s.nsems), true);
  return b;
}

export function sysSemctl(t: Task): number {
  const r = t.regs;
  const id = r.argInt(0), num = r.argInt(1), cmd = r.argInt(2), arg = r.arg(3);
  if (id < 0) return -EINVAL;
  const ns = t.ipcns;
  const reg = ns.sem;
  switch (cmd) {
    case IPC_INFO: case SEM_INFO: {
      const b = new Uint8Array(40);
      const d = new DataView(b.buffer);
      const info = cmd === SEM_INFO;
      const vals = [SEMMAP, reg.semmni, reg.semmns, SEMMNU, reg.semmsl, reg.semopm, SEMUME,
        info ? reg.objects.inUse : SEMUSZ, SEMVMX, info ? reg.usedSems : SEMAEM];
      vals.forEach((v, i) => d.setInt32(i * 4, v, true));
      if (t.mm.copyOut(arg, b) < 0) return -EFAULT;
      return Math.max(0, reg.objects.maxIdx());
    }
    case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY:
      return ipcStat(t, reg.objects, id, cmd, SEM_STAT_ANY, arg, (s) => semidDs(t, s));
    case SETVAL: {
      const val = r.argInt(3);
      if (val > SEMVMX || val < 0) return -ERANGE;
      const s = reg.objects.findById(id);
      if (s === undefined) return -EINVAL;
      if (num < 0 || num >= s.nsems) return -EINVAL;
      if (!ipcPermits(t.creds, s.perm, 0o222, ns.userns)) return -EACCES;
      s.set(num, [val], t.tg.tgidPid);
      return 0;
    }
    case GETALL: case SETALL: case GETVAL: case GETPID: case GETNCNT: case GETZCNT: {
      const s = reg.objects.findById(id);
      if (s === undefined) return -EINVAL;
      if (!ipcPermits(t.creds, s.perm, cmd === SETALL ? 0o222 : 0o444, ns.userns)) return -EACCES;
      if (cmd === GETALL) {
        const b = new Uint8Array(s.values.buffer.slice(0));
        return t.mm.copyOut(arg, b) < 0 ? -EFAULT : 0;
      }
      if (cmd === SETALL) {
        const b = t.mm.copyIn(arg, s.nsems * 2);
        if (b === null) return -EFAULT;
        const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const vals: number[] = [];
        for (let i = 0; i < s.nsems; i++) {
          const v = d.getUint16(i * 2, true);
          if (v > SEMVMX) return -ERANGE;
          vals.push(v);
        }
        s.set(-1, vals, t.tg.tgidPid);
        return 0;
      }
      if (num < 0 || num >= s.nsems) return -EINVAL;
      if (cmd === GETVAL) return s.values[num];
      if (cmd === GETPID) return s.pids[num]?.nr(t.pidns) ?? 0;
      return s.count(num, cmd === GETZCNT);
    }
    case IPC_SET: case IPC_RMID:
      return ipcSetOrRemove(t, reg.objects, id, cmd, arg, SEMID_DS_SIZE, (s) => s.remove());
    default:
      return -EINVAL;
  }
}
