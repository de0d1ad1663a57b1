// A host file descriptor donated to the sandbox (gVisor fsimpl/host): the
// stdin, stdout and stderr that `tsvisor do` passes to the program. A
// terminal or pipe is never read with a blocking host read on the
// Sentry's thread: when no data is ready, one read is started on libuv's
// thread pool and the task waits on this file's queue; what it brings is
// kept here until the application reads it.
//
// Differs from Linux: writes to a full pipe or terminal block the whole
// Sentry until the host accepts them (only one task runs for now); Node
// restores the terminal's modes when tsvisor exits, so modes a program
// sets (stty raw) do not outlive it.

import * as fs from 'node:fs';
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
  private pending: Buffer | null = null;
  private pendingOff = 0;
  private eof = false;
  private reading = false;

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
    if (this.pending !== null) return this.drainPending(dsts);
    if (this.eof) {
      this.eof = false;
      return 0;
    }
    if (native.poll1(this.hostFd, POLLIN, 0) > 0) {
      const n = native.pread(this.hostFd, dsts[0], -1);
      if (n !== -EAGAIN) return n;
    }
    this.startRead();
    return WOULD_BLOCK;
  }

  private drainPending(dsts: Uint8Array[]): number {
    const p = this.pending as Buffer;
    let done = 0;
    for (const d of dsts) {
      const n = Math.min(d.length, p.length - this.pendingOff);
      d.set(p.subarray(this.pendingOff, this.pendingOff + n));
      this.pendingOff += n;
      done += n;
      if (this.pendingOff === p.length) break;
    }
    if (this.pendingOff === p.length) {
      this.pending = null;
      this.pendingOff = 0;
    }
    return done;
  }

  private startRead(): void {
    if (this.reading) return;
    this.reading = true;
    const buf = Buffer.alloc(65536);
    fs.read(this.hostFd, buf, 0, buf.length, null, (err, n) => {
      this.reading = false;
      if (err !== null) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.queue.notify(EVENT_IN), 10);
          return;
        }
        this.eof = true;
      } else if (n === 0) {
        this.eof = true;
      } else {
        this.pending = buf.subarray(0, n);
        this.pendingOff = 0;
      }
      this.queue.notify(EVENT_IN);
    });
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
    if (this.pending !== null || this.eof) r |= EVENT_IN;
    const p = native.poll1(this.hostFd, (mask & EVENT_IN ? POLLIN : 0) | (mask & EVENT_OUT ? POLLOUT : 0), 0);
    if (p > 0) r |= p & (POLLIN | POLLOUT | 0x18);
    return r & (mask | 0x18);
  }

  override armReadiness(mask: number): void {
    if (mask & EVENT_IN && !this.regular && this.pending === null && !this.eof) this.startRead();
    if (mask & EVENT_OUT && !this.regular && this.outTimer === null) {
      // Host writability has no completion to wait for here: look again shortly.
      this.outTimer = setTimeout(() => {
        this.outTimer = null;
        this.queue.notify(EVENT_OUT);
      }, 10);
    }
  }

  private outTimer: NodeJS.Timeout | null = null;

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    switch (req) {
      case TCGETS:
      case TIOCGWINSZ:
      case FIONREAD: {
        // The kernel's struct termios is 36 bytes (not glibc's 60).
        const size = req === TCGETS ? TERMIOS_SIZE : req === TIOCGWINSZ ? 8 : 4;
        const buf = new Uint8Array(64);
        if (req === FIONREAD && this.pending !== null) {
          new DataView(buf.buffer).setInt32(0, this.pending.length - this.pendingOff, true);
        } else {
          const r = native.ioctl(this.hostFd, req, buf);
          if (r < 0) return r;
        }
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
