// signalfd (gVisor pkg/sentry/fsimpl/signalfd): pending signals read as
// records from a file. Reading takes the pending signals in the file's
// mask from the process's threads (the main thread first) and gives each
// as a struct signalfd_siginfo; while none is pending, readers block.
// Every signal generated for the process wakes the process's signalfds,
// as Linux's sighand->signalfd_wqh does.
//
// Differs from Linux: reads take from every thread of the process, not
// only the reader and the process-wide set (the Sentry has no
// process-wide pending set: kernel/signals.ts).

import { FileDescription, O_RDONLY, WOULD_BLOCK } from '../vfs/file_description.js';
import type { Stat } from '../vfs/stat.js';
import { anonIno, anonInodeStat } from '../vfs/anon_inode.js';
import { EVENT_IN } from '../sync/waiter.js';
import { EINVAL } from '../abi/linux/errno.js';
import type { ThreadGroup } from './thread_group.js';
import { TaskState } from './task.js';
import { UNBLOCKABLE, takePending } from './signals.js';

const SIGINFO_SIZE = 128;

/** The kernel siginfo's fields in a struct signalfd_siginfo, as Linux's signalfd_copyinfo lays them out. */
function toSignalfdSiginfo(info: Uint8Array): Uint8Array {
  const k = new DataView(info.buffer, info.byteOffset, 128);
  const out = new Uint8Array(SIGINFO_SIZE);
  const o = new DataView(out.buffer);
  const signo = k.getInt32(0, true), code = k.getInt32(8, true);
  o.setUint32(0, signo, true);
  o.setInt32(4, k.getInt32(4, true), true);
  o.setInt32(8, code, true);
  const fault = code > 0 && [4, 5, 7, 8, 11].includes(signo); // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
  if (fault) {
    o.setBigUint64(72, k.getBigUint64(16, true), true); // ssi_addr
  } else if (signo === 17 && code > 0) {
    // SIGCHLD: pid, uid, status, times.
    o.setUint32(12, k.getUint32(16, true), true);
    o.setUint32(16, k.getUint32(20, true), true);
    o.setInt32(40, k.getInt32(24, true), true);
    o.setBigUint64(56, k.getBigUint64(32, true), true);
    o.setBigUint64(64, k.getBigUint64(40, true), true);
  } else {
    // kill, tkill, sigqueue: pid, uid, and the value queued with it.
    o.setUint32(12, k.getUint32(16, true), true);
    o.setUint32(16, k.getUint32(20, true), true);
    o.setInt32(44, k.getInt32(24, true), true);
    o.setBigUint64(48, k.getBigUint64(24, true), true);
  }
  return out;
}

export class SignalFD extends FileDescription {
  readonly ino = anonIno();
  mask: bigint;

  constructor(readonly tg: ThreadGroup, mask: bigint, flags: number) {
    super(O_RDONLY | flags, null);
    this.mask = 0n;
    this.setMask(mask);
    tg.signalfds.add(this);
  }

  /** SIGKILL and SIGSTOP are never read from a signalfd. */
  setMask(mask: bigint): void {
    this.mask = mask & ~UNBLOCKABLE;
    this.queue.notify(EVENT_IN);
  }

  override get pollable(): boolean {
    return true;
  }

  override get seekable(): boolean {
    return false;
  }

  /** The pending signals it would read. */
  private pending(): bigint {
    let p = 0n;
    for (const t of this.tg.tasks) if (t.state !== TaskState.Dead) p |= t.pendingMask;
    return p & this.mask;
  }

  override read(dsts: Uint8Array[], total: number): number {
    if (total < SIGINFO_SIZE) return -EINVAL;
    const records: Uint8Array[] = [];
    const tasks = this.tg.tasks.filter((t) => t.state !== TaskState.Dead);
    while (records.length < Math.floor(total / SIGINFO_SIZE)) {
      const task = tasks.find((t) => (t.pendingMask & this.mask) !== 0n);
      if (task === undefined) break;
      const ready = task.pendingMask & this.mask;
      let sig = 1;
      while ((ready & (1n << BigInt(sig - 1))) === 0n) sig++;
      records.push(toSignalfdSiginfo(takePending(task, sig)));
    }
    if (records.length === 0) return WOULD_BLOCK;
    let di = 0, doff = 0;
    for (const rec of records) {
      for (let off = 0; off < rec.length;) {
        const d = dsts[di];
        const n = Math.min(d.length - doff, rec.length - off);
        d.set(rec.subarray(off, off + n), doff);
        off += n;
        doff += n;
        if (doff === d.length) {
          di++;
          doff = 0;
        }
      }
    }
    return records.length * SIGINFO_SIZE;
  }

  override readiness(mask: number): number {
    return this.pending() !== 0n ? mask & EVENT_IN : 0;
  }

  /** Called when a signal is generated for the process. */
  signalled(): void {
    this.queue.notify(EVENT_IN);
  }

  stat(): Stat {
    return anonInodeStat(this.ino);
  }

  override release(): void {
    this.tg.signalfds.delete(this);
  }

  override describe(): string {
    return 'anon_inode:[signalfd]';
  }
}
