// Thread and process life: getpid(2), gettid(2), getppid(2), exit(2),
// exit_group(2), set_tid_address(2), set_robust_list(2),
// get_robust_list(2), arch_prctl(2), prctl(2) (the common options; the
// capability ones are sys_capability.ts's capPrctl, asked first as Linux
// asks its security module first; PR_SET_SECCOMP and PR_GET_SECCOMP are
// sys_seccomp.ts's).

import type { Task } from '../../kernel/task.js';
import { EXITED } from '../../kernel/task.js';
import { exitThread, exitThreadGroup } from '../../kernel/exit.js';
import { Reg } from '../../platform/registers.js';
import { EFAULT, EINVAL, EPERM, ESRCH, copyOut, putU64 } from '../support.js';
import { ENODEV } from '../../abi/linux/errno.js';
import { capPrctl } from './sys_capability.js';
import { prctlGetSeccomp, prctlSetSeccomp } from './sys_seccomp.js';

// Ids in the caller's own pid namespace (a task's process and threads are all in one).
export function sysGetpid(t: Task): number { return t.tg.tgidPid.vnr; }
export function sysGettid(t: Task): number { return t.threadPid.vnr; }
/** The parent's id in the caller's namespace: 0 when the parent is outside it (a namespace's init). */
export function sysGetppid(t: Task): number {
  const p = t.tg.parent;
  return p === null ? 0 : p.tgidPid.nr(t.pidns);
}

export function sysExit(t: Task): number {
  exitThread(t, t.regs.argInt(0));
  return EXITED;
}
export function sysExitGroup(t: Task): number {
  exitThreadGroup(t, t.regs.argInt(0));
  return EXITED;
}

export function sysSetTidAddress(t: Task): number {
  t.clearChildTid = t.regs.arg(0);
  return t.threadPid.vnr;
}

export function sysSetRobustList(t: Task): number {
  if (t.regs.arg(1) !== 24) return -EINVAL;
  t.robustList = t.regs.arg(0);
  t.robustListLen = 24;
  return 0;
}

export function sysGetRobustList(t: Task): number {
  const r = t.regs;
  const pid = r.argInt(0);
  if (pid !== 0 && pid !== t.threadPid.vnr) return -ESRCH;
  // Linux writes the length first, then the head.
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  putU64(dv, 0, t.robustListLen || 24);
  if (copyOut(t, r.arg(2), b) < 0) return -EFAULT;
  putU64(dv, 0, t.robustList);
  if (copyOut(t, r.arg(1), b) < 0) return -EFAULT;
  return 0;
}

const ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004,
  ARCH_GET_CPUID = 0x1011, ARCH_SET_CPUID = 0x1012;

export function sysArchPrctl(t: Task): number {
  const r = t.regs;
  const code = r.argInt(0);
  const addr = r.arg(1);
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (addr >= t.mm.maxAddr) return -EPERM;
      r.set(code === ARCH_SET_FS ? Reg.FS_BASE : Reg.GS_BASE, addr);
      t.ctx.regsDirty = true;
      return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
      const b = new Uint8Array(8);
      putU64(new DataView(b.buffer), 0, r.get(code === ARCH_GET_FS ? Reg.FS_BASE : Reg.GS_BASE));
      return copyOut(t, addr, b) < 0 ? -EFAULT : 0;
    }
    case ARCH_GET_CPUID:
      return 1;
    case ARCH_SET_CPUID:
      return -ENODEV;
    default:
      return -EINVAL;
  }
}

const PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
  PR_SET_NAME = 15, PR_GET_NAME = 16, PR_GET_SECCOMP = 21, PR_GET_TIMERSLACK = 30, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39, PR_GET_THP_DISABLE = 42,
  PR_SET_THP_DISABLE = 41, PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_VMA = 0x53564d41;
const PR_SET_SECCOMP = 22;

export function sysPrctl(t: Task): number {
  const r = t.regs;
  const opt = r.argInt(0);
  const cap = capPrctl(t, opt);
  if (cap !== null) return cap;
  const st = prctlState(t);
  switch (opt) {
    case PR_SET_NAME: {
      const s = t.mm.readCString(r.arg(1), 16);
      if (typeof s === 'number') {
        if (s !== -36) return -EFAULT;
        const b = t.mm.copyIn(r.arg(1), 15);
        if (b === null) return -EFAULT;
        t.comm = Buffer.from(b).toString('latin1');
        return 0;
      }
      t.comm = s.slice(0, 15);
      return 0;
    }
    case PR_GET_NAME: {
      const b = Buffer.alloc(16);
      b.write(t.comm.slice(0, 15), 'latin1');
      return copyOut(t, r.arg(1), b) < 0 ? -EFAULT : 0;
    }
    case PR_SET_PDEATHSIG: {
      const sig = r.argInt(1);
      if (sig < 0 || sig > 64) return -EINVAL;
      st.pdeathsig = sig;
      return 0;
    }
    case PR_GET_PDEATHSIG: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, st.pdeathsig, true);
      return copyOut(t, r.arg(1), b) < 0 ? -EFAULT : 0;
    }
    case PR_GET_DUMPABLE:
      return st.dumpable;
    case PR_SET_DUMPABLE: {
      const v = r.arg(1);
      if (v !== 0 && v !== 1) return -EINVAL;
      st.dumpable = v;
      return 0;
    }
    case PR_GET_SECCOMP:
      return prctlGetSeccomp(t);
    case PR_SET_SECCOMP:
      return prctlSetSeccomp(t, r.arg(1), r.arg(2));
    case PR_GET_TIMERSLACK:
      return 50000;
    case PR_SET_NO_NEW_PRIVS:
      if (r.arg(1) !== 1 || r.arg(2) !== 0 || r.arg(3) !== 0 || r.arg(4) !== 0) return -EINVAL;
      st.noNewPrivs = 1;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (r.arg(1) !== 0 || r.arg(2) !== 0 || r.arg(3) !== 0 || r.arg(4) !== 0) return -EINVAL;
      return st.noNewPrivs;
    case PR_GET_THP_DISABLE:
      return st.thpDisable;
    case PR_SET_THP_DISABLE:
      st.thpDisable = r.arg(1) !== 0 ? 1 : 0;
      return 0;
    case PR_SET_CHILD_SUBREAPER: {
      // A property of the process (Linux's signal->is_child_subreaper): every thread holds it; exit.ts reparents by it.
      const v = r.arg(1) !== 0 ? 1 : 0;
      for (const x of t.tg.tasks) x.prctl.subreaper = v;
      return 0;
    }
    case PR_GET_CHILD_SUBREAPER: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, st.subreaper, true);
      return copyOut(t, r.arg(1), b) < 0 ? -EFAULT : 0;
    }
    case PR_SET_VMA:
      return -EINVAL;
    default:
      return -EINVAL;
  }
}

function prctlState(t: Task): Task['prctl'] {
  return t.prctl;
}

/**
 * personality(2): the execution domain. Only PER_LINUX is supported; its
 * flag bits (ADDR_NO_RANDOMIZE and friends) are recorded and reported.
 */
export function sysPersonality(t: Task): number {
  const p = t.regs.argU32(0);
  const old = t.tg.personality;
  if (p === 0xffffffff) return old;
  if ((p & 0xff) !== 0) return -EINVAL;
  t.tg.personality = p;
  return old;
}
