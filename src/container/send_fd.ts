// Sending a descriptor to a caller's Unix socket, as runc's utils.SendFile
// does for its two protocols: --console-socket (a pty master, console.ts)
// and --pidfd-socket (a pidfd of the container's process): one connection,
// one message whose data is the file's name and whose SCM_RIGHTS is the
// file. The path is reached through a descriptor of its directory, so a
// long one still fits a socket address.
//
// The socket is the caller's, and may be hostile or broken: the connect
// and the send are bounded (SEND_FD_MS: a peer whose backlog is full and
// who never accepts made create wait for ever), and each failure is an
// error naming the flag and the socket. As with runc, a peer that accepts
// later (containerd's shim, after create returns) is not waited for.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../native.js';
import { ContainerError } from './errors.js';

/** How long the socket may take to accept the connection and the file. */
export const SEND_FD_MS = 10_000;
const EAGAIN = 11;
const ECONNREFUSED = 111;
const EPIPE = 32;
const ECONNRESET = 104;
const ENOENT = 2;

/** Sends fd, named name, to the socket at socketPath (flag: the option that gave it, for errors); fd stays the caller's. */
export function sendFdTo(flag: string, socketPath: string, name: string, fd: number): void {
  const abs = path.resolve(socketPath);
  let dirFd: number;
  try {
    dirFd = fs.openSync(path.dirname(abs), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw new ContainerError(`${flag} ${socketPath}: ${(e as Error).message}`);
  }
  const sock = native.connectUnix(dirFd, path.basename(abs), SEND_FD_MS);
  fs.closeSync(dirFd);
  if (sock < 0) throw new ContainerError(`${flag} ${socketPath}: cannot connect: ${connectWhy(-sock)}`);
  const n = native.sendFds(sock, Buffer.from(name), [fd]);
  native.close(sock);
  if (n < 0) {
    const why = -n === EPIPE || -n === ECONNRESET ? 'the other end closed the connection first' : -n === EAGAIN ? `nobody read it within ${SEND_FD_MS} ms` : `errno ${-n}`;
    throw new ContainerError(`${flag} ${socketPath}: cannot send the ${name === 'pidfd' ? 'pidfd' : 'console'}: ${why}`);
  }
}

/**
 * runc's --pidfd-socket: a pidfd of the host process that stands for the
 * container's process (the sandbox for create and run, exec's own process
 * for exec: the pids their --pid-file names), so that a signal sent through
 * it reaches the container's process as a kill of that pid does.
 */
export function sendPidfd(socketPath: string, pid: number): void {
  const pidfd = native.pidfdOpen(pid);
  if (pidfd < 0) throw new ContainerError(`--pidfd-socket ${socketPath}: cannot open a pidfd of process ${pid} (errno ${-pidfd})`);
  try {
    sendFdTo('--pidfd-socket', socketPath, 'pidfd', pidfd);
  } finally {
    native.close(pidfd);
  }
}

function connectWhy(errno: number): string {
  if (errno === ECONNREFUSED) return 'nothing listens on it (it is not a socket, or no one has it open)';
  if (errno === ENOENT) return 'no such file';
  if (errno === EAGAIN) return `nobody accepted the connection within ${SEND_FD_MS} ms (its backlog is full)`;
  return `errno ${errno}`;
}
