// The Sentry seals itself (gVisor's second wall): once it holds every host
// descriptor it needs (root directory, memory file, stub image, stdio, debug
// log, its own /proc), it changes its root to an empty directory, drops the
// capabilities it does not use, sets no-new-privileges and installs its
// seccomp filter on every thread. docs/security.md gives the reasons for
// each capability kept and each host call allowed.

import { readlinkSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { native, setProcDir } from '../native.js';
import type { Logger } from '../kernel/log.js';
import type { Launched } from './launch.js';

/**
 * Whether stubs are started per address space after the seal (vfork,
 * setresuid, execveat of the sealed stub image). While true, the filter
 * allows those calls and CAP_SETUID/CAP_SETGID stay (as root). False: the
 * platform forks every stub from its master stub, made before the seal,
 * so no exec and no identity change is possible after start.
 */
export const STUBS_EXEC_AFTER_SEAL = false;

const CAP_CHOWN = 0;
const CAP_DAC_OVERRIDE = 1;
const CAP_DAC_READ_SEARCH = 2;
const CAP_SETGID = 6;
const CAP_SETUID = 7;
const CAP_FOWNER = 3;
const CAP_FSETID = 4;
const CAP_KILL = 5;
const CAP_NET_BIND_SERVICE = 10;
const CAP_NET_RAW = 13;

const CAP_NAMES = new Map([[CAP_CHOWN, 'CAP_CHOWN'], [CAP_DAC_OVERRIDE, 'CAP_DAC_OVERRIDE'],
  [CAP_DAC_READ_SEARCH, 'CAP_DAC_READ_SEARCH'], [CAP_FOWNER, 'CAP_FOWNER'], [CAP_FSETID, 'CAP_FSETID'],
  [CAP_KILL, 'CAP_KILL'], [CAP_SETGID, 'CAP_SETGID'], [CAP_SETUID, 'CAP_SETUID'], [CAP_NET_BIND_SERVICE, 'CAP_NET_BIND_SERVICE'], [CAP_NET_RAW, 'CAP_NET_RAW']]);

export class SealError extends Error {}

/** The capabilities the sealed Sentry keeps (see docs/security.md). */
export function keptCapabilities(launched: Launched, writableVolumes = false, inet = false, netRaw = false): number[] {
  const uid = process.getuid?.() ?? 0;
  const keep: number[] = [];
  // A writable volume run by root: the sandbox's root changes owners,
  // modes and times of files it does not own there, as root does on a
  // bind mount natively (the VFS has checked the sandbox's own rules).
  // Only the volumes are writable: the root is a read-only mount tree.
  if (uid === 0 && writableVolumes) keep.push(CAP_CHOWN, CAP_FOWNER, CAP_FSETID);
  // A sandbox run by root reads the root file system as root: files other
  // users keep from others (mode 0700 directories, 0600 files) need these,
  // as they do natively. Writing stays impossible: the root is reached only
  // through a read-only mount tree, and no host path resolves.
  if (uid === 0) keep.push(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH);
  // Stubs of another uid can be signalled (SIGKILL at exit, SIGCHLD to
  // interrupt) only with CAP_KILL; ptrace requests on its own tracees need
  // no capability.
  if (launched.stubUid !== uid) keep.push(CAP_KILL);
  // SpawnStub's child changes to the stub identity.
  if (STUBS_EXEC_AFTER_SEAL && launched.stubUid !== uid) keep.push(CAP_SETUID, CAP_SETGID);
  // Inet sockets are the Sentry's host sockets: a program with CAP_NET_BIND_SERVICE in the
  // sandbox binds ports below 1024 (a web server on 80) through them. The Sentry checks the
  // program's capability itself (net/hostinet's bind), as inet_bind does.
  if (inet) keep.push(CAP_NET_BIND_SERVICE);
  // --net-raw: the program's raw inet and packet sockets are the Sentry's host ones, which the
  // host makes only for CAP_NET_RAW in the owner of the Sentry's network namespace (the one it
  // is in, the only one it can reach). The Sentry checks the program's own first (hostinet's
  // provider, as inet_create and packet_create). Without the flag it is dropped.
  if (inet && netRaw) keep.push(CAP_NET_RAW);
  return keep;
}

/** The pipe the launcher waits on: closed, the launcher forwards signals to the Sentry. */
export function signalReady(launched: Launched): void {
  if (launched.readyFd >= 0) native.close(launched.readyFd);
}

function mountNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/mnt'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/**
 * Node makes process.stdout and process.stderr when first read, and asks
 * the host what the descriptor is (getsockname for a socket), which the
 * sealed filter does not allow; net.Socket's destroy reads
 * process.stderr (to compare itself with it), so the control server's
 * first closed connection would kill the Sentry. Before the seal they
 * become plain writers over write(2): no libuv handle on descriptors the
 * program shares either (log.ts's writeStderr does the same).
 */
function plainNodeStdio(): void {
  for (const [name, fd] of [['stdout', 1], ['stderr', 2]] as const) {
    const w = new Writable({
      write(chunk: Buffer, _enc, done) {
        try {
          for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
        } catch {
          // A closed or full descriptor: the message is lost, the Sentry goes on.
        }
        done();
      },
    });
    Object.defineProperty(process, name, { configurable: true, enumerable: true, writable: true, value: Object.assign(w, { fd }) });
  }
}

/**
 * Seals the Sentry. Throws SealError if a wall cannot be built where the
 * namespaces were made (a degraded launch, which the launcher announced,
 * logs what it could not do and goes on).
 */
export function seal(launched: Launched, log: Logger, opts: { seccompLog?: boolean; writableVolumes?: boolean; controlFd?: number; inet?: boolean; netRaw?: boolean } = {}): void {
  const fatal = (msg: string) => {
    if (launched.degraded === null) throw new SealError(msg);
    log.warn(`seal: ${msg} (degraded launch: ${launched.degraded}); going on without it`);
  };
  if (launched.degraded !== null) log.warn(`seal: the launcher made no namespaces (${launched.degraded})`);
  plainNodeStdio();
  const ownNs = mountNamespace();
  const inOwnNs = ownNs !== '' && ownNs !== launched.hostMountNs;
  if (!inOwnNs && launched.degraded === null) throw new SealError('the Sentry is in the host mount namespace');
  const r = native.sealRoot(inOwnNs, true);
  if (r.error !== null) fatal(`cannot change the root: ${r.error}`);
  else if (r.how !== 'pivot_root') log.warn(`seal: root changed with ${r.how}, not pivot_root`);
  else log.info('seal: root is an empty read-only tmpfs (pivot_root)');
  if (r.procFd >= 0) setProcDir(r.procFd);
  let e = native.setNoNewPrivs();
  if (e < 0) fatal(`PR_SET_NO_NEW_PRIVS: errno ${-e}`);
  const raw = opts.inet === true && opts.netRaw === true;
  const keep = keptCapabilities(launched, opts.writableVolumes === true, opts.inet === true, raw);
  let lo = 0;
  let hi = 0;
  for (const c of keep) {
    if (c < 32) lo |= 1 << c;
    else hi |= 1 << (c - 32);
  }
  e = native.dropCapabilities(lo >>> 0, hi >>> 0);
  if (e < 0) fatal(`cannot drop capabilities: errno ${-e}`);
  log.info(`seal: capabilities kept: [${keep.map((c) => CAP_NAMES.get(c) ?? String(c)).join(', ')}]`);
  // The control server's listening socket (an OCI sandbox, src/control/)
  // is the one descriptor accept4 is allowed on.
  const controlFd = opts.controlFd ?? -1;
  // Host sockets for the sandbox's inet sockets (net/hostinet): socket(2) for AF_INET/AF_INET6
  // stream and datagram and their calls; with --net-raw raw inet and AF_PACKET ones too.
  e = native.installSeccomp(opts.seccompLog === true, STUBS_EXEC_AFTER_SEAL, controlFd, opts.inet === true, raw);
  if (e < 0) fatal(`cannot install the seccomp filter: errno ${-e}`);
  log.info(`seal: seccomp filter installed (${opts.seccompLog === true ? 'record mode: unlisted calls are logged' : 'unlisted calls kill the Sentry'}${STUBS_EXEC_AFTER_SEAL ? '; stub exec allowed' : ''}${controlFd >= 0 ? `; accept4 on the control socket (fd ${controlFd})` : ''}${opts.inet === true ? '; inet host sockets' : ''}${raw ? ', raw and packet too' : ''})`);
}
