// sysfs (gVisor's fsimpl/sys, Linux's kernfs-backed /sys), minimal: what
// programs read at start-up. The CPUs (glibc's get_nprocs reads
// devices/system/cpu/online, get_nprocs_conf counts the cpuN directories,
// lscpu reads their topology), transparent huge pages, and an empty
// fs/cgroup for the container runtime to mount over. Everything is made
// once, at mount time, from kernel/cpus.ts: the same count
// sched_getaffinity(2) and /proc report.
//
// Differs from Linux: no devices, buses, classes, modules or power
// files; the CPUs have no cache, frequency or idle information; nothing
// is writable (EACCES); transparent huge pages are "never", because the
// Sentry maps every page small.

import type { Kernel } from '../../kernel/kernel.js';
import { NUM_CPUS, cpuList } from '../../kernel/cpus.js';
import { KernFileSystem, StaticDir, StaticFile } from '../proc/nodes.js';
import { registerFileSystemType } from '../../vfs/fs_registry.js';
import { EINVAL } from '../../abi/linux/errno.js';

const SYSFS_MAGIC = 0x62656572;
const SYSFS_MINOR = 21;

export class SysFileSystem extends KernFileSystem {
  readonly root: StaticDir;

  constructor(kernel: Kernel) {
    super('sysfs', SYSFS_MAGIC, SYSFS_MINOR, kernel, 'sysfs');
    const root = new StaticDir(this, 0o555);
    this.root = root;
    const file = (dir: StaticDir, name: string, text: string) => {
      const f = new StaticFile(this, text);
      f.noWrite = 'open'; // kernfs: a file without a store method cannot be opened for writing
      dir.children.set(name, f);
    };
    const cpu = root.dir('devices/system/cpu');
    for (const f of ['online', 'possible', 'present']) file(cpu, f, `${cpuList()}\n`);
    file(cpu, 'offline', '\n');
    file(cpu, 'kernel_max', `${Math.max(NUM_CPUS - 1, 0)}\n`);
    for (let i = 0; i < NUM_CPUS; i++) {
      const c = cpu.dir(`cpu${i}`);
      if (i > 0) file(c, 'online', '1\n');
      const topo = c.dir('topology');
      file(topo, 'core_id', `${i}\n`);
      file(topo, 'physical_package_id', '0\n');
      file(topo, 'die_id', '0\n');
      file(topo, 'core_cpus_list', `${i}\n`);
      file(topo, 'thread_siblings_list', `${i}\n`);
      file(topo, 'core_siblings_list', `${cpuList()}\n`);
      file(topo, 'package_cpus_list', `${cpuList()}\n`);
    }
    const thp = root.dir('kernel/mm/transparent_hugepage');
    file(thp, 'enabled', 'always madvise [never]\n');
    file(thp, 'defrag', 'always defer defer+madvise madvise [never]\n');
    file(thp, 'hpage_pmd_size', '2097152\n');
    root.dir('fs/cgroup');
  }
}

// mount -t sysfs: it takes no options.
registerFileSystemType('sysfs', (ctx) => {
  if (ctx.data !== '') return -EINVAL;
  const fs = new SysFileSystem(ctx.kernel as Kernel);
  return { fs, root: fs.root };
}, { userns: true });
