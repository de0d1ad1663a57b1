// The overlay file system (Linux fs/overlayfs, gVisor fsimpl/overlay): a
// writable upper layer (a tmpfs in the Sentry's memory) over a read-only
// lower one (the host tree), as runsc's `--overlay2 root:memory` gives a
// container's root. What the program writes anywhere lands in the upper
// layer; the lower is never modified.
//
// The upper layer uses Linux's on-disk format, so that a listing of it
// means what it means to Linux: a whiteout is a character device 0:0, an
// opaque directory has the xattr trusted.overlay.opaque = "y". The program
// can neither make nor see those: mknod of 0:0 is refused by the VFS, and
// the overlay hides and refuses trusted.overlay.* names.
//
// Inode numbers are the overlay's own, handed out per file (a lower file
// keyed by its device and inode, an upper-only file by its upper inode)
// and carried over on copy-up, so st_ino and st_dev stay the same when a
// file is copied up, as Linux's overlay does with xino; hard links of a
// lower file are copied up once and stay links of one upper file.
//
// A directory with lower entries cannot be renamed (EXDEV, and mv(1)
// copies it), as with Linux's default redirect_dir=off; one made in the
// upper layer moves, and is made opaque so that a lower directory of its
// new name does not show through.
//
// Differs from Linux: one lower layer; a descriptor opened read-only before a
// copy-up keeps reading the lower file, as on Linux; no metacopy, no
// index=, no nfs_export. `mount -t overlay` is not offered (ENODEV): the
// overlay is made by the sandbox's mount table.

import type { FileSystem, Inode, StatFS } from '../../vfs/inode.js';
import type { NewFileSystem } from '../../vfs/fs_registry.js';
import { allocAnonDev } from '../../vfs/anon_dev.js';
import { OverlayInode } from './inode.js';

export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;

export class OverlayFileSystem implements FileSystem {
  readonly type = 'overlay';
  readonly readOnly = false;
  readonly magic = OVERLAYFS_SUPER_MAGIC;
  readonly source = 'overlay';
  /** Only the Sentry changes the upper layer, and the lower is the read-only host tree. */
  readonly stableTree = true;
  readonly dev = allocAnonDev();
  readonly root: OverlayInode;
  /** Overlay inode numbers by layer identity ("l:DEV:INO", "u:INO"); a copy-up maps its upper file to the lower's number. */
  private readonly inos = new Map<string, number>();
  private nextIno = 2;
  /**
   * Lower files already copied up, by the lower's "DEV:INO": every overlay
   * inode of that file finds its upper there (another lookup of the same
   * name, another hard link of it).
   */
  readonly copiedUp = new Map<string, Inode>();

  constructor(readonly lowerRoot: Inode, readonly upperRoot: Inode) {
    this.root = new OverlayInode(this, null, '', lowerRoot, upperRoot, 1);
  }

  /** The overlay's number for a file known by its layer key. */
  inoFor(key: string): number {
    let n = this.inos.get(key);
    if (n === undefined) {
      n = this.nextIno++;
      this.inos.set(key, n);
    }
    return n;
  }

  /** A copy-up: the upper file keeps the number its lower had. */
  adoptIno(upperKey: string, ino: number): void {
    this.inos.set(upperKey, ino);
  }

  statfs(): StatFS | number {
    const up = this.upperRoot.fs.statfs?.();
    if (up === undefined) return { type: this.magic, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, namelen: 255, frsize: 4096 };
    if (typeof up === 'number') return up;
    return { ...up, type: this.magic };
  }

  superOptions(): string {
    return 'lowerdir=/,upperdir=memory';
  }
}

/** The overlay of upper over lower (both roots of their file systems), as the sandbox mounts it at /. */
export function newOverlay(lower: NewFileSystem, upper: NewFileSystem): NewFileSystem {
  const fs = new OverlayFileSystem(lower.root, upper.root);
  return { fs, root: fs.root };
}
