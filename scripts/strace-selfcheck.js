#!/usr/bin/env node
// Self-check of the strace decoder (src/syscalls/strace.ts): prints a few
// decoded lines, checks some of them exactly, and throws random registers and
// hostile memory at it to show it never throws.
//
//   npx tsc -p tsconfig.json && node scripts/strace-selfcheck.js
//   node scripts/strace-selfcheck.js /tmp/strace-build   # another build dir

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const { straceEnter, straceExit } = await import(pathToFileURL(path.join(dist, 'syscalls/strace.js')).href);
const { SYS } = await import(pathToFileURL(path.join(dist, 'abi/linux/sysno.js')).href);

// A fake address space: one region at BASE.
const BASE = 0x10000;
const ram = new Uint8Array(0x10000);
const view = new DataView(ram.buffer);
let brk = BASE;
function alloc(n) {
  const a = brk;
  brk += (n + 15) & ~15;
  return a;
}
function putBytes(bytes) {
  const a = alloc(bytes.length);
  ram.set(bytes, a - BASE);
  return BigInt(a);
}
const putStr = (s) => putBytes(Buffer.from(s + '\0', 'utf8'));
function putU64s(...vals) {
  const a = alloc(8 * vals.length);
  vals.forEach((v, i) => view.setBigUint64(a - BASE + 8 * i, BigInt(v), true));
  return BigInt(a);
}

const mem = {
  readCString(addr, max) {
    if (addr < BASE || addr >= BASE + ram.length) return null;
    let end = addr - BASE;
    const lim = Math.min(ram.length, addr - BASE + max);
    while (end < lim && ram[end] !== 0) end++;
    return Buffer.from(ram.subarray(addr - BASE, end)).toString('latin1');
  },
  readBytes(addr, len) {
    if (addr < BASE || addr + len > BASE + ram.length) return null;
    return ram.slice(addr - BASE, addr - BASE + len);
  },
};

const lines = [];
function show(line) {
  assert.equal(typeof line, 'string');
  lines.push(line);
  console.log(line);
}

const A = (...xs) => xs.map((x) => BigInt(x));
const ENOENT = -2n;

// openat, entry and exit, as in the brief.
const passwd = putStr('/etc/passwd');
const openatArgs = A(-100, passwd, 0x80000, 0);
const e = straceEnter(1, 'cat', SYS.openat, openatArgs, mem);
show(e);
assert.equal(e, `[   1:   1] cat E openat(AT_FDCWD, 0x${passwd.toString(16)} "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0)`);
const x = straceExit(1, 'cat', SYS.openat, openatArgs, 3n, mem, 4.1);
show(x);
assert.equal(x, `[   1:   1] cat X openat(AT_FDCWD, 0x${passwd.toString(16)} "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (4.1µs)`);
const xe = straceExit(1, 'cat', SYS.openat, openatArgs, ENOENT, mem, 12.345);
show(xe);
assert.ok(xe.endsWith(') = -1 ENOENT (2) (12.345µs)'));

// write and read with buffers.
const hello = putBytes(Buffer.from('hello\n\t"\\\x01world'));
const w = straceExit(7, 'echo', SYS.write, A(1, hello, 15), 15n, mem, 1500, 5);
show(w);
assert.ok(w.startsWith('[   5:   7] echo X write(1, 0x'));
assert.ok(w.includes(' "hello\\n\\t\\"\\\\\\x01world", 0xf) = 15 (0xf) (1.5ms)'));
const rbuf = putBytes(Buffer.from('x'.repeat(100)));
show(straceEnter(1, 'cat', SYS.read, A(0, rbuf, 4096), mem));
const r = straceExit(1, 'cat', SYS.read, A(0, rbuf, 4096), 100n, mem, 3);
show(r);
assert.ok(r.includes(`"${'x'.repeat(64)}"...`));

// Long path: truncated at 64 bytes.
const longPath = putStr('/' + 'a'.repeat(200));
const lp = straceEnter(1, 'sh', SYS.stat, A(longPath, 0), mem);
show(lp);
assert.ok(lp.includes(`"/${'a'.repeat(63)}"...`));

// mmap, mprotect.
const mm = straceExit(1, 'ld.so', SYS.mmap, A(0, 0x2000, 3, 0x22, -1, 0), 0x7f0000000000n, mem, 2);
show(mm);
assert.ok(mm.includes('mmap(0x0, 0x2000, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0) = 139637976727552 (0x7f0000000000)'));
show(straceExit(1, 'ld.so', SYS.mprotect, A(0x7f0000000000, 0x1000, 0), 0n, mem, 1));

// newfstatat with a stat result.
const st = alloc(144);
view.setBigUint64(st - BASE + 0, 0x803n, true);
view.setBigUint64(st - BASE + 8, 1234n, true);
view.setBigUint64(st - BASE + 16, 1n, true);
view.setUint32(st - BASE + 24, 0o100644, true);
view.setBigInt64(st - BASE + 48, 4096n, true);
const nf = straceExit(1, 'ls', SYS.newfstatat, A(3, putStr(''), st, 0x1000), 0n, mem, 0.8);
show(nf);
assert.ok(nf.includes('mode=S_IFREG|0o644') && nf.includes('AT_EMPTY_PATH') && nf.endsWith('(800ns)'));

// Signals, clone, futex, wait4, fcntl, ioctl.
const sa = putU64s(0x401000, 0x04000000 | 0x10000000, 0x401100, 1n << 1n);
show(straceEnter(1, 'sh', SYS.rt_sigaction, A(2, sa, 0, 8), mem));
show(straceExit(1, 'sh', SYS.rt_sigprocmask, A(0, putU64s((1n << 16n) | (1n << 1n)), 0, 8), 0n, mem, 0.3));
const cl = straceExit(1, 'sh', SYS.clone, A(0x01200011, 0, 0, 0x7f00, 0), 42n, mem, 90);
show(cl);
assert.ok(cl.includes('clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, '));
show(straceEnter(2, 'worker', SYS.futex, A(0x7f00, 128 | 0, 0, putU64s(1, 500), 0, 0xffffffff), mem, 1));
const status = alloc(8);
view.setInt32(status - BASE, 3 << 8, true);
show(straceExit(1, 'sh', SYS.wait4, A(-1, status, 0, 0), 42n, mem, 2000000));
show(straceExit(1, 'sh', SYS.fcntl, A(3, 4, 0x800 | 2), 0n, mem, 1));
show(straceExit(1, 'sh', SYS.ioctl, A(0, 0x5413, 0x7ffd0000), -25n, mem, 1));
show(straceExit(1, 'sh', SYS.rt_sigreturn, A(), 0n, mem, 1));
show(straceExit(1, 'sh', SYS.exit_group, A(0), 0n, mem, 1));

// Sockets.
const sin = putBytes(Uint8Array.from([2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
const co = straceEnter(1, 'curl', SYS.connect, A(3, sin, 16), mem);
show(co);
assert.ok(co.includes('{AF_INET 127.0.0.1:8080}'));
const sun = putBytes(Buffer.concat([Uint8Array.from([1, 0]), Buffer.from('/run/app.sock\0')]));
show(straceEnter(1, 'curl', SYS.bind, A(3, sun, 16), mem));
const s6 = new Uint8Array(28);
s6[0] = 10; s6[3] = 80; s6[23] = 1;
show(straceEnter(1, 'curl', SYS.connect, A(3, putBytes(s6), 28), mem));
show(straceEnter(1, 'curl', SYS.socket, A(2, 1 | 0x80000, 0), mem));
show(straceEnter(1, 'curl', SYS.setsockopt, A(3, 1, 2, putBytes(Uint8Array.from([1, 0, 0, 0])), 4), mem));

// writev and readv.
const iov = putU64s(hello, 5, rbuf, 3);
show(straceEnter(1, 'echo', SYS.writev, A(1, iov, 2), mem));
show(straceExit(1, 'cat', SYS.readv, A(0, iov, 2), 6n, mem, 5));

// execve, and a successful exit that must not read the replaced memory.
const argv = putU64s(putStr('/bin/ls'), putStr('-l'), putStr('/tmp'), 0);
const envp = putU64s(putStr('PATH=/bin'), 0);
show(straceEnter(1, 'sh', SYS.execve, A(putStr('/bin/ls'), argv, envp), mem));
const ex = straceExit(1, 'ls', SYS.execve, A(putStr('/bin/ls'), argv, envp), 0n, mem, 300);
show(ex);
assert.ok(!ex.includes('"'));

// Unknown syscall numbers, bad pointers, huge values.
const u = straceEnter(1, 'x', 1000, A(1, 2, 3, 4, 5, 6), mem);
show(u);
assert.equal(u, '[   1:   1] x E syscall_1000(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)');
show(straceEnter(1, 'x', SYS.open, A(0xdead0000, 0xffffffff, -1), mem));
show(straceEnter(1, 'x', SYS.write, A(1, 0, 10), mem));

// Fuzz: random registers and hostile memory never throw.
let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed;
};
const rnd64 = () => {
  switch (rnd() % 6) {
    case 0: return BigInt(rnd() % 16);
    case 1: return BigInt(BASE + (rnd() % ram.length));
    case 2: return -BigInt(rnd() % 200);
    case 3: return (BigInt(rnd()) << 33n) ^ BigInt(rnd());
    case 4: return (1n << 64n) + BigInt(rnd()); // out of range on purpose
    default: return BigInt(rnd());
  }
};
// Fill the upper half of the fake memory with noise for pointers to land in.
for (let i = 0x8000; i < ram.length; i += 4) view.setUint32(i, rnd(), true);
const hostile = [
  mem,
  { readCString() { throw new Error('boom'); }, readBytes() { throw new Error('boom'); } },
  { readCString() { return 42; }, readBytes() { return 'nope'; } },
  { readCString(a, m) { return 'z'.repeat(m * 3); }, readBytes(a, n) { return new Uint8Array(Math.max(0, n - 1)); } },
  { readCString() { return null; }, readBytes(a, n) { return new Uint8Array(n).fill(0xff); } },
];
const t0 = Date.now();
let count = 0;
for (let i = 0; i < 60000; i++) {
  const nr = rnd() % 8 === 0 ? (rnd() % 2000) - 500 : rnd() % 460;
  const args = [rnd64(), rnd64(), rnd64(), rnd64(), rnd64(), rnd64()].slice(0, rnd() % 8);
  const m = hostile[rnd() % hostile.length];
  const ret = rnd() % 3 === 0 ? -BigInt(rnd() % 4200) : rnd64();
  const a = straceEnter(rnd() % 100000, 'fz\n\x1b', nr, args, m);
  const b = straceExit(rnd(), 'fz', nr, args, ret, m, [0, 0.0004, 12.5, 1e9, -3, NaN, Infinity][rnd() % 7]);
  assert.equal(typeof a, 'string');
  assert.equal(typeof b, 'string');
  assert.ok(!a.includes('\n') && !b.includes('\n'), `newline in ${JSON.stringify(a)} / ${JSON.stringify(b)}`);
  count += 2;
}
// Non-bigint garbage where bigints belong.
for (const bad of [undefined, null, 1.5, 'str', {}, [], NaN, -0]) {
  straceEnter(bad, bad, SYS.openat, [bad, bad, bad], mem);
  straceExit(bad, bad, SYS.read, [bad, bad, bad], bad, bad, bad);
}
console.log(`fuzz: ${count} lines in ${Date.now() - t0} ms, no exceptions`);
console.log('strace self-check OK');
