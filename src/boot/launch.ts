// The one launch path of a sandbox (what runsc's sandbox start-up does
// before its Sentry runs, seed 001, with runc's namespaces and id maps,
// seed 004): a launch config, the command line of the native launcher
// (native/launcher.c) that makes the namespaces and then runs Node with the
// CLI again, and what the launcher tells that Node. `tsvisor do` is one
// user; the OCI commands will build a LaunchConfig from a spec.

import * as fs from 'node:fs';
import { native, launcherPath } from '../native.js';
import type { Logger } from '../kernel/log.js';

export type NetworkMode = 'none' | 'host';
export const NETWORK_MODES: readonly NetworkMode[] = ['none', 'host'];

export interface LaunchConfig {
  /** A new network namespace (none) or the host's (host). */
  network: NetworkMode;
  /** A network namespace to join instead (an OCI spec's path, absolute): network is then ignored. */
  netns?: string;
  /** A user namespace even when the caller is root (one is always made for other callers). */
  userns: boolean;
  /**
   * Close every descriptor from this one up before the namespaces are made
   * (an OCI sandbox: nothing of the caller's but stdio and --preserve-fds
   * may reach it); undefined: keep what the launcher was given (do).
   */
  closeFrom?: number;
}

/** What the launcher did, as it told the Sentry. */
export interface Launched {
  /** The host's mount namespace (inode number): the Sentry never pivots its root in it. */
  hostMountNs: string;
  /** A pipe the Sentry closes once it forwards signals itself. */
  readyFd: number;
  /** The host uid and gid the stubs run as (mapped to the same numbers in the user namespace). */
  stubUid: number;
  stubGid: number;
  userns: boolean;
  network: NetworkMode;
  /** Why the namespaces could not be made (the Sentry then runs in the host's), or null. */
  degraded: string | null;
}

const MARKER = 'TSVISOR_LAUNCHED';

/** The launcher's argv for cfg, running program (argv[0] must be a path). */
export function launcherArgv(cfg: LaunchConfig, program: string[]): string[] {
  const a = [launcherPath];
  if (cfg.userns) a.push('--userns');
  if (cfg.closeFrom !== undefined) a.push(`--close-from=${cfg.closeFrom}`);
  a.push(cfg.netns !== undefined ? `--netns=${cfg.netns}` : `--network=${cfg.network}`, '--', ...program);
  return a;
}

/**
 * Replaces this process with the launcher, which runs program in the
 * sandbox's namespaces. Returns only on failure, with the reason.
 */
export function execLauncher(cfg: LaunchConfig, program: string[]): string {
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  const r = native.execve(launcherPath, launcherArgv(cfg, program), env);
  return `cannot run the launcher ${launcherPath} (errno ${-r}); run 'npm install' to build it`;
}

const SAVED_CA_CERTS = 'TSVISOR_SAVED_NODE_EXTRA_CA_CERTS';

/**
 * Puts back what native/node_env.h set aside so that this Node would not
 * load it (NODE_EXTRA_CA_CERTS): the environment the sandbox's programs,
 * hooks and later launches are given is the one tsvisor was given.
 */
export function restoreNodeEnv(env: NodeJS.ProcessEnv = process.env): void {
  const v = env[SAVED_CA_CERTS];
  if (v === undefined) return;
  delete env[SAVED_CA_CERTS];
  env.NODE_EXTRA_CA_CERTS = v;
}

/**
 * What the launcher told this process, taken out of the environment (so the
 * sandbox's programs never see it); null when it was not launched (no
 * marker, or one this process inherited from an ancestor the launcher ran).
 */
export function takeLaunched(env: NodeJS.ProcessEnv = process.env): Launched | null {
  const s = env[MARKER];
  if (s === undefined) return null;
  delete env[MARKER];
  const f = new Map(s.split(',').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)] as const;
  }));
  if (Number(f.get('pid')) !== process.pid) return null;
  const [uid, gid] = (f.get('stub') ?? '').split(':').map(Number);
  const network = f.get('net') === 'host' ? 'host' : 'none';
  return {
    hostMountNs: f.get('mntns') ?? '',
    readyFd: Number(f.get('ready') ?? -1),
    stubUid: uid,
    stubGid: gid,
    userns: f.get('userns') === '1',
    network,
    degraded: f.get('degraded') ?? null,
  };
}

/** A host directory bind-mounted into the sandbox (`-v HOST:SANDBOX[:ro]`, an OCI bind mount). */
export interface Volume {
  /** The host directory, absolute. */
  host: string;
  /** Where the sandbox sees it: absolute, normalised, not "/". */
  target: string;
  readOnly: boolean;
}

/**
 * Opens a volume's host directory, before the seal (afterwards no host path
 * resolves): with the walls, a detached copy of its mount tree, nosuid and
 * nodev, read-only for :ro (native/confine.c), so the kernel itself refuses
 * what the Sentry must not do there; without them (--unsafe-no-walls, or a
 * kernel without open_tree), the directory as it is. Returns a directory
 * descriptor; throws with the reason.
 */
export function openVolume(v: Volume, walls: boolean, log: Logger): number {
  if (walls) {
    const fd = native.openTreeVolume(v.host, v.readOnly);
    if (fd >= 0) return fd;
    log.warn(`volume ${v.host}: cannot make a copy of its mount tree (errno ${-fd}): opening it as it is`);
  }
  try {
    return fs.openSync(v.host, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw new Error(`volume ${v.host}: ${(e as Error).message}`);
  }
}
