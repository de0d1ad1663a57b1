// An inotify instance (gVisor vfs.Inotify, Linux's fsnotify_group with
// inotify's read, poll and ioctl): the file inotify_init1(2) makes. It
// holds its watches by wd and its queue of events; read(2) gives whole
// struct inotify_event records (wd, mask, cookie, len, then the name
// padded with NULs to a multiple of 16 bytes), EINVAL when the first does
// not fit, and blocks (or EAGAIN) while the queue is empty. Readable for
// poll and epoll while events wait; FIONREAD says how many bytes.
//
// Differs from Linux: a read(2) of 0 bytes returns 0 (the read path
// answers it before the file), where Linux says EINVAL or waits.

import { FileDescription, O_RDONLY, WOULD_BLOCK } from '../file_description.js';
import type { IoctlIO } from '../file_description.js';
import type { Stat } from '../stat.js';
import { anonIno, anonInodeStat } from '../anon_inode.js';
import { EVENT_IN } from '../../sync/waiter.js';
import { EFAULT, EINVAL, ENOTTY } from '../../abi/linux/errno.js';
import {
  IN_Q_OVERFLOW, inotifyLimits, inotifyUsage, removeWatch, unchargeInstance,
} from './watches.js';
import type { InotifyOwner, Watch } from './watches.js';

const FIONREAD = 0x541b;
const EVENT_HEADER = 16;

interface QueuedEvent {
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  readonly name: string;
  /** Bytes read(2) gives for it. */
  readonly size: number;
  /** Charged to the sandbox's bound (the overflow event is not). */
  readonly charged: boolean;
}

/** The padded name length of an event (round_up(len + 1, 16), 0 without a name). */
function nameLen(name: string): number {
  return name.length === 0 ? 0 : (name.length + 1 + 15) & ~15;
}

export class InotifyFD extends FileDescription implements InotifyOwner {
  readonly ino = anonIno();
  /** The instance's watches by wd. */
  readonly watches = new Map<number, Watch>();
  private nextWd = 1;
  private queueHead = 0;
  private readonly events: QueuedEvent[] = [];
  private bytes = 0;
  private overflowQueued = false;
  /** max_queued_events as it was when the instance was made (as Linux's group->max_events). */
  private readonly maxEvents = inotifyLimits.maxQueuedEvents;

  constructor(flags: number, readonly uid: number) {
    super(O_RDONLY | flags, null);
  }

  /** The next wd (idr_alloc_cyclic from 1: wds are not reused while the instance lives). */
  allocWd(): number {
    const wd = this.nextWd;
    this.nextWd = this.nextWd >= 0x7fffffff ? 1 : this.nextWd + 1;
    return wd;
  }

  get queued(): number {
    return this.events.length - this.queueHead;
  }

  queueEvent(wd: number, mask: number, cookie: number, name: string): void {
    let ev: QueuedEvent;
    if (this.queued >= this.maxEvents || inotifyUsage.queuedEvents >= inotifyLimits.sandboxQueuedEvents) {
      if (this.overflowQueued) return;
      this.overflowQueued = true;
      ev = { wd: -1, mask: IN_Q_OVERFLOW, cookie: 0, name: '', size: EVENT_HEADER, charged: false };
    } else {
      if (this.queued > 0) {
        // Merge with the last event when it is the same (inotify_merge).
        const last = this.events[this.events.length - 1];
        if (last.wd === wd && last.mask === mask && last.cookie === cookie && last.name === name) return;
      }
      ev = { wd, mask, cookie, name, size: EVENT_HEADER + nameLen(name), charged: true };
      inotifyUsage.queuedEvents++;
    }
    this.events.push(ev);
    this.bytes += ev.size;
    this.queue.notify(EVENT_IN);
  }

  watchGone(w: Watch): void {
    if (this.watches.get(w.wd) === w) this.watches.delete(w.wd);
  }

  private shift(): void {
    const ev = this.events[this.queueHead++];
    this.bytes -= ev.size;
    if (ev.charged) inotifyUsage.queuedEvents--;
    else this.overflowQueued = false;
    if (this.queueHead === this.events.length) {
      this.events.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead >= 1024 && this.queueHead * 2 >= this.events.length) {
      this.events.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  override get pollable(): boolean {
    return true;
  }

  override get seekable(): boolean {
    return false;
  }

  override read(dsts: Uint8Array[], total: number): number {
    if (this.queued === 0) return WOULD_BLOCK;
    if (this.events[this.queueHead].size > total) return -EINVAL;
    let n = 0;
    for (let k = this.queueHead; k < this.events.length && n + this.events[k].size <= total; k++) n += this.events[k].size;
    const out = new Uint8Array(n);
    const dv = new DataView(out.buffer);
    let off = 0;
    while (off < n) {
      const ev = this.events[this.queueHead];
      dv.setInt32(off, ev.wd, true);
      dv.setUint32(off + 4, ev.mask >>> 0, true);
      dv.setUint32(off + 8, ev.cookie >>> 0, true);
      dv.setUint32(off + 12, ev.size - EVENT_HEADER, true);
      if (ev.name.length > 0) out.set(Buffer.from(ev.name, 'latin1'), off + EVENT_HEADER);
      off += ev.size;
      this.shift();
    }
    copyInto(dsts, out);
    return n;
  }

  override readiness(mask: number): number {
    return (this.queued > 0 ? EVENT_IN : 0) & mask;
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    if (req !== FIONREAD) return -ENOTTY;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, this.bytes, true);
    return io.copyOut(arg, b) < 0 ? -EFAULT : 0;
  }

  override release(): void {
    for (const w of [...this.watches.values()]) removeWatch(w, false);
    while (this.queued > 0) this.shift();
    unchargeInstance(this.uid);
  }

  stat(): Stat {
    return anonInodeStat(this.ino);
  }

  override describe(): string {
    return 'anon_inode:inotify';
  }

  /** /proc/PID/fdinfo's lines for the watches (inotify_fdinfo), without the file handles. */
  fdinfo(): string {
    let s = '';
    for (const w of this.watches.values()) {
      const [dev, ino] = w.target.key.split(':').map(Number);
      s += `inotify wd:${w.wd.toString(16)} ino:${ino.toString(16)} sdev:${dev.toString(16)} mask:${w.mask.toString(16)} ignored_mask:0\n`;
    }
    return s;
  }
}

function copyInto(dsts: Uint8Array[], b: Uint8Array): void {
  let off = 0;
  for (const d of dsts) {
    const n = Math.min(d.length, b.length - off);
    d.set(b.subarray(off, off + n));
    off += n;
    if (off === b.length) return;
  }
}
