// Readiness of host descriptors for the Sentry's wait queues (gVisor's
// pkg/fdnotifier): one owner of the addon's single watch (native/watch.c,
// a private epoll instance on Node's event loop) for every kind of file
// backed by a host descriptor: the stdio a sandbox is given
// (fs/host_fd.ts) and the host sockets behind inet sockets
// (net/hostinet). The stdio's interests are one-shot (watch.c arms them
// so): the handler runs once on the event loop when the fd is ready, and
// the file arms again the next time a task must wait. A host socket's is
// lasting and edge-triggered (watchHostFdEdges), which is what an EPOLLET
// waiter in the sandbox needs.
//
// Costs nothing until the first host descriptor is waited on: the
// system call hot path never comes here.

import { native } from '../native.js';

/** Called on the event loop with the host's poll bits (POLLIN, POLLOUT, POLLERR, POLLHUP). */
export type ReadyHandler = (fd: number, revents: number) => void;

const handlers = new Map<number, ReadyHandler>();
/** The fds whose interest lasts (edge-triggered): their handler stays after it runs. */
const lasting = new Set<number>();
let started = false;
const EPOLLIN = 1, EPOLLOUT = 4, EPOLLRDHUP = 0x2000, EPOLLET = 0x80000000 | 0;

function dispatch(fd: number, revents: number): void {
  const h = handlers.get(fd);
  if (h === undefined) return;
  if (!lasting.has(fd)) handlers.delete(fd);
  h(fd, revents);
}

function start(): number {
  if (started) return 0;
  const e = native.watchInit(dispatch);
  if (e < 0) return e;
  started = true;
  return 0;
}

/**
 * Arms a one-shot interest in fd for events (POLLIN | POLLOUT), replacing
 * the fd's earlier one: 0, or -errno (-EPERM: the host cannot poll fd; it
 * is always ready).
 */
export function armHostFd(fd: number, events: number, handler: ReadyHandler): number {
  const e = start();
  if (e < 0) return e;
  const r = native.watchFd(fd, events);
  if (r === 0) handlers.set(fd, handler);
  return r;
}

/**
 * A lasting, edge-triggered interest in fd (a host socket's): the handler
 * runs for each new event (data arriving, room freed, the peer's shutdown
 * or reset), never again for a level already reported, so a Sentry
 * epoll's EPOLLET interest sees Linux's edges. Once it is watched, a
 * waiter needs no arming. 0, or -errno.
 */
export function watchHostFdEdges(fd: number, handler: ReadyHandler): number {
  const e = start();
  if (e < 0) return e;
  const r = native.watchFd(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
  if (r === 0) {
    handlers.set(fd, handler);
    lasting.add(fd);
  }
  return r;
}

/** Forgets fd's interest: before the fd is closed. */
export function disarmHostFd(fd: number): void {
  if (!started) return;
  handlers.delete(fd);
  lasting.delete(fd);
  native.unwatchFd(fd);
}
