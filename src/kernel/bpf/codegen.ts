// A classic BPF program compiled to a JavaScript function, which V8 then
// compiles to machine code: what Linux's BPF JIT does for the same
// programs. The function has the interpreter's semantics exactly
// (interpreter.ts), without its dispatch: each instruction becomes a line
// with its constants inlined, and each jump a `break` out of a labeled
// block. BPF jumps only go forward, so the blocks nest: the block for
// target T holds every instruction before T, and `break L<T>` continues
// at T.
//
// The text is made only from a decoded Program (program.ts), so only from
// validated operations and numbers: the Op picks one of the fixed
// templates below, and every other piece is an integer printed in
// decimal (a constant, a word index, a jump target). Nothing the
// application wrote reaches the text as characters. The Sentry's own host
// seccomp filter allows this: V8 compiles code in memory it maps itself,
// with no system call a JIT does not already make.

import { Op, type Program } from './program.js';

/** A compiled program: (data, scratch) -> the u32 its RET returns. */
export type CompiledProgram = (data: Uint32Array, mem: Uint32Array) => number;

/**
 * V8's parser nests a labeled block per jump target; past this many it
 * could exhaust the parser's stack, so such a program stays interpreted.
 */
export const MAX_COMPILED_TARGETS = 1024;

function u32(n: number): string {
  return String(n >>> 0);
}

/** One instruction as a statement; `jumpTo(t)` is how control goes to instruction t. */
function statement(p: Program, pc: number, jumpTo: (t: number) => string): string {
  const k = u32(p.k[pc]);
  const jt = p.jt[pc], jf = p.jf[pc];
  const cond = (c: string): string => {
    if (jt === jf) return jumpTo(jt);
    if (jf === pc + 1) return `if (${c}) { ${jumpTo(jt)} }`;
    if (jt === pc + 1) return `if (!(${c})) { ${jumpTo(jf)} }`;
    return `if (${c}) { ${jumpTo(jt)} } else { ${jumpTo(jf)} }`;
  };
  switch (p.op[pc] as Op) {
    case Op.LdAbs: return `a = d[${k}];`;
    case Op.LdImm: return `a = ${k};`;
    case Op.LdxImm: return `x = ${k};`;
    case Op.LdMem: return `a = m[${k}];`;
    case Op.LdxMem: return `x = m[${k}];`;
    case Op.St: return `m[${k}] = a;`;
    case Op.Stx: return `m[${k}] = x;`;
    case Op.AddK: return `a = (a + ${k}) >>> 0;`;
    case Op.AddX: return 'a = (a + x) >>> 0;';
    case Op.SubK: return `a = (a - ${k}) >>> 0;`;
    case Op.SubX: return 'a = (a - x) >>> 0;';
    case Op.MulK: return `a = Math.imul(a, ${k}) >>> 0;`;
    case Op.MulX: return 'a = Math.imul(a, x) >>> 0;';
    case Op.DivK: return `a = (a / ${k}) >>> 0;`;
    case Op.DivX: return 'if (x === 0) return 0; a = (a / x) >>> 0;';
    case Op.AndK: return `a = (a & ${k}) >>> 0;`;
    case Op.AndX: return 'a = (a & x) >>> 0;';
    case Op.OrK: return `a = (a | ${k}) >>> 0;`;
    case Op.OrX: return 'a = (a | x) >>> 0;';
    case Op.XorK: return `a = (a ^ ${k}) >>> 0;`;
    case Op.XorX: return 'a = (a ^ x) >>> 0;';
    case Op.LshK: return `a = (a << ${k}) >>> 0;`;
    case Op.LshX: return 'a = (a << x) >>> 0;';
    case Op.RshK: return `a = a >>> ${k};`;
    case Op.RshX: return 'a = a >>> x;';
    case Op.Neg: return 'a = -a >>> 0;';
    case Op.Tax: return 'x = a;';
    case Op.Txa: return 'a = x;';
    case Op.Ja: return jumpTo(jt);
    case Op.JeqK: return cond(`a === ${k}`);
    case Op.JeqX: return cond('a === x');
    case Op.JgtK: return cond(`a > ${k}`);
    case Op.JgtX: return cond('a > x');
    case Op.JgeK: return cond(`a >= ${k}`);
    case Op.JgeX: return cond('a >= x');
    case Op.JsetK: return cond(`(a & ${k}) !== 0`);
    case Op.JsetX: return cond('(a & x) !== 0');
    case Op.RetK: return `return ${k};`;
    case Op.RetA: return 'return a;';
  }
  throw new Error(`bpf codegen: no operation ${p.op[pc]} at ${pc}`);
}

/** The function's body for p: instructions in order, inside one labeled block per jump target. */
export function programSource(p: Program): string | null {
  const n = p.length;
  const targets = new Set<number>();
  for (let pc = 0; pc < n; pc++) {
    const op = p.op[pc] as Op;
    if (op === Op.Ja || (op >= Op.JeqK && op <= Op.JsetX)) {
      if (p.jt[pc] !== pc + 1) targets.add(p.jt[pc]);
      if (op !== Op.Ja && p.jf[pc] !== pc + 1) targets.add(p.jf[pc]);
    }
  }
  if (targets.size > MAX_COMPILED_TARGETS) return null;
  const jumpTo = (t: number): string => (targets.has(t) ? `break L${t};` : '');
  const lines = ['let a = 0, x = 0;'];
  // Open every block at the top, the farthest target outermost.
  lines.push([...targets].sort((u, v) => v - u).map((t) => `L${t}: {`).join(' '));
  for (let pc = 0; pc < n; pc++) {
    if (targets.has(pc)) lines.push(`} // L${pc}`);
    lines.push(statement(p, pc, jumpTo));
  }
  // The last instruction is a RET (check.ts), so control never falls out of the function.
  lines.push('return 0;');
  return lines.join('\n');
}

/** Compiles p, or returns null if it has too many jump targets to be compiled as blocks. */
export function compileProgram(p: Program): CompiledProgram | null {
  const src = programSource(p);
  if (src === null) return null;
  return new Function('d', 'm', src) as CompiledProgram;
}
