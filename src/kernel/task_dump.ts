// The task dump: one line per task of the sandbox with what it is doing,
// for the debug log when the Sentry is asked (SIGUSR1 to the Sentry
// process, as runsc's `debug --stacks` asks its Sentry for its goroutine
// stacks). It is how a stall is explained after the fact: which task is
// parked in which system call, on how many wait queues, with or without a
// deadline, and with which signals pending and blocked. The control
// server's debug.Stacks (`tsvisor debug --stacks`) gives the same lines
// with each live task's registers after its own (dumpTaskStacks).

import { REG_COUNT } from '../platform/registers.js';
import { TaskState } from './task.js';
import type { Kernel } from './kernel.js';
import { sysnoName } from '../abi/linux/sysno.js';

const STATE_NAMES: Record<number, string> = {
  [TaskState.Running]: 'running',
  [TaskState.Blocked]: 'blocked',
  [TaskState.Dead]: 'dead',
};

/** The dump's lines: a header, then one per task in tid order. */
export function dumpTasks(k: Kernel): string[] {
  const tasks = [...k.pidns.tasks.values()].sort((a, b) => a.tid - b.tid);
  const lines = [`task dump: ${tasks.length} tasks, monotonic ${k.monotonicMs().toFixed(0)} ms`];
  for (const t of tasks) {
    const r = t.regs;
    const parts = [`tid ${t.tid}`, `tgid ${t.tg.tgid}`, `comm ${JSON.stringify(t.comm)}`, STATE_NAMES[t.state] ?? String(t.state)];
    if (t.syscallPending || t.state === TaskState.Blocked) {
      const nr = r.sysno;
      const args = [0, 1, 2, 3, 4, 5].map((i) => `0x${r.arg(i).toString(16)}`).join(', ');
      parts.push(`in ${sysnoName(nr)}(${args})`);
    }
    const w = t.waitSummary;
    if (w !== null) parts.push(`waiting on ${w.queues} queue(s)${w.timed ? ' with a deadline' : ''}${t.parkedStopped ? ' (stopped)' : ''}`);
    if (t.syscallState !== null) parts.push(`call state ${Object.keys(t.syscallState).filter((key) => t.syscallState?.[key] !== undefined).join(',')}`);
    parts.push(`pending 0x${t.pendingMask.toString(16)}`, `blocked-signals 0x${t.sigmask.toString(16)}`);
    if (t.tg.exitStatus !== null) parts.push(`exited 0x${t.tg.exitStatus.toString(16)}`);
    lines.push(parts.join(' | '));
  }
  return lines;
}

/** The x86-64 registers by their user_regs_struct slot (platform/registers.ts's Reg). */
const REG_NAMES = ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs'];

/** dumpTasks's lines, each live task's followed by its registers, four to a line. */
export function dumpTaskStacks(k: Kernel): string[] {
  const [head, ...rest] = dumpTasks(k);
  const out = [head];
  const tasks = [...k.pidns.tasks.values()].sort((a, b) => a.tid - b.tid);
  tasks.forEach((t, i) => {
    out.push(rest[i]);
    if (t.state === TaskState.Dead) return;
    const raw = t.ctx.regs.raw;
    for (let r = 0; r < REG_COUNT; r += 4) {
      const cells: string[] = [];
      for (let j = r; j < Math.min(r + 4, REG_COUNT); j++) cells.push(`${REG_NAMES[j].padStart(8)} 0x${raw[j].toString(16).padStart(16, '0')}`);
      out.push(`    ${cells.join('  ')}`);
    }
  });
  return out;
}
