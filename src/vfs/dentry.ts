// A Dentry is a name for an Inode in the sandbox's tree: the inode, the
// name it was reached by and the parent it was reached from. Dentries are
// made by path walks and kept only by whoever holds them (a file
// description, a task's cwd), so they need no cache invalidation; a mount
// root's Dentry has its mount point's name and parent, so ".." leaves the
// mount and absolute paths compose across mounts.

import type { Inode } from './inode.js';

export class Dentry {
  constructor(
    readonly inode: Inode,
    readonly name: string,
    readonly parent: Dentry | null,
  ) {}

  /** The absolute path of this dentry in the sandbox. */
  path(): string {
    if (this.parent === null) return '/';
    const pp = this.parent.path();
    return pp === '/' ? '/' + this.name : pp + '/' + this.name;
  }
}
