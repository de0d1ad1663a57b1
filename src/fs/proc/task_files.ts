// The files of /proc/PID and /proc/PID/task/TID (Linux's fs/proc/array.c,
// base.c): each one a generator over the task's kernel state, in Linux
// 6.1's formats exactly. `whole` is true in /proc/PID, where stat and
// status sum over the whole process; false in a thread's directory.
// maps and smaps are in maps.ts.
//
// Differs from Linux: page-fault counts, context switches, VmPTE and
// VmPeak/VmHWM are not tracked (0, or the current size); SigPnd shows the
// thread's pending set and ShdPnd none, since the Sentry queues a
// process-directed signal on one thread; wchan is "0"; the tty column is 0
// (no controlling terminals yet).

import type { Task } from '../../kernel/task.js';
import { TaskState } from '../../kernel/task.js';
import { RLIM_INFINITY } from '../../kernel/thread_group.js';
import { cpuList, cpuMask } from '../../kernel/cpus.js';
import { EACCES, EINVAL, EPERM } from '../../abi/linux/errno.js';
import { CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from '../../abi/linux/capability.js';
import type { UserNamespace } from '../../kernel/user_namespace.js';
import { O_ACCMODE, O_RDONLY } from '../../vfs/file_description.js';
import { PAGE_SIZE } from '../../memory/memory_file.js';
import { hasMM, isZombie, liveThreadCount, mayPtraceRead, stateOf } from './task_state.js';
import { mountInfo, mountsText } from '../../vfs/mountinfo.js';
import type { Dentry } from '../../vfs/dentry.js';
import { mmFigures } from './maps.js';
import type { PIDNamespace } from '../../kernel/pid_namespace.js';

/** What a task file's generator is given. */
export interface TaskFileCtx {
  readonly task: Task;
  /** /proc/PID (the whole process) rather than /proc/PID/task/TID. */
  readonly whole: boolean;
  readonly caller: Task | null;
  /** The instance's pid namespace: the ids shown are its (default: the root one). */
  readonly pidns?: PIDNamespace;
}

export interface TaskFileSpec {
  readonly perm: number;
  /** Linux checks ptrace read access when the file is opened (EACCES). */
  readonly ptraceOnOpen?: boolean;
  /** Other checks at open (flags: open(2)'s): 0 or -errno. */
  mayOpen?(c: TaskFileCtx, flags: number): number;
  /** A write of nothing reaches `write` (it is not simply 0). */
  readonly writesEmpty?: boolean;
  gen(c: TaskFileCtx): string | Uint8Array | number;
  write?(c: TaskFileCtx, data: Uint8Array, offset: number): number;
}

const U64_MAX = '18446744073709551615';
const SIG_DFL = 0n, SIG_IGN = 1n;

function rlim(v: bigint): string {
  return v === RLIM_INFINITY ? U64_MAX : v.toString();
}

const ticks = (us: number): number => Math.floor(us / 10000);

/** The process's (or the thread's) CPU time in ticks: [user, system]. */
function cpuTicks(c: TaskFileCtx): [number, number] {
  if (c.whole) {
    const t = c.task.tg.cpuTime();
    return [ticks(t.userUs), ticks(t.sysUs)];
  }
  const x = isZombie(c.task) ? null : c.task.ctx.cpuTime();
  return x === null ? [0, 0] : [ticks(x.userUs), ticks(x.sysUs)];
}

/** Ignored and caught signals of the process, as bit masks (bit n-1 for signal n). */
function sigDispositions(t: Task): [bigint, bigint] {
  let ign = 0n, cgt = 0n;
  for (let s = 1; s <= 64; s++) {
    const h = t.tg.sigactions[s]?.handler ?? SIG_DFL;
    if (h === SIG_IGN) ign |= 1n << BigInt(s - 1);
    else if (h !== SIG_DFL) cgt |= 1n << BigInt(s - 1);
  }
  return [ign, cgt];
}

const hex16 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** Reads [start, end) of the task's memory, or null. */
function readMem(t: Task, start: number, end: number): Uint8Array | null {
  if (!hasMM(t) || end <= start) return null;
  return t.mm.copyIn(start, Math.min(end - start, 1 << 20));
}

/** Where the initial stack pointer was (the address of argc): derived from the stack the loader built, checked against it. */
function startStack(t: Task): number {
  const aux = t.mm.auxv;
  let random = 0;
  for (let i = 0; i + 1 < aux.length; i += 2) if (aux[i] === 25 /* AT_RANDOM */) random = aux[i + 1];
  if (random === 0) return 0;
  const count = (s: number, e: number): number => {
    const b = readMem(t, s, e);
    if (b === null) return 0;
    let n = 0;
    for (const x of b) if (x === 0) n++;
    return n;
  };
  const argc = count(t.mm.argvStart, t.mm.argvEnd);
  const envc = count(t.mm.envStart, t.mm.envEnd);
  const words = 1 + argc + 1 + envc + 1 + aux.length;
  const sp = Math.floor((random - words * 8) / 16) * 16;
  const w = t.mm.copyIn(sp, 16);
  if (w === null) return 0;
  const dv = new DataView(w.buffer, w.byteOffset, 16);
  const at = (o: number) => dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 4294967296;
  if (at(0) !== argc || (argc > 0 && at(8) !== t.mm.argvStart)) return 0;
  return sp;
}

/** Linux's PF_* flags of a task as stat shows them: PF_RANDOMIZE, PF_FORKNOEXEC before the first exec. */
function pfFlags(t: Task): number {
  const PF_FORKNOEXEC = 0x40, PF_RANDOMIZE = 0x400000, ADDR_NO_RANDOMIZE = 0x40000;
  let f = t.tg.personality & ADDR_NO_RANDOMIZE ? 0 : PF_RANDOMIZE;
  if (!t.tg.execed && t.tg !== t.kernel.initTg) f |= PF_FORKNOEXEC;
  if (isZombie(t)) f |= 0x4; // PF_EXITING
  return f;
}

function genStat(c: TaskFileCtx): string {
  const t = c.task, tg = t.tg;
  const [state] = stateOf(t);
  const [utime, stime] = cpuTicks(c);
  const permitted = mayPtraceRead(c.caller, t);
  const mmOk = hasMM(t);
  const f = mmOk ? mmFigures(t) : null;
  const [ign, cgt] = sigDispositions(t);
  const low31 = (v: bigint) => (v & 0x7fffffffn).toString();
  const p = (v: number) => (permitted && mmOk ? v : 0);
  const exitSignal = t === tg.leader ? tg.exitSignal : -1;
  const exitCode = permitted && tg.exitStatus !== null ? tg.exitStatus : 0;
  const ns = c.pidns ?? t.kernel.pidns;
  const ppid = tg.parent === null ? 0 : ns.idOfThreadGroup(tg.parent);
  const fields: (string | number)[] = [
    state, ppid, tg.pgrp.nr(ns), tg.session.nr(ns), 0, -1, pfFlags(t),
    0, 0, 0, 0, utime, stime, ticks(tg.childrenCpu.userUs), ticks(tg.childrenCpu.sysUs),
    20 + t.nice, t.nice, liveThreadCount(t), 0, tg.startTime,
    f?.vsize ?? 0, f === null ? 0 : f.rss / PAGE_SIZE, rlim(tg.rlimits[5].cur),
    p(f?.startCode ?? 0), p(f?.endCode ?? 0), p(mmOk ? startStack(t) : 0), 0, 0,
    low31(t.pendingMask), low31(t.sigmask), low31(ign), low31(cgt),
    permitted && t.state !== 0 ? 1 : 0, 0, 0, exitSignal, 0, 0, t.schedPolicy, 0, 0, 0,
    p(f?.startData ?? 0), p(f?.endData ?? 0), p(mmOk ? t.mm.brkStart : 0),
    p(mmOk ? t.mm.argvStart : 0), p(mmOk ? t.mm.argvEnd : 0), p(mmOk ? t.mm.envStart : 0), p(mmOk ? t.mm.envEnd : 0),
    exitCode,
  ];
  return `${ns.idOfTask(t)} (${t.comm}) ${fields.join(' ')}\n`;
}

function genStatm(c: TaskFileCtx): string {
  if (!hasMM(c.task)) return '0 0 0 0 0 0 0\n';
  const f = mmFigures(c.task);
  const pg = (b: number) => Math.floor(b / PAGE_SIZE);
  return `${pg(f.vsize)} ${pg(f.rss)} ${pg(f.rssFile + f.rssShmem)} ${pg(f.exe)} 0 ${pg(f.data + f.stack)} 0\n`;
}

/** Linux's status Name: escapes (ESCAPE_SPACE | ESCAPE_SPECIAL) so that the line stays one line. */
function escapeName(s: string): string {
  return s.replace(/[\\\n\t\r\f\v\x07\x08\x1b]/g, (ch) => {
    const named: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\x08': '\\b', '\x1b': '\\e' };
    return named[ch];
  });
}

function fdSize(t: Task): number {
  const fds = t.fdTable.fds();
  const max = fds.length === 0 ? 0 : fds[fds.length - 1] + 1;
  let n = 64;
  while (n < max) n *= 2;
  return n;
}

function genStatus(c: TaskFileCtx): string {
  const t = c.task, tg = t.tg, cr = t.creds;
  // The ids as the reader's user namespace shows them.
  const ns = readerNs(c);
  const u = (k: number) => ns.mungedUid(k), g = (k: number) => ns.mungedGid(k);
  const [st, stName] = stateOf(t);
  // Ids in the instance's namespace; the NS* lines go on from it down to the task's own (Linux's proc_pid_status).
  const pns = c.pidns ?? t.kernel.pidns, own = t.threadPid;
  const levels: PIDNamespace[] = [];
  for (let o: PIDNamespace | null = own.ns; o !== null && o.level >= pns.level; o = o.parent) levels.unshift(o);
  const nsLine = (f: (o: PIDNamespace) => number) => levels.map(f).join('\t');
  const kb = (b: number) => `${String(Math.floor(b / 1024)).padStart(8)} kB`;
  const lines: string[] = [
    `Name:\t${escapeName(t.comm)}`,
    `Umask:\t${t.umask.toString(8).padStart(4, '0')}`,
    `State:\t${st} (${stName})`,
    `Tgid:\t${tg.tgidPid.nr(pns)}`,
    'Ngid:\t0',
    `Pid:\t${own.nr(pns)}`,
    `PPid:\t${tg.parent === null ? 0 : tg.parent.tgidPid.nr(pns)}`,
    'TracerPid:\t0',
    `Uid:\t${u(cr.ruid)}\t${u(cr.euid)}\t${u(cr.suid)}\t${u(cr.fsuid)}`,
    `Gid:\t${g(cr.rgid)}\t${g(cr.egid)}\t${g(cr.sgid)}\t${g(cr.fsgid)}`,
    `FDSize:\t${isZombie(t) ? 0 : fdSize(t)}`,
    `Groups:\t${cr.groups.map((x) => `${g(x)} `).join('') || ' '}`.replace(/ $/, ' '),
    `NStgid:\t${nsLine((o) => tg.tgidPid.nr(o))}`,
    `NSpid:\t${nsLine((o) => own.nr(o))}`,
    `NSpgid:\t${nsLine((o) => tg.pgrp.nr(o))}`,
    `NSsid:\t${nsLine((o) => tg.session.nr(o))}`,
  ];
  if (hasMM(t)) {
    const f = mmFigures(t);
    lines.push(
      `VmPeak:\t${kb(f.vsize)}`, `VmSize:\t${kb(f.vsize)}`, `VmLck:\t${kb(0)}`, `VmPin:\t${kb(0)}`,
      `VmHWM:\t${kb(f.rss)}`, `VmRSS:\t${kb(f.rss)}`, `RssAnon:\t${kb(f.rssAnon)}`, `RssFile:\t${kb(f.rssFile)}`,
      `RssShmem:\t${kb(f.rssShmem)}`, `VmData:\t${kb(f.data)}`, `VmStk:\t${kb(f.stack)}`, `VmExe:\t${kb(f.exe)}`,
      `VmLib:\t${kb(f.lib)}`, `VmPTE:\t${kb(0)}`, `VmSwap:\t${kb(0)}`,
    );
  }
  lines.push('HugetlbPages:\t' + kb(0), 'CoreDumping:\t0', `THP_enabled:\t${t.prctl.thpDisable ? 0 : 1}`);
  const [ign, cgt] = sigDispositions(t);
  const queued = t.kernel.limits.pendingSignals.of(cr.ruid);
  lines.push(
    `Threads:\t${liveThreadCount(t)}`,
    `SigQ:\t${queued}/${rlim(tg.rlimits[11].cur)}`,
    `SigPnd:\t${hex16(t.pendingMask)}`,
    `ShdPnd:\t${hex16(0n)}`,
    `SigBlk:\t${hex16(t.sigmask)}`,
    `SigIgn:\t${hex16(ign)}`,
    `SigCgt:\t${hex16(cgt)}`,
    `CapInh:\t${hex16(cr.inheritable.toBigInt())}`,
    `CapPrm:\t${hex16(cr.permitted.toBigInt())}`,
    `CapEff:\t${hex16(cr.effective.toBigInt())}`,
    `CapBnd:\t${hex16(cr.bounding.toBigInt())}`,
    `CapAmb:\t${hex16(cr.ambient.toBigInt())}`,
    `NoNewPrivs:\t${t.prctl.noNewPrivs}`,
    `Seccomp:\t${t.seccompMode}`,
    `Seccomp_filters:\t${t.seccompFilters}`,
    `Cpus_allowed:\t${cpuMask()}`,
    `Cpus_allowed_list:\t${cpuList()}`,
    'Mems_allowed:\t00000001',
    'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0',
    'nonvoluntary_ctxt_switches:\t0',
  );
  return lines.join('\n') + '\n';
}

/** Linux's get_mm_cmdline: argv as the process left it; if it overwrote the final NUL (setproctitle), up to the first NUL after. */
function genCmdline(c: TaskFileCtx): Uint8Array | string {
  const t = c.task;
  if (!hasMM(t)) return '';
  const mm = t.mm;
  const args = readMem(t, mm.argvStart, mm.argvEnd);
  if (args === null || args.length === 0) return '';
  if (args[args.length - 1] === 0) return args;
  const all = readMem(t, mm.argvStart, Math.max(mm.envEnd, mm.argvEnd));
  if (all === null) return args;
  const nul = all.indexOf(0, 0);
  return nul < 0 ? all : all.subarray(0, nul);
}

function genEnviron(c: TaskFileCtx): Uint8Array | string {
  if (!hasMM(c.task)) return '';
  return readMem(c.task, c.task.mm.envStart, c.task.mm.envEnd) ?? '';
}

function genAuxv(c: TaskFileCtx): Uint8Array | string {
  if (!hasMM(c.task)) return '';
  const aux = [...c.task.mm.auxv];
  if (aux.length < 2 || aux[aux.length - 2] !== 0) aux.push(0, 0);
  const b = new Uint8Array(aux.length * 8);
  const dv = new DataView(b.buffer);
  aux.forEach((v, i) => {
    dv.setUint32(i * 8, v % 4294967296, true);
    dv.setUint32(i * 8 + 4, Math.floor(v / 4294967296), true);
  });
  return b;
}

/**
 * comm: the task may rename itself or a thread of its own process (Linux's
 * comm_write; EINVAL otherwise). As Linux, the first 15 bytes are the name,
 * up to a NUL, newline included ("echo x > comm" names it "x\n").
 */
function writeComm(c: TaskFileCtx, data: Uint8Array): number {
  if (c.caller === null || c.caller.tg !== c.task.tg) return -EINVAL;
  let s = Buffer.from(data.subarray(0, 15)).toString('latin1');
  const z = s.indexOf('\0');
  if (z >= 0) s = s.slice(0, z);
  c.task.comm = s;
  return data.length;
}

const RLIMIT_ROWS: [string, string][] = [
  ['Max cpu time', 'seconds'], ['Max file size', 'bytes'], ['Max data size', 'bytes'], ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'], ['Max resident set', 'bytes'], ['Max processes', 'processes'],
  ['Max open files', 'files'], ['Max locked memory', 'bytes'], ['Max address space', 'bytes'],
  ['Max file locks', 'locks'], ['Max pending signals', 'signals'], ['Max msgqueue size', 'bytes'],
  ['Max nice priority', ''], ['Max realtime priority', ''], ['Max realtime timeout', 'us'],
];

function genLimits(c: TaskFileCtx): string {
  let out = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  RLIMIT_ROWS.forEach(([name, unit], i) => {
    const r = c.task.tg.rlimits[i];
    const v = (x: bigint) => (x === RLIM_INFINITY ? 'unlimited' : x.toString()).padEnd(20);
    out += `${name.padEnd(25)} ${v(r.cur)} ${v(r.max)} ${unit === '' ? '\n' : unit.padEnd(10) + '\n'}`;
  });
  return out;
}

/**
 * oom_score as Linux 6.1's proc_oom_score: the badness (resident pages,
 * with oom_score_adj in thousandths of the sandbox's memory; no swap or
 * page tables here) scaled into 0..2000 as (1000 + badness*1000/total)*2/3.
 */
function genOomScore(c: TaskFileCtx): string {
  const adj = c.task.tg.oomScoreAdj;
  if (adj === -1000 || !hasMM(c.task)) return '0\n';
  const total = Math.max(1, c.task.kernel.mf.limit / PAGE_SIZE);
  const badness = Math.max(1, mmFigures(c.task).rss / PAGE_SIZE + Math.trunc((adj * total) / 1000));
  return `${Math.trunc(((1000 + Math.trunc((badness * 1000) / total)) * 2) / 3)}\n`;
}

/** oom_score_adj: -1000..1000; lowering it needs privilege (Linux: CAP_SYS_RESOURCE below oom_score_adj_min). */
function writeOomScoreAdj(c: TaskFileCtx, data: Uint8Array): number {
  const s = Buffer.from(data).toString('latin1').trim();
  if (!/^[-+]?\d+$/.test(s)) return -EINVAL;
  const v = Number(s);
  if (v < -1000 || v > 1000) return -EINVAL;
  const tg = c.task.tg;
  const resource = c.caller !== null && c.caller.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE);
  if (v < tg.oomScoreAdjMin && !resource) return -EACCES;
  tg.oomScoreAdj = v;
  if (resource) tg.oomScoreAdjMin = v;
  return data.length;
}

/** The user namespace the file is read in (Linux: the opener's; here the reader's). */
function readerNs(c: TaskFileCtx): UserNamespace {
  return (c.caller ?? c.task).creds.userns;
}

/**
 * uid_map and gid_map: the task's user namespace's map as the reader sees
 * it; one write defines it (UserNamespace.writeIdMap has Linux's rules).
 */
function idMapFile(uid: boolean): TaskFileSpec {
  return {
    perm: 0o644,
    writesEmpty: true,
    gen: (c) => c.task.creds.userns.mapText(uid, readerNs(c)),
    write: (c, data, offset) => {
      if (c.caller === null) return -EPERM;
      const r = c.task.creds.userns.writeIdMap(uid, c.caller.creds, Buffer.from(data).toString('latin1'), offset);
      return r < 0 ? r : data.length;
    },
  };
}

/**
 * setgroups: "allow" or "deny" for the task's user namespace. Opening it
 * for writing needs CAP_SYS_ADMIN there (EPERM, as Linux's
 * proc_setgroups_open); a write is at most 7 bytes at offset 0 (EINVAL).
 */
const SETGROUPS: TaskFileSpec = {
  perm: 0o644,
  writesEmpty: true,
  gen: (c) => c.task.creds.userns.setgroupsText,
  mayOpen: (c, flags) => {
    if ((flags & O_ACCMODE) === O_RDONLY) return 0;
    return c.caller !== null && c.caller.creds.hasCapabilityIn(CAP_SYS_ADMIN, c.task.creds.userns) ? 0 : -EPERM;
  },
  write: (c, data, offset) => {
    if (offset !== 0 || data.length >= 8) return -EINVAL;
    const r = c.task.creds.userns.writeSetgroups(Buffer.from(data).toString('latin1'));
    return r < 0 ? r : data.length;
  },
};

/** A task that has ended has no mount namespace (exit_task_namespaces): mounts_open_common's EINVAL. */
function hasMountNamespace(c: TaskFileCtx): number {
  return c.task.state === TaskState.Dead ? -EINVAL : 0;
}

/** The mount table of the task's namespace, as the caller's root sees it (Linux's show_mountinfo). */
function callerRoot(c: TaskFileCtx): Dentry {
  return (c.caller ?? c.task).root;
}

/** Per-task files, by name, in Linux's order of tgid_base_stuff. */
export const TASK_FILES: Readonly<Record<string, TaskFileSpec>> = {
  environ: { perm: 0o400, ptraceOnOpen: true, gen: genEnviron },
  auxv: { perm: 0o400, ptraceOnOpen: true, gen: genAuxv },
  status: { perm: 0o444, gen: genStatus },
  limits: { perm: 0o444, gen: genLimits },
  comm: { perm: 0o644, gen: (c) => `${c.task.comm}\n`, write: writeComm },
  cmdline: { perm: 0o444, gen: genCmdline },
  stat: { perm: 0o444, gen: genStat },
  statm: { perm: 0o444, gen: genStatm },
  mounts: { perm: 0o444, mayOpen: hasMountNamespace, gen: (c) => mountsText(c.task.fs.mntns, callerRoot(c)) },
  mountinfo: { perm: 0o444, mayOpen: hasMountNamespace, gen: (c) => mountInfo(c.task.fs.mntns, callerRoot(c)) },
  wchan: { perm: 0o444, gen: () => '0' },
  cgroup: { perm: 0o444, gen: () => '0::/\n' },
  oom_score: { perm: 0o444, gen: genOomScore },
  oom_score_adj: { perm: 0o644, gen: (c) => `${c.task.tg.oomScoreAdj}\n`, write: writeOomScoreAdj },
  loginuid: { perm: 0o644, gen: () => '4294967295', write: () => -EPERM },
  sessionid: { perm: 0o444, gen: () => '4294967295' },
  uid_map: idMapFile(true),
  gid_map: idMapFile(false),
  setgroups: SETGROUPS,
};

/** Only in /proc/PID, not in a thread's directory. */
export const PROCESS_ONLY = new Set(['mounts', 'mountinfo', 'oom_score', 'oom_score_adj', 'setgroups']);
