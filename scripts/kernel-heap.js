// Measures the Sentry heap that each kind of kernel object costs, for the
// bounds in src/kernel/limits.ts (docs/security.md, "Resource bounds:
// kernel objects"). Run after `npm run build`:
//   node --expose-gc scripts/kernel-heap.js [N]
// Each row makes N objects of one kind, keeps them alive, and reports the
// growth of V8's heap (heapUsed) and of memory outside it (external +
// arrayBuffers) per object.
import { EpollFD } from '../dist/kernel/epoll.js';
import { EventFD } from '../dist/kernel/eventfd.js';
import { TimerFD } from '../dist/kernel/timerfd.js';
import { UnixSocket, UnixNamespace } from '../dist/kernel/unix_socket.js';
import { makeSiginfo } from '../dist/kernel/signals.js';
import { SandboxLimits, descriptorSlots } from '../dist/kernel/limits.js';
import { FDTable } from '../dist/kernel/fd_table.js';
import { SeccompFilter, prepareFilter } from '../dist/kernel/seccomp.js';
import { compileProgram } from '../dist/kernel/bpf/codegen.js';
descriptorSlots.max = Infinity;

const N = Number(process.argv[2] ?? 100000);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

function measure(name, make) {
  globalThis.gc();
  globalThis.gc();
  const m0 = process.memoryUsage();
  const keep = make(N);
  globalThis.gc();
  globalThis.gc();
  const m1 = process.memoryUsage();
  const heap = (m1.heapUsed - m0.heapUsed) / N;
  const ext = (m1.external - m0.external) / N;
  console.log(`${name.padEnd(28)} heap ${heap.toFixed(0).padStart(6)} B  external ${ext.toFixed(0).padStart(6)} B`);
  return keep;
}

const fakeKernel = { monotonicMs: () => performance.now() };
const ns = new UnixNamespace();
const limits = new SandboxLimits();
limits.epollWatches.sandboxMax = limits.maxUserWatches = Infinity;

measure('epoll watch', (n) => {
  const ep = new EpollFD(limits, 0);
  const files = [];
  for (let i = 0; i < 64; i++) files.push(new EventFD(0, 0, false));
  for (let i = 0; i < n; i++) ep.add(i, files[i % 64], 1, BigInt(i));
  return [ep, files];
});
measure('epoll instance', (n) => Array.from({ length: n }, () => new EpollFD(limits, 0)));
measure('eventfd', (n) => Array.from({ length: n }, () => new EventFD(0, 0, false)));
measure('timerfd (disarmed)', (n) => Array.from({ length: n }, () => new TimerFD(fakeKernel, 1, 0)));
measure('timerfd (armed)', (n) => Array.from({ length: n }, () => {
  const t = new TimerFD(fakeKernel, 1, 0);
  t.set(performance.now() + 3.6e6, 0);
  return t;
}));
measure('unix socket', (n) => Array.from({ length: n }, () => new UnixSocket(1, 0, ns)));
measure('pending signal (siginfo)', (n) => Array.from({ length: n }, () => makeSiginfo(34, -1)));
function pair(type) {
  const a = new UnixSocket(type, 0, ns), b = new UnixSocket(type, 0, ns);
  UnixSocket.pair(a, b, { pid: 1, uid: 0, gid: 0 }, { pid: 1, uid: 0, gid: 0 });
  return [a, b];
}
// Messages are sent to many receivers, so no queue's room limits them.
measure('queued message (1 byte)', (n) => {
  const out = [];
  for (let i = 0; i < n; i += 100) {
    const [a, b] = pair(2);
    for (let j = 0; j < 100; j++) a.send(b, [new Uint8Array(1)], 1, null);
    out.push(a, b);
  }
  return out;
});
measure('queued message (1 byte, 1 right)', (n) => {
  const out = [];
  for (let i = 0; i < n; i += 100) {
    const [a, b] = pair(2);
    for (let j = 0; j < 100; j++) a.send(b, [new Uint8Array(1)], 1, [a]);
    out.push(a, b);
  }
  return out;
});
measure('fd table slot', (n) => {
  const t = new FDTable();
  const f = new EventFD(0, 0, false);
  for (let i = 0; i < n; i++) t.install(f, 0, false, Infinity);
  return t;
});
// seccomp filters: per instruction of 1000-instruction filters (a jump every fourth, as allowlists have),
// with and without their compiled function; and per filter of one instruction (its fixed cost).
function seccompFilters(n, len, compile) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const insns = [{ code: 0x20, jt: 0, jf: 0, k: 0 }];
    for (let j = 1; j < len - 1; j++) insns.push(j % 4 ? { code: 0x04, jt: 0, jf: 0, k: i + j } : { code: 0x15, jt: 0, jf: Math.min(255, len - 2 - j), k: j });
    insns.push({ code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 });
    if (len === 1) insns.splice(0, 1);
    const f = new SeccompFilter(prepareFilter(insns), null, false);
    if (compile) {
      // Run it, so that V8 has made its bytecode (and, after some runs, machine code) too.
      f.compiled = compileProgram(f.prog);
      for (let r = 0; r < 200; r++) f.compiled(new Uint32Array(16), new Uint32Array(16));
    }
    out.push(f);
  }
  return out;
}
measure('seccomp insn (interpreted)', (n) => seccompFilters(n / 1000, 1000, false));
measure('seccomp insn (compiled)', (n) => seccompFilters(n / 1000, 1000, true));
measure('seccomp filter (1 insn)', (n) => seccompFilters(n, 1, false));
process.exit(0);
