// /proc/sysvipc (Linux ipc/util.c sysvipc_proc_*, ipc/shm.c
// sysvipc_shm_proc_show) and the IPC limits of /proc/sys/kernel (Linux's
// ipc_sysctl.c): the reader's IPC namespace, its pids in the reader's pid
// namespace and its ids in the reader's user namespace.
//
// Differs from Linux: the limits may be written by a task with
// CAP_SYS_ADMIN over the namespace's user namespace (Linux lets the
// namespace's root uid write them); the pid namespace is the reader's,
// not the proc mount's.

import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { IPCNamespace } from '../../kernel/ipc/namespace.js';
import { IPCMNI } from '../../kernel/ipc/object.js';
import { CAP_SYS_ADMIN } from '../../abi/linux/capability.js';
import { EINVAL, EPERM, ERANGE } from '../../abi/linux/errno.js';
import { KernelFile, StaticDir } from './nodes.js';
import type { KernFileSystem } from './nodes.js';

const ULONG_MAX = 2n ** 64n - 1n;

function nsOf(k: Kernel, caller: Task | null): IPCNamespace {
  return caller?.ipcns ?? k.ipcns;
}

const pad = (v: number | bigint | string, w: number): string => String(v).padStart(w);

function genShm(k: Kernel, caller: Task | null): string {
  const ns = nsOf(k, caller);
  const userns = caller?.creds.userns ?? ns.userns;
  const pidns = caller?.pidns ?? k.pidns;
  let out = '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n';
  for (const s of ns.shm.objects.all()) {
    const p = s.perm;
    out += `${pad(p.key, 10)} ${pad(p.id, 10)}  ${pad(p.mode.toString(8), 4)} ${pad(s.size, 21)} ` +
      `${pad(s.cpid.nr(pidns), 5)} ${pad(s.lpid === null ? 0 : s.lpid.nr(pidns), 5)}  ${pad(s.nattch, 5)} ` +
      `${pad(userns.mungedUid(p.uid), 5)} ${pad(userns.mungedGid(p.gid), 5)} ${pad(userns.mungedUid(p.cuid), 5)} ` +
      `${pad(userns.mungedGid(p.cgid), 5)} ${pad(s.atime, 10)} ${pad(s.dtime, 10)} ${pad(s.ctime, 10)} ` +
      `${pad(s.resident * 4096, 21)} ${pad(0, 21)}\n`;
  }
  return out;
}

function genSem(k: Kernel, caller: Task | null): string {
  const ns = nsOf(k, caller);
  const userns = caller?.creds.userns ?? ns.userns;
  let out = '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n';
  for (const s of ns.sem.objects.all()) {
    const p = s.perm;
    out += `${pad(p.key, 10)} ${pad(p.id, 10)}  ${pad(p.mode.toString(8), 4)} ${pad(s.nsems, 10)} ` +
      `${pad(userns.mungedUid(p.uid), 5)} ${pad(userns.mungedGid(p.gid), 5)} ${pad(userns.mungedUid(p.cuid), 5)} ` +
      `${pad(userns.mungedGid(p.cgid), 5)} ${pad(s.otime, 10)} ${pad(s.ctime, 10)}\n`;
  }
  return out;
}

function genMsg(k: Kernel, caller: Task | null): string {
  const ns = nsOf(k, caller);
  const userns = caller?.creds.userns ?? ns.userns;
  const pidns = caller?.pidns ?? k.pidns;
  let out = '       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n';
  for (const q of ns.msg.objects.all()) {
    const p = q.perm;
    out += `${pad(p.key, 10)} ${pad(p.id, 10)}  ${pad(p.mode.toString(8), 4)}  ${pad(q.bytes, 10)} ${pad(q.messages.length, 10)} ` +
      `${pad(q.lspid?.nr(pidns) ?? 0, 5)} ${pad(q.lrpid?.nr(pidns) ?? 0, 5)} ` +
      `${pad(userns.mungedUid(p.uid), 5)} ${pad(userns.mungedGid(p.gid), 5)} ${pad(userns.mungedUid(p.cuid), 5)} ` +
      `${pad(userns.mungedGid(p.cgid), 5)} ${pad(q.stime, 10)} ${pad(q.rtime, 10)} ${pad(q.ctime, 10)}\n`;
  }
  return out;
}

/** Builds /proc/sysvipc under the proc root's fixed entries. */
export function buildSysvipc(fs: KernFileSystem): StaticDir {
  const dir = new StaticDir(fs);
  dir.children.set('shm', new KernelFile(fs, genShm));
  dir.children.set('sem', new KernelFile(fs, genSem));
  dir.children.set('msg', new KernelFile(fs, genMsg));
  return dir;
}

/** One unsigned long (proc_doulongvec_minmax), blanks around it; null if not. */
function ulongValue(data: string): bigint | null {
  const m = /^\s*(\d+)\s*$/.exec(data);
  if (m === null) return null;
  const v = BigInt(m[1]);
  return v <= ULONG_MAX ? v : null;
}

/** A limit of the caller's IPC namespace in /proc/sys/kernel. */
function limitFile(fs: KernFileSystem, get: (ns: IPCNamespace) => bigint, set: (ns: IPCNamespace, v: bigint) => number): KernelFile {
  return new KernelFile(fs, (k, c) => `${get(nsOf(k, c))}\n`, 0o644, (k, c, d) => {
    const ns = nsOf(k, c);
    if (c !== null && !c.creds.hasCapabilityIn(CAP_SYS_ADMIN, ns.userns)) return -EPERM;
    const v = ulongValue(d);
    if (v === null) return -EINVAL;
    return set(ns, v);
  });
}

/** kernel/sem: semmsl, semmns, semopm and semmni, tab-separated (proc_ipc_sem_dointvec). */
function semFile(fs: KernFileSystem): KernelFile {
  return new KernelFile(fs, (k, c) => {
    const r = nsOf(k, c).sem;
    return `${r.semmsl}\t${r.semmns}\t${r.semopm}\t${r.semmni}\n`;
  }, 0o644, (k, c, d) => {
    const ns = nsOf(k, c);
    if (c !== null && !c.creds.hasCapabilityIn(CAP_SYS_ADMIN, ns.userns)) return -EPERM;
    const parts = d.trim().split(/\s+/);
    if (parts.length === 0 || parts.length > 4 || !parts.every((p) => /^-?\d+$/.test(p))) return -EINVAL;
    const v = parts.map(Number);
    if (v.some((x) => x > 0x7fffffff || x < -0x80000000)) return -EINVAL;
    const r = ns.sem;
    const next = [r.semmsl, r.semmns, r.semopm, r.semmni];
    v.forEach((x, i) => { next[i] = x; });
    if (next[3] < 0 || next[3] > IPCMNI) return -ERANGE;
    [r.semmsl, r.semmns, r.semopm, r.semmni] = next;
    return 0;
  });
}

/** kernel/shmmax, shmall, shmmni, sem, msgmax, msgmnb and msgmni. */
export function buildIpcSysctl(fs: KernFileSystem, kernel: StaticDir): void {
  // proc_dointvec_minmax: 0 to INT_MAX (msgmni: to IPCMNI).
  const intLimit = (get: (ns: IPCNamespace) => number, set: (ns: IPCNamespace, v: number) => void, max: number): KernelFile =>
    limitFile(fs, (ns) => BigInt(get(ns)), (ns, v) => {
      if (v > BigInt(max)) return -EINVAL;
      set(ns, Number(v));
      return 0;
    });
  kernel.children.set('msgmax', intLimit((ns) => ns.msg.msgmax, (ns, v) => { ns.msg.msgmax = v; }, 0x7fffffff));
  kernel.children.set('msgmnb', intLimit((ns) => ns.msg.msgmnb, (ns, v) => { ns.msg.msgmnb = v; }, 0x7fffffff));
  kernel.children.set('msgmni', intLimit((ns) => ns.msg.msgmni, (ns, v) => { ns.msg.msgmni = v; }, IPCMNI));
  kernel.children.set('sem', semFile(fs));
  kernel.children.set('shmmax', limitFile(fs, (ns) => ns.shm.shmmax, (ns, v) => {
    ns.shm.shmmax = v;
    return 0;
  }));
  kernel.children.set('shmall', limitFile(fs, (ns) => ns.shm.shmall, (ns, v) => {
    ns.shm.shmall = v;
    return 0;
  }));
  kernel.children.set('shmmni', limitFile(fs, (ns) => BigInt(ns.shm.shmmni), (ns, v) => {
    if (v > BigInt(IPCMNI)) return -EINVAL;
    ns.shm.shmmni = Number(v);
    return 0;
  }));
}
