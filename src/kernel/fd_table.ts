// FDTable (gVisor pkg/sentry/kernel.FDTable): a task's file descriptors,
// each a reference to a shared FileDescription plus its close-on-exec
// flag. Descriptors are allocated lowest-first, as POSIX requires.
//
// Ownership: every slot holds one reference on its FileDescription;
// removing a slot drops it, and the description is released when the
// last reference goes.
//
// The slots of every table together are bounded (kernel/limits.ts
// descriptorSlots): a new descriptor past the bound is EMFILE, and a
// table that cannot be copied is a fork's ENOMEM (canFork).

import type { FileDescription } from '../vfs/file_description.js';
import { FILE_MAX, liveFileDescriptions } from '../vfs/file_description.js';
import { EBADF, EMFILE, ENFILE } from '../abi/linux/errno.js';
import { descriptorSlots } from './limits.js';
import { releasePosixLocks } from '../vfs/lock/posix.js';


interface Entry {
  file: FileDescription;
  cloexec: boolean;
}

/**
 * Called before a descriptor is refused with ENFILE, to free what nothing
 * reaches any more (unix_gc.ts registers its collector), so that garbage
 * never costs a program a descriptor.
 */
export const fileReclaimers = new Set<() => void>();

function fileTableFull(): boolean {
  if (liveFileDescriptions() <= FILE_MAX) return false;
  for (const r of fileReclaimers) r();
  return liveFileDescriptions() > FILE_MAX;
}

export function decRef(f: FileDescription): void {
  f.decRef();
}

export class FDTable {
  private slots: (Entry | undefined)[] = [];
  /** No slot below this one is free (so finding the lowest free fd is not a scan of the table each time). */
  private freeHint = 0;
  /** Tasks using this table (threads share it, CLONE_FILES); the last to go closes it. */
  users = 1;

  get(fd: number): FileDescription | undefined {
    return fd >= 0 ? this.slots[fd]?.file : undefined;
  }

  getCloexec(fd: number): boolean {
    return this.slots[fd]?.cloexec ?? false;
  }

  setCloexec(fd: number, v: boolean): number {
    const e = this.slots[fd];
    if (e === undefined) return -EBADF;
    e.cloexec = v;
    return 0;
  }

  /** Installs file at the lowest free fd >= min (taking a new reference). */
  install(file: FileDescription, min: number, cloexec: boolean, limit: number): number {
    let fd = Math.max(min, this.freeHint);
    while (fd < this.slots.length && this.slots[fd] !== undefined) fd++;
    if (min <= this.freeHint) this.freeHint = fd;
    if (fd >= limit || descriptorSlots.used >= descriptorSlots.max) return -EMFILE;
    if (fileTableFull()) return -ENFILE;
    file.incRef();
    this.slots[fd] = { file, cloexec };
    descriptorSlots.used++;
    return fd;
  }

  /** Puts file at fd, closing what was there (dup2). */
  installAt(fd: number, file: FileDescription, cloexec: boolean, limit: number): number {
    if (fd < 0 || fd >= limit) return -EBADF;
    const old = this.slots[fd];
    if (old === undefined) {
      if (descriptorSlots.used >= descriptorSlots.max) return -EMFILE;
      descriptorSlots.used++;
    }
    file.incRef();
    this.slots[fd] = { file, cloexec };
    if (old !== undefined) this.closed(old.file);
    return fd;
  }

  remove(fd: number): FileDescription | undefined {
    const e = fd >= 0 ? this.slots[fd] : undefined;
    if (e === undefined) return undefined;
    this.slots[fd] = undefined;
    descriptorSlots.used--;
    if (fd < this.freeHint) this.freeHint = fd;
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === undefined) this.slots.pop();
    return e.file;
  }

  close(fd: number): number {
    const f = this.remove(fd);
    if (f === undefined) return -EBADF;
    this.closed(f);
    return 0;
  }

  /** A descriptor of f was closed: this table's POSIX locks on f's file go (Linux's filp_close), then its reference. */
  private closed(f: FileDescription): void {
    releasePosixLocks(f, this);
    decRef(f);
  }

  closeOnExec(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) this.close(fd);
  }

  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd] !== undefined) this.close(fd);
  }

  /** How many descriptors are open. */
  get count(): number {
    let n = 0;
    for (const e of this.slots) if (e !== undefined) n++;
    return n;
  }

  /** Whether the sandbox's descriptor slots have room for a copy of this table (else fork's ENOMEM). */
  canFork(): boolean {
    return descriptorSlots.used + this.count <= descriptorSlots.max;
  }

  /** A copy for a forked child: the same descriptions (one more reference each), the same flags. */
  fork(): FDTable {
    const c = new FDTable();
    descriptorSlots.used += this.count;
    c.freeHint = this.freeHint;
    c.slots = this.slots.map((e) => {
      if (e === undefined) return undefined;
      e.file.incRef();
      return { file: e.file, cloexec: e.cloexec };
    });
    return c;
  }

  /** Open descriptors in order (for /proc and close_range). */
  fds(): number[] {
    const out: number[] = [];
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd] !== undefined) out.push(fd);
    return out;
  }
}
