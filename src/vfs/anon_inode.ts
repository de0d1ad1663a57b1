// Anonymous inodes (Linux's anon_inodefs, gVisor's vfs anonfs): what
// epoll, eventfd, timerfd and signalfd files are, with no name in any
// file system. fstat shows mode 0600 with no file type bits.

import { Stat, makeDev } from './stat.js';

const ANON_INODE_DEV = makeDev(0, 13);
let nextIno = 5000;

/** A fresh inode number on the anonymous inode file system. */
export function anonIno(): number {
  return nextIno++;
}

/** The stat of an anonymous inode. */
export function anonInodeStat(ino: number): Stat {
  const s = new Stat();
  s.dev = ANON_INODE_DEV;
  s.ino = ino;
  s.mode = 0o600;
  s.nlink = 1;
  s.blksize = 4096;
  return s;
}
