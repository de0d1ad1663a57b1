// The line discipline (Linux drivers/tty/n_tty.c, gVisor
// pkg/sentry/fsimpl/devpts/line_discipline.go): what a terminal does with
// the bytes typed at it (input: from the pty master to the replica's
// readers) and the bytes programs write to it (output: from the replica's
// writers to the master's reader), as the termios modes say.
//
// Input is received one byte at a time, in Linux's order: ISTRIP, IXON
// start/stop, ISIG (INTR, QUIT, SUSP signal the foreground group and,
// without NOFLSH, flush the input), IGNCR/ICRNL/INLCR, then in canonical
// mode the editing characters (ERASE, KILL, WERASE, LNEXT, REPRINT) and
// the line ends (NL, EOF, EOL, EOL2), then echo (ECHO, ECHOCTL's ^X,
// ECHOE/ECHOKE erasing, ECHOK, ECHONL). Received bytes wait in the read
// buffer (N_TTY_BUF_SIZE, 4096 bytes; a canonical line holds at most 4095
// and then each byte replaces the last, as Linux's overflow rule); bytes
// that do not fit wait unprocessed, up to INPUT_MAX, as in Linux's flip
// buffers. Output goes through OPOST (ONLCR, OCRNL, ONOCR, ONLRET, OLCUC,
// XTABS) into a queue of OUTPUT_MAX bytes the master reads.
//
// Differs from Linux: the unprocessed input and output queues are 64 KiB
// (Linux's flip buffers may hold 640 KiB); a full output queue drops
// echoes; erasing a tab backs up to the previous tab stop (Linux counts
// the columns the line's characters took); ECHOPRT, XCASE, PARMRK and
// VDISCARD are not done; IUTF8 erases a whole UTF-8 character, as Linux.

import { ByteQueue } from './byte_queue.js';
import {
  ECHO, ECHOCTL, ECHOE, ECHOK, ECHOKE, ECHONL, ICANON, ICRNL, IEXTEN, IGNCR, INLCR, ISIG, ISTRIP, IUCLC, IUTF8, IXANY,
  IXON, NOFLSH, OCRNL, OLCUC, ONLCR, ONLRET, ONOCR, OPOST, TABDLY, Termios, VEOF, VEOL, VEOL2, VERASE, VINTR, VKILL,
  VLNEXT, VQUIT, VREPRINT, VSTART, VSTOP, VSUSP, VWERASE, XTABS,
} from './termios.js';

export const N_TTY_BUF_SIZE = 4096;
export const INPUT_MAX = 65536;
export const OUTPUT_MAX = 65536;

const SIGINT = 2, SIGQUIT = 3, SIGTSTP = 20;
/** Flags of bytes in the read buffer: the end of a canonical line; an EOF that ends one (its byte is not read). */
const F_EOL = 1, F_EOF = 2;

export interface LineOwner {
  /** ISIG: sig for the terminal's foreground process group. */
  signalForeground(sig: number): void;
}

function iscntrl(c: number): boolean {
  return c < 32 || c === 127;
}

export class LineDiscipline {
  readonly termios = new Termios();
  /** Received input the replica reads, and a flag per byte. */
  private readonly rbuf = new ByteQueue(N_TTY_BUF_SIZE);
  private readonly rflags = new ByteQueue(N_TTY_BUF_SIZE);
  /** How many bytes at the front of rbuf are complete canonical lines. */
  private canonHead = 0;
  /** Whether the next byte read starts a line (an EOF read alone there is end of file). */
  private atLineStart = true;
  /** Typed bytes not yet received (the read buffer was full). */
  readonly pending = new ByteQueue(INPUT_MAX);
  /** Output for the master: written bytes after OPOST, and echoes. */
  readonly out = new ByteQueue(OUTPUT_MAX);
  /** The next byte is taken literally (LNEXT). */
  private lnext = false;
  /** Output stopped by STOP (IXON) or TCOOFF. */
  stopped = false;
  column = 0;
  /** The output column where the current input line's echo began. */
  private canonColumn = 0;

  constructor(private readonly owner: LineOwner) {}

  get canonical(): boolean {
    return (this.termios.lflag & ICANON) !== 0;
  }

  /** Bytes a read may take now: complete lines in canonical mode, everything otherwise. */
  get available(): number {
    return this.canonical ? this.canonHead : this.rbuf.length;
  }

  /** FIONREAD: as available, without the EOF marks, which are never read. */
  get inq(): number {
    if (!this.canonical) return this.rbuf.length;
    let n = 0;
    for (let i = 0; i < this.canonHead; i++) if (this.rflags.at(i) !== F_EOF) n++;
    return n;
  }

  /** Whether a reader would find something now (poll): a line, or MIN bytes (1 with a VTIME). */
  readable(min: number): boolean {
    return this.canonical ? this.canonHead > 0 : this.rbuf.length >= Math.max(1, min);
  }

  // ---- input ------------------------------------------------------------

  /** Bytes typed at the master; returns how many were taken (0: no room). */
  type(srcs: Uint8Array[], total: number): number {
    let taken = 0;
    for (const s of srcs) {
      const n = this.pending.pushBytes(s.subarray(0, Math.min(s.length, total - taken)));
      taken += n;
      if (n < s.length) break;
    }
    this.receivePending();
    return taken;
  }

  /** Receives queued input while the read buffer has room. */
  receivePending(): void {
    while (this.pending.length > 0) {
      if (this.rbuf.length >= N_TTY_BUF_SIZE - 1) {
        // Full. A canonical line alone in the buffer goes on receiving: each
        // byte replaces its last one, so a newline can still end it.
        if (!this.canonical || this.canonHead !== 0) return;
        this.rbuf.pop();
        this.rflags.pop();
      }
      this.receive(this.pending.shift());
    }
  }

  private put(c: number, flag: number): void {
    this.rbuf.push(c);
    this.rflags.push(flag);
    if (flag !== 0) this.canonHead = this.rbuf.length;
  }

  private receive(c: number): void {
    const tm = this.termios;
    const { iflag, lflag } = tm;
    if (iflag & ISTRIP) c &= 0x7f;
    if (iflag & IUCLC && lflag & IEXTEN && c >= 0x41 && c <= 0x5a) c += 0x20;
    if (this.lnext) {
      this.lnext = false;
      this.echoNormal(c);
      this.put(c, 0);
      return;
    }
    if (iflag & IXON) {
      if (c === tm.ch(VSTART)) {
        this.stopped = false;
        return;
      }
      if (c === tm.ch(VSTOP)) {
        this.stopped = true;
        return;
      }
      if (this.stopped && iflag & IXANY) this.stopped = false;
    }
    if (lflag & ISIG) {
      const sig = c === tm.ch(VINTR) ? SIGINT : c === tm.ch(VQUIT) ? SIGQUIT : c === tm.ch(VSUSP) ? SIGTSTP : 0;
      if (sig !== 0) {
        if ((lflag & NOFLSH) === 0) this.flushInput();
        this.owner.signalForeground(sig);
        if (iflag & IXON) this.stopped = false;
        if (lflag & ECHO) this.echoChar(c);
        return;
      }
    }
    if (c === 13) {
      if (iflag & IGNCR) return;
      if (iflag & ICRNL) c = 10;
    } else if (c === 10 && iflag & INLCR) {
      c = 13;
    }
    if (lflag & ICANON) {
      if (c === tm.ch(VERASE) || c === tm.ch(VKILL) || (c === tm.ch(VWERASE) && lflag & IEXTEN)) {
        this.erase(c);
        return;
      }
      if (c === tm.ch(VLNEXT) && lflag & IEXTEN) {
        this.lnext = true;
        if (lflag & ECHO && lflag & ECHOCTL) {
          this.echoRaw(0x5e); // '^' then a backspace over it: the next byte is echoed in its place
          this.echoRaw(8);
        }
        return;
      }
      if (c === tm.ch(VREPRINT) && lflag & ECHO && lflag & IEXTEN) {
        this.reprint(c);
        return;
      }
      if (c === 10) {
        if (lflag & (ECHO | ECHONL)) this.echoRaw(10);
        this.put(c, F_EOL);
        return;
      }
      if (c === tm.ch(VEOF)) {
        this.put(0, F_EOF);
        return;
      }
      if (c === tm.ch(VEOL) || c === tm.ch(VEOL2)) {
        this.echoNormal(c);
        this.put(c, F_EOL);
        return;
      }
    }
    this.echoNormal(c);
    this.put(c, 0);
  }

  /** The echo of a byte received as data. */
  private echoNormal(c: number): void {
    if ((this.termios.lflag & ECHO) === 0) return;
    if (c === 10) {
      this.echoRaw(10);
      return;
    }
    if (this.rbuf.length === this.canonHead) this.canonColumn = this.column;
    this.echoChar(c);
  }

  /** Echoes c, a control character as ^X with ECHOCTL (not tab or newline). */
  private echoChar(c: number): void {
    if (this.termios.lflag & ECHOCTL && iscntrl(c) && c !== 9 && c !== 10) {
      this.echoRaw(0x5e);
      this.echoRaw(c ^ 0o100);
    } else {
      this.echoRaw(c);
    }
  }

  private echoRaw(c: number): void {
    this.outputChar(c, true);
  }

  /** ERASE, WERASE and KILL in canonical mode (Linux's eraser). */
  private erase(c: number): void {
    const tm = this.termios;
    const lflag = tm.lflag;
    const kind = c === tm.ch(VERASE) ? 'erase' : c === tm.ch(VWERASE) ? 'werase' : 'kill';
    if (this.rbuf.length === this.canonHead) return; // nothing on this line
    if (kind === 'kill') {
      if ((lflag & ECHO) === 0) {
        this.dropLine();
        return;
      }
      if ((lflag & ECHOK) === 0 || (lflag & ECHOKE) === 0 || (lflag & ECHOE) === 0) {
        this.dropLine();
        this.echoChar(c);
        if (lflag & ECHOK) this.echoRaw(10);
        return;
      }
    }
    let seenAlnums = 0;
    while (this.rbuf.length > this.canonHead) {
      let last = this.rbuf.length - 1;
      let ch = this.rbuf.at(last);
      // A UTF-8 character is erased whole.
      if (tm.iflag & IUTF8) {
        while (last > this.canonHead && (this.rbuf.at(last) & 0xc0) === 0x80) last--;
        ch = this.rbuf.at(last);
      }
      if (kind === 'werase') {
        const alnum = (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) || ch === 0x5f;
        if (alnum) seenAlnums++;
        else if (seenAlnums > 0) break;
      }
      const cnt = this.rbuf.length - last;
      for (let i = 0; i < cnt; i++) {
        this.rbuf.pop();
        this.rflags.pop();
      }
      if (lflag & ECHO) {
        if (kind === 'erase' && (lflag & ECHOE) === 0) {
          this.echoChar(tm.cc[VERASE]);
        } else if (ch === 9) {
          const back = this.tabColumns();
          for (let i = 0; i < back; i++) this.echoRaw(8);
        } else {
          const cntrl = iscntrl(ch);
          if (cntrl && lflag & ECHOCTL) this.echoErase();
          if (!cntrl || lflag & ECHOCTL) this.echoErase();
        }
      }
      if (kind === 'erase') break;
    }
  }

  private echoErase(): void {
    this.echoRaw(8);
    this.echoRaw(0x20);
    this.echoRaw(8);
  }

  /** How far back a tab erased from the line's end reaches: to the previous tab stop. */
  private tabColumns(): number {
    let col = this.canonColumn;
    for (let i = this.canonHead; i < this.rbuf.length; i++) {
      const ch = this.rbuf.at(i);
      if (ch === 9) col = (col | 7) + 1;
      else if (iscntrl(ch)) col += this.termios.lflag & ECHOCTL ? 2 : 0;
      else col++;
    }
    const after = (col | 7) + 1;
    return after - col;
  }

  private dropLine(): void {
    while (this.rbuf.length > this.canonHead) {
      this.rbuf.pop();
      this.rflags.pop();
    }
  }

  /** REPRINT: echo the character, a newline, then the line so far. */
  private reprint(c: number): void {
    this.echoChar(c);
    this.echoRaw(10);
    for (let i = this.canonHead; i < this.rbuf.length; i++) this.echoChar(this.rbuf.at(i));
  }

  // ---- reading ----------------------------------------------------------

  /**
   * Takes up to `total` bytes for a reader into dsts. Canonical: through
   * the end of the first line (an EOF mark is consumed, not copied; one
   * that ends a line read in pieces is skipped, so it is not end of file).
   * Returns the bytes copied; `eof` says a lone EOF was read.
   */
  read(dsts: Uint8Array[], total: number): { n: number; eof: boolean } {
    let n = 0;
    let di = 0, doff = 0;
    const canon = this.canonical;
    while (n < total) {
      if (canon ? this.canonHead === 0 : this.rbuf.length === 0) break;
      const flag = this.rflags.at(0);
      const c = this.rbuf.at(0);
      if (canon && flag === F_EOF) {
        this.rbuf.shift();
        this.rflags.shift();
        this.canonHead--;
        const lone = this.atLineStart;
        this.atLineStart = true;
        if (n > 0) break;
        if (lone) return { n: 0, eof: true };
        continue;
      }
      while (doff >= dsts[di].length) {
        di++;
        doff = 0;
      }
      dsts[di][doff++] = c;
      n++;
      this.rbuf.shift();
      this.rflags.shift();
      if (this.canonHead > 0) this.canonHead--;
      this.atLineStart = flag === F_EOL;
      if (canon && flag === F_EOL) break;
    }
    if (n > 0) this.receivePending();
    return { n, eof: false };
  }

  flushInput(): void {
    this.rbuf.clear();
    this.rflags.clear();
    this.pending.clear();
    this.canonHead = 0;
    this.atLineStart = true;
    this.lnext = false;
  }

  /** New modes (TCSETS): switching to canonical mode makes what was received one line, as Linux does. */
  setTermios(b: Uint8Array): void {
    const wasCanon = this.canonical;
    this.termios.decode(b);
    if (!wasCanon && this.canonical) {
      if (this.rbuf.length > 0) {
        this.canonHead = this.rbuf.length;
        this.rflags.pop();
        this.rflags.push(F_EOL);
      } else {
        this.canonHead = 0;
      }
    } else if (wasCanon && !this.canonical) {
      this.canonHead = 0;
      this.atLineStart = true;
    }
    this.receivePending();
  }

  // ---- output -----------------------------------------------------------

  /**
   * One output byte through OPOST; false if the queue has no room for what
   * it becomes. An echo that does not fit is dropped.
   */
  private outputChar(c: number, echo: boolean): boolean {
    const o = this.termios.oflag;
    if ((o & OPOST) === 0) {
      if (!this.out.push(c)) return echo;
      return true;
    }
    switch (c) {
      case 10:
        if (o & ONLCR) {
          if (this.out.room < 2) return echo;
          this.out.push(13);
          this.out.push(10);
          this.column = 0;
          return true;
        }
        if (o & ONLRET) this.column = 0;
        break;
      case 13:
        if (o & ONOCR && this.column === 0) return true;
        if (o & OCRNL) {
          c = 10;
          if (o & ONLRET) this.column = 0;
          break;
        }
        this.column = 0;
        break;
      case 9: {
        const spaces = 8 - (this.column & 7);
        if ((o & TABDLY) === XTABS) {
          if (this.out.room < spaces) return echo;
          for (let i = 0; i < spaces; i++) this.out.push(0x20);
          this.column += spaces;
          return true;
        }
        this.column += spaces;
        break;
      }
      case 8:
        if (this.column > 0) this.column--;
        break;
      default:
        if (o & OLCUC && c >= 0x61 && c <= 0x7a) c -= 0x20;
        if (!iscntrl(c)) this.column++;
    }
    if (!this.out.push(c)) return echo;
    return true;
  }

  /** Bytes a program writes to the terminal; returns how many were taken (0: no room). */
  write(srcs: Uint8Array[], total: number): number {
    let n = 0;
    const raw = (this.termios.oflag & OPOST) === 0;
    for (const s of srcs) {
      const len = Math.min(s.length, total - n);
      if (raw) {
        const k = this.out.pushBytes(s.subarray(0, len));
        n += k;
        if (k < len) break;
        continue;
      }
      let i = 0;
      for (; i < len; i++) if (!this.outputChar(s[i], false)) break;
      n += i;
      if (i < len) break;
    }
    return n;
  }
}
