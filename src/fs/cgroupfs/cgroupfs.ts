// cgroupfs, cgroup v2 (Linux's kernel/cgroup, the "cgroup2" file system;
// gVisor's fsimpl/cgroupfs, which models v1 hierarchies): the container's
// cgroup as a container in a cgroup namespace of its own sees it, at the
// root of the hierarchy, with the cpu, memory and pids controllers. Every
// figure comes from the Sentry's own accounting (files.ts), so what a
// program reads of its limits and usage is what the Sentry enforces and
// counts, and what `tsvisor events` reports.
//
// One instance per kernel, whatever the number of mounts: as every mount
// of cgroup2 shows the one hierarchy, every mount shows the one cgroup
// (its subtree_control is the same through each).
//
// Mount options: Linux's (nsdelegate, favordynmods, memory_localevents,
// memory_recursiveprot, memory_hugetlb_accounting, pids_localevents) are
// taken and change nothing here; any other is EINVAL. The v1 type
// "cgroup" is not registered: mount -t cgroup fails with ENODEV, as on a
// kernel without v1 (the OCI runtime mounts a spec's "cgroup" entry as
// cgroup2, as runc does on a unified host).
//
// Differs from Linux: one cgroup only. mkdir is EPERM (no child cgroups:
// the Sentry has no per-cgroup accounting to give them), so a program that
// delegates a subtree (systemd in a container) cannot; cgroup.kill,
// cgroup.freeze, the PSI files, io, cpuset and the controllers' rarer
// files are absent.

import type { Kernel } from '../../kernel/kernel.js';
import { KernFileSystem, StaticDir } from '../proc/nodes.js';
import { registerFileSystemType } from '../../vfs/fs_registry.js';
import { EINVAL } from '../../abi/linux/errno.js';
import { addControlFiles } from './files.js';
import type { CgroupState } from './files.js';

/** statfs(2)'s f_type of a cgroup2 mount. */
export const CGROUP2_SUPER_MAGIC = 0x63677270;
/** The anonymous device minor of the instance (proc 20, sysfs 21). */
const CGROUP2_MINOR = 22;

/** The mount options Linux's cgroup2 takes. */
const OPTIONS = new Set(['nsdelegate', 'favordynmods', 'memory_localevents', 'memory_recursiveprot', 'memory_hugetlb_accounting',
  'pids_localevents']);

export class CgroupFileSystem extends KernFileSystem {
  readonly root: StaticDir;
  readonly state: CgroupState = { subtree: new Set() };

  constructor(kernel: Kernel) {
    super('cgroup2', CGROUP2_SUPER_MAGIC, CGROUP2_MINOR, kernel, 'cgroup2');
    this.root = new StaticDir(this, 0o755);
    addControlFiles(this, this.root, this.state);
  }
}

const instances = new WeakMap<Kernel, CgroupFileSystem>();

registerFileSystemType('cgroup2', (ctx) => {
  if (ctx.data !== '' && !ctx.data.split(',').every((o) => OPTIONS.has(o))) return -EINVAL;
  const kernel = ctx.kernel as Kernel;
  let fs = instances.get(kernel);
  if (fs === undefined) {
    fs = new CgroupFileSystem(kernel);
    instances.set(kernel, fs);
  }
  return { fs, root: fs.root };
}, { userns: true });
