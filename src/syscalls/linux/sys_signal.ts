// Signals: rt_sigaction(2), rt_sigprocmask(2), rt_sigpending(2),
// sigaltstack(2), kill(2), tkill(2), tgkill(2), rt_sigqueueinfo(2),
// rt_tgsigqueueinfo(2), rt_sigreturn(2), rt_sigsuspend(2), pause(2),
// rt_sigtimedwait(2). Generation and delivery live in kernel/signals.ts.
//
// kill(2) reaches a process, a process group, or every process but init and
// the caller, each subject to Linux's permission check (same real or
// effective uid as the target's real or saved uid, or root; SIGCONT within
// a session). A zombie takes any signal and ignores it.
//
// Pids name processes and threads in the caller's pid namespace (one
// outside it is ESRCH); a process group is reached in every namespace its
// members are in, as Linux's struct pid of the group reaches them. The
// sender's si_pid is its id in the receiver's namespace (0 from outside).

import type { Task } from '../../kernel/task.js';
import {
  ERESTARTNOHAND, SI_KERNEL, SI_QUEUE, SI_TKILL, SI_USER, discardPending, forceSignal, makeSiginfo, sendSignal, sendToProcess, setSigmask, takePending,
  userSiginfo,
  UNBLOCKABLE, sigbit,
} from '../../kernel/signals.js';
import { NORETURN } from '../../kernel/task.js';
import { onAltStack, restoreSignalFrame } from '../../kernel/signal_frame.js';
import { Reg } from '../../platform/registers.js';
import { readTimespec } from './sys_time.js';
import { EFAULT, EINTR, EINVAL, EPERM, ESRCH, copyInStruct, copyOut, getU64, putU64 } from '../support.js';
import { EAGAIN, ENOMEM } from '../../abi/linux/errno.js';
import { CAP_KILL } from '../../abi/linux/capability.js';
import { NO_ID, OVERFLOW_ID } from '../../kernel/id_map.js';

const SIGKILL = 9, SIGSTOP = 19, SIGSEGV = 11, SIGCHLD = 17, SIGCONT = 18, SIGURG = 23, SIGWINCH = 28;

export function sysRtSigaction(t: Task): number {
  const r = t.regs;
  const sig = r.argInt(0), actAddr = r.arg(1), oldAddr = r.arg(2), size = r.arg(3);
  if (size !== 8) return -EINVAL;
  if (sig < 1 || sig > 64) return -EINVAL;
  let nw: DataView | null = null;
  if (actAddr !== 0) {
    nw = copyInStruct(t, actAddr, 32);
    if (nw === null) return -EFAULT;
    if (sig === SIGKILL || sig === SIGSTOP) return -EINVAL;
  }
  const a = t.tg.sigactions[sig];
  if (oldAddr !== 0) {
    const b = new Uint8Array(32);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, a.handler, true);
    dv.setBigUint64(8, a.flags, true);
    dv.setBigUint64(16, a.restorer, true);
    dv.setBigUint64(24, a.mask, true);
    if (copyOut(t, oldAddr, b) < 0) return -EFAULT;
  }
  if (nw !== null) {
    a.handler = nw.getBigUint64(0, true);
    a.flags = nw.getBigUint64(8, true);
    a.restorer = nw.getBigUint64(16, true);
    a.mask = nw.getBigUint64(24, true) & ~UNBLOCKABLE;
    // Setting a signal to be ignored discards its pending instances.
    const h = a.handler;
    if (h === 1n || (h === 0n && (sig === SIGCHLD || sig === SIGCONT || sig === SIGURG || sig === SIGWINCH))) {
      // Dispositions are the process's: every thread drops the signal.
      for (const x of t.tg.tasks) discardPending(x, sig);
    }
  }
  return 0;
}

export function sysRtSigprocmask(t: Task): number {
  const r = t.regs;
  const how = r.argInt(0), setAddr = r.arg(1), oldAddr = r.arg(2), size = r.arg(3);
  if (size !== 8) return -EINVAL;
  let set: bigint | null = null;
  if (setAddr !== 0) {
    const dv = copyInStruct(t, setAddr, 8);
    if (dv === null) return -EFAULT;
    set = dv.getBigUint64(0, true);
    if (how < 0 || how > 2) return -EINVAL;
  }
  if (oldAddr !== 0) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, t.sigmask, true);
    if (copyOut(t, oldAddr, b) < 0) return -EFAULT;
  }
  if (set !== null) {
    if (how === 0) setSigmask(t, t.sigmask | set);
    else if (how === 1) setSigmask(t, t.sigmask & ~set);
    else setSigmask(t, set);
  }
  return 0;
}

export function sysRtSigpending(t: Task): number {
  if (t.regs.arg(1) > 8) return -EINVAL;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, t.pendingMask, true);
  return copyOut(t, t.regs.arg(0), b.subarray(0, t.regs.arg(1))) < 0 ? -EFAULT : 0;
}

const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31, MINSIGSTKSZ = 2048;

export function sysSigaltstack(t: Task): number {
  const r = t.regs;
  const ssAddr = r.arg(0), oldAddr = r.arg(1);
  let nw: DataView | null = null;
  if (ssAddr !== 0) {
    nw = copyInStruct(t, ssAddr, 24);
    if (nw === null) return -EFAULT;
  }
  const onStack = onAltStack(t, t.regs.get(Reg.RSP));
  if (oldAddr !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    putU64(dv, 0, t.altStack.sp);
    dv.setInt32(8, t.altStack.flags | (onStack ? SS_ONSTACK : 0), true);
    putU64(dv, 16, t.altStack.size);
    if (copyOut(t, oldAddr, b) < 0) return -EFAULT;
  }
  if (nw !== null) {
    // The stack in use cannot be changed from under the handler running on it.
    if (onStack) return -EPERM;
    const sp = getU64(nw, 0), flags = nw.getInt32(8, true), size = getU64(nw, 16);
    const mode = flags & ~SS_AUTODISARM;
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -EINVAL;
    if (mode === SS_DISABLE) {
      t.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
    } else {
      if (size < MINSIGSTKSZ) return -ENOMEM;
      t.altStack = { sp, flags: flags & SS_AUTODISARM, size };
    }
  }
  return 0;
}

// Linux finds the target first (ESRCH) and checks the signal number with
// the permission (EINVAL) afterwards.
const validSignal = (sig: number) => sig >= 0 && sig <= 64;

/** check_kill_permission: may t signal target? (CAP_KILL counts in the target's user namespace.) */
function mayKill(t: Task, target: Task, sig: number): boolean {
  const c = t.creds, d = target.creds;
  if (target.tg === t.tg) return true;
  if (c.euid === d.suid || c.euid === d.ruid || c.ruid === d.suid || c.ruid === d.ruid) return true;
  if (c.hasCapabilityIn(CAP_KILL, d.userns)) return true;
  return sig === SIGCONT && t.tg.sid === target.tg.sid;
}

/**
 * Linux's userns_fixup_signal_uid: a signal that does not come from the
 * kernel carries the sender's uid as its namespace shows it; a receiver
 * in another namespace gets it as its own shows it (a copy of info).
 */
function uidForReceiver(t: Task, target: Task, info: Uint8Array): Uint8Array {
  const from = t.creds.userns, to = target.creds.userns;
  if (from === to) return info;
  const dv = new DataView(info.buffer, info.byteOffset, 128);
  if (dv.getInt32(8, true) > 0) return info; // SI_FROMKERNEL
  const k = from.kuid(dv.getUint32(20, true));
  const copy = info.slice(0, 128);
  new DataView(copy.buffer).setUint32(20, k === NO_ID ? OVERFLOW_ID : to.mungedUid(k), true);
  return copy;
}

/**
 * Sends info as t to target, the thread (toThread) or its whole process: 0,
 * or -EINVAL, -EPERM, -EAGAIN (a full realtime queue). sig 0 only checks.
 */
function sendAs(t: Task, target: Task, sig: number, info: Uint8Array, toThread = false, senderPid = false): number {
  if (!validSignal(sig)) return -EINVAL;
  if (!mayKill(t, target, sig)) return -EPERM;
  if (sig === 0) return 0;
  let shown = uidForReceiver(t, target, info);
  if (senderPid) shown = pidForReceiver(t, target, shown);
  const r = toThread ? sendSignal(target, shown) : sendToProcess(target.tg, shown);
  return r === 'full' && sig >= 32 ? -EAGAIN : 0;
}

/**
 * kill(2)'s si_pid (Linux's task_tgid_nr_ns(current, task_active_pid_ns(t))):
 * the sender's process id in the receiver's pid namespace, 0 when the
 * sender is not in it (an init then takes SIGKILL, signals.ts).
 */
function pidForReceiver(t: Task, target: Task, info: Uint8Array): Uint8Array {
  const pid = t.tg.tgidPid.nr(target.pidns);
  const dv = new DataView(info.buffer, info.byteOffset, 128);
  if (dv.getInt32(16, true) === pid) return info;
  const copy = info.slice(0, 128);
  new DataView(copy.buffer).setInt32(16, pid, true);
  return copy;
}

/** The first task of each process (zombies included) of every namespace, in root pid order. */
function processes(t: Task): Task[] {
  const out: Task[] = [];
  for (const x of t.kernel.pidns.tasks.values()) if (x.tg.leader === x) out.push(x);
  return out.sort((a, b) => a.tid - b.tid);
}

/** The process with this pid in t's namespace, or undefined. */
function processOf(t: Task, pid: number): Task | undefined {
  return t.pidns.threadGroupWithId(pid)?.leader;
}

export function sysKill(t: Task): number {
  const pid = t.regs.argInt(0), sig = t.regs.argInt(1);
  const info = userSiginfo(sig, SI_USER, t.tg.tgidPid.vnr, t.creds.nsRuid);
  if (pid > 0) {
    const x = processOf(t, pid);
    return x === undefined ? -ESRCH : sendAs(t, x, sig, info, false, true);
  }
  if (pid === -2147483648) return -ESRCH;
  const ns = t.pidns;
  if (pid === -1) {
    // Every process of the caller's namespace but its init and the caller; as in Linux, EPERM from all of them is still success.
    let count = 0, ret = 0;
    for (const x of processes(t)) {
      if (x.tg.tgidPid.nr(ns) <= 1 || x.tg === t.tg) continue;
      count++;
      const e = sendAs(t, x, sig, info, false, true);
      if (e !== -EPERM) ret = e;
    }
    return count > 0 ? ret : -ESRCH;
  }
  // A process group: the caller's (0) or -pid named in its namespace. Success if any member took it, else the last error.
  const mine = t.tg.pgrp;
  const inGroup = pid === 0 ? (x: Task) => x.tg.pgrp === mine : (x: Task) => x.tg.pgrp.nr(ns) === -pid;
  let ok = false, ret = -ESRCH;
  for (const x of processes(t)) {
    if (!inGroup(x)) continue;
    ret = sendAs(t, x, sig, info, false, true);
    if (ret === 0) ok = true;
  }
  return ok ? 0 : ret;
}

/** The thread tid (and, when tgid > 0, of process tgid), both in t's namespace, or undefined. */
function threadOf(t: Task, tgid: number, tid: number): Task | undefined {
  const x = t.pidns.taskWithId(tid);
  return x === undefined || (tgid > 0 && x.tg.tgidPid.nr(t.pidns) !== tgid) ? undefined : x;
}

export function sysTkill(t: Task): number {
  const tid = t.regs.argInt(0), sig = t.regs.argInt(1);
  if (tid <= 0) return -EINVAL;
  const x = threadOf(t, 0, tid);
  if (x === undefined) return -ESRCH;
  return sendAs(t, x, sig, userSiginfo(sig, SI_TKILL, t.tg.tgidPid.vnr, t.creds.nsRuid), true, true);
}

export function sysTgkill(t: Task): number {
  const tgid = t.regs.argInt(0), tid = t.regs.argInt(1), sig = t.regs.argInt(2);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  const x = threadOf(t, tgid, tid);
  if (x === undefined) return -ESRCH;
  return sendAs(t, x, sig, userSiginfo(sig, SI_TKILL, t.tg.tgidPid.vnr, t.creds.nsRuid), true, true);
}

/**
 * Another process may not be sent a siginfo that claims to come from
 * kill(2) or the kernel (si_code >= 0) or from tkill; oneself may.
 */
function forgedFor(t: Task, target: Task, info: Uint8Array): boolean {
  const code = new DataView(info.buffer, info.byteOffset, 128).getInt32(8, true);
  return target.tg !== t.tg && (code >= 0 || code === SI_TKILL);
}

/** rt_sigqueueinfo(tgid, sig, info). */
export function sysRtSigqueueinfo(t: Task): number {
  const r = t.regs;
  const tgid = r.argInt(0), sig = r.argInt(1);
  const info = queuedInfo(t, r.arg(2), sig);
  if (typeof info === 'number') return info;
  const x = processOf(t, tgid);
  if (x === undefined) return -ESRCH;
  if (forgedFor(t, x, info)) return validSignal(sig) ? -EPERM : -EINVAL;
  return sendAs(t, x, sig, info);
}

/** rt_tgsigqueueinfo(tgid, tid, sig, info). */
export function sysRtTgsigqueueinfo(t: Task): number {
  const r = t.regs;
  const tgid = r.argInt(0), tid = r.argInt(1), sig = r.argInt(2);
  const info = queuedInfo(t, r.arg(3), sig);
  if (typeof info === 'number') return info;
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  const x = threadOf(t, tgid, tid);
  if (x === undefined) return -ESRCH;
  if (forgedFor(t, x, info)) return validSignal(sig) ? -EPERM : -EINVAL;
  return sendAs(t, x, sig, info, true);
}

/** The siginfo an rt_*sigqueueinfo caller supplies, with its signal number forced to sig. */
function queuedInfo(t: Task, addr: number, sig: number): Uint8Array | number {
  const b = t.mm.copyIn(addr, 128);
  if (b === null) return -EFAULT;
  const dv = new DataView(b.buffer);
  dv.setInt32(0, sig, true);
  // Only the kernel may claim SI_USER or SI_KERNEL codes when signalling others; oneself is allowed (Linux 2.6.39+).
  void SI_QUEUE;
  return b;
}

/** rt_sigreturn(2): back from a handler. */
export function sysRtSigreturn(t: Task): number {
  // A frame Linux cannot restore ends in a forced SIGSEGV (signal_fault:
  // force_sig), which a handler may catch; it is delivered at whatever
  // context the frame restored.
  if (restoreSignalFrame(t) !== 'ok') forceSignal(t, makeSiginfo(SIGSEGV, SI_KERNEL));
  return NORETURN;
}

/** rt_sigsuspend(2): waits with a temporary mask until a handler runs. */
export function sysRtSigsuspend(t: Task): number {
  const r = t.regs;
  if (t.syscallState === null) {
    if (r.arg(1) !== 8) return -EINVAL;
    const dv = copyInStruct(t, r.arg(0), 8);
    if (dv === null) return -EFAULT;
    // A restarted call (no handler ran) keeps the mask saved the first time.
    if (t.savedSigmask === null) t.savedSigmask = t.sigmask;
    setSigmask(t, dv.getBigUint64(0, true));
    t.syscallState = { interruptErr: ERESTARTNOHAND };
  }
  if (t.signalPending) return -ERESTARTNOHAND;
  return t.block([], 0);
}

/** pause(2): waits until a signal is delivered. */
export function sysPause(t: Task): number {
  if (t.signalPending) return -ERESTARTNOHAND;
  t.syscallState = { interruptErr: ERESTARTNOHAND };
  return t.block([], 0);
}

/** rt_sigtimedwait(set, info, timeout, sigsetsize). */
export function sysRtSigtimedwait(t: Task): number {
  const r = t.regs;
  if (r.arg(3) !== 8) return -EINVAL;
  const dv = copyInStruct(t, r.arg(0), 8);
  if (dv === null) return -EFAULT;
  const set = dv.getBigUint64(0, true) & ~UNBLOCKABLE;
  // The timeout is read and checked before any signal is taken.
  if (t.syscallState === null && r.arg(2) !== 0) {
    const ns = readTimespec(t, r.arg(2));
    if (ns < 0) return ns;
  }
  const ready = t.pendingMask & set;
  if (ready !== 0n) {
    t.sigWaitSet = 0n;
    let sig = 1;
    while ((ready & sigbit(sig)) === 0n) sig++;
    const info = takePending(t, sig);
    if (r.arg(1) !== 0 && t.mm.copyOut(r.arg(1), info) < 0) return -EFAULT;
    return sig;
  }
  let deadline = t.syscallState?.deadline;
  if (t.syscallState === null) {
    if (r.arg(2) !== 0) {
      const ns = readTimespec(t, r.arg(2));
      if (ns < 0) return ns;
      deadline = t.kernel.monotonicMs() + ns / 1e6;
    }
    // Never restarted, whatever SA_RESTART says (signal(7)).
    t.syscallState = { deadline, interruptErr: EINTR };
  }
  if (deadline !== undefined && t.kernel.monotonicMs() >= deadline) {
    t.sigWaitSet = 0n;
    return -EAGAIN;
  }
  t.sigWaitSet = set;
  return t.block([], 0, deadline);
}
