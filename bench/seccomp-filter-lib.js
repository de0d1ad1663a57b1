// What bench/seccomp-filter.js and test/seccomp.test.js share: a typical
// seccomp filter, as a container runtime's profile or a program's own
// sandbox would install it, and seccomp_data for a call.

const LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const ALLOW = 0x7fff0000, KILL_PROCESS = 0x80000000, ERRNO_EPERM = 0x00050001;

const stmt = (code, k) => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const jump = (code, k, jt, jf) => ({ code, jt, jf, k: k >>> 0 });

/** 30 instructions: arch check, x32 check, 19 allowed calls, socket(AF_UNIX, ...) only, ERRNO(EPERM) otherwise. */
export function typicalFilter() {
  const allowed = [0, 1, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 39, 60, 202, 228, 257, 231];
  const p = [
    stmt(LD_W_ABS, 4),
    jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
    stmt(RET_K, KILL_PROCESS),
    stmt(LD_W_ABS, 0),
    jump(JGE_K, 0x40000000, 0, 1),
    stmt(RET_K, KILL_PROCESS),
  ];
  // Each allowed number jumps to the ALLOW at the end.
  const nAllowed = allowed.length;
  allowed.forEach((nr, i) => p.push(jump(JEQ_K, nr, nAllowed - i + 3, 0)));
  // socket: only AF_UNIX (1).
  p.push(jump(JEQ_K, 41, 0, 2));
  p.push(stmt(LD_W_ABS, 16));
  p.push(jump(JEQ_K, 1, 1, 0));
  p.push(stmt(RET_K, ERRNO_EPERM));
  p.push(stmt(RET_K, ALLOW));
  return p;
}

/** struct seccomp_data as 16 words: nr, AUDIT_ARCH_X86_64, an instruction pointer, args (each below 2^32). */
export function seccompData(nr, args = []) {
  const d = new Uint32Array(16);
  d[0] = nr >>> 0;
  d[1] = AUDIT_ARCH_X86_64;
  d[2] = 0x401000;
  args.forEach((a, i) => { d[4 + 2 * i] = a >>> 0; });
  return d;
}
