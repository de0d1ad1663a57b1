// A host file descriptor donated to the sandbox (gVisor fsimpl/host): the
// stdin, stdout and stderr that `tsvisor do` passes to the program. A
// terminal or pipe is never read with a blocking host read: a read takes
// what poll(2) says is there, and a task that must wait parks on this
// file's queue while a timer polls the descriptor (every 1 ms at first,
// backing off to 10 ms) and wakes it when there is something to read. No
// host read is ever left blocked in a thread: one would keep Node from
// exiting after the program ends (a libuv pool thread cannot be
// interrupted), and waiting to read a descriptor open only for writing
// must not read the host's stdout.
//
// Differs from Linux: writes to a full pipe or terminal block the whole
// Sentry until the host accepts them (only one task runs for now); Node
// restores the terminal's modes when tsvisor exits, so modes a program
// sets (stty raw) do not outlive it.

import { native } from '../native.js';
import { Stat, S_IFMT, S_IFREG, S_IFCHR } from '../vfs/stat.js';
import { FileDescription, WOULD_BLOCK } from '../vfs/file_description.js';
import type { IoctlIO } from '../vfs/file_description.js';
import { EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import { EAGAIN, EFAULT, EINVAL, ENOTTY } from '../abi/linux/errno.js';

const POLLIN = 1, POLLOUT = 4;
const TERMIOS_SIZE = 36;
const TIOCSWINSZ = 0x5414;
const TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541b, TIOCGPGRP = 0x540f, TCSETS = 0x5402,
  TCSETSW = 0x5403, TCSETSF = 0x5404;

const statBuf = new Uint8Array(144);

export class HostFD extends FileDescription {
  private readonly regular: boolean;
  private readonly isTTY: boolean;
  /** The poll that will wake waiting readers, while one is due; its next delay. */
  private inTimer: NodeJS.Timeout | null = null;
  private inDelay = 1;
  /** The look again for writability a waiting writer gets (host writability has no completion to wait for). */
  private outTimer: NodeJS.Timeout | null = null;

  constructor(readonly hostFd: number, flags: number, readonly label: string) {
    super(flags, null);
    const r = native.fstat(hostFd, statBuf);
    const st = r === 0 ? Stat.fromRaw(statBuf) : null;
    this.regular = st !== null && (st.mode & S_IFMT) === S_IFREG;
    this.isTTY = st !== null && (st.mode & S_IFMT) === S_IFCHR && native.ioctl(hostFd, TCGETS, new Uint8Array(64)) === 0;
  }

  stat(): Stat | number {
    const r = native.fstat(this.hostFd, statBuf);
    if (r < 0) return r;
    return Stat.fromRaw(statBuf);
  }

  override get seekable(): boolean {
    return this.regular;
  }

  override get pollable(): boolean {
    return !this.regular;
  }

  override sync(): number {
    return this.regular ? 0 : -EINVAL;
  }

  override seek(off: number, whence: number): number {
    if (!this.regular) return -29; // ESPIPE
    const r = native.lseek(this.hostFd, off, whence);
    if (r >= 0) this.offset = r;
    return r;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    if (this.regular) {
      let done = 0;
      for (const d of dsts) {
        const n = native.pread(this.hostFd, d, offset < 0 ? -1 : offset + done);
        if (n < 0) return done > 0 ? done : n;
        done += n;
        if (n < d.length) break;
      }
      return done;
    }
    if (offset >= 0) return -29; // ESPIPE
    if (native.poll1(this.hostFd, POLLIN, 0) > 0) {
      const n = native.pread(this.hostFd, dsts[0], -1);
      if (n !== -EAGAIN) return n;
    }
    this.pollForInput();
    return WOULD_BLOCK;
  }

  /** Polls the host descriptor until it has input (or hangs up), then wakes the readers. */
  private pollForInput(): void {
    if (this.inTimer !== null) return;
    const tick = () => {
      if (native.poll1(this.hostFd, POLLIN, 0) !== 0) {
        this.inTimer = null;
        this.inDelay = 1;
        this.queue.notify(EVENT_IN);
        return;
      }
      this.inDelay = Math.min(this.inDelay * 2, 10);
      this.inTimer = setTimeout(tick, this.inDelay);
    };
    this.inTimer = setTimeout(tick, this.inDelay);
  }

  override release(): void {
    if (this.inTimer !== null) clearTimeout(this.inTimer);
    if (this.outTimer !== null) clearTimeout(this.outTimer);
    this.inTimer = this.outTimer = null;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    let done = 0;
    for (const s of srcs) {
      let off = 0;
      while (off < s.length) {
        const n = native.pwrite(this.hostFd, s.subarray(off), this.regular && offset >= 0 ? offset + done : -1);
        if (n === -EAGAIN) {
          native.poll1(this.hostFd, POLLOUT, -1);
          continue;
        }
        if (n < 0) return done > 0 ? done : n;
        off += n;
        done += n;
      }
    }
    return done;
  }

  override readiness(mask: number): number {
    let r = 0;
    const p = native.poll1(this.hostFd, (mask & EVENT_IN ? POLLIN : 0) | (mask & EVENT_OUT ? POLLOUT : 0), 0);
    if (p > 0) r |= p & (POLLIN | POLLOUT | 0x18);
    return r & (mask | 0x18);
  }

  override armReadiness(mask: number): void {
    if (mask & EVENT_IN && !this.regular) this.pollForInput();
    if (mask & EVENT_OUT && !this.regular && this.outTimer === null) {
      // Host writability has no completion to wait for here: look again shortly.
      this.outTimer = setTimeout(() => {
        this.outTimer = null;
        this.queue.notify(EVENT_OUT);
      }, 10);
    }
  }


  override ioctl(req: number, arg: number, io: IoctlIO): number {
    switch (req) {
      case TCGETS:
      case TIOCGWINSZ:
      case FIONREAD: {
        // The kernel's struct termios is 36 bytes (not glibc's 60).
        const size = req === TCGETS ? TERMIOS_SIZE : req === TIOCGWINSZ ? 8 : 4;
        const buf = new Uint8Array(64);
        const r = native.ioctl(this.hostFd, req, buf);
        if (r < 0) return r;
        return io.copyOut(arg, buf.subarray(0, size)) < 0 ? -EFAULT : 0;
      }
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
      case TIOCSWINSZ: {
        // The program's own terminal: it may set its modes and size, as it could natively.
        if (!this.isTTY) return -ENOTTY;
        const b = io.copyIn(arg, req === TIOCSWINSZ ? 8 : TERMIOS_SIZE);
        if (b === null) return -EFAULT;
        const buf = new Uint8Array(64);
        buf.set(b);
        return native.ioctl(this.hostFd, req, buf);
      }
      case TIOCGPGRP:
        // Job control comes with sessions and the TTY work.
        return this.isTTY ? -EINVAL : -ENOTTY;
      default:
        return -ENOTTY;
    }
  }

  override describe(): string {
    return this.label;
  }
}
