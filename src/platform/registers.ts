// The x86-64 general registers of an application thread, laid out as the
// host's `struct user_regs_struct` so that PTRACE_GETREGS/SETREGS move them
// in one copy. Values are read as JavaScript numbers from two 32-bit halves
// (exact below 2^53, which covers every user address), never through BigInt
// on the system call path.

export const enum Reg {
  R15 = 0, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI,
  ORIG_RAX, RIP, CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS,
}
export const REG_COUNT = 27;

/** System call argument registers in order (rdi, rsi, rdx, r10, r8, r9). */
const ARG_REGS = [Reg.RDI, Reg.RSI, Reg.RDX, Reg.R10, Reg.R8, Reg.R9] as const;

const TWO32 = 4294967296;

export class Registers {
  readonly raw: BigUint64Array;
  /** The registers as 32-bit halves (low word first): for readers that copy many at once (seccomp_data). */
  readonly u32: Uint32Array;
  private readonly i32: Int32Array;

  constructor(raw?: BigUint64Array) {
    this.raw = raw ?? new BigUint64Array(REG_COUNT);
    this.u32 = new Uint32Array(this.raw.buffer, this.raw.byteOffset, REG_COUNT * 2);
    this.i32 = new Int32Array(this.raw.buffer, this.raw.byteOffset, REG_COUNT * 2);
  }

  /** Unsigned 64-bit value as a number (rounded above 2^53). */
  get(r: Reg): number {
    return this.u32[r * 2] + this.u32[r * 2 + 1] * TWO32;
  }

  /** Signed 64-bit value as a number (rounded beyond 2^53 either way). */
  getSigned(r: Reg): number {
    return this.u32[r * 2] + this.i32[r * 2 + 1] * TWO32;
  }

  /** Sets a register from a number; negative numbers are stored in two's complement. */
  set(r: Reg, v: number): void {
    if (v >= 0) {
      this.u32[r * 2] = v % TWO32;
      this.u32[r * 2 + 1] = Math.floor(v / TWO32);
    } else {
      const lo = v % TWO32; // in (-2^32, 0]
      this.u32[r * 2] = lo >>> 0;
      this.u32[r * 2 + 1] = (Math.floor(v / TWO32)) >>> 0;
    }
  }

  setBig(r: Reg, v: bigint): void {
    this.raw[r] = BigInt.asUintN(64, v);
  }

  getBig(r: Reg): bigint {
    return this.raw[r];
  }

  /** System call number (orig_rax as the kernel saw it on entry). */
  get sysno(): number {
    return this.i32[Reg.ORIG_RAX * 2 + 1] !== 0 ? -1 : this.u32[Reg.ORIG_RAX * 2];
  }

  /**
   * Whether a system call stop came from the 64-bit `syscall` instruction:
   * in 64-bit code, with rcx holding the return address, as the instruction
   * leaves it. `int $0x80`, `sysenter` and any call from 32-bit code (cs
   * 0x23) are 32-bit system calls, with other numbers and argument registers.
   */
  get isSyscall64(): boolean {
    const u = this.u32;
    return u[Reg.CS * 2] === 0x33 && u[Reg.RCX * 2] === u[Reg.RIP * 2] && u[Reg.RCX * 2 + 1] === u[Reg.RIP * 2 + 1];
  }

  /** Argument i (0..5) as an unsigned number. */
  arg(i: number): number {
    return this.get(ARG_REGS[i]);
  }

  /** Argument i as a C `int` (the low 32 bits, signed), as the kernel reads int arguments. */
  argInt(i: number): number {
    return this.i32[ARG_REGS[i] * 2];
  }

  /** Argument i as a C `unsigned int`. */
  argU32(i: number): number {
    return this.u32[ARG_REGS[i] * 2];
  }

  /** Argument i as a signed 64-bit number (`long`, `off_t`). */
  argSigned(i: number): number {
    return this.getSigned(ARG_REGS[i]);
  }

  /** True when argument i has any of its upper 32 bits set. */
  argHigh(i: number): boolean {
    return this.u32[ARG_REGS[i] * 2 + 1] !== 0;
  }

  argBig(i: number): bigint {
    return this.raw[ARG_REGS[i]];
  }

  copyFrom(o: Registers): void {
    this.raw.set(o.raw);
  }

  clone(): Registers {
    const r = new Registers();
    r.copyFrom(this);
    return r;
  }
}
