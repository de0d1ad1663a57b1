// Terminal modes (Linux include/uapi/asm-generic/termbits.h, gVisor
// pkg/abi/linux/tty.go): the kernel's struct termios (36 bytes: four flag
// words, the line discipline, 19 control characters; not glibc's 60-byte
// struct) and struct termios2 (the same with the two speeds), with the
// defaults Linux gives a pty (tty_std_termios; the replica's c_cflag
// without HUPCL, as drivers/tty/pty.c sets it).

export const TERMIOS_SIZE = 36, TERMIOS2_SIZE = 44;

// c_iflag
export const IGNBRK = 0o1, BRKINT = 0o2, IGNPAR = 0o4, PARMRK = 0o10, INPCK = 0o20, ISTRIP = 0o40, INLCR = 0o100,
  IGNCR = 0o200, ICRNL = 0o400, IUCLC = 0o1000, IXON = 0o2000, IXANY = 0o4000, IXOFF = 0o10000, IMAXBEL = 0o20000,
  IUTF8 = 0o40000;
// c_oflag
export const OPOST = 0o1, OLCUC = 0o2, ONLCR = 0o4, OCRNL = 0o10, ONOCR = 0o20, ONLRET = 0o40, TABDLY = 0o14000,
  XTABS = 0o14000;
// c_cflag
export const B38400 = 0o17, CBAUD = 0o10017, CS8 = 0o60, CREAD = 0o200, HUPCL = 0o2000, CBAUDEX = 0o10000;
// c_lflag
export const ISIG = 0o1, ICANON = 0o2, XCASE = 0o4, ECHO = 0o10, ECHOE = 0o20, ECHOK = 0o40, ECHONL = 0o100,
  NOFLSH = 0o200, TOSTOP = 0o400, ECHOCTL = 0o1000, ECHOPRT = 0o2000, ECHOKE = 0o4000, FLUSHO = 0o10000,
  PENDIN = 0o40000, IEXTEN = 0o100000, EXTPROC = 0o200000;
// c_cc indices
export const VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7, VSTART = 8,
  VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15, VEOL2 = 16;
export const NCCS = 19;

/** INIT_C_CC: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, SWTC 0, ^Q ^S ^Z, EOL 0, ^R ^O ^W ^V, EOL2 0. */
const INIT_CC = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0];

export class Termios {
  iflag = ICRNL | IXON;
  oflag = OPOST | ONLCR;
  cflag = B38400 | CS8 | CREAD;
  lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  line = 0;
  readonly cc = Uint8Array.from(INIT_CC);
  /** termios2's speeds (38400 baud, what B38400 says). */
  ispeed = 38400;
  ospeed = 38400;

  encode(size: number): Uint8Array {
    const b = new Uint8Array(size);
    const d = new DataView(b.buffer);
    d.setUint32(0, this.iflag, true);
    d.setUint32(4, this.oflag, true);
    d.setUint32(8, this.cflag, true);
    d.setUint32(12, this.lflag, true);
    b[16] = this.line;
    b.set(this.cc, 17);
    if (size >= TERMIOS2_SIZE) {
      d.setUint32(36, this.ispeed, true);
      d.setUint32(40, this.ospeed, true);
    }
    return b;
  }

  /** Takes the modes in b (TERMIOS_SIZE or TERMIOS2_SIZE bytes). */
  decode(b: Uint8Array): void {
    const d = new DataView(b.buffer, b.byteOffset, b.length);
    this.iflag = d.getUint32(0, true);
    this.oflag = d.getUint32(4, true);
    this.cflag = d.getUint32(8, true);
    this.lflag = d.getUint32(12, true);
    this.line = b[16];
    this.cc.set(b.subarray(17, 17 + NCCS));
    if (b.length >= TERMIOS2_SIZE) {
      this.ispeed = d.getUint32(36, true);
      this.ospeed = d.getUint32(40, true);
    }
  }

  /** A control character, or -1 when it is disabled (_POSIX_VDISABLE, 0). */
  ch(i: number): number {
    const c = this.cc[i];
    return c === 0 ? -1 : c;
  }
}
