// The console of a foreground process with a terminal and no
// --console-socket (runc's tty.go: `runc run` and `runc exec -t` in the
// foreground): the runtime opens a pty itself, gives the process its
// replica, and copies between its own stdio and the master (stdin to the
// master, the master to stdout) until the process ends, with its own
// terminal in raw mode meanwhile and the pty's size following it.
//
// As runc: the terminal that is made raw (output processing kept) and
// whose size is copied is the first of stderr, stdout and stdin that is
// one, else /dev/tty (without any the command fails, as runc's does); the
// replica's ONLCR is cleared (runc's ClearONLCR: this terminal's own
// output processing adds the carriage returns once); once the process has
// ended, what it left in the pty is copied out and the terminal's modes
// are put back.
//
// Keys: in raw mode ^C reaches the pty as a byte, and the pty's line
// discipline signals the foreground group of the session it is the
// controlling terminal of. For `run` that session is the Sentry's (it
// takes the replica as its controlling terminal: src/boot/loader.ts) and
// the signal reaches the container from there. An exec'd process's pty
// is no host process's controlling terminal (this command stays in its
// caller's session, where the caller's terminal sends it its resizes), so
// for exec the relay does what the line discipline would have done: with
// ISIG in the pty's modes, VINTR, VQUIT and VSUSP call onKey with SIGINT,
// SIGQUIT and SIGTSTP (sent to the process's foreground group), and a
// resize calls onResize (SIGWINCH). Differs from runc: runc's SIGINT
// handler puts the terminal back and exits 0; here SIGINT, like every
// signal the command gets, is the caller's (src/cli/oci.ts, exec.ts).
//
// Mechanism: native openPty, ioctl (TCGETS/TCSETS/TIOCGWINSZ/TIOCSWINSZ),
// non-blocking reads and writes of the master watched on the event loop
// (native watchFd), stdin through Node's own stream.

import * as fs from 'node:fs';
import { native } from '../native.js';
import { ContainerError } from '../container/errors.js';

const TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
const POLLIN = 1, POLLOUT = 4;
const O_NONBLOCK = 0o4000;
const EAGAIN = 11, EIO = 5;
/** struct termios's fields (asm-generic/termbits.h). */
const IFLAG = 0, OFLAG = 4, CFLAG = 8, LFLAG = 12, CC = 17;
const VINTR = 0, VQUIT = 1, VTIME = 5, VMIN = 6, VSUSP = 10;
const IGNBRK = 0o1, BRKINT = 0o2, PARMRK = 0o10, ISTRIP = 0o40, INLCR = 0o100, IGNCR = 0o200, ICRNL = 0o400, IXON = 0o2000;
const OPOST = 0o1, ONLCR = 0o4;
const CSIZE = 0o60, CS8 = 0o60, PARENB = 0o400;
const ISIG = 0o1, ICANON = 0o2, ECHO = 0o10, ECHONL = 0o100, IEXTEN = 0o100000;
const SIGINT = 2, SIGQUIT = 3, SIGTSTP = 20;

/** The one watch callback of this process (native watchInit takes one): fd to its handler. */
const watchers = new Map<number, (revents: number) => void>();
let watching = false;

function watch(fd: number, events: number, cb: (revents: number) => void): void {
  if (!watching) {
    const r = native.watchInit((wfd, revents) => watchers.get(wfd)?.(revents));
    if (r < 0) throw new ContainerError(`cannot watch the console (errno ${-r})`);
    watching = true;
  }
  watchers.set(fd, cb);
  native.watchFd(fd, events);
}

function unwatch(fd: number): void {
  watchers.delete(fd);
  native.unwatchFd(fd);
}

function isTerminal(fd: number): boolean {
  return native.ioctl(fd, TCGETS, new Uint8Array(64)) === 0;
}

/** cfmakeraw(3) on a termios buffer, but for OPOST, kept as containerd's console SetRaw keeps it (runc's). */
function makeRaw(t: Uint8Array): void {
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const and = (off: number, clear: number, set = 0) => v.setUint32(off, ((v.getUint32(off, true) & ~clear) | set) >>> 0, true);
  and(IFLAG, IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  and(OFLAG, 0, OPOST);
  and(LFLAG, ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  and(CFLAG, CSIZE | PARENB, CS8);
  t[CC + VMIN] = 1;
  t[CC + VTIME] = 0;
}

export class ConsoleRelay {
  /** Called with SIGINT, SIGQUIT or SIGTSTP for a key the pty's modes make a signal (exec: see the file comment). */
  onKey: ((signo: number) => void) | null = null;
  private replica: number;
  private readonly writeFd: number;
  private readonly pending: Buffer[] = [];
  private readonly saved = new Uint8Array(64);
  private restored = false;
  private readDone = false;
  private readonly onWinch = () => this.resize();
  private readonly onExit = () => this.restore();
  private readonly onStdin = (b: Buffer) => this.input(b);
  private readonly buf = Buffer.alloc(64 * 1024);

  private constructor(private readonly master: number, replica: number, private readonly host: number, private readonly ownHost: boolean) {
    this.replica = replica;
    this.writeFd = native.dup(master);
  }

  /**
   * Opens the pty, sized as this command's terminal, and puts that
   * terminal in raw mode; the copying starts at once. onResize: called
   * after each resize the terminal signals (SIGWINCH).
   */
  static open(onResize: (() => void) | null = null): ConsoleRelay {
    let host = [2, 1, 0].find(isTerminal) ?? -1;
    let own = false;
    if (host < 0) {
      try {
        host = fs.openSync('/dev/tty', fs.constants.O_RDONLY | fs.constants.O_NOCTTY);
        own = true;
      } catch (e) {
        throw new ContainerError(`process.terminal: cannot open a console: stdin, stdout and stderr are no terminal, and /dev/tty cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); use --console-socket, or process.terminal false`);
      }
    }
    const ws = new Uint8Array(64);
    const sized = native.ioctl(host, TIOCGWINSZ, ws) === 0;
    const dv = new DataView(ws.buffer);
    const pty = native.openPty(sized ? dv.getUint16(0, true) : 0, sized ? dv.getUint16(2, true) : 0);
    if (typeof pty === 'number') {
      if (own) fs.closeSync(host);
      throw new ContainerError(`cannot open a pseudo-terminal for the console (errno ${-pty})`);
    }
    const relay = new ConsoleRelay(pty.master, pty.replica, host, own);
    try {
      relay.setUp(onResize);
    } catch (e) {
      relay.close();
      throw e;
    }
    return relay;
  }

  private setUp(onResize: (() => void) | null): void {
    // The replica's output as the program wrote it (runc's ClearONLCR).
    const t = new Uint8Array(64);
    if (native.ioctl(this.replica, TCGETS, t) === 0) {
      const v = new DataView(t.buffer);
      v.setUint32(OFLAG, (v.getUint32(OFLAG, true) & ~ONLCR) >>> 0, true);
      native.ioctl(this.replica, TCSETS, t);
    }
    const fl = native.getfl(this.master);
    if (fl < 0 || native.setfl(this.master, fl | O_NONBLOCK) < 0) throw new ContainerError('cannot make the console\'s master non-blocking');
    if (native.ioctl(this.host, TCGETS, this.saved) === 0) {
      const raw = new Uint8Array(this.saved);
      makeRaw(raw);
      const r = native.ioctl(this.host, TCSETS, raw);
      if (r < 0) throw new ContainerError(`cannot put this terminal in raw mode for the console (errno ${-r})`);
      process.on('exit', this.onExit);
    } else {
      this.restored = true;
    }
    process.on('SIGWINCH', this.onWinch);
    if (onResize !== null) process.on('SIGWINCH', onResize);
    this.resizeHandler = onResize;
    watch(this.master, POLLIN, (rev) => this.output(rev));
    try {
      process.stdin.on('data', this.onStdin);
      process.stdin.on('error', () => {});
    } catch {
      // No stdin (fd 0 closed): nothing to copy in.
    }
  }

  private resizeHandler: (() => void) | null = null;

  /** The replica, the process's stdin, stdout and stderr: the caller's to pass on and close. */
  takeReplica(): number {
    const r = this.replica;
    this.replica = -1;
    return r;
  }

  /** The pty's size from this command's terminal (TIOCSWINSZ on the master: the pty's line discipline sends SIGWINCH). */
  resize(): void {
    const ws = new Uint8Array(64);
    if (native.ioctl(this.host, TIOCGWINSZ, ws) === 0) native.ioctl(this.master, TIOCSWINSZ, ws);
  }

  /** stdin's bytes to the master; a key the pty's modes make a signal goes to onKey too. */
  private input(b: Buffer): void {
    if (this.onKey !== null) {
      const t = new Uint8Array(64);
      if (native.ioctl(this.master, TCGETS, t) === 0 && (new DataView(t.buffer).getUint32(LFLAG, true) & ISIG) !== 0) {
        const keys = new Map([[t[CC + VINTR], SIGINT], [t[CC + VQUIT], SIGQUIT], [t[CC + VSUSP], SIGTSTP]]);
        keys.delete(0);
        for (const ch of b) {
          const sig = keys.get(ch);
          if (sig !== undefined) this.onKey(sig);
        }
      }
    }
    this.pending.push(b);
    this.flushInput();
  }

  private flushInput(): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const n = native.pwrite(this.writeFd, head, -1);
      if (n === -EAGAIN) {
        watch(this.writeFd, POLLOUT, () => this.flushInput());
        return;
      }
      if (n < 0) {
        // The pty is gone (the process ended): nothing more goes in.
        this.pending.length = 0;
        return;
      }
      if (n < head.length) this.pending[0] = head.subarray(n);
      else this.pending.shift();
    }
  }

  /** The master's bytes to stdout, until it would block (watched again) or the pty is closed (EIO: every replica is closed). */
  private output(_revents: number): void {
    if (this.readDone) return;
    for (;;) {
      const n = native.pread(this.master, this.buf, -1);
      if (n === -EAGAIN) {
        native.watchFd(this.master, POLLIN);
        return;
      }
      if (n <= 0) {
        // EIO once no replica is open (a pty master has no EOF); any other error ends the copy too.
        this.readDone = n === -EIO || n <= 0;
        unwatch(this.master);
        return;
      }
      writeAll(1, this.buf.subarray(0, n));
    }
  }

  /**
   * The process has ended: copies out what it left in the pty, puts the
   * terminal back, and lets go of everything.
   */
  finish(): void {
    if (!this.readDone) {
      unwatch(this.master);
      this.output(0);
      unwatch(this.master);
    }
    this.close();
  }

  private close(): void {
    watchers.delete(this.master);
    watchers.delete(this.writeFd);
    native.unwatchFd(this.master);
    native.unwatchFd(this.writeFd);
    process.off('SIGWINCH', this.onWinch);
    if (this.resizeHandler !== null) process.off('SIGWINCH', this.resizeHandler);
    try {
      process.stdin.off('data', this.onStdin);
      process.stdin.destroy();
    } catch {
      // No stdin.
    }
    this.restore();
    process.off('exit', this.onExit);
    if (this.replica >= 0) native.close(this.replica);
    native.close(this.writeFd);
    native.close(this.master);
    if (this.ownHost) fs.closeSync(this.host);
  }

  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    native.ioctl(this.host, TCSETS, this.saved);
  }
}

/** All of b to fd (stdout may be a non-blocking pipe: waited on when full). */
function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += fs.writeSync(fd, b, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      native.poll1(fd, POLLOUT, 1000);
    }
  }
}
