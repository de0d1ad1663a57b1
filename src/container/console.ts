// The console of a container process with process.terminal (runc's
// --console-socket protocol, runtime.md's "console socket"): the runtime
// opens a host pseudo-terminal, sends its master over the caller's Unix
// socket as one message carrying the fd as SCM_RIGHTS (the data is the
// master's name, "/dev/ptmx", as runc's utils.SendFile sends it), and
// keeps the replica, which becomes the process's stdin, stdout and stderr
// (its controlling terminal inside the Sentry: src/boot/exec.ts, loader.ts).
// Mechanism: src/native terminal.c (openPty) and control.c (sendFds).
//
// The socket is the caller's, and may be hostile or broken: the connect
// and the send are bounded (CONNECT_MS: a peer whose backlog is full and
// who never accepts made create wait for ever), and each failure is an
// error naming the socket. As with runc, a peer that accepts later (as
// containerd's shim does, after create returns) is not waited for, so one
// that takes the connection and drops the console unread after the send
// is not seen: the container then runs with a console nobody holds.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../native.js';
import { ContainerError } from './errors.js';

/** How long the console socket may take to accept the connection and the console. */
export const CONNECT_MS = 10_000;
const EAGAIN = 11;
const ECONNREFUSED = 111;
const EPIPE = 32;
const ECONNRESET = 104;
const ENOENT = 2;

export interface Console {
  /** The pty's replica: the process's stdio. The caller closes it. */
  replica: number;
  /** Its name, /dev/pts/N. */
  name: string;
}

/**
 * Opens a pty sized as consoleSize asks (if it does), sends its master
 * to the console socket, and returns the replica. The master is closed
 * here once sent: only the caller of the runtime holds it.
 */
export function openConsole(socketPath: string, size?: { height: number; width: number }): Console {
  const pty = native.openPty(size?.height ?? 0, size?.width ?? 0);
  if (typeof pty === 'number') throw new ContainerError(`cannot open a pseudo-terminal for the console (errno ${-pty})`);
  try {
    sendMaster(socketPath, pty.master);
  } catch (e) {
    native.close(pty.replica);
    throw e;
  } finally {
    native.close(pty.master);
  }
  return { replica: pty.replica, name: pty.name };
}

function sendMaster(socketPath: string, master: number): void {
  const abs = path.resolve(socketPath);
  let dirFd: number;
  try {
    dirFd = fs.openSync(path.dirname(abs), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw new ContainerError(`--console-socket ${socketPath}: ${(e as Error).message}`);
  }
  const sock = native.connectUnix(dirFd, path.basename(abs), CONNECT_MS);
  fs.closeSync(dirFd);
  if (sock < 0) throw new ContainerError(`--console-socket ${socketPath}: cannot connect: ${connectWhy(-sock)}`);
  const n = native.sendFds(sock, Buffer.from('/dev/ptmx'), [master]);
  native.close(sock);
  if (n < 0) {
    const why = -n === EPIPE || -n === ECONNRESET ? 'the other end closed the connection first' : -n === EAGAIN ? `nobody read it within ${CONNECT_MS} ms` : `errno ${-n}`;
    throw new ContainerError(`--console-socket ${socketPath}: cannot send the console: ${why}`);
  }
}

function connectWhy(errno: number): string {
  if (errno === ECONNREFUSED) return 'nothing listens on it (it is not a socket, or no one has it open)';
  if (errno === ENOENT) return 'no such file';
  if (errno === EAGAIN) return `nobody accepted the connection within ${CONNECT_MS} ms (its backlog is full)`;
  return `errno ${errno}`;
}
