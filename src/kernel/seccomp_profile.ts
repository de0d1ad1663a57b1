// An OCI runtime's seccomp profile (config.json's linux.seccomp) compiled
// into one classic BPF program, as runc builds one with libseccomp and
// loads it into the container's first process: what the boot loader
// installs on the container's init task (kernel/seccomp.ts installFilter)
// before it first runs.
//
// Takes a plain structural type, not src/config's: the kernel does not
// depend on the OCI model. Follows runc (libcontainer/seccomp) and
// libseccomp where they decide:
// - SCMP_ACT_KILL is KILL_THREAD; SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry
//   errnoRet (defaultErrnoRet for the default action), EPERM without one.
// - A rule whose action is the default action is left out.
// - A name the Sentry's system call table (abi/linux/sysno.ts) does not
//   know is ignored, as runc ignores names libseccomp does not know
//   (listed in unknownNames, for the boot loader to warn about).
// - A rule's conditions on different arguments must all hold; if one
//   argument has several conditions, each condition is a rule of its own
//   (runc's "old behaviour"). Comparisons are of the whole 64-bit
//   argument, unsigned; SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo.
// - A call whose architecture is not x86-64 gets libseccomp's bad-arch
//   action (KILL_THREAD), and so does a number with bit 30 set (an x32
//   call) or above, unless SCMP_ARCH_X32 is listed.
// - runc's ENOSYS stub: unless the default action allows (ALLOW, LOG,
//   TRACE), a number above the largest one the profile names fails with
//   ENOSYS, so that programs fall back from system calls newer than the
//   profile.
// - SECCOMP_FILTER_FLAG_TSYNC is implied (the boot loader installs on a
//   single-threaded task), LOG and SPEC_ALLOW are passed on as flags.
//
// Differs: rules are tried in the profile's order, the first that matches
// deciding (libseccomp merges rules into a tree and refuses some
// conflicting ones); with SCMP_ARCH_X32 an x32 call is matched as the
// x86-64 call of the same number below bit 30 (x32's own numbers for its
// compat calls, 512 to 547, match no name); SCMP_ACT_NOTIFY and
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV are refused (the Sentry has no
// user notification); SCMP_ARCH_X86 and the other architectures are
// accepted, and never seen: the Sentry filters x86-64 calls only.

import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_MAXINSNS,
  BPF_RET, BPF_W, type SockFilter,
} from '../abi/linux/bpf.js';
import {
  AUDIT_ARCH_X86_64, SECCOMP_DATA_ARCH, SECCOMP_DATA_ARGS, SECCOMP_DATA_NR, SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, X32_SYSCALL_BIT,
} from '../abi/linux/seccomp.js';
import { SYS } from '../abi/linux/sysno.js';
import { ENOSYS, EPERM } from '../abi/linux/errno.js';

/** A 64-bit argument value: a number (a safe integer) or a bigint, 0 to 2^64-1. */
export type ProfileValue = number | bigint;

export interface SeccompProfileArg {
  index: number;
  value: ProfileValue;
  valueTwo?: ProfileValue;
  op: string;
}

export interface SeccompProfileSyscall {
  names: readonly string[];
  action: string;
  errnoRet?: number;
  args?: readonly SeccompProfileArg[];
}

/** The shape of OCI's linux.seccomp (runtime-spec config-linux.md). */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: readonly string[];
  flags?: readonly string[];
  listenerPath?: string;
  syscalls?: readonly SeccompProfileSyscall[];
}

export interface CompiledProfile {
  /** The filter, for installFilter. */
  program: SockFilter[];
  /** SECCOMP_FILTER_FLAG_* to install it with. */
  flags: number;
  /** Names ignored because the Sentry's table does not know them, in the profile's order, once each. */
  unknownNames: string[];
}

/** A profile that cannot be compiled: `field` names the part, as src/config names fields. */
export class SeccompProfileError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SeccompProfileError';
  }
}

const KNOWN_ARCHS = new Set([
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
]);

/** libseccomp's default bad-architecture action, SCMP_ACT_KILL. */
const BAD_ARCH = SECCOMP_RET_KILL_THREAD;

/** The filter return value of an OCI action: a u32. */
function actionValue(action: string, errnoRet: number | undefined, field: string): number {
  const data = (errnoRet ?? EPERM) & SECCOMP_RET_DATA;
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET_KILL_PROCESS >>> 0;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET_TRAP;
    case 'SCMP_ACT_ERRNO':
      return (SECCOMP_RET_ERRNO | data) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET_TRACE | data) >>> 0;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET_ALLOW;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET_LOG;
    case 'SCMP_ACT_NOTIFY':
      throw new SeccompProfileError(field, 'SCMP_ACT_NOTIFY is not supported: the sandbox has no seccomp user notification');
    default:
      throw new SeccompProfileError(field, `unknown action ${JSON.stringify(action)}`);
  }
}

function errnoRetOf(v: number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new SeccompProfileError(field, `must be an errno number, not ${String(v)}`);
  return v;
}

/** A u64 as its two 32-bit halves. */
function halves(v: ProfileValue, field: string): [hi: number, lo: number] {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw new SeccompProfileError(field, `must be an integer from 0 to 2^64-1 (a bigint above 2^53), not ${String(v)}`);
  if (b < 0n || b >= 1n << 64n) throw new SeccompProfileError(field, `must be from 0 to 2^64-1, not ${b}`);
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
}

// --- a small assembler: instructions with symbolic forward targets ----------------

type Label = { pos: number };

interface Item {
  code: number;
  k: number;
  jt?: Label;
  jf?: Label;
  /** For BPF_JA: where to. */
  to?: Label;
}

class Assembler {
  readonly items: Item[] = [];

  label(): Label {
    return { pos: -1 };
  }

  /** Places l at the next instruction. */
  bind(l: Label): void {
    l.pos = this.items.length;
  }

  stmt(code: number, k: number): void {
    this.items.push({ code, k: k >>> 0 });
  }

  /** A conditional jump; an omitted target is the next instruction. */
  jump(code: number, k: number, jt?: Label, jf?: Label): void {
    this.items.push({ code, k: k >>> 0, jt, jf });
  }

  ja(to: Label): void {
    this.items.push({ code: BPF_JMP | BPF_JA, k: 0, to });
  }

  ret(v: number): void {
    this.stmt(BPF_RET | BPF_K, v);
  }

  ld(off: number): void {
    this.stmt(BPF_LD | BPF_W | BPF_ABS, off);
  }

  assemble(): SockFilter[] {
    return this.items.map((it, pc): SockFilter => {
      const rel = (l: Label | undefined): number => {
        if (l === undefined) return 0;
        if (l.pos <= pc) throw new Error('seccomp profile: a jump that is not forward');
        return l.pos - pc - 1;
      };
      if (it.to !== undefined) return { code: it.code, jt: 0, jf: 0, k: rel(it.to) };
      const jt = rel(it.jt), jf = rel(it.jf);
      // Conditional jumps reach at most 255 ahead; the layout below keeps them short.
      if (jt > 255 || jf > 255) throw new Error('seccomp profile: a conditional jump too long');
      return { code: it.code, jt, jf, k: it.k };
    });
  }
}

const JEQ = BPF_JMP | BPF_JEQ | BPF_K, JGT = BPF_JMP | BPF_JGT | BPF_K, JGE = BPF_JMP | BPF_JGE | BPF_K,
  JSET = BPF_JMP | BPF_JSET | BPF_K, AND = BPF_ALU | BPF_AND | BPF_K;

interface Condition {
  index: number;
  op: string;
  hi: number;
  lo: number;
  /** MASKED_EQ's datum. */
  hi2: number;
  lo2: number;
}

interface Rule {
  conditions: Condition[];
  ret: number;
}

/** Code that falls through if c holds and jumps to fail if not. */
function emitCondition(a: Assembler, c: Condition, fail: Label): void {
  const hiOff = SECCOMP_DATA_ARGS + 8 * c.index + 4, loOff = SECCOMP_DATA_ARGS + 8 * c.index;
  const pass = a.label();
  switch (c.op) {
    case 'SCMP_CMP_EQ':
      a.ld(hiOff); a.jump(JEQ, c.hi, undefined, fail);
      a.ld(loOff); a.jump(JEQ, c.lo, undefined, fail);
      break;
    case 'SCMP_CMP_NE':
      a.ld(hiOff); a.jump(JEQ, c.hi, undefined, pass);
      a.ld(loOff); a.jump(JEQ, c.lo, fail, undefined);
      break;
    case 'SCMP_CMP_MASKED_EQ':
      a.ld(hiOff); a.stmt(AND, c.hi); a.jump(JEQ, c.hi2, undefined, fail);
      a.ld(loOff); a.stmt(AND, c.lo); a.jump(JEQ, c.lo2, undefined, fail);
      break;
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE':
      // hi above: holds; hi below: fails; equal: the low halves decide.
      a.ld(hiOff); a.jump(JGT, c.hi, pass, undefined); a.jump(JEQ, c.hi, undefined, fail);
      a.ld(loOff); a.jump(c.op === 'SCMP_CMP_GT' ? JGT : JGE, c.lo, undefined, fail);
      break;
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
      a.ld(hiOff); a.jump(JGT, c.hi, fail, undefined); a.jump(JEQ, c.hi, undefined, pass);
      a.ld(loOff); a.jump(c.op === 'SCMP_CMP_LT' ? JGE : JGT, c.lo, fail, undefined);
      break;
    default:
      throw new Error(`seccomp profile: operator ${c.op}`);
  }
  a.bind(pass);
}

const OPERATORS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

/** A syscalls[] entry's rules (one, or one per condition when an argument repeats, as runc does). */
function rulesOf(s: SeccompProfileSyscall, ret: number, field: string): Rule[] {
  const conds = (s.args ?? []).map((arg, j): Condition => {
    const f = `${field}.args[${j}]`;
    if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
      throw new SeccompProfileError(`${f}.index`, `must be 0 to 5 (a system call has six arguments), not ${String(arg.index)}`);
    }
    if (!OPERATORS.has(arg.op)) throw new SeccompProfileError(`${f}.op`, `unknown operator ${JSON.stringify(arg.op)}`);
    const [hi, lo] = halves(arg.value, `${f}.value`);
    const [hi2, lo2] = arg.valueTwo === undefined ? [0, 0] : halves(arg.valueTwo, `${f}.valueTwo`);
    return { index: arg.index, op: arg.op, hi, lo, hi2, lo2 };
  });
  const seen = new Set<number>();
  const repeated = conds.some((c) => seen.size === seen.add(c.index).size);
  return repeated ? conds.map((c) => ({ conditions: [c], ret })) : [{ conditions: conds, ret }];
}

/** The number of a system call name, if the Sentry's table has it. */
function sysno(name: string): number | undefined {
  return Object.hasOwn(SYS, name) ? (SYS as Record<string, number>)[name] : undefined;
}

/** Whether the default action lets calls through: then runc adds no ENOSYS stub. */
function allows(ret: number): boolean {
  const action = (ret & 0xffff0000) >>> 0;
  return action === SECCOMP_RET_ALLOW || action === SECCOMP_RET_LOG || action === SECCOMP_RET_TRACE;
}

/** Compiles p; throws SeccompProfileError for what runc would refuse or the Sentry cannot do. */
export function compileSeccompProfile(p: SeccompProfile): CompiledProfile {
  const field = 'linux.seccomp';
  const defaultRet = actionValue(p.defaultAction, errnoRetOf(p.defaultErrnoRet, `${field}.defaultErrnoRet`), `${field}.defaultAction`);
  let x32 = false;
  (p.architectures ?? []).forEach((arch, i) => {
    if (!KNOWN_ARCHS.has(arch)) throw new SeccompProfileError(`${field}.architectures[${i}]`, `unknown architecture ${JSON.stringify(arch)}`);
    if (arch === 'SCMP_ARCH_X32') x32 = true;
  });
  let flags = 0;
  (p.flags ?? []).forEach((flag, i) => {
    if (flag === 'SECCOMP_FILTER_FLAG_TSYNC') return;
    else if (flag === 'SECCOMP_FILTER_FLAG_LOG') flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (flag === 'SECCOMP_FILTER_FLAG_SPEC_ALLOW') flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else throw new SeccompProfileError(`${field}.flags[${i}]`, `${JSON.stringify(flag)} is not supported`);
  });

  // The rules of each number, in the order numbers first appear.
  const byNr = new Map<number, Rule[]>();
  const unknown = new Set<string>();
  let largest = -1;
  (p.syscalls ?? []).forEach((s, i) => {
    const f = `${field}.syscalls[${i}]`;
    const ret = actionValue(s.action, errnoRetOf(s.errnoRet, `${f}.errnoRet`), `${f}.action`);
    if (s.names.length === 0) throw new SeccompProfileError(`${f}.names`, 'must name at least one system call');
    const nrs: number[] = [];
    for (const name of s.names) {
      const nr = sysno(name);
      if (nr === undefined) unknown.add(name);
      else nrs.push(nr);
    }
    // runc's stub counts every rule's numbers, whatever its action.
    for (const nr of nrs) largest = Math.max(largest, nr);
    const rules = rulesOf(s, ret, f);
    if (ret === defaultRet) return;
    for (const nr of nrs) {
      let list = byNr.get(nr);
      if (list === undefined) byNr.set(nr, (list = []));
      list.push(...rules);
    }
  });

  const a = new Assembler();
  // The refusals before the dispatch are RETs right after their tests: conditional jumps reach 255 ahead only.
  const refuseUnless = (code: number, k: number, ret: number, invert: boolean): void => {
    const past = a.label();
    if (invert) a.jump(code, k, past, undefined);
    else a.jump(code, k, undefined, past);
    a.ret(ret);
    a.bind(past);
  };
  a.ld(SECCOMP_DATA_ARCH);
  refuseUnless(JEQ, AUDIT_ARCH_X86_64, BAD_ARCH, true);
  a.ld(SECCOMP_DATA_NR);
  if (x32) {
    // An x32 call is matched as the x86-64 call of the same number; anything above is a bad number.
    refuseUnless(JGE, 0x80000000, BAD_ARCH, false);
    const native = a.label();
    a.jump(JSET, X32_SYSCALL_BIT, undefined, native);
    a.stmt(AND, ~X32_SYSCALL_BIT);
    a.bind(native);
  } else {
    refuseUnless(JGE, X32_SYSCALL_BIT, BAD_ARCH, false);
  }
  if (!allows(defaultRet) && largest >= 0) refuseUnless(JGT, largest, (SECCOMP_RET_ERRNO | ENOSYS) >>> 0, false);
  // The dispatch: one test per number, a long jump to its rules.
  const blocks: { nr: number; rules: Rule[]; at: Label }[] = [];
  for (const [nr, rules] of byNr) {
    const at = a.label(), next = a.label();
    a.jump(JEQ, nr, undefined, next);
    a.ja(at);
    a.bind(next);
    blocks.push({ nr, rules, at });
  }
  a.ret(defaultRet);
  for (const { rules, at } of blocks) {
    a.bind(at);
    let unconditional = false;
    for (const r of rules) {
      const fail = a.label();
      for (const c of r.conditions) emitCondition(a, c, fail);
      a.ret(r.ret);
      a.bind(fail);
      if (r.conditions.length === 0) {
        // Nothing after an unconditional rule can match.
        unconditional = true;
        break;
      }
    }
    if (!unconditional) a.ret(defaultRet);
  }
  const program = a.assemble();
  if (program.length > BPF_MAXINSNS) {
    throw new SeccompProfileError(`${field}.syscalls`, `compiles to ${program.length} instructions, more than a filter may have (${BPF_MAXINSNS})`);
  }
  return { program, flags, unknownNames: [...unknown] };
}
