// The host's signals to `tsvisor do` (runsc's sighandling, with --tty's
// "to the foreground process group"): SIGTERM and SIGHUP go to the
// sandbox's first process, as before. When the program's stdio is a host
// terminal, the first process is a session leader with that terminal as
// its controlling terminal (as runsc gives a container with a console),
// and what the host's line discipline sends tsvisor for a key (SIGINT for
// ^C, SIGQUIT for ^\, SIGTSTP for ^Z) and for a resize (SIGWINCH) goes to
// the foreground process group the sandbox's programs chose with
// tcsetpgrp; without a foreground group, SIGINT and SIGQUIT go to the
// first process. tsvisor itself is never stopped by ^Z: the Sentry
// handles SIGTSTP, and the launcher ignores the terminal's. An OCI
// container's console is a pty of its own devpts bridged to the host's
// (console.ts): its keys reach that pty as bytes, and a resize copies
// the host pty's size to it first (forwardHostSignals' resize).

import type { Task } from '../kernel/task.js';
import type { FDTable } from '../kernel/fd_table.js';
import { signalFromHost } from '../kernel/exit.js';
import { HostFD, restoreHostTerminals } from '../fs/host_fd.js';
import type { HostTerminal } from '../fs/host_fd.js';
import type { Terminal } from '../kernel/tty/terminal.js';

/** Makes the host terminal of the first process's stdio its controlling terminal; returns it, or null. */
export function attachHostTerminal(init: Task, fdTable: FDTable): HostTerminal | null {
  for (const fd of [0, 1, 2]) {
    const f = fdTable.get(fd);
    if (f instanceof HostFD && f.terminal !== null) {
      f.terminal.setControlling(init.tg);
      return f.terminal;
    }
  }
  return null;
}

/**
 * Starts forwarding; the function returned stops it and puts the host
 * terminal's modes back. sent: told of each signal given to the init (an
 * OCI container's Loader starts a created init that must die of it).
 * resize: what a SIGWINCH does instead (term is then the container's pty
 * bridged to the host's, console.ts, whose size must follow first).
 */
export function forwardHostSignals(init: Task, term: Terminal | null, sent?: (sig: number) => void, resize?: () => void): () => void {
  const toInit = (sig: number) => {
    if (init.tg.exitStatus !== null) return;
    signalFromHost(init, sig);
    sent?.(sig);
  };
  const toForeground = (sig: number, fallback: boolean) => {
    if (init.tg.exitStatus !== null) return;
    if (term !== null && term.fgPgid !== 0) term.killPgrp(term.fgPgid, sig);
    else if (fallback) toInit(sig);
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', () => toInit(15)],
    ['SIGHUP', () => toInit(1)],
    ['SIGINT', () => toForeground(2, true)],
    ['SIGQUIT', () => toForeground(3, true)],
  ];
  if (term !== null) {
    handlers.push(['SIGTSTP', () => toForeground(20, false)], ['SIGWINCH', resize ?? (() => toForeground(28, false))]);
  }
  for (const [name, h] of handlers) process.on(name, h);
  return () => {
    for (const [name, h] of handlers) process.off(name, h);
    if (term !== null) restoreHostTerminals();
  };
}
