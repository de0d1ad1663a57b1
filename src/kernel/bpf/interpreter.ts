// The classic BPF machine (Linux's ___bpf_prog_run over the converted
// program, gVisor's pkg/bpf interpreter): an accumulator A, an index
// register X and the scratch memory M[16], all 32-bit, running a decoded
// Program (program.ts) over a packet of 32-bit words (for seccomp,
// struct seccomp_data).
//
// It runs on every system call of a filtered task, so it allocates
// nothing and uses no BigInt: A and X are numbers kept in u32 range, the
// scratch memory is one Uint32Array shared by every run (the Sentry serves
// one call at a time, and check.ts guarantees that a program reads no cell
// it did not write in the same run, so nothing is cleared between runs).
//
// As Linux: A and X start at 0; A / 0 and A % 0 end the program with 0; a
// shift by X uses X's low five bits (what the x86-64 JIT and the
// interpreter give); every comparison is unsigned.

import { Op, type Program } from './program.js';

const mem = new Uint32Array(16);

/** Runs p over data (indexed by 32-bit word); returns what its RET returns, as a u32. */
export function runProgram(p: Program, data: Uint32Array): number {
  const op = p.op, k = p.k, jt = p.jt, jf = p.jf, m = mem;
  let a = 0, x = 0, pc = 0;
  for (;;) {
    switch (op[pc]) {
      case Op.LdAbs: a = data[k[pc]]; pc++; break;
      case Op.LdImm: a = k[pc]; pc++; break;
      case Op.LdxImm: x = k[pc]; pc++; break;
      case Op.LdMem: a = m[k[pc]]; pc++; break;
      case Op.LdxMem: x = m[k[pc]]; pc++; break;
      case Op.St: m[k[pc]] = a; pc++; break;
      case Op.Stx: m[k[pc]] = x; pc++; break;
      case Op.AddK: a = (a + k[pc]) >>> 0; pc++; break;
      case Op.AddX: a = (a + x) >>> 0; pc++; break;
      case Op.SubK: a = (a - k[pc]) >>> 0; pc++; break;
      case Op.SubX: a = (a - x) >>> 0; pc++; break;
      case Op.MulK: a = Math.imul(a, k[pc]) >>> 0; pc++; break;
      case Op.MulX: a = Math.imul(a, x) >>> 0; pc++; break;
      case Op.DivK: a = (a / k[pc]) >>> 0; pc++; break;
      case Op.DivX:
        if (x === 0) return 0;
        a = (a / x) >>> 0; pc++; break;
      case Op.AndK: a = (a & k[pc]) >>> 0; pc++; break;
      case Op.AndX: a = (a & x) >>> 0; pc++; break;
      case Op.OrK: a = (a | k[pc]) >>> 0; pc++; break;
      case Op.OrX: a = (a | x) >>> 0; pc++; break;
      case Op.XorK: a = (a ^ k[pc]) >>> 0; pc++; break;
      case Op.XorX: a = (a ^ x) >>> 0; pc++; break;
      case Op.LshK: a = (a << k[pc]) >>> 0; pc++; break;
      case Op.LshX: a = (a << x) >>> 0; pc++; break;
      case Op.RshK: a = a >>> k[pc]; pc++; break;
      case Op.RshX: a = a >>> x; pc++; break;
      case Op.Neg: a = -a >>> 0; pc++; break;
      case Op.Tax: x = a; pc++; break;
      case Op.Txa: a = x; pc++; break;
      case Op.Ja: pc = jt[pc]; break;
      case Op.JeqK: pc = a === k[pc] ? jt[pc] : jf[pc]; break;
      case Op.JeqX: pc = a === x ? jt[pc] : jf[pc]; break;
      case Op.JgtK: pc = a > k[pc] ? jt[pc] : jf[pc]; break;
      case Op.JgtX: pc = a > x ? jt[pc] : jf[pc]; break;
      case Op.JgeK: pc = a >= k[pc] ? jt[pc] : jf[pc]; break;
      case Op.JgeX: pc = a >= x ? jt[pc] : jf[pc]; break;
      case Op.JsetK: pc = (a & k[pc]) !== 0 ? jt[pc] : jf[pc]; break;
      case Op.JsetX: pc = (a & x) !== 0 ? jt[pc] : jf[pc]; break;
      case Op.RetK: return k[pc];
      case Op.RetA: return a;
      default:
        // Unreachable for a decoded program (every instruction has an Op, the last is a RET).
        return 0;
    }
  }
}
