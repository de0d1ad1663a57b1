// The seccomp action cache (Linux's seccomp_cache_prepare and
// seccomp_is_const_allow, kernel/seccomp.c, 5.11+): when a filter is
// attached, each system call number below CACHE_NRS is tried against it
// with only the number and the architecture known; if the filter returns
// SECCOMP_RET_ALLOW without reading anything else, and every older filter
// of the chain does too, the number's bit is set in the new filter's
// bitmap, and a call with that number is allowed without running any
// filter. Allowlists (container profiles, most programs' sandboxes) answer
// most calls this way.
//
// As Linux, for the native architecture only: the Sentry serves x86-64
// calls alone, so seccomp_data.arch is always AUDIT_ARCH_X86_64. Differs
// from Linux: numbers up to 511 are cached (Linux: up to NR_syscalls).

import { Op, type Program } from './bpf/program.js';
import { AUDIT_ARCH_X86_64, SECCOMP_RET_ALLOW } from '../abi/linux/seccomp.js';

/** Numbers below this have a bit in the cache. */
export const CACHE_NRS = 512;

/** A bitmap with every number allowed: what the chain's first filter starts from. */
export function allAllowed(): Uint32Array {
  return new Uint32Array(CACHE_NRS / 32).fill(0xffffffff);
}

/** Whether nr's bit is set (nr in [0, CACHE_NRS)). */
export function cachedAllow(cache: Uint32Array, nr: number): boolean {
  return ((cache[nr >>> 5] >>> (nr & 31)) & 1) !== 0;
}

/**
 * Whether p returns SECCOMP_RET_ALLOW for nr whatever the arguments and
 * instruction pointer: an emulation that gives up at the first instruction
 * whose result would depend on them (Linux's seccomp_is_const_allow).
 */
function constAllow(p: Program, nr: number): boolean {
  let a = 0;
  for (let pc = 0; pc < p.length;) {
    const k = p.k[pc];
    switch (p.op[pc] as Op) {
      case Op.LdAbs:
        if (k === 0) a = nr >>> 0;
        else if (k === 1) a = AUDIT_ARCH_X86_64;
        else return false;
        pc++;
        break;
      case Op.AndK:
        a = (a & k) >>> 0;
        pc++;
        break;
      case Op.Ja:
        pc = p.jt[pc];
        break;
      case Op.JeqK:
        pc = a === k ? p.jt[pc] : p.jf[pc];
        break;
      case Op.JgeK:
        pc = a >= k ? p.jt[pc] : p.jf[pc];
        break;
      case Op.JgtK:
        pc = a > k ? p.jt[pc] : p.jf[pc];
        break;
      case Op.JsetK:
        pc = (a & k) !== 0 ? p.jt[pc] : p.jf[pc];
        break;
      case Op.RetK:
        return k === SECCOMP_RET_ALLOW;
      default:
        return false;
    }
  }
  return false;
}

/** The cache of a new filter p whose older filters' cache is prev. */
export function prepareCache(p: Program, prev: Uint32Array | null): Uint32Array {
  const cache = prev === null ? allAllowed() : prev.slice();
  for (let nr = 0; nr < CACHE_NRS; nr++) {
    if (cachedAllow(cache, nr) && !constAllow(p, nr)) cache[nr >>> 5] &= ~(1 << (nr & 31));
  }
  return cache;
}
