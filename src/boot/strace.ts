// --strace: the kernel's SyscallTracer that prints each system call as
// runsc --strace does, to the Sentry's stderr (never into the program's
// own output, which may be the same terminal but is a different stream),
// or, turned on while a container runs (the control server's
// Logging.Change: `tsvisor debug --strace`), to the sandbox's log, since
// an OCI sandbox's stderr is the container's own. It may trace only a set
// of calls, as runsc's --strace-syscalls.

import * as fs from 'node:fs';
import type { SyscallTracer } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { straceEnter, straceExit } from '../syscalls/strace.js';
import type { StraceMemory } from '../syscalls/strace.js';

const BLOCKING = new Set([0, 7, 19, 23, 34, 35, 59, 61, 202, 230, 232, 247, 270, 271, 281]);

/** A call's entry, kept until its exit: tasks interleave while one blocks. */
interface Entry {
  nr: number;
  args: bigint[];
  start: number;
}

export class StraceTracer implements SyscallTracer {
  /** Each task's call in progress; a task dead or exited takes its entry with it (WeakMap). */
  private readonly entries = new WeakMap<Task, Entry>();

  /** print: where each line goes; only: the system call numbers traced (null: every one). */
  constructor(private readonly print: (line: string) => void, private readonly only: ReadonlySet<number> | null = null) {}

  /** A tracer that writes to the host descriptor fd. */
  static toFd(fd: number, only: ReadonlySet<number> | null = null): StraceTracer {
    return new StraceTracer((line) => fs.writeSync(fd, line + '\n'), only);
  }

  private mem(t: Task): StraceMemory {
    return {
      readCString: (addr, max) => {
        const s = t.mm.readCString(addr, max);
        return typeof s === 'number' ? null : s;
      },
      readBytes: (addr, len) => t.mm.copyIn(addr, len),
    };
  }

  enter(t: Task, nr: number): void {
    if (this.only !== null && !this.only.has(nr)) return;
    const r = t.regs;
    const e: Entry = { nr, args: [0, 1, 2, 3, 4, 5].map((i) => r.argBig(i)), start: performance.now() };
    this.entries.set(t, e);
    if (BLOCKING.has(nr)) this.print(straceEnter(t.tid, t.comm, nr, e.args, this.mem(t), t.tg.tgid));
  }

  exit(t: Task, nr: number, ret: number): void {
    if (this.only !== null && !this.only.has(nr)) return;
    const e = this.entries.get(t);
    // A call entered before tracing began (Logging.Change) has no entry to print its arguments from.
    if (e === undefined || e.nr !== nr) return;
    this.entries.delete(t);
    const us = (performance.now() - e.start) * 1000;
    const mem = t.tg.exitStatus === null ? this.mem(t) : { readCString: () => null, readBytes: () => null };
    this.print(straceExit(t.tid, t.comm, nr, e.args, BigInt(Math.trunc(ret)), mem, us, t.tg.tgid));
  }
}
