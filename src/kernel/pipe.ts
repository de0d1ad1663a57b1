// Pipes (gVisor pkg/sentry/kernel/pipe): a bounded byte buffer in the
// Sentry with a read end and a write end, each a FileDescription. Readers
// wait on EVENT_IN, writers on EVENT_OUT; closing the last writer makes
// reads return EOF, closing the last reader makes writes fail with EPIPE.
// Pipe.write writes what fits; a blocking write(2) goes on until all of it is
// written (sys_read_write.ts). Writes of up to PIPE_BUF bytes are atomic, as
// POSIX requires.

import type { WaitQueue } from '../sync/waiter.js';
import { FileDescription, WOULD_BLOCK, O_RDONLY, O_WRONLY } from '../vfs/file_description.js';
import type { IoctlIO } from '../vfs/file_description.js';
import type { Credentials } from '../vfs/inode.js';
import { CAP_CHOWN } from '../abi/linux/capability.js';
import { Stat, S_IFIFO, makeDev } from '../vfs/stat.js';
import { EVENT_ERR, EVENT_HUP, EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import { EBUSY, EFAULT, EINVAL, ENOTTY, EPERM, EPIPE, ESPIPE } from '../abi/linux/errno.js';
import { chargeBuffers, forceChargeBuffers, unchargeBuffers } from './buffers.js';

export const PIPE_BUF = 4096;
export const DEFAULT_PIPE_SIZE = 65536;
/** /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ gives without CAP_SYS_RESOURCE. */
export const PIPE_MAX_SIZE = 1048576;
const PAGE_SIZE = 4096;
const FIONREAD = 0x541b;

let nextPipeIno = 1000;
const PIPEFS_DEV = makeDev(0, 12);

export class Pipe {
  /**
   * A ring buffer of `capacity` bytes, made on the first write: a pipe costs
   * the Sentry at most its capacity, however the data arrives.
   */
  private ring: Uint8Array | null = null;
  private head = 0;
  size = 0;
  readers = 0;
  writers = 0;
  readonly ino = nextPipeIno++;
  readonly ctime = Math.floor(Date.now() / 1000);
  capacity = DEFAULT_PIPE_SIZE;
  readonly readEnd: PipeFD;
  readonly writeEnd: PipeFD;
  /** Permission bits (fchmod works on pipes). */
  mode = 0o600;

  constructor(public uid: number, public gid: number) {
    this.readEnd = new PipeFD(this, O_RDONLY);
    this.writeEnd = new PipeFD(this, O_WRONLY);
    this.readers = 1;
    this.writers = 1;
  }

  /**
   * The queues of descriptions of this pipe other than its own two ends (a
   * named FIFO's opens): they hear what the ends hear, so that a reader or
   * writer waiting on one, or an epoll watching it, is woken.
   */
  readonly otherQueues = new Set<WaitQueue>();

  notifyAll(events: number): void {
    this.readEnd.queue.notify(events);
    this.writeEnd.queue.notify(events);
    for (const q of this.otherQueues) q.notify(events);
  }

  read(dsts: Uint8Array[]): number {
    if (this.size === 0) return this.writers === 0 ? 0 : WOULD_BLOCK;
    const ring = this.ring as Uint8Array;
    let done = 0;
    for (const d of dsts) {
      let off = 0;
      while (off < d.length && this.size > 0) {
        const n = Math.min(d.length - off, this.size, this.capacity - this.head);
        d.set(ring.subarray(this.head, this.head + n), off);
        off += n;
        this.head = (this.head + n) % this.capacity;
        this.size -= n;
      }
      done += off;
      if (this.size === 0) break;
    }
    if (this.size === 0) this.head = 0;
    this.notifyAll(EVENT_OUT);
    return done;
  }

  /**
   * Copies bytes from `skip` bytes past the front into dst without taking
   * them (splice and tee move only what the other side accepts): the
   * count, 0 at the end of the data when no writer is left, or WOULD_BLOCK.
   */
  peek(dst: Uint8Array, skip: number): number {
    if (this.size <= skip) return this.writers === 0 ? 0 : WOULD_BLOCK;
    const ring = this.ring as Uint8Array;
    const n = Math.min(dst.length, this.size - skip);
    const from = (this.head + skip) % this.capacity;
    const first = Math.min(n, this.capacity - from);
    dst.set(ring.subarray(from, from + first), 0);
    if (first < n) dst.set(ring.subarray(0, n - first), first);
    return n;
  }

  /** Takes n bytes (n <= size) from the front, as read would, after peek. */
  consume(n: number): void {
    if (n <= 0) return;
    this.head = (this.head + n) % this.capacity;
    this.size -= n;
    if (this.size === 0) this.head = 0;
    this.notifyAll(EVENT_OUT);
  }

  write(srcs: Uint8Array[], total: number): number {
    if (this.readers === 0) return -EPIPE;
    if (this.ring === null) {
      // Past the Sentry's buffer budget a pipe holds one page; past its hard bound, the writer waits (kernel/buffers.ts).
      if (!chargeBuffers(this.capacity)) {
        if (!forceChargeBuffers(PAGE_SIZE, this.writeEnd.queue)) return WOULD_BLOCK;
        this.capacity = PAGE_SIZE;
      }
      this.ring = new Uint8Array(this.capacity);
    }
    const room = this.capacity - this.size;
    if (room === 0 || (total <= PIPE_BUF && room < total)) return WOULD_BLOCK;
    const ring = this.ring;
    let left = Math.min(room, total);
    let done = 0;
    for (const s of srcs) {
      let off = 0;
      while (left > 0 && off < s.length) {
        const tail = (this.head + this.size) % this.capacity;
        const n = Math.min(left, s.length - off, this.capacity - tail);
        ring.set(s.subarray(off, off + n), tail);
        off += n;
        left -= n;
        done += n;
        this.size += n;
      }
      if (left === 0) break;
    }
    this.notifyAll(EVENT_IN);
    return done;
  }

  /**
   * F_SETPIPE_SZ (Linux pipe_set_size): the size is rounded up to a power of
   * two pages; more than pipe-max-size needs privilege; the pipe must still
   * hold what it has (counted in pages, as Linux's ring of page buffers
   * does). Returns the new capacity or an errno.
   */
  setCapacity(arg: number, privileged: boolean): number {
    if (arg > 2 ** 31) return -EINVAL;
    let size = PAGE_SIZE;
    while (size < arg) size *= 2;
    if (size > this.capacity && size > PIPE_MAX_SIZE && !privileged) return -EPERM;
    if (size / PAGE_SIZE < Math.ceil(this.size / PAGE_SIZE)) return -EBUSY;
    if (this.ring !== null) {
      if (size > this.capacity && !chargeBuffers(size - this.capacity)) return -EPERM;
      if (size < this.capacity) unchargeBuffers(this.capacity - size);
      const ring = new Uint8Array(size);
      const first = Math.min(this.size, this.capacity - this.head);
      ring.set(this.ring.subarray(this.head, this.head + first), 0);
      ring.set(this.ring.subarray(0, this.size - first), first);
      this.ring = ring;
    }
    this.head = 0;
    this.capacity = size;
    this.notifyAll(EVENT_OUT);
    return size;
  }

  /** Both ends are closed: the ring goes back to the budget. */
  free(): void {
    if (this.ring === null) return;
    unchargeBuffers(this.capacity);
    this.ring = null;
    this.size = 0;
  }

  stat(): Stat {
    const s = new Stat();
    s.dev = PIPEFS_DEV;
    s.ino = this.ino;
    s.mode = S_IFIFO | this.mode;
    s.nlink = 1;
    s.uid = this.uid;
    s.gid = this.gid;
    s.blksize = 4096;
    s.atimeSec = s.mtimeSec = s.ctimeSec = this.ctime;
    return s;
  }
}

export class PipeFD extends FileDescription {
  constructor(readonly pipe: Pipe, flags: number) {
    super(flags, null);
  }

  override get seekable(): boolean {
    return false;
  }

  override get pollable(): boolean {
    return true;
  }

  override get writesWhole(): boolean {
    return true;
  }

  override seek(): number {
    return -ESPIPE;
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    return this.pipe.read(dsts);
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    if (offset >= 0) return -ESPIPE;
    return this.pipe.write(srcs, total);
  }

  stat(): Stat {
    return this.pipe.stat();
  }

  override readiness(mask: number): number {
    const p = this.pipe;
    let r = 0;
    if (this.readable) {
      if (p.size > 0) r |= EVENT_IN;
      if (p.writers === 0) r |= EVENT_HUP;
    }
    if (this.writable) {
      if (p.capacity - p.size >= PIPE_BUF || (p.capacity - p.size > 0 && p.capacity - p.size >= 1)) r |= EVENT_OUT;
      if (p.readers === 0) r |= EVENT_ERR;
    }
    return r & (mask | EVENT_HUP | EVENT_ERR);
  }

  override ioctl(req: number, arg: number, io: IoctlIO): number {
    if (req !== FIONREAD) return -ENOTTY;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, this.readable ? this.pipe.size : 0, true);
    return io.copyOut(arg, b) < 0 ? -EFAULT : 0;
  }

  override setattr(change: { mode?: number; uid?: number; gid?: number }, creds: Credentials): number {
    const p = this.pipe;
    const owner = creds.fsuid === p.uid;
    // Linux's setattr_prepare: chown_ok and chgrp_ok (the owner may give it a group of its own), else CAP_CHOWN;
    // anything else needs the owner or CAP_FOWNER (each over the pipe's owner, in the caller's user namespace).
    if (change.uid !== undefined || change.gid !== undefined) {
      const uidOk = change.uid === undefined || (owner && change.uid === p.uid);
      const gidOk = change.gid === undefined ||
        (owner && (change.gid === p.gid || change.gid === creds.fsgid || creds.groups.includes(change.gid)));
      if (!(uidOk && gidOk) && !creds.hasCapabilityOnFile(CAP_CHOWN, p.uid, p.gid)) return -EPERM;
    } else if (!creds.ownerOrCapable(p.uid)) {
      return -EPERM;
    }
    if (change.mode !== undefined) p.mode = change.mode;
    if (change.uid !== undefined) p.uid = change.uid;
    if (change.gid !== undefined) p.gid = change.gid;
    return 0;
  }

  override release(): void {
    if (this.readable) this.pipe.readers--;
    else this.pipe.writers--;
    if (this.pipe.readers === 0 && this.pipe.writers === 0) this.pipe.free();
    this.pipe.notifyAll(EVENT_IN | EVENT_OUT | EVENT_HUP | EVENT_ERR);
  }

  override describe(): string {
    return `pipe:[${this.pipe.ino}]`;
  }
}
