// User and group ids: getuid(2) and friends, setuid(2) and friends,
// getgroups(2)/setgroups(2), and the process group and session calls
// getpgrp(2), getpgid(2), setpgid(2), getsid(2), setsid(2).
//
// Ids are the sandbox's own: changing them changes nothing on the host.
// The rules are Linux's (kernel/sys.c): "privileged" is CAP_SETUID for the
// uid calls and CAP_SETGID for the gid calls and setgroups(2), in the
// caller's user namespace, and a uid change fixes up the capability sets
// as commoncap's cap_task_fix_setuid does (Credentials.fixSetuid,
// fixSetfsuid). Every call but setfsuid(2)/setfsgid(2) sets the fs id to
// the new effective id.
//
// The credentials hold kernel ids (kernel/user_namespace.ts): what the
// get calls return is translated into the caller's namespace (an id with
// no mapping there is the overflow id, 65534), and an id a set call is
// given is translated out of it; one with no mapping is EINVAL, before
// any permission check, as in Linux. setgroups(2) also needs the
// namespace's gid map written and setgroups not denied
// (/proc/PID/setgroups).

import type { Task } from '../../kernel/task.js';
import type { UserNamespace } from '../../kernel/user_namespace.js';
import { NO_ID } from '../../kernel/id_map.js';
import { EACCES, EFAULT, EINVAL, EPERM, ESRCH, copyOut } from '../support.js';
import { CAP_SETGID, CAP_SETUID } from '../../abi/linux/capability.js';

export function sysGetuid(t: Task): number { const c = t.creds; return c.userns.mungedUid(c.ruid); }
export function sysGeteuid(t: Task): number { const c = t.creds; return c.userns.mungedUid(c.euid); }
export function sysGetgid(t: Task): number { const c = t.creds; return c.userns.mungedGid(c.rgid); }
export function sysGetegid(t: Task): number { const c = t.creds; return c.userns.mungedGid(c.egid); }

function u32s(vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return b;
}

export function sysGetresuid(t: Task): number {
  const r = t.regs, c = t.creds, ns = c.userns;
  for (const [i, v] of [[0, c.ruid], [1, c.euid], [2, c.suid]]) if (copyOut(t, r.arg(i), u32s([ns.mungedUid(v)])) < 0) return -EFAULT;
  return 0;
}
export function sysGetresgid(t: Task): number {
  const r = t.regs, c = t.creds, ns = c.userns;
  for (const [i, v] of [[0, c.rgid], [1, c.egid], [2, c.sgid]]) if (copyOut(t, r.arg(i), u32s([ns.mungedGid(v)])) < 0) return -EFAULT;
  return 0;
}

/** (uid_t)-1: "leave it as it is" to the set calls. No kernel id is ever this. */
const NO_CHANGE = 0xffffffff;

/** Whether t may set any uid (uid true) or gid: CAP_SETUID or CAP_SETGID in its namespace. */
function privileged(t: Task, uid: boolean): boolean {
  return t.creds.hasCapability(uid ? CAP_SETUID : CAP_SETGID);
}

/** The kernel id of an id argument in ns (uid true: a uid), NO_CHANGE kept; NO_ID when it has no mapping. */
function kernelId(ns: UserNamespace, uid: boolean, v: number): number {
  if (v === NO_CHANGE) return NO_CHANGE;
  return uid ? ns.kuid(v) : ns.kgid(v);
}

function setres(t: Task, uid: boolean, r0: number, e0: number, s0: number): number {
  const c = t.creds;
  const rr = kernelId(c.userns, uid, r0), ee = kernelId(c.userns, uid, e0), ss = kernelId(c.userns, uid, s0);
  if (rr === NO_ID || ee === NO_ID || ss === NO_ID) return -EINVAL;
  const [cr, ce, cs] = uid ? [c.ruid, c.euid, c.suid] : [c.rgid, c.egid, c.sgid];
  const priv = privileged(t, uid);
  const ok = (v: number) => v === NO_CHANGE || priv || v === cr || v === ce || v === cs;
  if (!ok(rr) || !ok(ee) || !ok(ss)) return -EPERM;
  const nr = rr === NO_CHANGE ? cr : rr, ne = ee === NO_CHANGE ? ce : ee, ns = ss === NO_CHANGE ? cs : ss;
  if (uid) {
    c.ruid = nr; c.euid = c.fsuid = ne; c.suid = ns;
    c.fixSetuid(cr, ce, cs);
  } else {
    c.rgid = nr; c.egid = c.fsgid = ne; c.sgid = ns;
  }
  return 0;
}

export function sysSetresuid(t: Task): number {
  const r = t.regs;
  return setres(t, true, r.argU32(0), r.argU32(1), r.argU32(2));
}
export function sysSetresgid(t: Task): number {
  const r = t.regs;
  return setres(t, false, r.argU32(0), r.argU32(1), r.argU32(2));
}

export function sysSetuid(t: Task): number {
  const c = t.creds;
  const id = c.userns.kuid(t.regs.argU32(0));
  if (id === NO_ID) return -EINVAL;
  const [or, oe, os] = [c.ruid, c.euid, c.suid];
  if (privileged(t, true)) c.ruid = c.suid = id;
  else if (id !== c.ruid && id !== c.suid) return -EPERM;
  c.euid = c.fsuid = id;
  c.fixSetuid(or, oe, os);
  return 0;
}
export function sysSetgid(t: Task): number {
  const c = t.creds;
  const id = c.userns.kgid(t.regs.argU32(0));
  if (id === NO_ID) return -EINVAL;
  if (privileged(t, false)) c.rgid = c.sgid = id;
  else if (id !== c.rgid && id !== c.sgid) return -EPERM;
  c.egid = c.fsgid = id;
  return 0;
}

function setre(t: Task, uid: boolean, r0: number, e0: number): number {
  const c = t.creds;
  const rr = kernelId(c.userns, uid, r0), ee = kernelId(c.userns, uid, e0);
  if (rr === NO_ID || ee === NO_ID) return -EINVAL;
  const [cr, ce, cs] = uid ? [c.ruid, c.euid, c.suid] : [c.rgid, c.egid, c.sgid];
  const priv = privileged(t, uid);
  if (rr !== NO_CHANGE && !priv && rr !== cr && rr !== ce) return -EPERM;
  if (ee !== NO_CHANGE && !priv && ee !== cr && ee !== ce && ee !== cs) return -EPERM;
  const nr = rr === NO_CHANGE ? cr : rr, ne = ee === NO_CHANGE ? ce : ee;
  const ns = rr !== NO_CHANGE || (ee !== NO_CHANGE && ee !== cr) ? ne : cs;
  if (uid) {
    c.ruid = nr; c.euid = c.fsuid = ne; c.suid = ns;
    c.fixSetuid(cr, ce, cs);
  } else {
    c.rgid = nr; c.egid = c.fsgid = ne; c.sgid = ns;
  }
  return 0;
}
export function sysSetreuid(t: Task): number { return setre(t, true, t.regs.argU32(0), t.regs.argU32(1)); }
export function sysSetregid(t: Task): number { return setre(t, false, t.regs.argU32(0), t.regs.argU32(1)); }

/**
 * setfsuid(2)/setfsgid(2): the old fs id (as the caller's namespace shows
 * it), always; the new one is taken if it is one of the real, effective,
 * saved or fs ids, or with CAP_SETUID (CAP_SETGID). (uid_t)-1, or an id
 * with no mapping, changes nothing: it is how a program asks.
 */
function setfs(t: Task, uid: boolean): number {
  const c = t.creds, ns = c.userns;
  const old = uid ? c.fsuid : c.fsgid;
  const shown = uid ? ns.mungedUid(old) : ns.mungedGid(old);
  const id = uid ? ns.kuid(t.regs.argU32(0)) : ns.kgid(t.regs.argU32(0));
  if (id === NO_ID || id === old) return shown;
  const own = uid ? [c.ruid, c.euid, c.suid] : [c.rgid, c.egid, c.sgid];
  if (!own.includes(id) && !privileged(t, uid)) return shown;
  if (uid) {
    c.fsuid = id;
    c.fixSetfsuid(old);
  } else {
    c.fsgid = id;
  }
  return shown;
}
export function sysSetfsuid(t: Task): number { return setfs(t, true); }
export function sysSetfsgid(t: Task): number { return setfs(t, false); }

const NGROUPS_MAX = 65536;

export function sysGetgroups(t: Task): number {
  const size = t.regs.argInt(0);
  const c = t.creds;
  const g = c.groups;
  if (size < 0) return -EINVAL;
  if (size === 0) return g.length;
  if (size < g.length) return -EINVAL;
  if (copyOut(t, t.regs.arg(1), u32s(g.map((k) => c.userns.mungedGid(k)))) < 0) return -EFAULT;
  return g.length;
}

export function sysSetgroups(t: Task): number {
  const size = t.regs.argInt(0);
  const c = t.creds;
  // may_setgroups: CAP_SETGID, and a namespace whose gid map is written and allows it.
  if (!privileged(t, false) || !c.userns.maySetgroups) return -EPERM;
  if (size < 0 || size > NGROUPS_MAX) return -EINVAL;
  const b = t.mm.copyIn(t.regs.arg(1), size * 4);
  if (b === null) return -EFAULT;
  const dv = new DataView(b.buffer);
  const g: number[] = [];
  for (let i = 0; i < size; i++) {
    const k = c.userns.kgid(dv.getUint32(i * 4, true));
    if (k === NO_ID) return -EINVAL;
    g.push(k);
  }
  // Linux keeps the list sorted (groups_sort, by kernel id), and getgroups shows it so.
  c.groups = g.sort((a, b) => a - b);
  return 0;
}

/** The process pid names in t's pid namespace (0: t), or undefined. */
function lookupTg(t: Task, pid: number): Task | undefined {
  if (pid === 0) return t;
  return t.pidns.threadGroupWithId(pid)?.leader;
}

// Process group and session ids as the caller's pid namespace shows them:
// 0 for a group or session whose leader is outside it.
export function sysGetpgrp(t: Task): number { return t.tg.pgrp.nr(t.pidns); }
export function sysGetpgid(t: Task): number {
  const pid = t.regs.argInt(0);
  if (pid < 0) return -ESRCH;
  const x = lookupTg(t, pid);
  return x === undefined ? -ESRCH : x.tg.pgrp.nr(t.pidns);
}
export function sysGetsid(t: Task): number {
  const pid = t.regs.argInt(0);
  if (pid < 0) return -ESRCH;
  const x = lookupTg(t, pid);
  return x === undefined ? -ESRCH : x.tg.session.nr(t.pidns);
}
export function sysSetpgid(t: Task): number {
  const pid = t.regs.argInt(0), pgid = t.regs.argInt(1);
  if (pgid < 0) return -EINVAL;
  const x = lookupTg(t, pid);
  if (x === undefined) return -ESRCH;
  if (x.tg.parent === t.tg) {
    // A child: in our session, and not yet past an execve.
    if (x.tg.session !== t.tg.session) return -EPERM;
    if (x.tg.execed) return -EACCES;
  } else if (x.tg !== t.tg) {
    return -ESRCH;
  }
  if (x.tg.sid === x.tg.tgid) return -EPERM; // a session leader cannot move
  const ns = t.pidns;
  let target = x.tg.tgidPid;
  if (pgid !== 0 && pgid !== x.tg.tgidPid.nr(ns)) {
    // Must join an existing group of the same session, named in the caller's namespace.
    let found = null;
    for (const o of t.kernel.pidns.tasks.values()) {
      if (o.tg.pgrp.nr(ns) === pgid && o.tg.session === x.tg.session) found = o.tg.pgrp;
    }
    if (found === null) return -EPERM;
    target = found;
  }
  x.tg.pgrp = target;
  return 0;
}
export function sysSetsid(t: Task): number {
  const tg = t.tg;
  for (const o of t.kernel.pidns.tasks.values()) if (o.tg.pgid === tg.tgid) return -EPERM;
  tg.session = tg.pgrp = tg.tgidPid;
  tg.tty = null;
  return tg.tgidPid.vnr;
}
