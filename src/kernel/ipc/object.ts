// What every SysV IPC object shares (Linux ipc/util.c, gVisor
// pkg/sentry/kernel/ipc): its ipc_perm (key, owner, creator, mode, sequence
// number), the Registry of one kind of object in one IPC namespace (ids and
// keys), the permission check ipcperms and the owner-or-admin check of
// IPC_SET/IPC_RMID, and the struct ipc64_perm layout.
//
// Ids are Linux's: the object's index in the registry (the lowest free one)
// plus its sequence number times IPCMNI (32768), the sequence advancing
// whenever an index at or below the last one given is reused, so a fresh
// namespace hands out the same ids as a fresh Linux one.
//
// Differs from Linux: no LSM hooks, no audit, no CHECKPOINT_RESTORE
// next_id sysctls.

import type { Credentials } from '../credentials.js';
import type { Kernel } from '../kernel.js';
import type { UserNamespace } from '../user_namespace.js';
import { NO_ID } from '../id_map.js';
import { CAP_IPC_OWNER, CAP_SYS_ADMIN } from '../../abi/linux/capability.js';
import { EACCES, EEXIST, EINVAL, ENOENT, ENOSPC } from '../../abi/linux/errno.js';

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000, IPC_EXCL = 0o2000, IPC_NOWAIT = 0o4000;
export const IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_INFO = 3;
/** The most objects of one kind in a namespace (Linux's IPCMNI without ipcmni_extend). */
export const IPCMNI = 32768;
const SEQ_SHIFT = 15;
const SEQ_MAX = 2 ** 31 / IPCMNI;
/** S_IRWXUGO. */
export const MODE_BITS = 0o777;
/** sizeof(struct ipc64_perm) on x86-64. */
export const IPC64_PERM_SIZE = 48;

/** The realtime clock in seconds, as the objects' times keep it (ktime_get_real_seconds). */
export function ipcNow(k: Kernel): number {
  return Math.floor(k.realtimeMs() / 1000);
}

/** Linux's kern_ipc_perm: ids are kernel ids. */
export class IPCPerm {
  id = -1;
  seq = 0;
  /** The registry index (id % IPCMNI). */
  idx = -1;
  uid: number;
  gid: number;
  readonly cuid: number;
  readonly cgid: number;
  /** S_IRWXUGO and the object's own flags (SHM_DEST, SHM_LOCKED). */
  mode: number;
  /** Set once the object is gone: calls holding it fail (Linux's ipc_valid_object). */
  deleted = false;

  constructor(public key: number, creds: Credentials, mode: number) {
    this.uid = this.cuid = creds.euid;
    this.gid = this.cgid = creds.egid;
    this.mode = mode & MODE_BITS;
  }

  /** Writes struct ipc64_perm at off, ids as userns shows them. */
  write(d: DataView, off: number, userns: UserNamespace): void {
    d.setInt32(off, this.key, true);
    d.setUint32(off + 4, userns.mungedUid(this.uid), true);
    d.setUint32(off + 8, userns.mungedGid(this.gid), true);
    d.setUint32(off + 12, userns.mungedUid(this.cuid), true);
    d.setUint32(off + 16, userns.mungedGid(this.cgid), true);
    d.setUint32(off + 20, this.mode, true);
    d.setUint16(off + 24, this.seq, true);
  }

  /**
   * ipc_update_perm: IPC_SET's uid, gid and permission bits from the
   * struct ipc64_perm at off, ids named in the caller's namespace; -EINVAL
   * for an id without a mapping there.
   */
  update(d: DataView, off: number, creds: Credentials): number {
    const uid = creds.userns.kuid(d.getUint32(off + 4, true));
    const gid = creds.userns.kgid(d.getUint32(off + 8, true));
    if (uid === NO_ID || gid === NO_ID) return -EINVAL;
    this.uid = uid;
    this.gid = gid;
    this.mode = (this.mode & ~MODE_BITS) | (d.getUint32(off + 20, true) & MODE_BITS);
    return 0;
  }
}

/**
 * ipcperms: whether creds may access the object as flag's permission bits
 * ask (S_IRUGO, S_IWUGO, or a get call's mode), CAP_IPC_OWNER in the
 * namespace's user namespace overriding.
 */
export function ipcPermits(creds: Credentials, p: IPCPerm, flag: number, userns: UserNamespace): boolean {
  const requested = ((flag >> 6) | (flag >> 3) | flag) & 0o7;
  let granted = p.mode;
  if (creds.euid === p.cuid || creds.euid === p.uid) granted >>= 6;
  else if (inGroup(creds, p.cgid) || inGroup(creds, p.gid)) granted >>= 3;
  return (requested & ~granted & 0o7) === 0 || creds.hasCapabilityIn(CAP_IPC_OWNER, userns);
}

function inGroup(creds: Credentials, gid: number): boolean {
  return creds.fsgid === gid || creds.groups.includes(gid);
}

/** ipcctl_obtain_check's test for IPC_SET and IPC_RMID: the owner, the creator, or CAP_SYS_ADMIN. */
export function ownerOrAdmin(creds: Credentials, p: IPCPerm, userns: UserNamespace): boolean {
  return creds.euid === p.cuid || creds.euid === p.uid || creds.hasCapabilityIn(CAP_SYS_ADMIN, userns);
}

/** Linux's struct ipc_ids: the objects of one kind in one namespace. */
export class Registry<T extends { readonly perm: IPCPerm }> {
  private readonly byIdx = new Map<number, T>();
  private readonly byKey = new Map<number, T>();
  private seq = 0;
  private lastIdx = -1;

  get inUse(): number {
    return this.byIdx.size;
  }

  /** The object with this key (never IPC_PRIVATE's). */
  findByKey(key: number): T | undefined {
    return this.byKey.get(key);
  }

  /** ipc_obtain_object_check: the object of this id, its sequence number checked. */
  findById(id: number): T | undefined {
    if (id < 0) return undefined;
    const o = this.byIdx.get(id % IPCMNI);
    return o !== undefined && o.perm.id === id ? o : undefined;
  }

  /** ipc_obtain_object_idr: the object at this index (the *_STAT commands). */
  findByIndex(idx: number): T | undefined {
    return this.byIdx.get(idx);
  }

  /** ipc_get_maxidx: the highest index in use, -1 if none. */
  maxIdx(): number {
    let m = -1;
    for (const i of this.byIdx.keys()) if (i > m) m = i;
    return m;
  }

  /** ipc_addid: gives o the lowest free index and its id; -ENOSPC at limit objects. */
  add(o: T, limit: number): number {
    if (this.byIdx.size >= Math.min(limit, IPCMNI)) return -ENOSPC;
    let idx = 0;
    while (this.byIdx.has(idx)) idx++;
    if (idx <= this.lastIdx) {
      this.seq++;
      if (this.seq >= SEQ_MAX) this.seq = 0;
    }
    this.lastIdx = idx;
    const p = o.perm;
    p.idx = idx;
    p.seq = this.seq;
    p.id = this.seq * 2 ** SEQ_SHIFT + idx;
    this.byIdx.set(idx, o);
    if (p.key !== IPC_PRIVATE) this.byKey.set(p.key, o);
    return p.id;
  }

  /** ipc_set_key_private: the object is no longer found by its key (a removed segment still attached). */
  forgetKey(o: T): void {
    if (o.perm.key !== IPC_PRIVATE && this.byKey.get(o.perm.key) === o) this.byKey.delete(o.perm.key);
    o.perm.key = IPC_PRIVATE;
  }

  /** ipc_rmid: the object is gone. */
  remove(o: T): void {
    this.forgetKey(o);
    if (this.byIdx.get(o.perm.idx) === o) this.byIdx.delete(o.perm.idx);
    o.perm.deleted = true;
  }

  /** Every object, by index (the /proc/sysvipc files). */
  all(): T[] {
    return [...this.byIdx.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }
}

/**
 * ipcget: the id for a get call's key and flags. IPC_PRIVATE or an unknown
 * key with IPC_CREAT makes a new object (make); an existing key is
 * EEXIST with IPC_CREAT|IPC_EXCL, then check (the kind's more_checks, may
 * be absent) and the permission bits of flag (EACCES).
 */
export function ipcGet<T extends { readonly perm: IPCPerm }>(
  reg: Registry<T>, key: number, flag: number, creds: Credentials, userns: UserNamespace,
  make: () => number, check?: (o: T) => number,
): number {
  if (key === IPC_PRIVATE) return make();
  const o = reg.findByKey(key);
  if (o === undefined) return flag & IPC_CREAT ? make() : -ENOENT;
  if (flag & IPC_CREAT && flag & IPC_EXCL) return -EEXIST;
  const e = check?.(o) ?? 0;
  if (e < 0) return e;
  if (!ipcPermits(creds, o.perm, flag, userns)) return -EACCES;
  return o.perm.id;
}
