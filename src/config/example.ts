// The config.json that `tsvisor spec` writes: runc 1.1's example spec (its
// `runc spec`, 1.1.2 and later: a read-only rootfs, `sh` on a terminal, three capabilities,
// the usual /proc, /dev, /sys mounts, masked and read-only /proc and /sys
// paths, new pid, network, ipc, uts and mount namespaces) and runc's
// rootless variant of it. The text is byte for byte what runc 1.1 writes
// (test/oci-config.test.js compares it when runc is installed), so keys are
// built in the order Go's encoding/json emits the fields of runtime-spec's
// structs, and ociVersion is the "1.0.2-dev" that runc 1.1 carries.

import type { Linux, Mount, Spec } from './spec.js';

/** The ociVersion written: what runc 1.1.x writes (its vendored runtime-spec is 1.0.2-dev). */
export const EXAMPLE_OCI_VERSION = '1.0.2-dev';

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** runc's example spec. A fresh object each call. */
export function exampleSpec(): Spec {
  return {
    ociVersion: EXAMPLE_OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      // No "inheritable" set: runc dropped it in 1.1.2 ("do not set inheritable capabilities", the fix of
      // CVE-2022-29162), so 1.1.2 and later write none; 1.1.0 and 1.1.1 wrote one.
      capabilities: {
        bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS], ambient: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts', type: 'devpts', source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/**
 * runc's ToRootless: a user namespace instead of a network one (an
 * unprivileged user cannot configure a new network namespace's devices),
 * the caller's uid and gid mapped to root, /sys bind-mounted from the host
 * (sysfs cannot be mounted without a network namespace of one's own), no
 * uid=/gid= mount options (unmapped ids), and no cgroup resources (an
 * unprivileged user may have no cgroup to write). uid and gid: the caller's
 * effective ids, as runc takes them.
 */
export function toRootless(spec: Spec, uid: number, gid: number): Spec {
  const linux: Linux = spec.linux ?? {};
  const { uidMappings: _u, gidMappings: _g, resources: _r, namespaces, ...rest } = linux;
  const mounts = (spec.mounts ?? []).map((m): Mount => {
    if (cleanPath(m.destination) === '/sys') {
      return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
    }
    if (m.options === undefined) return m;
    const options = m.options.filter((o) => !o.startsWith('gid=') && !o.startsWith('uid='));
    // Go's omitempty leaves out an options list that became empty.
    const { options: _o, ...withoutOptions } = m;
    return options.length > 0 ? { ...m, options } : withoutOptions;
  });
  return {
    ...spec,
    mounts,
    // The field order of runtime-spec's Linux struct: mappings first.
    linux: {
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
      namespaces: [...(namespaces ?? []).filter((n) => n.type !== 'network' && n.type !== 'user'), { type: 'user' }],
      ...rest,
    },
  };
}

/** Go's filepath.Clean for the cases a mount destination has: repeated and trailing slashes, "." and "..". */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (p.startsWith('/') ? '/' : '') + out.join('/');
}

/** The text runc writes: Go's json.MarshalIndent with a tab, no final newline, <>& escaped as Go escapes them. */
export function specText(spec: Spec): string {
  return JSON.stringify(spec, null, '\t').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
