// The ptrace platform (gVisor pkg/sentry/platform/ptrace). Each address
// space is a stub process (native/stub.S) holding nothing but the memory
// file mapped at the addresses the Sentry chooses; each application thread
// is a host thread in it, run under PTRACE_SYSEMU so that a system call
// stops it before the host kernel executes anything. Mappings are changed
// by injecting mmap/munmap/mprotect into the stub's thread while it is
// stopped.
//
// Threads: a new application thread is a host thread the Sentry makes in
// the stub by injecting clone (CLONE_PTRACE, so it is traced from birth);
// when its task ends, the host thread is parked, stopped, and given to the
// next new thread of that address space, so a program that makes and ends
// threads for ever does not make host threads for ever.
//
// Differs from gVisor: one stub process per address space, with any
// stopped application thread used for injection (gVisor keeps a separate
// injection thread per subprocess); the Node main thread is the tracer of
// every stub and waits for stops synchronously (DESIGN.md, "Platform").

import { native, readProcFile, stubPath } from '../../native.js';
import { Registers } from '../registers.js';
import type { AddressSpace, Context, Platform, SignalStop } from '../platform.js';
import { PlatformError, StopKind } from '../platform.js';

/** The stub occupies [STUB_BASE, STUB_END); applications get everything below. */
export const STUB_BASE = 0x7fffff000000;
export const STUB_END = 0x7fffff002000;
const STUB_MEMFD = 3;

const SYS_mmap = 9, SYS_mprotect = 10, SYS_munmap = 11, SYS_clone = 56;
/** CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PTRACE|CLONE_THREAD|CLONE_SYSVSEM: the stub's seccomp allows exactly these. */
const STUB_THREAD_FLAGS = 0x52f00;
const MAP_SHARED = 0x01, MAP_FIXED = 0x10;
const SIGTRAP = 5;

const OP_SYSEMU = 0;
const statusOut = new Int32Array(1);
const siginfoBuf = new Uint8Array(128);
const siginfoView = new DataView(siginfoBuf.buffer);
/** Large enough for any XSAVE image this CPU has (AMX tiles included). */
const fpBuf = new Uint8Array(16384);
const SIGCHLD = 17;

class PtraceContext implements Context {
  readonly regs = new Registers();
  regsDirty = true;
  readonly lastSignal: SignalStop = { signo: 0, code: 0, addr: 0 };
  readonly lastSiginfo = siginfoBuf;
  /** A signal to deliver on the next resume (unused: the Sentry delivers signals itself). */
  private dead = false;

  constructor(readonly pid: number) {}

  /** Whether the host thread is gone. */
  get isDead(): boolean {
    return this.dead;
  }

  /** The thread was resumed and has not been seen to stop yet (its quantum ended first). */
  private running = false;

  get stopped(): boolean {
    return !this.running;
  }

  switch(): StopKind {
    if (this.dead) return StopKind.Dead;
    let r: number;
    if (this.running) {
      r = native.wait(this.pid, false, statusOut);
      if (r > 0 && (statusOut[0] & 0xff) === 0x7f) native.getRegs(this.pid, this.regs.raw);
    } else {
      r = native.resume(this.pid, this.regs.raw, OP_SYSEMU, 0, statusOut);
    }
    if (r === -11 /* EAGAIN: the quantum had ended; not resumed */) return StopKind.Interrupt;
    this.regsDirty = false;
    if (r < 0) {
      if (r === -4 /* EINTR: the quantum ended while the thread runs */) {
        this.running = true;
        return StopKind.Interrupt;
      }
      this.dead = true;
      return StopKind.Dead;
    }
    this.running = false;
    return this.decode(statusOut[0]);
  }

  private decode(status: number): StopKind {
    if ((status & 0xff) !== 0x7f) {
      // Exited or killed on the host (and reaped by that wait).
      this.dead = true;
      this.reaped = true;
      return StopKind.Dead;
    }
    const sig = (status >> 8) & 0xff;
    if (sig === (SIGTRAP | 0x80)) return StopKind.Syscall;
    const ls = this.lastSignal;
    ls.signo = sig;
    ls.code = 0;
    ls.addr = 0;
    if (native.getSiginfo(this.pid, siginfoBuf) === 0) {
      ls.code = siginfoView.getInt32(8, true);
      const lo = siginfoView.getUint32(16, true), hi = siginfoView.getUint32(20, true);
      ls.addr = lo + hi * 4294967296;
    }
    return StopKind.Signal;
  }

  getFPState(): Uint8Array | number {
    const n = native.getFpRegs(this.pid, fpBuf);
    if (n < 0) return n;
    return fpBuf.slice(0, n);
  }

  setFPState(state: Uint8Array): number {
    const n = native.setFpRegs(this.pid, state);
    return n < 0 ? n : 0;
  }

  cpuTime(): { userUs: number; sysUs: number; totalNs: number } | null {
    if (this.dead) return null;
    // The host accounts the stub thread's time: the application's, plus
    // the injected mappings and its page faults, which are its own too.
    // Read through the Sentry's own /proc (its pid namespace's), since host
    // paths no longer resolve once the Sentry is sealed.
    const stat = readProcFile(`${this.pid}/stat`);
    const sched = readProcFile(`${this.pid}/schedstat`);
    if (stat === null || sched === null) return null;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 1e6 / 100;
    const totalNs = Number(sched.split(' ')[0]);
    return { userUs: Number(f[11]) * tick, sysUs: Number(f[12]) * tick, totalNs };
  }

  interrupt(): void {
    // SIGCHLD, as gVisor's platform interrupt: harmless if it ever reached the
    // stub, and we suppress it at its signal-delivery stop anyway.
    if (this.running) native.kill(this.pid, SIGCHLD);
  }

  /** The host process has been seen to exit (and is reaped). */
  private reaped = false;

  /** Kills the whole stub process (every thread) and reaps this thread. */
  kill(): void {
    if (!this.reaped) native.kill(this.pid, 9);
  }

  /** Reaps this (killed) thread. */
  reap(): void {
    if (this.reaped) return;
    this.dead = true;
    this.reaped = true;
    native.reap(this.pid);
  }
}

class PtraceAddressSpace implements AddressSpace {
  private readonly scratch = new BigUint64Array(27);
  /** Every host thread of the stub; the first is the process's leader. */
  private readonly threads: PtraceContext[];
  /** Host threads whose tasks ended: stopped, waiting to be the next new thread. */
  private readonly parked: PtraceContext[] = [];

  constructor(first: PtraceContext) {
    this.threads = [first];
  }

  private inject(nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    // Through any stopped thread (only one runs at a time, and never while
    // the Sentry works). Its own registers live in ctx.regs and are written
    // back on its next resume; the injection may clobber the host copy.
    const ctx = this.threads.find((t) => t.stopped && !t.isDead);
    if (ctx === undefined) return -3; // ESRCH
    ctx.regsDirty = true;
    this.scratch.set(ctx.regs.raw);
    return native.inject(ctx.pid, this.scratch, nr, a0, a1, a2, a3, a4, a5);
  }

  mapFile(addr: number, fileOffset: number, length: number, prot: number): number {
    const r = this.inject(SYS_mmap, addr, length, prot, MAP_SHARED | MAP_FIXED, STUB_MEMFD, fileOffset);
    return r < 0 && r > -4096 ? r : 0;
  }

  unmap(addr: number, length: number): void {
    this.inject(SYS_munmap, addr, length, 0, 0, 0, 0);
  }

  protect(addr: number, length: number, prot: number): void {
    this.inject(SYS_mprotect, addr, length, prot, 0, 0, 0);
  }

  newThread(): Context | number {
    const reused = this.parked.pop();
    if (reused !== undefined) return reused;
    const tid = this.inject(SYS_clone, STUB_THREAD_FLAGS, 0, 0, 0, 0, 0);
    if (tid <= 0) return tid < 0 ? tid : -11;
    // A traced clone starts stopped by SIGSTOP; resuming it (without the signal) runs what the Sentry sets.
    const w = native.waitThrough(tid, statusOut);
    if (w < 0 || (statusOut[0] & 0xff) !== 0x7f) {
      native.kill(tid, 9);
      return -11; // EAGAIN
    }
    const ctx = new PtraceContext(tid);
    native.getRegs(tid, ctx.regs.raw);
    this.threads.push(ctx);
    return ctx;
  }

  parkThread(ctx: Context): void {
    const c = ctx as PtraceContext;
    if (!c.isDead && this.threads.includes(c)) this.parked.push(c);
  }

  release(): void {
    // SIGKILL ends every thread; each traced thread's exit is reaped, the leader's last.
    this.threads[0].kill();
    for (let i = this.threads.length - 1; i >= 0; i--) this.threads[i].reap();
  }
}

export class PtracePlatform implements Platform {
  readonly name = 'ptrace';
  readonly minUserAddress = 0x10000;
  readonly maxUserAddress = STUB_BASE;

  /**
   * The CPU the tracer and every stub thread share. A ptrace stop and
   * resume between threads on different CPUs costs a cross-CPU wake-up
   * each way; on the same CPU it is a plain context switch. Measured here
   * (2-vCPU VM): 46 us per system call unpinned, 10 us pinned. gVisor's
   * ptrace platform binds its stubs the same way.
   */
  private readonly cpu: number;

  constructor(private readonly memfd: number) {
    this.cpu = native.getCpu();
    if (this.cpu >= 0 && native.setAffinity(0, this.cpu) < 0) this.cpu = -1;
  }

  newAddressSpace(): { as: AddressSpace; ctx: Context } {
    const pid = native.spawnStub(stubPath, this.memfd);
    if (pid < 0) throw new PlatformError(stubError(-pid));
    if (this.cpu >= 0) native.setAffinity(pid, this.cpu);
    const ctx = new PtraceContext(pid);
    // Seed the registers from the stopped stub (segment selectors etc).
    native.getRegs(pid, ctx.regs.raw);
    return { as: new PtraceAddressSpace(ctx), ctx };
  }
}

function stubError(errno: number): string {
  switch (errno) {
    case 1:
      return 'cannot start a stub process: ptrace was refused (PTRACE_TRACEME: EPERM). tsvisor needs ptrace: ' +
        'run it where ptrace is allowed (not under another tracer, a seccomp filter that forbids ptrace, ' +
        'or a container without CAP_SYS_PTRACE; kernel.yama.ptrace_scope must be below 3)';
    case 2:
      return `cannot start a stub process: ${stubPath} could not be executed; run 'npm install' to build it`;
    default:
      return `cannot start a stub process (${stubPath}): errno ${errno}`;
  }
}
