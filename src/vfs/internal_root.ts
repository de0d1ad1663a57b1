// The root of an internal mount (Linux's kern_mount of pipefs, nsfs and
// the like): a mount no path reaches, whose files are found by what
// holds them (a pipe, a host descriptor), never by a walk. Its root
// refuses everything a walk or an open would ask of it.

import type { FileSystem, Inode } from './inode.js';
import { S_IFDIR } from './stat.js';
import { EINVAL, ENXIO } from '../abi/linux/errno.js';

export class InternalRoot implements Inode {
  readonly mode = S_IFDIR | 0o700;
  constructor(readonly fs: FileSystem) {}
  stat(): number {
    return -ENXIO;
  }
  statForWalk(): number {
    return -ENXIO;
  }
  lookup(): number {
    return -ENXIO;
  }
  readlink(): number {
    return -EINVAL;
  }
  open(): number {
    return -ENXIO;
  }
}
