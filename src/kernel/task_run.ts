// The task run loop (gVisor pkg/sentry/kernel/task_run.go): run the thread
// on the platform, serve what stopped it, repeat, until the task blocks or
// exits. The loop is the hot path of the Sentry: a system call that can be
// served at once is served and the thread resumed in the same turn.

import { StopKind } from '../platform/platform.js';
import { Reg } from '../platform/registers.js';
import { BLOCK, EXITED, NORETURN, Task, TaskState } from './task.js';
import { sysnoName } from '../abi/linux/sysno.js';
import { exitThreadGroup, killBySignal } from './exit.js';

const ENOSYS = 38, EINVAL = 22, EINTR = 4;
const SIGSEGV = 11, SIGBUS = 7;

export function runTask(t: Task): void {
  const ctx = t.ctx;
  const handlers = t.kernel.syscalls.handlers;
  if (t.interrupted) {
    // The blocked call was interrupted: it ends with EINTR (restart semantics come with signal delivery).
    t.interrupted = false;
    t.syscallState = null;
    ctx.regs.set(Reg.RAX, -EINTR);
    if (t.kernel.tracer !== null) t.kernel.tracer.exit(t, ctx.regs.sysno, -EINTR);
  }
  for (;;) {
    if (t.state !== TaskState.Running) return;
    const stop = ctx.switch();
    if (stop === StopKind.Syscall) {
      const nr = ctx.regs.sysno;
      const tracer = t.kernel.tracer;
      if (tracer !== null) tracer.enter(t, nr);
      const fn = nr >= 0 ? handlers[nr] : undefined;
      let r: number;
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
      if (r === BLOCK) return;
      if (r === EXITED) {
        if (tracer !== null) tracer.exit(t, nr, 0);
        return;
      }
      t.syscallState = null;
      if (r !== NORETURN) ctx.regs.set(Reg.RAX, r);
      if (tracer !== null) tracer.exit(t, nr, r === NORETURN ? ctx.regs.getSigned(Reg.RAX) : r);
      continue;
    }
    if (stop === StopKind.Signal) {
      const s = ctx.lastSignal;
      if ((s.signo === SIGSEGV || s.signo === SIGBUS) && s.code > 0) {
        if (t.mm.handleFault(s.addr)) continue;
        t.kernel.log.info(`task ${t.tid}: fault at 0x${s.addr.toString(16)} (signal ${s.signo}, code ${s.code}) ip 0x${ctx.regs.get(Reg.RIP).toString(16)}`);
        killBySignal(t, s.signo);
        return;
      }
      if (s.code <= 0) {
        // Sent to the stub from outside the Sentry (kill(2) on the host): not the application's business.
        continue;
      }
      // A synchronous trap or fault (SIGILL, SIGFPE, SIGTRAP...). Signal
      // handlers are not delivered yet: the default action ends the process.
      killBySignal(t, s.signo);
      return;
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

export { exitThreadGroup };
