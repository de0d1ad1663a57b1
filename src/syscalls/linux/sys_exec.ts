// execve(2), execveat(2): read the file name, argv and envp from the
// application, check the file, and hand over to the kernel's exec
// (kernel/task_exec.ts). Errors come in Linux's order: the file is
// opened and checked (ENOENT, EACCES, ELOOP) before argv and envp are read
// (EFAULT, E2BIG), and the format is checked last (ENOEXEC).
//
// Differs from Linux: see task_exec.ts (one thread per process, no
// set-user-ID).

import type { Task } from '../../kernel/task.js';
import { execTask } from '../../kernel/task_exec.js';
import { checkExecutable } from '../../loader/loader.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, E2BIG, EFAULT, EINVAL, ENAMETOOLONG, copyInStruct, readPath, resolveAt,
} from '../support.js';

/** Linux's MAX_ARG_STRLEN (32 pages, with the NUL) and MAX_ARG_STRINGS. */
const MAX_ARG_STRLEN = 32 * 4096;
const MAX_ARG_STRINGS = 0x7fffffff;

/**
 * Reads a NULL-terminated array of string pointers; bytes counts what the
 * strings and their pointers will take on the new stack.
 */
function readStrings(t: Task, addr: number, acc: { bytes: number }): string[] | number {
  const out: string[] = [];
  if (addr === 0) return out;
  for (let i = 0; ; i++) {
    if (i >= MAX_ARG_STRINGS) return -E2BIG;
    const dv = copyInStruct(t, addr + i * 8, 8);
    if (dv === null) return -EFAULT;
    const p = Number(dv.getBigUint64(0, true));
    if (p === 0) return out;
    const s = t.mm.readCString(p, MAX_ARG_STRLEN);
    if (s === -ENAMETOOLONG) return -E2BIG;
    if (typeof s === 'number') return s;
    acc.bytes += s.length + 1 + 8;
    out.push(s);
    // Linux stops at the stack limit: a quarter of RLIMIT_STACK (at most 6 MiB).
    if (acc.bytes > argLimit(t)) return -E2BIG;
  }
}

function argLimit(t: Task): number {
  const stack = t.tg.rlimits[3].cur;
  const quarter = stack > 2n ** 52n ? 2 ** 50 : Number(stack) / 4;
  return Math.max(32 * 4096, Math.min(quarter, 6 * 1024 * 1024));
}

function doExecve(t: Task, dirfd: number, pathAddr: number, argvAddr: number, envpAddr: number, flags: number): number {
  if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) !== 0) return -EINVAL;
  const path = readPath(t, pathAddr);
  if (typeof path === 'number') return path;
  const noFollow = (flags & AT_SYMLINK_NOFOLLOW) !== 0;
  const d = resolveAt(t, dirfd, path, !noFollow, (flags & AT_EMPTY_PATH) !== 0);
  if (typeof d === 'number') return d;
  const ok = checkExecutable(t.creds, d);
  if (ok < 0) return ok;
  const acc = { bytes: 0 };
  const argv = readStrings(t, argvAddr, acc);
  if (typeof argv === 'number') return argv;
  const envp = readStrings(t, envpAddr, acc);
  if (typeof envp === 'number') return envp;
  // Since Linux 5.18 an empty argv gets one empty string, so argv[0] exists.
  if (argv.length === 0) argv.push('');
  // A file named through a descriptor is known by its /dev/fd name, as Linux names it.
  let name = path;
  if (path.length === 0) name = `/dev/fd/${dirfd}`;
  else if (path[0] !== '/' && dirfd !== AT_FDCWD) name = `/dev/fd/${dirfd}/${path}`;
  return execTask(t, { path: name, argv, envp, dentry: d, noFollow });
}

export function sysExecve(t: Task): number {
  const r = t.regs;
  return doExecve(t, AT_FDCWD, r.arg(0), r.arg(1), r.arg(2), 0);
}

export function sysExecveat(t: Task): number {
  const r = t.regs;
  return doExecve(t, r.argInt(0), r.arg(1), r.arg(2), r.arg(3), r.argInt(4));
}
