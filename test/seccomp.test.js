// seccomp for the sandbox's programs (src/kernel/seccomp.ts, src/kernel/bpf/,
// src/kernel/seccomp_profile.ts). Linux is the oracle twice over: the
// test/c/seccomp_*.c programs install filters of their own and must print
// and end the same natively and under tsvisor; and OCI profiles compiled by
// the Sentry's compiler are loaded by test/c/seccomp_load.c both natively
// (Linux judges the compiled program) and under tsvisor. The BPF machine,
// its compiled form and the compiler are also driven directly (dist/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSameAsNative, compileC, compileWarnings, OUT } from './lib/harness.js';
import { checkSeccompFilter } from '../dist/kernel/bpf/check.js';
import { Program } from '../dist/kernel/bpf/program.js';
import { runProgram } from '../dist/kernel/bpf/interpreter.js';
import { compileProgram } from '../dist/kernel/bpf/codegen.js';
import { convertedLength } from '../dist/kernel/bpf/converted_length.js';
import { compileSeccompProfile, SeccompProfileError } from '../dist/kernel/seccomp_profile.js';
import { HOT_RUNS, installFilter, runFilters, secureComputing } from '../dist/kernel/seccomp.js';
import { prepareCache, cachedAllow } from '../dist/kernel/seccomp_cache.js';
import { Registers } from '../dist/platform/registers.js';
import { SYS } from '../dist/abi/linux/sysno.js';
import { typicalFilter, seccompData } from '../bench/seccomp-filter-lib.js';

const ALLOW = 0x7fff0000, KILL_THREAD = 0, KILL_PROCESS = 0x80000000, TRAP = 0x00030000, ERRNO = 0x00050000,
  LOG = 0x7ffc0000, TRACE = 0x7ff00000;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const EPERM = 1, EINVAL = 22, ENOSYS = 38;

// --- the C programs, natively and under tsvisor --------------------------------

const PROGRAMS = {
  seccomp_strict: 'strict mode: read, write, exit, rt_sigreturn; SIGKILL for anything else',
  seccomp_errors: 'EFAULT, EINVAL for each kind of bad program, EACCES, ENOMEM, GET_ACTION_AVAIL, GET_NOTIF_SIZES',
  seccomp_actions: 'every action, TRAP\'s siginfo and registers, kills of a thread and a process, precedence',
  seccomp_args: '64-bit arguments, nr, arch, ip, BPF_LEN, every ALU operation and jump, RET A',
  seccomp_inherit: 'fork and execve keep the filters; /proc status Seccomp fields',
  seccomp_tsync: 'TSYNC with threads, its failure with a diverged thread, TSYNC_ESRCH, no_new_privs',
};

for (const [name, what] of Object.entries(PROGRAMS)) {
  for (const mode of ['static', 'dynamic']) {
    test(`${name} (${mode}) behaves as natively: ${what}`, () => {
      const bin = compileC(name, { static: mode === 'static' });
      assert.equal(compileWarnings.get(`${name}.${mode}`), '', `${name} compiles with warnings`);
      const { native } = assertSameAsNative([bin], { expectCode: 0, checkNativeDeterministic: true });
      assert.match(native.stdout, /\ndone\n$/, `native ${name} did not reach its end`);
    });
  }
}

// --- the BPF machine ---------------------------------------------------------------

const S = (code, k = 0) => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const J = (code, k, jt, jf) => ({ code, jt, jf, k: k >>> 0 });

test('validation: what Linux refuses is EINVAL, what it takes is 0', () => {
  const ok = [S(0x20, 0), S(0x06, ALLOW)];
  assert.equal(checkSeccompFilter(ok), 0);
  const bad = {
    empty: [],
    'too long': Array.from({ length: 4097 }, () => S(0x06, ALLOW)),
    'bad opcode': [S(0xffff), S(0x06, ALLOW)],
    'mod (classic only)': [S(0x94, 3), S(0x06, ALLOW)],
    'byte load': [S(0x30, 0), S(0x06, ALLOW)],
    'load at 64': [S(0x20, 64), S(0x06, ALLOW)],
    'unaligned load': [S(0x20, 6), S(0x06, ALLOW)],
    'no ret last': [S(0x06, ALLOW), S(0x20, 0)],
    'ja out of range': [S(0x05, 1), S(0x06, ALLOW)],
    'jt out of range': [J(0x15, 0, 1, 0), S(0x06, ALLOW)],
    'div by 0': [S(0x34, 0), S(0x06, ALLOW)],
    'shift by 32': [S(0x64, 32), S(0x06, ALLOW)],
    'st M[16]': [S(0x02, 16), S(0x06, ALLOW)],
    'ld M[1] unstored': [S(0x60, 1), S(0x06, ALLOW)],
  };
  for (const [what, p] of Object.entries(bad)) assert.equal(checkSeccompFilter(p), -22, what);
});

test('converted length: Linux 6.18\'s eBPF count, measured natively with the chain limit', () => {
  // Each program here was measured on Linux 6.18 (how much of MAX_INSNS_PER_PATH it takes).
  const div = [S(0x01, 1), ...Array.from({ length: 810 }, () => S(0x3c)), S(0x06, ALLOW)];
  assert.equal(convertedLength(div), 4056);
  const jeqNeg = [...Array.from({ length: 2030 }, () => J(0x15, 0x80000000, 0, 0)), S(0x06, ALLOW)];
  assert.equal(convertedLength(jeqNeg), 4065);
  const jset = [...Array.from({ length: 1350 }, () => [J(0x45, 5, 0, 1), S(0x00, 1)]).flat(), S(0x06, ALLOW)];
  assert.equal(convertedLength(jset), 4055);
  const jgtX = [...Array.from({ length: 2025 }, () => [J(0x2d, 0, 0, 1), S(0x00, 1)]).flat(), S(0x06, ALLOW)];
  assert.equal(convertedLength(jgtX), 4055);
  const retA = [...Array.from({ length: 4050 }, () => S(0x20, 0)), S(0x00, ALLOW), S(0x16)];
  assert.equal(convertedLength(retA), 4055);
  const jsetX = [...Array.from({ length: 2020 }, () => [J(0x4d, 0, 1, 0), S(0x00, 1)]).flat(), S(0x80), S(0x34, 3), S(0x06, ALLOW)];
  assert.equal(convertedLength(jsetX), 4047);
});

/** A seeded generator (xorshift32), so a failure can be replayed. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** A random valid seccomp program: every scratch cell stored first, then random operations and forward jumps. */
function randomProgram(next) {
  const p = [S(0x00, next())];
  for (let i = 0; i < 16; i++) p.push(S(0x02, i));
  const body = 5 + (next() % 60);
  const ALU = [0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84];
  const JMP = [0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d];
  for (let i = 0; i < body; i++) {
    const left = body - i; // instructions after this one before the final two RETs
    const r = next() % 10;
    if (r < 2) p.push(S(0x20, 4 * (next() % 16)));
    else if (r < 5) {
      const code = ALU[next() % ALU.length];
      let k = next();
      if (code === 0x34) k = k || 1;
      if (code === 0x64 || code === 0x74) k %= 32;
      p.push(S(code, k));
    } else if (r < 7) {
      const code = JMP[next() % JMP.length];
      const k = next() % 3 === 0 ? next() % 8 : next();
      p.push(J(code, k, next() % (left + 1), next() % (left + 1)));
    } else if (r === 7) p.push([S(0x60, next() % 16), S(0x61, next() % 16), S(0x02, next() % 16), S(0x03, next() % 16)][next() % 4]);
    else if (r === 8) p.push([S(0x07), S(0x87), S(0x00, next()), S(0x01, next() % 4)][next() % 4]);
    else p.push(S(0x05, next() % (left + 1)));
  }
  p.push(S(0x16), S(0x06, next()));
  return p;
}

test('the compiled function gives what the interpreter gives, on 3,000 random programs', () => {
  const next = rng(20240917);
  const mem = new Uint32Array(16);
  let checked = 0;
  for (let n = 0; n < 3000; n++) {
    const insns = randomProgram(next);
    assert.equal(checkSeccompFilter(insns), 0, `program ${n} does not validate: ${JSON.stringify(insns)}`);
    const prog = new Program(insns);
    const fn = compileProgram(prog);
    assert.ok(fn !== null);
    for (let i = 0; i < 8; i++) {
      const d = new Uint32Array(16);
      for (let w = 0; w < 16; w++) d[w] = i < 4 ? next() : next() % 4;
      const a = runProgram(prog, d), b = fn(d, mem);
      if (a !== b) assert.fail(`program ${n}, input ${i}: interpreter 0x${a.toString(16)}, compiled 0x${b.toString(16)}\n${JSON.stringify(insns)}\n${[...d]}`);
      checked++;
    }
  }
  assert.equal(checked, 24000);
});

test('the typical filter: the interpreter, the compiled function and the action cache agree', () => {
  const insns = typicalFilter();
  assert.equal(insns.length, 30);
  const prog = new Program(insns);
  const fn = compileProgram(prog);
  const cache = prepareCache(prog, null);
  for (const [nr, args, want] of [[0, [3], ALLOW], [231, [0], ALLOW], [41, [1, 1], ALLOW], [41, [2, 1], ERRNO | EPERM], [101, [], ERRNO | EPERM]]) {
    const d = seccompData(nr, args);
    assert.equal(runProgram(prog, d), want >>> 0, `nr ${nr}`);
    assert.equal(fn(d, new Uint32Array(16)), want >>> 0, `nr ${nr} compiled`);
  }
  // read, write... allowed whatever the arguments: cached; socket reads an argument; ptrace is ERRNO.
  assert.equal(cachedAllow(cache, 0), true);
  assert.equal(cachedAllow(cache, 231), true);
  assert.equal(cachedAllow(cache, 41), false);
  assert.equal(cachedAllow(cache, 101), false);
  // A wrong architecture is KILL_PROCESS, an x32 number too.
  const d = seccompData(0); d[1] = 0x40000003;
  assert.equal(runProgram(prog, d), KILL_PROCESS);
  assert.equal(runProgram(prog, seccompData(0x40000000)), KILL_PROCESS);
});

// --- the kernel side, on a task made of just what seccomp.ts reads ------------------

function fakeTask() {
  const logs = [];
  const t = {
    seccompMode: 0, seccompFilter: null, seccompFilters: 0, tid: 1, comm: 'fake', state: 0,
    prctl: { noNewPrivs: 0 }, creds: { euid: 1000 },
    kernel: { limits: { seccomp: { insns: 0, maxInsns: 1 << 20, compiled: 0, maxCompiled: 1 << 18 } }, log: { enabled: true, info: (m) => logs.push(m), debug() {} } },
    ctx: { regs: new Registers(), regsDirty: false },
    logs,
  };
  t.tg = { tgid: 1, tasks: [t] };
  return t;
}

/** Sets the call in t's registers: number, arguments (numbers below 2^53, or bigints), rip. */
function setCall(t, nr, args = [], rip = 0x401000) {
  const r = t.ctx.regs;
  const regs = [14, 13, 12, 7, 9, 8]; // rdi, rsi, rdx, r10, r8, r9
  r.set(15, nr);
  r.set(10, nr);
  regs.forEach((reg, i) => r.setBig(reg, BigInt(args[i] ?? 0)));
  r.set(16, rip);
}

test('installFilter: the boot loader\'s API validates, attaches and counts', () => {
  const t = fakeTask();
  assert.equal(installFilter(t, [S(0x06, ALLOW), S(0x20, 0)]), -22);
  assert.equal(installFilter(t, [{ code: 6, jt: 0, jf: 0, k: 2 ** 32 }]), -22, 'k above u32');
  assert.equal(installFilter(t, [{ code: 6, jt: 0.5, jf: 0, k: 0 }]), -22, 'a fraction');
  assert.equal(installFilter(t, typicalFilter(), 8 /* NEW_LISTENER */), -22);
  assert.equal(t.seccompMode, 0);
  assert.equal(installFilter(t, typicalFilter()), 0);
  assert.equal(t.seccompMode, 2);
  assert.equal(t.seccompFilters, 1);
  assert.ok(t.kernel.limits.seccomp.insns > 30);
  // ptrace: ERRNO(EPERM), read: allowed from the cache, socket(AF_INET): EPERM.
  setCall(t, SYS.ptrace, [0]);
  assert.equal(secureComputing(t), false);
  assert.equal(t.ctx.regs.getSigned(10), -EPERM);
  setCall(t, SYS.read, [0, 0, 0]);
  assert.equal(secureComputing(t), true);
  setCall(t, SYS.socket, [2, 1, 0]);
  assert.equal(secureComputing(t), false);
  setCall(t, SYS.socket, [1, 1, 0]);
  assert.equal(secureComputing(t), true);
  // Past HOT_RUNS the filter runs compiled, with the same answers.
  for (let i = 0; i < HOT_RUNS + 5; i++) {
    setCall(t, SYS.socket, [i % 3, 1, 0]);
    assert.equal(runFilters(t), i % 3 === 1 ? ALLOW : (ERRNO | EPERM) >>> 0);
  }
  assert.notEqual(t.seccompFilter.compiled, null);
  // A second filter: ERRNO(EINVAL) for getpid wins over the first's ALLOW.
  assert.equal(installFilter(t, [S(0x20, 0), J(0x15, SYS.getpid, 0, 1), S(0x06, ERRNO | EINVAL), S(0x06, ALLOW)]), 0);
  assert.equal(t.seccompFilters, 2);
  setCall(t, SYS.getpid);
  assert.equal(secureComputing(t), false);
  assert.equal(t.ctx.regs.getSigned(10), -EINVAL);
});

// --- the OCI profile compiler --------------------------------------------------------

/** Runs a compiled profile over one call: the filter's return value, checked by both ways of running it. */
function judge(compiled, nr, args = [], arch = AUDIT_ARCH_X86_64) {
  const prog = new Program(compiled.program);
  const d = new Uint32Array(16);
  d[0] = nr >>> 0;
  d[1] = arch;
  d[2] = 0x401000;
  args.forEach((a, i) => {
    const b = BigInt.asUintN(64, BigInt(a));
    d[4 + 2 * i] = Number(b & 0xffffffffn);
    d[5 + 2 * i] = Number(b >> 32n);
  });
  const r = runProgram(prog, d);
  assert.equal(compileProgram(prog)(d, new Uint32Array(16)), r);
  return r;
}

/** A profile shaped like Docker's and podman's defaults (containers/common seccomp.json), much shorter. */
const dockerLike = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: EPERM,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['bdflush', 'kexec_load', 'vmsplice', 'oldstat', 'userfaultfd'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    {
      names: [
        '_llseek', 'access', 'arch_prctl', 'brk', 'chown32', 'clock_gettime', 'clock_nanosleep', 'close', 'dup', 'dup2',
        'execve', 'exit', 'exit_group', 'faccessat', 'fcntl', 'fstat', 'futex', 'getcpu', 'getcwd', 'getdents64',
        'getegid', 'geteuid', 'getgid', 'getpid', 'getppid', 'getrandom', 'gettid', 'getuid', 'ioctl', 'kill', 'lseek',
        'madvise', 'mmap', 'mprotect', 'munmap', 'nanosleep', 'newfstatat', 'open', 'openat', 'pread64', 'prlimit64',
        'read', 'readlink', 'rseq', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sched_yield', 'set_robust_list',
        'set_tid_address', 'sigaltstack', 'stat', 'statx', 'uname', 'unshare', 'wait4', 'write', 'writev', 'seccomp',
        'prctl', 'close_range', 'not_a_syscall',
      ],
      action: 'SCMP_ACT_ALLOW',
    },
    ...[0, 8, 131072, 131080, 4294967295].map((v) => ({
      names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: v, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    })),
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    { names: ['chroot', 'setns'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    {
      names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EINVAL,
      args: [{ index: 0, value: 16, valueTwo: 0, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 9, valueTwo: 0, op: 'SCMP_CMP_NE' }] },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, valueTwo: 0, op: 'SCMP_CMP_NE' }] },
  ],
};

test('compiler: a Docker-like profile allows, denies and checks arguments as runc would', () => {
  const c = compileSeccompProfile(dockerLike);
  assert.equal(checkSeccompFilter(c.program), 0);
  assert.deepEqual(c.unknownNames, ['bdflush', 'oldstat', '_llseek', 'chown32', 'not_a_syscall']);
  assert.equal(c.flags, 0);
  assert.equal(judge(c, SYS.read), ALLOW);
  assert.equal(judge(c, SYS.getppid), ALLOW);
  assert.equal(judge(c, SYS.mount), ERRNO | EPERM, 'not named: the default');
  assert.equal(judge(c, SYS.kexec_load), ERRNO | EPERM);
  assert.equal(judge(c, SYS.clone3), ERRNO | ENOSYS);
  // personality: only the five listed values, compared as 64-bit numbers.
  assert.equal(judge(c, SYS.personality, [8]), ALLOW);
  assert.equal(judge(c, SYS.personality, [0xffffffff]), ALLOW);
  assert.equal(judge(c, SYS.personality, [0x1ffffffffn]), ERRNO | EPERM);
  assert.equal(judge(c, SYS.personality, [0x100000008n]), ERRNO | EPERM);
  assert.equal(judge(c, SYS.personality, [4]), ERRNO | EPERM);
  // clone: no namespace flags (MASKED_EQ 0x7E020000 == 0).
  assert.equal(judge(c, SYS.clone, [0x01200011]), ALLOW);
  assert.equal(judge(c, SYS.clone, [0x01200011 | 0x10000000]), ERRNO | EPERM);
  assert.equal(judge(c, SYS.clone, [0x100000000n]), ALLOW, 'the high half is masked with 0');
  // socket: netlink audit EINVAL; everything else allowed.
  assert.equal(judge(c, SYS.socket, [16, 3, 9]), ERRNO | EINVAL);
  assert.equal(judge(c, SYS.socket, [16, 3, 0]), ALLOW);
  assert.equal(judge(c, SYS.socket, [1, 1, 9]), ALLOW);
  assert.equal(judge(c, SYS.socket, [16n | (1n << 32n), 3, 9]), ALLOW, 'arg0 differs in its high half');
  // runc's ENOSYS stub: numbers past the largest named (seccomp, 317... close_range 436) are ENOSYS.
  assert.equal(judge(c, SYS.close_range), ALLOW);
  assert.equal(judge(c, 437), ERRNO | ENOSYS);
  assert.equal(judge(c, 1000), ERRNO | ENOSYS);
  assert.equal(judge(c, SYS.openat2), ERRNO | ENOSYS);
  // x32 is listed: an x32 number is the x86-64 call below bit 30.
  assert.equal(judge(c, 0x40000000 | SYS.getpid), ALLOW);
  assert.equal(judge(c, 0x40000000 | SYS.mount), ERRNO | EPERM);
  assert.equal(judge(c, 0xffffffff), KILL_THREAD);
  // Another architecture: libseccomp's bad-arch action.
  assert.equal(judge(c, SYS.read, [], 0x40000003), KILL_THREAD);
});

test('compiler: without x32 an x32 number is a bad number; with an allowing default there is no ENOSYS stub', () => {
  const c = compileSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['kill'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['tkill'], action: 'SCMP_ACT_KILL' },
      { names: ['tgkill'], action: 'SCMP_ACT_TRAP' },
      { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      { names: ['gettid'], action: 'SCMP_ACT_LOG' },
      { names: ['ptrace'], action: 'SCMP_ACT_TRACE' },
      { names: ['getpgid'], action: 'SCMP_ACT_ERRNO' },
    ],
  });
  assert.equal(judge(c, SYS.getppid), ERRNO | 13);
  assert.equal(judge(c, SYS.kill), KILL_PROCESS);
  assert.equal(judge(c, SYS.tkill), KILL_THREAD);
  assert.equal(judge(c, SYS.tgkill), TRAP);
  assert.equal(judge(c, SYS.gettid), LOG);
  assert.equal(judge(c, SYS.ptrace), TRACE | EPERM);
  assert.equal(judge(c, SYS.getpgid), ERRNO | EPERM, 'SCMP_ACT_ERRNO without errnoRet is EPERM');
  assert.equal(judge(c, 1000), ALLOW, 'no stub: the default allows');
  assert.equal(judge(c, 0x40000000 | SYS.getpid), KILL_THREAD);
  // The rule with the default's own action was left out: getpid costs no instruction.
  assert.ok(!c.program.some((i) => i.code === 0x15 && i.k === SYS.getpid));
});

test('compiler: every comparison on 64-bit values, at the edges of both halves', () => {
  const values = [0n, 1n, 0xffffffffn, 0x100000000n, 0x100000001n, 0x1ffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn];
  const ops = {
    SCMP_CMP_EQ: (a, v) => a === v, SCMP_CMP_NE: (a, v) => a !== v, SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v, SCMP_CMP_GT: (a, v) => a > v, SCMP_CMP_GE: (a, v) => a >= v,
  };
  for (const [op, f] of Object.entries(ops)) {
    for (const v of values) {
      const c = compileSeccompProfile({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 3, value: v, op }] }],
      });
      for (const a of values) {
        assert.equal(judge(c, SYS.getpid, [0, 0, 0, a]), f(a, v) ? ERRNO | 5 : ALLOW, `${a} ${op} ${v}`);
      }
    }
  }
  // MASKED_EQ: (arg & value) == valueTwo, both halves.
  const c = compileSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 5, value: 0xff000000000000f0n, valueTwo: 0x1200000000000030n, op: 'SCMP_CMP_MASKED_EQ' }] }],
  });
  assert.equal(judge(c, SYS.getpid, [0, 0, 0, 0, 0, 0x12abcdef00000030n]), ERRNO | 5);
  assert.equal(judge(c, SYS.getpid, [0, 0, 0, 0, 0, 0x13abcdef00000030n]), ALLOW);
  assert.equal(judge(c, SYS.getpid, [0, 0, 0, 0, 0, 0x12abcdef00000031n]), ERRNO | 5);
  assert.equal(judge(c, SYS.getpid, [0, 0, 0, 0, 0, 0x12abcdef00000040n]), ALLOW);
});

test('compiler: conditions on different arguments all hold; on one argument, each is a rule (runc)', () => {
  const c = compileSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_EQ' }] },
      { names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 2, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 7, op: 'SCMP_CMP_EQ' }] },
    ],
  });
  assert.equal(judge(c, SYS.getpid, [1, 2]), ERRNO | 1);
  assert.equal(judge(c, SYS.getpid, [1, 3]), ALLOW);
  assert.equal(judge(c, SYS.getppid, [1]), ERRNO | 2);
  assert.equal(judge(c, SYS.getppid, [7]), ERRNO | 2);
  assert.equal(judge(c, SYS.getppid, [8]), ALLOW);
});

test('compiler: flags, and what it refuses names the field', () => {
  const base = { defaultAction: 'SCMP_ACT_ALLOW' };
  assert.equal(compileSeccompProfile({ ...base, flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }).flags, 2 | 4);
  const refuses = (p, field) => assert.throws(() => compileSeccompProfile(p), (e) => e instanceof SeccompProfileError && e.field === field, field);
  refuses({ ...base, flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }, 'linux.seccomp.flags[0]');
  refuses({ defaultAction: 'SCMP_ACT_NOTIFY' }, 'linux.seccomp.defaultAction');
  refuses({ defaultAction: 'SCMP_ACT_DENY' }, 'linux.seccomp.defaultAction');
  refuses({ ...base, architectures: ['SCMP_ARCH_Z80'] }, 'linux.seccomp.architectures[0]');
  refuses({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] }, 'linux.seccomp.syscalls[0].action');
  refuses({ ...base, syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names');
  refuses({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }] }, 'linux.seccomp.syscalls[0].args[0].index');
  refuses({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0, op: 'SCMP_CMP_XX' }] }] }, 'linux.seccomp.syscalls[0].args[0].op');
  refuses({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }] }] }, 'linux.seccomp.syscalls[0].args[0].value');
  refuses({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, 'linux.seccomp.syscalls[0].args[0].value');
  // A profile with every name the table has, each with a condition, is too long for one filter.
  const all = Object.keys(SYS).map((n) => ({ names: [n], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_GE' }, { index: 1, value: 1, op: 'SCMP_CMP_LE' }] }));
  refuses({ ...base, syscalls: all }, 'linux.seccomp.syscalls');
});

// --- compiled profiles loaded by a program, natively and under tsvisor ----------------

function writeProgram(name, program) {
  const b = Buffer.alloc(program.length * 8);
  program.forEach((i, n) => {
    b.writeUInt16LE(i.code, n * 8);
    b.writeUInt8(i.jt, n * 8 + 2);
    b.writeUInt8(i.jf, n * 8 + 3);
    b.writeUInt32LE(i.k, n * 8 + 4);
  });
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `seccomp-profile-${name}.bpf`);
  writeFileSync(file, b);
  return file;
}

test('a compiled Docker-like profile acts the same under Linux and under tsvisor', () => {
  const file = writeProgram('dockerlike', compileSeccompProfile(dockerLike).program);
  const bin = compileC('seccomp_load', { static: true });
  const { native } = assertSameAsNative([bin, file], { expectCode: 0, checkNativeDeterministic: true });
  for (const line of ['install: 0', 'getppid: 1', 'setns bad fd: -1 EPERM', 'personality high: -1 EPERM', 'socket netlink audit: -1 EINVAL',
    'clone3 size 0: -1 ENOSYS', 'chroot missing: -1 EPERM', 'syscall 449 futex_waitv null: -1 ENOSYS',
    'syscall 1000: -1 ENOSYS', 'getpgid 0: -1 EPERM', 'socket unix protocol 9: -1 EPROTONOSUPPORT', 'done']) {
    assert.ok(native.stdout.split('\n').includes(line), `native: ${line}\n${native.stdout}`);
  }
});

test('a compiled allow-by-default profile with kills acts the same under Linux and under tsvisor', () => {
  const file = writeProgram('denylist', compileSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { names: ['getppid', 'uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_GT' }] },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 97, args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: 0, op: 'SCMP_CMP_NE' }] },
      { names: ['sched_yield'], action: 'SCMP_ACT_LOG' },
      // What the Sentry does not have yet would run natively: both give ENOSYS.
      { names: ['setns', 'futex_waitv'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  }).program);
  const bin = compileC('seccomp_load', { static: true });
  // The last call, an x32 one, meets the bad-arch action: KILL_THREAD of the last thread, SIGSYS.
  const { native } = assertSameAsNative([bin, file], { expectCode: 128 + 31, checkNativeDeterministic: true });
  for (const line of ['getppid: 0', 'setns bad fd: -1 ENOSYS', 'personality high: -1 EINVAL', 'socket netlink audit: -1 EAFNOSUPPORT', 'getpgid 0: ok', 'kill 0 0: 0', 'uname: -1 EACCES']) {
    assert.ok(native.stdout.split('\n').includes(line), `native: ${line}\n${native.stdout}`);
  }
});
