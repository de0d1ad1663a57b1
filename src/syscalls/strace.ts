// strace-style logging of system calls, in the style of `runsc --strace`:
//
//   [   1:   1] echo E openat(AT_FDCWD, 0x7ffd1000 "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0)
//   [   1:   1] echo X openat(AT_FDCWD, 0x7ffd1000 "/etc/passwd", O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (4.1µs)
//
// Everything here is total: the registers come from an untrusted program, the
// memory may be unmapped, and a log line must never take the Sentry down. Each
// argument is decoded under its own try/catch and falls back to hex.

import { SYS, sysnoName } from '../abi/linux/sysno.js';
import { errnoName } from '../abi/linux/errno.js';
import { syscallArgKinds, type ArgKind } from '../abi/linux/syscall_args.js';

export interface StraceMemory {
  /** Reads a NUL-terminated string of at most max bytes; null if the address is bad. */
  readCString(addr: number, max: number): string | null;
  /** Reads len bytes; null if any byte is unreadable. */
  readBytes(addr: number, len: number): Uint8Array | null;
}

/** Strings and buffers print at most this many bytes, then "...". */
const MAX_BYTES = 64;
/** Arrays (iovecs, pollfds, argv, epoll events) print at most this many elements. */
const MAX_ELEMS = 8;
const MAX_ARGV = 32;
/** The highest address a pointer may have and still be read. */
const MAX_ADDR = BigInt(Number.MAX_SAFE_INTEGER);

// ---------------------------------------------------------------------------
// Public API

/**
 * The line printed when a system call enters (for calls that may block).
 * Output arguments are shown as bare pointers. tgid defaults to tid.
 */
export function straceEnter(
  tid: number,
  comm: string,
  nr: number,
  args: readonly bigint[],
  mem: StraceMemory,
  tgid?: number,
): string {
  let head = '';
  try {
    head = `${prefix(tid, tgid, comm)} E `;
    return head + formatCall(nr, args, mem, 'enter', 0n);
  } catch {
    return head + safeFallback(nr);
  }
}

/**
 * The line printed when a system call returns; ret is the raw rax value as a
 * signed bigint (-4095..-1 = -errno). elapsedUs is the time spent in the call.
 * Input arguments are decoded again, output arguments are decoded if the call
 * succeeded. tgid defaults to tid.
 */
export function straceExit(
  tid: number,
  comm: string,
  nr: number,
  args: readonly bigint[],
  ret: bigint,
  mem: StraceMemory,
  elapsedUs: number,
  tgid?: number,
): string {
  let head = '';
  try {
    head = `${prefix(tid, tgid, comm)} X `;
    const r = toI64(ret);
    // A successful execve replaced the address space: its argument pointers
    // now point into the new image, so print them without reading.
    const noMem = r === 0n && (nr === SYS.execve || nr === SYS.execveat);
    return `${head}${formatCall(nr, args, noMem ? null : mem, 'exit', r)} = ${formatReturn(r)} (${formatDuration(elapsedUs)})`;
  } catch {
    return head + safeFallback(nr);
  }
}

/** The return value as printed: `3 (0x3)` or `-1 ENOENT (2)`. */
export function formatReturn(ret: bigint): string {
  try {
    const r = toI64(ret);
    if (r < 0n && r >= -4095n) {
      const e = Number(-r);
      return `-1 ${errName(e)} (${e})`;
    }
    return `${r} (${hex(r)})`;
  } catch {
    return '?';
  }
}

/** A duration in microseconds in Go's time.Duration style: 850ns, 4.1µs, 12.5ms, 2s, 1m30s. */
export function formatDuration(us: number): string {
  try {
    if (typeof us !== 'number' || !Number.isFinite(us)) return '?';
    let ns = Math.round(us * 1000);
    const neg = ns < 0;
    if (neg) ns = -ns;
    let s: string;
    if (ns === 0) return '0s';
    if (!Number.isSafeInteger(ns)) s = `${Math.round(ns / 1e9)}s`;
    else if (ns < 1e3) s = `${ns}ns`;
    else if (ns < 1e6) s = `${frac(ns, 1e3, 3)}µs`;
    else if (ns < 1e9) s = `${frac(ns, 1e6, 6)}ms`;
    else if (ns < 60e9) s = `${frac(ns, 1e9, 9)}s`;
    else {
      const h = Math.floor(ns / 3600e9);
      const m = Math.floor((ns % 3600e9) / 60e9);
      const sec = frac(ns % 60e9, 1e9, 9);
      s = h > 0 ? `${h}h${m}m${sec}s` : `${m}m${sec}s`;
    }
    return neg ? `-${s}` : s;
  } catch {
    return '?';
  }
}

function frac(ns: number, unit: number, digits: number): string {
  const whole = Math.floor(ns / unit);
  const rest = ns - whole * unit;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

// ---------------------------------------------------------------------------
// Line assembly

type Phase = 'enter' | 'exit';

interface Ctx {
  /** The six argument registers, as unsigned 64-bit values. */
  readonly a: readonly bigint[];
  /** null when memory must not be read. */
  readonly mem: StraceMemory | null;
  readonly phase: Phase;
  /** The signed return value (exit only). */
  readonly ret: bigint;
  /** Exit of a call that succeeded: output arguments are valid. */
  readonly ok: boolean;
}

function prefix(tid: number, tgid: number | undefined, comm: string): string {
  return `[${pad4(tgid ?? tid)}:${pad4(tid)}] ${cleanComm(comm)}`;
}

function pad4(n: number): string {
  return String(n).padStart(4, ' ');
}

function cleanComm(comm: string): string {
  if (typeof comm !== 'string' || comm.length === 0) return '?';
  let out = '';
  for (const ch of comm.slice(0, 64)) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x21 || c === 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : ch;
  }
  return out;
}

function safeFallback(nr: number): string {
  return `${nameOf(nr)}(...)`;
}

function nameOf(nr: number): string {
  if (syscallArgKinds(nr) !== undefined) return sysnoName(nr);
  return `syscall_${typeof nr === 'number' ? String(nr) : '?'}`;
}

function formatCall(nr: number, rawArgs: readonly bigint[], mem: StraceMemory | null, phase: Phase, ret: bigint): string {
  const a: bigint[] = [];
  for (let i = 0; i < 6; i++) a.push(toU64(Array.isArray(rawArgs) ? rawArgs[i] : undefined));
  const ctx: Ctx = { a, mem, phase, ret, ok: phase === 'exit' && ret >= 0n };
  const kinds = syscallArgKinds(nr);
  const parts: string[] = [];
  if (kinds === undefined) {
    for (let i = 0; i < 6; i++) parts.push(hex(a[i]));
  } else {
    for (let i = 0; i < kinds.length && i < 6; i++) {
      let s: string;
      try {
        s = formatArg(kinds[i], a[i], ctx);
      } catch {
        s = hex(a[i]);
      }
      parts.push(s);
    }
  }
  return `${nameOf(nr)}(${parts.join(', ')})`;
}

// ---------------------------------------------------------------------------
// Numbers

function toU64(v: unknown): bigint {
  try {
    if (typeof v === 'bigint') return BigInt.asUintN(64, v);
    if (typeof v === 'number' && Number.isFinite(v)) return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  } catch {
    // fall through
  }
  return 0n;
}

function toI64(v: unknown): bigint {
  return BigInt.asIntN(64, toU64(v));
}

const i32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
const hex = (v: bigint | number): string => {
  const b = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(Math.trunc(v)));
  return `0x${b.toString(16)}`;
};

// ---------------------------------------------------------------------------
// Memory

function addrOf(p: bigint): number | null {
  if (p === 0n || p > MAX_ADDR) return null;
  return Number(p);
}

function readBytes(ctx: Ctx, p: bigint, len: number): Uint8Array | null {
  const mem = ctx.mem;
  if (mem === null || !Number.isSafeInteger(len) || len < 0) return null;
  const addr = addrOf(p);
  if (addr === null) return null;
  if (len === 0) return new Uint8Array(0);
  if (addr + len > Number.MAX_SAFE_INTEGER) return null;
  try {
    const b = mem.readBytes(addr, len);
    if (!(b instanceof Uint8Array) || b.length < len) return null;
    return b.length === len ? b : b.subarray(0, len);
  } catch {
    return null;
  }
}

/** A string of at most MAX_BYTES bytes; truncated says more followed. */
function readString(ctx: Ctx, p: bigint): { s: string; truncated: boolean } | { bytes: Uint8Array; truncated: boolean } | null {
  const mem = ctx.mem;
  const addr = addrOf(p);
  if (mem === null || addr === null) return null;
  let s: string | null = null;
  try {
    const r = mem.readCString(addr, MAX_BYTES + 1);
    s = typeof r === 'string' ? r : null;
  } catch {
    s = null;
  }
  if (s !== null) {
    const nul = s.indexOf('\0');
    if (nul >= 0) s = s.slice(0, nul);
    return s.length > MAX_BYTES ? { s: s.slice(0, MAX_BYTES), truncated: true } : { s, truncated: false };
  }
  // Some readers refuse strings longer than max: fall back to raw bytes.
  const b = readBytes(ctx, p, MAX_BYTES);
  if (b === null) return null;
  const nul = b.indexOf(0);
  return nul >= 0 ? { bytes: b.subarray(0, nul), truncated: false } : { bytes: b, truncated: true };
}

function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
const rdU64 = (b: Uint8Array, off: number): bigint => dv(b).getBigUint64(off, true);
const rdI64 = (b: Uint8Array, off: number): bigint => dv(b).getBigInt64(off, true);
const rdU32 = (b: Uint8Array, off: number): number => dv(b).getUint32(off, true);
const rdI32 = (b: Uint8Array, off: number): number => dv(b).getInt32(off, true);
const rdU16 = (b: Uint8Array, off: number): number => dv(b).getUint16(off, true);
const rdI16 = (b: Uint8Array, off: number): number => dv(b).getInt16(off, true);

const BAD = '(bad address)';

// ---------------------------------------------------------------------------
// Quoting

function escByte(c: number, next: number): string {
  switch (c) {
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    case 0x0a: return '\\n';
    case 0x09: return '\\t';
    case 0x0d: return '\\r';
    case 0x00: return next >= 0x30 && next <= 0x37 ? '\\x00' : '\\0';
    default:
      if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
      return `\\x${c.toString(16).padStart(2, '0')}`;
  }
}

function quoteBytes(b: Uint8Array, truncated: boolean): string {
  let out = '"';
  for (let i = 0; i < b.length; i++) out += escByte(b[i], i + 1 < b.length ? b[i + 1] : -1);
  return `${out}"${truncated ? '...' : ''}`;
}

function quoteStr(s: string, truncated: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x100) out += escByte(c, i + 1 < s.length ? s.charCodeAt(i + 1) : -1);
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      // Surrogates (kept only when paired), line separators and bidi controls.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          out += s[i] + s[i + 1];
          i++;
          continue;
        }
      }
      out += `\\u{${c.toString(16)}}`;
    } else out += s[i];
  }
  return `${out}"${truncated ? '...' : ''}`;
}

function fmtString(ctx: Ctx, p: bigint): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const r = readString(ctx, p);
  if (r === null) return `${hex(p)} ${BAD}`;
  return `${hex(p)} ${'s' in r ? quoteStr(r.s, r.truncated) : quoteBytes(r.bytes, r.truncated)}`;
}

/** Shows the first MAX_BYTES of a buffer of len bytes at p. */
function fmtBuf(ctx: Ctx, p: bigint, len: bigint): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const n = len > BigInt(MAX_BYTES) ? MAX_BYTES : Number(len);
  const b = readBytes(ctx, p, n);
  if (b === null) return `${hex(p)} ${BAD}`;
  return `${hex(p)} ${quoteBytes(b, len > BigInt(MAX_BYTES))}`;
}

// ---------------------------------------------------------------------------
// Symbolic decoding

type FlagTable = readonly (readonly [number, string])[];
type EnumTable = ReadonlyMap<number, string>;

/** Names every set flag in table order (multi-bit entries first), leftover bits in hex. */
function flags(v: bigint, table: FlagTable, zero = '0'): string {
  let rest = BigInt.asUintN(64, v);
  const out: string[] = [];
  for (const [mask, name] of table) {
    const m = BigInt(mask);
    if (m !== 0n && (rest & m) === m) {
      out.push(name);
      rest &= ~m;
    }
  }
  if (rest !== 0n) out.push(hex(rest));
  return out.length === 0 ? zero : out.join('|');
}

function enumName(n: number, table: EnumTable): string {
  return table.get(n) ?? String(n);
}

const E = (entries: readonly (readonly [number, string])[]): EnumTable => new Map(entries);

const SIGNALS: readonly string[] = [
  '0', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL',
  'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT',
  'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF',
  'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

function signalName(n: number): string {
  if (n >= 0 && n < SIGNALS.length) return SIGNALS[n];
  if (n === 32) return 'SIGRTMIN';
  if (n > 32 && n <= 64) return `SIGRT_${n - 32}`;
  return String(n);
}

function sigsetText(mask: bigint): string {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((mask >> BigInt(i)) & 1n) out.push(signalName(i + 1));
  return `[${out.join(' ')}]`;
}

const ERESTART: EnumTable = E([
  [512, 'ERESTARTSYS'], [513, 'ERESTARTNOINTR'], [514, 'ERESTARTNOHAND'], [515, 'ENOIOCTLCMD'],
  [516, 'ERESTART_RESTARTBLOCK'],
]);

function errName(e: number): string {
  const r = ERESTART.get(e);
  if (r !== undefined) return r;
  const n = errnoName(e);
  return n === String(e) ? `E${e}` : n;
}

const O_FLAGS: FlagTable = [
  [0x410000, 'O_TMPFILE'], [0x101000, 'O_SYNC'],
  [0x40, 'O_CREAT'], [0x80, 'O_EXCL'], [0x100, 'O_NOCTTY'], [0x200, 'O_TRUNC'], [0x400, 'O_APPEND'],
  [0x800, 'O_NONBLOCK'], [0x1000, 'O_DSYNC'], [0x2000, 'O_ASYNC'], [0x4000, 'O_DIRECT'],
  [0x8000, 'O_LARGEFILE'], [0x10000, 'O_DIRECTORY'], [0x20000, 'O_NOFOLLOW'], [0x40000, 'O_NOATIME'],
  [0x80000, 'O_CLOEXEC'], [0x200000, 'O_PATH'],
];

function openFlags(v: bigint): string {
  const acc = Number(v & 3n);
  const mode = acc === 0 ? 'O_RDONLY' : acc === 1 ? 'O_WRONLY' : acc === 2 ? 'O_RDWR' : null;
  if (mode === null) return flags(v, O_FLAGS);
  const rest = v & ~3n;
  return rest === 0n ? mode : `${mode}|${flags(rest, O_FLAGS)}`;
}

const FD_FLAGS: FlagTable = [[0x80000, 'O_CLOEXEC'], [0x800, 'O_NONBLOCK'], [0x4000, 'O_DIRECT'], [0x1, 'EFD_SEMAPHORE']];
const EVENTFD_FLAGS: FlagTable = [[0x80000, 'EFD_CLOEXEC'], [0x800, 'EFD_NONBLOCK'], [0x1, 'EFD_SEMAPHORE']];
const PROT_FLAGS: FlagTable = [
  [1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC'], [8, 'PROT_SEM'],
  [0x01000000, 'PROT_GROWSDOWN'], [0x02000000, 'PROT_GROWSUP'],
];
const MAP_FLAGS: FlagTable = [
  [0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'], [0x40, 'MAP_32BIT'], [0x100, 'MAP_GROWSDOWN'],
  [0x800, 'MAP_DENYWRITE'], [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'], [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'], [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'], [0x40000, 'MAP_HUGETLB'],
  [0x80000, 'MAP_SYNC'], [0x100000, 'MAP_FIXED_NOREPLACE'], [0x4000000, 'MAP_UNINITIALIZED'],
];

function mmapFlags(v: bigint): string {
  const t = Number(v & 3n);
  const type = t === 1 ? 'MAP_SHARED' : t === 2 ? 'MAP_PRIVATE' : t === 3 ? 'MAP_SHARED_VALIDATE' : null;
  const rest = v & ~3n;
  if (type === null) return flags(v, MAP_FLAGS);
  return rest === 0n ? type : `${type}|${flags(rest, MAP_FLAGS)}`;
}

const MREMAP_FLAGS: FlagTable = [[1, 'MREMAP_MAYMOVE'], [2, 'MREMAP_FIXED'], [4, 'MREMAP_DONTUNMAP']];
const MSYNC_FLAGS: FlagTable = [[1, 'MS_ASYNC'], [2, 'MS_INVALIDATE'], [4, 'MS_SYNC']];
const MADVICE: EnumTable = E([
  [0, 'MADV_NORMAL'], [1, 'MADV_RANDOM'], [2, 'MADV_SEQUENTIAL'], [3, 'MADV_WILLNEED'], [4, 'MADV_DONTNEED'],
  [8, 'MADV_FREE'], [9, 'MADV_REMOVE'], [10, 'MADV_DONTFORK'], [11, 'MADV_DOFORK'], [12, 'MADV_MERGEABLE'],
  [13, 'MADV_UNMERGEABLE'], [14, 'MADV_HUGEPAGE'], [15, 'MADV_NOHUGEPAGE'], [16, 'MADV_DONTDUMP'],
  [17, 'MADV_DODUMP'], [18, 'MADV_WIPEONFORK'], [19, 'MADV_KEEPONFORK'], [20, 'MADV_COLD'],
  [21, 'MADV_PAGEOUT'], [22, 'MADV_POPULATE_READ'], [23, 'MADV_POPULATE_WRITE'], [24, 'MADV_DONTNEED_LOCKED'],
  [25, 'MADV_COLLAPSE'], [100, 'MADV_HWPOISON'], [101, 'MADV_SOFT_OFFLINE'],
]);
const AT_FLAGS: FlagTable = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'],
  [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH'], [0x2000, 'AT_STATX_FORCE_SYNC'],
  [0x4000, 'AT_STATX_DONT_SYNC'], [0x8000, 'AT_RECURSIVE'],
];
const ACCESSAT_FLAGS: FlagTable = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_EACCESS'], [0x1000, 'AT_EMPTY_PATH'],
];
const ACCESS_MODE: FlagTable = [[4, 'R_OK'], [2, 'W_OK'], [1, 'X_OK']];
const WHENCE: EnumTable = E([[0, 'SEEK_SET'], [1, 'SEEK_CUR'], [2, 'SEEK_END'], [3, 'SEEK_DATA'], [4, 'SEEK_HOLE']]);
const CLOCKS: EnumTable = E([
  [0, 'CLOCK_REALTIME'], [1, 'CLOCK_MONOTONIC'], [2, 'CLOCK_PROCESS_CPUTIME_ID'], [3, 'CLOCK_THREAD_CPUTIME_ID'],
  [4, 'CLOCK_MONOTONIC_RAW'], [5, 'CLOCK_REALTIME_COARSE'], [6, 'CLOCK_MONOTONIC_COARSE'], [7, 'CLOCK_BOOTTIME'],
  [8, 'CLOCK_REALTIME_ALARM'], [9, 'CLOCK_BOOTTIME_ALARM'], [11, 'CLOCK_TAI'],
]);
const TIMER_FLAGS: FlagTable = [[1, 'TIMER_ABSTIME'], [2, 'TFD_TIMER_CANCEL_ON_SET']];
const ITIMER_WHICH: EnumTable = E([[0, 'ITIMER_REAL'], [1, 'ITIMER_VIRTUAL'], [2, 'ITIMER_PROF']]);
const FCNTL_CMDS: EnumTable = E([
  [0, 'F_DUPFD'], [1, 'F_GETFD'], [2, 'F_SETFD'], [3, 'F_GETFL'], [4, 'F_SETFL'], [5, 'F_GETLK'],
  [6, 'F_SETLK'], [7, 'F_SETLKW'], [8, 'F_SETOWN'], [9, 'F_GETOWN'], [10, 'F_SETSIG'], [11, 'F_GETSIG'],
  [15, 'F_SETOWN_EX'], [16, 'F_GETOWN_EX'], [17, 'F_GETOWNER_UIDS'], [36, 'F_OFD_GETLK'],
  [37, 'F_OFD_SETLK'], [38, 'F_OFD_SETLKW'], [1024, 'F_SETLEASE'], [1025, 'F_GETLEASE'],
  [1026, 'F_NOTIFY'], [1030, 'F_DUPFD_CLOEXEC'], [1031, 'F_SETPIPE_SZ'], [1032, 'F_GETPIPE_SZ'],
  [1033, 'F_ADD_SEALS'], [1034, 'F_GET_SEALS'], [1035, 'F_GET_RW_HINT'], [1036, 'F_SET_RW_HINT'],
  [1037, 'F_GET_FILE_RW_HINT'], [1038, 'F_SET_FILE_RW_HINT'],
]);
const SEALS: FlagTable = [[1, 'F_SEAL_SEAL'], [2, 'F_SEAL_SHRINK'], [4, 'F_SEAL_GROW'], [8, 'F_SEAL_WRITE'], [0x10, 'F_SEAL_FUTURE_WRITE']];
const LEASES: EnumTable = E([[0, 'F_RDLCK'], [1, 'F_WRLCK'], [2, 'F_UNLCK']]);
const FUTEX_CMDS: EnumTable = E([
  [0, 'FUTEX_WAIT'], [1, 'FUTEX_WAKE'], [2, 'FUTEX_FD'], [3, 'FUTEX_REQUEUE'], [4, 'FUTEX_CMP_REQUEUE'],
  [5, 'FUTEX_WAKE_OP'], [6, 'FUTEX_LOCK_PI'], [7, 'FUTEX_UNLOCK_PI'], [8, 'FUTEX_TRYLOCK_PI'],
  [9, 'FUTEX_WAIT_BITSET'], [10, 'FUTEX_WAKE_BITSET'], [11, 'FUTEX_WAIT_REQUEUE_PI'],
  [12, 'FUTEX_CMP_REQUEUE_PI'], [13, 'FUTEX_LOCK_PI2'],
]);
const FUTEX_PRIVATE = 128;
const FUTEX_CLOCK_REALTIME = 256;

function futexOp(v: bigint): string {
  const op = u32(v);
  const cmd = op & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
  const parts = [FUTEX_CMDS.get(cmd) ?? hex(cmd)];
  if (op & FUTEX_PRIVATE) parts.push('FUTEX_PRIVATE_FLAG');
  if (op & FUTEX_CLOCK_REALTIME) parts.push('FUTEX_CLOCK_REALTIME');
  if (BigInt.asUintN(64, v) >> 32n !== 0n) parts.push(hex(BigInt.asUintN(64, v) & ~0xffffffffn));
  return parts.join('|');
}

const IOCTLS: EnumTable = E([
  [0x5401, 'TCGETS'], [0x5402, 'TCSETS'], [0x5403, 'TCSETSW'], [0x5404, 'TCSETSF'], [0x5405, 'TCGETA'],
  [0x5406, 'TCSETA'], [0x5407, 'TCSETAW'], [0x5408, 'TCSETAF'], [0x5409, 'TCSBRK'], [0x540a, 'TCXONC'],
  [0x540b, 'TCFLSH'], [0x540c, 'TIOCEXCL'], [0x540d, 'TIOCNXCL'], [0x540e, 'TIOCSCTTY'],
  [0x540f, 'TIOCGPGRP'], [0x5410, 'TIOCSPGRP'], [0x5411, 'TIOCOUTQ'], [0x5412, 'TIOCSTI'],
  [0x5413, 'TIOCGWINSZ'], [0x5414, 'TIOCSWINSZ'], [0x5415, 'TIOCMGET'], [0x5416, 'TIOCMBIS'],
  [0x5417, 'TIOCMBIC'], [0x5418, 'TIOCMSET'], [0x541b, 'FIONREAD'], [0x541c, 'TIOCLINUX'],
  [0x541d, 'TIOCCONS'], [0x5420, 'TIOCPKT'], [0x5421, 'FIONBIO'], [0x5422, 'TIOCNOTTY'],
  [0x5423, 'TIOCSETD'], [0x5424, 'TIOCGETD'], [0x5425, 'TCSBRKP'], [0x5429, 'TIOCGSID'],
  [0x802c542a, 'TCGETS2'], [0x402c542b, 'TCSETS2'], [0x80045430, 'TIOCGPTN'], [0x40045431, 'TIOCSPTLCK'],
  [0x80045432, 'TIOCGDEV'], [0x40045436, 'TIOCSIG'], [0x80045438, 'TIOCGPKT'], [0x80045439, 'TIOCGPTLCK'],
  [0x5441, 'TIOCGPTPEER'], [0x5450, 'FIONCLEX'], [0x5451, 'FIOCLEX'], [0x5452, 'FIOASYNC'],
  [0x5460, 'FIOQSIZE'], [0x8901, 'FIOSETOWN'], [0x8902, 'SIOCSPGRP'], [0x8903, 'FIOGETOWN'],
  [0x8904, 'SIOCGPGRP'], [0x8905, 'SIOCATMARK'], [0x8910, 'SIOCGIFNAME'], [0x8912, 'SIOCGIFCONF'],
  [0x8913, 'SIOCGIFFLAGS'], [0x8914, 'SIOCSIFFLAGS'], [0x8915, 'SIOCGIFADDR'], [0x891b, 'SIOCGIFNETMASK'],
  [0x8921, 'SIOCGIFMTU'], [0x8927, 'SIOCGIFHWADDR'], [0x8933, 'SIOCGIFINDEX'],
  [0x80086601, 'FS_IOC_GETFLAGS'], [0x40086602, 'FS_IOC_SETFLAGS'], [0x80087601, 'FS_IOC_GETVERSION'],
  [0x40049409, 'BTRFS_IOC_CLONE'], [0x4020940d, 'FICLONERANGE'], [0xc020660b, 'FS_IOC_FIEMAP'],
]);
const SIGMASK_HOW: EnumTable = E([[0, 'SIG_BLOCK'], [1, 'SIG_UNBLOCK'], [2, 'SIG_SETMASK']]);
const CLONE_FLAGS: FlagTable = [
  [0x100, 'CLONE_VM'], [0x200, 'CLONE_FS'], [0x400, 'CLONE_FILES'], [0x800, 'CLONE_SIGHAND'],
  [0x1000, 'CLONE_PIDFD'], [0x2000, 'CLONE_PTRACE'], [0x4000, 'CLONE_VFORK'], [0x8000, 'CLONE_PARENT'],
  [0x10000, 'CLONE_THREAD'], [0x20000, 'CLONE_NEWNS'], [0x40000, 'CLONE_SYSVSEM'], [0x80000, 'CLONE_SETTLS'],
  [0x100000, 'CLONE_PARENT_SETTID'], [0x200000, 'CLONE_CHILD_CLEARTID'], [0x400000, 'CLONE_DETACHED'],
  [0x800000, 'CLONE_UNTRACED'], [0x1000000, 'CLONE_CHILD_SETTID'], [0x2000000, 'CLONE_NEWCGROUP'],
  [0x4000000, 'CLONE_NEWUTS'], [0x8000000, 'CLONE_NEWIPC'], [0x10000000, 'CLONE_NEWUSER'],
  [0x20000000, 'CLONE_NEWPID'], [0x40000000, 'CLONE_NEWNET'], [0x80000000, 'CLONE_IO'],
  [0x100000000, 'CLONE_CLEAR_SIGHAND'], [0x200000000, 'CLONE_INTO_CGROUP'], [0x400000000, 'CLONE_NEWTIME'],
];

function cloneFlags(v: bigint): string {
  const sig = Number(v & 0xffn);
  const rest = v & ~0xffn;
  const f = rest === 0n ? '' : flags(rest, CLONE_FLAGS);
  if (sig === 0) return f === '' ? '0' : f;
  return f === '' ? signalName(sig) : `${f}|${signalName(sig)}`;
}

const WAIT_OPTIONS: FlagTable = [
  [1, 'WNOHANG'], [2, 'WUNTRACED'], [4, 'WEXITED'], [8, 'WCONTINUED'], [0x1000000, 'WNOWAIT'],
  [0x20000000, '__WNOTHREAD'], [0x40000000, '__WALL'], [0x80000000, '__WCLONE'],
];
const IDTYPES: EnumTable = E([[0, 'P_ALL'], [1, 'P_PID'], [2, 'P_PGID'], [3, 'P_PIDFD']]);
const DOMAINS: EnumTable = E([
  [0, 'AF_UNSPEC'], [1, 'AF_UNIX'], [2, 'AF_INET'], [4, 'AF_IPX'], [5, 'AF_APPLETALK'], [9, 'AF_X25'],
  [10, 'AF_INET6'], [16, 'AF_NETLINK'], [17, 'AF_PACKET'], [29, 'AF_CAN'], [31, 'AF_BLUETOOTH'],
  [38, 'AF_ALG'], [40, 'AF_VSOCK'], [44, 'AF_XDP'],
]);
const SOCK_TYPES: EnumTable = E([
  [1, 'SOCK_STREAM'], [2, 'SOCK_DGRAM'], [3, 'SOCK_RAW'], [4, 'SOCK_RDM'], [5, 'SOCK_SEQPACKET'],
  [6, 'SOCK_DCCP'], [10, 'SOCK_PACKET'],
]);

function sockType(v: bigint): string {
  const n = u32(v);
  const t = n & 0xf;
  const parts = [SOCK_TYPES.get(t) ?? String(t)];
  if (n & 0x800) parts.push('SOCK_NONBLOCK');
  if (n & 0x80000) parts.push('SOCK_CLOEXEC');
  const rest = BigInt.asUintN(64, v) & ~0x8080fn;
  if (rest !== 0n) parts.push(hex(rest));
  return parts.join('|');
}

const SOCK_LEVELS: EnumTable = E([
  [0, 'SOL_IP'], [1, 'SOL_SOCKET'], [6, 'SOL_TCP'], [17, 'SOL_UDP'], [41, 'SOL_IPV6'], [58, 'SOL_ICMPV6'],
  [255, 'SOL_RAW'], [263, 'SOL_PACKET'], [270, 'SOL_NETLINK'], [274, 'SOL_BLUETOOTH'], [279, 'SOL_ALG'],
]);
const SOL_SOCKET_OPTS: EnumTable = E([
  [1, 'SO_DEBUG'], [2, 'SO_REUSEADDR'], [3, 'SO_TYPE'], [4, 'SO_ERROR'], [5, 'SO_DONTROUTE'],
  [6, 'SO_BROADCAST'], [7, 'SO_SNDBUF'], [8, 'SO_RCVBUF'], [9, 'SO_KEEPALIVE'], [10, 'SO_OOBINLINE'],
  [11, 'SO_NO_CHECK'], [12, 'SO_PRIORITY'], [13, 'SO_LINGER'], [14, 'SO_BSDCOMPAT'], [15, 'SO_REUSEPORT'],
  [16, 'SO_PASSCRED'], [17, 'SO_PEERCRED'], [18, 'SO_RCVLOWAT'], [19, 'SO_SNDLOWAT'], [20, 'SO_RCVTIMEO'],
  [21, 'SO_SNDTIMEO'], [25, 'SO_BINDTODEVICE'], [26, 'SO_ATTACH_FILTER'], [27, 'SO_DETACH_FILTER'],
  [28, 'SO_PEERNAME'], [29, 'SO_TIMESTAMP'], [30, 'SO_ACCEPTCONN'], [31, 'SO_PEERSEC'],
  [32, 'SO_SNDBUFFORCE'], [33, 'SO_RCVBUFFORCE'], [34, 'SO_PASSSEC'], [35, 'SO_TIMESTAMPNS'],
  [36, 'SO_MARK'], [37, 'SO_TIMESTAMPING'], [38, 'SO_PROTOCOL'], [39, 'SO_DOMAIN'], [40, 'SO_RXQ_OVFL'],
  [41, 'SO_WIFI_STATUS'], [42, 'SO_PEEK_OFF'], [43, 'SO_NOFCS'], [44, 'SO_LOCK_FILTER'],
  [46, 'SO_BUSY_POLL'], [47, 'SO_MAX_PACING_RATE'], [49, 'SO_INCOMING_CPU'], [50, 'SO_ATTACH_BPF'],
  [57, 'SO_COOKIE'], [59, 'SO_PEERGROUPS'], [60, 'SO_ZEROCOPY'],
]);
const SOL_TCP_OPTS: EnumTable = E([
  [1, 'TCP_NODELAY'], [2, 'TCP_MAXSEG'], [3, 'TCP_CORK'], [4, 'TCP_KEEPIDLE'], [5, 'TCP_KEEPINTVL'],
  [6, 'TCP_KEEPCNT'], [7, 'TCP_SYNCNT'], [8, 'TCP_LINGER2'], [9, 'TCP_DEFER_ACCEPT'],
  [10, 'TCP_WINDOW_CLAMP'], [11, 'TCP_INFO'], [12, 'TCP_QUICKACK'], [13, 'TCP_CONGESTION'],
  [14, 'TCP_MD5SIG'], [18, 'TCP_USER_TIMEOUT'], [23, 'TCP_FASTOPEN'], [25, 'TCP_NOTSENT_LOWAT'],
  [30, 'TCP_FASTOPEN_CONNECT'], [31, 'TCP_ULP'],
]);
const SOL_IP_OPTS: EnumTable = E([
  [1, 'IP_TOS'], [2, 'IP_TTL'], [3, 'IP_HDRINCL'], [4, 'IP_OPTIONS'], [6, 'IP_RECVOPTS'],
  [7, 'IP_RETOPTS'], [8, 'IP_PKTINFO'], [10, 'IP_MTU_DISCOVER'], [11, 'IP_RECVERR'], [12, 'IP_RECVTTL'],
  [13, 'IP_RECVTOS'], [14, 'IP_MTU'], [15, 'IP_FREEBIND'], [19, 'IP_TRANSPARENT'], [24, 'IP_BIND_ADDRESS_NO_PORT'],
  [32, 'IP_MULTICAST_IF'], [33, 'IP_MULTICAST_TTL'], [34, 'IP_MULTICAST_LOOP'], [35, 'IP_ADD_MEMBERSHIP'],
  [36, 'IP_DROP_MEMBERSHIP'],
]);
const SOL_IPV6_OPTS: EnumTable = E([
  [16, 'IPV6_UNICAST_HOPS'], [17, 'IPV6_MULTICAST_IF'], [18, 'IPV6_MULTICAST_HOPS'],
  [19, 'IPV6_MULTICAST_LOOP'], [20, 'IPV6_JOIN_GROUP'], [21, 'IPV6_LEAVE_GROUP'], [23, 'IPV6_MTU_DISCOVER'],
  [24, 'IPV6_MTU'], [25, 'IPV6_RECVERR'], [26, 'IPV6_V6ONLY'], [49, 'IPV6_RECVPKTINFO'], [50, 'IPV6_PKTINFO'],
  [67, 'IPV6_TCLASS'],
]);
const SOCKOPTS_BY_LEVEL: ReadonlyMap<number, EnumTable> = new Map([
  [1, SOL_SOCKET_OPTS], [6, SOL_TCP_OPTS], [0, SOL_IP_OPTS], [41, SOL_IPV6_OPTS],
]);
const MSG_FLAGS: FlagTable = [
  [0x1, 'MSG_OOB'], [0x2, 'MSG_PEEK'], [0x4, 'MSG_DONTROUTE'], [0x8, 'MSG_CTRUNC'], [0x10, 'MSG_PROXY'],
  [0x20, 'MSG_TRUNC'], [0x40, 'MSG_DONTWAIT'], [0x80, 'MSG_EOR'], [0x100, 'MSG_WAITALL'], [0x200, 'MSG_FIN'],
  [0x400, 'MSG_SYN'], [0x800, 'MSG_CONFIRM'], [0x1000, 'MSG_RST'], [0x2000, 'MSG_ERRQUEUE'],
  [0x4000, 'MSG_NOSIGNAL'], [0x8000, 'MSG_MORE'], [0x10000, 'MSG_WAITFORONE'], [0x40000, 'MSG_BATCH'],
  [0x4000000, 'MSG_ZEROCOPY'], [0x20000000, 'MSG_FASTOPEN'], [0x40000000, 'MSG_CMSG_CLOEXEC'],
];
const SHUT_HOW: EnumTable = E([[0, 'SHUT_RD'], [1, 'SHUT_WR'], [2, 'SHUT_RDWR']]);
const RLIMITS: EnumTable = E([
  [0, 'RLIMIT_CPU'], [1, 'RLIMIT_FSIZE'], [2, 'RLIMIT_DATA'], [3, 'RLIMIT_STACK'], [4, 'RLIMIT_CORE'],
  [5, 'RLIMIT_RSS'], [6, 'RLIMIT_NPROC'], [7, 'RLIMIT_NOFILE'], [8, 'RLIMIT_MEMLOCK'], [9, 'RLIMIT_AS'],
  [10, 'RLIMIT_LOCKS'], [11, 'RLIMIT_SIGPENDING'], [12, 'RLIMIT_MSGQUEUE'], [13, 'RLIMIT_NICE'],
  [14, 'RLIMIT_RTPRIO'], [15, 'RLIMIT_RTTIME'],
]);
const RUSAGE_WHO: EnumTable = E([[0, 'RUSAGE_SELF'], [-1, 'RUSAGE_CHILDREN'], [1, 'RUSAGE_THREAD']]);
const PRIO_WHICH: EnumTable = E([[0, 'PRIO_PROCESS'], [1, 'PRIO_PGRP'], [2, 'PRIO_USER']]);
const SCHED_POLICIES: EnumTable = E([
  [0, 'SCHED_OTHER'], [1, 'SCHED_FIFO'], [2, 'SCHED_RR'], [3, 'SCHED_BATCH'], [5, 'SCHED_IDLE'],
  [6, 'SCHED_DEADLINE'],
]);
const PRCTL_OPS: EnumTable = E([
  [1, 'PR_SET_PDEATHSIG'], [2, 'PR_GET_PDEATHSIG'], [3, 'PR_GET_DUMPABLE'], [4, 'PR_SET_DUMPABLE'],
  [5, 'PR_GET_UNALIGN'], [6, 'PR_SET_UNALIGN'], [7, 'PR_GET_KEEPCAPS'], [8, 'PR_SET_KEEPCAPS'],
  [9, 'PR_GET_FPEMU'], [10, 'PR_SET_FPEMU'], [11, 'PR_GET_FPEXC'], [12, 'PR_SET_FPEXC'],
  [13, 'PR_GET_TIMING'], [14, 'PR_SET_TIMING'], [15, 'PR_SET_NAME'], [16, 'PR_GET_NAME'],
  [19, 'PR_GET_ENDIAN'], [20, 'PR_SET_ENDIAN'], [21, 'PR_GET_SECCOMP'], [22, 'PR_SET_SECCOMP'],
  [23, 'PR_CAPBSET_READ'], [24, 'PR_CAPBSET_DROP'], [25, 'PR_GET_TSC'], [26, 'PR_SET_TSC'],
  [27, 'PR_GET_SECUREBITS'], [28, 'PR_SET_SECUREBITS'], [29, 'PR_SET_TIMERSLACK'], [30, 'PR_GET_TIMERSLACK'],
  [31, 'PR_TASK_PERF_EVENTS_DISABLE'], [32, 'PR_TASK_PERF_EVENTS_ENABLE'], [33, 'PR_MCE_KILL'],
  [34, 'PR_MCE_KILL_GET'], [35, 'PR_SET_MM'], [36, 'PR_SET_CHILD_SUBREAPER'], [37, 'PR_GET_CHILD_SUBREAPER'],
  [38, 'PR_SET_NO_NEW_PRIVS'], [39, 'PR_GET_NO_NEW_PRIVS'], [40, 'PR_GET_TID_ADDRESS'],
  [41, 'PR_SET_THP_DISABLE'], [42, 'PR_GET_THP_DISABLE'], [43, 'PR_MPX_ENABLE_MANAGEMENT'],
  [44, 'PR_MPX_DISABLE_MANAGEMENT'], [45, 'PR_SET_FP_MODE'], [46, 'PR_GET_FP_MODE'], [47, 'PR_CAP_AMBIENT'],
  [50, 'PR_SVE_SET_VL'], [51, 'PR_SVE_GET_VL'], [52, 'PR_GET_SPECULATION_CTRL'],
  [53, 'PR_SET_SPECULATION_CTRL'], [54, 'PR_PAC_RESET_KEYS'], [55, 'PR_SET_TAGGED_ADDR_CTRL'],
  [56, 'PR_GET_TAGGED_ADDR_CTRL'], [57, 'PR_SET_IO_FLUSHER'], [58, 'PR_GET_IO_FLUSHER'],
  [59, 'PR_SET_SYSCALL_USER_DISPATCH'], [62, 'PR_SCHED_CORE'], [65, 'PR_SET_MDWE'], [66, 'PR_GET_MDWE'],
  [0x53564d41, 'PR_SET_VMA'],
]);
const ARCH_PRCTL_CODES: EnumTable = E([
  [0x1001, 'ARCH_SET_GS'], [0x1002, 'ARCH_SET_FS'], [0x1003, 'ARCH_GET_FS'], [0x1004, 'ARCH_GET_GS'],
  [0x1011, 'ARCH_GET_CPUID'], [0x1012, 'ARCH_SET_CPUID'], [0x1021, 'ARCH_GET_XCOMP_SUPP'],
  [0x1022, 'ARCH_GET_XCOMP_PERM'], [0x1023, 'ARCH_REQ_XCOMP_PERM'], [0x1024, 'ARCH_GET_XCOMP_GUEST_PERM'],
  [0x1025, 'ARCH_REQ_XCOMP_GUEST_PERM'], [0x2001, 'ARCH_MAP_VDSO_X32'], [0x2002, 'ARCH_MAP_VDSO_32'],
  [0x2003, 'ARCH_MAP_VDSO_64'], [0x4001, 'ARCH_GET_UNTAG_MASK'], [0x4002, 'ARCH_ENABLE_TAGGED_ADDR'],
  [0x4003, 'ARCH_GET_MAX_TAG_BITS'], [0x4004, 'ARCH_FORCE_TAGGED_SVA'], [0x5001, 'ARCH_SHSTK_ENABLE'],
  [0x5002, 'ARCH_SHSTK_DISABLE'], [0x5003, 'ARCH_SHSTK_LOCK'], [0x5004, 'ARCH_SHSTK_UNLOCK'],
  [0x5005, 'ARCH_SHSTK_STATUS'],
]);
const PTRACE_REQS: EnumTable = E([
  [0, 'PTRACE_TRACEME'], [1, 'PTRACE_PEEKTEXT'], [2, 'PTRACE_PEEKDATA'], [3, 'PTRACE_PEEKUSER'],
  [4, 'PTRACE_POKETEXT'], [5, 'PTRACE_POKEDATA'], [6, 'PTRACE_POKEUSER'], [7, 'PTRACE_CONT'],
  [8, 'PTRACE_KILL'], [9, 'PTRACE_SINGLESTEP'], [12, 'PTRACE_GETREGS'], [13, 'PTRACE_SETREGS'],
  [14, 'PTRACE_GETFPREGS'], [15, 'PTRACE_SETFPREGS'], [16, 'PTRACE_ATTACH'], [17, 'PTRACE_DETACH'],
  [18, 'PTRACE_GETFPXREGS'], [19, 'PTRACE_SETFPXREGS'], [24, 'PTRACE_SYSCALL'], [30, 'PTRACE_ARCH_PRCTL'],
  [31, 'PTRACE_SYSEMU'], [32, 'PTRACE_SYSEMU_SINGLESTEP'], [0x4200, 'PTRACE_SETOPTIONS'],
  [0x4201, 'PTRACE_GETEVENTMSG'], [0x4202, 'PTRACE_GETSIGINFO'], [0x4203, 'PTRACE_SETSIGINFO'],
  [0x4204, 'PTRACE_GETREGSET'], [0x4205, 'PTRACE_SETREGSET'], [0x4206, 'PTRACE_SEIZE'],
  [0x4207, 'PTRACE_INTERRUPT'], [0x4208, 'PTRACE_LISTEN'], [0x4209, 'PTRACE_PEEKSIGINFO'],
  [0x420a, 'PTRACE_GETSIGMASK'], [0x420b, 'PTRACE_SETSIGMASK'], [0x420c, 'PTRACE_SECCOMP_GET_FILTER'],
  [0x420d, 'PTRACE_SECCOMP_GET_METADATA'], [0x420e, 'PTRACE_GET_SYSCALL_INFO'],
]);
const EPOLL_CTL_OPS: EnumTable = E([[1, 'EPOLL_CTL_ADD'], [2, 'EPOLL_CTL_DEL'], [3, 'EPOLL_CTL_MOD']]);
const EPOLL_EVENTS: FlagTable = [
  [0x1, 'EPOLLIN'], [0x2, 'EPOLLPRI'], [0x4, 'EPOLLOUT'], [0x8, 'EPOLLERR'], [0x10, 'EPOLLHUP'],
  [0x20, 'EPOLLNVAL'], [0x40, 'EPOLLRDNORM'], [0x80, 'EPOLLRDBAND'], [0x100, 'EPOLLWRNORM'],
  [0x200, 'EPOLLWRBAND'], [0x400, 'EPOLLMSG'], [0x2000, 'EPOLLRDHUP'], [0x10000000, 'EPOLLEXCLUSIVE'],
  [0x20000000, 'EPOLLWAKEUP'], [0x40000000, 'EPOLLONESHOT'], [0x80000000, 'EPOLLET'],
];
const POLL_EVENTS: FlagTable = [
  [0x1, 'POLLIN'], [0x2, 'POLLPRI'], [0x4, 'POLLOUT'], [0x8, 'POLLERR'], [0x10, 'POLLHUP'],
  [0x20, 'POLLNVAL'], [0x40, 'POLLRDNORM'], [0x80, 'POLLRDBAND'], [0x100, 'POLLWRNORM'],
  [0x200, 'POLLWRBAND'], [0x400, 'POLLMSG'], [0x2000, 'POLLRDHUP'],
];
const MEMFD_FLAGS: FlagTable = [
  [1, 'MFD_CLOEXEC'], [2, 'MFD_ALLOW_SEALING'], [4, 'MFD_HUGETLB'], [8, 'MFD_NOEXEC_SEAL'], [0x10, 'MFD_EXEC'],
];
const RENAME_FLAGS: FlagTable = [[1, 'RENAME_NOREPLACE'], [2, 'RENAME_EXCHANGE'], [4, 'RENAME_WHITEOUT']];
const MOUNT_FLAGS: FlagTable = [
  [1, 'MS_RDONLY'], [2, 'MS_NOSUID'], [4, 'MS_NODEV'], [8, 'MS_NOEXEC'], [16, 'MS_SYNCHRONOUS'],
  [32, 'MS_REMOUNT'], [64, 'MS_MANDLOCK'], [128, 'MS_DIRSYNC'], [256, 'MS_NOSYMFOLLOW'], [1024, 'MS_NOATIME'],
  [2048, 'MS_NODIRATIME'], [4096, 'MS_BIND'], [8192, 'MS_MOVE'], [16384, 'MS_REC'], [32768, 'MS_SILENT'],
  [1 << 16, 'MS_POSIXACL'], [1 << 17, 'MS_UNBINDABLE'], [1 << 18, 'MS_PRIVATE'], [1 << 19, 'MS_SLAVE'],
  [1 << 20, 'MS_SHARED'], [1 << 21, 'MS_RELATIME'], [1 << 22, 'MS_KERNMOUNT'], [1 << 23, 'MS_I_VERSION'],
  [1 << 24, 'MS_STRICTATIME'], [1 << 25, 'MS_LAZYTIME'],
];
const UMOUNT_FLAGS: FlagTable = [[1, 'MNT_FORCE'], [2, 'MNT_DETACH'], [4, 'MNT_EXPIRE'], [8, 'UMOUNT_NOFOLLOW']];
const LOCK_OPS: FlagTable = [[1, 'LOCK_SH'], [2, 'LOCK_EX'], [4, 'LOCK_NB'], [8, 'LOCK_UN']];
const MLOCKALL_FLAGS: FlagTable = [[1, 'MCL_CURRENT'], [2, 'MCL_FUTURE'], [4, 'MCL_ONFAULT']];
const GETRANDOM_FLAGS: FlagTable = [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM'], [4, 'GRND_INSECURE']];
const FADVICE: EnumTable = E([
  [0, 'POSIX_FADV_NORMAL'], [1, 'POSIX_FADV_RANDOM'], [2, 'POSIX_FADV_SEQUENTIAL'], [3, 'POSIX_FADV_WILLNEED'],
  [4, 'POSIX_FADV_DONTNEED'], [5, 'POSIX_FADV_NOREUSE'],
]);
const FALLOC_MODE: FlagTable = [
  [0x01, 'FALLOC_FL_KEEP_SIZE'], [0x02, 'FALLOC_FL_PUNCH_HOLE'], [0x04, 'FALLOC_FL_NO_HIDE_STALE'],
  [0x08, 'FALLOC_FL_COLLAPSE_RANGE'], [0x10, 'FALLOC_FL_ZERO_RANGE'], [0x20, 'FALLOC_FL_INSERT_RANGE'],
  [0x40, 'FALLOC_FL_UNSHARE_RANGE'],
];
const CLOSE_RANGE_FLAGS: FlagTable = [[2, 'CLOSE_RANGE_UNSHARE'], [4, 'CLOSE_RANGE_CLOEXEC']];
const XATTR_FLAGS: FlagTable = [[1, 'XATTR_CREATE'], [2, 'XATTR_REPLACE']];
const INOTIFY_MASK: FlagTable = [
  [0x1, 'IN_ACCESS'], [0x2, 'IN_MODIFY'], [0x4, 'IN_ATTRIB'], [0x8, 'IN_CLOSE_WRITE'],
  [0x10, 'IN_CLOSE_NOWRITE'], [0x20, 'IN_OPEN'], [0x40, 'IN_MOVED_FROM'], [0x80, 'IN_MOVED_TO'],
  [0x100, 'IN_CREATE'], [0x200, 'IN_DELETE'], [0x400, 'IN_DELETE_SELF'], [0x800, 'IN_MOVE_SELF'],
  [0x2000, 'IN_UNMOUNT'], [0x4000, 'IN_Q_OVERFLOW'], [0x8000, 'IN_IGNORED'], [0x1000000, 'IN_ONLYDIR'],
  [0x2000000, 'IN_DONT_FOLLOW'], [0x4000000, 'IN_EXCL_UNLINK'], [0x10000000, 'IN_MASK_CREATE'],
  [0x20000000, 'IN_MASK_ADD'], [0x40000000, 'IN_ISDIR'], [0x80000000, 'IN_ONESHOT'],
];
const SPLICE_FLAGS: FlagTable = [[1, 'SPLICE_F_MOVE'], [2, 'SPLICE_F_NONBLOCK'], [4, 'SPLICE_F_MORE'], [8, 'SPLICE_F_GIFT']];
const SECCOMP_OPS: EnumTable = E([
  [0, 'SECCOMP_SET_MODE_STRICT'], [1, 'SECCOMP_SET_MODE_FILTER'], [2, 'SECCOMP_GET_ACTION_AVAIL'],
  [3, 'SECCOMP_GET_NOTIF_SIZES'],
]);
const IPC_CMDS: EnumTable = E([[0, 'IPC_RMID'], [1, 'IPC_SET'], [2, 'IPC_STAT'], [3, 'IPC_INFO']]);
const SA_FLAGS: FlagTable = [
  [0x1, 'SA_NOCLDSTOP'], [0x2, 'SA_NOCLDWAIT'], [0x4, 'SA_SIGINFO'], [0x400, 'SA_UNSUPPORTED'],
  [0x800, 'SA_EXPOSE_TAGBITS'], [0x04000000, 'SA_RESTORER'], [0x08000000, 'SA_ONSTACK'],
  [0x10000000, 'SA_RESTART'], [0x40000000, 'SA_NODEFER'], [0x80000000, 'SA_RESETHAND'],
];
const RESOLVE_FLAGS: FlagTable = [
  [0x01, 'RESOLVE_NO_XDEV'], [0x02, 'RESOLVE_NO_MAGICLINKS'], [0x04, 'RESOLVE_NO_SYMLINKS'],
  [0x08, 'RESOLVE_BENEATH'], [0x10, 'RESOLVE_IN_ROOT'], [0x20, 'RESOLVE_CACHED'],
];
const FILE_TYPES: EnumTable = E([
  [0o140000, 'S_IFSOCK'], [0o120000, 'S_IFLNK'], [0o100000, 'S_IFREG'], [0o060000, 'S_IFBLK'],
  [0o040000, 'S_IFDIR'], [0o020000, 'S_IFCHR'], [0o010000, 'S_IFIFO'],
]);

function statMode(m: number): string {
  const t = FILE_TYPES.get(m & 0o170000);
  const perm = `0o${(m & 0o7777).toString(8)}`;
  if (t !== undefined) return `${t}|${perm}`;
  return `0o${(m >>> 0).toString(8)}`;
}

/** Symbolic kinds that depend only on their own value. */
const SYMBOLIC: { readonly [k: string]: (v: bigint) => string } = {
  openflags: (v) => openFlags(BigInt(u32(v))),
  fdflags: (v) => flags(BigInt(u32(v)), FD_FLAGS),
  prot: (v) => flags(BigInt(u32(v)), PROT_FLAGS, 'PROT_NONE'),
  mmapflags: (v) => mmapFlags(BigInt(u32(v))),
  mremapflags: (v) => flags(v, MREMAP_FLAGS),
  msyncflags: (v) => flags(BigInt(u32(v)), MSYNC_FLAGS),
  madvice: (v) => enumName(i32(v), MADVICE),
  atflags: (v) => flags(BigInt(u32(v)), AT_FLAGS),
  accessatflags: (v) => flags(BigInt(u32(v)), ACCESSAT_FLAGS),
  accessmode: (v) => flags(BigInt(u32(v)), ACCESS_MODE, 'F_OK'),
  whence: (v) => enumName(i32(v), WHENCE),
  clockid: (v) => CLOCKS.get(i32(v)) ?? (i32(v) < 0 ? hex(u32(v)) : String(i32(v))),
  timerflags: (v) => flags(BigInt(u32(v)), TIMER_FLAGS),
  itimerwhich: (v) => enumName(i32(v), ITIMER_WHICH),
  fcntlcmd: (v) => enumName(i32(v), FCNTL_CMDS),
  futexop: futexOp,
  ioctlreq: (v) => IOCTLS.get(u32(v)) ?? hex(u32(v)),
  sigmaskhow: (v) => enumName(i32(v), SIGMASK_HOW),
  cloneflags: cloneFlags,
  unshareflags: (v) => flags(v, CLONE_FLAGS),
  waitoptions: (v) => flags(BigInt(u32(v)), WAIT_OPTIONS),
  idtype: (v) => enumName(i32(v), IDTYPES),
  sockdomain: (v) => enumName(i32(v), DOMAINS),
  socktype: sockType,
  socklevel: (v) => enumName(i32(v), SOCK_LEVELS),
  msgflags: (v) => flags(BigInt(u32(v)), MSG_FLAGS),
  shuthow: (v) => enumName(i32(v), SHUT_HOW),
  rlimitres: (v) => enumName(i32(v), RLIMITS),
  rusagewho: (v) => enumName(i32(v), RUSAGE_WHO),
  priowhich: (v) => enumName(i32(v), PRIO_WHICH),
  schedpolicy: (v) => {
    const n = i32(v);
    const reset = n & 0x40000000;
    const base = SCHED_POLICIES.get(n & ~0x40000000) ?? String(n & ~0x40000000);
    return reset ? `${base}|SCHED_RESET_ON_FORK` : base;
  },
  prctlop: (v) => enumName(i32(v), PRCTL_OPS),
  archprctlcode: (v) => ARCH_PRCTL_CODES.get(i32(v)) ?? hex(u32(v)),
  ptracereq: (v) => enumName(i32(v), PTRACE_REQS),
  epollctlop: (v) => enumName(i32(v), EPOLL_CTL_OPS),
  eventfdflags: (v) => flags(BigInt(u32(v)), EVENTFD_FLAGS),
  memfdflags: (v) => flags(BigInt(u32(v)), MEMFD_FLAGS),
  renameflags: (v) => flags(BigInt(u32(v)), RENAME_FLAGS),
  mountflags: (v) => {
    // MS_MGC_VAL in the top half is the pre-2.4 magic number, still passed by some programs.
    const magic = (v & 0xffff0000n) === 0xc0ed0000n;
    const f = flags(magic ? v & ~0xffff0000n : v, MOUNT_FLAGS);
    return magic ? (f === '0' ? 'MS_MGC_VAL' : `MS_MGC_VAL|${f}`) : f;
  },
  umountflags: (v) => flags(BigInt(u32(v)), UMOUNT_FLAGS),
  lockop: (v) => flags(BigInt(u32(v)), LOCK_OPS),
  mlockallflags: (v) => flags(BigInt(u32(v)), MLOCKALL_FLAGS),
  getrandomflags: (v) => flags(BigInt(u32(v)), GETRANDOM_FLAGS),
  fadvice: (v) => enumName(i32(v), FADVICE),
  fallocmode: (v) => flags(BigInt(u32(v)), FALLOC_MODE),
  closerangeflags: (v) => flags(BigInt(u32(v)), CLOSE_RANGE_FLAGS),
  xattrflags: (v) => flags(BigInt(u32(v)), XATTR_FLAGS),
  inotifymask: (v) => flags(BigInt(u32(v)), INOTIFY_MASK),
  spliceflags: (v) => flags(BigInt(u32(v)), SPLICE_FLAGS),
  seccompop: (v) => enumName(u32(v), SECCOMP_OPS),
  ipccmd: (v) => {
    const n = i32(v);
    const ipc64 = (n & 0x100) !== 0;
    const base = IPC_CMDS.get(n & ~0x100) ?? String(n & ~0x100);
    return ipc64 ? `IPC_64|${base}` : base;
  },
};

// ---------------------------------------------------------------------------
// Structures

function timespecText(b: Uint8Array, off: number, sub = 'nsec'): string {
  return `{sec=${rdI64(b, off)}, ${sub}=${rdI64(b, off + 8)}}`;
}

/** Reads size bytes at p and formats them, or the pointer alone when it cannot. */
function fmtStruct(ctx: Ctx, p: bigint, size: number, fmt: (b: Uint8Array) => string): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const b = readBytes(ctx, p, size);
  if (b === null) return `${hex(p)} ${BAD}`;
  return `${hex(p)} ${fmt(b)}`;
}

function rlimText(v: bigint): string {
  return v === 0xffffffffffffffffn ? 'RLIM_INFINITY' : String(v);
}

function sigactionText(b: Uint8Array): string {
  const handler = rdU64(b, 0);
  const h = handler === 0n ? 'SIG_DFL' : handler === 1n ? 'SIG_IGN' : hex(handler);
  return `{handler=${h}, flags=${flags(rdU64(b, 8), SA_FLAGS)}, restorer=${hex(rdU64(b, 16))}, mask=${sigsetText(rdU64(b, 24))}}`;
}

function statText(b: Uint8Array): string {
  const rdev = rdU64(b, 40);
  return `{dev=${hex(rdU64(b, 0))}, ino=${rdU64(b, 8)}, mode=${statMode(rdU32(b, 24))}, nlink=${rdU64(b, 16)}, ` +
    `uid=${rdU32(b, 28)}, gid=${rdU32(b, 32)}, ${rdev !== 0n ? `rdev=${hex(rdev)}, ` : ''}size=${rdI64(b, 48)}, ` +
    `blksize=${rdI64(b, 56)}, blocks=${rdI64(b, 64)}, mtime=${rdI64(b, 88)}.${String(rdI64(b, 96)).padStart(9, '0')}}`;
}

function fixedString(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  const body = nul >= 0 ? s.subarray(0, nul) : s;
  return quoteBytes(body.subarray(0, MAX_BYTES), body.length > MAX_BYTES);
}

function utsnameText(b: Uint8Array): string {
  const f = ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'];
  return `{${f.map((n, i) => `${n}=${fixedString(b, i * 65, 65)}`).join(', ')}}`;
}

function wstatusText(s: number): string {
  const low = s & 0x7f;
  if (low === 0) return `{exit=${(s >> 8) & 0xff}}`;
  if (low === 0x7f) {
    const sig = (s >> 8) & 0xff;
    const ev = (s >> 16) & 0xffff;
    return s === 0xffff ? '{continued}' : `{stopped=${signalName(sig)}${ev ? ` event=${ev}` : ''}}`;
  }
  return `{signal=${signalName(low)}${s & 0x80 ? ' core' : ''}}`;
}

function ipv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function ipv6(b: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4(b, off + 12)}`;
  }
  // The longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hexs = g.map((x) => x.toString(16));
  if (bestLen < 2) return hexs.join(':');
  return `${hexs.slice(0, best).join(':')}::${hexs.slice(best + bestLen).join(':')}`;
}

function sockaddrText(b: Uint8Array): string {
  if (b.length < 2) return '{}';
  const fam = rdU16(b, 0);
  const be16 = (off: number): number => (b[off] << 8) | b[off + 1];
  switch (fam) {
    case 0: return '{AF_UNSPEC}';
    case 1: {
      const path = b.subarray(2);
      if (path.length === 0) return '{AF_UNIX ""}';
      if (path[0] === 0) {
        const name = path.subarray(1);
        return `{AF_UNIX @${quoteBytes(name.subarray(0, MAX_BYTES), name.length > MAX_BYTES)}}`;
      }
      const nul = path.indexOf(0);
      const p = nul >= 0 ? path.subarray(0, nul) : path;
      return `{AF_UNIX ${quoteBytes(p.subarray(0, MAX_BYTES), p.length > MAX_BYTES)}}`;
    }
    case 2:
      if (b.length < 8) break;
      return `{AF_INET ${ipv4(b, 4)}:${be16(2)}}`;
    case 10:
      if (b.length < 24) break;
      return `{AF_INET6 [${ipv6(b, 8)}]:${be16(2)}}`;
    case 16:
      if (b.length < 12) break;
      return `{AF_NETLINK pid=${rdU32(b, 4)} groups=${hex(rdU32(b, 8))}}`;
    default:
      break;
  }
  return `{${DOMAINS.get(fam) ?? `family=${fam}`} len=${b.length}}`;
}

function fmtSockaddr(ctx: Ctx, p: bigint, len: bigint): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const n = len > 128n ? 128 : Number(len);
  const b = readBytes(ctx, p, n);
  if (b === null) return `${hex(p)} ${BAD}`;
  return `${hex(p)} ${sockaddrText(b)}`;
}

function fmtSockaddrOut(ctx: Ctx, p: bigint, lenp: bigint): string {
  if (!ctx.ok || p === 0n || ctx.mem === null) return hex(p);
  const lb = readBytes(ctx, lenp, 4);
  if (lb === null) return hex(p);
  return fmtSockaddr(ctx, p, BigInt(rdU32(lb, 0)));
}

/**
 * An iovec array: up to MAX_ELEMS entries and MAX_BYTES bytes of data in all.
 * valid limits the data shown to the first valid bytes (a read's result).
 */
function fmtIovecs(ctx: Ctx, p: bigint, count: bigint, valid: bigint | null): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const n = count > BigInt(MAX_ELEMS) ? MAX_ELEMS : Number(count);
  const parts: string[] = [];
  let budget = MAX_BYTES;
  let remaining = valid;
  for (let i = 0; i < n; i++) {
    const e = readBytes(ctx, p + BigInt(16 * i), 16);
    if (e === null) {
      parts.push(BAD);
      break;
    }
    const base = rdU64(e, 0);
    const len = rdU64(e, 8);
    let shown = len;
    if (remaining !== null) {
      shown = len < remaining ? len : remaining;
      remaining -= shown;
    }
    let data = '';
    if (shown > 0n && base !== 0n) {
      if (budget === 0) data = ', ...';
      else {
        const take = shown > BigInt(budget) ? budget : Number(shown);
        const d = readBytes(ctx, base, take);
        data = d === null ? `, ${BAD}` : `, ${quoteBytes(d, BigInt(take) < shown)}`;
        if (d !== null) budget -= take;
      }
    } else if (shown === 0n && remaining !== null) data = ', ""';
    parts.push(`{base=${hex(base)}, len=${len}${data}}`);
  }
  if (count > BigInt(n)) parts.push('...');
  return `${hex(p)} [${parts.join(', ')}]`;
}

function fmtPollfds(ctx: Ctx, p: bigint, count: bigint): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const n = count > BigInt(MAX_ELEMS) ? MAX_ELEMS : Number(count);
  const b = readBytes(ctx, p, 8 * n);
  if (b === null) return `${hex(p)} ${BAD}`;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const fd = rdI32(b, 8 * i);
    const ev = flags(BigInt(rdI16(b, 8 * i + 4) & 0xffff), POLL_EVENTS);
    const rev = rdI16(b, 8 * i + 6) & 0xffff;
    parts.push(ctx.ok ? `{fd=${fd}, events=${ev}, revents=${flags(BigInt(rev), POLL_EVENTS)}}` : `{fd=${fd}, events=${ev}}`);
  }
  if (count > BigInt(n)) parts.push('...');
  return `${hex(p)} [${parts.join(', ')}]`;
}

function epollEventText(b: Uint8Array, off: number): string {
  return `{events=${flags(BigInt(rdU32(b, off)), EPOLL_EVENTS)}, data=${hex(rdU64(b, off + 4))}}`;
}

function fmtEpollEventsOut(ctx: Ctx, p: bigint): string {
  if (!ctx.ok || ctx.ret <= 0n || p === 0n || ctx.mem === null) return hex(p);
  const n = ctx.ret > BigInt(MAX_ELEMS) ? MAX_ELEMS : Number(ctx.ret);
  const b = readBytes(ctx, p, 12 * n);
  if (b === null) return `${hex(p)} ${BAD}`;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(epollEventText(b, 12 * i));
  if (ctx.ret > BigInt(n)) parts.push('...');
  return `${hex(p)} [${parts.join(', ')}]`;
}

function fmtArgv(ctx: Ctx, p: bigint): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null) return hex(p);
  const parts: string[] = [];
  for (let i = 0; ; i++) {
    if (i >= MAX_ARGV) {
      parts.push('...');
      break;
    }
    const e = readBytes(ctx, p + BigInt(8 * i), 8);
    if (e === null) {
      parts.push(BAD);
      break;
    }
    const sp = rdU64(e, 0);
    if (sp === 0n) break;
    const r = readString(ctx, sp);
    if (r === null) parts.push(`${hex(sp)} ${BAD}`);
    else parts.push('s' in r ? quoteStr(r.s, r.truncated) : quoteBytes(r.bytes, r.truncated));
  }
  return `${hex(p)} [${parts.join(', ')}]`;
}

function fmtMsghdr(ctx: Ctx, p: bigint, out: boolean): string {
  if (p === 0n) return '0x0';
  if (ctx.mem === null || (out && !ctx.ok)) return hex(p);
  const b = readBytes(ctx, p, 56);
  if (b === null) return `${hex(p)} ${BAD}`;
  const name = rdU64(b, 0);
  const namelen = rdU32(b, 8);
  const iov = rdU64(b, 16);
  const iovlen = rdU64(b, 24);
  const control = rdU64(b, 32);
  const controllen = rdU64(b, 40);
  const mflags = rdU32(b, 48);
  const nameText = name === 0n ? '0x0' : fmtSockaddr(ctx, name, BigInt(namelen));
  const iovText = fmtIovecs(ctx, iov, iovlen, out ? ctx.ret : null);
  return `${hex(p)} {name=${nameText}, namelen=${namelen}, iov=${iovText}, iovlen=${iovlen}, ` +
    `control=${hex(control)}, controllen=${controllen}, flags=${flags(BigInt(mflags), MSG_FLAGS)}}`;
}

function cloneArgsText(b: Uint8Array): string {
  const sig = rdU64(b, 32);
  return `{flags=${flags(rdU64(b, 0), CLONE_FLAGS)}, pidfd=${hex(rdU64(b, 8))}, child_tid=${hex(rdU64(b, 16))}, ` +
    `parent_tid=${hex(rdU64(b, 24))}, exit_signal=${sig < 65n ? signalName(Number(sig)) : hex(sig)}, ` +
    `stack=${hex(rdU64(b, 40))}, stack_size=${hex(rdU64(b, 48))}, tls=${hex(rdU64(b, 56))}}`;
}

function openHowText(b: Uint8Array): string {
  const f = rdU64(b, 0);
  const flagText = f >> 32n === 0n ? openFlags(f) : hex(f);
  return `{flags=${flagText}, mode=0o${rdU64(b, 8).toString(8)}, resolve=${flags(rdU64(b, 16), RESOLVE_FLAGS)}}`;
}

// ---------------------------------------------------------------------------
// One argument

function formatArg(kind: ArgKind, v: bigint, ctx: Ctx): string {
  const colon = kind.indexOf(':');
  const base = colon < 0 ? kind : kind.slice(0, colon);
  const ref = colon < 0 ? 0 : Number(kind.slice(colon + 1));
  const other = Number.isInteger(ref) && ref >= 0 && ref < 6 ? ctx.a[ref] : 0n;

  switch (base) {
    case 'int': return String(i32(v));
    case 'uint': return String(u32(v));
    case 'long': return String(BigInt.asIntN(64, v));
    case 'hex':
    case 'ptr':
    case 'size': return hex(v);
    case 'fd': return String(i32(v));
    case 'dirfd': return i32(v) === -100 ? 'AT_FDCWD' : String(i32(v));
    case 'uid': return u32(v) === 0xffffffff ? '-1' : String(u32(v));
    case 'mode': return `0o${u32(v).toString(8)}`;
    case 'signal': return signalName(i32(v));
    default: break;
  }
  const sym = Object.prototype.hasOwnProperty.call(SYMBOLIC, base) ? SYMBOLIC[base] : undefined;
  if (sym !== undefined) return sym(v);

  // Everything below reads memory.
  if (ctx.mem === null) return hex(v);
  const exitOk = ctx.ok;
  switch (base) {
    case 'path':
    case 'str': return fmtString(ctx, v);
    case 'cstr_out': return exitOk ? fmtString(ctx, v) : hex(v);
    case 'argv': return fmtArgv(ctx, v);
    case 'inbuf': return fmtBuf(ctx, v, other);
    case 'outbuf': {
      if (!exitOk) return hex(v);
      const n = ctx.ret < other ? ctx.ret : other;
      return fmtBuf(ctx, v, n);
    }
    case 'iovec': return fmtIovecs(ctx, v, other, null);
    case 'outiovec': return exitOk ? fmtIovecs(ctx, v, other, ctx.ret) : hex(v);
    case 'sockaddr': return fmtSockaddr(ctx, v, BigInt(u32(other)));
    case 'sockaddr_out': return fmtSockaddrOut(ctx, v, other);
    case 'pollfds': return fmtPollfds(ctx, v, BigInt(u32(other)));
    case 'sigset_ptr': return fmtStruct(ctx, v, 8, (b) => sigsetText(rdU64(b, 0)));
    case 'timespec_ptr': return fmtStruct(ctx, v, 16, (b) => timespecText(b, 0));
    case 'timeval_ptr': return fmtStruct(ctx, v, 16, (b) => timespecText(b, 0, 'usec'));
    case 'itimerspec_ptr':
      return fmtStruct(ctx, v, 32, (b) => `{interval=${timespecText(b, 0)}, value=${timespecText(b, 16)}}`);
    case 'itimerval_ptr':
      return fmtStruct(ctx, v, 32, (b) => `{interval=${timespecText(b, 0, 'usec')}, value=${timespecText(b, 16, 'usec')}}`);
    case 'rlimit_ptr': return fmtStruct(ctx, v, 16, (b) => `{cur=${rlimText(rdU64(b, 0))}, max=${rlimText(rdU64(b, 8))}}`);
    case 'sigaction_ptr': return fmtStruct(ctx, v, 32, sigactionText);
    case 'epollevent_ptr': return fmtStruct(ctx, v, 12, (b) => epollEventText(b, 0));
    case 'msghdr_in': return fmtMsghdr(ctx, v, false);
    case 'msghdr_out': return fmtMsghdr(ctx, v, true);
    case 'clone_args': return fmtStruct(ctx, v, 64, cloneArgsText);
    case 'open_how': return fmtStruct(ctx, v, 24, openHowText);
    case 'epollevents_out': return fmtEpollEventsOut(ctx, v);
    default: break;
  }

  // Output structures: decoded only after a successful call.
  if (base.endsWith('_out')) {
    if (!exitOk) return hex(v);
    switch (base) {
      case 'sigset_out': return fmtStruct(ctx, v, 8, (b) => sigsetText(rdU64(b, 0)));
      case 'timespec_out': return fmtStruct(ctx, v, 16, (b) => timespecText(b, 0));
      case 'timeval_out': return fmtStruct(ctx, v, 16, (b) => timespecText(b, 0, 'usec'));
      case 'itimerspec_out':
        return fmtStruct(ctx, v, 32, (b) => `{interval=${timespecText(b, 0)}, value=${timespecText(b, 16)}}`);
      case 'itimerval_out':
        return fmtStruct(ctx, v, 32, (b) => `{interval=${timespecText(b, 0, 'usec')}, value=${timespecText(b, 16, 'usec')}}`);
      case 'rlimit_out': return fmtStruct(ctx, v, 16, (b) => `{cur=${rlimText(rdU64(b, 0))}, max=${rlimText(rdU64(b, 8))}}`);
      case 'sigaction_out': return fmtStruct(ctx, v, 32, sigactionText);
      case 'stat_out': return fmtStruct(ctx, v, 144, statText);
      case 'utsname_out': return fmtStruct(ctx, v, 390, utsnameText);
      case 'pipefds_out': return fmtStruct(ctx, v, 8, (b) => `[${rdI32(b, 0)}, ${rdI32(b, 4)}]`);
      case 'wstatus_out': return ctx.ret > 0n ? fmtStruct(ctx, v, 4, (b) => wstatusText(rdI32(b, 0))) : hex(v);
      default: return hex(v);
    }
  }

  // Kinds that depend on another argument.
  switch (base) {
    case 'fcntlarg': return fcntlArg(i32(other), v, ctx);
    case 'sockopt': {
      const t = SOCKOPTS_BY_LEVEL.get(i32(other));
      return t === undefined ? String(i32(v)) : enumName(i32(v), t);
    }
    case 'futex_timeout': {
      const cmd = u32(other) & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
      if (cmd === 0 || cmd === 6 || cmd === 9 || cmd === 11 || cmd === 13) {
        return fmtStruct(ctx, v, 16, (b) => timespecText(b, 0));
      }
      return String(u32(v)); // val2
    }
    case 'prctlarg': {
      switch (i32(other)) {
        case 1: return signalName(i32(v)); // PR_SET_PDEATHSIG
        case 15: return fmtString(ctx, v); // PR_SET_NAME
        case 16: return exitOk ? fmtString(ctx, v) : hex(v); // PR_GET_NAME
        case 4: case 8: case 24: case 23: case 36: case 38: case 41: return String(i32(v));
        default: return hex(v);
      }
    }
    default: return hex(v);
  }
}

function fcntlArg(cmd: number, v: bigint, ctx: Ctx): string {
  switch (cmd) {
    case 0: case 1030: // F_DUPFD, F_DUPFD_CLOEXEC
    case 8: case 1031: // F_SETOWN, F_SETPIPE_SZ
      return String(i32(v));
    case 2: return flags(BigInt(u32(v)), [[1, 'FD_CLOEXEC']]); // F_SETFD
    case 4: return openFlags(BigInt(u32(v))); // F_SETFL
    case 10: return signalName(i32(v)); // F_SETSIG
    case 1024: return enumName(i32(v), LEASES); // F_SETLEASE
    case 1033: return flags(BigInt(u32(v)), SEALS); // F_ADD_SEALS
    case 5: case 6: case 7: case 36: case 37: case 38: // struct flock
      return fmtStruct(ctx, v, 32, (b) =>
        `{type=${enumName(rdI16(b, 0), LEASES)}, whence=${enumName(rdI16(b, 2), WHENCE)}, start=${rdI64(b, 8)}, len=${rdI64(b, 16)}, pid=${rdI32(b, 24)}}`);
    default: return hex(v);
  }
}
