// epoll instances (gVisor pkg/sentry/vfs/epoll.go): an interest list of
// (descriptor, file) pairs, each with the events it wants and the data to
// report. Readiness is the file's own (FileDescription.readiness), checked
// when epoll_wait runs; each interest also waits on its file's queue, and a
// change there marks it ready (for edge-triggered interests) and wakes the
// instance's own queue, on which epoll_wait sleeps and which poll(2) or
// another epoll sees when this instance is itself watched.
//
// An interest does not hold its file open, as in Linux: when the file's
// last descriptor goes, the interest disappears with it (at once, as
// Linux's eventpoll_release, so its watch is no longer counted).
//
// Watches are bounded (kernel/limits.ts): EPOLL_CTL_ADD past the owner's
// max_user_watches or the sandbox's total fails with ENOSPC.
//
// Differs from Linux: EPOLLEXCLUSIVE is accepted but every waiter is woken;
// EPOLLWAKEUP is ignored (there is no suspend).

import { FileDescription, O_RDWR } from '../vfs/file_description.js';
import type { Stat } from '../vfs/stat.js';
import { anonIno, anonInodeStat } from '../vfs/anon_inode.js';
import type { Waiter } from '../sync/waiter.js';
import { EVENT_IN } from '../sync/waiter.js';
import type { ReleaseWatcher } from '../vfs/file_description.js';
import { ENOSPC } from '../abi/linux/errno.js';
import type { SandboxLimits } from './limits.js';

export const EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDNORM = 0x40,
  EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400, EPOLLRDHUP = 0x2000,
  EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
/** The event bits that report readiness (the rest are flags). */
const EVENT_BITS = EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLRDBAND | EPOLLWRNORM |
  EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP;
/** How deep epoll instances may watch each other (Linux's EP_MAX_NESTS). */
export const EP_MAX_NESTS = 4;


/**
 * One watched (descriptor, file) pair. It is its file's waiter (a change
 * marks it ready and wakes the instance) and hears of the file's release,
 * when it goes with it.
 */
export class Interest implements Waiter, ReleaseWatcher {
  /** Notified since it was last reported (what edge-triggered interests report). */
  ready = true;
  /** A one-shot interest that has fired: silent until EPOLL_CTL_MOD. */
  disabled = false;
  /** The waiter's mask: the events it wants, and the ones always reported. */
  mask: number;

  constructor(
    readonly ep: EpollFD,
    readonly fd: number,
    readonly file: FileDescription,
    public events: number,
    public data: bigint,
  ) {
    this.mask = (events & EVENT_BITS) | EPOLLERR | EPOLLHUP;
  }

  notify(): void {
    this.ready = true;
    this.ep.queue.notify(EVENT_IN);
  }

  fileReleased(): void {
    this.ep.remove(this);
  }
}

/** One reported event. */
export interface EpollEvent {
  events: number;
  data: bigint;
}

export class EpollFD extends FileDescription {
  readonly interests = new Map<string, Interest>();
  readonly ino = anonIno();
  /** Where the next epoll_wait starts looking, so no interest starves the others. */
  private cursor = 0;

  /** Watches are charged to `uid` (who made the instance, as Linux's ep->user) in `limits`. */
  constructor(private readonly limits: SandboxLimits, private readonly uid: number) {
    super(O_RDWR, null);
  }

  override get pollable(): boolean {
    return true;
  }

  private static key(fd: number, file: FileDescription): string {
    return `${fd}:${file.id}`;
  }

  find(fd: number, file: FileDescription): Interest | undefined {
    return this.interests.get(EpollFD.key(fd, file));
  }

  /** Adds an interest: 0, or -ENOSPC past the sandbox's watch limits (Linux's max_user_watches). */
  add(fd: number, file: FileDescription, events: number, data: bigint): number {
    if (!this.limits.epollWatches.charge(this.uid, 1, this.limits.maxUserWatches)) return -ENOSPC;
    const it = new Interest(this, fd, file, events, data);
    file.queue.register(it);
    (file.releaseWatchers ??= new Set()).add(it);
    this.interests.set(EpollFD.key(fd, file), it);
    this.queue.notify(EVENT_IN);
    return 0;
  }

  modify(it: Interest, events: number, data: bigint): void {
    it.events = events;
    it.data = data;
    it.ready = true;
    it.disabled = false;
    it.mask = (events & EVENT_BITS) | EPOLLERR | EPOLLHUP;
    this.queue.notify(EVENT_IN);
  }

  remove(it: Interest): void {
    if (this.interests.get(EpollFD.key(it.fd, it.file)) !== it) return;
    it.file.queue.unregister(it);
    it.file.releaseWatchers?.delete(it);
    this.interests.delete(EpollFD.key(it.fd, it.file));
    this.limits.epollWatches.uncharge(this.uid, 1);
  }

  /** What an interest reports now (0: nothing), as its file's readiness and its flags say. */
  private check(it: Interest): number {
    if (it.disabled) return 0;
    const want = (it.events & EVENT_BITS) | EPOLLERR | EPOLLHUP;
    const r = it.file.readiness(want) & want;
    if (r === 0) return 0;
    if ((it.events & EPOLLET) !== 0 && !it.ready) return 0;
    return r;
  }

  /** Collects up to max events, consuming edge-triggered and one-shot ones. */
  collect(max: number): EpollEvent[] {
    const out: EpollEvent[] = [];
    const all = [...this.interests.values()];
    const n = all.length;
    for (let i = 0; i < n && out.length < max; i++) {
      const it = all[(this.cursor + i) % n];
      if (it.file.refs <= 0) {
        // The file is closed everywhere: the interest goes with it.
        this.remove(it);
        continue;
      }
      const r = this.check(it);
      if (r === 0) continue;
      out.push({ events: r, data: it.data });
      it.ready = false;
      if (it.events & EPOLLONESHOT) it.disabled = true;
    }
    if (n > 0) this.cursor = (this.cursor + 1) % n;
    return out;
  }

  /** Asks every watched file to look for readiness it must be told of (host descriptors). */
  arm(): void {
    for (const it of this.interests.values()) {
      if (!it.disabled && it.file.refs > 0) it.file.armReadiness(it.events & EVENT_BITS);
    }
  }

  override readiness(mask: number): number {
    for (const it of this.interests.values()) {
      if (it.file.refs > 0 && this.check(it) !== 0) return mask & EPOLLIN;
    }
    return 0;
  }

  override armReadiness(): void {
    this.arm();
  }

  /** The epoll instances this one watches, directly. */
  watched(): EpollFD[] {
    const out: EpollFD[] = [];
    for (const it of this.interests.values()) if (it.file instanceof EpollFD && it.file.refs > 0) out.push(it.file);
    return out;
  }

  stat(): Stat {
    return anonInodeStat(this.ino);
  }

  override release(): void {
    for (const it of [...this.interests.values()]) this.remove(it);
  }

  override describe(): string {
    return 'anon_inode:[eventpoll]';
  }
}
