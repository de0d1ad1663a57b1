// The debug log (runsc --debug-log): what the Sentry has to say about a
// run (unimplemented system calls, faults, decisions), never mixed into
// the program's own stdout or stderr. Without --debug-log nothing is
// written. Lines are written synchronously so a crash loses nothing.

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

export class Logger {
  private fd: number | null = null;

  constructor(file: string | null) {
    if (file !== null) this.fd = fs.openSync(file, 'a');
  }

  private write(level: string, msg: string): void {
    if (this.fd === null) return;
    const ts = new Date().toISOString();
    fs.writeSync(this.fd, `${level}${ts} ${process.pid} ${msg}\n`);
  }

  /** Whether lines go anywhere (a --debug-log was given). */
  get enabled(): boolean {
    return this.fd !== null;
  }

  debug(msg: string): void { this.write('D', msg); }
  info(msg: string): void { this.write('I', msg); }
  warn(msg: string): void { this.write('W', msg); }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
