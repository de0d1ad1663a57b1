// The host interface: typed access to the N-API addon built from native/.
// Mechanism only (see native/addon.c); every function returns a negative
// errno rather than throwing when the host call fails.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

export interface NativeAddon {
  memfdCreate(name: string, size: number): number;
  mapShared(fd: number, offset: number, length: number): ArrayBuffer;
  punchHole(fd: number, offset: number, length: number): number;
  /** A new stub, stopped at its int3, running as uid/gid (unchanged when uid < 0). */
  spawnStub(stubPath: string, memfd: number, uid: number, gid: number): number;
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
