// --strace: the kernel's SyscallTracer that prints each system call as
// runsc --strace does, to the Sentry's stderr (never into the program's
// own output, which may be the same terminal but is a different stream).

import * as fs from 'node:fs';
import type { SyscallTracer } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { straceEnter, straceExit } from '../syscalls/strace.js';
import type { StraceMemory } from '../syscalls/strace.js';

const BLOCKING = new Set([0, 7, 19, 23, 34, 35, 59, 61, 202, 230, 232, 247, 270, 271, 281]);

export class StraceTracer implements SyscallTracer {
  private args: bigint[] = [];
  private start = 0;

  constructor(private readonly fd: number) {}

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
    const r = t.regs;
    this.args = [0, 1, 2, 3, 4, 5].map((i) => r.argBig(i));
    this.start = performance.now();
    if (BLOCKING.has(nr)) this.print(straceEnter(t.tid, t.comm, nr, this.args, this.mem(t), t.tg.tgid));
  }

  exit(t: Task, nr: number, ret: number): void {
    const us = (performance.now() - this.start) * 1000;
    const mem = t.tg.exitStatus === null ? this.mem(t) : { readCString: () => null, readBytes: () => null };
    this.print(straceExit(t.tid, t.comm, nr, this.args, BigInt(Math.trunc(ret)), mem, us, t.tg.tgid));
  }

  private print(line: string): void {
    fs.writeSync(this.fd, line + '\n');
  }
}
