// seccomp(2) (include/uapi/linux/seccomp.h, audit.h): its operations,
// modes, filter flags, the actions a filter returns, and struct
// seccomp_data as a filter sees it on x86-64.

export const SECCOMP_SET_MODE_STRICT = 0, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_GET_ACTION_AVAIL = 2,
  SECCOMP_GET_NOTIF_SIZES = 3;

/** A task's mode, as PR_GET_SECCOMP and /proc/PID/status's Seccomp: line give it. */
export const SECCOMP_MODE_DISABLED = 0, SECCOMP_MODE_STRICT = 1, SECCOMP_MODE_FILTER = 2;

export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0, SECCOMP_FILTER_FLAG_LOG = 1 << 1,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2, SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

// Actions, highest precedence first (the top 16 bits, compared as a signed
// 32-bit number: the lowest wins); the low 16 bits are the action's data.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000, SECCOMP_RET_KILL_THREAD = 0x00000000,
  SECCOMP_RET_TRAP = 0x00030000, SECCOMP_RET_ERRNO = 0x00050000, SECCOMP_RET_USER_NOTIF = 0x7fc00000,
  SECCOMP_RET_TRACE = 0x7ff00000, SECCOMP_RET_LOG = 0x7ffc0000, SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000, SECCOMP_RET_DATA = 0x0000ffff;

/** struct seccomp_data: {int nr; u32 arch; u64 instruction_pointer; u64 args[6]}, 64 bytes. */
export const SECCOMP_DATA_SIZE = 64;
export const SECCOMP_DATA_NR = 0, SECCOMP_DATA_ARCH = 4, SECCOMP_DATA_IP = 8, SECCOMP_DATA_ARGS = 16;

/** sizeof(struct seccomp_notif), sizeof(struct seccomp_notif_resp), for SECCOMP_GET_NOTIF_SIZES. */
export const SECCOMP_NOTIF_SIZE = 80, SECCOMP_NOTIF_RESP_SIZE = 24;

/** si_code of a SIGSYS that a SECCOMP_RET_TRAP (or a kill) raised. */
export const SYS_SECCOMP = 1;

/** AUDIT_ARCH_X86_64 (EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE), and the 32-bit one. */
export const AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003;

/** The bit that marks an x32 system call's number. */
export const X32_SYSCALL_BIT = 0x40000000;

/**
 * Linux's MAX_INSNS_PER_PATH: 256 KiB of instructions in a task's chain of
 * filters, each filter counted as converted to eBPF, with 4 more.
 */
export const MAX_INSNS_PER_PATH = (1 << 18) / 8;
export const INSNS_PENALTY_PER_FILTER = 4;

/** MAX_ERRNO: SECCOMP_RET_ERRNO's data is clamped to it. */
export const MAX_ERRNO = 4095;
