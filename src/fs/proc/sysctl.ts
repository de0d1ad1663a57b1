// /proc/sys (Linux's sysctl tables, gVisor's proc/tasks_sys.go): the
// kernel parameters programs read, each answered with the bound the
// Sentry really enforces (pid and task counts, the file table, the VMA
// count, the lowest mappable address, the pipe size).
//
// Writes: kernel/hostname and kernel/domainname set the sandbox's UTS
// names, as sethostname(2) does. Every other file is 0644 or 0444 as in
// Linux (so a non-root writer gets EACCES at open), and a root write is
// accepted only if it is the value already in force (EPERM otherwise):
// the Sentry cannot change these bounds while it runs. fs/inotify's three
// limits are the exception: root may set them, as in Linux.

import { native } from '../../native.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import { UTSNamespace } from '../../kernel/uts.js';
import { FILE_MAX, liveFileDescriptions } from '../../vfs/file_description.js';
import { PIPE_MAX_SIZE } from '../../kernel/pipe.js';
import { MAX_MAP_COUNT } from '../../mm/vma_set.js';
import { EINVAL, EPERM } from '../../abi/linux/errno.js';
import { inotifyLimits } from '../../vfs/inotify/watches.js';
import { KernelFile, StaticDir } from './nodes.js';
import { buildIpcSysctl } from './sysvipc.js';
import type { KernFileSystem } from './nodes.js';
import { CAP_LAST_CAP } from '../../abi/linux/capability.js';

/** A fresh random UUID (version 4), as Linux's random/uuid gives one per read. */
function uuid(): string {
  const b = new Uint8Array(16);
  native.getRandom(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A UTS name written through /proc/sys: up to the first newline or NUL, at most 64 bytes (proc_dostring). */
function utsValue(data: string): string {
  let s = data;
  const cut = s.search(/[\n\0]/);
  if (cut >= 0) s = s.slice(0, cut);
  return s.slice(0, 64);
}

type Gen = (k: Kernel, caller: Task | null) => string;

/** A file whose value the Sentry cannot change: a write of anything else is EPERM. */
function fixed(fs: KernFileSystem, gen: Gen, perm = 0o644): KernelFile {
  const writer = perm & 0o200
    ? (k: Kernel, caller: Task | null, data: string) => (data.trim() === gen(k, caller).trim() ? 0 : -EPERM)
    : undefined;
  const f = new KernelFile(fs, gen, perm, writer);
  f.noWrite = 'open';
  return f;
}

/** PID_MAX_LIMIT, what Linux allows on 64-bit: the Sentry never runs out of pids below it (its tasks are bounded by threads-max). */
const PID_MAX = 4194304;
/** The most file descriptors one process may have (fd_table.ts's RLIMIT_NOFILE ceiling). */
const NR_OPEN = 1048576;

/** Builds /proc/sys under dir. */
export function buildSysctl(fs: KernFileSystem, dir: StaticDir, mmapMinAddr: number): void {
  const bootId = uuid();
  const kernel = dir.dir('kernel');
  kernel.children.set('hostname', new KernelFile(fs, (k) => `${k.uts.hostName}\n`, 0o644, (k, _c, d) => {
    k.uts.hostName = utsValue(d);
    return 0;
  }));
  kernel.children.set('domainname', new KernelFile(fs, (k) => `${k.uts.domainName}\n`, 0o644, (k, _c, d) => {
    k.uts.domainName = utsValue(d);
    return 0;
  }));
  kernel.children.set('ostype', fixed(fs, () => `${UTSNamespace.sysname}\n`, 0o444));
  kernel.children.set('osrelease', fixed(fs, () => `${UTSNamespace.release}\n`, 0o444));
  kernel.children.set('version', fixed(fs, () => `${UTSNamespace.version}\n`, 0o444));
  kernel.children.set('pid_max', fixed(fs, () => `${PID_MAX}\n`));
  kernel.children.set('threads-max', fixed(fs, (k) => `${k.maxTasks}\n`));
  kernel.children.set('ngroups_max', fixed(fs, () => '65536\n', 0o444));
  kernel.children.set('cap_last_cap', fixed(fs, () => `${CAP_LAST_CAP}\n`, 0o444));
  kernel.children.set('overflowuid', fixed(fs, () => '65534\n'));
  kernel.children.set('overflowgid', fixed(fs, () => '65534\n'));
  buildIpcSysctl(fs, kernel);
  const random = kernel.dir('random');
  random.children.set('boot_id', fixed(fs, () => `${bootId}\n`, 0o444));
  random.children.set('uuid', fixed(fs, () => `${uuid()}\n`, 0o444));
  random.children.set('entropy_avail', fixed(fs, () => '256\n', 0o444));
  random.children.set('poolsize', fixed(fs, () => '256\n', 0o444));

  const vm = dir.dir('vm');
  // The Sentry commits memory when it is touched and never refuses a mapping for want of it: mode 1.
  vm.children.set('overcommit_memory', fixed(fs, () => '1\n'));
  vm.children.set('max_map_count', fixed(fs, () => `${MAX_MAP_COUNT}\n`));
  vm.children.set('mmap_min_addr', fixed(fs, () => `${mmapMinAddr}\n`));

  const fsDir = dir.dir('fs');
  fsDir.children.set('file-max', fixed(fs, () => `${FILE_MAX}\n`));
  fsDir.children.set('file-nr', fixed(fs, () => `${liveFileDescriptions()}\t0\t${FILE_MAX}\n`, 0o444));
  fsDir.children.set('nr_open', fixed(fs, () => `${NR_OPEN}\n`));
  fsDir.children.set('pipe-max-size', fixed(fs, () => `${PIPE_MAX_SIZE}\n`));
  // inotify's limits may be changed by root, as Linux's (the sandbox's own bounds stay beneath them).
  const inotify = fsDir.dir('inotify');
  for (const [name, key] of [['max_user_instances', 'maxUserInstances'], ['max_user_watches', 'maxUserWatches'],
    ['max_queued_events', 'maxQueuedEvents']] as const) {
    inotify.children.set(name, new KernelFile(fs, () => `${inotifyLimits[key]}\n`, 0o644, (_k, _c, d) => {
      const v = intValue(d);
      if (v === null) return -EINVAL;
      inotifyLimits[key] = v;
      return 0;
    }));
  }
}

/** proc_dointvec_minmax with a floor of 0: one decimal integer, blanks around it. */
function intValue(data: string): number | null {
  const m = /^\s*(\d+)\s*$/.exec(data);
  if (m === null) return null;
  const v = Number(m[1]);
  return v <= 0x7fffffff ? v : null;
}
