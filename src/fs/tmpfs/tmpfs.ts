// tmpfs (Linux mm/shmem.c, gVisor pkg/sentry/fsimpl/tmpfs): a file system
// that lives in the Sentry. Its tree is plain objects; regular files' pages
// are pages of the memory file, so they count toward the sandbox's total
// memory and a MAP_SHARED mapping maps the very pages read(2) and write(2)
// use.
//
// Limits: size= bounds the pages the instance's files hold (ENOSPC past
// it), nr_inodes= the inodes; the defaults are half the sandbox's total
// memory and its pages, as Linux's are half the machine's RAM. Every
// in-memory inode of the sandbox is also counted against INODE_MAX (all
// instances together), because each one costs the Sentry heap that
// nr_inodes of many instances would not bound; past it creation fails with
// ENOSPC, never with a Sentry out of memory.
//
// Differs from Linux: no swap, no huge pages (huge= is accepted and
// recorded), no mpol=; extended attributes in the user., trusted. and
// security. namespaces are kept in memory and charged to size= as whole
// pages per inode's total.

import type { MemoryFile } from '../../memory/memory_file.js';
import { FILESTORE_SIZE, Medium, PAGE_SIZE } from '../../memory/memory_file.js';
import type { FileSystem, StatFS } from '../../vfs/inode.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import { registerFileSystemType } from '../../vfs/fs_registry.js';
import type { MountContext, NewFileSystem } from '../../vfs/fs_registry.js';
import { S_IFDIR } from '../../vfs/stat.js';
import { EINVAL, ENOSPC } from '../../abi/linux/errno.js';
import { TmpfsDir } from './dir.js';

export const TMPFS_MAGIC = 0x01021994;

/** All in-memory inodes of the sandbox, every tmpfs instance together (see the file comment). */
export const INODE_MAX = 1 << 20;
let liveInodes = 0;

export interface TmpfsOptions {
  /** Bytes; rounded up to pages. */
  size?: number;
  nrInodes?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  huge?: string;
}

export class TmpfsFileSystem implements FileSystem {
  readonly type = 'tmpfs';
  readonly readOnly = false;
  readonly magic = TMPFS_MAGIC;
  readonly stableTree = true;
  readonly source: string;
  readonly dev = allocAnonDev();
  maxPages: number;
  maxInodes: number;
  usedPages = 0;
  usedInodes = 0;
  private nextIno = 1;
  readonly root: TmpfsDir;
  private readonly opts: TmpfsOptions;

  /**
   * medium: where file pages live. Medium.FileStore (the root overlay's
   * upper layer under --overlay2 root:self or root:dir=) puts them in the
   * memory file's host file on disk: by default the instance is then as
   * large as the file store, and a full disk is ENOSPC.
   */
  constructor(readonly mf: MemoryFile, opts: TmpfsOptions = {}, source = 'tmpfs', readonly medium: Medium = Medium.Memory) {
    this.source = source;
    this.opts = { ...opts };
    const totalPages = Math.floor(mf.limit / PAGE_SIZE);
    const onDisk = medium === Medium.FileStore && mf.hasFileStore;
    this.maxPages = opts.size !== undefined ? Math.ceil(opts.size / PAGE_SIZE)
      : onDisk ? Math.floor(FILESTORE_SIZE / PAGE_SIZE) : Math.floor(totalPages / 2);
    this.maxInodes = opts.nrInodes ?? Math.floor(totalPages / 2);
    // The root is always made (Linux's mount fails only when memory does).
    this.usedInodes++;
    liveInodes++;
    this.root = new TmpfsDir(this, this.nextIno++, S_IFDIR | ((opts.mode ?? 0o1777) & 0o7777), opts.uid ?? 0, opts.gid ?? 0, null);
  }

  /** A fresh inode number, and one inode charged; -ENOSPC when nr_inodes or INODE_MAX is reached. */
  chargeInode(): number {
    if (this.usedInodes >= this.maxInodes) return -ENOSPC;
    if (liveInodes >= INODE_MAX) return -ENOSPC;
    this.usedInodes++;
    liveInodes++;
    return this.nextIno++;
  }

  uncharge(): void {
    this.usedInodes--;
    liveInodes--;
  }

  /** Takes n pages from the instance's size; false (ENOSPC) if they do not fit. */
  chargePages(n: number): boolean {
    if (this.usedPages + n > this.maxPages) return false;
    this.usedPages += n;
    return true;
  }

  /** Whether n more pages fit in size= (a failure to make them that does fit is the memory file's). */
  hasRoom(n: number): boolean {
    return this.usedPages + n <= this.maxPages;
  }

  unchargePages(n: number): void {
    this.usedPages -= n;
  }

  statfs(): StatFS {
    let free = Math.max(0, this.maxPages - this.usedPages);
    // On disk, the space left is the host file system's.
    if (this.medium === Medium.FileStore && this.mf.hasFileStore) free = Math.min(free, Math.floor(this.mf.fileStoreAvail() / PAGE_SIZE));
    return {
      type: TMPFS_MAGIC, bsize: PAGE_SIZE, frsize: PAGE_SIZE, namelen: 255,
      blocks: Math.min(this.maxPages, this.usedPages + free), bfree: free,
      bavail: free,
      files: this.maxInodes, ffree: Math.max(0, this.maxInodes - this.usedInodes),
    };
  }

  superOptions(): string {
    const o: string[] = [];
    const kib = this.maxPages * (PAGE_SIZE / 1024);
    o.push(`size=${kib}k`);
    o.push(`nr_inodes=${this.maxInodes}`);
    const mode = this.root.mode & 0o7777;
    if (mode !== 0o1777) o.push(`mode=${mode.toString(8).padStart(3, '0')}`);
    if (this.root.uid !== 0) o.push(`uid=${this.root.uid}`);
    if (this.root.gid !== 0) o.push(`gid=${this.root.gid}`);
    if (this.opts.huge !== undefined && this.opts.huge !== 'never') o.push(`huge=${this.opts.huge}`);
    return o.join(',');
  }

  /** mount -o remount: size= and nr_inodes= may change (not below what is in use), as shmem_reconfigure allows. */
  reconfigure(data: string): number {
    const o = parseTmpfsOptions(data, this.mf.limit);
    if (typeof o === 'number') return o;
    if (o.size !== undefined) {
      const pages = Math.ceil(o.size / PAGE_SIZE);
      if (pages < this.usedPages) return -EINVAL;
      this.maxPages = pages;
    }
    if (o.nrInodes !== undefined) {
      if (o.nrInodes < this.usedInodes) return -EINVAL;
      this.maxInodes = o.nrInodes;
    }
    return 0;
  }
}

/** A number with an optional k/m/g/t/p/e suffix (memparse), or NaN. */
function memparse(s: string): number {
  const m = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)([kmgtpe]?)$/i.exec(s);
  if (m === null) return NaN;
  let n = Number(m[1].startsWith('0') && m[1].length > 1 && !/^0x/i.test(m[1]) ? parseInt(m[1], 8) : m[1]);
  const shift = ' kmgtpe'.indexOf(m[2].toLowerCase() || ' ');
  n *= 2 ** (10 * shift);
  return n;
}

/** Parses tmpfs mount options ("size=1m,mode=755"); -EINVAL for an unknown option or a bad value. */
export function parseTmpfsOptions(data: string, totalBytes: number): TmpfsOptions | number {
  const o: TmpfsOptions = {};
  for (const opt of data.split(',')) {
    if (opt === '') continue;
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const val = eq < 0 ? '' : opt.slice(eq + 1);
    switch (key) {
      case 'size': {
        let n: number;
        if (val.endsWith('%')) {
          const pct = Number(val.slice(0, -1));
          if (!Number.isInteger(pct) || pct < 0) return -EINVAL;
          n = Math.floor((totalBytes * pct) / 100);
        } else {
          n = memparse(val);
        }
        if (!Number.isFinite(n) || n < 0) return -EINVAL;
        o.size = Math.min(n, Number.MAX_SAFE_INTEGER);
        break;
      }
      case 'nr_inodes': {
        const n = memparse(val);
        if (!Number.isFinite(n) || n < 0) return -EINVAL;
        o.nrInodes = Math.min(n, INODE_MAX);
        break;
      }
      case 'mode': {
        if (!/^[0-7]+$/.test(val)) return -EINVAL;
        o.mode = parseInt(val, 8) & 0o7777;
        break;
      }
      case 'uid':
      case 'gid': {
        if (!/^[0-9]+$/.test(val)) return -EINVAL;
        const n = Number(val);
        if (n > 0xfffffffe) return -EINVAL;
        if (key === 'uid') o.uid = n; else o.gid = n;
        break;
      }
      case 'huge':
        if (!['never', 'always', 'within_size', 'advise', 'deny', 'force'].includes(val)) return -EINVAL;
        o.huge = val;
        break;
      case 'noswap':
      case 'inode64':
      case 'inode32':
        break;
      default:
        return -EINVAL;
    }
  }
  return o;
}

/** `mount -t tmpfs`: a new instance. */
function newTmpfs(ctx: MountContext): NewFileSystem | number {
  const o = parseTmpfsOptions(ctx.data, ctx.mf.limit);
  if (typeof o === 'number') return o;
  const fs = new TmpfsFileSystem(ctx.mf, o, ctx.source === '' ? 'none' : ctx.source);
  return { fs, root: fs.root };
}

registerFileSystemType('tmpfs', newTmpfs, { userns: true });
