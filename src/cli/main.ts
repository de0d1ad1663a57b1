// The command line: `tsvisor do` (runsc do), the runc-compatible commands
// (create, start, run, kill, delete, state, ps, list: oci.ts) behind runc's
// global flags (global.ts), and the hidden `boot` the sandbox runs
// (boot.ts). exec, pause, spec and features come later.

import { Command, CommanderError } from 'commander';
import * as path from 'node:path';
import { runDo, BootError } from '../boot/sandbox.js';
import * as fs from 'node:fs';
import { execLauncher, NETWORK_MODES } from '../boot/launch.js';
import type { Launched, NetworkMode, Volume } from '../boot/launch.js';
import { nodeCommandLine } from './handover.js';
import { Logger, writeStderr } from '../kernel/log.js';
import { addSpecCommand } from './spec.js';
import { addFeaturesCommand } from './features.js';
import type { LogFormat } from '../kernel/log.js';
import { repoRoot } from '../native.js';
import { ContainerError } from '../container/errors.js';
import { parseGlobals, reportError } from './global.js';
import type { GlobalOptions, Globals } from './global.js';
import { registerOciCommands } from './oci.js';
import { boot } from './boot.js';
import { parseOverlay } from './overlay_flag.js';

/** The OCI runtime spec version the commands follow. */
const OCI_SPEC_VERSION = '1.2.0';

/** `tsvisor --version`, laid out as runc's (the first line is what callers read). */
function versionText(): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // A build without its package.json.
  }
  return `tsvisor version ${version}\nspec: ${OCI_SPEC_VERSION}\nnode: ${process.version}`;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

interface DoFlags {
  root: string;
  cwd?: string;
  env: string[];
  strace: boolean;
  debugLog?: string;
  totalMemory?: string;
  vmaBudget?: string;
  maxHostFds?: string;
  maxEpollWatches?: string;
  maxPendingSignals?: string;
  maxDescriptors?: string;
  network: string;
  overlay2: string;
  netRaw: boolean;
  userns: boolean;
  unsafeNoWalls: boolean;
  volume: string[];
}

/**
 * The launch `do` runs in: the one the launcher made (checked against the
 * flags), none for --unsafe-no-walls, or, if the hand-over in bin/ did not
 * happen, the hand-over now (it does not return).
 */
function launchFor(o: DoFlags, argv: string[], launched: Launched | null): Launched | null {
  if (!NETWORK_MODES.includes(o.network as NetworkMode)) {
    throw new BootError(`--network ${o.network}: expected one of ${NETWORK_MODES.join(', ')}`, 125);
  }
  if (o.unsafeNoWalls) {
    writeStderr('tsvisor: warning: --unsafe-no-walls: the Sentry runs with the host\'s namespaces, ' +
      'its capabilities and no seccomp filter; a bug in it is a host compromise\n');
    return null;
  }
  const cfg = { network: o.network as NetworkMode, userns: o.userns };
  if (launched === null) throw new BootError(execLauncher(cfg, nodeCommandLine(argv)), 125);
  const rootless = (process.getuid?.() ?? 0) !== 0;
  if (launched.degraded === null && (launched.network !== cfg.network || launched.userns !== (cfg.userns || rootless))) {
    throw new BootError(`internal error: launched with network=${launched.network} userns=${launched.userns}, ` +
      `asked for network=${cfg.network} userns=${cfg.userns}`, 125);
  }
  return launched;
}

/**
 * Runs the command line argv. launched: what the launcher told this
 * process (bin/tsvisor.js takes it from the environment), or null.
 */
export async function main(argv: string[], launched: Launched | null = null): Promise<number> {
  const program = new Command();
  program
    .name('tsvisor')
    .description('an application kernel for containers: runs Linux programs under a Sentry kernel written in TypeScript')
    .usage('[global options] command [options] [arguments]')
    .exitOverride()
    .showHelpAfterError()
    .enablePositionalOptions()
    .configureOutput({ writeErr: (s) => writeStderr(s) })
    // runc's global flags (global.ts); they come before the command.
    .option('--root <dir>', 'directory of the containers\' state (default: /run/tsvisor; rootless, $XDG_RUNTIME_DIR/tsvisor)')
    .option('--log <file>', 'also write the runtime\'s messages (and the sandbox\'s log) to this file')
    .option('--log-format <format>', 'the --log file\'s format: text or json', 'text')
    .option('--debug', 'log debug messages too', false)
    .option('--systemd-cgroup', 'linux.cgroupsPath is systemd\'s slice:prefix:name (the host cgroup is /SLICE/prefix-name.scope)', false)
    .option('--rootless <value>', 'accepted (true, false or auto): a host cgroup that cannot be had is skipped unless the spec needs it', 'auto')
    // tsvisor's own, as runsc's (global.ts): they shape the sandboxes create and run make.
    .option('--platform <name>', 'how application code is run: ptrace (the only platform)', 'ptrace')
    .option('--network <mode>', 'host: the network namespace the spec gives, served through host sockets; none: a new empty one (loopback only) whatever the spec says', 'host')
    .option('--overlay2 <medium>', 'the root\'s overlay: root:memory, root:self, root:dir=PATH or none (the bundle\'s rootfs as it is, read-only)', 'root:memory')
    .option('--net-raw', 'enable raw sockets, as runsc\'s: without it CAP_NET_RAW is removed from every container process\'s capabilities (raw and packet sockets reach much more of the host kernel, and let a container craft packets)', false)
    .option('--strace', 'trace every system call of the containers to the sandbox\'s log (needs --log or --debug-log)', false)
    .option('--debug-log <file>', 'the sandbox\'s log, with its debug lines, in the Sentry\'s format (instead of --log)')
    .version(versionText(), '--version', 'print the version');

  let status = 0;
  // Parsed when a command first needs them (a bad flag is then that command's error).
  const parsed: { globals: Globals | null } = { globals: null };
  const getGlobals = (): Globals => {
    parsed.globals ??= parseGlobals(program.opts<GlobalOptions>());
    return parsed.globals;
  };
  program
    .command('do')
    .description('run a program in a new sandbox whose root is a host directory (read-only), with this terminal as its stdio')
    .usage('[options] [--] CMD [ARGS...]')
    // As with runsc do, options end at the command: `tsvisor do ls -l` runs `ls -l`.
    .passThroughOptions()
    .option('--root <dir>', 'host directory to use as the sandbox root', '/')
    .option('--cwd <dir>', 'working directory inside the sandbox (default: the current directory, if it exists inside the root)')
    .option('--env <K=V>', 'set an environment variable (repeatable); when given, only these are passed', collect, [] as string[])
    .option('--strace', 'print each system call to stderr, as runsc --strace does', false)
    .option('--debug-log <file>', 'write the Sentry debug log to this file')
    .option('--total-memory <bytes>', 'the sandbox\'s total memory, with an optional K, M or G suffix (default: half the host\'s RAM); past it the OOM killer ends the largest process')
    .option('--vma-budget <n>', 'the most memory mappings all the sandbox\'s processes may hold together (default: from the Sentry\'s heap limit)')
    .option('--max-host-fds <n>', 'the most host files the sandbox may hold open at once; past it open fails with ENFILE (default: the Sentry\'s RLIMIT_NOFILE less a reserve)')
    .option('--max-epoll-watches <n>', 'the most epoll watches per user and in the whole sandbox; past it epoll_ctl fails with ENOSPC (default: 2^19)')
    .option('--max-pending-signals <n>', 'the most signals queued in the whole sandbox; past it sigqueue fails with EAGAIN (default: 2^17)')
    .option('--max-descriptors <n>', 'the most descriptor slots in all the sandbox\'s fd tables; past it EMFILE, a fork ENOMEM (default: 2^22)')
    .option('--network <mode>', 'none: a network namespace of its own (no host network); host: the host\'s', 'none')
    .option('--overlay2 <medium>', 'the root\'s overlay, as runsc\'s --overlay2: root:memory (default: writes go to the Sentry\'s memory, the host tree is never changed), root:self or root:dir=PATH (writes go to a nameless file on the root\'s host file system, or in the host directory PATH, so they use disk, not memory), or none (the host root as it is, read-only)', 'root:memory')
    .option('--net-raw', 'enable raw sockets (raw AF_INET/AF_INET6 and AF_PACKET) for a program with CAP_NET_RAW; without it CAP_NET_RAW is removed from every capability set, as runsc --net-raw', false)
    .option('--userns', 'a user namespace even when run as root (other users always get one)', false)
    .option('-v, --volume <HOST:SANDBOX[:ro]>', 'bind-mount the host directory HOST at SANDBOX, read-write (the program\'s writes reach the host, only beneath HOST) or read-only with :ro (repeatable)', collect, [] as string[])
    .option('--unsafe-no-walls', 'UNSAFE, for measurements only: no namespaces, no seccomp filter, all capabilities', false)
    .argument('<cmd...>', 'program and its arguments')
    .showHelpAfterError()
    .exitOverride()
    .action(async (cmd: string[], o: DoFlags) => {
      const g = getGlobals();
      if (g.rootGiven) {
        throw new BootError('--root before do names the directory of containers\' state, which do does not keep; ' +
          'the sandbox\'s root directory is do\'s own option: tsvisor do --root DIR ...', 125);
      }
      if (g.sandboxFlags.length > 0) {
        const f = g.sandboxFlags[0];
        throw new BootError(`${f} before do is the OCI commands' flag; do takes its own after the command: tsvisor do ${f} ...`, 125);
      }
      // --debug with --log: the Sentry's debug log goes to the --log file, in its format.
      const debugLog = o.debugLog ?? (g.debug && g.logFile !== null ? g.logFile : undefined);
      const logFormat: LogFormat | undefined = o.debugLog === undefined && debugLog !== undefined ? g.logFormat : undefined;
      const walls = launchFor(o, argv, launched);
      const totalMemory = o.totalMemory === undefined ? undefined : parseBytes('--total-memory', o.totalMemory);
      const vmaBudget = o.vmaBudget === undefined ? undefined : parseCount('--vma-budget', o.vmaBudget);
      const maxHostFds = o.maxHostFds === undefined ? undefined : parseCount('--max-host-fds', o.maxHostFds);
      const kernelLimits = {
        epollWatches: o.maxEpollWatches === undefined ? undefined : parseCount('--max-epoll-watches', o.maxEpollWatches),
        pendingSignals: o.maxPendingSignals === undefined ? undefined : parseCount('--max-pending-signals', o.maxPendingSignals),
        descriptors: o.maxDescriptors === undefined ? undefined : parseCount('--max-descriptors', o.maxDescriptors),
      };
      const volumes = o.volume.map(parseVolume);
      for (const e of o.env) {
        if (!e.includes('=')) throw new BootError(`--env ${e}: expected KEY=VALUE`, 125);
      }
      const env = o.env.length > 0
        ? o.env
        : Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
      const overlay = parseOverlay(o.overlay2);
      const root = path.resolve(o.root);
      let cwd = o.cwd ?? (root === '/' ? process.cwd() : '/');
      if (!cwd.startsWith('/')) throw new BootError(`--cwd ${cwd}: must be an absolute path inside the sandbox`, 125);
      const run = () => runDo({
        root, cwd, argv: cmd, env, strace: o.strace, debugLog: debugLog ?? null, logFormat, totalMemory, vmaBudget, maxHostFds,
        kernelLimits, launched: walls, volumes, overlay, netRaw: o.netRaw,
      });
      status = await run().catch((e: unknown) => {
        if (e instanceof BootError && /^--cwd/.test(e.message) && o.cwd === undefined) {
          cwd = '/';
          return run();
        }
        throw e;
      });
    });

  addSpecCommand(program);
  addFeaturesCommand(program);
  registerOciCommands(program, getGlobals, (n) => {
    status = n;
  });

  program
    .command('boot', { hidden: true })
    .description('the sandbox process (started by create and run through the launcher; not run by hand)')
    .requiredOption('--sync-fd <n>', 'the start socket create gave')
    .argument('<container-id>')
    .action(async (id: string, o: { syncFd: string }) => {
      const g = getGlobals();
      const syncFd = Number(o.syncFd);
      if (!Number.isInteger(syncFd) || syncFd < 3) throw new BootError(`--sync-fd ${o.syncFd}: expected a descriptor number from 3 up`, 125);
      // --debug-log: the sandbox's log is that file, debug lines and all, in the Sentry's format.
      let log = g.log;
      if (g.debugLogFile !== null) {
        try {
          log = new Logger(g.debugLogFile, { format: 'sentry', debug: true });
        } catch (e) {
          throw new BootError(`--debug-log ${g.debugLogFile}: ${(e as Error).message}`, 125);
        }
      }
      status = await boot({ id, syncFd, stateRoot: path.resolve(g.root), launched, log, overlay: g.overlay, strace: g.strace, netRaw: g.netRaw });
    });

  if (argv.length === 0) {
    writeStderr(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof BootError) {
      reportError(parsed.globals, e.message);
      return e.exitCode;
    }
    if (e instanceof ContainerError) {
      reportError(parsed.globals, e.message);
      return e.exitCode;
    }
    throw e;
  } finally {
    parsed.globals?.log.close();
  }
  return status;
}

/**
 * `HOST:SANDBOX[:ro|:rw]`, as docker and runsc take it: both paths
 * absolute, HOST an existing directory (followed if a symlink, here, on the
 * host side, before anything runs), SANDBOX not the root.
 */
function parseVolume(spec: string): Volume {
  const bad = (why: string) => new BootError(`--volume ${spec}: ${why}`, 125);
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw bad('expected HOST:SANDBOX or HOST:SANDBOX:ro');
  const [host, target, mode = 'rw'] = parts;
  if (mode !== 'ro' && mode !== 'rw') throw bad(`unknown mode ${mode} (ro or rw)`);
  if (!host.startsWith('/')) throw bad('the host directory must be an absolute path');
  if (!target.startsWith('/')) throw bad('the sandbox path must be absolute');
  const at = path.posix.normalize(target).replace(/\/+$/, '');
  if (at === '' || at === '/') throw bad('cannot mount over the sandbox root');
  let st: fs.Stats;
  try {
    st = fs.statSync(host);
  } catch (e) {
    throw bad(`cannot use the host directory: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw bad('the host path is not a directory');
  return { host: path.resolve(host), target: at, readOnly: mode === 'ro' };
}

/** A byte count with an optional K, M or G suffix (powers of 1024), rounded down to whole pages, at least one page. */
function parseBytes(flag: string, text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  const scale: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };
  const n = m === null ? NaN : Number(m[1]) * scale[m[2].toUpperCase()];
  const pages = Math.floor(n / 4096) * 4096;
  if (!Number.isSafeInteger(pages) || pages <= 0) throw new BootError(`${flag} ${text}: expected a size in bytes such as 512M or 4G`, 125);
  return pages;
}

function parseCount(flag: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new BootError(`${flag} ${text}: expected a positive whole number`, 125);
  return n;
}
