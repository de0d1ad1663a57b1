// The debug log (runsc --debug-log): what the Sentry has to say about a
// run (unimplemented system calls, faults, decisions), never mixed into
// the program's own stdout or stderr. Without --debug-log nothing is
// written. Lines are written synchronously so a crash loses nothing.
//
// The OCI commands' --log (runc's) uses the same class in runc's formats:
// 'text', logrus's `time="..." level=error msg="..."`, or 'json', one
// `{"level":"error","msg":"...","time":"..."}` object a line, which
// callers such as podman and containerd parse for the error; and, without
// --debug, no debug lines. The default, 'sentry', is the debug log's own.

import * as fs from 'node:fs';

/**
 * Writes to tsvisor's stderr (fd 2) with write(2) alone. process.stderr is
 * never used by the Sentry: making it opens a libuv handle on fd 2, which
 * sets O_NONBLOCK on the description the program shares (HostFD never
 * changes a host fd's flags), and for a socket asks getsockname, which the
 * sealed Sentry's filter does not allow.
 */
export function writeStderr(text: string): void {
  const b = Buffer.from(text);
  for (let off = 0, tries = 0; off < b.length && tries < 1000;) {
    try {
      off += fs.writeSync(2, b, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      tries++;
    }
  }
}

export type LogFormat = 'sentry' | 'text' | 'json';

const LEVEL_NAMES: Record<string, string> = { D: 'debug', I: 'info', W: 'warning', E: 'error' };
/** A level's rank: a line is written when its rank is at least the logger's. */
const LEVEL_RANKS: Record<string, number> = { D: 0, I: 1, W: 2, E: 3 };
const RANK_BY_NAME: Record<string, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export class Logger {
  private fd: number | null = null;
  private readonly format: LogFormat;
  /** The lowest level written (LEVEL_RANKS): debug, or info without opts.debug; Logging.Change moves it. */
  private minRank: number;

  /** Whether fd is this logger's own (opened from a file name: close() closes it). */
  private readonly ownFd: boolean;

  /**
   * opts.debug: whether debug lines are written (default: yes, as the
   * debug log always had them); opts.fd: a descriptor to write to instead
   * of a file (the runtime's stderr), never closed here.
   */
  constructor(file: string | null, opts: { format?: LogFormat; debug?: boolean; fd?: number } = {}) {
    this.format = opts.format ?? 'sentry';
    this.minRank = (opts.debug ?? true) ? 0 : 1;
    this.ownFd = file !== null;
    if (file !== null) this.fd = fs.openSync(file, 'a');
    else if (opts.fd !== undefined) this.fd = opts.fd;
  }

  private write(level: string, msg: string): void {
    if (this.fd === null || LEVEL_RANKS[level] < this.minRank) return;
    const ts = new Date().toISOString();
    let line: string;
    if (this.format === 'json') line = JSON.stringify({ level: LEVEL_NAMES[level], msg, time: ts });
    else if (this.format === 'text') line = `time=${JSON.stringify(ts)} level=${LEVEL_NAMES[level]} msg=${JSON.stringify(msg)}`;
    else line = `${level}${ts} ${process.pid} ${msg}`;
    fs.writeSync(this.fd, `${line}\n`);
  }

  /** The lowest level written: debug, info, warning or error (the control server's Logging.Change). */
  setLevel(name: 'debug' | 'info' | 'warning' | 'error'): void {
    this.minRank = RANK_BY_NAME[name];
  }

  /** Whether lines go anywhere (a --debug-log was given). */
  get enabled(): boolean {
    return this.fd !== null;
  }

  debug(msg: string): void { this.write('D', msg); }
  info(msg: string): void { this.write('I', msg); }
  warn(msg: string): void { this.write('W', msg); }
  error(msg: string): void { this.write('E', msg); }

  close(): void {
    if (this.fd !== null && this.ownFd) fs.closeSync(this.fd);
    this.fd = null;
  }
}
