// A hostfs instance (gVisor fsimpl/gofer's filesystem, in directfs mode):
// one host directory, reached only through its descriptor. Two kinds:
// the sandbox's root (read-only: the overlay's lower layer; its tree is
// taken as stable) and a volume, a bind mount the user gave with
// `-v HOST:SANDBOX[:ro]` (read-write unless :ro; the host may change its
// tree at any time, so the VFS caches none of its dentries).
//
// Differs from Linux: statfs gives the host file system's numbers and
// magic as they are; the mount flags are the VFS's.

import { native } from '../../native.js';
import type { FileSystem, StatFS } from '../../vfs/inode.js';
import { HostInode } from './inode.js';
import { hostStat } from './host.js';
import type { HostRoots, RootBudget, RootEntry } from './roots.js';

/**
 * The default bound on host descriptors for open files: the Sentry's own
 * limit (Node raises its soft RLIMIT_NOFILE to the hard one at start-up)
 * less what the Sentry keeps for itself (stdio, the memory file, logs,
 * /proc reads, the launch descriptors): a quarter of it, at most 4096.
 */
export function defaultMaxHostFds(limit: number): number {
  const reserve = Math.min(4096, Math.max(64, Math.floor(limit / 4)));
  return Math.max(16, limit - reserve);
}
const DEFAULT_MAX_HOST_FDS = defaultMaxHostFds(1024);

/**
 * Host descriptors held open for the sandbox's open files and inet sockets
 * and as its hostfs instances' roots (roots.ts), and the most it may hold,
 * shared by every hostfs instance of a sandbox: every one costs the Sentry
 * one of its own descriptors, so without a bound one program could use up
 * the Sentry's RLIMIT_NOFILE and leave it, and every other process, unable
 * to open anything. Past it an open fails with ENFILE, as a full system
 * file table does.
 */
export class HostFdBudget implements RootBudget {
  open = 0;
  reclaim: (() => boolean) | null = null;
  constructor(public max: number) {}

  /** Whether one more descriptor fits, after the roots of unreachable instances are closed if none did (roots.ts). */
  hasRoom(): boolean {
    return this.open < this.max || (this.reclaim?.() === true && this.open < this.max);
  }
}

export interface HostFsOptions {
  /** A volume (bind mount), not the root: the host may change its tree. */
  bind?: boolean;
  /** For a volume: mounted :ro (writes fail with EROFS). The root is always read-only. */
  readOnly?: boolean;
  /** The budget to share with the sandbox's other hostfs instances. */
  budget?: HostFdBudget;
  /**
   * Who holds the root descriptor from the instance's making on (charged
   * to the budget, closed once the instance is unreachable). Without it
   * the caller keeps the descriptor and closes it.
   */
  roots?: HostRoots;
}

const statfsBuf = new Uint8Array(120);

export class HostFileSystem implements FileSystem {
  readonly type = 'hostfs';
  readonly readOnly: boolean;
  /** A volume: its files may be opened for writing, created, renamed and removed. */
  readonly bind: boolean;
  readonly stableTree: boolean;
  readonly hostFiles = true;
  /** The host file system's own f_type. */
  readonly magic: number;
  readonly source = 'none';
  readonly root: HostInode;
  readonly budget: HostFdBudget;
  private readonly roots: HostRoots | null;
  /** The root descriptor's entry in opts.roots, or null. */
  readonly rootEntry: RootEntry | null;

  /**
   * rootFd: a directory descriptor of the host directory (the sandbox
   * root, or a volume's); opts.roots's once made (a throw leaves it the
   * caller's).
   */
  constructor(readonly rootFd: number, maxHostFds = DEFAULT_MAX_HOST_FDS, opts: HostFsOptions = {}) {
    this.bind = opts.bind === true;
    this.readOnly = this.bind ? opts.readOnly === true : true;
    this.stableTree = !this.bind;
    this.budget = opts.budget ?? new HostFdBudget(maxHostFds);
    const st = hostStat(rootFd, '');
    if (typeof st === 'number') throw new Error(`tsvisor: cannot stat a host directory: errno ${-st}`);
    if (!st.isDir()) throw new Error('tsvisor: a hostfs root is not a directory');
    this.magic = native.fstatfs(rootFd, statfsBuf) === 0 ? readU64(statfsBuf, 0) : 0x01021994;
    this.root = new HostInode(this, '', st);
    this.roots = opts.roots ?? null;
    this.rootEntry = this.roots?.adopt(this, rootFd) ?? null;
  }

  /** The last mount of it went (umount): its root descriptor is closed once nothing holds the instance. */
  unmounted(): void {
    if (this.roots !== null && this.rootEntry !== null) this.roots.letGo([this.rootEntry]);
  }

  get openHostFds(): number {
    return this.budget.open;
  }
  set openHostFds(n: number) {
    this.budget.open = n;
  }
  get maxHostFds(): number {
    return this.budget.max;
  }
  set maxHostFds(n: number) {
    this.budget.max = n;
  }

  /** The host's numbers for the directory itself (a submount below it has its own, which this does not show). */
  statfs(): StatFS | number {
    const r = native.fstatfs(this.rootFd, statfsBuf);
    if (r < 0) return r;
    const b = statfsBuf;
    return {
      type: readU64(b, 0), bsize: readU64(b, 8), blocks: readU64(b, 16), bfree: readU64(b, 24), bavail: readU64(b, 32),
      files: readU64(b, 40), ffree: readU64(b, 48), namelen: readU64(b, 64), frsize: readU64(b, 72),
    };
  }
}

function readU64(b: Uint8Array, off: number): number {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return d.getUint32(off, true) + d.getUint32(off + 4, true) * 4294967296;
}
