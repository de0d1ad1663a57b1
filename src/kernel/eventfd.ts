// eventfd (gVisor pkg/sentry/fsimpl/eventfd): a 64-bit counter as a file.
// A write adds to it, a read takes it all (or one, in semaphore mode) and
// blocks while it is zero; a write that would pass the maximum blocks
// until a read makes room. Readable while the counter is above zero,
// writable while it is below the maximum.

import { copyToViews } from '../mm/io.js';
import { FileDescription, O_RDWR, WOULD_BLOCK } from '../vfs/file_description.js';
import type { Stat } from '../vfs/stat.js';
import { anonIno, anonInodeStat } from '../vfs/anon_inode.js';
import { EVENT_IN, EVENT_OUT } from '../sync/waiter.js';
import { EINVAL } from '../abi/linux/errno.js';

const MAX = 0xfffffffffffffffen;

export class EventFD extends FileDescription {
  private count: bigint;
  readonly ino = anonIno();

  constructor(initial: number, flags: number, readonly semaphore: boolean) {
    super(O_RDWR | flags, null);
    this.count = BigInt(initial);
  }

  override get pollable(): boolean {
    return true;
  }

  override get seekable(): boolean {
    return false;
  }

  override read(dsts: Uint8Array[], total: number): number {
    if (total < 8) return -EINVAL;
    if (this.count === 0n) return WOULD_BLOCK;
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    copyToViews(b, dsts);
    this.queue.notify(EVENT_OUT);
    return 8;
  }

  override write(srcs: Uint8Array[], total: number): number {
    if (total < 8) return -EINVAL;
    const b = new Uint8Array(8);
    copyFrom(srcs, b);
    const v = new DataView(b.buffer).getBigUint64(0, true);
    if (v === 0xffffffffffffffffn) return -EINVAL;
    if (v > MAX - this.count) return WOULD_BLOCK;
    this.count += v;
    if (v > 0n) this.queue.notify(EVENT_IN);
    return 8;
  }

  override readiness(mask: number): number {
    let r = 0;
    if (this.count > 0n) r |= EVENT_IN;
    if (this.count < MAX) r |= EVENT_OUT;
    return r & mask;
  }

  stat(): Stat {
    return anonInodeStat(this.ino);
  }

  override describe(): string {
    return 'anon_inode:[eventfd]';
  }
}

function copyFrom(srcs: Uint8Array[], b: Uint8Array): void {
  let off = 0;
  for (const s of srcs) {
    const n = Math.min(s.length, b.length - off);
    b.set(s.subarray(0, n), off);
    off += n;
    if (off === b.length) return;
  }
}
