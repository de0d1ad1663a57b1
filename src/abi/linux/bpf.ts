// Classic BPF, the instruction set of socket filters and of seccomp
// filters (include/uapi/linux/filter.h and bpf_common.h): the opcode
// fields, the limits, and struct sock_filter / sock_fprog as a 64-bit
// program passes them.

/** One instruction, as struct sock_filter holds it. */
export interface SockFilter {
  /** u16: class | size | mode, or class | op | source. */
  code: number;
  /** u8: how far to skip forward when a conditional jump is taken. */
  jt: number;
  /** u8: how far to skip forward when it is not. */
  jf: number;
  /** u32: the constant operand. */
  k: number;
}

// Instruction classes (the low three bits).
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04, BPF_JMP = 0x05,
  BPF_RET = 0x06, BPF_MISC = 0x07;

// Load sizes and modes.
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
export const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_LEN = 0x80, BPF_MSH = 0xa0;

// ALU and jump operations, and their source (the constant k or the register X).
export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50,
  BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
export const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
export const BPF_K = 0x00, BPF_X = 0x08;

// What RET returns (BPF_RVAL) and what MISC does.
export const BPF_A = 0x10;
export const BPF_TAX = 0x00, BPF_TXA = 0x80;

/** The most instructions one program may have. */
export const BPF_MAXINSNS = 4096;
/** The scratch memory M[]: 16 32-bit words. */
export const BPF_MEMWORDS = 16;
/** Where the ancillary loads of socket filters start (SKF_AD_OFF, -0x1000 as a u32). */
export const SKF_AD_OFF = 0xfffff000;

/** sizeof(struct sock_filter) and sizeof(struct sock_fprog) on x86-64 ({u16 len; pad; u64 filter}). */
export const SOCK_FILTER_SIZE = 8;
export const SOCK_FPROG_SIZE = 16;

/** BPF_STMT(code, k) and BPF_JUMP(code, k, jt, jf), as the C macros build them. */
export function bpfStmt(code: number, k: number): SockFilter {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}
export function bpfJump(code: number, k: number, jt: number, jf: number): SockFilter {
  return { code, jt, jf, k: k >>> 0 };
}

/** Decodes len instructions from their bytes in memory (little-endian, 8 bytes each). */
export function parseSockFilters(b: Uint8Array, len: number): SockFilter[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: SockFilter[] = new Array<SockFilter>(len);
  for (let i = 0; i < len; i++) {
    const o = i * SOCK_FILTER_SIZE;
    out[i] = { code: dv.getUint16(o, true), jt: dv.getUint8(o + 2), jf: dv.getUint8(o + 3), k: dv.getUint32(o + 4, true) };
  }
  return out;
}
