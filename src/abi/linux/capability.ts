// Capabilities (Linux uapi linux/capability.h, linux/securebits.h and the
// capability options of linux/prctl.h; gVisor pkg/abi/linux/capability.go):
// the capability numbers, the capget/capset header versions and the
// securebits. The numbers are ABI and never change.

export const CAP_CHOWN = 0;
export const CAP_DAC_OVERRIDE = 1;
export const CAP_DAC_READ_SEARCH = 2;
export const CAP_FOWNER = 3;
export const CAP_FSETID = 4;
export const CAP_KILL = 5;
export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETPCAP = 8;
export const CAP_LINUX_IMMUTABLE = 9;
export const CAP_NET_BIND_SERVICE = 10;
export const CAP_NET_BROADCAST = 11;
export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;
export const CAP_IPC_LOCK = 14;
export const CAP_IPC_OWNER = 15;
export const CAP_SYS_MODULE = 16;
export const CAP_SYS_RAWIO = 17;
export const CAP_SYS_CHROOT = 18;
export const CAP_SYS_PTRACE = 19;
export const CAP_SYS_PACCT = 20;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_BOOT = 22;
export const CAP_SYS_NICE = 23;
export const CAP_SYS_RESOURCE = 24;
export const CAP_SYS_TIME = 25;
export const CAP_SYS_TTY_CONFIG = 26;
export const CAP_MKNOD = 27;
export const CAP_LEASE = 28;
export const CAP_AUDIT_WRITE = 29;
export const CAP_AUDIT_CONTROL = 30;
export const CAP_SETFCAP = 31;
export const CAP_MAC_OVERRIDE = 32;
export const CAP_MAC_ADMIN = 33;
export const CAP_SYSLOG = 34;
export const CAP_WAKE_ALARM = 35;
export const CAP_BLOCK_SUSPEND = 36;
export const CAP_AUDIT_READ = 37;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;
export const CAP_CHECKPOINT_RESTORE = 40;

/** The highest capability this kernel knows (what /proc/sys/kernel/cap_last_cap says). */
export const CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE;

/** Whether cap names a capability (Linux's cap_valid). */
export function capValid(cap: number): boolean {
  return Number.isInteger(cap) && cap >= 0 && cap <= CAP_LAST_CAP;
}

/** The names OCI runtime specs use ("CAP_CHOWN"), by number. */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** The number of a capability named as an OCI spec names it ("CAP_CHOWN"); undefined for an unknown name. */
export function capabilityFromName(name: string): number | undefined {
  const i = CAPABILITY_NAMES.indexOf(name);
  return i < 0 ? undefined : i;
}

// capget(2)/capset(2) header versions and how many data structs each carries.
export const _LINUX_CAPABILITY_VERSION_1 = 0x19980330;
export const _LINUX_CAPABILITY_U32S_1 = 1;
export const _LINUX_CAPABILITY_VERSION_2 = 0x20071026;
export const _LINUX_CAPABILITY_VERSION_3 = 0x20080522;
export const _LINUX_CAPABILITY_U32S_3 = 2;
/** The version an unknown one is answered with. */
export const _KERNEL_CAPABILITY_VERSION = _LINUX_CAPABILITY_VERSION_3;
/** sizeof(struct __user_cap_data_struct): effective, permitted, inheritable, each a u32. */
export const CAP_USER_DATA_SIZE = 12;

// Securebits (linux/securebits.h): each bit has a lock bit right above it.
export const SECURE_NOROOT = 0;
export const SECURE_NO_SETUID_FIXUP = 2;
export const SECURE_KEEP_CAPS = 4;
export const SECURE_NO_CAP_AMBIENT_RAISE = 6;
/** Linux 6.14's bits for AT_EXECVE_CHECK users (interpreters ask them; the kernel only stores them). */
export const SECURE_EXEC_RESTRICT_FILE = 8;
export const SECURE_EXEC_DENY_INTERACTIVE = 10;

export const SECBIT_NOROOT = 1 << SECURE_NOROOT;
export const SECBIT_NOROOT_LOCKED = 1 << (SECURE_NOROOT + 1);
export const SECBIT_NO_SETUID_FIXUP = 1 << SECURE_NO_SETUID_FIXUP;
export const SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << (SECURE_NO_SETUID_FIXUP + 1);
export const SECBIT_KEEP_CAPS = 1 << SECURE_KEEP_CAPS;
export const SECBIT_KEEP_CAPS_LOCKED = 1 << (SECURE_KEEP_CAPS + 1);
export const SECBIT_NO_CAP_AMBIENT_RAISE = 1 << SECURE_NO_CAP_AMBIENT_RAISE;
export const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << (SECURE_NO_CAP_AMBIENT_RAISE + 1);
export const SECBIT_EXEC_RESTRICT_FILE = 1 << SECURE_EXEC_RESTRICT_FILE;
export const SECBIT_EXEC_DENY_INTERACTIVE = 1 << SECURE_EXEC_DENY_INTERACTIVE;

/** Every bit that means something (SECURE_ALL_BITS) and every lock (SECURE_ALL_LOCKS). */
export const SECURE_ALL_BITS = SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS |
  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_EXEC_RESTRICT_FILE | SECBIT_EXEC_DENY_INTERACTIVE;
export const SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;

// prctl(2) options that belong to the capability module (commoncap's cap_task_prctl).
export const PR_GET_KEEPCAPS = 7;
export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_READ = 23;
export const PR_CAPBSET_DROP = 24;
export const PR_GET_SECUREBITS = 27;
export const PR_SET_SECUREBITS = 28;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_IS_SET = 1;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_LOWER = 3;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;
