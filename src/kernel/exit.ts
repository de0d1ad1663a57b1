// Exiting (gVisor pkg/sentry/kernel/task_exit.go): a thread group ends
// with exit_group(2) or a fatal signal. Its address space and files are
// released at once and the exit status is recorded as wait(2) encodes it;
// the process stays a zombie, its pid taken, until its parent reaps it.
// Each ending task also lets go of its root and working directory (Linux's
// exit_fs): a zombie holds no mount, so a destroyed sub-container's mounts
// (and their host descriptors) go though a zombie of it is never reaped.
//
// On exit: a vfork parent is released; children go to the nearest
// ancestor in the same pid namespace that is a child subreaper
// (PR_SET_CHILD_SUBREAPER), else to the init of the exiting process's pid
// namespace (pid 1 there; the sandbox's first process for the root one),
// with their parent-death signal; the parent gets the exit signal
// (SIGCHLD, with CLD_* siginfo, the child's pid as the parent's namespace
// shows it) and its wait(2) calls are woken. A parent that ignores
// SIGCHLD, or set SA_NOCLDWAIT, has its children reaped automatically.
// When a namespace's init exits, every other process of the namespace
// (and of those below it) is killed and the namespace takes no new
// process (Linux's zap_pid_ns_processes); the init's own children are
// reaped with it, as Linux's init reaps them while it waits for the
// namespace to empty. When the root namespace's init exits, all do.

import { FSContext, Task, TaskState } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { SIGCHLD, SIGKILL, cldSiginfo, countPending, sendToProcess, userSiginfo } from './signals.js';
import { cancelITimers } from './itimer.js';
import type { FutexWaiterEntry } from './futex.js';
import { EVENT_IN } from '../sync/waiter.js';
import { releaseSeccomp } from './seccomp.js';
import { detachTask } from './pid_namespace.js';

const SIGNAL_CORE = new Set([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);
const SIG_IGN = 1n;
const RLIMIT_CORE = 4;
const SA_NOCLDWAIT = 2n;
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

/** The si_code and si_status of a wait status, as SIGCHLD and waitid(2) report them. */
export function childCode(status: number): { code: number; value: number } {
  const sig = status & 0x7f;
  if (sig === 0) return { code: CLD_EXITED, value: (status >> 8) & 0xff };
  return { code: status & 0x80 ? CLD_DUMPED : CLD_KILLED, value: sig };
}

/** The SIGCHLD-style siginfo describing child's end (signo: the parent's exit signal). */
export function childSiginfo(signo: number, child: ThreadGroup): Uint8Array {
  const { code, value } = childCode(child.exitStatus ?? 0);
  return cldSiginfo(signo, child, code, value, true);
}

/** Removes a zombie for good: its parent forgets it, its pid is free again. */
export function reap(child: ThreadGroup): void {
  if (child.reaped) return;
  child.reaped = true;
  const p = child.parent;
  if (p !== null) {
    p.children.delete(child);
    p.childrenCpu.userUs += child.exitCpu.userUs + child.childrenCpu.userUs;
    p.childrenCpu.sysUs += child.exitCpu.sysUs + child.childrenCpu.sysUs;
  }
  child.leader.kernel.reaped(child);
}

function notifyParent(tg: ThreadGroup): void {
  const p = tg.parent;
  if (p === null || p.exitStatus !== null) {
    reap(tg);
    return;
  }
  const act = p.sigactions[SIGCHLD];
  let sig = tg.exitSignal;
  let autoreap = false;
  if (sig === SIGCHLD && (act.handler === SIG_IGN || (act.flags & SA_NOCLDWAIT) !== 0n)) {
    autoreap = true;
    if (act.handler === SIG_IGN) sig = 0;
  }
  if (sig > 0 && sig <= 64) sendToProcess(p, childSiginfo(sig, tg));
  if (autoreap) reap(tg);
  p.childQueue.notify(EVENT_IN);
}

/**
 * Linux's find_new_reaper: the nearest live ancestor of tg in its own pid
 * namespace that is a child subreaper, else the namespace's init (null if
 * it is gone, or is tg).
 */
function newReaper(tg: ThreadGroup): ThreadGroup | null {
  const ns = tg.tgidPid.ns;
  for (let p = tg.parent; p !== null && p !== ns.init && p.tgidPid.ns === ns; p = p.parent) {
    if (p.exitStatus === null && p.leader.prctl.subreaper !== 0) return p;
  }
  const init = ns.init;
  return init === null || init === tg || init.exitStatus !== null ? null : init;
}

/** Gives tg's children to their new reaper, as Linux gives orphans to the namespace's init. */
function reparentChildren(tg: ThreadGroup): void {
  const init = newReaper(tg);
  for (const c of [...tg.children]) {
    tg.children.delete(c);
    if (init === null) {
      c.parent = null;
      if (c.exitStatus !== null) reap(c);
      continue;
    }
    c.parent = init;
    init.children.add(c);
    const pdeath = c.exitStatus === null ? c.leader.prctl.pdeathsig : 0;
    if (pdeath > 0) sendToProcess(c, userSiginfo(pdeath, 0, 0, 0));
    if (c.exitStatus !== null) init.childQueue.notify(EVENT_IN);
  }
}

/** Adds the CPU time of t's host thread to its process's account (once: the thread is then gone). */
function accountCpu(t: Task): void {
  const cpu = t.ctx.cpuTime();
  if (cpu === null) return;
  t.tg.exitCpu.userUs += cpu.userUs;
  t.tg.exitCpu.sysUs += cpu.sysUs;
  t.tg.exitCpu.totalNs += cpu.totalNs;
}

/** What every ending task gives up: its wait, its pending signals, its share of the descriptor table. */
export function endTask(task: Task): void {
  const fw = task.syscallState?.futexWaiter as FutexWaiterEntry | undefined;
  if (fw !== undefined) task.kernel.futexes.cancel(fw);
  task.wake();
  task.state = TaskState.Dead;
  countPending(task, -task.pendingCount);
  task.pendingSignals = [];
  task.pendingMask = 0n;
  task.signalPending = false;
  if (--task.fdTable.users === 0) task.fdTable.closeAll();
  // exit_fs: what CLONE_FS shared stays with the other tasks; this one keeps the sandbox's root, which holds nothing.
  const root = task.kernel.vfs.root;
  task.fs = new FSContext(root, root);
  releaseSeccomp(task);
  task.dropUndo();
  task.ipcns.leave();
}

/**
 * Linux's mm_release: a thread that asked (set_tid_address,
 * CLONE_CHILD_CLEARTID) has 0 written at its tid address and one futex
 * waiter there woken, which is how pthread_join learns of its end.
 */
function clearChildTid(t: Task): void {
  if (t.clearChildTid === 0) return;
  const zero = new Uint8Array(4);
  if (t.mm.copyOut(t.clearChildTid, zero) === 0) t.kernel.futexes.wake(t.mm, t.clearChildTid, 1, 0xffffffff);
  t.clearChildTid = 0;
}

function finish(t: Task, status: number): void {
  const tg = t.tg;
  if (tg.exitStatus !== null) return;
  tg.exitStatus = status;
  const k = t.kernel;
  const live = tg.tasks.filter((x) => x.state !== TaskState.Dead);
  for (const task of live) {
    accountCpu(task);
    endTask(task);
    // Threads other than the leader leave at once; the leader's pid stays for the zombie.
    if (task !== tg.leader) detachTask(task);
  }
  cancelITimers(t);
  // The controlling process's end hangs up its terminal's foreground group (Linux's disassociate_ctty(1)).
  if (tg.tty !== null && tg.sid === tg.tgid) tg.tty.leaderExited(tg);
  t.mm.release();
  tg.vforkDone = true;
  tg.vforkQueue.notify(EVENT_IN);
  const ns = tg.tgidPid.ns;
  if (tg === ns.init) {
    // Everything else in the namespace dies with its init, and nothing new joins it.
    ns.dead = true;
    for (const o of [...ns.tasks.values()]) {
      if (o.tg !== tg && o.state !== TaskState.Dead) finish(o, SIGKILL);
    }
  }
  reparentChildren(tg);
  notifyParent(tg);
  for (const task of live) k.taskExited(task);
}

/**
 * exit(2): the calling thread ends. The last thread of a process ends the
 * process, with this status; any other leaves its process running, and its
 * host thread is kept for the next new thread.
 */
export function exitThread(t: Task, code: number): void {
  const tg = t.tg;
  if (tg.tasks.every((x) => x === t || x.state === TaskState.Dead)) {
    clearChildTid(t);
    finish(t, (code & 0xff) << 8);
    return;
  }
  clearChildTid(t);
  accountCpu(t);
  endTask(t);
  t.mm.as.parkThread(t.ctx);
  if (t !== tg.leader) detachTask(t);
  t.kernel.taskExited(t);
}

/** exit_group(code). */
export function exitThreadGroup(t: Task, code: number): void {
  finish(t, (code & 0xff) << 8);
}

/**
 * Death by signal sig, with the core dump flag where Linux would write a
 * core file (no file is written): a core signal, RLIMIT_CORE of at least
 * a page (Linux's binfmt min_coredump) and a dumpable process.
 */
export function killBySignal(t: Task, sig: number): void {
  const dumps = SIGNAL_CORE.has(sig) && t.tg.rlimits[RLIMIT_CORE].cur >= 4096n && t.prctl.dumpable === 1;
  finish(t, sig | (dumps ? 0x80 : 0));
}

/**
 * A signal sent to a thread group from outside the sandbox (tsvisor's own
 * SIGINT/SIGTERM forwarded): generated as if by kill(2) from a process
 * outside the sandbox's pid namespace (si_pid 0).
 */
export function signalFromHost(t: Task, sig: number): void {
  sendToProcess(t.tg, userSiginfo(sig, 0, 0, 0));
}
