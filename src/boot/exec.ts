// Processes started in a running container from outside (runc exec;
// runsc's ContMgrExecuteAsync, WaitPID and Signal's DeliverToProcess and
// DeliverToForegroundProcessGroup, seed 001): config.json's process object
// (what `exec --process` reads, or what exec builds from its flags and the
// container's own process), run with the host descriptors the request
// carried as its descriptors 0, 1, 2, ... With process.terminal those are
// a pty's replica, which becomes the controlling terminal of the process's
// new session, as runc's setns init makes it.
//
// Each process is loaded by the Sentry from the container's root, with
// the process's user, capabilities, rlimits, umask, no_new_privs and
// oomScoreAdj, and the container's seccomp filter (runc applies
// linux.seccomp to exec'd processes too). Its parent is outside the
// container (ppid 0, as runc's exec'd process has runc for parent), so it
// is reaped when it ends; its exit status is kept for WaitPID until asked
// for, at most MAX_KEPT of them.
//
// Differs from runsc: the process joins the container's one session-less
// root (no per-exec pid namespace options); apparmor and SELinux labels,
// which the Sentry has no notion of, are refused by the runtime before
// they get here (src/cli/exec.ts).

import type { Process } from '../config/spec.js';
import { validateProcess } from '../config/validate.js';
import { SpecError } from '../config/errors.js';
import { ProtocolError } from '../control/protocol.js';
import { makeSiginfo, sendToProcess, userSiginfo } from '../kernel/signals.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { Task } from '../kernel/task.js';
import { killsByDefault as isFatalByDefault } from '../control/lifecycle.js';
import type { Logger } from '../kernel/log.js';
import { native } from '../native.js';
import { EVENT_IN } from '../sync/waiter.js';
import { attachHostTerminal } from './host_signals.js';
import { ConsoleBridge } from './console.js';
import { applySpecSeccomp, processCredentials, processRlimits } from './container_spec.js';
import type { ContainerSpec } from './container_spec.js';
import { BootError, ExecError, loadInit, shellStatus } from './sandbox.js';
import { withHome } from './home.js';
import type { InitFile, SandboxKernel } from './sandbox.js';
import type { Dentry } from '../vfs/dentry.js';
import type { PIDNamespace } from '../kernel/pid_namespace.js';
import type { IPCNamespace } from '../kernel/ipc/namespace.js';

const O_ACCMODE = 3;
const SI_KERNEL = 0x80;
/** Exit statuses kept for WaitPID that nobody has asked for yet; the oldest goes first. */
const MAX_KEPT = 1024;

interface Execed {
  tg: ThreadGroup;
  /** Loaded and held before its first instruction until release (a sub-container's created init). */
  held: Task | null;
  /** Shell-style, once it has ended. */
  status: number | null;
  waiters: ((status: number) => void)[];
}

/** runc's words for a process that cannot be started ("exec: ..."), shared with the init's (loader.ts). */
export function execFailureMessage(e: ExecError): string {
  const name = JSON.stringify(e.argv0);
  let why: string;
  if (e.notInPath) why = 'executable file not found in $PATH';
  else if (e.errno === 2) why = `stat ${e.argv0}: no such file or directory`;
  else if (e.errno === 13) why = 'permission denied';
  else why = e.message.slice(e.argv0.length + 2);
  return `exec: ${name}: ${why}`;
}

/** runc's words for a working directory the process cannot enter (loadInit says "process.cwd DIR: ENOENT"). */
export function cwdFailureMessage(bootMessage: string): string {
  const m = /^process\.cwd (.*): (E[A-Z]+)$/.exec(bootMessage);
  if (m === null) return bootMessage;
  const words: Record<string, string> = { ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied', ELOOP: 'too many levels of symbolic links' };
  return `chdir to cwd (${JSON.stringify(m[1])}) set in config.json failed: ${words[m[2]] ?? m[2]}`;
}

export class ExecManager {
  private readonly execed = new Map<number, Execed>();

  /**
   * root: the container's root (a sub-container's, in its mount
   * namespace), pidns its pid namespace, which every process joins (and
   * ipcns its IPC namespace);
   * default the sandbox's.
   */
  constructor(private readonly sk: SandboxKernel, private readonly container: ContainerSpec, private readonly log: Logger,
    private readonly root: Dentry = sk.vfs.root, private readonly pidns?: PIDNamespace, private readonly ipcns?: IPCNamespace) {}

  /**
   * Starts the process; fds become its descriptors 0.. and are its own
   * from here (closed on any failure). Returns its pid in the container.
   * Throws ProtocolError: 'invalid' for a process object the spec refuses,
   * 'exec' for a program that cannot be run. hold: loaded, and stopped
   * before its first instruction until release(pid) (a sub-container's
   * init, from create to start).
   */
  start(raw: unknown, fds: number[], hold = false): number {
    let proc: Process;
    let task;
    try {
      proc = validateProcess(raw, 'process.json');
      const files: InitFile[] = fds.map((hostFd, guestFd) => ({ hostFd, guestFd, flags: native.getfl(hostFd) & O_ACCMODE, owned: true }));
      task = loadInit(this.sk, {
        argv: proc.args ?? [], env: withHome(this.sk.vfs, proc.env ?? [], proc.user?.uid ?? 0, this.root), cwd: proc.cwd, creds: processCredentials(proc, this.sk.kernel.userns), files, cwdName: 'process.cwd',
        rlimits: processRlimits(proc, this.sk.rlimits), umask: proc.user?.umask, noNewPrivs: proc.noNewPrivileges === true,
        oomScoreAdj: proc.oomScoreAdj, asInit: false, root: this.root, containerId: this.container.id, pidns: this.pidns, ipcns: this.ipcns,
      });
    } catch (e) {
      // loadInit wraps the descriptors only once the program is loaded: until then they are still these.
      for (const fd of fds) native.close(fd);
      if (e instanceof SpecError) throw new ProtocolError('invalid', e.message);
      if (e instanceof ExecError) throw new ProtocolError('exec', execFailureMessage(e));
      if (e instanceof BootError && e.message.startsWith('process.cwd ')) throw new ProtocolError('exec', cwdFailureMessage(e.message));
      if (e instanceof BootError) throw new ProtocolError('invalid', e.message);
      throw e;
    }
    try {
      applySpecSeccomp(task, this.container.spec, this.log);
    } catch (e) {
      sendToProcess(task.tg, makeSiginfo(9, SI_KERNEL));
      this.sk.kernel.schedule(task);
      throw new ProtocolError('invalid', (e as Error).message);
    }
    // A terminal: a pty of the container's devpts bridged to the host pty that came with the process (console.ts), or that host pty itself.
    let bridge: ConsoleBridge | null = null;
    if (proc.terminal === true) {
      bridge = ConsoleBridge.attach(this.sk.vfs, task, this.log);
      if (bridge === null && attachHostTerminal(task, task.fdTable) === null) {
        this.log.warn(`exec: process.terminal is true but descriptors 0-2 of pid ${task.tg.tgid} are no terminal`);
      }
    }
    const e: Execed = { tg: task.tg, held: hold ? task : null, status: null, waiters: [] };
    this.keep(task.tg.tgid, e);
    const tg = task.tg;
    // finish() notifies vforkQueue when a process exits: the one place its end is heard (as start_hooks.ts waits).
    const exitWaiter = {
      mask: EVENT_IN,
      notify: () => {
        if (tg.exitStatus === null) return;
        tg.vforkQueue.unregister(exitWaiter);
        // Its last output reaches the host pty before its caller hears that it ended.
        bridge?.ended();
        e.status = shellStatus(tg.exitStatus);
        for (const w of e.waiters.splice(0)) w(e.status);
      },
    };
    tg.vforkQueue.register(exitWaiter);
    this.log.info(`exec: pid ${tg.tgid}: ${JSON.stringify(proc.args ?? [])}${hold ? ' (held until started)' : ''}`);
    if (!hold) this.sk.kernel.schedule(task);
    return tg.tgid;
  }

  /** Runs a process start held; false if it is not held (run already, or unknown). */
  release(pid: number): boolean {
    const e = this.execed.get(pid);
    if (e === undefined || e.held === null) return false;
    const t = e.held;
    e.held = null;
    this.sk.kernel.schedule(t);
    return true;
  }

  private keep(pid: number, e: Execed): void {
    // A pid is reused only once its process has been reaped: an older entry for it has ended.
    this.execed.delete(pid);
    this.execed.set(pid, e);
    if (this.execed.size <= MAX_KEPT) return;
    for (const [p, old] of this.execed) {
      if (old.status !== null && old.waiters.length === 0) {
        this.execed.delete(p);
        if (this.execed.size <= MAX_KEPT) return;
      }
    }
  }

  /** The exit status of a process start made; it is forgotten once told. */
  wait(pid: number): Promise<number> {
    const e = this.execed.get(pid);
    if (e === undefined) throw new ProtocolError('invalid', `no process with pid ${pid} was started by exec (or its status was collected)`);
    if (e.status !== null) {
      this.execed.delete(pid);
      return Promise.resolve(e.status);
    }
    return new Promise((resolve) => e.waiters.push((s) => {
      this.execed.delete(pid);
      resolve(s);
    }));
  }

  /**
   * Sends signo from outside (SI_USER, sender pid 0) to the live process
   * pid, or with foreground to the foreground group of its controlling
   * terminal (the process itself when it has none or no group is there).
   */
  signal(pid: number, signo: number, foreground: boolean): void {
    const t = this.sk.kernel.pidns.tasks.get(pid);
    const tg = t?.tg;
    if (tg === undefined || tg.exitStatus !== null || tg.tgid !== pid || tg.containerId !== this.container.id) throw new ProtocolError('invalid', `no process with pid ${pid} in the container`);
    // Signal 0, as kill(2)'s: the process is there; nothing is delivered.
    if (signo === 0) return;
    // A held process has run nothing yet: it takes the signal when it is scheduled (a fatal one ends it before its first instruction).
    const held = this.execed.get(pid)?.held ?? null;
    if (held !== null && isFatalByDefault(signo)) {
      sendToProcess(tg, userSiginfo(signo, 0, 0, 0));
      this.release(pid);
      return;
    }
    const term = tg.tty;
    // A resize of a bridged console: the container's pty takes the host pty's new size, and signals its group itself.
    const bridge = ConsoleBridge.of(term);
    if (foreground && signo === 28 && bridge !== undefined) {
      bridge.resize();
      return;
    }
    if (foreground && term !== null && term.fgPgid !== 0) {
      term.killPgrp(term.fgPgid, signo);
      return;
    }
    sendToProcess(tg, userSiginfo(signo, 0, 0, 0));
  }

  /** Every waiter is told that its process ended with the container (the sandbox's end). */
  end(): void {
    for (const e of this.execed.values()) {
      if (e.status === null) e.status = 128 + 9;
      for (const w of e.waiters.splice(0)) w(e.status);
    }
  }
}
