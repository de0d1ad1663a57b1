// A host file descriptor donated to the sandbox (gVisor fsimpl/host): the
// stdin, stdout and stderr that `tsvisor do` passes to the program. A
// terminal, pipe or socket is never read or written in a way that could
// block the Sentry: a read or write is made only when the host says the fd
// is ready, writes go in pieces no larger than the host accepts at once
// (PIPE_BUF), and otherwise the task waits on this file's queue while a
// one-shot interest in the fd (native/watch.c) wakes it from the event
// loop. The descriptor itself is never changed (it stays blocking: the
// caller shares its open file description).
//
// A host terminal is the sandbox's terminal as gVisor's host TTY is
// (fsimpl/host/tty.go): its modes and window size are the host's (those
// requests reach it), while its job-control state is the Sentry's
// (HostTerminal, a kernel/tty Terminal): the session it controls, its
// foreground group, the background checks on read, write and mode
// changes. Every description of one host terminal (stdin, stdout, stderr,
// /dev/tty) shares one HostTerminal. The keys the host's line discipline
// turns into signals reach the Sentry, which gives them to the foreground
// group (boot/host_signals.ts); the modes tsvisor found are put back when
// it ends (restoreHostTerminals).
//
// Differs from Linux: a write to a pipe larger than PIPE_BUF is made in
// PIPE_BUF pieces, so another writer's bytes may come between them (Linux
// does not promise otherwise).

import { native } from '../native.js';
import { Stat, S_IFMT, S_IFREG, S_IFCHR, S_IFIFO, S_IFSOCK } from '../vfs/stat.js';
import { FileDescription, WOULD_BLOCK } from '../vfs/file_description.js';
import type { IoctlIO } from '../vfs/file_description.js';
import { EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import { EAGAIN, EFAULT, EINVAL, ENOTTY } from '../abi/linux/errno.js';
import { SIGTTIN, SIGTTOU, Terminal } from '../kernel/tty/terminal.js';
import { currentTask } from '../kernel/current.js';
import { armHostFd, disarmHostFd } from '../kernel/fdnotifier.js';
import type { FileDescription as FD } from '../vfs/file_description.js';

const POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10;
/** The most the host takes at once from a writer that it says may write (one pipe buffer page). */
const PIPE_BUF = 4096;
const TERMIOS_SIZE = 36;
const TIOCSWINSZ = 0x5414;
const TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541b, TCSETS = 0x5402,
  TCSETSW = 0x5403, TCSETSF = 0x5404;

const TOSTOP = 0o400, TIOCGPTPEER = 0x5441, EIO = 5;

/** A host fd's armed interest (one per host fd: /dev/tty and stdio may share one), and the files waiting on it. */
interface Watch {
  armed: number;
  readonly files: Set<HostFD>;
}
const watched = new Map<number, Watch>();

function onHostReady(fd: number, revents: number): void {
  const w = watched.get(fd);
  if (w === undefined) return;
  watched.delete(fd);
  for (const f of w.files) f.hostReady(revents);
}

/** The job-control state of a host terminal (see the file comment). */
export class HostTerminal extends Terminal {
  /** The modes tsvisor found, put back when it ends. */
  readonly saved = new Uint8Array(64);
  savedOk = false;
  /** The HostFDs open on it (/dev/tty aliases too). */
  private users = 0;
  /**
   * owned: hostFd is this terminal's own copy (a terminal that came with
   * an exec, whose descriptors its program may close): closed, and the
   * terminal forgotten, when the last HostFD on it is released.
   */
  constructor(readonly hostFd: number, private readonly rdev: number, private readonly owned: boolean) {
    super();
    this.savedOk = native.ioctl(hostFd, TCGETS, this.saved) === 0;
  }
  override openAlias(flags: number): FD | number {
    return new HostFD(this.hostFd, flags, '/dev/tty');
  }
  hold(): void {
    this.users++;
  }
  drop(): void {
    if (--this.users > 0 || !this.owned) return;
    if (terminals.get(this.rdev) === this) terminals.delete(this.rdev);
    native.close(this.hostFd);
  }
}

/** One HostTerminal per host terminal device (st_rdev). */
const terminals = new Map<number, HostTerminal>();

/** Puts back the modes each host terminal had when the sandbox started (the program may have left it raw). */
export function restoreHostTerminals(): void {
  for (const t of terminals.values()) if (t.savedOk) native.ioctl(t.hostFd, TCSETS, t.saved);
}

const statBuf = new Uint8Array(144);

export class HostFD extends FileDescription {
  private readonly regular: boolean;
  private readonly isTTY: boolean;
  /** A pipe, socket or terminal: a read or write can wait for the other side. */
  private readonly mayBlock: boolean;
  /** The host terminal's job-control state, for a terminal. */
  readonly terminal: HostTerminal | null = null;

  /**
   * owned: hostFd is this file's to close when it is released (a
   * descriptor exec passed in); otherwise the Sentry's own (its stdio),
   * never closed.
   */
  constructor(readonly hostFd: number, flags: number, readonly label: string, private readonly owned = false) {
    super(flags, null);
    const r = native.fstat(hostFd, statBuf);
    const st = r === 0 ? Stat.fromRaw(statBuf) : null;
    this.regular = st !== null && (st.mode & S_IFMT) === S_IFREG;
    this.isTTY = st !== null && (st.mode & S_IFMT) === S_IFCHR && native.ioctl(hostFd, TCGETS, new Uint8Array(64)) === 0;
    const type = st === null ? 0 : st.mode & S_IFMT;
    this.mayBlock = this.isTTY || type === S_IFIFO || type === S_IFSOCK || st === null;
    if (this.isTTY && st !== null) {
      let term = terminals.get(st.rdev);
      if (term === undefined) {
        const own = owned ? native.dup(hostFd) : hostFd;
        term = new HostTerminal(own >= 0 ? own : hostFd, st.rdev, owned && own >= 0);
        terminals.set(st.rdev, term);
      }
      term.hold();
      this.terminal = term;
    }
  }

  /**
   * Asks to be told when the host fd is ready for `events` (POLLIN,
   * POLLOUT). An fd the host cannot poll is always ready: the waiters are
   * told at once.
   */
  private arm(events: number): void {
    const w = watched.get(this.hostFd);
    if (w !== undefined && (w.armed & events) === events) {
      w.files.add(this);
      return;
    }
    const r = armHostFd(this.hostFd, (w?.armed ?? 0) | events, onHostReady);
    if (r < 0) {
      setImmediate(() => this.queue.notify(EVENT_IN | EVENT_OUT));
      return;
    }
    if (w === undefined) {
      watched.set(this.hostFd, { armed: events, files: new Set([this]) });
    } else {
      w.armed |= events;
      w.files.add(this);
    }
  }

  /** The armed interest fired (on the event loop). */
  hostReady(revents: number): void {
    let ev = 0;
    if (revents & (POLLIN | POLLHUP | POLLERR)) ev |= EVENT_IN;
    if (revents & (POLLOUT | POLLERR)) ev |= EVENT_OUT;
    this.queue.notify(ev === 0 ? EVENT_IN | EVENT_OUT : ev);
  }

  override release(): void {
    const w = watched.get(this.hostFd);
    if (w !== undefined && w.files.delete(this) && w.files.size === 0) {
      watched.delete(this.hostFd);
      disarmHostFd(this.hostFd);
    }
    this.terminal?.drop();
    if (this.owned) native.close(this.hostFd);
  }

  /** The background checks of a terminal read (SIGTTIN) or write (SIGTTOU with TOSTOP): 0 to go on, or what the call returns. */
  private jobControl(write: boolean): number {
    const term = this.terminal;
    const t = currentTask();
    if (term === null || t === null || t.tg.tty !== term || term.fgPgid === t.tg.pgid || term.fgPgid === 0) return 0;
    if (write) {
      // Only a background writer asks the host for TOSTOP.
      const b = new Uint8Array(64);
      if (native.ioctl(this.hostFd, TCGETS, b) < 0 || (new DataView(b.buffer).getUint32(12, true) & TOSTOP) === 0) return 0;
    }
    return term.checkChange(t, write ? SIGTTOU : SIGTTIN);
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
    if (this.terminal !== null) {
      const jc = this.jobControl(false);
      if (jc !== 0) return jc;
    }
    // Ready (data, end of file or an error): the read returns at once.
    if (native.poll1(this.hostFd, POLLIN, 0) > 0) {
      const n = native.pread(this.hostFd, dsts[0], -1);
      if (n !== -EAGAIN) return n;
    }
    this.arm(POLLIN);
    return WOULD_BLOCK;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (this.terminal !== null) {
      const jc = this.jobControl(true);
      if (jc !== 0) return jc;
    }
    let done = 0;
    for (const s of srcs) {
      let off = 0;
      while (off < s.length) {
        let n: number;
        if (!this.mayBlock) {
          n = native.pwrite(this.hostFd, s.subarray(off), this.regular && offset >= 0 ? offset + done : -1);
        } else {
          const ready = native.poll1(this.hostFd, POLLOUT, 0);
          if (ready <= 0) {
            if (done > 0) return done;
            this.arm(POLLOUT);
            return WOULD_BLOCK;
          }
          n = native.pwrite(this.hostFd, s.subarray(off, off + PIPE_BUF), -1);
          if (n === -EAGAIN) continue;
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
    if (this.regular) return;
    this.arm((mask & EVENT_IN ? POLLIN : 0) | (mask & EVENT_OUT ? POLLOUT : 0));
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
        const t = currentTask();
        if (req !== TIOCSWINSZ && this.terminal !== null && t !== null) {
          // A background group's mode change (tcsetattr) gets SIGTTOU, as on Linux.
          const jc = this.terminal.checkChange(t, SIGTTOU);
          if (jc !== 0) return jc;
        }
        const b = io.copyIn(arg, req === TIOCSWINSZ ? 8 : TERMIOS_SIZE);
        if (b === null) return -EFAULT;
        const buf = new Uint8Array(64);
        buf.set(b);
        return native.ioctl(this.hostFd, req, buf);
      }
      default: {
        const t = currentTask();
        if (this.terminal === null || t === null) return -ENOTTY;
        if (req === TIOCGPTPEER) return -EIO; // not a pty master

        return this.terminal.jobIoctl(t, req, arg, io, false, this.readable) ?? -ENOTTY;
      }
    }
  }

  override describe(): string {
    return this.label;
  }
}
