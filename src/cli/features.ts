// `tsvisor features`: what tsvisor supports, as `runc features` prints it
// (the runtime spec's features document, v1.2.0's features-schema.json),
// JSON with a four-space indent and a final newline as Go's json.Encoder
// writes it.
//
// Truthful to the config model of src/config: an entry is listed when
// tsvisor honours it or will honour it once the boot loader applies
// config.json (issue 7, in progress). Today nothing is applied yet; every
// listed entry below is marked with how it is, or is planned to be, honoured.
// What no plan covers is false or left out.

import type { Command } from 'commander';
import {
  CAPABILITIES, HOOK_NAMES, MOUNT_OPTIONS, SECCOMP_ACTIONS, SECCOMP_FLAGS, SECCOMP_OPERATORS, type NamespaceType,
} from '../config/names.js';

/** The features document. */
export function featuresDocument(): Record<string, unknown> {
  // Planned: the Sentry's own namespaces. mount, pid, ipc and uts are kernel objects of the Sentry (the
  // sandbox always has new ones, as under runsc); network is the host network namespace the launcher makes or
  // joins (DESIGN.md, "Networking"); user is the kernel's credentials with the spec's id mappings. cgroup and
  // time are valid in config.json but not listed: the Sentry has no cgroup namespace, and CLONE_NEWTIME is ENOSYS.
  const namespaces: NamespaceType[] = ['ipc', 'mount', 'network', 'pid', 'user', 'uts'];
  return {
    ociVersionMin: '1.0.0',
    // The config model is runtime spec v1.2.0's (whose config schema is v1.1.0's).
    ociVersionMax: '1.2.0',
    // Honoured: run by the container lifecycle in this order (src/container/hooks.ts; docs/oci.md "Hooks" says where each runs).
    hooks: [...HOOK_NAMES],
    // Planned: the boot loader turns each into a VFS mount flag (names.ts says which runc options are left out).
    mountOptions: [...MOUNT_OPTIONS].sort(),
    linux: {
      namespaces,
      // Planned: capability sets of the Sentry's credentials (the kernel's capability work, in progress).
      capabilities: [...CAPABILITIES],
      // Honoured: linux.resources go to a host cgroup v2 (src/container/cgroup.ts) and the Sentry's own limits;
      // --systemd-cgroup names the cgroup as systemd would, but no unit is made over D-Bus, so systemd is false.
      cgroup: { v1: false, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        // Planned: the Sentry evaluates the spec's filter on every system call the application makes
        // (DESIGN.md, "The runtime around the Sentry"); seccomp(2) inside the sandbox is ENOSYS today.
        enabled: true,
        // SCMP_ACT_NOTIFY needs a listener outside the sandbox (listenerPath); not planned.
        actions: SECCOMP_ACTIONS.filter((a) => a !== 'SCMP_ACT_NOTIFY'),
        operators: [...SECCOMP_OPERATORS],
        // The Sentry serves only 64-bit system calls; 32-bit ones get ENOSYS before any filter.
        archs: ['SCMP_ARCH_X86_64'],
        knownFlags: [...SECCOMP_FLAGS],
        // None: they tune the host kernel's filter installation, which a filter in the Sentry does not do.
        supportedFlags: [],
      },
      // The application never reaches the host kernel's LSMs; profiles and labels are parsed, not applied.
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
    },
    annotations: {
      'dev.tsvisor.platform': 'ptrace',
    },
  };
}

/** Adds `features` to the program. */
export function addFeaturesCommand(program: Command): void {
  program
    .command('features')
    .description('show the enabled features (JSON, as runc features prints it)')
    .exitOverride()
    // Awaited: main's caller exits at once (exitNow), and a write to a pipe completes later.
    .action(() => new Promise<void>((done, fail) => {
      process.stdout.write(JSON.stringify(featuresDocument(), null, 4) + '\n', (e) => (e ? fail(e) : done()));
    }));
}
