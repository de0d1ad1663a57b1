// `tsvisor ps` (runc's ps.go, runsc's cmd/ps.go): the container's
// processes, from the Sentry's own list (the control socket's Processes:
// src/control/lifecycle.ts), laid out as procps's ps(1) lays them out.
//
// runc runs the host's `ps` with the arguments after the container id
// (`-ef` without any) and keeps the lines whose PID is one of the
// container's. Its processes are host processes; tsvisor's live in the
// Sentry (no host process is one of them: the stubs only run their
// code), so the host's ps cannot see them, and runsc prints a table of
// its own and takes no ps arguments. tsvisor does what runc's callers
// expect: with no arguments, `ps -ef`'s columns (UID PID PPID C STIME TTY
// TIME CMD, the user named from the host's /etc/passwd as the host's ps
// names it); with arguments, the ps(1) options below, honoured as procps
// 4 does, and any other refused by name. The pids are the container's
// own (runsc's too), not host pids.
//
// Options: -e and -A (every process), a and x (BSD: with x, the BSD
// format PID TTY STAT TIME COMMAND), e (BSD: the environment after the
// command), -f (full format), -o LIST, -oLIST, o LIST and --format LIST
// (keywords below, each KEY or KEY=HEADER; no header line when every
// header is empty). As procps does, a dashed x makes every dashed option
// BSD-style: `-e -x` is BSD e and x (runc's ps.bats runs it). Every
// process of the container is always listed: the selection options are
// taken because they mean that; ps(1) without one would list only the
// caller's terminal's, tsvisor lists them all. -f with x (whose format
// procps makes depend on their order) is refused; so is every option
// that narrows the selection (-p, -u, -t...) or another format (-l, -F,
// u, j, v, s...).
//
// Where it differs from procps: args (and the environment) are cut at
// 512 bytes, and are the command name for a list too long for one control message (lifecycle.ts);
// the user's name comes from the host's /etc/passwd, for the uid as the
// container sees it (no user namespace mapping).

import type { Command } from 'commander';
import * as fs from 'node:fs';
import type { ProcessInfo } from '../control/protocol.js';
import { Container } from '../container/container.js';
import { ContainerError } from '../container/errors.js';
import { runtime } from './runtime.js';
import type { GlobalsFn } from './runtime.js';

type Align = 'left' | 'right';

interface Column {
  header: string;
  width: number;
  align: Align;
  value: (p: ProcessInfo, c: PsContext) => string;
}

/** What a column's value may need beyond the process. */
export interface PsContext {
  /** Now, CLOCK_REALTIME milliseconds. */
  nowMs: number;
  /** A user name for a uid, or null. */
  userName: (uid: number) => string | null;
  /** BSD e: the command line is followed by the environment. */
  environment: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** procps's pr_time: [DD-]HH:MM:SS of CPU time. */
function cpuTime(us: number): string {
  const t = Math.floor(us / 1e6);
  const dd = Math.floor(t / 86400);
  const hms = `${pad2(Math.floor(t / 3600) % 24)}:${pad2(Math.floor(t / 60) % 60)}:${pad2(t % 60)}`;
  return dd > 0 ? `${dd}-${hms}` : hms;
}

/** procps's pr_bsdtime: M:SS of CPU time. */
function bsdTime(us: number): string {
  const t = Math.floor(us / 1e6);
  return `${Math.floor(t / 60)}:${pad2(t % 60)}`;
}

/** procps's pr_etime: [[DD-]HH:]MM:SS since the start. */
function elapsed(p: ProcessInfo, c: PsContext): string {
  const t = Math.max(0, Math.floor((c.nowMs - p.startTime) / 1000));
  const dd = Math.floor(t / 86400), hh = Math.floor(t / 3600) % 24, mm = Math.floor(t / 60) % 60, ss = t % 60;
  if (dd > 0) return `${dd}-${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
  if (hh > 0) return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
  return `${pad2(mm)}:${pad2(ss)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** procps's pr_stime (gVisor's formatStartTime): HH:MM today, MonDD this year, else the year; local time. */
function startTime(p: ProcessInfo, c: PsContext): string {
  const st = new Date(p.startTime), now = new Date(c.nowMs);
  if (st.getFullYear() !== now.getFullYear()) return String(st.getFullYear());
  const dayOfYear = (d: Date) => Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86400000);
  if (dayOfYear(st) !== dayOfYear(now)) return `${MONTHS[st.getMonth()]}${pad2(st.getDate())}`;
  return `${pad2(st.getHours())}:${pad2(st.getMinutes())}`;
}

/** procps's pr_c: CPU time over the time since the start, in percent, at most 99. */
function cpuPercent(p: ProcessInfo, c: PsContext): string {
  const lifetimeUs = (c.nowMs - p.startTime) * 1000;
  if (lifetimeUs <= 0) return '0';
  return String(Math.min(99, Math.floor((p.cpuUs * 100) / lifetimeUs)));
}

/** procps's STAT: the state, < or N by nice, s for a session leader, l with threads, + in the terminal's foreground group. */
function stat(p: ProcessInfo): string {
  let s = p.state;
  if (p.nice < 0) s += '<';
  else if (p.nice > 0) s += 'N';
  if (p.pid === p.sid) s += 's';
  if (p.threads > 1) s += 'l';
  if (p.foreground) s += '+';
  return s;
}

/** A user's name, or the uid when it has none or it is longer than the column (procps's rule). */
function user(width: number) {
  return (p: ProcessInfo, c: PsContext): string => {
    const name = c.userName(p.uid);
    return name !== null && name.length <= width ? name : String(p.uid);
  };
}

/** procps's args: the command line, or [comm] without one; with BSD e, the environment after it. */
function args(p: ProcessInfo, c: PsContext): string {
  const cmd = p.args !== '' ? p.args : `[${p.cmd}]`;
  return c.environment && p.env !== '' ? `${cmd} ${p.env}` : cmd;
}

const col = (header: string, width: number, align: Align, value: Column['value']): Column => ({ header, width, align, value });
const num = (header: string, f: (p: ProcessInfo) => number) => col(header, 5, 'right', (p) => String(f(p)));

/** ps -o's keywords tsvisor knows (procps's names, headers and widths). */
const KEYWORDS: Readonly<Record<string, Column>> = {
  pid: num('PID', (p) => p.pid),
  ppid: num('PPID', (p) => p.ppid),
  pgid: num('PGID', (p) => p.pgid),
  pgrp: num('PGRP', (p) => p.pgid),
  sid: num('SID', (p) => p.sid),
  sess: num('SESS', (p) => p.sid),
  uid: num('UID', (p) => p.uid),
  euid: num('EUID', (p) => p.uid),
  user: col('USER', 8, 'left', user(8)),
  euser: col('EUSER', 8, 'left', user(8)),
  uname: col('USER', 8, 'left', user(8)),
  c: col('C', 2, 'right', cpuPercent),
  stime: col('STIME', 5, 'left', startTime),
  tty: col('TT', 8, 'left', (p) => p.tty),
  tt: col('TT', 8, 'left', (p) => p.tty),
  tname: col('TTY', 8, 'left', (p) => p.tty),
  time: col('TIME', 8, 'right', (p) => cpuTime(p.cpuUs)),
  cputime: col('TIME', 8, 'right', (p) => cpuTime(p.cpuUs)),
  bsdtime: col('TIME', 6, 'right', (p) => bsdTime(p.cpuUs)),
  etime: col('ELAPSED', 11, 'right', elapsed),
  stat: col('STAT', 4, 'left', stat),
  s: col('S', 1, 'left', (p) => p.state),
  state: col('S', 1, 'left', (p) => p.state),
  nlwp: col('NLWP', 4, 'right', (p) => String(p.threads)),
  thcount: col('THCNT', 5, 'right', (p) => String(p.threads)),
  ni: col('NI', 3, 'right', (p) => String(p.nice)),
  nice: col('NI', 3, 'right', (p) => String(p.nice)),
  comm: col('COMMAND', 15, 'left', (p) => p.cmd),
  ucomm: col('COMMAND', 15, 'left', (p) => p.cmd),
  ucmd: col('CMD', 15, 'left', (p) => p.cmd),
  args: col('COMMAND', 27, 'left', args),
  command: col('COMMAND', 27, 'left', args),
  cmd: col('CMD', 27, 'left', args),
};

const renamed = (key: string, header: string): Column => ({ ...KEYWORDS[key], header });

/** procps's formats: -f's (UID is the user's name), x's (BSD), and the plain one. */
const FULL = [renamed('user', 'UID'), KEYWORDS.pid, KEYWORDS.ppid, KEYWORDS.c, KEYWORDS.stime, KEYWORDS.tname, KEYWORDS.time, KEYWORDS.cmd];
const BSD = [KEYWORDS.pid, KEYWORDS.tname, KEYWORDS.stat, KEYWORDS.bsdtime, KEYWORDS.args];
const PLAIN = [KEYWORDS.pid, KEYWORDS.tname, KEYWORDS.time, KEYWORDS.ucmd];

const TAKEN = 'tsvisor lists the container\'s processes itself and takes these ps(1) options: -e, -A, a, x, -x, e, -f, -o LIST, --format LIST';

function refuse(what: string): ContainerError {
  return new ContainerError(`ps: ${what}: not supported (${TAKEN})`);
}

/** The columns of one -o list (KEY or KEY=HEADER, comma- or space-separated). */
function outputList(list: string): Column[] {
  const cols: Column[] = [];
  for (const item of list.split(/[,\s]+/).filter((x) => x !== '')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const c = KEYWORDS[key];
    if (c === undefined) {
      throw new ContainerError(`ps: -o ${key}: unknown or unsupported keyword (tsvisor knows ${Object.keys(KEYWORDS).join(', ')})`);
    }
    cols.push(eq < 0 ? c : { ...c, header: item.slice(eq + 1) });
  }
  if (cols.length === 0) throw new ContainerError('ps: -o needs a list of keywords');
  return cols;
}

/** One argument: dashed (UNIX) or not (BSD), its letters before an o, and o's list. */
interface Opt {
  unix: boolean;
  letters: string;
  list: string | null;
}

function options(argv: readonly string[]): Opt[] {
  const out: Opt[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const listAfter = (rest: string, opt: string): string => {
      if (rest !== '') return rest;
      if (i + 1 < argv.length) return argv[++i];
      throw new ContainerError(`ps: ${opt} needs a list of keywords`);
    };
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if ((eq < 0 ? a : a.slice(0, eq)) !== '--format') throw refuse(a);
      out.push({ unix: true, letters: '', list: listAfter(eq < 0 ? '' : a.slice(eq + 1), '--format') });
      continue;
    }
    const unix = a.startsWith('-');
    const body = unix ? a.slice(1) : a;
    if (body === '') throw refuse(JSON.stringify(a));
    const o = body.indexOf('o');
    out.push({ unix, letters: o < 0 ? body : body.slice(0, o), list: o < 0 ? null : listAfter(body.slice(o + 1), unix ? '-o' : 'o') });
  }
  return out;
}

/** What ps(1) would print for argv (runc's default: -ef): its columns, and whether the command shows the environment. */
export interface PsFormat {
  columns: Column[];
  environment: boolean;
}

export function psFormat(argv: readonly string[]): PsFormat {
  if (argv.length === 0) return { columns: FULL, environment: false };
  const opts = options(argv);
  // procps reads every dashed option BSD-style once one of them is x (its
  // fallback for "ps -aux"): `ps -e -x` is BSD e (the environment) and x.
  const bsdDashes = opts.some((o) => o.unix && o.letters.includes('x'));
  let full = false, bsdX = false, environment = false;
  const custom: Column[] = [];
  for (const o of opts) {
    for (const l of o.letters) {
      if (o.unix && !bsdDashes) {
        if (l === 'f') full = true;
        else if (l !== 'e' && l !== 'A') throw refuse(`-${l}`);
      } else if (l === 'x') {
        bsdX = true;
      } else if (l === 'e') {
        environment = true;
      } else if (o.unix && l === 'f') {
        throw refuse('-f with -x (ps(1) then reads -f as BSD f, the process forest)');
      } else if (l !== 'a') {
        throw refuse(o.unix ? `-${l}` : l);
      }
    }
    if (o.list !== null) custom.push(...outputList(o.list));
  }
  if (full && bsdX) throw refuse('-f with x (procps makes their format depend on their order: give -o instead)');
  const columns = custom.length > 0 ? custom : full ? FULL : bsdX ? BSD : PLAIN;
  return { columns, environment };
}

/** The table: procps's layout, one space between columns, the last one unpadded when it is left-aligned. */
export function psTable(cols: readonly Column[], list: readonly ProcessInfo[], c: PsContext): string {
  const cell = (text: string, k: number) => {
    const { width, align } = cols[k];
    if (k === cols.length - 1 && align === 'left') return text;
    // A left-aligned column's text is cut at its width unless it is the last (procps's args and comm).
    if (align === 'left') return text.length > width ? text.slice(0, width) : text.padEnd(width);
    return text.padStart(width);
  };
  const rows: string[] = [];
  if (cols.some((x) => x.header !== '')) rows.push(cols.map((x, k) => cell(x.header, k)).join(' '));
  for (const p of list) rows.push(cols.map((x, k) => cell(x.value(p, c), k)).join(' '));
  return rows.map((r) => `${r}\n`).join('');
}

/** A uid's name from the host's /etc/passwd (what the host's ps(1) shows runc's callers), read once. */
export function hostUserNames(): (uid: number) => string | null {
  let names: Map<number, string> | null = null;
  return (uid) => {
    if (names === null) {
      names = new Map();
      try {
        for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
          const f = line.split(':');
          if (f.length > 2 && /^\d+$/.test(f[2]) && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]);
        }
      } catch {
        // No /etc/passwd: uids are shown as numbers.
      }
    }
    return names.get(uid) ?? null;
  };
}

/** Adds `ps` to program. */
export function addPsCommand(program: Command, globals: GlobalsFn): void {
  program.command('ps')
    .description('list the container\'s processes (its own pids, as runsc lists them), in ps -ef\'s columns or as ps(1) options after the id say')
    .option('-f, --format <format>', 'table or json (the pids, as runc prints them)', 'table')
    .argument('<container-id>')
    .argument('[ps-options...]', 'ps(1) options: -e, -A, a, x, -x, -f, -o LIST, --format LIST (default -ef)')
    .passThroughOptions()
    .action(async (id: string, psArgs: string[], o: { format: string }) => {
      if (o.format !== 'table' && o.format !== 'json') throw new ContainerError(`--format ${o.format}: expected table or json`);
      if (o.format === 'json' && psArgs.length > 0) throw new ContainerError('ps: ps(1) options are for --format table');
      // Checked before the container is asked: a bad option fails alike whatever its state.
      const fmt = o.format === 'table' ? psFormat(psArgs) : null;
      const ps = await Container.load(runtime(globals()), id).processes();
      if (o.format === 'json') {
        // runc's Go encoding: a stopped container's list is nil, null.
        process.stdout.write(`${JSON.stringify(ps.length === 0 ? null : ps.map((p) => p.pid))}\n`);
        return;
      }
      if (fmt !== null) process.stdout.write(psTable(fmt.columns, ps, { nowMs: Date.now(), userName: hostUserNames(), environment: fmt.environment }));
    });
}
