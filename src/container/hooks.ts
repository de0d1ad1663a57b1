// The OCI runtime spec's POSIX-platform hooks (config.md "Hooks", runtime.md
// "Lifecycle"), as host processes: what runc's configs.Command.Run and
// runsc's specutils.ExecuteHooks do. Each hook is run in order with its
// path, args (args[0] is its argv[0]; none: the path) and env (none: the
// runtime's own environment, as Go's exec.Cmd gives a nil Env), the
// container's state JSON on stdin, its stdout and stderr captured for the
// error message, and its timeout (SIGKILL at the deadline, then an error in
// runc's words). The first failure ends a fatal list; a best-effort list
// (poststart, poststop) logs each failure and goes on.
//
// Where each list runs (docs/oci.md "Hooks"): prestart, createRuntime,
// poststart and poststop here, in the runtime's namespaces, by the command
// that reaches that step (create, start, delete); createContainer in the
// sandbox process, in its namespaces, before the Sentry opens the root
// (src/cli/boot.ts, with this runner); startContainer inside the Sentry,
// as a process of the container (src/boot/start_hooks.ts).
//
// Where it differs from runc: a hook is done when its process exits, not
// when its stdout and stderr reach EOF, so a daemon it leaves holding them
// never hangs the caller (Go's cmd.Wait waits for the pipes); it runs in a
// process group of its own, and a timeout kills the whole group, not just
// the first process; descriptors the runtime inherited (a caller's pipes,
// --preserve-fds) are closed before any hook runs, so a hook never holds a
// caller's pipe open (runc leaks some of its own). Every hook's working
// directory is the bundle (runc's is the bundle only for the hooks that run
// within create or run, since those chdir there), except createContainer's,
// which is the root file system as runc's is.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type { Hook, Hooks } from '../config/spec.js';
import { HOOK_NAMES } from '../config/names.js';
import type { HookName } from '../config/names.js';
import { ContainerError } from './errors.js';

export type { Hook, Hooks, HookName };

/**
 * The state a hook reads on stdin: runtime.md's "State" as runc gives it
 * (specs.State: ociVersion, id, status, pid, bundle, annotations); pid is
 * left out once the container has stopped, as runc's omitempty leaves a 0.
 */
export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** A hook that failed: its list, its index, and runc's words for why. */
export class HookError extends ContainerError {}

/** What is kept of a hook's stdout and of its stderr for the error message. */
const KEEP_BYTES = 4096;

/** Whether hooks has any hook in one of the lists named. */
export function hasHooks(hooks: Hooks | undefined, names: readonly HookName[]): boolean {
  return hooks !== undefined && names.some((n) => (hooks[n]?.length ?? 0) > 0);
}

/** env entries (NAME=VALUE) as the environment object spawn takes; of a duplicate name the last entry wins, as Go's exec.Cmd (runc's) keeps it. */
function envObject(list: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

/** Seconds as runc prints a timeout (%.1fs). */
function seconds(s: number): string {
  return `${s.toFixed(1)}s`;
}

function collect(stream: NodeJS.ReadableStream | null, into: { text: string }): void {
  stream?.on('data', (b: Buffer) => {
    if (into.text.length < KEEP_BYTES) into.text += b.toString('utf8').slice(0, KEEP_BYTES - into.text.length);
  });
  stream?.on('error', () => {});
}

/** Runs one hook; resolves when its process has exited and succeeded, rejects with the reason in runc's words. */
export function runHook(h: Hook, state: HookState, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = h.args ?? [];
    const out = { text: '' };
    const err = { text: '' };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(h.path, args.slice(1), {
        argv0: args[0] ?? h.path,
        env: h.env !== undefined ? envObject(h.env) : process.env,
        // A bundle removed before delete still lets poststop run (from /, not a missing directory).
        cwd: fs.existsSync(cwd) ? cwd : '/',
        stdio: ['pipe', 'pipe', 'pipe'],
        // A process group of its own: a timeout kills what the hook started too.
        detached: true,
      });
    } catch (e) {
      reject(new Error(`fork/exec ${h.path}: ${(e as Error).message}`));
      return;
    }
    let timer: NodeJS.Timeout | null = null;
    let timedOut = false;
    let settled = false;
    const done = (e: Error | null) => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      // The pipes are dropped as soon as the hook's process ends: whatever
      // it left running gets EPIPE, and this runtime never waits for it.
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      if (e === null) resolve();
      else reject(e);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // spawn's failure to start it (no such file, not executable): Go's words.
      const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
      done(new Error(`fork/exec ${h.path}: ${why}`));
    });
    collect(child.stdout, out);
    collect(child.stderr, err);
    child.stdin?.on('error', () => {}); // a hook that does not read its stdin
    child.stdin?.end(JSON.stringify(state));
    if (h.timeout !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, h.timeout * 1000);
    }
    child.on('exit', (code, signal) => {
      if (timedOut) {
        done(new Error(`hook ran past specified timeout of ${seconds(h.timeout ?? 0)}`));
        return;
      }
      if (code === 0) {
        done(null);
        return;
      }
      const how = code !== null ? `exit status ${code}` : `signal: ${signalName(signal)}`;
      done(new Error(`${how}, stdout: ${out.text.trimEnd()}, stderr: ${err.text.trimEnd()}`));
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Go's names for the signals a hook most often dies of (its ExitError text), else the name. */
function signalName(s: NodeJS.Signals | null): string {
  const words: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGINT: 'interrupt', SIGPIPE: 'broken pipe',
  };
  return s === null ? 'unknown' : words[s] ?? s;
}

/**
 * Runs the hooks of one list in order; the first failure rejects with a
 * HookError ("error running createRuntime hook #0 (/path): exit status 3,
 * stdout: ..., stderr: ..."), and the hooks after it do not run.
 */
export async function runHooks(name: HookName, hooks: readonly Hook[] | undefined, state: HookState, cwd: string): Promise<void> {
  const list = hooks ?? [];
  for (let i = 0; i < list.length; i++) {
    try {
      await runHook(list[i], state, cwd);
    } catch (e) {
      throw new HookError(`error running ${name} hook #${i} (${list[i].path}): ${(e as Error).message}`);
    }
  }
}

/** Runs every hook of a list whatever fails (poststart, poststop: the spec's "log a warning"), warning of each failure. */
export async function runHooksBestEffort(
  name: HookName, hooks: readonly Hook[] | undefined, state: HookState, cwd: string, warn: (msg: string) => void,
): Promise<void> {
  const list = hooks ?? [];
  for (let i = 0; i < list.length; i++) {
    try {
      await runHook(list[i], state, cwd);
    } catch (e) {
      warn(`error running ${name} hook #${i} (${list[i].path}): ${(e as Error).message}`);
    }
  }
}

/**
 * Closes every descriptor above stderr that this process inherited (one
 * without close-on-exec: Node opens all of its own with it), so that no
 * hook, and nothing a hook leaves running, holds a caller's pipe or a
 * --preserve-fds descriptor. Called once the sandbox, which needs them,
 * has been started.
 */
export function closeInheritedFds(): void {
  let fds: string[];
  try {
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  for (const name of fds) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    let flags: number;
    try {
      const m = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
      if (m === null) continue;
      flags = parseInt(m[1], 8);
    } catch {
      continue; // the readdir's own descriptor, closed meanwhile
    }
    if ((flags & 0o2000000) !== 0) continue; // O_CLOEXEC: one of Node's own
    try {
      fs.closeSync(fd);
    } catch {
      // Closed meanwhile.
    }
  }
}

/** Checks hooks read back from state.json or sent across to the sandbox: the config's shape, nothing more. */
export function parseHooks(v: unknown, what: string): Hooks {
  const bad = (f: string) => new ContainerError(`${what}: hooks${f} is malformed`);
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('');
  const o = v as Record<string, unknown>;
  const hooks: Hooks = {};
  for (const name of HOOK_NAMES) {
    const list = o[name];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > 1024) throw bad(`.${name}`);
    hooks[name] = list.map((h: unknown, i) => {
      const at = `.${name}[${i}]`;
      if (typeof h !== 'object' || h === null) throw bad(at);
      const r = h as Record<string, unknown>;
      const strs = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
      if (typeof r.path !== 'string' || !r.path.startsWith('/')) throw bad(`${at}.path`);
      if (r.args !== undefined && !strs(r.args)) throw bad(`${at}.args`);
      if (r.env !== undefined && !strs(r.env)) throw bad(`${at}.env`);
      if (r.timeout !== undefined && (!Number.isInteger(r.timeout) || (r.timeout as number) < 1)) throw bad(`${at}.timeout`);
      const hook: Hook = { path: r.path };
      if (r.args !== undefined) hook.args = [...(r.args as string[])];
      if (r.env !== undefined) hook.env = [...(r.env as string[])];
      if (r.timeout !== undefined) hook.timeout = r.timeout as number;
      return hook;
    });
  }
  return hooks;
}

/** Checks a HookState that crossed a process boundary. */
export function parseHookState(v: unknown, what: string): HookState {
  const bad = (f: string) => new ContainerError(`${what}: the hooks' state is malformed (${f})`);
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const o = v as Record<string, unknown>;
  for (const k of ['ociVersion', 'id', 'bundle'] as const) if (typeof o[k] !== 'string') throw bad(k);
  if (!['creating', 'created', 'running', 'stopped'].includes(o.status as string)) throw bad('status');
  if (o.pid !== undefined && (!Number.isInteger(o.pid) || (o.pid as number) < 0)) throw bad('pid');
  const s: HookState = {
    ociVersion: o.ociVersion as string, id: o.id as string, status: o.status as HookState['status'],
    ...(o.pid !== undefined ? { pid: o.pid as number } : {}), bundle: o.bundle as string,
  };
  if (o.annotations !== undefined) {
    const a = o.annotations as Record<string, unknown>;
    if (typeof a !== 'object' || a === null || Object.values(a).some((x) => typeof x !== 'string')) throw bad('annotations');
    s.annotations = { ...(a as Record<string, string>) };
  }
  return s;
}

/** The hooks the sandbox runs itself, as create sends them with the container's description. */
export interface SandboxHooks {
  createContainer: Hook[];
  startContainer: Hook[];
  /** The state as of create (status creating, the hooks' pid: the Sentry's process, container.ts's createSteps): createContainer's; startContainer's is made from it. */
  state: HookState;
}

/** Reads the hooks part of create's message to the sandbox (null: none). */
export function parseSandboxHooks(v: unknown): SandboxHooks | null {
  if (v === undefined) return null;
  if (typeof v !== 'object' || v === null) throw new ContainerError('the container description from create is malformed: hooks');
  const o = v as Record<string, unknown>;
  const lists = parseHooks({ createContainer: o.createContainer, startContainer: o.startContainer }, 'the container description from create');
  return { createContainer: lists.createContainer ?? [], startContainer: lists.startContainer ?? [], state: parseHookState(o.state, 'the container description from create') };
}

/**
 * createContainer, as the sandbox process runs it (src/cli/boot.ts): in
 * the sandbox's own namespaces (the mount, pid, network, IPC and UTS ones
 * the launcher made, and the user one when there is one), before the
 * Sentry opens the container's root and seals itself, with the host's
 * file system still in view: the path resolves in the runtime's
 * namespace and the hook runs in the container's, as far as a host
 * process can be in it (runsc runs these hooks in its gofer, in the
 * mount namespace the container's files come from, before pivot_root).
 * Its working directory is the root file system, as runc's is.
 *
 * Whatever a hook leaves running is killed once the list is done: the
 * Sentry is pid 1 of its pid namespace, so kill(-1) reaches every other
 * process in it. An unsealed process with the Sentry's privileges must
 * not outlive the seal beside it (runc lets a hook's daemon live).
 */
export async function runCreateContainerHooks(h: SandboxHooks, rootDir: string): Promise<void> {
  try {
    await runHooks('createContainer', h.createContainer, h.state, rootDir);
  } finally {
    // Only as pid 1 of a namespace of its own: anywhere else kill(-1) would reach the host's processes.
    if (process.pid === 1) {
      try {
        process.kill(-1, 'SIGKILL');
      } catch {
        // Nothing left (ESRCH).
      }
    }
  }
}
