// A classic BPF program decoded once, when it is installed, into typed
// arrays for the interpreter (interpreter.ts) and the compiler
// (codegen.ts): one dense operation number per instruction, its constant,
// and its jump targets as absolute instruction indexes. Linux decodes the
// same way when it converts a classic program to its internal eBPF form
// (bpf_convert_filter), and seccomp rewrites BPF_LEN to the size of
// seccomp_data there too (seccomp_check_filter).
//
// Only the instructions a seccomp filter may hold are decoded: the
// program must have passed checkSeccompFilter (check.ts). Differs from
// Linux: no socket filters, so no packet loads (BPF_H/BPF_B/BPF_IND/
// BPF_MSH) and no BPF_MOD.

import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP,
  BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET,
  BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, SOCK_FILTER_SIZE, parseSockFilters,
  type SockFilter,
} from '../../abi/linux/bpf.js';
import { SECCOMP_DATA_SIZE } from '../../abi/linux/seccomp.js';

/** The decoded operations, numbered densely so that the interpreter's switch is a jump table. */
export const enum Op {
  /** A = data[k] (k a word index). */
  LdAbs,
  /** A = k (BPF_LD|BPF_IMM, and BPF_LD|BPF_W|BPF_LEN with k the data's size). */
  LdImm,
  LdxImm,
  LdMem,
  LdxMem,
  St,
  Stx,
  AddK, AddX, SubK, SubX, MulK, MulX, DivK, DivX, AndK, AndX, OrK, OrX, XorK, XorX, LshK, LshX, RshK, RshX,
  Neg,
  Tax,
  Txa,
  /** pc = jt (absolute). */
  Ja,
  JeqK, JeqX, JgtK, JgtX, JgeK, JgeX, JsetK, JsetX,
  RetK,
  RetA,
}

const ALU: Record<number, [Op, Op]> = {
  [BPF_ADD]: [Op.AddK, Op.AddX], [BPF_SUB]: [Op.SubK, Op.SubX], [BPF_MUL]: [Op.MulK, Op.MulX],
  [BPF_DIV]: [Op.DivK, Op.DivX], [BPF_AND]: [Op.AndK, Op.AndX], [BPF_OR]: [Op.OrK, Op.OrX],
  [BPF_XOR]: [Op.XorK, Op.XorX], [BPF_LSH]: [Op.LshK, Op.LshX], [BPF_RSH]: [Op.RshK, Op.RshX],
};
const JUMPS: Record<number, [Op, Op]> = {
  [BPF_JEQ]: [Op.JeqK, Op.JeqX], [BPF_JGT]: [Op.JgtK, Op.JgtX], [BPF_JGE]: [Op.JgeK, Op.JgeX],
  [BPF_JSET]: [Op.JsetK, Op.JsetX],
};

export class Program {
  /** The operation of each instruction. */
  readonly op: Uint8Array;
  /** Its constant: a word index for LdAbs, the value otherwise (u32). */
  readonly k: Uint32Array;
  /** Where a taken conditional jump (or Ja) goes, and where an untaken one goes: absolute indexes. */
  readonly jt: Uint16Array;
  readonly jf: Uint16Array;
  /**
   * The program as it was given (struct sock_filter bytes): what a
   * checkpoint saves, and what decoding it again would need. The decoded
   * arrays are derived from it.
   */
  readonly raw: Uint8Array;

  /** Decodes a program that passed checkSeccompFilter; throws on anything else (a Sentry bug). */
  constructor(insns: readonly SockFilter[]) {
    const n = insns.length;
    this.raw = new Uint8Array(n * SOCK_FILTER_SIZE);
    const rawView = new DataView(this.raw.buffer);
    this.op = new Uint8Array(n);
    this.k = new Uint32Array(n);
    this.jt = new Uint16Array(n);
    this.jf = new Uint16Array(n);
    for (let pc = 0; pc < n; pc++) {
      const { code, k, jt, jf } = insns[pc];
      rawView.setUint16(pc * SOCK_FILTER_SIZE, code, true);
      rawView.setUint8(pc * SOCK_FILTER_SIZE + 2, jt);
      rawView.setUint8(pc * SOCK_FILTER_SIZE + 3, jf);
      rawView.setUint32(pc * SOCK_FILTER_SIZE + 4, k, true);
      let op: Op;
      let kk = k >>> 0;
      const cls = code & 0x07;
      if (code === (BPF_LD | BPF_W | BPF_ABS)) {
        op = Op.LdAbs;
        kk = k >>> 2;
      } else if (code === (BPF_LD | BPF_W | BPF_LEN) || code === (BPF_LDX | BPF_W | BPF_LEN)) {
        op = cls === BPF_LD ? Op.LdImm : Op.LdxImm;
        kk = SECCOMP_DATA_SIZE;
      } else if (code === (BPF_LD | BPF_IMM)) op = Op.LdImm;
      else if (code === (BPF_LDX | BPF_IMM)) op = Op.LdxImm;
      else if (code === (BPF_LD | BPF_MEM)) op = Op.LdMem;
      else if (code === (BPF_LDX | BPF_MEM)) op = Op.LdxMem;
      else if (code === BPF_ST) op = Op.St;
      else if (code === BPF_STX) op = Op.Stx;
      else if (code === (BPF_ALU | BPF_NEG)) op = Op.Neg;
      else if (code === (BPF_MISC | BPF_TAX)) op = Op.Tax;
      else if (code === (BPF_MISC | BPF_TXA)) op = Op.Txa;
      else if (code === (BPF_RET | BPF_K)) op = Op.RetK;
      else if (code === (BPF_RET | BPF_A)) op = Op.RetA;
      else if (code === (BPF_JMP | BPF_JA)) {
        op = Op.Ja;
        this.jt[pc] = pc + 1 + kk;
      } else if (cls === BPF_ALU && ALU[code & 0xf0] !== undefined && (code & ~0xf8) === BPF_ALU) {
        op = ALU[code & 0xf0][(code & BPF_X) !== 0 ? 1 : 0];
      } else if (cls === BPF_JMP && JUMPS[code & 0xf0] !== undefined && (code & ~0xf8) === BPF_JMP) {
        op = JUMPS[code & 0xf0][(code & BPF_X) !== 0 ? 1 : 0];
        this.jt[pc] = pc + 1 + jt;
        this.jf[pc] = pc + 1 + jf;
      } else {
        throw new Error(`bpf: opcode 0x${code.toString(16)} at ${pc} was not validated`);
      }
      this.op[pc] = op;
      this.k[pc] = kk;
    }
  }

  get length(): number {
    return this.op.length;
  }

  /** The instructions as they were given. */
  instructions(): SockFilter[] {
    return parseSockFilters(this.raw, this.length);
  }
}
