// The AF_UNIX provider: makes the Sentry's own Unix domain sockets
// (kernel/unix_socket.ts, gVisor pkg/sentry/socket/unix) for socket(2)
// and socketpair(2), with Linux's unix_create checks. Their operations are
// served by syscalls/linux/sys_socket.ts (see socket.ts).

import type { Task } from '../kernel/task.js';
import { UnixSocket } from '../kernel/unix_socket.js';
import type { PeerCred } from '../kernel/unix_socket.js';
import type { FileDescription } from '../vfs/file_description.js';
import { EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../abi/linux/errno.js';
import { AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM } from './socket.js';
import type { Provider } from './socket.js';

/** The AF_UNIX type for a socket(2) type, or -errno. */
function unixType(type: number, protocol: number): number {
  if (protocol !== 0 && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
  switch (type) {
    case SOCK_STREAM: case SOCK_DGRAM: case SOCK_SEQPACKET: return type;
    case SOCK_RAW: return SOCK_DGRAM; // as Linux's unix_create
    default: return -ESOCKTNOSUPPORT;
  }
}

/** A socket's credentials as SO_PEERCRED reports them (the creator's, at connect or socketpair). */
export function credOf(t: Task): PeerCred {
  return { pid: t.tg.tgidPid, uid: t.creds.euid, gid: t.creds.egid };
}

export const unixProvider: Provider = {
  socket(t: Task, type: number, protocol: number, flags: number): FileDescription | number {
    const ut = unixType(type, protocol);
    if (ut < 0) return ut;
    return new UnixSocket(ut, flags, t.kernel.unixNs);
  },
  pair(t: Task, type: number, protocol: number, flags: number): [FileDescription, FileDescription] | number {
    const ut = unixType(type, protocol);
    if (ut < 0) return ut;
    const ns = t.kernel.unixNs;
    const a = new UnixSocket(ut, flags, ns), b = new UnixSocket(ut, flags, ns);
    UnixSocket.pair(a, b, credOf(t), credOf(t));
    return [a, b];
  },
};
