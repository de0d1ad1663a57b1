// What the control server's methods do to a running kernel (gVisor's
// pkg/sentry/control Lifecycle.SignalContainer and Processes, seed 000):
// signal the container's init or every process in it, and list the
// processes. The sandbox holds one container, so "the container" is the
// whole kernel; gVisor's multi-container bookkeeping has no analogue yet.

import type { Kernel } from '../kernel/kernel.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import { sendToProcess, userSiginfo } from '../kernel/signals.js';
import { stateOf, threadsOf } from '../fs/proc/task_state.js';
import type { ProcessInfo } from './protocol.js';

/** The live processes (not yet exited), init first. */
function liveProcesses(kernel: Kernel): ThreadGroup[] {
  const tgs = new Set<ThreadGroup>();
  for (const t of kernel.pidns.tasks.values()) if (t.tg.exitStatus === null) tgs.add(t.tg);
  return [...tgs].sort((a, b) => a.tgid - b.tgid);
}

/**
 * Sends signo from outside the sandbox (si_code SI_USER, sender pid 0, as
 * a signal from a parent namespace arrives) to the init, or with all to
 * every live process (runc kill --all; gVisor's DeliverToAllProcesses).
 */
export function signalContainer(kernel: Kernel, init: ThreadGroup, signo: number, all: boolean): void {
  const targets = all ? liveProcesses(kernel) : [init];
  for (const tg of targets) if (tg.exitStatus === null) sendToProcess(tg, userSiginfo(signo, 0, 0, 0));
}

/** The processes, as `ps` lists them (control.Processes). */
export function processes(kernel: Kernel): ProcessInfo[] {
  return liveProcesses(kernel).map((tg) => {
    const leader = tg.leader;
    return {
      pid: tg.tgid,
      ppid: tg.ppid,
      uid: leader.creds.ruid,
      threads: threadsOf(leader).length,
      state: stateOf(leader)[0],
      cmd: leader.comm,
    };
  });
}

/**
 * Whether signo's default action ends a process (everything but the
 * ignored SIGCHLD, SIGCONT, SIGURG, SIGWINCH and the stop signals): a
 * created container's init, which has no handlers yet, dies of it.
 */
export function killsByDefault(signo: number): boolean {
  return ![17, 18, 19, 20, 21, 22, 23, 28].includes(signo);
}
