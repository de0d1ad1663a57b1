// The length of a seccomp filter as Linux runs it: Linux converts each
// classic program to its internal eBPF form (bpf_convert_filter in
// net/core/filter.c) and seccomp's bound on a task's chain
// (MAX_INSNS_PER_PATH, kernel/seccomp.c) counts the converted
// instructions, not the classic ones. The Sentry runs the classic program
// itself, but counts the same way, so that a chain fills up (ENOMEM) at
// the same filter as on Linux.
//
// For a program that passed checkSeccompFilter (check.ts): a prologue of
// three (clear A, clear X, keep the context); RET K two, RET A one; DIV by
// X five (the division and Linux's check for a zero divisor, which ends
// the program with 0); a conditional jump one, one more when its constant
// has bit 31 set (loaded into a register first: eBPF's immediates are
// signed), and one more (a JA) when neither target is the next
// instruction, unless jt is and the comparison can be inverted (JEQ, JGT,
// JGE; not JSET); every other instruction one. seccomp's BPF_LEN loads are
// immediates by then, and its loads of seccomp_data single instructions.

import {
  BPF_A, BPF_ALU, BPF_DIV, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K, BPF_RET, BPF_X, type SockFilter,
} from '../../abi/linux/bpf.js';

const PROLOGUE = 3;

export function convertedLength(insns: readonly SockFilter[]): number {
  let n = PROLOGUE;
  for (const { code, k, jt, jf } of insns) {
    const cls = code & 0x07;
    if (code === (BPF_RET | BPF_K)) n += 2;
    else if (code === (BPF_RET | BPF_A)) n += 1;
    else if (code === (BPF_ALU | BPF_DIV | BPF_X)) n += 5;
    else if (cls === BPF_JMP && (code & 0xf0) !== BPF_JA) {
      n += 1;
      if ((code & BPF_X) === 0 && (k | 0) < 0) n += 1;
      const op = code & 0xf0;
      const invertible = op === BPF_JEQ || op === BPF_JGT || op === BPF_JGE;
      if (jf !== 0 && !(jt === 0 && invertible)) n += 1;
    } else n += 1;
  }
  return n;
}
