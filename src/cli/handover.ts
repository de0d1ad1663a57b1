// The first thing `node bin/tsvisor.js` does, before the CLI bundle loads:
// for `tsvisor do`, hand the process over to the launcher at once (the
// bundle then loads only once, in the sandbox). It reads only the options
// that shape the launch (--network, --userns, --unsafe-no-walls, --help),
// after the global flags do takes (--log, --log-format, --debug, ...);
// main.ts parses the whole command line again and relaunches if this scan
// missed, so the scan can only make start-up cheaper, never change it.

import { execLauncher, restoreNodeEnv, takeLaunched, NETWORK_MODES } from '../boot/launch.js';
import type { LaunchConfig, Launched, NetworkMode } from '../boot/launch.js';
import { native } from '../native.js';
export { writeStderr } from '../kernel/log.js';

/**
 * `do`'s options that take a value (native/entry.c has the same list;
 * test/cli.test.js checks both against the CLI's own).
 */
export const DO_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--root', '--cwd', '--env', '--debug-log', '--network', '--total-memory', '--vma-budget',
  '--max-host-fds', '--max-epoll-watches', '--max-pending-signals', '--max-descriptors', '-v', '--volume', '--overlay2']);

/**
 * The global flags (before the command, global.ts) that `do` takes, so
 * the scan can step over them; native/entry.c has the same lists. --root
 * is not among them: before do it is refused (main.ts), and the scan
 * leaves that to the CLI.
 */
export const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--log', '--log-format', '--rootless']);
export const GLOBAL_FLAGS: ReadonlySet<string> = new Set(['--debug', '--systemd-cgroup']);

/** Where the command is, after the global flags; -1 for a flag the scan does not know. */
function commandIndex(argv: string[]): number {
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (GLOBAL_FLAGS.has(a)) continue;
    if (eq > 0 && GLOBAL_VALUE_OPTIONS.has(a.slice(0, eq))) continue;
    if (GLOBAL_VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    return -1;
  }
  return i;
}

/** The launch `tsvisor [global flags] do ...` asks for, or null for no launch (not `do`, help, --unsafe-no-walls, or unclear). */
export function scanDo(argv: string[]): LaunchConfig | null {
  const at = commandIndex(argv);
  if (at < 0 || argv[at] !== 'do') return null;
  const cfg: LaunchConfig = { network: 'none', userns: false };
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--' || !a.startsWith('-')) break;
    if (a === '--unsafe-no-walls' || a === '-h' || a === '--help') return null;
    if (a === '--userns') cfg.userns = true;
    else if (a === '--network' || a.startsWith('--network=')) {
      const v = a === '--network' ? argv[++i] : a.slice('--network='.length);
      if (!NETWORK_MODES.includes(v as NetworkMode)) return null;
      cfg.network = v as NetworkMode;
    } else if (DO_VALUE_OPTIONS.has(a)) i++;
  }
  return cfg;
}

/**
 * Ends tsvisor with code, at once: not process.exit, whose exit handlers
 * include libuv's, which waits for every thread-pool worker, and a worker
 * may be blocked for good in a host read() the Sentry started for the
 * program (fs.read on a host pipe or socket nobody writes to).
 */
export function exitNow(code: number): never {
  return native.exitNow(code);
}

/** This Node's command line, to run again in the sandbox. */
export function nodeCommandLine(argv: string[]): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1], ...argv];
}

/**
 * What the launcher told this process (it is the Sentry), or null; for a
 * `do` not launched yet, never returns when the hand-over works.
 */
export function handOver(argv: string[]): Launched | null {
  restoreNodeEnv();
  const launched = takeLaunched();
  if (launched !== null) return launched;
  const cfg = scanDo(argv);
  if (cfg !== null) execLauncher(cfg, nodeCommandLine(argv)); // main.ts reports a failure
  return null;
}
