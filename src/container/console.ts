// The console of a container process with process.terminal (runc's
// --console-socket protocol, runtime.md's "console socket"): the runtime
// opens a host pseudo-terminal, sends its master over the caller's Unix
// socket as one message carrying the fd as SCM_RIGHTS (the data is the
// master's name, "/dev/ptmx", as runc's utils.SendFile sends it), and
// keeps the replica, which becomes the process's stdin, stdout and stderr
// (its controlling terminal inside the Sentry: src/boot/exec.ts, loader.ts).
// Mechanism: src/native terminal.c (openPty), and send_fd.ts for the send,
// bounded as it says: a peer that takes the connection and drops the
// console unread after the send is not seen, and the container then runs
// with a console nobody holds, as under runc.

import { native } from '../native.js';
import { ContainerError } from './errors.js';
import { sendFdTo } from './send_fd.js';

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
    sendFdTo('--console-socket', socketPath, '/dev/ptmx', pty.master);
  } catch (e) {
    native.close(pty.replica);
    throw e;
  } finally {
    native.close(pty.master);
  }
  return { replica: pty.replica, name: pty.name };
}
