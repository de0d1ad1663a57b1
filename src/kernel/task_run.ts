// The task run loop (gVisor pkg/sentry/kernel/task_run.go): run the thread
// on the platform, serve what stopped it, repeat, until the task blocks or
// exits. The loop is the hot path of the Sentry: a system call that can be
// served at once is served and the thread resumed in the same turn.

import { StopKind } from '../platform/platform.js';
import { Reg } from '../platform/registers.js';
import { BLOCK, EXITED, NORETURN, Task, TaskState } from './task.js';
import { sysnoName } from '../abi/linux/sysno.js';
import { killBySignal } from './exit.js';
import { ERESTARTSYS, ERESTART_RESTARTBLOCK, forceSignal, handleSignals, makeSiginfo, mustStop } from './signals.js';
import type { FutexWaiterEntry } from './futex.js';
import { EFAULT, EINVAL, ENOMEM, ENOSYS } from '../abi/linux/errno.js';
import { outOfMemory } from './oom.js';
import { FAULT_MAPPED } from '../mm/mm.js';
import { frozenOut } from './freeze.js';
import { secureComputing } from './seccomp.js';

const SIGSEGV = 11, SIGBUS = 7, SIGSYS = 31, SYS_SECCOMP = 1, SI_KERNEL = 0x80;

/**
 * Serves the system call in t's registers. Returns false when the task no
 * longer runs (it blocked, and will serve the same call again when woken,
 * or it exited).
 */
function serveSyscall(t: Task): boolean {
  const nr = t.ctx.regs.sysno;
  const tracer = t.kernel.tracer;
  let r: number;
  if (t.interrupted) {
    // The blocked call was interrupted by a signal: restart it or fail with
    // EINTR, as the signal's handling decides (signals.ts).
    t.interrupted = false;
    t.sigWaitSet = 0n;
    const fw = t.syscallState?.futexWaiter as FutexWaiterEntry | undefined;
    if (fw !== undefined) t.kernel.futexes.cancel(fw);
    // What the call holds while it waits and must give back (a FIFO open's count of its end).
    const wc = t.syscallState?.waitCancel as { cancel(): void } | undefined;
    if (wc !== undefined && t.syscallState !== null) {
      wc.cancel();
      t.syscallState.waitCancel = undefined;
    }
    const e = t.syscallState?.interruptErr;
    const partial = t.syscallState?.partial;
    // A call that already moved bytes (a blocking write) returns their count.
    if (typeof partial === 'number' && partial > 0) r = partial;
    else r = typeof e === 'number' ? -e : -ERESTARTSYS;
  } else {
    if (tracer !== null && !t.syscallPending) tracer.enter(t, nr);
    // A filtered task's call goes past its seccomp filters first, once (not
    // again when a blocked call is served anew); they may serve it themselves.
    if (t.seccompMode !== 0 && !t.syscallPending && !secureComputing(t)) {
      if (tracer !== null) tracer.exit(t, nr, t.ctx.regs.getSigned(Reg.RAX));
      return t.state === TaskState.Running;
    }
    const fn = nr >= 0 ? t.kernel.syscalls.handlers[nr] : undefined;
    if (fn === undefined) {
      t.kernel.noteENOSYS(nr, sysnoName(nr));
      r = -ENOSYS;
    } else {
      try {
        r = fn(t);
      } catch (e) {
        // A handler must not throw; if one does, it is a Sentry bug. The
        // application gets EINVAL and the Sentry keeps running.
        t.kernel.log.warn(`BUG: ${sysnoName(nr)} threw: ${(e as Error).stack ?? String(e)}`);
        r = -EINVAL;
      }
    }
  }
  if (r === BLOCK) {
    t.syscallPending = true;
    // A signal already pending must not be slept through: interrupt at once
    // (Linux's prepare_to_wait, then signal_pending).
    if (t.signalPending) t.interrupt();
    return false;
  }
  t.syscallPending = false;
  if (r === EXITED) {
    if (tracer !== null) tracer.exit(t, nr, 0);
    return false;
  }
  // A call that asks to be restarted (-ERESTART*) keeps its state (a
  // sleep's deadline) for the restart, and takes the signal path on its way
  // out; any other result ends the call.
  const restart = r <= -ERESTARTSYS && r >= -ERESTART_RESTARTBLOCK;
  if (restart) {
    if (t.syscallState !== null) t.syscallState.futexWaiter = undefined;
    t.syscallExit = true;
  } else {
    t.syscallState = null;
  }
  // execve may have replaced the context: the registers are t.ctx's now.
  if (r !== NORETURN) t.ctx.regs.set(Reg.RAX, r);
  if (tracer !== null) tracer.exit(t, nr, r === NORETURN ? t.ctx.regs.getSigned(Reg.RAX) : r);
  if (t.yieldTurn) {
    // sched_yield(2): the other runnable tasks go first.
    t.yieldTurn = false;
    if (t.state === TaskState.Running && t.kernel.othersRunnable()) {
      t.kernel.schedule(t);
      return false;
    }
  }
  return t.state === TaskState.Running;
}

/** The legacy vsyscall page: gettimeofday at +0, time at +0x400, getcpu at +0x800. */
const VSYSCALL_BASE = 0xffffffffff600000;

function isVsyscall(addr: number): boolean {
  return addr >= VSYSCALL_BASE && addr < VSYSCALL_BASE + 0x1000;
}

/**
 * A call into the vsyscall page. The host kernel emulates those itself,
 * without a ptrace stop, and would answer with the host's clock and CPU;
 * the stub's seccomp filter makes that emulation trap (SIGSYS, with the
 * host having already done the `ret`), and the Sentry answers instead,
 * through the system call of the same number (the arguments are in the
 * same registers). A bad pointer gets SIGSEGV, as Linux's emulation gives.
 */
function serveVsyscall(t: Task): void {
  const nr = new DataView(t.ctx.lastSiginfo.buffer, t.ctx.lastSiginfo.byteOffset, 128).getInt32(24, true);
  const fn = t.kernel.syscalls.handlers[nr];
  const r = fn === undefined ? -ENOSYS : fn(t);
  if (r === -EFAULT) {
    forceSignal(t, makeSiginfo(SIGSEGV, SI_KERNEL));
    return;
  }
  t.ctx.regs.set(Reg.RAX, r);
  t.ctx.regsDirty = true;
}

export function runTask(t: Task): void {
  // A task woken from a blocking call serves that call again first (not while its process is stopped, or the sandbox frozen).
  if (t.syscallPending && (mustStop(t) || frozenOut(t)) && t.ctx.stopped) {
    t.parkStopped();
    return;
  }
  if (t.syscallPending && !serveSyscall(t)) return;
  for (;;) {
    if (t.state !== TaskState.Running) return;
    // Read each time round: execve replaces the context.
    const ctx = t.ctx;
    if (mustStop(t) || frozenOut(t)) {
      // Its process is stopped, or the sandbox frozen: park once the host thread is stopped too.
      if (ctx.stopped) {
        t.parkStopped();
        return;
      }
      ctx.interrupt();
    }
    // The return to user mode: finish an interrupted call, deliver signals
    // (once the thread is stopped: after a quantum it may still be running).
    if ((t.signalPending || t.syscallExit) && ctx.stopped && !handleSignals(t)) return;
    const stop = ctx.switch();
    if (stop === StopKind.Syscall) {
      if (!serveSyscall(t)) return;
      continue;
    }
    if (stop === StopKind.Syscall32) {
      // The sandbox serves the x86-64 table only, as a kernel built without
      // IA32 emulation has no 32-bit one: the call fails with ENOSYS.
      t.kernel.noteENOSYS(-32, '32-bit system call (int $0x80, sysenter or compat mode)');
      ctx.regs.set(Reg.RAX, -ENOSYS);
      ctx.regsDirty = true;
      continue;
    }
    if (stop === StopKind.Signal) {
      const s = ctx.lastSignal;
      if (s.code <= 0) {
        // Sent to the stub by kill(2) on the host, or the Sentry's own
        // interrupt (Context.interrupt): never the application's signal.
        continue;
      }
      if (s.signo === SIGSEGV || s.signo === SIGBUS) {
        const f = t.mm.handleFault(s.addr);
        if (f === 0) {
          t.staleFault = -1;
          continue;
        }
        if (f === FAULT_MAPPED) {
          // Stale (another thread's fault mapped the page meanwhile) or the
          // program's own: resume once; the same fault again is real.
          const ip = ctx.regs.get(Reg.RIP);
          if (t.staleFault !== s.addr || t.staleFaultIp !== ip) {
            t.staleFault = s.addr;
            t.staleFaultIp = ip;
            continue;
          }
          t.staleFault = -1;
        }
        // The sandbox's memory ran out: the OOM killer frees some, or kills this process.
        if (f === -ENOMEM) {
          if (outOfMemory(t)) continue;
          return;
        }
      }
      if (s.signo === SIGSYS && s.code === SYS_SECCOMP && isVsyscall(s.addr)) {
        serveVsyscall(t);
        continue;
      }
      // A real fault or trap of the application's own instruction: the host's
      // siginfo describes it exactly (address, code), so it is passed on.
      t.kernel.log.debug(`task ${t.tid}: signal ${s.signo} code ${s.code} addr 0x${s.addr.toString(16)} ip 0x${ctx.regs.get(Reg.RIP).toString(16)}`);
      forceSignal(t, ctx.lastSiginfo.slice());
      continue;
    }
    if (stop === StopKind.Interrupt) {
      // The quantum ended while the thread runs: let the event loop have a turn.
      t.kernel.schedule(t);
      return;
    }
    // The host thread is gone (killed from outside): the process dies as if by SIGKILL.
    killBySignal(t, 9);
    return;
  }
}

