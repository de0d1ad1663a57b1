// seccomp for the sandbox's programs (Linux's kernel/seccomp.c, gVisor's
// pkg/sentry/kernel/seccomp.go): a task's mode (disabled, strict, filter)
// and its chain of filters, the classic BPF programs (kernel/bpf/) that
// every system call of a filtered task goes past before it is served.
//
// A filter is immutable once attached and shared: a task points at the
// newest filter of its chain, each filter at the one before it, and fork,
// clone and TSYNC share the same nodes, counted (refs) as Linux counts
// them, so a chain's instructions are charged to the sandbox's budget
// (limits.ts) once and given back when the last task using them ends.
// Filters survive execve. Strict mode allows read, write, exit and
// rt_sigreturn and kills the thread with SIGKILL on anything else.
//
// Evaluation (secureComputing, from the run loop, before the call is
// served and before anything else looks at it): every filter runs, the
// action that comes first in Linux's order wins (KILL_PROCESS,
// KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW; an unknown
// action counts where its number puts it, and acts as KILL_PROCESS). A
// call the action cache (seccomp_cache.ts) knows to be allowed runs no
// filter at all. A filter runs interpreted until it has run HOT_RUNS
// times, then as a compiled function (bpf/codegen.ts).
//
// Differs from Linux:
// - 32-bit system calls (int $0x80, sysenter, compat mode) are not served
//   by the Sentry and get ENOSYS without being filtered (Linux would run
//   the filters with AUDIT_ARCH_I386); x32 calls (bit 30 of the number)
//   are 64-bit syscall-instruction calls and are filtered, as in Linux,
//   and then get the Sentry's ENOSYS.
// - There are no ptracers in the sandbox: SECCOMP_RET_TRACE always gets
//   ENOSYS, as Linux gives it without a tracer. There are no listeners
//   (SECCOMP_FILTER_FLAG_NEW_LISTENER is refused with EINVAL, as by a
//   kernel without it): SECCOMP_RET_USER_NOTIF gets ENOSYS, as Linux
//   gives it without a listener.
// - Calls into the vsyscall page (task_run.ts serveVsyscall) are not
//   filtered (Linux runs the filters in its vsyscall emulation).
// - A call restarted after a signal through ERESTART_RESTARTBLOCK is seen
//   by the filters with its own number again, not restart_syscall's.
// - An ERRNO whose data is an ERESTART* code (512-516) is returned as it
//   is even when a signal is pending (Linux would restart the call).
// - Logging (SECCOMP_RET_LOG, kills, SECCOMP_FILTER_FLAG_LOG) goes to the
//   debug log, not to an audit subsystem; SPEC_ALLOW changes nothing (the
//   Sentry sets no speculation mitigations).

import { CAP_SYS_ADMIN } from '../abi/linux/capability.js';
import type { Task } from './task.js';
import { TaskState } from './task.js';
import { Program } from './bpf/program.js';
import { runProgram } from './bpf/interpreter.js';
import { compileProgram, type CompiledProgram } from './bpf/codegen.js';
import { checkSeccompFilter } from './bpf/check.js';
import { convertedLength } from './bpf/converted_length.js';
import { CACHE_NRS, cachedAllow, prepareCache } from './seccomp_cache.js';
import { exitThread, killBySignal } from './exit.js';
import { forceSignal, makeSiginfo } from './signals.js';
import { Reg } from '../platform/registers.js';
import type { SockFilter } from '../abi/linux/bpf.js';
import { EINVAL, ENOMEM, ENOSYS, ESRCH } from '../abi/linux/errno.js';
import { SYS } from '../abi/linux/sysno.js';
import {
  AUDIT_ARCH_X86_64, INSNS_PENALTY_PER_FILTER, MAX_ERRNO, MAX_INSNS_PER_PATH, SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_MODE_DISABLED, SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW,
  SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF, SYS_SECCOMP,
} from '../abi/linux/seccomp.js';

const SIGKILL = 9, SIGSYS = 31;

/** The filter flags this kernel takes (Linux's SECCOMP_FILTER_FLAG_MASK, less NEW_LISTENER and WAIT_KILLABLE_RECV). */
export const SECCOMP_FILTER_FLAGS = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
  SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

/** A filter runs interpreted this many times before it is compiled: most short-lived filters never are. */
export const HOT_RUNS = 64;

/** What a filter costs the sandbox's budget beyond its instructions (its arrays, cache and object). */
const FILTER_OVERHEAD_INSNS = 64;

/**
 * One attached filter: a node of the chain (Linux's struct seccomp_filter).
 * What a checkpoint needs of it is its program's bytes (prog.raw), its log
 * flag and its place in the chain; the decoded arrays, the cache and the
 * compiled function are all derived from those.
 */
export class SeccompFilter {
  /** Tasks pointing at this node, plus newer nodes whose prev it is. */
  refs = 1;
  /** The filters in the chain that ends here (/proc/PID/status's Seccomp_filters). */
  readonly count: number;
  /**
   * Instructions on the chain ending here as Linux counts them (each
   * filter's converted length, bpf/converted_length.ts, and 4 more):
   * MAX_INSNS_PER_PATH bounds it.
   */
  readonly pathInsns: number;
  /** Numbers below CACHE_NRS that the whole chain allows whatever the arguments. */
  readonly allowCache: Uint32Array;
  /** The program as a function, once it has run HOT_RUNS times (null before, or if it stays interpreted). */
  compiled: CompiledProgram | null = null;
  runs = 0;

  readonly prog: Program;

  constructor(
    prepared: PreparedFilter,
    readonly prev: SeccompFilter | null,
    /** SECCOMP_FILTER_FLAG_LOG: actions other than ALLOW are logged. */
    readonly log: boolean,
  ) {
    const prog = prepared.prog;
    this.prog = prog;
    this.count = (prev?.count ?? 0) + 1;
    this.pathInsns = prepared.convertedLength + INSNS_PENALTY_PER_FILTER + (prev?.pathInsns ?? 0);
    this.allowCache = prepareCache(prog, prev?.allowCache ?? null);
  }
}

/** Whether t may install a filter without no_new_privs: CAP_SYS_ADMIN in its effective set. */
export function capableSysAdmin(t: Task): boolean {
  return t.creds.hasCapability(CAP_SYS_ADMIN);
}

// --- the chain's references ---------------------------------------------------

function getFilter(f: SeccompFilter | null): SeccompFilter | null {
  if (f !== null) f.refs++;
  return f;
}

/** Drops one reference; nodes no one uses any more give their instructions back (Linux's __put_seccomp_filter). */
function putFilter(t: Task, f: SeccompFilter | null): void {
  const budget = t.kernel.limits.seccomp;
  while (f !== null && --f.refs === 0) {
    budget.insns -= f.prog.length + FILTER_OVERHEAD_INSNS;
    if (f.compiled !== null) budget.compiled -= f.prog.length;
    f.compiled = null;
    f = f.prev;
  }
}

/** fork/clone (Linux's copy_seccomp): the child has the parent's mode and chain. */
export function inheritSeccomp(child: Task, parent: Task): void {
  child.seccompMode = parent.seccompMode;
  child.seccompFilter = getFilter(parent.seccompFilter);
  child.seccompFilters = parent.seccompFilters;
}

/** An ending task lets go of its chain; its mode and count stay for /proc (a zombie's status). */
export function releaseSeccomp(t: Task): void {
  const f = t.seccompFilter;
  t.seccompFilter = null;
  putFilter(t, f);
}

// --- setting a mode -------------------------------------------------------------

/** SECCOMP_SET_MODE_STRICT: 0, or -EINVAL if t is already in filter mode. */
export function setModeStrict(t: Task): number {
  if (t.seccompMode !== SECCOMP_MODE_DISABLED && t.seccompMode !== SECCOMP_MODE_STRICT) return -EINVAL;
  t.seccompMode = SECCOMP_MODE_STRICT;
  return 0;
}

/** A validated filter, not yet attached. */
export interface PreparedFilter {
  prog: Program;
  /** Its length as Linux counts it against MAX_INSNS_PER_PATH. */
  convertedLength: number;
}

/**
 * Validates insns as a seccomp filter (Linux's seccomp_prepare_filter,
 * less the privilege check the caller makes): the decoded program, or
 * -EINVAL. Every field must be an integer of its C type's range, so a
 * program from the boot loader is held to what a user's bytes would be.
 */
export function prepareFilter(insns: readonly SockFilter[]): PreparedFilter | number {
  for (const i of insns) {
    if (!isUint(i.code, 0xffff) || !isUint(i.jt, 0xff) || !isUint(i.jf, 0xff) || !isUint(i.k, 0xffffffff)) return -EINVAL;
  }
  const e = checkSeccompFilter(insns);
  return e < 0 ? e : { prog: new Program(insns), convertedLength: convertedLength(insns) };
}

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** Whether a is on b's chain (null is everyone's ancestor): Linux's is_ancestor. */
function isAncestor(a: SeccompFilter | null, b: SeccompFilter | null): boolean {
  if (a === null) return true;
  for (let f = b; f !== null; f = f.prev) if (f === a) return true;
  return false;
}

/**
 * SECCOMP_SET_MODE_FILTER with a prepared program (Linux's
 * seccomp_set_mode_filter from the mode check on, and
 * seccomp_attach_filter): 0, or -EINVAL (t is in strict mode), -ENOMEM
 * (the chain or the sandbox's budget is full), or with TSYNC the tid of a
 * thread that cannot be synchronised (-ESRCH with TSYNC_ESRCH).
 * flags must be within SECCOMP_FILTER_FLAGS.
 */
export function attachFilter(t: Task, flags: number, prepared: PreparedFilter): number {
  if (t.seccompMode !== SECCOMP_MODE_DISABLED && t.seccompMode !== SECCOMP_MODE_FILTER) return -EINVAL;
  const head = t.seccompFilter;
  if (prepared.convertedLength + (head?.pathInsns ?? 0) > MAX_INSNS_PER_PATH) return -ENOMEM;
  const budget = t.kernel.limits.seccomp;
  const cost = prepared.prog.length + FILTER_OVERHEAD_INSNS;
  if (budget.insns + cost > budget.maxInsns) return -ENOMEM;
  if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
    // Every other live thread must be unfiltered or on an older part of this chain.
    for (const x of t.tg.tasks) {
      if (x === t || x.state === TaskState.Dead) continue;
      if (x.seccompMode === SECCOMP_MODE_DISABLED) continue;
      if (x.seccompMode === SECCOMP_MODE_FILTER && isAncestor(x.seccompFilter, head)) continue;
      return flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH ? -ESRCH : x.threadPid.vnr;
    }
  }
  budget.insns += cost;
  // The new node takes over t's reference to the old head.
  const f = new SeccompFilter(prepared, head, (flags & SECCOMP_FILTER_FLAG_LOG) !== 0);
  t.seccompFilter = f;
  t.seccompFilters = f.count;
  t.seccompMode = SECCOMP_MODE_FILTER;
  if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
    for (const x of t.tg.tasks) {
      if (x === t || x.state === TaskState.Dead) continue;
      const old = x.seccompFilter;
      x.seccompFilter = getFilter(f);
      putFilter(x, old);
      x.seccompFilters = f.count;
      x.seccompMode = SECCOMP_MODE_FILTER;
      // A thread may not escape no_new_privs by being synchronised into a filter (Linux's seccomp_sync_threads).
      if (t.prctl.noNewPrivs) x.prctl.noNewPrivs = 1;
    }
  }
  return 0;
}

/**
 * The boot loader's way in: validates insns and attaches them to t as
 * one more filter of its chain, as seccomp(SECCOMP_SET_MODE_FILTER, flags)
 * would, but without the no_new_privs/CAP_SYS_ADMIN check (the runtime
 * applies the container's profile with its own authority, as runc does
 * before it drops privileges). Call it before t first runs. 0 or -errno:
 * -EINVAL for a bad program or flags, -ENOMEM past the limits.
 */
export function installFilter(t: Task, insns: readonly SockFilter[], flags = 0): number {
  if ((flags & ~SECCOMP_FILTER_FLAGS) !== 0) return -EINVAL;
  const prepared = prepareFilter(insns);
  if (typeof prepared === 'number') return prepared;
  return attachFilter(t, flags, prepared);
}

// --- evaluation on every system call ----------------------------------------------

/** struct seccomp_data as 16 words, refilled for each evaluation (the Sentry serves one call at a time). */
const data = new Uint32Array(16);
const scratch = new Uint32Array(16);

/** The scratch memory a compiled filter uses (its own; the interpreter has its own too). */
function runFilter(t: Task, f: SeccompFilter): number {
  if (f.compiled !== null) return f.compiled(data, scratch);
  if (++f.runs === HOT_RUNS) compileFilter(t, f);
  return runProgram(f.prog, data);
}

function compileFilter(t: Task, f: SeccompFilter): void {
  const budget = t.kernel.limits.seccomp;
  if (budget.compiled + f.prog.length > budget.maxCompiled) return;
  let fn: CompiledProgram | null = null;
  try {
    fn = compileProgram(f.prog);
  } catch (e) {
    // Code generation refused (a Node flag) or the parser's stack ran out: the filter stays interpreted.
    t.kernel.log.debug(`seccomp: filter of ${f.prog.length} instructions stays interpreted: ${(e as Error).message}`);
  }
  if (fn === null) return;
  f.compiled = fn;
  budget.compiled += f.prog.length;
}

/** Both halves of register r into data[at], data[at + 1]. */
function put(u: Uint32Array, r: Reg, at: number): void {
  data[at] = u[r * 2];
  data[at + 1] = u[r * 2 + 1];
}

/**
 * Fills `data` from t's registers: the number, x86-64, the address after
 * the syscall instruction, the six arguments. Written out, not a loop over
 * a table: V8 runs this twice as fast (15 ns against 30 here).
 */
function populateData(t: Task): void {
  const u = t.ctx.regs.u32;
  data[0] = u[Reg.ORIG_RAX * 2];
  data[1] = AUDIT_ARCH_X86_64;
  put(u, Reg.RIP, 2); put(u, Reg.RDI, 4); put(u, Reg.RSI, 6); put(u, Reg.RDX, 8);
  put(u, Reg.R10, 10); put(u, Reg.R8, 12); put(u, Reg.R9, 14);
}

/** The filter whose action the last runFilters returned (null for ALLOW): Linux's `match`, without an allocation per call. */
let lastMatch: SeccompFilter | null = null;

/**
 * Runs t's chain over the call in its registers (Linux's
 * seccomp_run_filters): the winning return value (a u32); the filter that
 * returned it is lastMatch. Exported for tests and the benchmark.
 */
export function runFilters(t: Task): number {
  populateData(t);
  let ret = SECCOMP_RET_ALLOW;
  lastMatch = null;
  for (let f = t.seccompFilter; f !== null; f = f.prev) {
    const cur = runFilter(t, f);
    // The lowest action wins, compared as signed 32-bit numbers (KILL_PROCESS is negative).
    if ((cur & SECCOMP_RET_ACTION_FULL) < (ret & SECCOMP_RET_ACTION_FULL)) {
      ret = cur;
      lastMatch = f;
    }
  }
  return ret >>> 0;
}

/**
 * The seccomp check of the call in t's registers, from the run loop at
 * the call's first entry: true if the call is to be served; false if the
 * filters served it (its result is in rax, or SIGSYS is pending with the
 * registers rolled back) or ended the task.
 */
export function secureComputing(t: Task): boolean {
  const u = t.ctx.regs.u32;
  // seccomp_data.nr is an int: the low half of orig_rax.
  const nr = u[Reg.ORIG_RAX * 2] | 0;
  if (t.seccompMode === SECCOMP_MODE_STRICT) {
    if (nr === SYS.read || nr === SYS.write || nr === SYS.exit || nr === SYS.rt_sigreturn) return true;
    logAction(t, nr, SECCOMP_RET_KILL_THREAD, SIGKILL);
    killThread(t, SIGKILL, false);
    return false;
  }
  const head = t.seccompFilter;
  if (head === null) return true;
  if (nr >= 0 && nr < CACHE_NRS && cachedAllow(head.allowCache, nr)) return true;
  const ret = runFilters(t);
  const match = lastMatch;
  const action = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  const value = ret & SECCOMP_RET_DATA;
  const regs = t.ctx.regs;
  switch (action) {
    case SECCOMP_RET_ALLOW:
      return true;
    case SECCOMP_RET_LOG:
      logAction(t, nr, action, 0);
      return true;
    case SECCOMP_RET_ERRNO:
      // Not run; the data (clamped to MAX_ERRNO) is the error. ERRNO|0 returns 0.
      regs.set(Reg.RAX, -Math.min(value, MAX_ERRNO));
      break;
    case SECCOMP_RET_TRAP: {
      // Not run: the handler sees the original registers (rax = the number, Linux's
      // syscall_rollback), and that is what the call returns unless the handler changes it.
      u[Reg.RAX * 2] = u[Reg.ORIG_RAX * 2];
      u[Reg.RAX * 2 + 1] = u[Reg.ORIG_RAX * 2 + 1];
      forceSignal(t, seccompSiginfo(t, nr, value));
      break;
    }
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_USER_NOTIF:
      // No ptracer and no listener can exist in the sandbox: ENOSYS, as Linux without one.
      regs.set(Reg.RAX, -ENOSYS);
      break;
    default: {
      // KILL_THREAD, KILL_PROCESS, and any action Linux does not know (it acts as KILL_PROCESS).
      logAction(t, nr, action, SIGSYS);
      killThread(t, SIGSYS, action !== SECCOMP_RET_KILL_THREAD);
      return false;
    }
  }
  t.ctx.regsDirty = true;
  if (match?.log) logAction(t, nr, action, 0);
  return false;
}

/** The SIGSYS of a TRAP: si_errno the filter's data, the call's address, number and architecture. */
function seccompSiginfo(t: Task, nr: number, reason: number): Uint8Array {
  const u = t.ctx.regs.u32;
  const lo = u[Reg.RIP * 2], hi = u[Reg.RIP * 2 + 1];
  return makeSiginfo(SIGSYS, SYS_SECCOMP, (dv) => {
    dv.setInt32(4, reason, true);
    dv.setUint32(16, lo, true);
    dv.setUint32(20, hi, true);
    dv.setInt32(24, nr, true);
    dv.setUint32(28, AUDIT_ARCH_X86_64, true);
  });
}

/**
 * A kill: the whole process by sig (SIGSYS: KILL_PROCESS, or KILL_THREAD
 * of the last thread, which since Linux 4.14 also dumps core), or only
 * this thread (Linux's do_exit(sig)) while other threads live.
 */
function killThread(t: Task, sig: number, wholeProcess: boolean): void {
  let live = 0;
  for (const x of t.tg.tasks) if (x.state !== TaskState.Dead) live++;
  if (wholeProcess || live === 1) killBySignal(t, sig);
  else exitThread(t, 0);
}

const ACTION_NAMES = new Map<number, string>([
  [SECCOMP_RET_KILL_PROCESS >>> 0, 'kill_process'], [SECCOMP_RET_KILL_THREAD, 'kill_thread'],
  [SECCOMP_RET_TRAP, 'trap'], [SECCOMP_RET_ERRNO, 'errno'], [SECCOMP_RET_USER_NOTIF, 'user_notif'],
  [SECCOMP_RET_TRACE, 'trace'], [SECCOMP_RET_LOG, 'log'], [SECCOMP_RET_ALLOW, 'allow'],
]);

/** Linux's seccomp_log, to the debug log in the shape of its audit record. */
function logAction(t: Task, nr: number, action: number, sig: number): void {
  const log = t.kernel.log;
  if (!log.enabled) return;
  const ip = t.ctx.regs.get(Reg.RIP);
  const name = ACTION_NAMES.get(action) ?? `0x${action.toString(16)}`;
  log.info(`seccomp: pid=${t.tg.tgid} tid=${t.tid} comm=${JSON.stringify(t.comm)} sig=${sig} arch=${AUDIT_ARCH_X86_64.toString(16)} syscall=${nr} ip=0x${ip.toString(16)} action=${name}`);
}
