// The socket layer's two seams (gVisor pkg/sentry/socket/socket.go):
//
// - `Socket`, the operations of a socket file description that the socket
//   system calls serve (bind, listen, accept, connect, the names, send and
//   receive, shutdown, the options). The syscall layer copies addresses,
//   data views and option values in and out of the program's memory and
//   checks their lengths; what they mean is the socket's.
// - `Provider`, per family: (type, protocol) -> a new socket, or null when
//   the provider does not make that kind, so that another provider of the
//   same family may (a user-space TCP/IP stack standing beside hostinet, as
//   gVisor's netstack stands beside its hostinet). socket(2) asks
//   `newSocket`, never a particular class.
//
// Differs from gVisor: Unix domain sockets (kernel/unix_socket.ts) are made
// through their provider here (net/unix.ts) but their operations are still
// served by sys_socket.ts itself rather than through `Socket`; a socket of
// any other family goes through `Socket`.

import type { Task } from '../kernel/task.js';
import type { FileDescription } from '../vfs/file_description.js';
import { EAFNOSUPPORT, EOPNOTSUPP } from '../abi/linux/errno.js';

export const AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17, AF_MAX = 46;
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5, SOCK_PACKET = 10, SOCK_MAX = 11,
  SOCK_TYPE_MASK = 0xf;
export const MSG_OOB = 1, MSG_PEEK = 2, MSG_CTRUNC = 8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_EOR = 0x80,
  MSG_WAITALL = 0x100, MSG_ERRQUEUE = 0x2000, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000,
  MSG_CMSG_CLOEXEC = 0x40000000;
/** The most bytes of an address a call takes (sizeof(struct sockaddr_storage)). */
export const SOCKADDR_MAX = 128;

/** What a send hands the socket: the data, the destination named (null: none) and control messages (null: none). */
export interface SendMessage {
  views: Uint8Array[];
  total: number;
  to: Uint8Array | null;
  control: Uint8Array | null;
}

/** Room for a received message: the data views, and how many control bytes the caller takes (0: none). */
export interface RecvMessage {
  views: Uint8Array[];
  total: number;
  controlLen: number;
}

/** What a receive gives back: bytes (or, with MSG_TRUNC, the datagram's length), the sender, control messages, msg_flags. */
export interface Received {
  n: number;
  /** The sender's address in full (the caller truncates it to the room it has); empty: none. */
  from: Uint8Array;
  control: Uint8Array;
  flags: number;
}

/** An accepted connection and its peer's address. */
export interface Accepted {
  file: FileDescription;
  addr: Uint8Array;
}

/** Brands a FileDescription as a `Socket` (the syscall layer's test, `isSocket`). */
export const SOCKET: unique symbol = Symbol('socket');

/**
 * The operations of a socket file description. Each may block the task
 * (returning BLOCK after t.block, and being called again from the start
 * when woken), and returns -errno on failure.
 */
export interface Socket {
  readonly [SOCKET]: true;
  readonly family: number;
  readonly type: number;
  readonly protocol: number;
  bind(t: Task, addr: Uint8Array): number;
  listen(t: Task, backlog: number): number;
  /** flags: SOCK_NONBLOCK (O_NONBLOCK) for the new socket; blocks unless this one is non-blocking. */
  accept(t: Task, flags: number): Accepted | number;
  connect(t: Task, addr: Uint8Array): number;
  /** getsockname (peer false) or getpeername: the address in full. */
  name(t: Task, peer: boolean): Uint8Array | number;
  shutdown(t: Task, how: number): number;
  sendmsg(t: Task, m: SendMessage, flags: number): number;
  recvmsg(t: Task, m: RecvMessage, flags: number): Received | number;
  /** The option's value (at most optlen bytes of it matter to the caller), or -errno (ENOPROTOOPT: not one the socket has). */
  getsockopt(t: Task, level: number, name: number, optlen: number): Uint8Array | number;
  /** read(n) copies n bytes of the program's value in (null: EFAULT); optlen is what the program gave (not negative). */
  setsockopt(t: Task, level: number, name: number, optlen: number, read: (n: number) => Uint8Array | null): number;
}

export type SocketFile = FileDescription & Socket;

export function isSocket(f: FileDescription): f is SocketFile {
  return (f as Partial<Socket>)[SOCKET] === true;
}

/** Makes the sockets of one family (gVisor socket.Provider). */
export interface Provider {
  /**
   * A new socket of type (SOCK_TYPE_MASK bits only) and protocol; flags:
   * O_NONBLOCK for the description. null: not a kind this provider makes
   * (the next one of the family is asked); or -errno.
   */
  socket(t: Task, type: number, protocol: number, flags: number): FileDescription | number | null;
  /** socketpair(2): a connected pair, null when this provider makes none (EOPNOTSUPP, as Linux's sock_no_socketpair), or -errno. */
  pair(t: Task, type: number, protocol: number, flags: number): [FileDescription, FileDescription] | number | null;
}

const providers = new Map<number, Provider[]>();

/** Adds a provider for family; providers of one family are asked in the order they were added. */
export function registerProvider(family: number, p: Provider): void {
  const list = providers.get(family);
  if (list === undefined) providers.set(family, [p]);
  else if (!list.includes(p)) list.push(p);
}

/** Takes a family's providers away (its sockets become EAFNOSUPPORT). */
export function unregisterProviders(family: number): void {
  providers.delete(family);
}

/** socket(2) after the generic checks: the first provider's answer for (family, type, protocol); EAFNOSUPPORT if none makes it. */
export function newSocket(t: Task, family: number, type: number, protocol: number, flags: number): FileDescription | number {
  for (const p of providers.get(family) ?? []) {
    const s = p.socket(t, type, protocol, flags);
    if (s !== null) return s;
  }
  return -EAFNOSUPPORT;
}

/** socketpair(2) after the generic checks; EAFNOSUPPORT for a family nobody serves, EOPNOTSUPP for one that has no pairs. */
export function newPair(t: Task, family: number, type: number, protocol: number, flags: number):
  [FileDescription, FileDescription] | number {
  const list = providers.get(family) ?? [];
  if (list.length === 0) return -EAFNOSUPPORT;
  for (const p of list) {
    const r = p.pair(t, type, protocol, flags);
    if (r !== null) return r;
  }
  return -EOPNOTSUPP;
}
