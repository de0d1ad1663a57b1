// The host interface: typed access to the N-API addon built from native/.
// Mechanism only (see native/addon.c); every function returns a negative
// errno rather than throwing when the host call fails.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';

export interface NativeAddon {
  memfdCreate(name: string, size: number): number;
  mapShared(fd: number, offset: number, length: number): ArrayBuffer;
  punchHole(fd: number, offset: number, length: number): number;
  /** A new stub, stopped at its int3, running as uid/gid (unchanged when uid < 0). */
  spawnStub(stubPath: string, memfd: number, uid: number, gid: number, storefd: number): number;
  getRegs(pid: number, regs: BigUint64Array): number;
  setRegs(pid: number, regs: BigUint64Array): number;
  getFpRegs(pid: number, buf: Uint8Array): number;
  setFpRegs(pid: number, buf: Uint8Array): number;
  getSiginfo(pid: number, buf: Uint8Array): number;
  /** op: 0 SYSEMU, 1 CONT, 2 SYSEMU_SINGLESTEP. Returns the stopped pid, status in out[0]. */
  resume(pid: number, regs: BigUint64Array | null, op: number, sig: number, out: Int32Array): number;
  wait(pid: number, nohang: boolean, out: Int32Array): number;
  /** 0 with the call's result in out[0], or -errno when the injection itself failed. */
  inject(pid: number, nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, out: Float64Array): number;
  kill(pid: number, sig: number): number;
  /** Waits (through signals) until pid, already killed, has exited. */
  reap(pid: number): number;
  /** Waits for pid's next stop or exit through any signal, ignoring the quantum. */
  waitThrough(pid: number, out: Int32Array): number;
  /** Once: cb(fd, revents) is called on the event loop when an interest armed by watchFd fires. */
  watchInit(cb: (fd: number, revents: number) => void): number;
  /** Arms a one-shot interest in fd for events (POLLIN | POLLOUT); -EPERM if fd cannot be polled. */
  watchFd(fd: number, events: number): number;
  unwatchFd(fd: number): number;
  /** Hands the interests that have already fired to watchInit's cb now, synchronously: how many. */
  watchPump(): number;
  openBeneath(dirfd: number, path: string, flags: number, mode: number): number;
  fstat(fd: number, buf: Uint8Array): number;
  fstatfs(fd: number, buf: Uint8Array): number;
  readlinkAt(fd: number, path: string): string | number;
  getdents64(fd: number, buf: Uint8Array): number;
  lseek(fd: number, off: number, whence: number): number;
  /** offset < 0: read at the file position. */
  pread(fd: number, buf: Uint8Array, offset: number): number;
  pwrite(fd: number, buf: Uint8Array, offset: number): number;
  close(fd: number): number;
  /** A close-on-exec copy of fd: the new fd or -errno. */
  dup(fd: number): number;

  // A writable bind mount (hostfs): every name is one component relative to
  // a descriptor opened beneath the mount's root, or "" with AT_EMPTY_PATH.
  mkdirat(dirfd: number, name: string, mode: number): number;
  /** FIFOs and sockets only (the seccomp filter kills the Sentry on a device node). */
  mknodat(dirfd: number, name: string, mode: number, dev: number): number;
  unlinkat(dirfd: number, name: string, flags: number): number;
  renameat2(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  symlinkat(target: string, dirfd: number, name: string): number;
  linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): number;
  fchmodat2(dirfd: number, name: string, mode: number, flags: number): number;
  /** uid or gid -1: unchanged. */
  fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): number;
  /** times: [atime s, atime ns, mtime s, mtime ns]; ns may be UTIME_NOW or UTIME_OMIT. */
  utimensat(dirfd: number, name: string, times: Float64Array, flags: number): number;
  ftruncate(fd: number, len: number): number;
  fallocate(fd: number, mode: number, offset: number, len: number): number;
  /** fdatasync when dataOnly. */
  fsync(fd: number, dataOnly: boolean): number;
  /** fcntl(F_SETFL). */
  setfl(fd: number, flags: number): number;
  /** Opens the file the O_PATH descriptor fd refers to, through procfd's self/fd/N (/proc/self/fd/N if procfd < 0). */
  reopen(procfd: number, fd: number, flags: number): number;
  /** A zero-length buf asks for the size only. */
  getxattrat(dirfd: number, name: string, atflags: number, attr: string, buf: Uint8Array): number;
  setxattrat(dirfd: number, name: string, atflags: number, attr: string, value: Uint8Array, flags: number): number;
  listxattrat(dirfd: number, name: string, atflags: number, buf: Uint8Array): number;
  removexattrat(dirfd: number, name: string, atflags: number, attr: string): number;
  /** Terminal requests only (TCGETS, TIOCGWINSZ, FIONREAD, TCSETS*, TIOCSWINSZ); buf >= 64 bytes. */
  ioctl(fd: number, req: number, buf: Uint8Array): number;
  poll1(fd: number, events: number, timeoutMs: number): number;
  armQuantum(ms: number): number;
  quantumExpired(): boolean;
  getRandom(buf: Uint8Array): number;
  /** Pins thread tid (0: the caller) to cpu; cpu < 0 allows every CPU. */
  setAffinity(tid: number, cpu: number): number;
  getCpu(): number;
  /** out = [TSC, CLOCK_MONOTONIC ns, CLOCK_REALTIME ns], read together. */
  clockSample(out: BigInt64Array): number;
  /** Reads a clock from vDSO parameters as the vDSO does: out = [sec, nsec]; -1 if not ready. */
  clockRead(params: Uint8Array, realtime: boolean, out: Float64Array): number;

  // The second wall (native/confine.c); used once, at start-up.
  /** _exit(code): no exit handlers (libuv's would wait for a worker blocked in a host read). */
  exitNow(code: number): never;
  /** Replaces this process (the launcher hand-over); returns -errno only on failure. */
  execve(path: string, argv: string[], envp: string[]): number;
  /**
   * Changes the root to an empty directory (see confine.c). procFd: a
   * directory descriptor of a proc for the Sentry's pid namespace (or -1);
   * how: "pivot_root", "chroot", "chroot-deleted" or "none"; error: the
   * step that failed, or null.
   */
  sealRoot(ownMountNamespace: boolean, mountProc: boolean): { procFd: number; how: string; error: string | null };
  /** A read-only (and nosuid, nodev) detached copy of the mount tree at path, opened: fd or -errno. */
  openTreeReadOnly(path: string): number;
  /** A volume's detached copy of the mount tree at path: nosuid, nodev, read-only if asked; opened: fd or -errno. */
  openTreeVolume(path: string, readOnly: boolean): number;
  /** Keeps only the capabilities in the mask (bits 0-31, 32-63) in every set, the bounding one too. */
  dropCapabilities(keepLo: number, keepHi: number): number;
  setNoNewPrivs(): number;
  /**
   * log: unlisted calls are logged (record mode), not fatal; allowExec: the
   * stub-spawn calls are allowed; controlFd >= 0: accept4 on that
   * descriptor (the control server's listening socket) and nothing else;
   * inet: the host socket calls below (socket(2) for AF_INET/AF_INET6 only).
   */
  installSeccomp(log: boolean, allowExec: boolean, controlFd: number, inet?: boolean, raw?: boolean): number;
  /**
   * A listening Unix stream socket (close-on-exec, non-blocking) bound at
   * NAME in the directory dirfd, with the file's mode set to mode: fd or -errno.
   */
  listenUnix(dirfd: number, name: string, mode: number, backlog: number): number;
  /** A connected Unix stream socket (blocking, close-on-exec) to NAME in the directory dirfd: fd or -errno; timeoutMs > 0 bounds the connect and later sends (-EAGAIN). */
  connectUnix(dirfd: number, name: string, timeoutMs?: number): number;
  /** One sendmsg of data (at least a byte) with fds as SCM_RIGHTS: bytes sent or -errno. */
  sendFds(fd: number, data: Uint8Array, fds: readonly number[]): number;
  /** One recvmsg that never blocks: the bytes read and at most maxFds descriptors (close-on-exec; more are closed), or -errno. */
  recvFds(fd: number, buf: Uint8Array, maxFds: number): { bytes: number; fds: number[]; truncated: number } | number;
  /** pidfd_open(2) of a host process (close-on-exec): fd or -errno. */
  pidfdOpen(pid: number): number;
  /** One rtnetlink dump (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH) of the Sentry's network namespace, the replies as the host sent them: or -errno. Before the seal only. */
  netlinkDump(type: number, family: number): Uint8Array | number;
  /** A pseudo-terminal (both ends close-on-exec, no controlling terminal), its window size set when rows and cols > 0: or -errno. */
  openPty(rows: number, cols: number): { master: number; replica: number; name: string } | number;
  /** A session of this process's own (if it leads none) with fd's terminal as its controlling terminal: 0 or -errno. */
  takeTerminal(fd: number): number;
  /** fcntl(F_GETFL): the descriptor's status flags (access mode included), or -errno. */
  getfl(fd: number): number;

  // Host sockets behind the sandbox's inet sockets (native/sockets.c):
  // all non-blocking, arguments checked by the Sentry first.
  /** socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC added: fd or -errno. */
  sockSocket(family: number, type: number, protocol: number): number;
  sockBind(fd: number, addr: Uint8Array): number;
  /** A non-blocking connect: 0, -EINPROGRESS, -EALREADY or another -errno. */
  sockConnect(fd: number, addr: Uint8Array): number;
  sockListen(fd: number, backlog: number): number;
  /** accept4 (non-blocking, close-on-exec): the new fd with out[0] the address's length, or -errno. */
  sockAccept(fd: number, addrOut: Uint8Array, out: Int32Array): number;
  /** getsockname/getpeername into addrOut: the address's full length or -errno. */
  sockName(fd: number, peer: boolean, addrOut: Uint8Array): number;
  sockShutdown(fd: number, how: number): number;
  /** sendmsg with MSG_DONTWAIT|MSG_NOSIGNAL added: bytes or -errno. */
  sockSendmsg(fd: number, views: Uint8Array[], addr: Uint8Array | null, control: Uint8Array | null, flags: number): number;
  /** recvmsg with MSG_DONTWAIT added: bytes or -errno; out = [namelen, controllen, msg_flags]. */
  sockRecvmsg(fd: number, views: Uint8Array[], addrOut: Uint8Array | null, controlOut: Uint8Array | null, flags: number,
    out: Int32Array): number;
  /** getsockopt into buf: the value's length or -errno. */
  sockGetsockopt(fd: number, level: number, name: number, buf: Uint8Array): number;
  sockSetsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** FIONREAD or SIOCOUTQ: the count, or -errno. */
  sockIoctlInt(fd: number, req: number): number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root: dist/ sits beside build/. */
export const repoRoot = path.resolve(here, '..');
const require = createRequire(import.meta.url);

function load(): NativeAddon {
  const file = path.join(repoRoot, 'build', 'Release', 'tsvisor_native.node');
  try {
    return require(file) as NativeAddon;
  } catch (e) {
    throw new Error(`tsvisor: cannot load the native addon ${file} (${(e as Error).message}); run 'npm install' to build it`);
  }
}

export const native: NativeAddon = load();
export const stubPath = path.join(repoRoot, 'build', 'Release', 'tsvisor-stub');
export const vdsoPath = path.join(repoRoot, 'build', 'Release', 'vdso.so');
export const launcherPath = path.join(repoRoot, 'build', 'Release', 'tsvisor-launch');

/**
 * The Sentry's own /proc (of its pid namespace) as a directory descriptor,
 * once boot has sealed the root (host paths then resolve no more): -1 until
 * then, and host paths under /proc are used.
 */
let procDirFd = -1;

export function setProcDir(fd: number): void {
  procDirFd = fd;
}

/** The Sentry's /proc descriptor, or -1 before the seal (host /proc paths still resolve then). */
export function procDir(): number {
  return procDirFd;
}

/**
 * The statfs f_flags (ST_NOSUID, ST_NODEV) that the Sentry's read-only copy
 * of the root's mount tree has and the host's mount has not: statfs hides
 * them, since they are the Sentry's confinement, not the sandbox's file system.
 */
let rootTreeAdded = 0;

export function setRootTreeAddedFlags(flags: number): void {
  rootTreeAdded = flags;
}

export function rootTreeAddedFlags(): number {
  return rootTreeAdded;
}

const procBuf = new Uint8Array(4096);

/** The text of /proc/REL (REL like "123/stat", at most 4 KiB), or null. */
export function readProcFile(rel: string): string | null {
  if (procDirFd < 0) {
    try {
      return readFileSync(`/proc/${rel}`, 'latin1');
    } catch {
      return null;
    }
  }
  const fd = native.openBeneath(procDirFd, rel, 0, 0);
  if (fd < 0) return null;
  const n = native.pread(fd, procBuf, 0);
  native.close(fd);
  return n < 0 ? null : Buffer.from(procBuf.buffer, 0, n).toString('latin1');
}
