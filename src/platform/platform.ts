// The Platform abstraction (gVisor pkg/sentry/platform, seed 003): how the
// Sentry runs application code. An AddressSpace is a host address space the
// Sentry lays out with mappings of its memory file; a Context is one
// application thread's execution. Context.switch runs the thread until it
// makes a system call, faults, is signalled, or its quantum ends, and says
// which. Unlike gVisor's, switch returns a tagged result instead of errors.

import type { Registers } from './registers.js';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** The platform cannot do what the Sentry needs on this host; the message says why and what to do. */
export class PlatformError extends Error {}

export interface AddressSpace {
  /** Maps [fileOffset, fileOffset+length) of the memory file at addr, replacing what was there. Returns 0 or -errno. */
  mapFile(addr: number, fileOffset: number, length: number, prot: number): number;
  /** Removes any mapping in [addr, addr+length). */
  unmap(addr: number, length: number): void;
  /** Changes the protection of mappings in [addr, addr+length) that exist. */
  protect(addr: number, length: number, prot: number): void;
  /**
   * A new thread in this address space, for a new application thread (its
   * registers are then set by the Sentry), or -errno.
   */
  newThread(): Context | number;
  /** The thread's task has ended: the address space may reuse it for a later newThread. */
  parkThread(ctx: Context): void;
  /** Releases the host resources (every thread); the AddressSpace is dead afterwards. */
  release(): void;
  /**
   * Called once if the platform had to destroy the address space because
   * a change to it could not be made (an injected call failed): its
   * threads are gone and no mapping in it survives.
   */
  onLost: ((why: string) => void) | null;
}

export const enum StopKind {
  /** The thread made a system call (registers hold it). */
  Syscall,
  /** The thread made a 32-bit system call (int $0x80, sysenter, or from 32-bit code): not served. */
  Syscall32,
  /** The thread received a synchronous signal (a fault, a trap) or a host signal. */
  Signal,
  /** The quantum expired; the thread is still running on the host and must be waited for again. */
  Interrupt,
  /** The host thread is gone (killed from outside the Sentry). */
  Dead,
}

export interface SignalStop {
  signo: number;
  code: number;
  /** si_addr for faults. */
  addr: number;
}

export interface Context {
  readonly regs: Registers;
  /** Set when the Sentry changed the registers, so they must be written back before resuming. */
  regsDirty: boolean;
  /** False while the thread runs on the host after its quantum ended (its registers are not known). */
  readonly stopped: boolean;
  /** Runs the thread until the next stop. Blocks the Node thread while the application runs. */
  switch(): StopKind;
  /** Details of the last Signal stop. */
  readonly lastSignal: SignalStop;
  /** The host's siginfo (128 bytes) of the last Signal stop, valid until the next switch. */
  readonly lastSiginfo: Uint8Array;
  /** Reads the thread's floating point and vector state (the XSAVE image). */
  getFPState(): Uint8Array | number;
  /** Writes it back (as getFPState returned it, possibly changed). 0 or -errno. */
  setFPState(state: Uint8Array): number;
  /**
   * Makes a running thread stop soon (its switch() then reports a Signal
   * stop with a non-positive code), so the Sentry can deliver a signal.
   */
  interrupt(): void;
  /** CPU time the thread has used (user and system µs, total ns), or null once it is gone. */
  cpuTime(): { userUs: number; sysUs: number; totalNs: number } | null;
}

export interface Platform {
  readonly name: string;
  /** A new, empty address space and the context of its first thread. */
  newAddressSpace(): { as: AddressSpace; ctx: Context };
  /** Lowest address an application may map. */
  readonly minUserAddress: number;
  /** One past the highest address an application may map. */
  readonly maxUserAddress: number;
  /** Ends what the platform holds beyond its address spaces (the ptrace master stub); nothing is made after. */
  release(): void;
}
