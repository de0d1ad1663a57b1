// The OCI spec's startContainer hooks, run where the spec says they run:
// in the container's namespaces, their path resolved there (config.md
// "StartContainer Hooks"), at start, before the init's first instruction.
// For tsvisor the container's namespaces are the Sentry's, so each hook is
// a process of the container: loaded by the Sentry from the container's
// root file system, run under the container's process.user, env and cwd
// (a hook without env gets process.env, as runc's startContainer does),
// with the state JSON on its stdin and its stdout and stderr in Sentry
// pipes kept for the error message. It is sandboxed like every container
// process; nothing of the host runs.
//
// runc runs these hooks in its init, after pivot_root and after
// finalizeNamespace (so as the container's user), once `runc start` has
// already returned: a failure there ends the init and start still exits 0.
// Here start waits for them and fails with the hook's error, and the
// container is stopped as runc's ends (the init dies before its first
// instruction; delete removes it). The state is runc's: status "created"
// and pid 1 (the init's pid in the container, what runc's getpid() gives).
// runsc skips these hooks with a warning.
//
// A hook's process is pid 2 and up, beside the loaded init; its parent is
// outside the sandbox, so it is reaped at once when it ends; what it forks
// is reparented to the init, as in runc's container.

import type { Hook } from '../config/spec.js';
import type { Credentials } from '../kernel/credentials.js';
import { decRef } from '../kernel/fd_table.js';
import { Pipe } from '../kernel/pipe.js';
import { makeSiginfo, sendToProcess } from '../kernel/signals.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import { WOULD_BLOCK } from '../vfs/file_description.js';
import { ExecError, loadInit } from './sandbox.js';
import type { SandboxKernel } from './sandbox.js';

/** The container's process, whose user, environment and working directory a hook takes. */
export interface HookProcess {
  env: string[];
  cwd: string;
  creds: Credentials;
}

/** What is kept of a hook's stdout and of its stderr. */
const KEEP_BYTES = 4096;
const SIGKILL = 9, SI_KERNEL = 0x80;
const FD_LIMIT = 1 << 20;

/** A startContainer hook that failed, in runc's words. */
export class StartHookError extends Error {}

/**
 * Runs the hooks in order, each to its end; rejects with StartHookError
 * at the first failure ("error running startContainer hook #0 (/path):
 * exit status 3, stdout: ..., stderr: ..."). state: runtime.md's State as
 * create made it; each hook reads it with status created and pid 1.
 */
export async function runStartContainerHooks(sk: SandboxKernel, hooks: readonly Hook[], state: object, proc: HookProcess): Promise<void> {
  const { ociVersion, id, bundle, annotations } = state as Record<string, unknown>;
  // runc's key order (specs.State): ociVersion, id, status, pid, bundle, annotations.
  const input = JSON.stringify({ ociVersion, id, status: 'created', pid: 1, bundle, annotations });
  for (let i = 0; i < hooks.length; i++) {
    try {
      await runHookProcess(sk, hooks[i], input, proc);
    } catch (e) {
      throw new StartHookError(`error running startContainer hook #${i} (${hooks[i].path}): ${(e as Error).message}`);
    }
  }
}

/** A Sentry pipe read from this side into a bounded text. */
function drain(p: Pipe, into: { text: string }): () => void {
  const buf = new Uint8Array(4096);
  const read = () => {
    for (;;) {
      const n = p.read([buf]);
      if (n <= 0) return;
      if (into.text.length < KEEP_BYTES) into.text += Buffer.from(buf.subarray(0, n)).toString('utf8').slice(0, KEEP_BYTES - into.text.length);
    }
  };
  const w = { mask: EVENT_IN | EVENT_HUP, notify: read };
  p.readEnd.queue.register(w);
  return () => {
    read();
    p.readEnd.queue.unregister(w);
    decRef(p.readEnd);
  };
}

/** Writes data into a Sentry pipe from this side as room comes, then closes its write end (the reader's EOF). */
function feed(p: Pipe, data: Uint8Array): void {
  let off = 0;
  const w = {
    mask: EVENT_OUT | EVENT_ERR,
    notify: () => push(),
  };
  const push = () => {
    while (off < data.length) {
      const n = p.write([data.subarray(off)], data.length - off);
      if (n === WOULD_BLOCK) return;
      if (n <= 0) break; // EPIPE: the hook closed its stdin
      off += n;
    }
    p.writeEnd.queue.unregister(w);
    decRef(p.writeEnd);
  };
  p.writeEnd.queue.register(w);
  push();
}

/** The shell-style words for a wait status, as Go's ExitError gives them. */
function describeStatus(status: number): string {
  const sig = status & 0x7f;
  if (sig === 0) return `exit status ${(status >> 8) & 0xff}`;
  return sig === SIGKILL ? 'signal: killed' : `signal: ${sig}`;
}

function runHookProcess(sk: SandboxKernel, h: Hook, input: string, proc: HookProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const argv = h.args !== undefined && h.args.length > 0 ? h.args : [h.path];
    const uid = proc.creds.ruid, gid = proc.creds.rgid;
    const stdin = new Pipe(uid, gid), stdout = new Pipe(uid, gid), stderr = new Pipe(uid, gid);
    const out = { text: '' }, err = { text: '' };
    const closeOut = drain(stdout, out), closeErr = drain(stderr, err);
    const task = (() => {
      try {
        return loadInit(sk, {
          argv, env: h.env ?? proc.env, cwd: proc.cwd, creds: proc.creds, files: [], cwdName: 'process.cwd', path: h.path, asInit: false,
        });
      } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
      }
    })();
    if (task instanceof Error) {
      for (const f of [stdin.readEnd, stdin.writeEnd, stdout.writeEnd, stderr.writeEnd]) decRef(f);
      closeOut();
      closeErr();
      // Go's words for a program that cannot be run: "fork/exec PATH: no such file or directory".
      const why = task instanceof ExecError && task.message.startsWith(`${argv[0]}: `) ? task.message.slice(argv[0].length + 2) : task.message;
      reject(new Error(`fork/exec ${h.path}: ${why.replace(/ \(E[A-Z]+\)$/, '')}`));
      return;
    }
    const tg: ThreadGroup = task.tg;
    task.fdTable.installAt(0, stdin.readEnd, false, FD_LIMIT);
    task.fdTable.installAt(1, stdout.writeEnd, false, FD_LIMIT);
    task.fdTable.installAt(2, stderr.writeEnd, false, FD_LIMIT);
    // The hook's ends are its own now: only its table holds them, so its exit closes them.
    decRef(stdin.readEnd);
    decRef(stdout.writeEnd);
    decRef(stderr.writeEnd);
    feed(stdin, Buffer.from(input));
    let timedOut = false;
    const timer = h.timeout === undefined ? null : setTimeout(() => {
      timedOut = true;
      sendToProcess(tg, makeSiginfo(SIGKILL, SI_KERNEL));
    }, h.timeout * 1000);
    // finish() notifies vforkQueue when a process exits (or execs): the one place its end is heard.
    const exitWaiter = {
      mask: EVENT_IN,
      notify: () => {
        if (tg.exitStatus === null) return;
        tg.vforkQueue.unregister(exitWaiter);
        if (timer !== null) clearTimeout(timer);
        closeOut();
        closeErr();
        const status = tg.exitStatus;
        if (timedOut) reject(new Error(`hook ran past specified timeout of ${(h.timeout ?? 0).toFixed(1)}s`));
        else if (status === 0) resolve();
        else reject(new Error(`${describeStatus(status)}, stdout: ${out.text.trimEnd()}, stderr: ${err.text.trimEnd()}`));
      },
    };
    tg.vforkQueue.register(exitWaiter);
    sk.kernel.schedule(task);
  });
}
