// What the control server's methods do to a running kernel (gVisor's
// pkg/sentry/control Lifecycle.SignalContainer and Processes, seed 000):
// signal the container's init or every process in it, and list the
// processes. A container's processes are those its ThreadGroup.containerId
// names (the root container's, or a sub-container's), as gVisor's tasks
// carry their container's id.
// The list carries more than gVisor's (session, nice, the command line,
// the terminal's foreground group), as ps(1)'s formats need it.

import type { Kernel } from '../kernel/kernel.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { PIDNamespace } from '../kernel/pid_namespace.js';
import { sendToProcess, userSiginfo } from '../kernel/signals.js';
import { stateOf, threadsOf } from '../fs/proc/task_state.js';
import { TASK_FILES } from '../fs/proc/task_files.js';
import { HostTerminal } from '../fs/host_fd.js';
import { PTY } from '../kernel/tty/pty.js';
import type { Terminal } from '../kernel/tty/terminal.js';
import { Stat, majorOf, minorOf } from '../vfs/stat.js';
import { native } from '../native.js';
import type { ProcessInfo } from './protocol.js';

/** The live processes (not yet exited) of one container (ThreadGroup.containerId), init first. */
export function liveProcesses(kernel: Kernel, containerId: string): ThreadGroup[] {
  const tgs = new Set<ThreadGroup>();
  for (const t of kernel.pidns.tasks.values()) if (t.tg.exitStatus === null && t.tg.containerId === containerId) tgs.add(t.tg);
  return [...tgs].sort((a, b) => a.tgid - b.tgid);
}

/**
 * Sends signo from outside the sandbox (si_code SI_USER, sender pid 0, as
 * a signal from a parent namespace arrives) to the init, or with all to
 * every live process (runc kill --all; gVisor's DeliverToAllProcesses).
 * Signal 0 is kill(2)'s: the caller has checked that the init is there,
 * and nothing is delivered.
 */
export function signalContainer(kernel: Kernel, init: ThreadGroup, signo: number, all: boolean): void {
  if (signo === 0) return;
  const targets = all ? liveProcesses(kernel, init.containerId) : [init];
  for (const tg of targets) if (tg.exitStatus === null) sendToProcess(tg, userSiginfo(signo, 0, 0, 0));
}

/** Each process's command line (and environment) is cut at this many bytes (procps shows them whole; one control message must hold the list). */
const ARGS_MAX = 512;
/** What the command lines and environments of one list may take together; past it a process's are left empty (ps then shows [comm]). */
const ARGS_BUDGET = 16 * 1024;

/** A controlling terminal's name as ps(1) shows it: pts/N for the Sentry's ptys and for a host pty (the console), else ? */
function ttyName(term: Terminal | null): string {
  if (term === null) return '?';
  if (term instanceof PTY) return `pts/${term.index}`;
  if (term instanceof HostTerminal && native.fstat(term.hostFd, statBuf) === 0) {
    // Unix 98 ptys are majors 136-143, 256 minors each (Linux's devices.txt).
    const rdev = Stat.fromRaw(statBuf).rdev;
    const major = majorOf(rdev);
    if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minorOf(rdev)}`;
  }
  return '?';
}
const statBuf = new Uint8Array(144);

/** /proc/PID/cmdline's or environ's strings, NULs as spaces (ps's args, and what its e adds). */
function stringsOf(tg: ThreadGroup, file: 'cmdline' | 'environ'): string {
  const raw = TASK_FILES[file].gen({ task: tg.leader, whole: true, caller: null });
  const text = typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8');
  return text.replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, ARGS_MAX);
}

/**
 * The processes, as `ps` lists them (gVisor's control.Processes: the
 * fields procps's columns need, ps(1)'s -f and x formats and -o's
 * keywords; the client lays them out).
 */
export function processes(kernel: Kernel, containerId: string, ns: PIDNamespace = kernel.pidns): ProcessInfo[] {
  const nowMs = kernel.realtimeMs();
  const nowTicks = kernel.ticks();
  let budget = ARGS_BUDGET;
  return liveProcesses(kernel, containerId).map((tg) => {
    const leader = tg.leader;
    const cpu = tg.cpuTime();
    let args = stringsOf(tg, 'cmdline');
    let env = stringsOf(tg, 'environ');
    if (args.length > budget) args = '';
    budget -= args.length;
    if (env.length > budget) env = '';
    budget -= env.length;
    return {
      pid: ns.idOfThreadGroup(tg),
      ppid: tg.parent === null ? 0 : ns.idOfThreadGroup(tg.parent),
      pgid: tg.pgrp.nr(ns),
      sid: tg.session.nr(ns),
      uid: leader.creds.euid,
      threads: threadsOf(leader).length,
      state: stateOf(leader)[0],
      nice: leader.nice,
      tty: ttyName(tg.tty),
      foreground: tg.tty !== null && tg.tty.fgPgid === tg.pgid,
      // Start time in CLOCK_REALTIME milliseconds, from the ticks since boot /proc/PID/stat has.
      startTime: Math.round(nowMs - (nowTicks - tg.startTime) * 10),
      cpuUs: Math.round(cpu.userUs + cpu.sysUs),
      cmd: leader.comm,
      args,
      env,
    };
  });
}

/**
 * Whether signo's default action ends a process (everything but the
 * ignored SIGCHLD, SIGCONT, SIGURG, SIGWINCH and the stop signals, and
 * signal 0, which is never delivered): a created container's init, which
 * has no handlers yet, dies of it.
 */
export function killsByDefault(signo: number): boolean {
  return signo !== 0 && ![17, 18, 19, 20, 21, 22, 23, 28].includes(signo);
}
