// Readiness of host descriptors for the Sentry's wait queues (gVisor's
// pkg/fdnotifier): one owner of the addon's single watch (native/watch.c,
// a private epoll instance on Node's event loop) for every kind of file
// backed by a host descriptor: the stdio a sandbox is given
// (fs/host_fd.ts) and the host sockets behind inet sockets
// (net/hostinet). Each interest is one-shot, as watch.c arms it: the
// handler runs once on the event loop when the fd is ready, and the file
// arms again the next time a task must wait.
//
// Costs nothing until the first host descriptor is waited on: the
// system call hot path never comes here.

import { native } from '../native.js';

/** Called on the event loop with the host's poll bits (POLLIN, POLLOUT, POLLERR, POLLHUP). */
export type ReadyHandler = (fd: number, revents: number) => void;

const handlers = new Map<number, ReadyHandler>();
let started = false;

function dispatch(fd: number, revents: number): void {
  const h = handlers.get(fd);
  if (h === undefined) return;
  handlers.delete(fd);
  h(fd, revents);
}

/**
 * Arms a one-shot interest in fd for events (POLLIN | POLLOUT), replacing
 * the fd's earlier one: 0, or -errno (-EPERM: the host cannot poll fd; it
 * is always ready).
 */
export function armHostFd(fd: number, events: number, handler: ReadyHandler): number {
  if (!started) {
    const e = native.watchInit(dispatch);
    if (e < 0) return e;
    started = true;
  }
  const r = native.watchFd(fd, events);
  if (r === 0) handlers.set(fd, handler);
  return r;
}

/** Forgets fd's interest: before the fd is closed. */
export function disarmHostFd(fd: number): void {
  if (!started) return;
  handlers.delete(fd);
  native.unwatchFd(fd);
}
