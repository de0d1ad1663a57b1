// sockfs (Linux net/socket.c's sockfs, gVisor's kernel/sockfs): what every
// socket file description shares, whatever its family and stack: an inode
// of the socket file system (its device and a fresh inode number, shown
// as socket:[INO]), no seeking, readiness worth waiting for, and the
// SO_RCVTIMEO/SO_SNDTIMEO that bound its blocking reads and writes. Unix
// sockets (unix_socket.ts) and the inet sockets of net/ extend it.

import { FileDescription, O_RDWR } from '../vfs/file_description.js';
import { Stat, S_IFSOCK, makeDev } from '../vfs/stat.js';
import { EDOM } from '../abi/linux/errno.js';

/**
 * SO_RCVTIMEO's and SO_SNDTIMEO's struct timeval as sock_set_timeout reads
 * it (b: its 16 bytes): the timeout in ms (0: none; a negative one is none
 * too), or -EDOM for a tv_usec outside [0, 10^6).
 */
export function timevalOptionMs(b: Uint8Array): number {
  const tv = new DataView(b.buffer, b.byteOffset, 16);
  const sec = Number(tv.getBigInt64(0, true)), usec = Number(tv.getBigInt64(8, true));
  if (usec < 0 || usec >= 1e6) return -EDOM;
  return sec < 0 ? 0 : sec * 1000 + Math.ceil(usec / 1000);
}

/** The device of every socket's inode. */
export const SOCKFS_DEV = makeDev(0, 8);
let nextIno = 7000;

export abstract class SockfsFile extends FileDescription {
  readonly ino = nextIno++;
  /** SO_RCVTIMEO and SO_SNDTIMEO in ms (0: none): how long a blocking receive or send may wait. */
  rcvTimeoMs = 0;
  sndTimeoMs = 0;

  constructor(flags: number) {
    super(O_RDWR | flags, null);
  }

  /** A stream socket: a blocking write goes on until all of it is written. */
  abstract get stream(): boolean;

  override get pollable(): boolean {
    return true;
  }

  override get seekable(): boolean {
    return false;
  }

  override get writesWhole(): boolean {
    return this.stream;
  }

  override ioTimeoutMs(write: boolean): number {
    return write ? this.sndTimeoMs : this.rcvTimeoMs;
  }

  stat(): Stat {
    const s = new Stat();
    s.dev = SOCKFS_DEV;
    s.ino = this.ino;
    s.mode = S_IFSOCK | 0o777;
    s.nlink = 1;
    s.blksize = 4096;
    return s;
  }

  override describe(): string {
    return `socket:[${this.ino}]`;
  }
}
