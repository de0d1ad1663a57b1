// timerfd (gVisor pkg/sentry/fsimpl/timerfd): a timer whose expirations are
// read from a file. The timer is a deadline and an interval in the
// sandbox's monotonic clock (a realtime timer's absolute deadline is turned
// into one when it is set); a Node timer, made again from that state,
// counts the expirations and wakes readers. Reading takes the count and
// resets it.
//
// Differs from Linux: a realtime timer does not follow later changes of
// the realtime clock (TFD_TIMER_CANCEL_ON_SET is accepted, never fires);
// the *_ALARM clocks do not wake a suspended machine (there is none).

import { FileDescription, O_RDONLY, WOULD_BLOCK } from '../vfs/file_description.js';
import type { Stat } from '../vfs/stat.js';
import { anonIno, anonInodeStat } from '../vfs/anon_inode.js';
import { EVENT_IN } from '../sync/waiter.js';
import { EINVAL } from '../abi/linux/errno.js';
import type { Kernel } from './kernel.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export class TimerFD extends FileDescription {
  readonly ino = anonIno();
  /** Monotonic ms of the next expiration, or 0 when disarmed. */
  deadline = 0;
  /** ms between expirations (0: one shot). */
  interval = 0;
  /** Expirations not yet read. */
  expirations = 0n;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly kernel: Kernel, readonly clock: number, flags: number) {
    super(O_RDONLY | flags, null);
  }

  override get pollable(): boolean {
    return true;
  }

  override get seekable(): boolean {
    return false;
  }

  /** Time to the next expiration and the interval, in ms (0, 0: disarmed). */
  get(): { value: number; interval: number } {
    this.catchUp();
    if (this.deadline === 0) return { value: 0, interval: this.interval };
    // A timer that is due reports the least positive time, as Linux does.
    return { value: Math.max(1e-6, this.deadline - this.kernel.monotonicMs()), interval: this.interval };
  }

  /** Arms (deadline > 0, monotonic ms) or disarms it; the count of unread expirations is dropped. */
  set(deadline: number, interval: number): void {
    this.expirations = 0n;
    this.deadline = deadline;
    this.interval = interval;
    this.schedule();
  }

  /** Counts the expirations that are due now. */
  private catchUp(): void {
    if (this.deadline === 0) return;
    const now = this.kernel.monotonicMs();
    if (now < this.deadline) return;
    if (this.interval > 0) {
      const n = Math.floor((now - this.deadline) / this.interval) + 1;
      this.expirations += BigInt(n);
      this.deadline += n * this.interval;
    } else {
      this.expirations += 1n;
      this.deadline = 0;
    }
    this.queue.notify(EVENT_IN);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.deadline === 0) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(this.deadline - this.kernel.monotonicMs())));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.catchUp();
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  override read(dsts: Uint8Array[], total: number): number {
    if (total < 8) return -EINVAL;
    this.catchUp();
    if (this.expirations === 0n) return WOULD_BLOCK;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, this.expirations, true);
    this.expirations = 0n;
    let off = 0;
    for (const d of dsts) {
      const n = Math.min(d.length, 8 - off);
      d.set(b.subarray(off, off + n));
      off += n;
      if (off === 8) break;
    }
    return 8;
  }

  override readiness(mask: number): number {
    this.catchUp();
    return this.expirations > 0n ? mask & EVENT_IN : 0;
  }

  stat(): Stat {
    return anonInodeStat(this.ino);
  }

  override release(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  override describe(): string {
    return 'anon_inode:[timerfd]';
  }
}
