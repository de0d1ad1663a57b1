// Scheduling: sched_yield(2), sched_getaffinity(2), sched_setaffinity(2),
// getcpu(2), sched_getscheduler(2), sched_getparam(2),
// sched_get_priority_max/min(2), getpriority(2), setpriority(2).
//
// The sandbox reports the host's CPU count as its CPUs; every task is
// SCHED_OTHER at nice 0 and may run on all of them.
//
// CAP_SYS_NICE counts as Linux counts it: over another user's task in
// that task's user namespace (set_one_prio, cap_safe_nice), for a raised
// priority or a real-time policy in the initial one (can_nice,
// sched_setscheduler's capable()). PRIO_USER names a uid of the caller's
// namespace; one with no mapping matches no task.

import type { Task } from '../../kernel/task.js';
import { NUM_CPUS } from '../../kernel/cpus.js';
import { EFAULT, EINVAL, EPERM, ESRCH, copyOut } from '../support.js';
import { EACCES } from '../../abi/linux/errno.js';
import { CAP_SYS_NICE } from '../../abi/linux/capability.js';

/**
 * commoncap's cap_safe_nice: a target holding capabilities outside the
 * caller's permitted set is changed only with CAP_SYS_NICE.
 */
function safeNice(t: Task, x: Task): boolean {
  return x.creds.permitted.isSubsetOf(t.creds.permitted) || t.creds.hasCapabilityIn(CAP_SYS_NICE, x.creds.userns);
}

const ncpu = NUM_CPUS;

function checkPid(t: Task, pid: number): number {
  if (pid < 0) return -EINVAL;
  if (pid !== 0 && t.pidns.taskWithId(pid) === undefined) return -ESRCH;
  return 0;
}

export function sysSchedYield(t: Task): number {
  t.yieldTurn = true;
  return 0;
}

export function sysSchedGetaffinity(t: Task): number {
  const r = t.regs;
  const e = checkPid(t, r.argInt(0));
  if (e < 0) return e;
  const len = r.arg(1);
  const need = Math.ceil(ncpu / 64) * 8;
  if (len < need || len % 8 !== 0) return -EINVAL;
  const b = new Uint8Array(need);
  for (let i = 0; i < ncpu; i++) b[i >> 3] |= 1 << (i & 7);
  return copyOut(t, r.arg(2), b) < 0 ? -EFAULT : need;
}

export function sysSchedSetaffinity(t: Task): number {
  const r = t.regs;
  const e = checkPid(t, r.argInt(0));
  if (e < 0) return e;
  const len = Math.min(r.arg(1), 1024);
  const b = t.mm.copyIn(r.arg(2), len);
  if (b === null) return -EFAULT;
  // The mask must include at least one CPU the sandbox has.
  for (let i = 0; i < Math.min(ncpu, len * 8); i++) if (b[i >> 3] & (1 << (i & 7))) return 0;
  return -EINVAL;
}

export function sysGetcpu(t: Task): number {
  const r = t.regs;
  if (r.arg(0) !== 0 && copyOut(t, r.arg(0), new Uint8Array(4)) < 0) return -EFAULT;
  if (r.arg(1) !== 0 && copyOut(t, r.arg(1), new Uint8Array(4)) < 0) return -EFAULT;
  return 0;
}

const SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5;
const SCHED_RESET_ON_FORK = 0x40000000;

function taskOf(t: Task, pid: number): Task | undefined {
  return pid === 0 ? t : t.pidns.taskWithId(pid);
}

export function sysSchedGetscheduler(t: Task): number {
  const e = checkPid(t, t.regs.argInt(0));
  if (e < 0) return e;
  const x = taskOf(t, t.regs.argInt(0)) as Task;
  return x.schedPolicy | (x.schedResetOnFork ? SCHED_RESET_ON_FORK : 0);
}

export function sysSchedGetparam(t: Task): number {
  const r = t.regs;
  if (r.arg(1) === 0) return -EINVAL;
  const e = checkPid(t, r.argInt(0));
  if (e < 0) return e;
  return copyOut(t, r.arg(1), new Uint8Array(4)) < 0 ? -EFAULT : 0;
}

/**
 * sched_setscheduler(2), in Linux's order: the parameter, then the pid,
 * then the policy and priority, then permission. The normal policies are
 * recorded (the host scheduler does not see them); the real-time ones
 * would need the host's, and are refused with EPERM.
 */
export function sysSchedSetscheduler(t: Task): number {
  const r = t.regs;
  const pid = r.argInt(0);
  if (r.arg(2) === 0 || pid < 0) return -EINVAL;
  const p = t.mm.copyIn(r.arg(2), 4);
  if (p === null) return -EFAULT;
  const x = taskOf(t, pid);
  if (x === undefined) return -ESRCH;
  const prio = new DataView(p.buffer).getInt32(0, true);
  const raw = r.argInt(1);
  const reset = (raw & SCHED_RESET_ON_FORK) !== 0;
  const policy = raw & ~SCHED_RESET_ON_FORK;
  const normal = policy === SCHED_OTHER || policy === SCHED_BATCH || policy === SCHED_IDLE;
  if (!normal && policy !== SCHED_FIFO && policy !== SCHED_RR) return -EINVAL;
  if (normal ? prio !== 0 : prio < 1 || prio > 99) return -EINVAL;
  if (!t.creds.hasCapabilityInRoot(CAP_SYS_NICE)) {
    if (x.creds.ruid !== t.creds.euid && x.creds.euid !== t.creds.euid) return -EPERM;
    if (!normal) return -EPERM;
    // Leaving SCHED_IDLE needs the right to raise priority back (RLIMIT_NICE).
    if (x.schedPolicy === SCHED_IDLE && policy !== SCHED_IDLE && t.tg.rlimits[13].cur < BigInt(20 - x.nice)) return -EPERM;
    if (x.schedResetOnFork && !reset) return -EPERM;
  }
  if (!safeNice(t, x)) return -EPERM;
  if (!normal) return -EPERM;
  x.schedPolicy = policy;
  x.schedResetOnFork = reset;
  return 0;
}

export function sysSchedGetPriorityMax(t: Task): number {
  const p = t.regs.argInt(0);
  if (p === 1 || p === 2) return 99;
  if (p === 0 || p === 3 || p === 5) return 0;
  return -EINVAL;
}

export function sysSchedGetPriorityMin(t: Task): number {
  const p = t.regs.argInt(0);
  if (p === 1 || p === 2) return 1;
  if (p === 0 || p === 3 || p === 5) return 0;
  return -EINVAL;
}

const PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;
const RLIMIT_NICE = 13;

/** The tasks getpriority/setpriority(which, who) name; undefined for a bad `which`. */
function priorityTargets(t: Task, which: number, who: number): Task[] | undefined {
  // Pids and process groups are named in the caller's pid namespace; a group reaches its members in any.
  const ns = t.pidns;
  const all = [...t.kernel.pidns.tasks.values()];
  switch (which) {
    case PRIO_PROCESS: {
      const x = who === 0 ? t : ns.taskWithId(who);
      return x === undefined ? [] : [x];
    }
    case PRIO_PGRP: {
      const mine = t.tg.pgrp;
      return all.filter((x) => (who === 0 ? x.tg.pgrp === mine : x.tg.pgrp.nr(ns) === who));
    }
    case PRIO_USER: {
      const uid = who === 0 ? t.creds.euid : t.creds.userns.kuid(who >>> 0);
      return all.filter((x) => x.creds.ruid === uid && ns.idOfTask(x) !== 0);
    }
    default:
      return undefined;
  }
}

/** getpriority(2): the raw system call returns 20 - nice (1..40) of the highest-priority match. */
export function sysGetpriority(t: Task): number {
  const targets = priorityTargets(t, t.regs.argInt(0), t.regs.argInt(1));
  if (targets === undefined) return -EINVAL;
  if (targets.length === 0) return -ESRCH;
  return 20 - Math.min(...targets.map((x) => x.nice));
}

/**
 * setpriority(2): sets the nice value. Lowering it needs privilege or
 * RLIMIT_NICE, as in Linux. The Sentry records it; the host scheduler does
 * not see it (every stub runs at the Sentry's own priority).
 */
export function sysSetpriority(t: Task): number {
  const which = t.regs.argInt(0), who = t.regs.argInt(1);
  const nice = Math.max(-20, Math.min(19, t.regs.argInt(2)));
  const targets = priorityTargets(t, which, who);
  if (targets === undefined) return -EINVAL;
  if (targets.length === 0) return -ESRCH;
  for (const x of targets) {
    if (x.creds.ruid !== t.creds.euid && x.creds.euid !== t.creds.euid && !t.creds.hasCapabilityIn(CAP_SYS_NICE, x.creds.userns)) {
      return -EPERM;
    }
    if (nice < x.nice && !t.creds.hasCapabilityInRoot(CAP_SYS_NICE)) {
      const lim = t.tg.rlimits[RLIMIT_NICE].cur;
      if (lim < BigInt(20 - nice)) return -EACCES;
    }
    if (!safeNice(t, x)) return -EPERM;
    x.nice = nice;
  }
  return 0;
}
