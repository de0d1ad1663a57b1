// The sandbox's own names for its host sockets, by the host's inode
// number: the socket's inode in the sandbox (what /proc/PID/fd shows as
// socket:[INO]) and its owner's uid, so that /proc/net's tables
// (proc_net.ts) show the sandbox's numbers where the host wrote its own,
// and `ss -p` can find the process that holds a socket. One Sentry is one
// sandbox: the map is the process's.

import * as fs from 'node:fs';
import type { SocketLabel } from '../proc_net.js';

const labels = new Map<number, SocketLabel>();

/** Records hostFd's socket as the sandbox's ino, owned by uid; its host inode (0 if fstat fails, then unlabelled). */
export function labelHostSocket(hostFd: number, ino: number, uid: number): number {
  let hostIno = 0;
  try {
    hostIno = fs.fstatSync(hostFd).ino;
  } catch {
    return 0;
  }
  labels.set(hostIno, { ino, uid });
  return hostIno;
}

export function unlabelHostSocket(hostIno: number): void {
  if (hostIno !== 0) labels.delete(hostIno);
}

/** The sandbox's label for a host socket inode, if it is one of the sandbox's. */
export function hostSocketLabel(hostIno: number): SocketLabel | undefined {
  return labels.get(hostIno);
}
