// A pseudo-terminal (Linux drivers/tty/pty.c, gVisor
// pkg/sentry/fsimpl/devpts/{master,replica,terminal}.go): a master, which
// /dev/ptmx opens, and a replica, /dev/pts/N, joined by one line
// discipline. The master writes what is typed and reads what the
// replica's programs print; the replica is a terminal with job control
// (Terminal). The replica's modes and window size are the pty's; the
// master's terminal requests reach them too, as Linux's tty_pair_get_tty.
//
// Closing the master hangs the replica up: its session's leader gets
// SIGHUP and SIGCONT, the session loses it, its reads return 0 and its
// writes and requests EIO. Once every replica is closed, the master's
// reads return EIO after what is left (and poll says POLLHUP).
//
// Raw reads follow VMIN and VTIME as n_tty_read: bytes are copied as they
// arrive (kept in the task's syscallState across waits, so a signal
// returns what was read), a read returns at MIN bytes or when the timer
// (VTIME tenths, between bytes once one came) runs out.
//
// Differs from Linux: packet mode (TIOCPKT) and the old termio requests
// are not served (EINVAL and ENOTTY); modem and serial requests are ENOTTY.

import { FileDescription, O_NONBLOCK, WOULD_BLOCK } from '../../vfs/file_description.js';
import type { IoctlIO } from '../../vfs/file_description.js';
import type { Stat } from '../../vfs/stat.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT } from '../../sync/waiter.js';
import { EBUSY, EFAULT, EINVAL, EIO, ENOTTY, EPERM, ESPIPE } from '../../abi/linux/errno.js';
import { LineDiscipline } from './line_discipline.js';
import type { LineOwner } from './line_discipline.js';
import { SIGTTIN, SIGTTOU, SIGWINCH, TIOCSPGRP, Terminal } from './terminal.js';
import { TERMIOS2_SIZE, TERMIOS_SIZE, TOSTOP, VMIN, VSTART, VSTOP, VTIME } from './termios.js';
import { currentTask } from '../current.js';
import type { Task } from '../task.js';
import { CAP_SYS_ADMIN } from '../../abi/linux/capability.js';
import { dropPrefix } from '../../mm/io.js';

export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCSBRK = 0x5409, TCXONC = 0x540a,
  TCFLSH = 0x540b, TIOCEXCL = 0x540c, TIOCNXCL = 0x540d, TIOCOUTQ = 0x5411, TIOCSTI = 0x5412, TIOCGWINSZ = 0x5413,
  TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, TIOCPKT = 0x5420, TIOCSETD = 0x5423, TIOCGETD = 0x5424, TCSBRKP = 0x5425,
  TIOCSBRK = 0x5427, TIOCCBRK = 0x5428, TCGETS2 = 0x802c542a, TCSETS2 = 0x402c542b, TCSETSW2 = 0x402c542c,
  TCSETSF2 = 0x402c542d, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431, TIOCSIG = 0x40045436, TIOCGPTLCK = 0x80045439,
  TIOCGEXCL = 0x80045440, TIOCGPTPEER = 0x5441;
const SIGINT = 2, SIGQUIT = 3, SIGTSTP = 20;
const O_NOCTTY = 0o400;

/** What owns the ptys (devpts): told when the master closes and when both sides are gone. */
export interface PtyOwner {
  masterClosed(p: PTY): void;
  freed(p: PTY): void;
}

/** Where a description's fstat comes from: the inode it was opened through. */
export interface StatSource {
  stat(): Stat | number;
}

function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}


export class PTY extends Terminal implements LineOwner {
  readonly ld: LineDiscipline;
  locked = true;
  /** TIOCEXCL: new opens of the replica fail with EBUSY (without privilege). */
  exclusive = false;
  readonly winsize = new Uint8Array(8);
  master: PtyMasterFD | null = null;
  readonly replicas = new Set<PtyReplicaFD>();
  masterClosed = false;
  /** Every replica opened so far has been closed (and one was). */
  otherClosed = false;
  /** The replica's inode (/dev/pts/N), which its descriptions stat. */
  replicaSrc: StatSource | null = null;

  constructor(readonly index: number, private readonly owner: PtyOwner) {
    super();
    this.ld = new LineDiscipline(this);
    this.kernel = currentTask()?.kernel ?? null;
  }

  /** Wakes everyone waiting on either side; each looks again at what it waits for. */
  notify(events = EVENT_IN | EVENT_OUT): void {
    this.master?.queue.notify(events);
    for (const r of this.replicas) r.queue.notify(events);
  }

  openMaster(flags: number, src: StatSource): PtyMasterFD {
    this.master = new PtyMasterFD(this, flags, src);
    return this.master;
  }

  /** Opens the replica (/dev/pts/N, TIOCGPTPEER, /dev/tty): EIO while locked or once the master is gone. */
  openReplica(flags: number, src: StatSource, mayAcquire: boolean): PtyReplicaFD | number {
    if (this.masterClosed || this.locked) return -EIO;
    const t = currentTask();
    if (this.exclusive && (t === null || !t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN))) return -EBUSY;
    const f = new PtyReplicaFD(this, flags, src);
    this.replicas.add(f);
    this.otherClosed = false;
    if (mayAcquire && (flags & O_NOCTTY) === 0) this.openAcquires(t, f.readable);
    return f;
  }

  override openAlias(flags: number): FileDescription | number {
    if (this.replicaSrc === null) return -EIO;
    return this.openReplica(flags, this.replicaSrc, false);
  }

  /** TIOCGPTPEER: the replica, opened from the master with these flags. */
  openPeer(flags: number): FileDescription | number {
    if (this.replicaSrc === null) return -EIO;
    return this.openReplica(flags, this.replicaSrc, true);
  }

  replicaReleased(f: PtyReplicaFD): void {
    this.replicas.delete(f);
    if (this.replicas.size > 0) return;
    this.otherClosed = true;
    this.master?.queue.notify(EVENT_IN | EVENT_OUT | EVENT_HUP);
    if (this.masterClosed) this.owner.freed(this);
  }

  masterReleased(): void {
    this.masterClosed = true;
    this.master = null;
    this.hangup();
    this.owner.masterClosed(this);
    this.notify(EVENT_IN | EVENT_OUT | EVENT_HUP | EVENT_ERR);
    if (this.replicas.size === 0) this.owner.freed(this);
  }

  // ---- terminal requests both sides serve --------------------------------

  /** The requests on the pty's modes, size and queues; null for others. */
  modeIoctl(t: Task, req: number, arg: number, io: IoctlIO, viaMaster: boolean): number | null {
    switch (req) {
      case TCGETS:
      case TCGETS2: {
        const size = req === TCGETS ? TERMIOS_SIZE : TERMIOS2_SIZE;
        return io.copyOut(arg, this.ld.termios.encode(size)) < 0 ? -EFAULT : 0;
      }
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
      case TCSETS2:
      case TCSETSW2:
      case TCSETSF2: {
        const r = this.checkChange(t, SIGTTOU);
        if (r !== 0) return r;
        const two = req === TCSETS2 || req === TCSETSW2 || req === TCSETSF2;
        const b = io.copyIn(arg, two ? TERMIOS2_SIZE : TERMIOS_SIZE);
        if (b === null) return -EFAULT;
        if (req === TCSETSF || req === TCSETSF2) this.ld.flushInput();
        if (!two) {
          // The old request keeps the speeds termios2 set.
          const full = this.ld.termios.encode(TERMIOS2_SIZE);
          full.set(b);
          this.ld.setTermios(full);
        } else {
          this.ld.setTermios(b);
        }
        this.notify();
        return 0;
      }
      case TIOCGWINSZ:
        return io.copyOut(arg, this.winsize) < 0 ? -EFAULT : 0;
      case TIOCSWINSZ: {
        const b = io.copyIn(arg, 8);
        if (b === null) return -EFAULT;
        if (b.every((v, i) => v === this.winsize[i])) return 0;
        this.winsize.set(b);
        this.signalForeground(SIGWINCH);
        return 0;
      }
      case TIOCOUTQ:
        return io.copyOut(arg, i32(0)) < 0 ? -EFAULT : 0;
      case TCFLSH: {
        const r = this.checkChange(t, SIGTTOU);
        if (r !== 0) return r;
        if (arg > 2) return -EINVAL;
        // TCIFLUSH 0, TCOFLUSH 1, TCIOFLUSH 2: input and output as the side asking sees them.
        const input = arg !== 1, output = arg !== 0;
        if (viaMaster) {
          if (input) this.ld.out.clear();
          if (output) this.ld.pending.clear();
        } else {
          if (input) this.ld.flushInput();
          if (output) this.ld.out.clear();
        }
        this.notify();
        return 0;
      }
      case TCXONC: {
        const r = this.checkChange(t, SIGTTOU);
        if (r !== 0) return r;
        switch (arg) {
          case 0: this.ld.stopped = true; break; // TCOOFF
          case 1: this.ld.stopped = false; break; // TCOON
          case 2: // TCIOFF, TCION: the STOP or START character goes to the other side
          case 3: {
            const c = this.ld.termios.cc[arg === 2 ? VSTOP : VSTART];
            if (c !== 0) this.ld.out.push(c);
            break;
          }
          default:
            return -EINVAL;
        }
        this.notify();
        return 0;
      }
      case TCSBRK:
      case TCSBRKP:
      case TIOCSBRK:
      case TIOCCBRK:
        // Output is never pending in a pty (it is in the other side's queue at once); a break means nothing.
        return this.checkChange(t, SIGTTOU);
      case TIOCGETD:
        return io.copyOut(arg, i32(0)) < 0 ? -EFAULT : 0;
      case TIOCSETD: {
        const r = this.checkChange(t, SIGTTOU);
        if (r !== 0) return r;
        const b = io.copyIn(arg, 4);
        if (b === null) return -EFAULT;
        return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true) === 0 ? 0 : -EINVAL;
      }
      case TIOCEXCL:
        this.exclusive = true;
        return 0;
      case TIOCNXCL:
        this.exclusive = false;
        return 0;
      case TIOCGEXCL:
        return io.copyOut(arg, i32(this.exclusive ? 1 : 0)) < 0 ? -EFAULT : 0;
      default:
        return null;
    }
  }
}

export class PtyMasterFD extends FileDescription {
  constructor(readonly pty: PTY, flags: number, readonly src: StatSource) {
    super(flags, null);
  }

  stat(): Stat | number {
    return this.src.stat();
  }

  override get seekable(): boolean {
    return false;
  }

  override seek(): number {
    return -ESPIPE;
  }

  override get pollable(): boolean {
    return true;
  }

  override get writesWhole(): boolean {
    return true;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    const out = this.pty.ld.out;
    if (out.length === 0) return this.pty.otherClosed ? -EIO : WOULD_BLOCK;
    let done = 0;
    for (const d of dsts) {
      const n = Math.min(d.length, out.length);
      out.copyTo(d, 0, n);
      out.drop(n);
      done += n;
      if (out.length === 0) break;
    }
    this.pty.notify(EVENT_OUT);
    return done;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    const n = this.pty.ld.type(srcs, total);
    this.pty.notify();
    return n > 0 ? n : WOULD_BLOCK;
  }

  override readiness(mask: number): number {
    const p = this.pty;
    let r = 0;
    if (p.ld.out.length > 0) r |= EVENT_IN;
    if (p.ld.pending.room > 0) r |= EVENT_OUT;
    if (p.otherClosed) r |= EVENT_HUP;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    const t = currentTask();
    if (t === null) return -ENOTTY;
    const p = this.pty;
    switch (req) {
      case TIOCGPTN:
        return io.copyOut(arg, i32(p.index)) < 0 ? -EFAULT : 0;
      case TIOCSPTLCK: {
        const b = io.copyIn(arg, 4);
        if (b === null) return -EFAULT;
        p.locked = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true) !== 0;
        return 0;
      }
      case TIOCGPTLCK:
        return io.copyOut(arg, i32(p.locked ? 1 : 0)) < 0 ? -EFAULT : 0;
      case TIOCSIG:
        if (arg !== SIGINT && arg !== SIGQUIT && arg !== SIGTSTP) return -EINVAL;
        p.signalForeground(arg);
        return 0;
      case TIOCPKT:
        return -EINVAL;
      case FIONREAD:
        return io.copyOut(arg, i32(p.ld.out.length)) < 0 ? -EFAULT : 0;
      case TIOCSTI: {
        // As on Linux: the master's own input, which is what the replica printed.
        if (!t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN)) return -EPERM;
        const b = io.copyIn(arg, 1);
        if (b === null) return -EFAULT;
        p.ld.out.push(b[0]);
        p.notify();
        return 0;
      }
    }
    const m = p.modeIoctl(t, req, arg, io, true);
    if (m !== null) return m;
    const j = p.jobIoctl(t, req, arg, io, true, this.readable);
    return j ?? -ENOTTY;
  }

  override release(): void {
    this.pty.masterReleased();
  }

  override describe(): string {
    return this.dentry?.path() ?? '/dev/pts/ptmx';
  }
}

export class PtyReplicaFD extends FileDescription {
  constructor(readonly pty: PTY, flags: number, readonly src: StatSource) {
    super(flags, null);
  }

  private get hungUp(): boolean {
    return this.pty.masterClosed;
  }

  stat(): Stat | number {
    return this.src.stat();
  }

  override get seekable(): boolean {
    return false;
  }

  override seek(): number {
    return -ESPIPE;
  }

  override get pollable(): boolean {
    return true;
  }

  override get writesWhole(): boolean {
    return true;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    const p = this.pty;
    if (this.hungUp) return 0;
    const t = currentTask();
    if (t === null) return -EIO;
    const jc = p.checkChange(t, SIGTTIN);
    if (jc !== 0) return jc;
    const ld = p.ld;
    if (ld.canonical) {
      const r = ld.read(dsts, total);
      if (r.eof) return 0;
      if (r.n > 0) {
        p.notify();
        return r.n;
      }
      return WOULD_BLOCK;
    }
    // Raw: VMIN and VTIME (n_tty_read), progress kept across waits.
    const st = t.syscallState;
    let done = typeof st?.partial === 'number' ? st.partial : 0;
    const got = ld.read(dropPrefix(dsts, done), total - done).n;
    done += got;
    if (got > 0) p.notify();
    const min = ld.termios.cc[VMIN], time = ld.termios.cc[VTIME];
    const now = t.kernel.monotonicMs();
    const nonblock = (this.flags & O_NONBLOCK) !== 0;
    const kept = typeof st?.ttyDeadline === 'number' ? st.ttyDeadline : undefined;
    let deadline: number | undefined;
    if (min === 0) {
      if (done > 0 || time === 0) return done;
      const d = kept ?? now + time * 100;
      deadline = d;
      if (now >= d) return 0;
    } else {
      if (done >= Math.min(min, total)) return done;
      if (done > 0 && time > 0) {
        const d = got > 0 || kept === undefined ? now + time * 100 : kept;
        deadline = d;
        if (now >= d) return done;
      }
    }
    if (nonblock) return done > 0 ? done : -11; // EAGAIN
    t.syscallState = { ...(st ?? {}), partial: done, ttyDeadline: deadline };
    if (deadline === undefined) return WOULD_BLOCK;
    return t.block([this.queue], EVENT_IN, deadline);
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    const p = this.pty;
    if (this.hungUp) return -EIO;
    if (p.ld.termios.lflag & TOSTOP) {
      const t = currentTask();
      if (t !== null) {
        const jc = p.checkChange(t, SIGTTOU);
        if (jc !== 0) return jc;
      }
    }
    if (p.ld.stopped) return WOULD_BLOCK;
    const n = p.ld.write(srcs, total);
    if (n > 0) p.master?.queue.notify(EVENT_IN);
    return n > 0 ? n : WOULD_BLOCK;
  }

  override readiness(mask: number): number {
    if (this.hungUp) return (EVENT_IN | EVENT_OUT | EVENT_ERR | EVENT_HUP) & (mask | EVENT_HUP | EVENT_ERR);
    const ld = this.pty.ld;
    let r = 0;
    const min = ld.termios.cc[VMIN], time = ld.termios.cc[VTIME];
    if (ld.readable(time === 0 ? min : 1)) r |= EVENT_IN;
    if (ld.out.room > 0 && !ld.stopped) r |= EVENT_OUT;
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    if (this.hungUp) return req === TIOCSPGRP ? -ENOTTY : -EIO;
    const t = currentTask();
    if (t === null) return -ENOTTY;
    const p = this.pty;
    switch (req) {
      case FIONREAD:
        return io.copyOut(arg, i32(p.ld.inq)) < 0 ? -EFAULT : 0;
      case TIOCGPTPEER:
      case TIOCGPTN:
      case TIOCSPTLCK:
      case TIOCGPTLCK:
        // Master requests: a replica is not one (TIOCGPTPEER's EIO is Linux's ptm_open_peer check).
        return req === TIOCGPTPEER ? -EIO : -ENOTTY;
      case TIOCSTI: {
        if (t.tg.tty !== p && !t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN)) return -EPERM;
        const b = io.copyIn(arg, 1);
        if (b === null) return -EFAULT;
        p.ld.type([b], 1);
        p.notify();
        return 0;
      }
    }
    const m = p.modeIoctl(t, req, arg, io, false);
    if (m !== null) return m;
    const j = p.jobIoctl(t, req, arg, io, false, this.readable);
    return j ?? -ENOTTY;
  }

  override release(): void {
    this.pty.replicaReleased(this);
  }

  override describe(): string {
    return this.dentry?.path() ?? `/dev/pts/${this.pty.index}`;
  }
}
