// What an OCI container's config.json becomes for the Sentry (the parts of
// runsc's boot and specutils, and of runc's specconv and rootfs setup,
// that a kernel applies): the container's user namespace (its uid and gid
// maps); the init's credentials, capabilities, rlimits, umask and
// no_new_privs; the mount table in the spec's order; masked and read-only
// paths; sysctls; the pids and memory limits. (linux.seccomp is
// the init's first filter: loader.ts.) The description
// crosses from `create` to the sandbox process, so it is checked again
// where it arrives (the spec against its schema, validateSpec).
//
// User namespace: with a "user" entry in linux.namespaces (and no path),
// the container runs in a child of the Sentry's root user namespace whose
// maps are linux.uidMappings and gidMappings, hostID being an id of the
// Sentry's (its host's), as runc writes them to its init's uid_map and
// gid_map. process.user's ids are the namespace's. The Sentry's kernel ids
// are its host's, so a file the container makes on a writable host volume
// gets the host id the mapping gives (hostfs chowns it so, where the
// Sentry may), as the kernel does for runc; in the Sentry's own tmpfs and
// overlay it is owned by the same kernel id; a host file whose owner has
// no mapping shows as 65534. The spec's tmpfs mounts belong to the
// namespace's root (uid= and gid= options are the namespace's ids), as
// when runc mounts them from inside it.
//
// Differs from runc and runsc:
// - the Sentry serves its own devices only: /dev is its devtmpfs (the
//   spec's tmpfs at /dev, with its options), linux.devices may name only
//   those, and the device cgroup rules have nothing more to allow;
// - a bind mount of a host file is a copy made at create (the program's
//   writes stay in the sandbox, later host changes are not seen): podman's
//   /etc/hosts, /etc/hostname, /etc/resolv.conf; host directories are
//   real bind mounts (hostfs);
// - mqueue mounts are empty directories until the Sentry has that file
//   system; a cgroup mount (v1's type too, as runc mounts it on a unified
//   host) is the Sentry's cgroup2 (src/fs/cgroupfs);
// - a "user" namespace entry with a path is not joined: the container
//   runs in the Sentry's root user namespace, as without one;
// - the Sentry's /dev (devtmpfs) and its devpts keep the initial
//   namespace's root and tty group (5) as owners, so in a user namespace
//   they show as the namespace's ids for those (65534 where unmapped);
// - sysctls: kernel.hostname and kernel.domainname set the UTS names;
//   net.ipv4.ping_group_range, which podman always sends, is taken (the
//   sandbox has no inet sockets yet for it to govern); any other is
//   refused, naming it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Spec } from '../config/spec.js';
import { validateSpec } from '../config/validate.js';
import { SpecError } from '../config/errors.js';
import { ContainerIdError, validateContainerId } from '../config/id.js';
import { RLIMITS } from '../config/names.js';
import { CapabilitySet, Credentials, execCredentials } from '../kernel/credentials.js';
import { UserNamespace } from '../kernel/user_namespace.js';
import { NO_ID } from '../kernel/id_map.js';
import { capabilityFromName } from '../abi/linux/capability.js';
import {
  MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW,
  MS_RDONLY, MS_REC, MS_RELATIME, MS_STRICTATIME, MS_SYNCHRONOUS,
} from '../vfs/mount.js';
import type { Volume } from './launch.js';
import type { Logger } from '../kernel/log.js';
import type { Task } from '../kernel/task.js';
import { installFilter } from '../kernel/seccomp.js';
import { SeccompProfileError, compileSeccompProfile } from '../kernel/seccomp_profile.js';
import { BootError, HOST_BIND } from './sandbox.js';
import type { MountSpec } from './sandbox.js';

/** What the Loader runs: the container as `create` read it from its bundle. */
export interface ContainerSpec {
  id: string;
  /** config.json, validated. */
  spec: Spec;
  /** The bundle directory, absolute (relative bind sources are relative to it). */
  bundle: string;
  /** The root file system's host directory: absolute, its real path. */
  rootPath: string;
  /** Descriptors 3 to 3 + preserveFds - 1 of the sandbox are the init's too (--preserve-fds). */
  preserveFds: number;
}

/** Checks a ContainerSpec that crossed a process boundary; throws BootError naming the field. */
export function parseContainerSpec(v: unknown): ContainerSpec {
  const bad = (f: string) => new BootError(`the container description from create is malformed: ${f}`, 125);
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.id !== 'string') throw bad('id');
  try {
    validateContainerId(o.id);
  } catch (e) {
    if (e instanceof ContainerIdError) throw bad(`id: ${e.message}`);
    throw e;
  }
  if (typeof o.bundle !== 'string' || !o.bundle.startsWith('/')) throw bad('bundle');
  if (typeof o.rootPath !== 'string' || !o.rootPath.startsWith('/')) throw bad('rootPath');
  const n = o.preserveFds;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1 << 16) throw bad('preserveFds');
  let spec: Spec;
  try {
    spec = validateSpec(o.spec, 'config.json');
  } catch (e) {
    if (e instanceof SpecError) throw bad(e.message);
    throw e;
  }
  if (spec.process === undefined) throw bad('spec.process');
  return { id: o.id, spec, bundle: o.bundle, rootPath: o.rootPath, preserveFds: n };
}

function capSet(names: readonly string[] | undefined, field: string): CapabilitySet {
  const nums: number[] = [];
  for (const name of names ?? []) {
    const c = capabilityFromName(name);
    // validateSpec knows every name Linux has; one newer than the Sentry's CAP_LAST_CAP is refused here.
    if (c === undefined) throw new BootError(`config.json: process.capabilities.${field}: ${name} is not a capability tsvisor has`, 1);
    nums.push(c);
  }
  return CapabilitySet.of(nums);
}

/**
 * The container's user namespace: with a "user" entry (without a path) in
 * linux.namespaces, a child of the root namespace with the spec's maps,
 * made by the Sentry's effective ids (owner, group); else the root one.
 * A mapping Linux refuses is a BootError naming the field.
 */
export function specUserNamespace(spec: Spec, owner: number, group: number): UserNamespace {
  const linux = spec.linux;
  const entry = linux?.namespaces?.find((n) => n.type === 'user');
  if (entry === undefined || entry.path !== undefined) return UserNamespace.ROOT;
  try {
    return UserNamespace.fromSpec(UserNamespace.ROOT, owner, group, linux?.uidMappings ?? [], linux?.gidMappings ?? []);
  } catch (e) {
    if (e instanceof RangeError) throw new BootError(`config.json: ${e.message}`, 1);
    throw e;
  }
}

/**
 * The init's credentials in the container's user namespace userns: the
 * spec's user (uid, gid, additionalGids, ids of userns) with its five
 * capability sets, then what the init's execve makes of them (a root
 * process regains bounding ∪ inheritable, others keep the ambient set),
 * as runc's init sets them and then execs.
 */
export function initCredentials(spec: Spec, userns: UserNamespace): Credentials {
  return processCredentials(spec.process as NonNullable<Spec['process']>, userns);
}

/**
 * The same for any process of the container (exec's, from its
 * process.json), in the container's user namespace (Kernel.userns). An id
 * the namespace has no mapping for is a BootError, as runc's setuid,
 * setgid or setgroups fails with EINVAL there.
 */
export function processCredentials(p: NonNullable<Spec['process']>, userns: UserNamespace): Credentials {
  const uid = p.user?.uid ?? 0, gid = p.user?.gid ?? 0;
  const groups = [...new Set(p.user?.additionalGids ?? [])];
  const c = p.capabilities;
  const unmapped = (e: RangeError) => new BootError(`config.json: process.user: ${e.message} (linux.uidMappings, gidMappings)`, 1);
  // No capabilities field: runc leaves the process what its user has (root all of them).
  if (c === undefined) {
    try {
      return Credentials.of(uid, gid, groups, userns);
    } catch (e) {
      if (e instanceof RangeError) throw unmapped(e);
      throw e;
    }
  }
  let creds: Credentials;
  try {
    const permitted = capSet(c?.permitted, 'permitted'), inheritable = capSet(c?.inheritable, 'inheritable');
    creds = Credentials.withCapabilities(uid, gid, groups, {
      bounding: capSet(c?.bounding, 'bounding'),
      effective: capSet(c?.effective, 'effective'),
      permitted,
      inheritable,
      // runc raises each ambient capability with PR_CAP_AMBIENT_RAISE and
      // goes on when Linux refuses one (not both permitted and
      // inheritable): `runc spec`'s own config has three such. The same
      // capabilities stay out here.
      ambient: capSet(c?.ambient, 'ambient').intersect(permitted.intersect(inheritable)),
    }, userns);
  } catch (e) {
    if (e instanceof RangeError && e.message.includes('has no mapping')) throw unmapped(e);
    if (e instanceof RangeError) throw new BootError(`config.json: process.capabilities: ${e.message}`, 1);
    throw e;
  }
  return execCredentials(creds, p.noNewPrivileges === true).creds;
}

const RLIM_INFINITY = 0xffffffffffffffffn;

/** The init's rlimits: the sandbox's, with the spec's in their place (a value past 2^53 arrives rounded: it is unlimited). */
export function initRlimits(spec: Spec, base: readonly { cur: bigint; max: bigint }[]): { cur: bigint; max: bigint }[] {
  return processRlimits(spec.process, base);
}

/** The same for any process of the container. */
export function processRlimits(p: Spec['process'], base: readonly { cur: bigint; max: bigint }[]): { cur: bigint; max: bigint }[] {
  const out = base.map((r) => ({ ...r }));
  for (const r of p?.rlimits ?? []) {
    const i = (RLIMITS as readonly string[]).indexOf(r.type);
    if (i < 0) throw new BootError(`config.json: process.rlimits: ${r.type} is not a resource limit`, 1);
    const v = (n: number) => (n >= Number.MAX_SAFE_INTEGER ? RLIM_INFINITY : BigInt(n));
    out[i] = { cur: v(r.soft), max: v(r.hard) };
  }
  return out;
}

// mount(8)'s flag options: name -> [flags set, flags cleared].
const FLAG_OPTIONS: Record<string, [number, number]> = {
  ro: [MS_RDONLY, 0], rw: [0, MS_RDONLY],
  nosuid: [MS_NOSUID, 0], suid: [0, MS_NOSUID],
  nodev: [MS_NODEV, 0], dev: [0, MS_NODEV],
  noexec: [MS_NOEXEC, 0], exec: [0, MS_NOEXEC],
  sync: [MS_SYNCHRONOUS, 0], async: [0, MS_SYNCHRONOUS],
  dirsync: [MS_DIRSYNC, 0], mand: [MS_MANDLOCK, 0], nomand: [0, MS_MANDLOCK],
  noatime: [MS_NOATIME, 0], atime: [0, MS_NOATIME],
  nodiratime: [MS_NODIRATIME, 0], diratime: [0, MS_NODIRATIME],
  relatime: [MS_RELATIME, 0], norelatime: [0, MS_RELATIME],
  strictatime: [MS_STRICTATIME, 0], nostrictatime: [0, MS_STRICTATIME],
  nosymfollow: [MS_NOSYMFOLLOW, 0], symfollow: [0, MS_NOSYMFOLLOW],
  bind: [MS_BIND, 0], rbind: [MS_BIND | MS_REC, 0],
  // Nothing to do: the defaults, or what a fresh mount already is.
  defaults: [0, 0], remount: [0, 0], loud: [0, 0], silent: [0, 0],
};

const PROPAGATION_OPTIONS: Record<string, NonNullable<MountSpec['propagation']>> = {
  private: 'private', rprivate: 'private', shared: 'shared', rshared: 'shared',
  slave: 'slave', rslave: 'slave', unbindable: 'unbindable', runbindable: 'unbindable',
};

/** The mounts of the spec's own types, and what each is made of. */
const TYPES: Record<string, string> = {
  proc: 'proc', sysfs: 'sysfs', tmpfs: 'tmpfs', devpts: 'devpts',
  // An empty directory until the Sentry has mqueue (see the file comment).
  mqueue: 'tmpfs', cgroup: 'cgroup2', cgroup2: 'cgroup2',
};

export interface SpecMounts {
  mounts: MountSpec[];
  /** Host directories and files the bind entries need, opened before the seal. */
  volumes: Volume[];
}

/**
 * A tmpfs's options as mounted from inside userns (by its root, as runc's
 * init mounts them): uid= and gid= are the namespace's ids, as kernel ids
 * (unmapped: a BootError, Linux's EINVAL); absent, the namespace's root
 * owns the root directory (tmpfs gives it the mounter's fs ids).
 */
function tmpfsDataIn(userns: UserNamespace, data: string, field: string): string {
  if (userns.isRoot) return data;
  const opts = data === '' ? [] : data.split(',');
  const out: string[] = [];
  const own = { uid: userns.rootUid, gid: userns.rootGid };
  for (const o of opts) {
    const m = /^(uid|gid)=([0-9]+)$/.exec(o);
    if (m === null) {
      out.push(o);
      continue;
    }
    const id = Number(m[2]);
    const k = m[1] === 'uid' ? userns.kuid(id) : userns.kgid(id);
    if (k === NO_ID || id > 0xfffffffe) throw new BootError(`${field}: the option ${o}: ${m[1]} ${id} has no mapping in the user namespace`, 1);
    out.push(`${m[1]}=${k}`);
    own[m[1] as 'uid' | 'gid'] = NO_ID;
  }
  if (own.uid !== NO_ID) out.push(`uid=${own.uid}`);
  if (own.gid !== NO_ID) out.push(`gid=${own.gid}`);
  return out.join(',');
}

/**
 * The spec's mounts as the sandbox's mount table, in order, with /dev the
 * Sentry's devtmpfs (and its ptys) where the spec does not mount one, and
 * /tmp a tmpfs where the root's is empty, as runsc adds them. Tmpfs
 * options are read as mounted in the container's user namespace userns.
 * opened: the volumes a sub-container's create resolved on the host, by
 * target (its bind entries are not looked up again).
 */
export function specMounts(spec: Spec, bundle: string, userns: UserNamespace = UserNamespace.ROOT, opened?: readonly Volume[]): SpecMounts {
  const mounts: MountSpec[] = [];
  const volumes: Volume[] = [];
  const list = spec.mounts ?? [];
  const has = (d: string) => list.some((m) => path.posix.normalize(m.destination) === d);
  if (!has('/dev')) mounts.push({ target: '/dev', type: 'devtmpfs', source: 'tmpfs', flags: MS_NOSUID, data: 'mode=755' });
  if (!has('/dev/pts')) {
    mounts.push({ target: '/dev/pts', type: 'devpts', source: 'devpts', flags: MS_NOSUID | MS_NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5' });
  }
  list.forEach((m, i) => {
    const field = `config.json: mounts[${i}] (${m.destination})`;
    const target = path.posix.normalize(m.destination).replace(/\/+$/, '') || '/';
    if (target === '/') throw new BootError(`${field}: cannot mount over the root`, 1);
    let flags = 0;
    let propagation: MountSpec['propagation'];
    const data: string[] = [];
    for (const o of m.options ?? []) {
      const f = FLAG_OPTIONS[o];
      if (f !== undefined) {
        flags = (flags | f[0]) & ~f[1];
        continue;
      }
      const p = PROPAGATION_OPTIONS[o];
      if (p !== undefined) {
        propagation = p;
        continue;
      }
      if (o === 'tmpcopyup' || o === 'idmap' || o === 'ridmap' || o.startsWith('X-mount.')) {
        throw new BootError(`${field}: the option ${o} is not supported by tsvisor`, 1);
      }
      data.push(o);
    }
    const bind = (flags & MS_BIND) !== 0 || m.type === 'bind';
    if (bind) {
      if (m.source === undefined) throw new BootError(`${field}: a bind mount needs a source`, 1);
      // A sub-container's binds were resolved and opened by its create, on the host (the sandbox can reach no host path).
      if (opened !== undefined) {
        const v = opened.find((o) => o.target === target);
        if (v === undefined) throw new BootError(`${field}: no host directory or file was opened for it`, 1);
        volumes.push(v);
        mounts.push({ target, type: HOST_BIND, source: m.source, flags: flags | MS_BIND, data: '', propagation });
        return;
      }
      const host = path.resolve(bundle, m.source);
      let st: fs.Stats;
      try {
        st = fs.statSync(host);
      } catch (e) {
        throw new BootError(`${field}: the source ${host}: ${(e as Error).message}`, 1);
      }
      if (!st.isDirectory() && !st.isFile()) throw new BootError(`${field}: the source ${host} is neither a directory nor a file`, 1);
      volumes.push({ host: fs.realpathSync(host), target, readOnly: (flags & MS_RDONLY) !== 0 });
      mounts.push({ target, type: HOST_BIND, source: m.source, flags: flags | MS_BIND, data: '', propagation });
      return;
    }
    const type = m.type ?? '';
    const made = target === '/dev' && type === 'tmpfs' ? 'devtmpfs' : TYPES[type];
    if (made === undefined) throw new BootError(`${field}: mount type ${JSON.stringify(type)} is not supported by tsvisor`, 1);
    // An empty stand-in takes no options of the file system it stands for.
    const standIn = made === 'tmpfs' && type !== 'tmpfs';
    const own = standIn ? 'mode=755' : data.join(',');
    mounts.push({
      target, type: made, source: m.source ?? type, flags,
      data: made === 'tmpfs' ? tmpfsDataIn(userns, own, field) : own, propagation,
    });
  });
  if (!has('/tmp')) {
    mounts.push({
      target: '/tmp', type: 'tmpfs', source: 'tmpfs', flags: MS_NOSUID | MS_NODEV, data: tmpfsDataIn(userns, 'mode=1777', '/tmp'), ifEmpty: true,
    });
  }
  return { mounts, volumes };
}

/** The sysctls the Sentry takes from a spec: the UTS names, and ones with no effect in this sandbox. */
export function specSysctls(spec: Spec): { hostname?: string; domainname?: string } {
  const out: { hostname?: string; domainname?: string } = {};
  for (const [k, v] of Object.entries(spec.linux?.sysctl ?? {})) {
    if (k === 'kernel.hostname') out.hostname = v;
    else if (k === 'kernel.domainname') out.domainname = v;
    else if (k === 'net.ipv4.ping_group_range') continue;
    else throw new BootError(`config.json: linux.sysctl: ${k}: tsvisor cannot set it`, 1);
  }
  return out;
}

/**
 * linux.seccomp as the first filter of a container process (the init, and
 * each process exec starts), evaluated by the Sentry on every call (runc
 * loads it the same way, just before the process's execve; runsc only with
 * --oci-seccomp).
 */
export function applySpecSeccomp(init: Task, spec: Spec, log: Logger): void {
  const profile = spec.linux?.seccomp;
  if (profile === undefined) return;
  let compiled: ReturnType<typeof compileSeccompProfile>;
  try {
    compiled = compileSeccompProfile(profile);
  } catch (e) {
    if (e instanceof SeccompProfileError) throw new BootError(`config.json: ${e.message}`, 1);
    throw e;
  }
  if (compiled.unknownNames.length > 0) {
    log.warn(`linux.seccomp: system calls this kernel does not know, left out as runc leaves them: ${compiled.unknownNames.join(', ')}`);
  }
  const r = installFilter(init, compiled.program, compiled.flags);
  if (r < 0) throw new BootError(`config.json: linux.seccomp: the compiled filter cannot be installed (errno ${-r})`, 1);
}
