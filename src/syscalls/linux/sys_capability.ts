// Capabilities: capget(2), capset(2) (Linux's kernel/capability.c) and the
// prctl(2) options of the capability module (security/commoncap.c's
// cap_task_prctl: PR_CAPBSET_READ/DROP, PR_GET/SET_KEEPCAPS,
// PR_GET/SET_SECUREBITS, PR_CAP_AMBIENT), on the sets kept in
// kernel/credentials.ts. Checks run in Linux's order, so a call with
// several faults fails as it does on Linux.
//
// Differs from Linux: nothing reads SECBIT_EXEC_RESTRICT_FILE or
// SECBIT_EXEC_DENY_INTERACTIVE (Linux 6.14's bits for AT_EXECVE_CHECK,
// which execveat here refuses); they are kept and reported, as Linux
// keeps them for interpreters to ask.

import type { Task } from '../../kernel/task.js';
import { CapabilitySet } from '../../kernel/credentials.js';
import {
  CAP_LAST_CAP, CAP_SETPCAP, CAP_USER_DATA_SIZE, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_IS_SET,
  PR_CAP_AMBIENT_LOWER, PR_CAP_AMBIENT_RAISE, PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_GET_KEEPCAPS, PR_GET_SECUREBITS,
  PR_SET_KEEPCAPS, PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE,
  SECURE_ALL_BITS, SECURE_ALL_LOCKS, _KERNEL_CAPABILITY_VERSION, _LINUX_CAPABILITY_U32S_1, _LINUX_CAPABILITY_U32S_3,
  _LINUX_CAPABILITY_VERSION_1, _LINUX_CAPABILITY_VERSION_2, _LINUX_CAPABILITY_VERSION_3,
} from '../../abi/linux/capability.js';
import { EFAULT, EINVAL, EPERM, ESRCH, copyInStruct, copyOut } from '../support.js';

/**
 * cap_validate_magic: how many data structs the header's version takes,
 * or -EFAULT (unreadable header) or -EINVAL (an unknown version, after
 * writing the preferred one back into the header, as libcap probes it).
 */
function validateMagic(t: Task, header: number): number {
  const h = copyInStruct(t, header, 4);
  if (h === null) return -EFAULT;
  switch (h.getUint32(0, true)) {
    case _LINUX_CAPABILITY_VERSION_1:
      return _LINUX_CAPABILITY_U32S_1;
    case _LINUX_CAPABILITY_VERSION_2:
    case _LINUX_CAPABILITY_VERSION_3:
      return _LINUX_CAPABILITY_U32S_3;
    default: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, _KERNEL_CAPABILITY_VERSION, true);
      return copyOut(t, header, b) < 0 ? -EFAULT : -EINVAL;
    }
  }
}

/** The header's pid field, or null if it cannot be read. */
function headerPid(t: Task, header: number): number | null {
  const p = copyInStruct(t, header + 4, 4);
  return p === null ? null : p.getInt32(0, true);
}

/** capget(2): the effective, permitted and inheritable sets of the caller or of any task by id. */
export function sysCapget(t: Task): number {
  const header = t.regs.arg(0), data = t.regs.arg(1);
  const n = validateMagic(t, header);
  // A NULL data pointer is the version probe: 0 even for an unknown version (the header now says the right one).
  if (n < 0) return data === 0 && n === -EINVAL ? 0 : n;
  if (data === 0) return 0;
  const pid = headerPid(t, header);
  if (pid === null) return -EFAULT;
  if (pid < 0) return -EINVAL;
  const target = pid === 0 ? t : t.pidns.taskWithId(pid);
  if (target === undefined) return -ESRCH;
  const c = target.creds;
  const b = new Uint8Array(n * CAP_USER_DATA_SIZE);
  const dv = new DataView(b.buffer);
  // Version 1 gets the low halves only: an old program's get/modify/set then drops the upper capabilities.
  for (const [i, half] of [[0, 'lo'], [1, 'hi']] as const) {
    if (i >= n) break;
    dv.setUint32(i * 12, c.effective[half], true);
    dv.setUint32(i * 12 + 4, c.permitted[half], true);
    dv.setUint32(i * 12 + 8, c.inheritable[half], true);
  }
  return copyOut(t, data, b) < 0 ? -EFAULT : 0;
}

/** The upper half's capabilities that exist (CAP_LAST_U32_VALID_MASK). */
const VALID_HI = CapabilitySet.FULL.hi;

/** capset(2): the caller's own effective, permitted and inheritable sets, within commoncap's rules. */
export function sysCapset(t: Task): number {
  const header = t.regs.arg(0), data = t.regs.arg(1);
  const n = validateMagic(t, header);
  if (n < 0) return n;
  const pid = headerPid(t, header);
  if (pid === null) return -EFAULT;
  // Only the calling thread: no capabilities are set on another task since file capabilities exist.
  if (pid !== 0 && pid !== t.threadPid.vnr) return -EPERM;
  const dv = copyInStruct(t, data, n * CAP_USER_DATA_SIZE);
  if (dv === null) return -EFAULT;
  const half = (i: number, off: number) => (i < n ? dv.getUint32(i * 12 + off, true) : 0);
  const set = (off: number) => new CapabilitySet(half(0, off), half(1, off) & VALID_HI);
  const effective = set(0), permitted = set(4), inheritable = set(8);
  return capset(t, effective, permitted, inheritable);
}

/** commoncap's cap_capset: the new sets, or -EPERM. */
function capset(t: Task, effective: CapabilitySet, permitted: CapabilitySet, inheritable: CapabilitySet): number {
  const c = t.creds;
  // Without CAP_SETPCAP a new inheritable capability must be one the task holds or held as inheritable.
  if (!c.hasCapability(CAP_SETPCAP) && !inheritable.isSubsetOf(c.inheritable.union(c.permitted))) return -EPERM;
  // Never a new inheritable capability outside the bounding set.
  if (!inheritable.isSubsetOf(c.inheritable.union(c.bounding))) return -EPERM;
  if (!permitted.isSubsetOf(c.permitted)) return -EPERM;
  if (!effective.isSubsetOf(permitted)) return -EPERM;
  c.effective = effective;
  c.permitted = permitted;
  c.inheritable = inheritable;
  // Ambient capabilities that are no longer both permitted and inheritable go.
  c.ambient = c.ambient.intersect(permitted.intersect(inheritable));
  return 0;
}

/** prctl's unsigned long argument i as a capability number, or -1 if it names none (cap_valid). */
function capArg(t: Task, i: number): number {
  const r = t.regs;
  if (r.argHigh(i)) return -1;
  const v = r.argU32(i);
  return v <= CAP_LAST_CAP ? v : -1;
}

/**
 * The capability module's prctl options (cap_task_prctl): the result, or
 * null when opt is not one of them and prctl(2) handles it itself.
 */
export function capPrctl(t: Task, opt: number): number | null {
  const r = t.regs, c = t.creds;
  switch (opt) {
    case PR_CAPBSET_READ: {
      const cap = capArg(t, 1);
      if (cap < 0) return -EINVAL;
      return c.bounding.has(cap) ? 1 : 0;
    }
    case PR_CAPBSET_DROP: {
      if (!c.hasCapability(CAP_SETPCAP)) return -EPERM;
      const cap = capArg(t, 1);
      if (cap < 0) return -EINVAL;
      c.bounding = c.bounding.without(cap);
      return 0;
    }
    case PR_SET_SECUREBITS: {
      const bits = r.argU32(1);
      const old = c.securebits;
      // Every refusal is EPERM: a locked bit changed, a lock released, an unknown bit, or no CAP_SETPCAP.
      if ((((old & SECURE_ALL_LOCKS) >>> 1) & (old ^ bits)) !== 0 ||
        (old & SECURE_ALL_LOCKS & ~bits) !== 0 ||
        r.argHigh(1) || (bits & ~(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) !== 0 ||
        !c.hasCapability(CAP_SETPCAP)) return -EPERM;
      c.securebits = bits;
      return 0;
    }
    case PR_GET_SECUREBITS:
      return c.securebits;
    case PR_GET_KEEPCAPS:
      return c.keepCaps ? 1 : 0;
    case PR_SET_KEEPCAPS: {
      if (r.argHigh(1) || r.argU32(1) > 1) return -EINVAL;
      if (c.securebits & SECBIT_KEEP_CAPS_LOCKED) return -EPERM;
      c.securebits = r.argU32(1) === 1 ? c.securebits | SECBIT_KEEP_CAPS : c.securebits & ~SECBIT_KEEP_CAPS;
      return 0;
    }
    case PR_CAP_AMBIENT:
      return ambient(t);
    default:
      return null;
  }
}

/** PR_CAP_AMBIENT: IS_SET, RAISE (a capability both permitted and inheritable), LOWER, CLEAR_ALL. */
function ambient(t: Task): number {
  const r = t.regs, c = t.creds;
  const extra = (i: number) => r.arg(i) !== 0;
  if (!r.argHigh(1) && r.argU32(1) === PR_CAP_AMBIENT_CLEAR_ALL) {
    if (extra(2) || extra(3) || extra(4)) return -EINVAL;
    c.ambient = CapabilitySet.EMPTY;
    return 0;
  }
  const cap = capArg(t, 2);
  if (cap < 0 || extra(3) || extra(4)) return -EINVAL;
  const op = r.argHigh(1) ? -1 : r.argU32(1);
  switch (op) {
    case PR_CAP_AMBIENT_IS_SET:
      return c.ambient.has(cap) ? 1 : 0;
    case PR_CAP_AMBIENT_RAISE:
      if (!c.permitted.has(cap) || !c.inheritable.has(cap) || (c.securebits & SECBIT_NO_CAP_AMBIENT_RAISE) !== 0) return -EPERM;
      c.ambient = c.ambient.with(cap);
      return 0;
    case PR_CAP_AMBIENT_LOWER:
      c.ambient = c.ambient.without(cap);
      return 0;
    default:
      return -EINVAL;
  }
}
