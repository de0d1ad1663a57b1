// Validation of a classic BPF program before it may run (Linux's
// bpf_check_classic and check_load_and_stores in net/core/filter.c, and
// seccomp_check_filter in kernel/seccomp.c): only known opcodes, every
// jump forward and inside the program, no division or shift by a bad
// constant, scratch memory only inside M[16] and never read before it is
// written on every path, and a RET as the last instruction. A program that
// passes can be decoded (program.ts) and run without any check at run time.
//
// Same as Linux, check by check and in its order; every refusal is EINVAL.
// Socket filters' ancillary loads (SKF_AD_*) are refused like any other
// load at or past SKF_AD_OFF: the Sentry has no socket filters, and seccomp
// refuses them anyway.

import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE,
  BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS,
  BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX,
  BPF_TXA, BPF_W, BPF_X, BPF_XOR, SKF_AD_OFF, type SockFilter,
} from '../../abi/linux/bpf.js';
import { SECCOMP_DATA_SIZE } from '../../abi/linux/seccomp.js';
import { EINVAL } from '../../abi/linux/errno.js';

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH];
const COND_JUMPS = [BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET];

/** Linux's chk_code_allowed: the opcodes classic BPF has at all. */
const CLASSIC = new Set<number>([
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG,
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS, BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_W | BPF_LEN,
  BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND, BPF_LD | BPF_B | BPF_IND, BPF_LD | BPF_IMM, BPF_LD | BPF_MEM,
  BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH, BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
  BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, BPF_RET | BPF_K, BPF_RET | BPF_A,
  BPF_JMP | BPF_JA, ...COND_JUMPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

/**
 * Linux's seccomp_check_filter list: what a seccomp filter may use. No
 * packet loads but 32-bit words of seccomp_data (BPF_LEN reads as its
 * size), no MOD, no indirect or byte loads.
 */
const SECCOMP = new Set<number>([
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K, BPF_RET | BPF_A,
  ...ALU_OPS.filter((op) => op !== BPF_MOD).flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG, BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX,
  BPF_JMP | BPF_JA, ...COND_JUMPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

export function isConditionalJump(code: number): boolean {
  return (code & 0x07) === BPF_JMP && (code & 0xf0) !== BPF_JA;
}

/** Linux's bpf_check_classic: 0, or -EINVAL for a program no classic BPF machine may run. */
export function checkClassic(insns: readonly SockFilter[]): number {
  const flen = insns.length;
  if (flen === 0 || flen > BPF_MAXINSNS) return -EINVAL;
  for (let pc = 0; pc < flen; pc++) {
    const { code, k } = insns[pc];
    if (!CLASSIC.has(code)) return -EINVAL;
    switch (code) {
      case BPF_ALU | BPF_DIV | BPF_K:
      case BPF_ALU | BPF_MOD | BPF_K:
        if (k === 0) return -EINVAL;
        break;
      case BPF_ALU | BPF_LSH | BPF_K:
      case BPF_ALU | BPF_RSH | BPF_K:
        if (k >= 32) return -EINVAL;
        break;
      case BPF_LD | BPF_MEM:
      case BPF_LDX | BPF_MEM:
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return -EINVAL;
        break;
      case BPF_JMP | BPF_JA:
        // Unsigned, so always forward; it may not leave the program.
        if (k >= flen - pc - 1) return -EINVAL;
        break;
      case BPF_LD | BPF_W | BPF_ABS:
      case BPF_LD | BPF_H | BPF_ABS:
      case BPF_LD | BPF_B | BPF_ABS:
        if (k >= SKF_AD_OFF) return -EINVAL;
        break;
      default:
        if (isConditionalJump(code) && (pc + insns[pc].jt + 1 >= flen || pc + insns[pc].jf + 1 >= flen)) return -EINVAL;
    }
  }
  const last = insns[flen - 1].code;
  if (last !== (BPF_RET | BPF_K) && last !== (BPF_RET | BPF_A)) return -EINVAL;
  return checkLoadAndStores(insns);
}

/**
 * Linux's check_load_and_stores: a load from M[k] is refused unless every
 * path to it stored M[k] first. So a program never reads scratch memory
 * it did not write, and the interpreter never has to clear it.
 */
function checkLoadAndStores(insns: readonly SockFilter[]): number {
  const flen = insns.length;
  // One bit per cell: which cells are written on every path reaching pc.
  const masks = new Uint16Array(flen).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < flen; pc++) {
    valid &= masks[pc];
    const { code, k, jt, jf } = insns[pc];
    if (code === BPF_ST || code === BPF_STX) {
      valid |= 1 << k;
    } else if (code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) {
      if ((valid & (1 << k)) === 0) return -EINVAL;
    } else if (code === (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + k] &= valid;
      valid = 0xffff;
    } else if (isConditionalJump(code)) {
      masks[pc + 1 + jt] &= valid;
      masks[pc + 1 + jf] &= valid;
      valid = 0xffff;
    }
  }
  return 0;
}

/**
 * Linux's seccomp_check_filter, run after checkClassic: only the opcodes a
 * seccomp filter may use, and loads of seccomp_data only as aligned 32-bit
 * words inside it.
 */
export function checkSeccomp(insns: readonly SockFilter[]): number {
  for (const { code, k } of insns) {
    if (!SECCOMP.has(code)) return -EINVAL;
    if (code === (BPF_LD | BPF_W | BPF_ABS) && (k >= SECCOMP_DATA_SIZE || (k & 3) !== 0)) return -EINVAL;
  }
  return 0;
}

/** Both checks, as seccomp(2) runs them on a new filter: 0 or -EINVAL. */
export function checkSeccompFilter(insns: readonly SockFilter[]): number {
  const e = checkClassic(insns);
  return e < 0 ? e : checkSeccomp(insns);
}
