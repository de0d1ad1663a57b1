// Signal state: rt_sigaction(2), rt_sigprocmask(2), sigaltstack(2),
// rt_sigpending(2), and kill(2)/tkill(2)/tgkill(2).
//
// Differs from Linux: handlers are recorded but not yet delivered. A
// signal sent to the process whose action is the default terminates it
// as Linux would; one that is ignored (or whose default is to ignore) is
// discarded; one with a handler installed, or blocked, returns ENOSYS from
// kill rather than pretending it was delivered. Delivery comes with the
// signals issue.

import type { Task } from '../../kernel/task.js';
import { EXITED } from '../../kernel/task.js';
import { killBySignal } from '../../kernel/exit.js';
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, copyInStruct, copyOut, getU64, putU64 } from '../support.js';

const SIGKILL = 9, SIGSTOP = 19, SIGCHLD = 17, SIGCONT = 18, SIGURG = 23, SIGWINCH = 28;
const SIG_DFL = 0n, SIG_IGN = 1n;
const DEFAULT_IGNORE = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH]);
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

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
    if (how === 0) t.sigmask |= set;
    else if (how === 1) t.sigmask &= ~set;
    else t.sigmask = set;
    t.sigmask &= ~UNBLOCKABLE;
  }
  return 0;
}

export function sysRtSigpending(t: Task): number {
  if (t.regs.arg(1) !== 8) return -EINVAL;
  return copyOut(t, t.regs.arg(0), new Uint8Array(8)) < 0 ? -EFAULT : 0;
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
  if (oldAddr !== 0) {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    putU64(dv, 0, t.altStack.sp);
    dv.setInt32(8, t.altStack.flags, true);
    putU64(dv, 16, t.altStack.size);
    if (copyOut(t, oldAddr, b) < 0) return -EFAULT;
  }
  if (nw !== null) {
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
const ENOMEM = 12;

/** Sends sig to the calling process itself. */
function signalSelf(t: Task, sig: number): number {
  if (sig === 0) return 0;
  const a = t.tg.sigactions[sig];
  const blocked = (t.sigmask & (1n << BigInt(sig - 1))) !== 0n;
  if (sig === SIGKILL || (a.handler === SIG_DFL && !blocked)) {
    if (DEFAULT_IGNORE.has(sig)) return 0;
    if (sig === SIGSTOP || sig === 20 || sig === 21 || sig === 22) return -ENOSYS; // job control stops: not yet
    killBySignal(t, sig);
    return EXITED;
  }
  if (a.handler === SIG_IGN && !blocked) return 0;
  // A handler or a blocked signal: delivery is not implemented yet.
  t.kernel.noteENOSYS(-sig, `signal delivery (signal ${sig})`);
  return -ENOSYS;
}

export function sysKill(t: Task): number {
  const pid = t.regs.argInt(0), sig = t.regs.argInt(1);
  if (sig < 0 || sig > 64) return -EINVAL;
  if (pid === t.tg.tgid || pid === 0 || pid === -1 || pid === -t.tg.pgid) return signalSelf(t, sig);
  if (pid === -2147483648) return -ESRCH;
  return t.kernel.pidns.tasks.has(Math.abs(pid)) ? -EPERM : -ESRCH;
}

export function sysTkill(t: Task): number {
  const tid = t.regs.argInt(0), sig = t.regs.argInt(1);
  if (tid <= 0 || sig < 0 || sig > 64) return -EINVAL;
  if (tid !== t.tid) return -ESRCH;
  return signalSelf(t, sig);
}

export function sysTgkill(t: Task): number {
  const tgid = t.regs.argInt(0), tid = t.regs.argInt(1), sig = t.regs.argInt(2);
  if (tgid <= 0 || tid <= 0 || sig < 0 || sig > 64) return -EINVAL;
  if (tgid !== t.tg.tgid || tid !== t.tid) return -ESRCH;
  return signalSelf(t, sig);
}
