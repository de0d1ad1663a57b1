// The sandbox process's host cgroup (runc's fs2 manager, opencontainers/
// cgroups; runsc puts its sandbox in the spec's cgroup the same way): when
// the spec has linux.cgroupsPath and the host has a writable cgroup v2
// hierarchy at /sys/fs/cgroup, create makes the cgroup, writes the
// container's limits to it and starts the sandbox inside it; delete
// removes it. The Sentry enforces memory.limit and pids.limit itself; the
// host cgroup adds what only the host can (CPU time, CPU and memory-node
// placement, block I/O) and a second bound on the whole sandbox.
//
// The path, as runc's: an absolute cgroupsPath is relative to the
// hierarchy's root, a relative one to the parent of the runtime's own
// cgroup. With --systemd-cgroup, podman's "slice:prefix:name" is
// /SLICE/prefix-name.scope, the slice expanded as systemd nests it
// (a-b.slice is /a.slice/a-b.slice; "" is system.slice), which is where
// runc's systemd driver puts it. Differs from real systemd scopes: no
// transient unit is started over D-Bus (tsvisor speaks no D-Bus), so
// systemd knows no unit for it: no Delegate=, no unit properties, nothing
// in systemctl, slices on the way made as plain directories; systemd
// leaves such a cgroup alone, but stopping the slice kills what is in it.
//
// What is written, in runc's order (pids, memory, io, cpu, cpuset, unified):
//   pids.limit         pids.max: the limit plus PIDS_HEADROOM (the host
//                      counts the Sentry's own threads, the launcher, the
//                      master stub and parked stub threads too)
//   memory.limit       memory.max: the limit plus MEMORY_HEADROOM (the host
//                      charges the Sentry's Node heap, its page tables and
//                      the stubs', none of which is the container's memory;
//                      the Sentry's own limit is the exact one)
//   memory.swap        memory.swap.max, runc's conversion (memory+swap to
//                      swap alone)
//   memory.reservation memory.low
//   blockIO.weight     io.weight (runc's conversion); the throttle lists as
//                      io.max lines
//   cpu.idle, shares,  cpu.idle, cpu.weight (runc's conversion,
//   burst, quota,      config/resources.ts), cpu.max.burst, cpu.max
//   period
//   cpu.cpus, mems     cpuset.cpus, cpuset.mems
//   unified            each file as given (no "/" in a name)
// Ignored, as runc's v2 driver ignores them: cpu.realtime*, memory.kernel,
// kernelTCP, swappiness, disableOOMKiller, useHierarchy, blockIO's
// leafWeight and weightDevice; honoured by construction: devices (the
// Sentry serves its own), hugepageLimits (it maps no huge pages), rdma,
// network.
//
// When there is no cgroup to be had (no cgroupsPath; the host's
// /sys/fs/cgroup is cgroup v1 or hybrid, or not writable: rootless without
// delegation, a read-only /sys) create goes on without one, with a debug
// line, unless the spec asks for a limit only a host cgroup can enforce
// (requiredByHost: CPU quota and period, cpuset, block I/O throttles,
// unified; not the relative weights cpu.shares, cpu.idle and
// blockIO.weight, which containerd's ctr and CRI always send and which
// only share the host between cgroups: without one the sandbox shares it
// as any host process does): then it fails,
// naming the field and why, rather than run the container unlimited. The
// same goes for a file that cannot be written: a second bound (memory.max,
// pids.max) or a soft one (memory.low, memory.swap.max) is skipped with a
// debug line, anything else fails the create.
//
// Entering: this process moves itself into the cgroup, forks the sandbox
// (Sandbox.start), and moves back, so the sandbox process and everything
// it forks are born in the cgroup (moving the sandbox's pid after the fork
// would miss a child it had already made: the Sentry).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Resources, Spec } from '../config/spec.js';
import { DEFAULT_CPU_PERIOD_US, cpuMaxValue, cpuWeightFromShares, ioWeightFromBlkio, swapMax } from '../config/resources.js';
import { CGROUP2_SUPER_MAGIC } from '../fs/cgroupfs/cgroupfs.js';
import { MAX_TASKS_LIMIT } from '../kernel/limits.js';
import { ContainerError } from './errors.js';
import '../boot/test_build.js';

/** Where runc's fs2 driver finds the unified hierarchy. */
export const CGROUP_ROOT = '/sys/fs/cgroup';
/** What the host cgroup's memory.max allows beyond memory.limit: the Sentry's own memory (Node's heap, page tables). */
export const MEMORY_HEADROOM = 256 * 2 ** 20;
/** What its pids.max allows beyond pids.limit: the Sentry's threads, the launcher, the master stub, parked stub threads. */
export const PIDS_HEADROOM = 64;

/** The hierarchy: /sys/fs/cgroup, or in the test bundle TSVISOR_TEST_CGROUP_ROOT (another cgroup2 mount, for hosts whose /sys/fs/cgroup is v1). */
function hierarchyRoot(): string {
  if (TSVISOR_TEST_BUILD && process.env.TSVISOR_TEST_CGROUP_ROOT !== undefined) return process.env.TSVISOR_TEST_CGROUP_ROOT;
  return CGROUP_ROOT;
}

/** systemd's slice nesting (runc's ExpandSlice): "a-b.slice" is /a.slice/a-b.slice, "-.slice" the root. */
function expandSlice(slice: string): string {
  const bad = () => new ContainerError(`linux.cgroupsPath: invalid slice name: ${slice}`);
  if (!slice.endsWith('.slice') || slice.length <= '.slice'.length || slice.includes('/')) throw bad();
  const name = slice.slice(0, -'.slice'.length);
  if (name === '-') return '/';
  let out = '', prefix = '';
  for (const c of name.split('-')) {
    if (c === '') throw bad();
    out += `/${prefix}${c}.slice`;
    prefix += `${c}-`;
  }
  return out;
}

/**
 * The cgroup a cgroupsPath names, as a path in the hierarchy ("/a/b"):
 * runc's rules (the file comment). ownCgroup is the runtime's own, for a
 * relative path. Throws ContainerError for a path runc refuses.
 */
export function cgroupPathFor(cgroupsPath: string, systemd: boolean, ownCgroup: string): string {
  let p: string;
  if (systemd) {
    const parts = cgroupsPath.split(':');
    if (parts.length !== 3) {
      throw new ContainerError(`expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "${cgroupsPath}" instead`);
    }
    const [slice, prefix, name] = parts;
    if (name.includes('/') || prefix.includes('/')) throw new ContainerError(`linux.cgroupsPath: a unit name has no "/": ${cgroupsPath}`);
    p = path.posix.join(expandSlice(slice === '' ? 'system.slice' : slice), name.endsWith('.slice') ? name : `${prefix}-${name}.scope`);
  } else if (cgroupsPath.startsWith('/')) {
    p = path.posix.normalize(cgroupsPath);
  } else {
    // runc's CleanPath keeps a relative path below its base: "../x" is "x".
    p = path.posix.join(path.posix.dirname(ownCgroup), path.posix.normalize(`/${cgroupsPath}`));
  }
  p = p.replace(/\/+$/, '') || '/';
  if (p === '/') throw new ContainerError(`linux.cgroupsPath ${JSON.stringify(cgroupsPath)} names the root of the cgroup hierarchy, which a container cannot be given`);
  return p;
}

/** This process's cgroup in the unified hierarchy (/proc/self/cgroup's "0::" line). */
function ownCgroup(): string {
  const line = fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
  if (line === undefined) throw new Error('/proc/self/cgroup has no cgroup v2 line');
  return line.slice(3);
}

/** The limits in linux.resources that only a host cgroup can enforce, by JSON path (the relative weights are not limits). */
export function requiredByHost(r: Resources | undefined): string[] {
  const out: string[] = [];
  const cpu = r?.cpu ?? {};
  for (const k of ['quota', 'period'] as const) if ((cpu[k] ?? 0) !== 0) out.push(`cpu.${k}`);
  if (cpu.burst !== undefined) out.push('cpu.burst');
  for (const k of ['cpus', 'mems'] as const) if ((cpu[k] ?? '') !== '') out.push(`cpu.${k}`);
  const io = r?.blockIO ?? {};
  for (const k of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const) {
    if ((io[k] ?? []).length > 0) out.push(`blockIO.${k}`);
  }
  if (Object.keys(r?.unified ?? {}).length > 0) out.push('unified');
  return out;
}

/** A cgroup file to write: its name, its value, and whether a failure may be skipped (a second or soft bound). */
interface Write {
  file: string;
  value: string;
  field: string;
  optional: boolean;
}

/** What create writes for the spec's resources, in runc's order. */
export function cgroupWrites(r: Resources | undefined): Write[] {
  const w: Write[] = [];
  const add = (file: string, value: string | number, field: string, optional = false) => w.push({ file, value: String(value), field, optional });
  const pids = r?.pids?.limit ?? 0;
  if (pids > 0) add('pids.max', pids + PIDS_HEADROOM, 'pids.limit', true);
  else if (pids < 0) add('pids.max', 'max', 'pids.limit', true);
  const mem = r?.memory ?? {};
  const swap = swapMax(mem.swap, mem.limit);
  if (swap !== null && typeof swap === 'object') throw new ContainerError(`config.json: linux.resources.memory.swap: ${swap.error}`);
  if (swap !== null) add('memory.swap.max', swap, 'memory.swap', true);
  const limit = mem.limit ?? 0;
  if (limit > 0) add('memory.max', limit + MEMORY_HEADROOM, 'memory.limit', true);
  else if (limit < 0) add('memory.max', 'max', 'memory.limit', true);
  if ((mem.reservation ?? 0) > 0) add('memory.low', mem.reservation as number, 'memory.reservation', true);
  const io = r?.blockIO ?? {};
  if ((io.weight ?? 0) !== 0) add('io.weight', ioWeightFromBlkio(io.weight as number), 'blockIO.weight');
  for (const [k, key] of [['throttleReadBpsDevice', 'rbps'], ['throttleWriteBpsDevice', 'wbps'], ['throttleReadIOPSDevice', 'riops'],
    ['throttleWriteIOPSDevice', 'wiops']] as const) {
    for (const d of io[k] ?? []) add('io.max', `${d.major}:${d.minor} ${key}=${d.rate ?? 'max'}`, `blockIO.${k}`);
  }
  const cpu = r?.cpu ?? {};
  if (cpu.idle !== undefined) add('cpu.idle', cpu.idle, 'cpu.idle');
  const weight = cpuWeightFromShares(cpu.shares);
  if (weight !== null) add('cpu.weight', weight, 'cpu.shares');
  if (cpu.burst !== undefined) add('cpu.max.burst', cpu.burst, 'cpu.burst');
  const max = cpuMaxValue(cpu);
  if (max !== null) add('cpu.max', max, cpu.quota ? 'cpu.quota' : 'cpu.period');
  if ((cpu.cpus ?? '') !== '') add('cpuset.cpus', cpu.cpus as string, 'cpu.cpus');
  if ((cpu.mems ?? '') !== '') add('cpuset.mems', cpu.mems as string, 'cpu.mems');
  for (const [k, v] of Object.entries(r?.unified ?? {})) {
    if (k.includes('/') || k === '.' || k === '..') throw new ContainerError(`config.json: linux.resources.unified: ${JSON.stringify(k)} must be a file name (no slashes)`);
    add(k, v, `unified.${k}`);
  }
  return w;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code !== undefined ? `${err.code}: ${err.message.replace(/^\w+: /, '')}` : String(e);
}

/** The CPU fields tsvisor update may change (runc's flags of the same names). */
export interface CpuUpdate {
  shares?: number;
  quota?: number;
  period?: number;
  cpus?: string;
  mems?: string;
}

export interface CgroupOptions {
  /** --systemd-cgroup: cgroupsPath is slice:prefix:name. */
  systemd: boolean;
  debug: (msg: string) => void;
}

export class HostCgroup {
  private constructor(
    /** The cgroup's directory on the host (absolute). */
    readonly dir: string,
    private readonly debug: (msg: string) => void,
  ) {}

  /**
   * Makes the cgroup the spec names and writes its limits; null when none
   * is made (the reason is a debug line). Throws ContainerError when the
   * spec asks for a limit only a host cgroup can enforce and it cannot be
   * had, or when runc would refuse the spec's cgroup fields.
   */
  static create(spec: Spec, o: CgroupOptions): HostCgroup | null {
    const r = spec.linux?.resources;
    const required = requiredByHost(r);
    const skip = (why: string): null => {
      if (required.length > 0) {
        throw new ContainerError(`config.json: linux.resources.${required[0]}: only a host cgroup can enforce it, and ${why}`);
      }
      o.debug(`host cgroup: none (${why}); the Sentry enforces the spec's memory and pids limits itself`);
      return null;
    };
    const cgroupsPath = spec.linux?.cgroupsPath ?? '';
    if (cgroupsPath === '') return skip('config.json has no linux.cgroupsPath (tsvisor makes a host cgroup only where the spec names one)');
    const root = hierarchyRoot();
    let magic = 0;
    try {
      magic = Number(fs.statfsSync(root).type);
    } catch (e) {
      return skip(`${root} cannot be read (${errText(e)})`);
    }
    if (magic !== CGROUP2_SUPER_MAGIC) return skip(`the host's ${root} is not a cgroup v2 hierarchy (cgroup v1 or hybrid)`);
    // What runc's v2 driver refuses (a swap limit without a memory limit, a unified name with a slash) is refused here.
    const writes = cgroupWrites(r);
    const rel = cgroupPathFor(cgroupsPath, o.systemd, ownCgroup());
    const dir = path.join(root, rel);
    const made: string[] = [];
    const undo = () => {
      for (const d of made.reverse()) {
        try {
          fs.rmdirSync(d);
        } catch {
          // Someone else's now.
        }
      }
    };
    try {
      // runc's CreateCgroupPath: each cgroup on the way made, and every controller the hierarchy has enabled for the next.
      const controllers = fs.readFileSync(path.join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter((c) => c !== '');
      let cur = root;
      const parts = rel.split('/').filter((p) => p !== '');
      for (let i = 0; i <= parts.length; i++) {
        if (i > 0) {
          cur = path.join(cur, parts[i - 1]);
          try {
            fs.mkdirSync(cur, { mode: 0o755 });
            made.push(cur);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          }
        }
        if (i < parts.length && controllers.length > 0) {
          const file = path.join(cur, 'cgroup.subtree_control');
          try {
            fs.writeFileSync(file, controllers.map((c) => `+${c}`).join(' '));
          } catch {
            // One at a time: some may not be delegated here (runc ignores these failures; the writes below say what is missing).
            for (const c of controllers) {
              try {
                fs.writeFileSync(file, `+${c}`);
              } catch {
                // Not available here.
              }
            }
          }
        }
      }
    } catch (e) {
      undo();
      return skip(`cannot make the cgroup ${dir} (${errText(e)})`);
    }
    const cg = new HostCgroup(dir, o.debug);
    const written: string[] = [];
    for (const w of writes) {
      const why = cg.write(w.file, w.value);
      if (why === null) {
        written.push(`${w.file}=${w.value}`);
        continue;
      }
      if (!w.optional) {
        undo();
        throw new ContainerError(`config.json: linux.resources.${w.field}: ${why}`);
      }
      o.debug(`host cgroup: skipped linux.resources.${w.field}: ${why}; the Sentry's own limit stands`);
    }
    o.debug(`host cgroup: ${dir}, ${written.join(' ') || 'no limits written'}`);
    return cg;
  }

  /** Writes value to one of the cgroup's files; why it could not, or null. */
  private write(file: string, value: string): string | null {
    try {
      // r+: the file must be there (no O_CREAT, which cgroupfs answers with EACCES).
      fs.writeFileSync(path.join(this.dir, file), value, { flag: 'r+' });
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return `the host cgroup ${this.dir} has no ${file} (its controller, ${file.split('.')[0]}, is not enabled there)`;
      }
      return `cannot write ${JSON.stringify(value)} to ${file} in ${this.dir} (${errText(e)})`;
    }
  }

  /**
   * Writes new memory and pids bounds (tsvisor update, once the Sentry has
   * taken its new limits), with the headroom. A memory bound below what
   * the host counts for the sandbox now is not written (the host would
   * reclaim, then OOM-kill the Sentry itself); that, and a failure, is a
   * debug line: the Sentry's own limit stands.
   */
  updateBounds(memoryLimit: number | undefined, pidsLimit: number | undefined): void {
    if (memoryLimit !== undefined) {
      const bound = memoryLimit + MEMORY_HEADROOM;
      let current = 0;
      try {
        current = Number(fs.readFileSync(path.join(this.dir, 'memory.current'), 'utf8'));
      } catch {
        // No memory controller here: the write below says so.
      }
      if (current >= bound) this.debug(`host cgroup: memory.max left as it is: the sandbox holds ${current} bytes on the host, above ${bound}`);
      else this.writeOrSay('memory.max', String(bound));
    }
    // MAX_TASKS_LIMIT, Linux's PID_MAX_LIMIT, is update's "unlimited" (-1).
    if (pidsLimit !== undefined) this.writeOrSay('pids.max', pidsLimit >= MAX_TASKS_LIMIT ? 'max' : String(pidsLimit + PIDS_HEADROOM));
  }

  /**
   * Writes new CPU limits (tsvisor update's --cpu-share, --cpu-quota,
   * --cpu-period, --cpuset-cpus, --cpuset-mems; 0 or "" leaves one as it
   * is, a quota of -1 is "max"); returns what cpu.max and cpu.weight are
   * now, for the Sentry's cgroupfs. A write that fails is a ContainerError
   * (the ones before it stay written, as with runc).
   */
  updateCpu(c: CpuUpdate): { cpuQuota?: number; cpuPeriod?: number; cpuWeight?: number } {
    const out: { cpuQuota?: number; cpuPeriod?: number; cpuWeight?: number } = {};
    const must = (file: string, value: string) => {
      const why = this.write(file, value);
      if (why !== null) throw new ContainerError(why);
    };
    const weight = cpuWeightFromShares(c.shares);
    if (weight !== null) {
      must('cpu.weight', String(weight));
      out.cpuWeight = weight;
    }
    if ((c.quota ?? 0) !== 0 || (c.period ?? 0) !== 0) {
      // The half not given stays as it is (runc keeps the container's other value).
      let [quota, period] = ['max', String(DEFAULT_CPU_PERIOD_US)];
      try {
        [quota, period] = fs.readFileSync(path.join(this.dir, 'cpu.max'), 'utf8').trim().split(/\s+/);
      } catch {
        // No cpu controller here: the write says so.
      }
      if ((c.quota ?? 0) !== 0) quota = (c.quota as number) < 0 ? 'max' : String(c.quota);
      if ((c.period ?? 0) !== 0) period = String(c.period);
      must('cpu.max', `${quota} ${period}`);
      out.cpuQuota = quota === 'max' ? -1 : Number(quota);
      out.cpuPeriod = Number(period);
    }
    if ((c.cpus ?? '') !== '') must('cpuset.cpus', c.cpus as string);
    if ((c.mems ?? '') !== '') must('cpuset.mems', c.mems as string);
    return out;
  }

  private writeOrSay(file: string, value: string): void {
    const why = this.write(file, value);
    if (why !== null) this.debug(`host cgroup: ${why}`);
  }

  /** The cgroup recorded in state.json, to remove or update. */
  static at(dir: string, debug: (msg: string) => void): HostCgroup {
    return new HostCgroup(dir, debug);
  }

  /**
   * Removes the cgroup once its processes are gone (they leave it as they
   * exit, a moment after the sandbox is reaped: EBUSY is retried for up
   * to REMOVE_WAIT_MS). Returns why it could not, or null.
   */
  async remove(): Promise<string | null> {
    const until = Date.now() + REMOVE_WAIT_MS;
    for (;;) {
      try {
        fs.rmdirSync(this.dir);
        return null;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return null;
        if (code !== 'EBUSY' || Date.now() > until) return `cannot remove the host cgroup ${this.dir} (${errText(e)})`;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Starts the sandbox (start forks it) in the host cgroup the spec names,
 * when there is one to be had: this process moves itself into the cgroup,
 * forks, and moves back, so the sandbox and everything it forks are born
 * in the cgroup (moving the sandbox's pid after the fork could miss a
 * child it had made already: the Sentry). Returns what start returned and
 * the cgroup, or null (why: a debug line). Throws ContainerError as
 * HostCgroup.create does, or when a cgroup the spec needs cannot be
 * entered; the cgroup is removed if start throws.
 */
export function startInHostCgroup<T>(spec: Spec, o: CgroupOptions, start: () => T): { started: T; cgroup: HostCgroup | null } {
  const cg = HostCgroup.create(spec, o);
  if (cg === null) return { started: start(), cgroup: null };
  const drop = () => {
    try {
      fs.rmdirSync(cg.dir);
    } catch {
      // Not empty, or gone: delete's remove() says so if it matters.
    }
  };
  const home = path.join(hierarchyRoot(), ownCgroup());
  try {
    fs.writeFileSync(path.join(cg.dir, 'cgroup.procs'), String(process.pid));
  } catch (e) {
    drop();
    const why = `cannot enter the cgroup ${cg.dir} (${errText(e)})`;
    const required = requiredByHost(spec.linux?.resources);
    if (required.length > 0) throw new ContainerError(`config.json: linux.resources.${required[0]}: only a host cgroup can enforce it, and ${why}`);
    o.debug(`host cgroup: ${why}; the sandbox runs without one`);
    return { started: start(), cgroup: null };
  }
  let started: T;
  try {
    started = start();
  } catch (e) {
    moveTo(home, o.debug);
    drop();
    throw e;
  }
  moveTo(home, o.debug);
  return { started, cgroup: cg };
}

/** Moves this process into the cgroup directory home (back from the container's). */
function moveTo(home: string, debug: (msg: string) => void): void {
  try {
    fs.writeFileSync(path.join(home, 'cgroup.procs'), String(process.pid));
  } catch (e) {
    debug(`host cgroup: cannot move back to ${home} (${errText(e)}); this process stays in the container's cgroup until it ends`);
  }
}

/** How long delete waits for the sandbox's last processes to leave its cgroup. */
const REMOVE_WAIT_MS = 5_000;
