// The debug log (runsc --debug-log): what the Sentry has to say about a
// run (unimplemented system calls, faults, decisions), never mixed into
// the program's own stdout or stderr. Without --debug-log nothing is
// written. Lines are written synchronously so a crash loses nothing.

import * as fs from 'node:fs';

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

  debug(msg: string): void { this.write('D', msg); }
  info(msg: string): void { this.write('I', msg); }
  warn(msg: string): void { this.write('W', msg); }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
