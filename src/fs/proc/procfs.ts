// procfs (gVisor's fsimpl/proc, Linux's fs/proc): the sandbox's own /proc.
// The root lists the system files, sys/, self, thread-self and one
// directory per process of the instance's pid namespace (the mounter's, as
// Linux's proc_fill_super takes task_active_pid_ns(current)), named by
// their ids there; nothing in it comes from the host's /proc. /proc/PID
// is found for any tid (as Linux's proc_pid_lookup does) but only thread
// group leaders are listed. self and thread-self are ENOENT for a caller
// outside the namespace.
//
// /proc/net is self/net, as Linux has it: the sandbox's network files
// (task_dir.ts's NetDir over Kernel.network).
//
// Differs from Linux: no
// /proc/PID/io (the Sentry keeps no I/O counts: absent, as in a kernel
// without CONFIG_TASK_IO_ACCOUNTING), no kallsyms, kmsg, interrupts or
// devices; pid directories are not hidden from other users (hidepid=0,
// the default).

import type { Kernel } from '../../kernel/kernel.js';
import type { Inode } from '../../vfs/inode.js';
import { ENOENT } from '../../abi/linux/errno.js';
import { KDir, KFile, KSymlink, KernFileSystem, KernelFile, StaticDir, StaticFile } from './nodes.js';
import type { Task } from '../../kernel/task.js';
import { TaskDir } from './task_dir.js';
import type { ProcFS } from './task_dir.js';
import { alive } from './task_state.js';
import { buildSysctl } from './sysctl.js';
import { cpuIdentityNow, genCpuinfo, genLoadavg, genMeminfo, genStat, genUptime, genVersion } from './system_files.js';
import { fileSystemTypes, registerFileSystemType } from '../../vfs/fs_registry.js';
import { EINVAL } from '../../abi/linux/errno.js';
import type { PIDNamespace } from '../../kernel/pid_namespace.js';
import { currentTask } from '../../kernel/current.js';
import { buildSysvipc } from './sysvipc.js';

const PROC_SUPER_MAGIC = 0x9fa0;
/** The anonymous device minor of the proc instance. */
const PROC_MINOR = 20;

export interface ProcOptions {
  /** The lowest address a program may map (vm.mmap_min_addr). */
  readonly mmapMinAddr: number;
  /** The file system types /proc/filesystems lists ("nodev" ones: all of the sandbox's are). */
  readonly filesystems: readonly string[];
  /** The pid namespace whose processes it shows. */
  readonly pidns: PIDNamespace;
}

export class ProcFileSystem extends KernFileSystem implements ProcFS {
  readonly root: ProcRoot;
  readonly pidns: PIDNamespace;

  constructor(kernel: Kernel, opts: ProcOptions) {
    super('proc', PROC_SUPER_MAGIC, PROC_MINOR, kernel, 'proc');
    this.pidns = opts.pidns;
    this.root = new ProcRoot(this, opts);
  }
}

/** /proc/self and /proc/thread-self: the caller's own directories; ENOENT outside a system call. */
class SelfLink extends KSymlink {
  constructor(override readonly fs: ProcFileSystem, readonly thread: boolean) {
    super(fs, fs.allocIno());
  }

  target(caller: Task | null): string | number {
    if (caller === null) return -ENOENT;
    const ns = this.fs.pidns;
    const tgid = ns.idOfThreadGroup(caller.tg);
    if (tgid === 0) return -ENOENT;
    return this.thread ? `${tgid}/task/${ns.idOfTask(caller)}` : String(tgid);
  }
}

class ProcRoot extends KDir {
  private readonly fixed = new Map<string, Inode>();

  constructor(override readonly fs: ProcFileSystem, opts: ProcOptions) {
    super(fs, fs.allocIno(), 0o555);
    const cpu = cpuIdentityNow();
    const f = this.fixed;
    f.set('cpuinfo', new StaticFile(fs, genCpuinfo(cpu)));
    f.set('meminfo', new KernelFile(fs, genMeminfo));
    f.set('stat', new KernelFile(fs, genStat));
    f.set('uptime', new KernelFile(fs, genUptime));
    f.set('loadavg', new KernelFile(fs, genLoadavg));
    f.set('version', new StaticFile(fs, genVersion()));
    f.set('filesystems', new StaticFile(fs, opts.filesystems.map((t) => `nodev\t${t}\n`).join('')));
    f.set('swaps', new StaticFile(fs, 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n'));
    f.set('mounts', new FixedLink(fs, 'self/mounts'));
    f.set('net', new FixedLink(fs, 'self/net'));
    f.set('self', new SelfLink(fs, false));
    f.set('thread-self', new SelfLink(fs, true));
    // proc_create's files without a write method: EIO for a writer, as proc_reg_write gives.
    for (const n of f.values()) if (n instanceof KFile) n.noWrite = 'EIO';
    const sys = new StaticDir(fs);
    buildSysctl(fs, sys, opts.mmapMinAddr);
    f.set('sys', sys);
    f.set('sysvipc', buildSysvipc(fs));
  }

  /** The ids of the thread group leaders of the namespace that have their pid, in order. */
  private processes(): number[] {
    const out: number[] = [];
    for (const [id, t] of this.fs.pidns.tasks) if (t === t.tg.leader) out.push(id);
    return out.sort((a, b) => a - b);
  }

  list(): string[] {
    return [...this.fixed.keys(), ...this.processes().map(String)];
  }

  child(name: string): Inode | number {
    const f = this.fixed.get(name);
    if (f !== undefined) return f;
    if (!/^[1-9]\d{0,9}$/.test(name)) return -ENOENT;
    const t = this.fs.pidns.taskWithId(Number(name));
    if (t === undefined || !alive(t)) return -ENOENT;
    return new TaskDir(this.fs, t, true);
  }

  override dirLinks(): number {
    return 3 + this.processes().length;
  }
}

/** A symlink with a fixed target (/proc/mounts -> self/mounts). */
class FixedLink extends KSymlink {
  constructor(fs: KernFileSystem, readonly to: string) {
    super(fs, fs.allocIno());
  }

  target(): string {
    return this.to;
  }
}

// mount -t proc: options (hidepid=, subset=) are not served and refused.
registerFileSystemType('proc', (ctx) => {
  if (ctx.data !== '') return -EINVAL;
  const kernel = ctx.kernel as Kernel;
  const fs = new ProcFileSystem(kernel, {
    pidns: currentTask()?.pidns ?? kernel.bootMountPidns ?? kernel.pidns,
    mmapMinAddr: kernel.platform.minUserAddress,
    filesystems: fileSystemTypes().map((t) => t.name).filter((n) => !n.startsWith('tsvisor-')),
  });
  return { fs, root: fs.root };
}, { userns: true });
