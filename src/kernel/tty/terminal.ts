// A terminal's job-control state (Linux drivers/tty/tty_jobctrl.c, gVisor
// pkg/sentry/kernel/tty.go and the TTY parts of sessions.go): the session
// it is the controlling terminal of, its foreground process group, and the
// rules every terminal shares, whatever moves its bytes (a pty replica, a
// host terminal): TIOCSCTTY/TIOCNOTTY/TIOCGPGRP/TIOCSPGRP/TIOCGSID, the
// background checks (SIGTTIN for a read, SIGTTOU for a write with TOSTOP
// or a mode change; EIO for an orphaned group or an ignored SIGTTIN), the
// SIGHUP when the controlling process exits, and a hangup.
//
// A process's controlling terminal is ThreadGroup.tty, as Linux's
// signal->tty: fork copies it, setsid clears it, a session leader
// acquires one by TIOCSCTTY or by opening a terminal without O_NOCTTY.
//
// Differs from Linux: a terminal remembers its session and group by
// number, the root pid namespace's (ids are not reused while a member
// lives; setpgid and setsid keep them consistent); TIOCGPGRP, TIOCGSID and
// TIOCSPGRP translate them through the caller's pid namespace (0 for a
// group or session outside it).

import type { Task } from '../task.js';
import type { ThreadGroup } from '../thread_group.js';
import type { Kernel } from '../kernel.js';
import type { FileDescription, IoctlIO } from '../../vfs/file_description.js';
import { ERESTARTSYS, SI_KERNEL, makeSiginfo, orphanedGroup, sendSignal, sendToProcess, sigbit } from '../signals.js';
import { EFAULT, EINVAL, EIO, ENOTTY, EPERM, ESRCH } from '../../abi/linux/errno.js';
import { CAP_SYS_ADMIN } from '../../abi/linux/capability.js';

export const TIOCSCTTY = 0x540e, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCNOTTY = 0x5422, TIOCGSID = 0x5429;
export const SIGHUP = 1, SIGCONT = 18, SIGTTIN = 21, SIGTTOU = 22, SIGWINCH = 28;

function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

export abstract class Terminal {
  /** The session this is the controlling terminal of; 0: none. */
  sid = 0;
  /** Its foreground process group; 0: none. */
  fgPgid = 0;
  /** The kernel whose processes it signals (known once a task has used it). */
  kernel: Kernel | null = null;

  /** A new description of this terminal, for an open of /dev/tty. */
  abstract openAlias(flags: number): FileDescription | number;

  /** Whether t may bypass the checks CAP_SYS_ADMIN bypasses. */
  private static admin(t: Task): boolean {
    return t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN);
  }

  /** Sends sig to every process of group pgid (Linux's kill_pgrp with SEND_SIG_PRIV); the caller, if a member, takes it itself. */
  killPgrp(pgid: number, sig: number, caller: Task | null = null): void {
    const k = this.kernel ?? caller?.kernel ?? null;
    if (k === null || pgid === 0) return;
    const seen = new Set<ThreadGroup>();
    for (const x of k.pidns.tasks.values()) {
      const g = x.tg;
      if (g.pgid !== pgid || g.exitStatus !== null || seen.has(g)) continue;
      seen.add(g);
      const info = makeSiginfo(sig, SI_KERNEL);
      if (caller !== null && g === caller.tg) sendSignal(caller, info);
      else sendToProcess(g, info);
    }
  }

  /** A root-namespace process group or session id as t's pid namespace shows it (0 if outside it). */
  private static shown(t: Task, rootId: number, session: boolean): number {
    const ns = t.pidns;
    if (ns.parent === null) return rootId;
    for (const x of t.kernel.pidns.tasks.values()) {
      const p = session ? x.tg.session : x.tg.pgrp;
      if (p.nrs[0] === rootId) return p.nr(ns);
    }
    return t.kernel.pidns.taskWithId(rootId)?.threadPid.nr(ns) ?? 0;
  }

  /** Signals the foreground group (ISIG, SIGWINCH). */
  signalForeground(sig: number): void {
    if (this.fgPgid !== 0) this.killPgrp(this.fgPgid, sig);
  }

  /**
   * Linux's __tty_check_change: 0 if t may go on; for a member of a
   * background group of its controlling terminal, sig is sent to its
   * group and the call restarts once it is continued (-ERESTARTSYS), or
   * it fails with EIO (the group is orphaned, or SIGTTIN is ignored or
   * blocked); an ignored or blocked SIGTTOU lets it go on.
   */
  checkChange(t: Task, sig: number): number {
    if (t.tg.tty !== this || this.fgPgid === 0 || this.fgPgid === t.tg.pgid) return 0;
    const blockedOrIgnored = (t.sigmask & sigbit(sig)) !== 0n || t.tg.sigactions[sig].handler === 1n;
    if (blockedOrIgnored) return sig === SIGTTIN ? -EIO : 0;
    if (orphanedGroup(t)) return -EIO;
    this.killPgrp(t.tg.pgid, sig, t);
    return -ERESTARTSYS;
  }

  /** Makes this the controlling terminal of tg's session, tg's group in the foreground (Linux's __proc_set_tty). */
  setControlling(tg: ThreadGroup): void {
    this.sid = tg.sid;
    this.fgPgid = tg.pgid;
    this.kernel = tg.leader.kernel;
    tg.tty = this;
  }

  /** No session has this terminal any more; its processes lose it (session_clear_tty). */
  private clearSession(): void {
    const k = this.kernel;
    if (k !== null && this.sid !== 0) {
      for (const x of k.pidns.tasks.values()) if (x.tg.sid === this.sid && x.tg.tty === this) x.tg.tty = null;
    }
    this.sid = 0;
    this.fgPgid = 0;
  }

  /**
   * Linux's disassociate_ctty: the foreground group gets SIGHUP (and
   * SIGCONT unless the controlling process is exiting), and the session
   * loses its terminal.
   */
  disassociate(onExit: boolean): void {
    const pg = this.fgPgid;
    if (pg !== 0) {
      this.killPgrp(pg, SIGHUP);
      if (!onExit) this.killPgrp(pg, SIGCONT);
    }
    this.clearSession();
  }

  /** The controlling process (a session leader) tg ends. */
  leaderExited(tg: ThreadGroup): void {
    if (tg.tty === this && tg.sid === tg.tgid && this.sid === tg.sid) this.disassociate(true);
  }

  /**
   * A hangup (the pty master closed): every process of the session loses
   * the terminal and its leader gets SIGHUP and SIGCONT (Linux's
   * tty_signal_session_leader).
   */
  hangup(): void {
    const k = this.kernel;
    if (k !== null && this.sid !== 0) {
      const seen = new Set<ThreadGroup>();
      for (const x of k.pidns.tasks.values()) {
        const g = x.tg;
        if (g.sid !== this.sid || seen.has(g)) continue;
        seen.add(g);
        if (g.tty === this) g.tty = null;
        if (g.tgid !== g.sid || g.exitStatus !== null) continue;
        sendToProcess(g, makeSiginfo(SIGHUP, SI_KERNEL));
        sendToProcess(g, makeSiginfo(SIGCONT, SI_KERNEL));
      }
    }
    this.sid = 0;
    this.fgPgid = 0;
  }

  /**
   * An open of this terminal without O_NOCTTY: a session leader without
   * a controlling terminal acquires it if no session has it and the open
   * may read (Linux's tty_open_proc_set_tty).
   */
  openAcquires(t: Task | null, readable: boolean): void {
    if (t === null || !readable) return;
    const tg = t.tg;
    if (tg.sid === tg.tgid && tg.tty === null && this.sid === 0) this.setControlling(tg);
  }

  /**
   * The job-control requests, or null for any other. viaMaster: made on a
   * pty master for its replica (no controlling-terminal check for the
   * queries; TIOCNOTTY is then ENOTTY). readable: the file was opened for
   * reading (TIOCSCTTY needs it without privilege).
   */
  jobIoctl(t: Task, req: number, arg: number, io: IoctlIO, viaMaster: boolean, readable: boolean): number | null {
    if (this.kernel === null) this.kernel = t.kernel;
    const tg = t.tg;
    switch (req) {
      case TIOCGPGRP:
        if (!viaMaster && tg.tty !== this) return -ENOTTY;
        return io.copyOut(arg, i32(Terminal.shown(t, this.fgPgid, false))) < 0 ? -EFAULT : 0;
      case TIOCGSID:
        if (!viaMaster && tg.tty !== this) return -ENOTTY;
        if (this.sid === 0) return -ENOTTY;
        return io.copyOut(arg, i32(Terminal.shown(t, this.sid, true))) < 0 ? -EFAULT : 0;
      case TIOCSPGRP: {
        const r = this.checkChange(t, SIGTTOU);
        if (r === -EIO) return -ENOTTY;
        if (r !== 0) return r;
        const b = io.copyIn(arg, 4);
        if (b === null) return -EFAULT;
        const pg = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
        if (pg < 0) return -EINVAL;
        if (tg.tty !== this || this.sid !== tg.sid) return -ENOTTY;
        // Linux's find_vpid (in the caller's pid namespace) and session_of_pgrp: a group's
        // session, or the session of the process with that id.
        const ns = t.pidns;
        let sess = -1, rootPg = 0;
        for (const x of t.kernel.pidns.tasks.values()) {
          if (x.tg.pgrp.nr(ns) === pg && pg !== 0) {
            sess = x.tg.sid;
            rootPg = x.tg.pgid;
            break;
          }
        }
        if (sess === -1) {
          const p = pg === 0 ? undefined : ns.taskWithId(pg);
          if (p === undefined) return -ESRCH;
          sess = p.tg.sid;
          rootPg = p.tid;
        }
        if (sess !== tg.sid) return -EPERM;
        this.fgPgid = rootPg;
        return 0;
      }
      case TIOCSCTTY: {
        const leader = tg.sid === tg.tgid;
        if (leader && this.sid === tg.sid) return 0;
        if (!leader || tg.tty !== null) return -EPERM;
        if (this.sid !== 0) {
          if (arg !== 1 || !Terminal.admin(t)) return -EPERM;
          this.clearSession();
        }
        if (!readable && !Terminal.admin(t)) return -EPERM;
        this.setControlling(tg);
        return 0;
      }
      case TIOCNOTTY:
        if (viaMaster || tg.tty !== this) return -ENOTTY;
        if (tg.sid === tg.tgid) this.disassociate(false);
        tg.tty = null;
        return 0;
      default:
        return null;
    }
  }
}
