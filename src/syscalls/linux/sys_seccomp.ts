// seccomp(2), and prctl(2)'s PR_SET_SECCOMP and PR_GET_SECCOMP (Linux's
// do_seccomp and prctl_set_seccomp, kernel/seccomp.c): the user-memory
// side of kernel/seccomp.ts, in Linux's order of checks: the flags, the
// struct sock_fprog (EFAULT), its length (EINVAL), the privilege (EACCES
// without no_new_privs or CAP_SYS_ADMIN), a NULL program (EINVAL), its
// instructions (EFAULT), their validation (EINVAL), the task's mode
// (EINVAL), the limits (ENOMEM), TSYNC.
//
// Differs from Linux: SECCOMP_FILTER_FLAG_NEW_LISTENER and
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV are refused with EINVAL, as a
// kernel without user notification refuses them (there is no notify fd);
// SECCOMP_GET_NOTIF_SIZES still tells the structures' sizes, as it does
// on any kernel that has the operation.

import type { Task } from '../../kernel/task.js';
import { attachFilter, capableSysAdmin, prepareFilter, SECCOMP_FILTER_FLAGS, setModeStrict } from '../../kernel/seccomp.js';
import { BPF_MAXINSNS, parseSockFilters, SOCK_FILTER_SIZE, SOCK_FPROG_SIZE } from '../../abi/linux/bpf.js';
import {
  SECCOMP_DATA_SIZE, SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES, SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT,
  SECCOMP_NOTIF_RESP_SIZE, SECCOMP_NOTIF_SIZE, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
  SECCOMP_SET_MODE_FILTER, SECCOMP_SET_MODE_STRICT,
} from '../../abi/linux/seccomp.js';
import { EACCES, EFAULT, EINVAL, EOPNOTSUPP, copyOut } from '../support.js';

/** The actions SECCOMP_GET_ACTION_AVAIL reports: all of Linux's (USER_NOTIF acts as without a listener). */
const ACTIONS = new Set<number>([
  SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF,
  SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
]);

/** seccomp(op, flags, uargs). */
export function sysSeccomp(t: Task): number {
  const r = t.regs;
  return doSeccomp(t, r.argU32(0), r.argU32(1), r.arg(2));
}

/** prctl(PR_SET_SECCOMP, mode, filter): the old interface, without flags. */
export function prctlSetSeccomp(t: Task, mode: number, filter: number): number {
  if (mode === SECCOMP_MODE_STRICT) return doSeccomp(t, SECCOMP_SET_MODE_STRICT, 0, 0);
  if (mode === SECCOMP_MODE_FILTER) return doSeccomp(t, SECCOMP_SET_MODE_FILTER, 0, filter);
  return -EINVAL;
}

/** prctl(PR_GET_SECCOMP): the mode. */
export function prctlGetSeccomp(t: Task): number {
  return t.seccompMode;
}

function doSeccomp(t: Task, op: number, flags: number, uargs: number): number {
  switch (op) {
    case SECCOMP_SET_MODE_STRICT:
      if (flags !== 0 || uargs !== 0) return -EINVAL;
      return setModeStrict(t);
    case SECCOMP_SET_MODE_FILTER:
      return setModeFilter(t, flags, uargs);
    case SECCOMP_GET_ACTION_AVAIL: {
      if (flags !== 0) return -EINVAL;
      const b = t.mm.copyIn(uargs, 4);
      if (b === null) return -EFAULT;
      const action = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
      return ACTIONS.has(action) ? 0 : -EOPNOTSUPP;
    }
    case SECCOMP_GET_NOTIF_SIZES: {
      if (flags !== 0) return -EINVAL;
      const b = new Uint8Array(6);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, SECCOMP_NOTIF_SIZE, true);
      dv.setUint16(2, SECCOMP_NOTIF_RESP_SIZE, true);
      dv.setUint16(4, SECCOMP_DATA_SIZE, true);
      return copyOut(t, uargs, b) < 0 ? -EFAULT : 0;
    }
    default:
      return -EINVAL;
  }
}

function setModeFilter(t: Task, flags: number, uargs: number): number {
  if ((flags & ~SECCOMP_FILTER_FLAGS) !== 0) return -EINVAL;
  const f = t.mm.copyIn(uargs, SOCK_FPROG_SIZE);
  if (f === null) return -EFAULT;
  const dv = new DataView(f.buffer, f.byteOffset, SOCK_FPROG_SIZE);
  const len = dv.getUint16(0, true);
  const lo = dv.getUint32(8, true), hi = dv.getUint32(12, true);
  if (len === 0 || len > BPF_MAXINSNS) return -EINVAL;
  // Without no_new_privs, a filter could make a more privileged program it execs misbehave.
  if (t.prctl.noNewPrivs === 0 && !capableSysAdmin(t)) return -EACCES;
  if (lo === 0 && hi === 0) return -EINVAL;
  if (hi >= 0x200000) return -EFAULT;
  const bytes = t.mm.copyIn(lo + hi * 2 ** 32, len * SOCK_FILTER_SIZE);
  if (bytes === null) return -EFAULT;
  const prepared = prepareFilter(parseSockFilters(bytes, len));
  if (typeof prepared === 'number') return prepared;
  return attachFilter(t, flags, prepared);
}
