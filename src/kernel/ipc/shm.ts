// SysV shared memory segments (Linux ipc/shm.c, gVisor
// pkg/sentry/kernel/shm): a segment is a file of the kernel's own tmpfs
// instance (shmem.ts, Linux's shm_mnt), so its pages are memory-file pages
// shared by every attachment and charged to the sandbox's total memory
// when touched, as any anonymous page. An attachment is a MAP_SHARED
// mapping of an ShmMapping (one per shmat, as Linux makes a file per
// shmat), each VMA of which holds a reference: so shm_nattch counts VMAs
// as Linux's shm_open/shm_close do (a split, a fork's copy, an mremap), and
// exec, exit and munmap detach by dropping them. A removed segment
// (IPC_RMID) loses its key at once and is freed with its last attachment.
//
// Limits: kernel.shmmax, shmall and shmmni of the namespace (settable
// through /proc/sys/kernel with CAP_SYS_ADMIN over the namespace, as
// Linux's ipc sysctls); a segment larger than the sandbox's memory is
// ENOMEM at shmget unless SHM_NORESERVE (Linux's heuristic overcommit, as
// mm's mmap judges a shared anonymous mapping).
//
// Differs from Linux: a segment of 2^53 bytes or more is ENOMEM even with
// SHM_NORESERVE (sizes are exact JavaScript numbers below that); SHM_HUGETLB is ENOMEM (the Sentry has no huge page
// pool, as Linux without reserved huge pages); SHM_LOCK checks the
// segment alone against RLIMIT_MEMLOCK (Linux sums a user's locked
// segments) and pins nothing (the Sentry never swaps); shm_rmid_forced is
// not offered; shm_swp is always 0.

import type { Kernel } from '../kernel.js';
import type { Credentials } from '../credentials.js';
import type { Pid } from '../pid_namespace.js';
import type { UserNamespace } from '../user_namespace.js';
import type { FileDescription } from '../../vfs/file_description.js';
import { O_LARGEFILE, O_RDWR } from '../../vfs/file_description.js';
import type { Mappable } from '../../mm/vma.js';
import type { Stat } from '../../vfs/stat.js';
import { PAGE_SIZE } from '../../memory/memory_file.js';
import { EFAULT, EINVAL, ENOMEM, ENOSPC, ENOSYS } from '../../abi/linux/errno.js';
import { currentTask } from '../current.js';
import { shmemMount } from '../shmem.js';
import { ipcGet, ipcNow, IPCPerm, Registry } from './object.js';

export const SHM_HUGETLB = 0o4000, SHM_NORESERVE = 0o10000;
export const SHM_RDONLY = 0o10000, SHM_RND = 0o20000, SHM_REMAP = 0o40000, SHM_EXEC = 0o100000;
export const SHM_DEST = 0o1000, SHM_LOCKED = 0o2000;
export const SHM_LOCK = 11, SHM_UNLOCK = 12, SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15;
export const SHMMIN = 1;
/** Linux's defaults: ULONG_MAX - 2^24 bytes (and pages), 4096 segments. */
export const SHMMAX_DEFAULT = 2n ** 64n - 1n - 2n ** 24n;
export const SHMMNI_DEFAULT = 4096;
/** sizeof(struct shmid64_ds) on x86-64. */
export const SHMID_DS_SIZE = 112;

/** One segment (Linux's struct shmid_kernel). */
export class Shm {
  readonly perm: IPCPerm;
  atime = 0;
  dtime = 0;
  ctime: number;
  lpid: Pid | null = null;
  nattch = 0;
  /** /proc/PID/maps's name: "/SYSV" and the key at creation, in eight hex digits, " (deleted)". */
  readonly mapName: string;

  constructor(
    readonly kernel: Kernel,
    readonly registry: ShmRegistry,
    key: number,
    creds: Credentials,
    mode: number,
    readonly size: number,
    readonly cpid: Pid,
    /** The segment's pages: an unlinked file of the kernel's tmpfs, open for as long as the segment lives. */
    readonly file: FileDescription,
    readonly pages: Mappable,
  ) {
    this.perm = new IPCPerm(key, creds, mode);
    this.ctime = ipcNow(kernel);
    this.mapName = `/SYSV${(key >>> 0).toString(16).padStart(8, '0')} (deleted)`;
  }

  get npages(): number {
    return Math.ceil(this.size / PAGE_SIZE);
  }

  /** Pages the segment holds now (shm_rss). */
  get resident(): number {
    const st = this.file.stat();
    return typeof st === 'number' ? 0 : Math.ceil(st.blocks / (PAGE_SIZE / 512));
  }

  /** shm_open: a VMA now maps the segment (an attach, a split, a fork's copy). */
  opened(): void {
    this.nattch++;
    this.atime = ipcNow(this.kernel);
    const t = currentTask();
    if (t !== null) this.lpid = t.tg.tgidPid;
  }

  /** shm_close: a VMA mapping it went; the last one frees a removed segment. */
  closed(): void {
    this.nattch--;
    this.dtime = ipcNow(this.kernel);
    const t = currentTask();
    if (t !== null) this.lpid = t.tg.tgidPid;
    if (this.nattch === 0 && this.perm.mode & SHM_DEST) this.registry.destroy(this);
  }

  /** Ends shmat's hold on the segment (its shm_nattch++ around the mapping): a removed one nothing maps goes. */
  unhold(): void {
    this.nattch--;
    if (this.nattch === 0 && this.perm.mode & SHM_DEST) this.registry.destroy(this);
  }

  /** IPC_RMID (do_shm_rmid): freed now if nothing maps it, else when the last attachment goes; its key is free at once. */
  remove(): void {
    if (this.nattch > 0) {
      this.perm.mode |= SHM_DEST;
      this.registry.objects.forgetKey(this);
    } else {
      this.registry.destroy(this);
    }
  }

  /** A Mappable for one shmat. */
  attachment(): ShmMapping {
    return new ShmMapping(this);
  }
}

/** What one shmat maps; each VMA of it holds a reference (shm_open/shm_close). */
export class ShmMapping implements Mappable {
  readonly cacheKey = null;

  constructor(readonly shm: Shm) {}

  get mapName(): string {
    return this.shm.mapName;
  }

  readAt(dst: Uint8Array, offset: number): void {
    this.shm.pages.readAt(dst, offset);
  }

  filePages(offset: number, len: number): { off: number; len: number } | number {
    const fp = this.shm.pages.filePages;
    return fp === undefined ? -EFAULT : fp.call(this.shm.pages, offset, len);
  }

  incRef(): void {
    this.shm.pages.incRef();
    this.shm.opened();
  }

  decRef(): void {
    this.shm.pages.decRef();
    this.shm.closed();
  }

  /** The shm file's attributes; its inode number is the segment's id, as Linux sets it. */
  stat(): Stat | number {
    const st = this.shm.file.stat();
    if (typeof st === 'number') return st;
    st.ino = this.shm.perm.id;
    return st;
  }
}

/** The segments of one IPC namespace, with its limits (shm_ctlmax, shm_ctlall, shm_ctlmni) and shm_tot. */
export class ShmRegistry {
  readonly objects = new Registry<Shm>();
  shmmax = SHMMAX_DEFAULT;
  shmall = SHMMAX_DEFAULT;
  shmmni = SHMMNI_DEFAULT;
  /** Pages of all segments (shm_tot). */
  totalPages = 0;

  /**
   * shmget: the id of key's segment, or a new one (newseg). size is exact
   * below 2^53; bigSize is the argument when it is not.
   */
  get(k: Kernel, creds: Credentials, userns: UserNamespace, cpid: Pid, key: number, size: number, bigSize: bigint, flag: number): number {
    return ipcGet(this.objects, key, flag, creds, userns,
      () => this.newSegment(k, creds, cpid, key, size, bigSize, flag),
      (s) => (s.size < size ? -EINVAL : 0));
  }

  private newSegment(k: Kernel, creds: Credentials, cpid: Pid, key: number, size: number, bigSize: bigint, flag: number): number {
    if (bigSize < BigInt(SHMMIN) || bigSize > this.shmmax) return -EINVAL;
    const pagesBig = (bigSize + BigInt(PAGE_SIZE - 1)) / BigInt(PAGE_SIZE);
    if (pagesBig * BigInt(PAGE_SIZE) < bigSize) return -ENOSPC;
    if (BigInt(this.totalPages) + pagesBig > this.shmall) return -ENOSPC;
    if (flag & SHM_HUGETLB) return -ENOMEM;
    // shmem's file size bound (MAX_LFS_FILESIZE).
    if (bigSize > 2n ** 63n - 1n) return -EINVAL;
    // Heuristic overcommit: a charged segment larger than all the sandbox's memory fails now.
    if (!(flag & SHM_NORESERVE) && (bigSize >= 2n ** 53n || size > k.mf.limit)) return -ENOMEM;
    if (bigSize >= 2n ** 53n) return -ENOMEM;
    if (this.objects.inUse >= Math.min(this.shmmni, 32768)) return -ENOSPC;
    const file = makeFile(k, creds, size);
    if (typeof file === 'number') return file;
    const pages = file.mappable();
    if (typeof pages === 'number' || pages.filePages === undefined) {
      file.decRef();
      return typeof pages === 'number' ? pages : -ENOSYS;
    }
    const s = new Shm(k, this, key, creds, flag, size, cpid, file, pages);
    const id = this.objects.add(s, this.shmmni);
    if (id < 0) {
      file.decRef();
      return id;
    }
    this.totalPages += s.npages;
    return id;
  }

  /** shm_destroy: the segment and its pages go (pages a VMA still holds stay its own until unmapped). */
  destroy(s: Shm): void {
    if (s.perm.deleted) return;
    this.objects.remove(s);
    this.totalPages -= s.npages;
    s.file.decRef();
  }
}

let nextName = 0;

/** An unlinked file of size bytes in the kernel's tmpfs, open for reading and writing. */
function makeFile(k: Kernel, creds: Credentials, size: number): FileDescription | number {
  const m = shmemMount(k);
  if (typeof m === 'number') return m;
  const root = m.root;
  if (root.create === undefined || root.unlink === undefined) return -ENOSYS;
  const name = `sysv.${nextName++}`;
  const inode = root.create(name, 0o600, { uid: creds.euid, gid: creds.egid });
  if (typeof inode === 'number') return inode === -ENOSPC ? -ENOMEM : inode;
  const f = inode.open(O_RDWR | O_LARGEFILE);
  root.unlink(name);
  if (typeof f === 'number') return f;
  const e = inode.setattr?.({ size }) ?? -ENOSYS;
  if (e < 0) {
    f.decRef();
    return e === -ENOSPC ? -ENOMEM : e;
  }
  return f;
}
