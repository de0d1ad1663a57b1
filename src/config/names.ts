// The names an OCI config.json may use, as tsvisor knows them: Linux
// capabilities and resource limits with their numbers, namespace types, hook
// names, and the seccomp and mount-option vocabularies. The schema
// (spec.ts), the semantic checks (validate.ts) and `tsvisor features` all
// read these lists, so what is accepted and what is advertised cannot drift.
//
// Differs from runc: runc 1.1 maps no "time" namespace (1.2 does); here it
// is a valid type, as in the runtime spec since v1.1.0. Capabilities and
// rlimits are those of Linux 6.x on x86-64 (runc asks libcap at run time and
// warns about unknown capability names; tsvisor's kernel is its own, so the
// list is fixed here and an unknown name is an error).

/** Linux capabilities in number order (include/uapi/linux/capability.h): CAPABILITIES[n] is capability n. */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;
export type CapabilityName = typeof CAPABILITIES[number];

/** The capability's number, or -1 for a name Linux does not have. */
export function capabilityNumber(name: string): number {
  return (CAPABILITIES as readonly string[]).indexOf(name);
}

/** Resource limits in number order (asm-generic/resource.h): RLIMITS[n] is resource n. */
export const RLIMITS = [
  'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
  'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS', 'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
] as const;
export type RlimitName = typeof RLIMITS[number];

/** The resource's number, or -1 for a name Linux does not have. */
export function rlimitNumber(name: string): number {
  return (RLIMITS as readonly string[]).indexOf(name);
}

/** linux.namespaces[].type values (runtime spec v1.1.0 and later). */
export const NAMESPACE_TYPES = ['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export type NamespaceType = typeof NAMESPACE_TYPES[number];

/** hooks.* in the order the runtime runs them. prestart is deprecated by the spec but still run by runc. */
export const HOOK_NAMES = [
  'prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop',
] as const;
export type HookName = typeof HOOK_NAMES[number];

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
export const SECCOMP_ARCHS = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
] as const;
export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;

/**
 * Mount options that the Sentry's VFS can carry out (src/vfs/mount.ts has a
 * per-mount flag, a propagation type or a bind for each), so the boot loader
 * will turn each into a flag rather than hand it to the file system as data.
 * runc also knows acl, sync, dirsync, mand, iversion, lazytime, silent and
 * their negations (super-block flags no tsvisor file system implements),
 * remount, tmpcopyup and the recursive r* attributes of mount_setattr(2);
 * those are left out until the VFS can honour them.
 */
export const MOUNT_OPTIONS = [
  'atime', 'bind', 'defaults', 'dev', 'diratime', 'exec', 'noatime', 'nodev', 'nodiratime', 'noexec', 'norelatime',
  'nostrictatime', 'nosuid', 'nosymfollow', 'private', 'rbind', 'relatime', 'ro', 'rprivate', 'rshared', 'rslave',
  'runbindable', 'rw', 'shared', 'slave', 'strictatime', 'suid', 'symfollow', 'unbindable',
] as const;
