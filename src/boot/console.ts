// A container process's console in the container's own devpts (runc's
// setupConsole, which opens the pty in the container's /dev/ptmx): the
// host pty that create or exec opened (its master on --console-socket,
// or the foreground command's relay: src/container/console.ts,
// src/cli/console_relay.ts) reaches the Sentry as the process's stdio;
// the Sentry then opens a pty of the container's /dev/pts, gives the
// process its replica (/dev/pts/N: what `tty` names, owned by the
// process's uid and group tty, as runc's fixStdioPermissions leaves it)
// as its stdin, stdout, stderr and controlling terminal, and copies
// between that pty's master and the host pty, which it puts in raw mode:
// the line discipline that echoes, edits lines and turns keys into
// signals is the container's pty's, as under runc.
//
// The container's pty starts with the host pty's modes and window size
// (a console socket's pty as openPty made it, sized as consoleSize says;
// the relay's with ONLCR cleared, as runc clears its container pty's);
// resize() copies the host pty's size again, and the pty signals its
// foreground group when it changed (the Sentry hears the host's SIGWINCH
// for the init, exec's carrier forwards its own). The host side hanging
// up (its master closed) closes the container pty's master: its session
// gets SIGHUP, as runc's container does when its console goes. Without
// a devpts at /dev/pts in the container (no /dev/pts/ptmx) there is no
// bridge, and the host pty itself stays the process's terminal.
//
// The copy runs on the event loop, woken by the host descriptor's
// readiness (HostFD's watch) and the pty master's wait queue; flush()
// copies what the container side left, synchronously, before its end is
// reported (a process's last output must reach the host before its
// caller hears that it exited).

import type { Task } from '../kernel/task.js';
import type { PTY, PtyMasterFD } from '../kernel/tty/pty.js';
import { Credentials } from '../kernel/credentials.js';
import { decRef } from '../kernel/fd_table.js';
import { HostFD } from '../fs/host_fd.js';
import { PtmxInode, ReplicaInode } from '../fs/devpts/devpts.js';
import { O_NOCTTY, O_RDWR, WOULD_BLOCK } from '../vfs/file_description.js';
import type { FileDescription } from '../vfs/file_description.js';
import type { VirtualFilesystem } from '../vfs/vfs.js';
import { EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import type { Waiter } from '../sync/waiter.js';
import { SIGWINCH } from '../kernel/tty/terminal.js';
import type { Terminal } from '../kernel/tty/terminal.js';
import { TERMIOS2_SIZE, TERMIOS_SIZE } from '../kernel/tty/termios.js';
import { native } from '../native.js';
import type { Logger } from '../kernel/log.js';

const TCGETS = 0x5401, TCSETS = 0x5402, TIOCGWINSZ = 0x5413;
const POLLOUT = 4;
const EIO = 5;
/** How long flush() waits for a full host pty to take the container's last output. */
const FLUSH_MS = 2000;

/** cfmakeraw(3) on the kernel's termios: the host pty only carries bytes. */
function makeRaw(t: Uint8Array): void {
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const set = (off: number, clear: number, or = 0) => v.setUint32(off, ((v.getUint32(off, true) & ~clear) | or) >>> 0, true);
  set(0, 0o1 | 0o2 | 0o10 | 0o40 | 0o100 | 0o200 | 0o400 | 0o2000); // IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON
  set(4, 0o1); // OPOST
  set(12, 0o10 | 0o100 | 0o2 | 0o1 | 0o100000); // ECHO ECHONL ICANON ISIG IEXTEN
  set(8, 0o60 | 0o400, 0o60); // CSIZE PARENB; CS8
  t[17 + 6] = 1; // VMIN
  t[17 + 5] = 0; // VTIME
}

/** The host terminal among a task's descriptors 0-2, or null. */
function hostConsoleOf(task: Task): HostFD | null {
  for (const fd of [0, 1, 2]) {
    const f = task.fdTable.get(fd);
    if (f instanceof HostFD && f.terminal !== null) return f;
  }
  return null;
}

/** The bridges by the container pty they serve (exec's SIGWINCH finds its own: ExecManager.signal). */
const bridges = new WeakMap<Terminal, ConsoleBridge>();

export class ConsoleBridge {
  /** The bridge whose pty term is, if it is one. */
  static of(term: Terminal | null): ConsoleBridge | undefined {
    return term === null ? undefined : bridges.get(term);
  }

  private readonly waiter: Waiter;
  /** Its process has ended: the bridge stops once no replica of the pty is open. */
  private processEnded = false;
  private scheduled = false;
  private stopped = false;
  private toPty: Uint8Array | null = null;
  private toHost: Uint8Array | null = null;
  private readonly buf = new Uint8Array(16 * 1024);

  private constructor(private readonly host: HostFD, private readonly master: PtyMasterFD, readonly pty: PTY, private readonly log: Logger) {
    this.waiter = { mask: EVENT_IN | EVENT_OUT, notify: () => this.schedule() };
    host.queue.register(this.waiter);
    master.queue.register(this.waiter);
    bridges.set(pty, this);
  }

  /**
   * Gives task (just loaded, before its first instruction) a pty of the
   * container's devpts in place of the host terminal at its descriptors
   * 0-2, owned by its fs uid, as its controlling terminal, and starts
   * copying. null when it has no host terminal there or the container no
   * devpts.
   */
  static attach(vfs: VirtualFilesystem, task: Task, log: Logger): ConsoleBridge | null {
    const host = hostConsoleOf(task);
    if (host === null) return null;
    const root = Credentials.of(0, 0);
    const ptmx = vfs.walk(root, task.root, task.root, '/dev/pts/ptmx', { followFinal: true });
    if (typeof ptmx === 'number' || !(ptmx.inode instanceof PtmxInode)) {
      log.info('console: the container has no devpts at /dev/pts: its terminal is the host pty itself');
      return null;
    }
    const m = ptmx.inode.open(O_RDWR | O_NOCTTY);
    if (typeof m === 'number') {
      log.warn(`console: cannot open the container's /dev/pts/ptmx (errno ${-m}): its terminal is the host pty itself`);
      return null;
    }
    m.dentry = ptmx;
    const master = m as PtyMasterFD;
    const pty = master.pty;
    pty.kernel = task.kernel;
    pty.locked = false;
    const name = `/dev/pts/${pty.index}`;
    const rd = vfs.walk(root, task.root, task.root, name, { followFinal: true });
    const replica = typeof rd === 'number' || !(rd.inode instanceof ReplicaInode) ? rd : rd.inode.open(O_RDWR);
    if (typeof replica === 'number' || typeof rd === 'number') {
      decRef(master);
      log.warn(`console: cannot open ${name} (errno ${typeof replica === 'number' ? -replica : 0}): its terminal is the host pty itself`);
      return null;
    }
    (replica as FileDescription).dentry = rd;
    // runc's fixStdioPermissions: the console is the process's user's, its group left as devpts made it (tty).
    (rd.inode as ReplicaInode).uid = task.creds.fsuid;
    // The container's pty takes the host pty's modes and size; the host pty only carries bytes from here.
    const t = new Uint8Array(64);
    if (native.ioctl(host.hostFd, TCGETS, t) === 0) {
      const full = pty.ld.termios.encode(TERMIOS2_SIZE);
      full.set(t.subarray(0, TERMIOS_SIZE));
      pty.ld.setTermios(full);
      makeRaw(t);
      native.ioctl(host.hostFd, TCSETS, t);
    }
    const ws = new Uint8Array(64);
    if (native.ioctl(host.hostFd, TIOCGWINSZ, ws) === 0) pty.winsize.set(ws.subarray(0, 8));
    host.incRef();
    const hostTerm = host.terminal;
    for (const fd of [0, 1, 2]) {
      const f = task.fdTable.get(fd);
      if (f instanceof HostFD && f.terminal === hostTerm) task.fdTable.installAt(fd, replica as FileDescription, false, 1 << 20);
    }
    decRef(replica as FileDescription);
    pty.setControlling(task.tg);
    const bridge = new ConsoleBridge(host, master, pty, log);
    log.info(`console: ${name} in the container, bridged to the host pty`);
    bridge.schedule();
    return bridge;
  }

  /** The host pty's window size to the container's pty (SIGWINCH to its foreground group when it changed). */
  resize(): void {
    const ws = new Uint8Array(64);
    if (this.stopped || native.ioctl(this.host.hostFd, TIOCGWINSZ, ws) !== 0) return;
    const now = ws.subarray(0, 8);
    if (now.every((v, i) => v === this.pty.winsize[i])) return;
    this.pty.winsize.set(now);
    this.pty.signalForeground(SIGWINCH);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Copies what either side has until neither can go on (each waits for its readiness then). */
  private pump(): void {
    for (let round = 0; round < 64 && !this.stopped; round++) {
      let moved = false;
      if (this.toPty === null) {
        const n = this.host.read([this.buf], this.buf.length, -1);
        if (n > 0) this.toPty = this.buf.slice(0, n);
        else if (n !== WOULD_BLOCK) {
          // The host side hung up (its master closed, EIO) or ended: so does the container's console.
          this.stop(true);
          return;
        }
      }
      if (this.toPty !== null) {
        const n = this.master.write([this.toPty], this.toPty.length, -1);
        if (n > 0) {
          this.toPty = n < this.toPty.length ? this.toPty.subarray(n) : null;
          moved = true;
        }
      }
      const o = this.out();
      if (o > 0) moved = true;
      if (o < 0 && this.processEnded) {
        this.stop();
        return;
      }
      if (!moved) return;
    }
    if (!this.stopped) this.schedule();
  }

  /** One step of the container's output to the host pty: bytes moved, 0 when neither side can go on, -1 when the container's side is closed. */
  private out(): number {
    if (this.toHost === null) {
      const n = this.master.read([this.buf], this.buf.length, -1);
      if (n > 0) this.toHost = this.buf.slice(0, n);
      else if (n === -EIO) return -1;
      else return 0;
    }
    const n = this.host.write([this.toHost], this.toHost.length, -1);
    if (n <= 0) return 0;
    this.toHost = n < this.toHost.length ? this.toHost.subarray(n) : null;
    return n;
  }

  /**
   * Copies the container's output that is still in its pty to the host,
   * waiting (at most 2 s) while the host pty is full.
   */
  flush(): void {
    const until = Date.now() + FLUSH_MS;
    while (!this.stopped) {
      const n = this.out();
      if (n > 0) continue;
      if (n < 0 || (this.toHost === null && this.pty.ld.out.length === 0) || Date.now() > until) return;
      native.poll1(this.host.hostFd, POLLOUT, 100);
    }
  }

  /**
   * The process it was made for has ended (exec's): its last output goes
   * to the host now; the bridge stops once no replica is open (at once,
   * unless a process it left still has the terminal).
   */
  ended(): void {
    this.flush();
    this.processEnded = true;
    if (this.pty.replicas.size === 0) this.stop();
  }

  /** Stops copying and lets go of both sides; hangup: the host side went away (the container's pty hangs up). */
  stop(hangup = false): void {
    if (this.stopped) return;
    if (!hangup) this.flush();
    this.stopped = true;
    this.host.queue.unregister(this.waiter);
    this.master.queue.unregister(this.waiter);
    bridges.delete(this.pty);
    if (hangup) this.log.info(`console: the host pty hung up: so does /dev/pts/${this.pty.index}`);
    decRef(this.master);
    decRef(this.host);
  }
}
