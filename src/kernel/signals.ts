// Signals (gVisor pkg/sentry/kernel/task_signals.go): generating, queueing
// and delivering them. A signal is generated into a task's pending set (one
// instance of a standard signal, a queue of realtime ones). Before the task
// next returns to application code, every pending signal it does not block
// is dequeued, lowest number first, and acted on: ignored, its default
// action taken (ending the process), or its handler entered through a
// signal frame (signal_frame.ts). A system call interrupted by a signal is
// restarted or fails with EINTR as the ERESTART* code and SA_RESTART say.
//
// Job control: a stop signal's default action stops every thread of the
// process until SIGCONT, and the parent is told (SIGCHLD, wait's WUNTRACED
// and WCONTINUED).
//
// SIGTSTP, SIGTTIN and SIGTTOU do not stop an orphaned process group.
//
// Differs from Linux: pending signals are per thread (kernel/signals.ts
// sendToProcess picks one); core dumps are never written (the status says
// "core" where Linux would have written one: exit.ts killBySignal).

import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { TaskState } from './task.js';
import { killBySignal } from './exit.js';
import { Reg } from '../platform/registers.js';
import { setupSignalFrame } from './signal_frame.js';
import { EINTR, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, ERESTART_RESTARTBLOCK } from '../abi/linux/errno.js';
const RLIMIT_SIGPENDING = 11;

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17,
  SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;

export const SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TKILL = -6;

export const SA_NOCLDSTOP = 1n, SA_SIGINFO = 4n, SA_ONSTACK = 0x08000000n, SA_RESTART = 0x10000000n, SA_NODEFER = 0x40000000n,
  SA_RESETHAND = 0x80000000n, SA_RESTORER = 0x04000000n;


const DEFAULT_IGNORE = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH]);
const STOP_SIGNALS = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU]);
const CLD_STOPPED = 5, CLD_CONTINUED = 6;
/** Signals raised by the CPU for the instruction that faulted: delivered before any other. */
const SYNCHRONOUS = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE];
export const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

export function sigbit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** A siginfo_t (128 bytes). */
export function makeSiginfo(signo: number, code: number, fill?: (dv: DataView) => void): Uint8Array {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, signo, true);
  dv.setInt32(8, code, true);
  if (fill !== undefined) fill(dv);
  return b;
}

/** siginfo for a signal sent by kill(2)-like calls from task `from`. */
export function userSiginfo(signo: number, code: number, pid: number, uid: number): Uint8Array {
  return makeSiginfo(signo, code, (dv) => {
    dv.setInt32(16, pid, true);
    dv.setUint32(20, uid, true);
  });
}

function signoOf(info: Uint8Array): number {
  return new DataView(info.buffer, info.byteOffset, 128).getInt32(0, true);
}

function codeOf(info: Uint8Array): number {
  return new DataView(info.buffer, info.byteOffset, 128).getInt32(8, true);
}

/**
 * Counts one more signal queued for t, against RLIMIT_SIGPENDING of t's
 * real user and the sandbox's total (kernel/limits.ts), as Linux's
 * __sigqueue_alloc: false (nothing counted) past either. SIGKILL, and a
 * standard signal the kernel or kill(2) sends (si_code >= 0), are never
 * refused (Linux's override_rlimit).
 */
function chargePending(t: Task, sig: number, info: Uint8Array): boolean {
  if (sig === SIGKILL || (sig < 32 && codeOf(info) >= 0)) {
    countPending(t, 1);
    return true;
  }
  const lim = t.tg.rlimits[RLIMIT_SIGPENDING].cur;
  const limit = lim > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(lim);
  if (t.pendingCount === 0) t.pendingUid = t.creds.ruid;
  if (!t.kernel.limits.pendingSignals.charge(t.pendingUid, 1, limit)) return false;
  t.pendingCount++;
  return true;
}

/**
 * Changes t's count of queued signals by delta, with no limit, and its
 * user's: the count is held by the user t had when its first signal was
 * queued (t.pendingUid), until none is left.
 */
export function countPending(t: Task, delta: number): void {
  if (delta === 0) return;
  if (t.pendingCount === 0) t.pendingUid = t.creds.ruid;
  const c = t.kernel.limits.pendingSignals;
  if (delta > 0) c.force(t.pendingUid, delta);
  else c.uncharge(t.pendingUid, -delta);
  t.pendingCount += delta;
}

/** Recomputes whether t has a pending signal it does not block. */
export function recalcSignalPending(t: Task): void {
  t.signalPending = (t.pendingMask & ~t.sigmask) !== 0n;
}

function isIgnored(t: Task, sig: number): boolean {
  const h = t.tg.sigactions[sig].handler;
  return h === 1n || (h === 0n && DEFAULT_IGNORE.has(sig));
}

/**
 * Linux's SIGNAL_UNKILLABLE (sig_task_ignored): the init of a pid
 * namespace is sent only the signals it has a handler for, and SIGKILL and
 * SIGSTOP when they come from outside the namespace (a sender pid of 0:
 * kill's si_pid is the sender's id in the receiver's namespace, so a
 * sender in an ancestor namespace, the runtime or the host shows 0) or from
 * the kernel (the OOM killer). The root namespace's init is so only when it
 * is a container's (Kernel.initUnkillable); a child namespace's always.
 * Faults (forceSignal) are not sent through here.
 */
function unkillableInit(t: Task, sig: number, info: Uint8Array): boolean {
  const tg = t.tg;
  const ns = tg.tgidPid.ns;
  if (tg !== ns.init || tg.sigactions[sig].handler !== 0n) return false;
  if (ns.parent === null && !t.kernel.initUnkillable) return false;
  if (sig !== SIGKILL && sig !== SIGSTOP) return true;
  const code = codeOf(info);
  const senderPid = new DataView(info.buffer, info.byteOffset, 128).getInt32(16, true);
  return !(code === SI_KERNEL || (code === SI_USER && senderPid === 0));
}

/**
 * Generates a signal for t: 'queued', or why not: 'ignored', 'merged' (a
 * standard signal already pending), 'full' (RLIMIT_SIGPENDING reached).
 */
export function sendSignal(t: Task, info: Uint8Array): 'queued' | 'ignored' | 'merged' | 'full' {
  const sig = signoOf(info);
  if (sig < 1 || sig > 64 || t.state === TaskState.Dead) return 'ignored';
  // Linux's prepare_signal: SIGCONT continues a stopped process as it is
  // generated (even if blocked or ignored) and drops pending stop signals;
  // a stop signal drops a pending SIGCONT.
  if (sig === SIGCONT) continueProcess(t.tg);
  else if (STOP_SIGNALS.has(sig)) for (const x of t.tg.tasks) discardPending(x, SIGCONT);
  const bit = sigbit(sig);
  const blocked = (t.sigmask & bit) !== 0n && sig !== SIGKILL && sig !== SIGSTOP;
  // An ignored signal is discarded when generated, unless blocked (it may be unignored before it is unblocked).
  if (!blocked && isIgnored(t, sig) && sig !== SIGKILL) return 'ignored';
  if (unkillableInit(t, sig, info)) return 'ignored';
  if (sig < 32 && (t.pendingMask & bit) !== 0n) return 'merged';
  if (!chargePending(t, sig, info)) {
    // Linux's __send_signal_locked: a realtime signal past the limit fails
    // (EAGAIN), unless kill(2) sent it; a standard one never fails. Those
    // only lose their queued information (they are pending once).
    if (sig >= 32 && codeOf(info) !== SI_USER) return 'full';
    if ((t.pendingMask & bit) !== 0n) return 'merged';
    countPending(t, 1);
  }
  let q = t.pendingSignals[sig];
  if (q === undefined) {
    q = [];
    t.pendingSignals[sig] = q;
  }
  q.push(info);
  t.pendingMask |= bit;
  recalcSignalPending(t);
  for (const sfd of t.tg.signalfds) sfd.signalled();
  if (t.sigWaitSet & bit) {
    // sigtimedwait(2) is waiting for it: wake it to take it.
    t.wake();
  } else if (!blocked || sig === SIGKILL) {
    kickTask(t);
  }
  return 'queued';
}

/**
 * A signal for a whole process (kill(2), SIGCHLD, SIGALRM): given to one of
 * its threads, as Linux's complete_signal picks one, the main thread if it
 * does not block it, else another that does not (or waits for it), else
 * the main thread (or the first live one), where it waits until unblocked.
 *
 * Differs from Linux: there is no process-wide pending set, so a signal
 * every thread blocked stays with the thread it was given to, even if
 * another thread unblocks it first.
 */
export function sendToProcess(tg: ThreadGroup, info: Uint8Array): 'queued' | 'ignored' | 'merged' | 'full' {
  const live = tg.tasks.filter((x) => x.state !== TaskState.Dead);
  if (live.length === 0) return 'ignored';
  const bit = sigbit(signoOf(info));
  const wants = (x: Task) => (x.sigmask & bit) === 0n || (x.sigWaitSet & bit) !== 0n;
  const target = live.find((x) => x === tg.leader && wants(x)) ?? live.find(wants) ?? live[0];
  return sendSignal(target, info);
}

/**
 * The siginfo of a child's change (SIGCHLD, waitid): its pid, real uid (as
 * the parent's user namespace shows it), the CLD_* code and status, and
 * with times its CPU time in clock ticks.
 */
export function cldSiginfo(signo: number, child: ThreadGroup, code: number, status: number, times = false): Uint8Array {
  const ns = child.parent?.leader.creds.userns ?? child.leader.creds.userns;
  // The pid as the parent's namespace shows it (the child may be in one below it).
  const pid = child.parent === null ? child.tgid : child.tgidPid.nr(child.parent.tgidPid.ns);
  return makeSiginfo(signo, code, (dv) => {
    dv.setInt32(16, pid, true);
    dv.setUint32(20, ns.mungedUid(child.leader.creds.ruid), true);
    dv.setInt32(24, status, true);
    if (times) {
      dv.setBigInt64(32, BigInt(Math.floor(child.exitCpu.userUs / 10000)), true);
      dv.setBigInt64(40, BigInt(Math.floor(child.exitCpu.sysUs / 10000)), true);
    }
  });
}

/** The parent hears of a stop or a continuation (SIGCHLD with CLD_STOPPED/CLD_CONTINUED), unless it asked not to. */
function notifyParentOfStop(tg: ThreadGroup, code: number, status: number): void {
  const p = tg.parent;
  if (p === null || p.exitStatus !== null) return;
  p.childQueue.notify(0x1);
  if ((p.sigactions[SIGCHLD].flags & SA_NOCLDSTOP) !== 0n) return;
  sendToProcess(p, cldSiginfo(SIGCHLD, tg, code, status));
}

/** A stop signal's default action: every thread of the process stops until SIGCONT. */
function stopProcess(tg: ThreadGroup, sig: number): void {
  if (tg.stopped) return;
  tg.stopped = true;
  tg.stopSignal = sig;
  tg.stopReportable = true;
  tg.continueReportable = false;
  for (const x of tg.tasks) if (x.state === TaskState.Running) x.ctx.interrupt();
  notifyParentOfStop(tg, CLD_STOPPED, sig);
}

/** SIGCONT: a stopped process runs again. */
function continueProcess(tg: ThreadGroup): void {
  for (const x of tg.tasks) for (const s of STOP_SIGNALS) discardPending(x, s);
  if (!tg.stopped) return;
  tg.stopped = false;
  tg.stopReportable = false;
  tg.continueReportable = true;
  tg.stopQueue.notify(0x1);
  notifyParentOfStop(tg, CLD_CONTINUED, SIGCONT);
}

/**
 * Whether t's process group is orphaned (Linux's is_current_pgrp_orphaned):
 * no member has a live parent in another group of the same session. The
 * first process's parent is outside the sandbox, as a container init's is.
 */
export function orphanedGroup(t: Task): boolean {
  const pgid = t.tg.pgid, sid = t.tg.sid;
  for (const x of t.kernel.pidns.tasks.values()) {
    const g = x.tg;
    if (x !== g.leader || g.pgid !== pgid || g.exitStatus !== null) continue;
    const p = g.parent;
    if (p !== null && p.exitStatus === null && p.pgid !== pgid && p.sid === sid) return false;
  }
  return true;
}

/**
 * Whether t must stay stopped now: its process is stopped and no SIGKILL
 * is waiting to end it.
 */
export function mustStop(t: Task): boolean {
  return t.tg.stopped && (t.pendingMask & sigbit(SIGKILL)) === 0n;
}

/** Makes t notice a deliverable signal: interrupt its wait, or stop its thread. */
function kickTask(t: Task): void {
  if (t.state === TaskState.Blocked) t.interrupt();
  else if (t.state === TaskState.Running) t.ctx.interrupt();
}

/**
 * A signal the task's own instruction caused (a fault, a trap): it cannot
 * be blocked or ignored; if it is, the action is reset to the default and
 * the signal unblocked, as Linux's force_sig does.
 */
export function forceSignal(t: Task, info: Uint8Array): void {
  const sig = signoOf(info);
  const a = t.tg.sigactions[sig];
  const bit = sigbit(sig);
  if (a.handler === 1n || (t.sigmask & bit) !== 0n) {
    if ((t.sigmask & bit) !== 0n || a.handler === 1n) a.handler = 0n;
    t.sigmask &= ~bit;
  }
  // A synchronous signal replaces any pending instance so its siginfo is this fault's.
  countPending(t, 1 - (t.pendingSignals[sig]?.length ?? 0));
  t.pendingSignals[sig] = [info];
  t.pendingMask |= bit;
  recalcSignalPending(t);
}

/** Takes the next deliverable signal (synchronous ones first, then lowest number). */
export function dequeueSignal(t: Task, allowed: bigint): Uint8Array | null {
  const ready = t.pendingMask & allowed;
  if (ready === 0n) return null;
  let sig = 0;
  for (const s of SYNCHRONOUS) if (ready & sigbit(s)) { sig = s; break; }
  if (sig === 0) {
    for (let s = 1; s <= 64; s++) if (ready & sigbit(s)) { sig = s; break; }
  }
  return takePending(t, sig);
}

export function takePending(t: Task, sig: number): Uint8Array {
  const q = t.pendingSignals[sig] as Uint8Array[];
  const info = q.shift() as Uint8Array;
  countPending(t, -1);
  if (q.length === 0) {
    t.pendingMask &= ~sigbit(sig);
    t.pendingSignals[sig] = undefined;
  }
  recalcSignalPending(t);
  return info;
}

/** Drops pending instances of sig (when its action becomes "ignore"). */
export function discardPending(t: Task, sig: number): void {
  if ((t.pendingMask & sigbit(sig)) === 0n) return;
  countPending(t, -(t.pendingSignals[sig]?.length ?? 0));
  t.pendingMask &= ~sigbit(sig);
  t.pendingSignals[sig] = undefined;
  recalcSignalPending(t);
}

/** Sets the signal mask (never blocking SIGKILL/SIGSTOP) and notes newly deliverable signals. */
export function setSigmask(t: Task, mask: bigint): void {
  t.sigmask = mask & ~UNBLOCKABLE;
  recalcSignalPending(t);
}

function isRestartCode(r: number): boolean {
  return r === -ERESTARTSYS || r === -ERESTARTNOINTR || r === -ERESTARTNOHAND || r === -ERESTART_RESTARTBLOCK;
}

/**
 * Runs at the point where t would return to application code: finishes an
 * interrupted system call (restart or EINTR) and delivers pending signals.
 * Returns false if the task no longer runs (a signal killed it).
 */
export function handleSignals(t: Task): boolean {
  const regs = t.ctx.regs;
  // The result of the system call just served, if it asked to be restarted.
  let restart = t.syscallExit && isRestartCode(regs.getSigned(Reg.RAX)) ? regs.getSigned(Reg.RAX) : 0;
  t.syscallExit = false;
  for (;;) {
    const info = dequeueSignal(t, ~t.sigmask);
    if (info === null) break;
    const sig = signoOf(info);
    const act = t.tg.sigactions[sig];
    if (sig !== SIGKILL && act.handler === 1n) continue;
    if (sig === SIGKILL || act.handler === 0n) {
      if (DEFAULT_IGNORE.has(sig)) continue;
      if (STOP_SIGNALS.has(sig)) {
        // POSIX: a terminal stop signal does not stop an orphaned process group (nobody could continue it).
        if (sig !== SIGSTOP && orphanedGroup(t)) continue;
        stopProcess(t.tg, sig);
        // An interrupted call is restarted (or not) when the process continues.
        if (restart !== 0) t.syscallExit = true;
        t.ctx.regsDirty = true;
        t.parkStopped();
        return false;
      }
      killBySignal(t, sig);
      return false;
    }
    // A handler runs: decide the interrupted call's fate first (the frame saves the registers).
    if (restart !== 0) {
      if (restart === -ERESTARTNOINTR || (restart === -ERESTARTSYS && (act.flags & SA_RESTART) !== 0n)) {
        restartSyscall(t);
      } else {
        regs.set(Reg.RAX, -EINTR);
        writeRemaining(t);
      }
      // The handler's own calls start clean; a restarted call starts over.
      t.syscallState = null;
      restart = 0;
    }
    if (!setupSignalFrame(t, sig, info, act)) {
      // The frame could not be written (a bad stack): the process dies of SIGSEGV.
      t.kernel.log.info(`task ${t.tid}: cannot deliver signal ${sig}: bad signal stack`);
      killBySignal(t, SIGSEGV);
      return false;
    }
  }
  if (restart !== 0) {
    // No handler ran: the call is restarted (ERESTART_RESTARTBLOCK too: its state lives in the task).
    restartSyscall(t);
  }
  t.ctx.regsDirty = true;
  return true;
}

/** A sleep cut short by a handler reports the time left in its `rem` (nanosleep(2)). */
function writeRemaining(t: Task): void {
  const st = t.syscallState;
  const rem = st?.remAddr, deadline = st?.deadline;
  if (typeof rem !== 'number' || rem === 0 || typeof deadline !== 'number') return;
  const leftNs = Math.max(0, deadline - t.kernel.monotonicMs()) * 1e6;
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  const sec = Math.floor(leftNs / 1e9);
  dv.setBigUint64(0, BigInt(sec), true);
  dv.setBigUint64(8, BigInt(Math.floor(leftNs - sec * 1e9)), true);
  t.mm.copyOut(rem, b);
}

/** Rewinds to the system call instruction so the call is made again. */
function restartSyscall(t: Task): void {
  const regs = t.ctx.regs;
  regs.set(Reg.RAX, regs.get(Reg.ORIG_RAX));
  regs.set(Reg.RIP, regs.get(Reg.RIP) - 2);
}

export { ERESTARTSYS, ERESTARTNOHAND, ERESTART_RESTARTBLOCK, ERESTARTNOINTR };
