// The ptrace platform (gVisor pkg/sentry/platform/ptrace). Each address
// space is a stub process (native/stub.S) holding nothing but the memory
// file mapped at the addresses the Sentry chooses; each application thread
// is a host thread in it, run under PTRACE_SYSEMU so that a system call
// stops it before the host kernel executes anything. Mappings are changed
// by injecting mmap/munmap/mprotect into a stopped thread of the stub, with
// registers the Sentry chooses (never the program's: its segments, flags
// and FS/GS bases could make the call fail or run in 32-bit mode). An
// injection that fails, or a change the host refuses, loses the address
// space: the stub is killed and reaped before the Sentry frees anything,
// and its processes die (AddressSpace.onLost), since what it maps is no
// longer known.
//
// Stubs: one master stub is exec'd at start-up and never runs a program;
// every address space is forked from it by an injected clone, so nothing
// is exec'd after start-up, as gVisor makes its subprocesses from its
// first stub.
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
// System calls are told apart by how they were made: only the 64-bit
// `syscall` instruction is served (Syscall32 otherwise).

import { native, readProcFile, stubPath } from '../../native.js';
import { Reg, Registers } from '../registers.js';
import type { AddressSpace, Context, Platform, SignalStop } from '../platform.js';
import { PlatformError, StopKind } from '../platform.js';

/** The stub occupies [STUB_BASE, STUB_END); applications get everything below. */
export const STUB_BASE = 0x7fffff000000;
export const STUB_END = 0x7fffff002000;
const STUB_MEMFD = 3;
/** The overlay's file store, when the sandbox has one (native/ptrace.c). */
const STUB_STORE_FD = 5;

const SYS_mmap = 9, SYS_mprotect = 10, SYS_munmap = 11, SYS_clone = 56;
/** CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PTRACE|CLONE_THREAD|CLONE_SYSVSEM: the stub's seccomp allows exactly these. */
const STUB_THREAD_FLAGS = 0x52f00;
/** CLONE_PARENT|CLONE_PTRACE|SIGCHLD: a new stub from the master (native/stub.S allows exactly these too). */
const STUB_FORK_FLAGS = 0xa011;
const MAP_SHARED = 0x01, MAP_FIXED = 0x10;
const SIGTRAP = 5;

const OP_SYSEMU = 0;
const statusOut = new Int32Array(1);
const injectOut = new Float64Array(1);
const siginfoBuf = new Uint8Array(128);
const siginfoView = new DataView(siginfoBuf.buffer);
/** Large enough for any XSAVE image this CPU has (AMX tiles included). */
const fpBuf = new Uint8Array(16384);
const SIGCHLD = 17;
const SIGSEGV = 11, SI_KERNEL = 0x80;
/** The host's TASK_SIZE_MAX: PTRACE_SETREGS refuses FS/GS bases at or above it. */
const USER_LIMIT = 0x7ffffffff000;

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
    if (r === -5 /* EIO: SETREGS refused the registers */ && !this.running) return this.unresumable();
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

  /**
   * The host will not take the thread's registers back: the program set an
   * FS or GS base in the kernel half with wrfsbase/wrgsbase, which the CPU
   * allows and PTRACE_SETREGS refuses. The thread cannot go on with that
   * base, so it stops as if it had used it: a general protection fault,
   * SIGSEGV with SI_KERNEL, with the bases cleared so that the frame can
   * be written.
   */
  private unresumable(): StopKind {
    const regs = this.regs;
    if (regs.get(Reg.FS_BASE) < USER_LIMIT && regs.get(Reg.GS_BASE) < USER_LIMIT) {
      this.dead = true; // refused for a reason the Sentry did not expect: do not retry for ever
      return StopKind.Dead;
    }
    if (regs.get(Reg.FS_BASE) >= USER_LIMIT) regs.set(Reg.FS_BASE, 0);
    if (regs.get(Reg.GS_BASE) >= USER_LIMIT) regs.set(Reg.GS_BASE, 0);
    this.regsDirty = true;
    siginfoBuf.fill(0);
    siginfoView.setInt32(0, SIGSEGV, true);
    siginfoView.setInt32(8, SI_KERNEL, true);
    const ls = this.lastSignal;
    ls.signo = SIGSEGV;
    ls.code = SI_KERNEL;
    ls.addr = 0;
    return StopKind.Signal;
  }

  private decode(status: number): StopKind {
    if ((status & 0xff) !== 0x7f) {
      // Exited or killed on the host (and reaped by that wait).
      this.dead = true;
      this.reaped = true;
      return StopKind.Dead;
    }
    const sig = (status >> 8) & 0xff;
    if (sig === (SIGTRAP | 0x80)) return this.regs.isSyscall64 ? StopKind.Syscall : StopKind.Syscall32;
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
  /** Every host thread of the stub; the first is the process's leader. */
  private readonly threads: PtraceContext[];
  /** Host threads whose tasks ended: stopped, waiting to be the next new thread. */
  private readonly parked: PtraceContext[] = [];
  /** Set once a change could not be made: the stub is killed and reaped, and nothing more is injected. */
  private lost = false;
  onLost: ((why: string) => void) | null = null;

  /** storeBase: memory-file offsets from here on are the file store's (Infinity: none). */
  constructor(first: PtraceContext, private readonly storeBase: number) {
    this.threads = [first];
  }

  /**
   * Runs one system call in the stub through any stopped thread (only one
   * runs at a time, and never while the Sentry works). The call runs with
   * registers the native side chooses, so no state the program set (its
   * segments, flags, FS/GS bases) can make it fail or run differently; the
   * thread's own registers stay in ctx.regs and are written back on its
   * next resume. Returns the call's result, or -ESRCH once the address space
   * is lost.
   */
  private inject(nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number {
    if (this.lost) return -3; // ESRCH
    const ctx = this.threads.find((t) => t.stopped && !t.isDead);
    if (ctx === undefined) {
      this.lose(`no stopped thread to inject system call ${nr} through`);
      return -3;
    }
    ctx.regsDirty = true;
    const e = native.inject(ctx.pid, nr, a0, a1, a2, a3, a4, a5, injectOut);
    if (e < 0) {
      this.lose(`injecting system call ${nr} into stub ${ctx.pid} failed: errno ${-e}`);
      return -3;
    }
    return injectOut[0];
  }

  /**
   * An address-space change could not be made, so the stub may hold
   * mappings the Sentry no longer accounts for (pages it will hand to
   * another process): kill it and wait until every thread is gone, and so
   * its mappings, before the caller goes on to free anything.
   */
  private lose(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.release();
    this.onLost?.(why);
  }

  mapFile(addr: number, fileOffset: number, length: number, prot: number): number {
    const store = fileOffset >= this.storeBase;
    const r = this.inject(SYS_mmap, addr, length, prot, MAP_SHARED | MAP_FIXED,
      store ? STUB_STORE_FD : STUB_MEMFD, store ? fileOffset - this.storeBase : fileOffset);
    return r < 0 && r > -4096 ? r : 0;
  }

  unmap(addr: number, length: number): void {
    // A failure (say ENOMEM from splitting past the host's map count) leaves the old pages mapped.
    if (this.inject(SYS_munmap, addr, length, 0, 0, 0, 0) !== 0) this.lose(`munmap(0x${addr.toString(16)}, ${length}) failed`);
  }

  protect(addr: number, length: number, prot: number): void {
    // A failure here would leave copy-on-write pages writable.
    if (this.inject(SYS_mprotect, addr, length, prot, 0, 0, 0) !== 0) this.lose(`mprotect(0x${addr.toString(16)}, ${length}) failed`);
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

export interface PtraceOptions {
  /**
   * The host uid and gid every stub of this sandbox runs as (when the
   * Sentry may change ids): one no other host process uses, so that no
   * host process can signal or read a stub, and no stub of another
   * sandbox shares it. Default: 2^30 plus the Sentry's host pid, unique
   * among live sandboxes; the launcher passes the ids it mapped.
   */
  stubUid?: number;
  stubGid?: number;
}

/** The default stub ids: a range no distribution hands out (useradd stops far below). */
export const STUB_ID_BASE = 0x40000000;

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
  /**
   * The master stub: exec'd once, at start-up, and never given a program.
   * Every address space is a fork of it (an injected clone with
   * CLONE_PARENT|CLONE_PTRACE, so the new stub is the Sentry's child and
   * tracee from birth, with the master's seccomp filter, ids and
   * non-dumpable state), so nothing is exec'd after start-up and a new
   * address space costs a fork of a two-page process, not an exec.
   */
  private readonly master: number;
  private readonly storeBase: number;

  /**
   * memfd: the memory file; store: its second file (memory/memory_file.ts's
   * file store) and the offset its pages start at, if it has one.
   */
  constructor(private readonly memfd: number, opts: PtraceOptions = {}, store: { fd: number; base: number } | null = null) {
    this.storeBase = store?.base ?? Infinity;
    this.cpu = native.getCpu();
    if (this.cpu >= 0 && native.setAffinity(0, this.cpu) < 0) this.cpu = -1;
    const root = (process.geteuid?.() ?? 0) === 0;
    const uid = opts.stubUid ?? (root ? STUB_ID_BASE + process.pid : -1);
    const gid = opts.stubGid ?? (root ? STUB_ID_BASE + process.pid : -1);
    const pid = native.spawnStub(stubPath, this.memfd, uid, gid, store?.fd ?? -1);
    if (pid < 0) throw new PlatformError(stubError(-pid, uid));
    if (this.cpu >= 0) native.setAffinity(pid, this.cpu);
    this.master = pid;
  }

  release(): void {
    if (native.kill(this.master, 9) === 0) native.reap(this.master);
  }

  newAddressSpace(): { as: AddressSpace; ctx: Context } {
    const e = native.inject(this.master, SYS_clone, STUB_FORK_FLAGS, 0, 0, 0, 0, 0, injectOut);
    const pid = injectOut[0];
    if (e < 0 || pid <= 0) {
      throw new PlatformError(e < 0
        ? `the master stub ${this.master} can no longer make stubs (errno ${-e}); the sandbox cannot make processes`
        : `the master stub could not fork a stub: errno ${-pid}`);
    }
    // A traced clone starts stopped by SIGSTOP; resuming it (without the signal) runs what the Sentry sets.
    const w = native.waitThrough(pid, statusOut);
    if (w < 0 || (statusOut[0] & 0xff) !== 0x7f) {
      native.kill(pid, 9);
      native.reap(pid);
      throw new PlatformError(`a new stub ${pid} did not stop as expected (status 0x${statusOut[0].toString(16)})`);
    }
    const ctx = new PtraceContext(pid);
    // Seed the registers from the stopped stub (segment selectors etc).
    native.getRegs(pid, ctx.regs.raw);
    return { as: new PtraceAddressSpace(ctx, this.storeBase), ctx };
  }
}

function stubError(errno: number, uid: number): string {
  switch (errno) {
    case 13:
      return `cannot start a stub process: changing to uid ${uid} was refused; run tsvisor as root, or through its launcher`;
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
