// Credentials (gVisor pkg/sentry/kernel/auth.Credentials; Linux's struct
// cred with the capability rules of security/commoncap.c): the ids a task
// acts with, its five capability sets (permitted, inheritable, effective,
// bounding, ambient), its securebits and the user namespace it is in.
// Each task has its own (fork and clone copy them; a change by one thread
// does not reach the others, as on Linux, where glibc's set*id broadcast
// makes the threads agree).
//
// The ids are kernel ids (KUIDs and KGIDs, user_namespace.ts): the root
// namespace's, which for the Sentry are its host files' ids. A system
// call translates what it shows into the caller's namespace and what it
// is given out of it.
//
// A capability is checked against a user namespace, as Linux's
// cap_capable does: the effective set counts in the task's own namespace
// and the namespaces below it (`hasCapability` for its own, where Linux
// says ns_capable(current_user_ns(), ...); `hasCapabilityIn` for another
// one, the owner of what is acted on; `hasCapabilityInRoot` for Linux's
// capable(), the initial namespace's). A namespace's owner (the effective
// uid that made it) has every capability in it from the parent. On a file,
// a capability counts only if the file's owner and group have a mapping in
// the task's namespace (`hasCapabilityOnFile`, capable_wrt_inode_uidgid;
// `ownerOrCapable`, inode_owner_or_capable, asks for the owner only). In
// the root namespace every one of these is one shift and mask on the
// effective set: two 32-bit numbers. BigInt appears only where a set is
// printed (/proc/PID/status).
//
// The sandbox's first process gets what Linux gives a process of its uid
// (`Credentials.of`): its namespace's root (uid 0) has every capability up
// to CAP_LAST_CAP (40, CAP_CHECKPOINT_RESTORE; /proc/sys/kernel/cap_last_cap
// says the same) in permitted, effective and bounding, others none but
// the full bounding set; inheritable and ambient are empty. A boot loader
// that starts a container with the sets of an OCI spec uses
// `Credentials.withCapabilities` (and, to start the program the way runc's
// execve does, `execCredentials`). "Root" in commoncap's rules (setuid
// fix-ups, execve, access) is the namespace's uid 0.
//
// Files are reached with the fs ids (fsuid, fsgid), which follow the
// effective ids except after setfsuid(2)/setfsgid(2).
//
// Differs from Linux: no file capabilities and no set-user-ID or
// set-group-ID execution (task_exec.ts), so execve's rules are commoncap's
// for a file that has neither; no tracer can hold a capability gain back
// (the Sentry lets no program trace another), so only no_new_privs does.

import {
  CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_LAST_CAP, CAP_LINUX_IMMUTABLE,
  CAP_MAC_OVERRIDE, CAP_MKNOD, SECBIT_KEEP_CAPS, SECBIT_NO_SETUID_FIXUP, SECBIT_NOROOT,
} from '../abi/linux/capability.js';
import { UserNamespace } from './user_namespace.js';
import { NO_ID } from './id_map.js';

/**
 * A set of capabilities: bits 0-31 in lo, 32-63 in hi, as Linux's
 * kernel_cap_t keeps a u64 and capget(2) hands it out in two u32 halves.
 * Immutable, so credentials can share one set until either changes it.
 */
export class CapabilitySet {
  readonly lo: number;
  readonly hi: number;

  constructor(lo: number, hi: number) {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  static readonly EMPTY = new CapabilitySet(0, 0);
  /** Every capability this kernel knows, 0 to CAP_LAST_CAP (Linux's CAP_FULL_SET). */
  static readonly FULL = new CapabilitySet(0xffffffff, 2 ** (CAP_LAST_CAP - 31) - 1);

  /** The set of the given capability numbers (each 0..CAP_LAST_CAP; RangeError otherwise). */
  static of(caps: Iterable<number>): CapabilitySet {
    let s = CapabilitySet.EMPTY;
    for (const c of caps) {
      if (!Number.isInteger(c) || c < 0 || c > CAP_LAST_CAP) throw new RangeError(`no capability ${c}`);
      s = s.with(c);
    }
    return s;
  }

  /** Whether cap (0..63) is in the set. */
  has(cap: number): boolean {
    return cap < 32 ? ((this.lo >>> cap) & 1) === 1 : ((this.hi >>> (cap - 32)) & 1) === 1;
  }

  with(cap: number): CapabilitySet {
    return cap < 32 ? new CapabilitySet(this.lo | (1 << cap), this.hi) : new CapabilitySet(this.lo, this.hi | (1 << (cap - 32)));
  }

  without(cap: number): CapabilitySet {
    return cap < 32 ? new CapabilitySet(this.lo & ~(1 << cap), this.hi) : new CapabilitySet(this.lo, this.hi & ~(1 << (cap - 32)));
  }

  union(o: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.lo | o.lo, this.hi | o.hi);
  }

  intersect(o: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.lo & o.lo, this.hi & o.hi);
  }

  /** This set less the capabilities in o. */
  minus(o: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.lo & ~o.lo, this.hi & ~o.hi);
  }

  /** Linux's cap_issubset. */
  isSubsetOf(o: CapabilitySet): boolean {
    return ((this.lo & ~o.lo) | (this.hi & ~o.hi)) === 0;
  }

  get isEmpty(): boolean {
    return (this.lo | this.hi) === 0;
  }

  /** The 64-bit mask (for /proc/PID/status; not for hot paths). */
  toBigInt(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/**
 * The capabilities that follow the fs uid (Linux's CAP_FS_SET): a fsuid
 * change away from 0 drops them from the effective set, back to 0 raises
 * them from the permitted set.
 */
export const CAP_FS_SET = CapabilitySet.of([
  CAP_CHOWN, CAP_MKNOD, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_LINUX_IMMUTABLE,
  CAP_MAC_OVERRIDE,
]);

/** The five sets, as an OCI spec's process.capabilities gives them. */
export interface CapabilitySets {
  bounding: CapabilitySet;
  effective: CapabilitySet;
  permitted: CapabilitySet;
  inheritable: CapabilitySet;
  ambient: CapabilitySet;
}

export class Credentials {
  /** The capabilities the task may use now (capable() looks here). */
  effective = CapabilitySet.EMPTY;
  /** The limit of what the task may put in its effective set. */
  permitted = CapabilitySet.EMPTY;
  /** What an execve may keep (with a file's inheritable set, or as ambient). */
  inheritable = CapabilitySet.EMPTY;
  /** The limit of what an execve may give; only ever shrinks (PR_CAPBSET_DROP). */
  bounding = CapabilitySet.FULL;
  /** What an execve of a file without capabilities keeps (PR_CAP_AMBIENT); always a subset of permitted and inheritable both. */
  ambient = CapabilitySet.EMPTY;
  /** SECBIT_* (linux/securebits.h): SECBIT_KEEP_CAPS is prctl's keepcaps. */
  securebits = 0;
  /** The ids file permissions and new files' owners use; every set*uid/set*gid but setfsuid/setfsgid sets them to the effective ids. */
  fsuid: number;
  fsgid: number;

  /** The ids are kernel ids (KUIDs, KGIDs); userns is the namespace the task is in. */
  constructor(
    public ruid: number, public euid: number, public suid: number,
    public rgid: number, public egid: number, public sgid: number,
    public groups: number[] = [],
    public userns: UserNamespace = UserNamespace.ROOT,
  ) {
    this.fsuid = euid;
    this.fsgid = egid;
  }

  /**
   * A process of uid/gid (and groups), ids of userns, as Linux starts one
   * from a parent that is root there and changed its ids (gVisor's
   * NewUserCredentials without capabilities): uid 0 has every capability,
   * other uids none; the bounding set is full. An id without a mapping in
   * userns is a RangeError.
   */
  static of(uid: number, gid: number, groups: number[] = [], userns: UserNamespace = UserNamespace.ROOT): Credentials {
    const c = Credentials.inNamespace(uid, gid, groups, userns);
    if (uid === 0) c.permitted = c.effective = CapabilitySet.FULL;
    return c;
  }

  /** Credentials of the namespace's ids, as kernel ids, with no capabilities; RangeError naming an id without a mapping. */
  private static inNamespace(uid: number, gid: number, groups: readonly number[], userns: UserNamespace): Credentials {
    const kuid = userns.kuid(uid), kgid = userns.kgid(gid);
    if (kuid === NO_ID) throw new RangeError(`uid ${uid} has no mapping in the user namespace`);
    if (kgid === NO_ID) throw new RangeError(`gid ${gid} has no mapping in the user namespace`);
    const kgroups = groups.map((g) => {
      const k = userns.kgid(g);
      if (k === NO_ID) throw new RangeError(`additional gid ${g} has no mapping in the user namespace`);
      return k;
    });
    return new Credentials(kuid, kuid, kuid, kgid, kgid, kgid, kgroups, userns);
  }

  /**
   * A process of uid/gid with exactly the given sets (an OCI spec's
   * process.capabilities, names mapped with abi/linux/capability.ts's
   * capabilityFromName). The sets must be ones Linux can reach: effective
   * a subset of permitted and ambient of permitted and inheritable both; a RangeError says
   * which is not. They are the sets the program starts with; pass the
   * result through execCredentials first to have them transformed as by
   * the execve that runc makes after setting them.
   */
  static withCapabilities(
    uid: number, gid: number, groups: number[], sets: CapabilitySets, userns: UserNamespace = UserNamespace.ROOT,
  ): Credentials {
    if (!sets.effective.isSubsetOf(sets.permitted)) throw new RangeError('effective capabilities not in the permitted set');
    if (!sets.ambient.isSubsetOf(sets.permitted.intersect(sets.inheritable))) {
      throw new RangeError('ambient capabilities not in both the permitted and the inheritable set');
    }
    const c = Credentials.inNamespace(uid, gid, groups, userns);
    c.setCapabilities(sets);
    return c;
  }

  /** Takes the five sets of s (another Credentials is a CapabilitySets too). */
  private setCapabilities(s: CapabilitySets): void {
    this.bounding = s.bounding;
    this.effective = s.effective;
    this.permitted = s.permitted;
    this.inheritable = s.inheritable;
    this.ambient = s.ambient;
  }

  /** Linux's ns_capable(current_user_ns(), cap): cap is in the effective set (it counts in the task's own namespace). */
  hasCapability(cap: number): boolean {
    const e = this.effective;
    return cap < 32 ? ((e.lo >>> cap) & 1) === 1 : ((e.hi >>> (cap - 32)) & 1) === 1;
  }

  /**
   * Linux's ns_capable(ns, cap) (commoncap's cap_capable): in the task's
   * own namespace the effective set decides; in one below it, the task has
   * every capability if it owns that namespace or one of its ancestors
   * below the task's, else the effective set decides too; in any other
   * (an ancestor, or another branch) none.
   */
  hasCapabilityIn(cap: number, ns: UserNamespace): boolean {
    const own = this.userns;
    for (let n = ns; ;) {
      if (n === own) return this.hasCapability(cap);
      if (n.level <= own.level) return false;
      const p = n.parent as UserNamespace;
      if (p === own && n.owner === this.euid) return true;
      n = p;
    }
  }

  /** Linux's capable(cap): the capability in the initial namespace. */
  hasCapabilityInRoot(cap: number): boolean {
    return this.userns === UserNamespace.ROOT ? this.hasCapability(cap) : this.hasCapabilityIn(cap, UserNamespace.ROOT);
  }

  /**
   * Linux's capable_wrt_inode_uidgid: cap in the task's namespace, over a
   * file whose owner uid and gid (kernel ids) both have a mapping there.
   */
  hasCapabilityOnFile(cap: number, uid: number, gid: number): boolean {
    if (!this.hasCapability(cap)) return false;
    const ns = this.userns;
    return ns.parent === null || (ns.uidFromKuid(uid) !== NO_ID && ns.gidFromKgid(gid) !== NO_ID);
  }

  /** Linux's inode_owner_or_capable: the fs uid owns the file, or CAP_FOWNER over an owner with a mapping in the task's namespace. */
  ownerOrCapable(uid: number): boolean {
    if (this.fsuid === uid) return true;
    const ns = this.userns;
    return this.hasCapability(CAP_FOWNER) && (ns.parent === null || ns.uidFromKuid(uid) !== NO_ID);
  }

  /** The real uid as the task's own namespace shows it (from_kuid_munged): getuid's answer, and the si_uid of what it sends. */
  get nsRuid(): number {
    return this.userns.mungedUid(this.ruid);
  }

  /**
   * Moves these credentials into ns, just made by them (Linux's
   * set_cred_user_ns): every capability in it, nothing inheritable or
   * ambient, the default securebits.
   */
  enterUserNamespace(ns: UserNamespace): void {
    this.userns = ns;
    this.securebits = 0;
    this.inheritable = CapabilitySet.EMPTY;
    this.ambient = CapabilitySet.EMPTY;
    this.permitted = this.effective = this.bounding = CapabilitySet.FULL;
  }

  /** A copy without cap in any of its five sets (runsc strips CAP_NET_RAW so without --net-raw). */
  withoutCapability(cap: number): Credentials {
    const c = this.clone();
    c.setCapabilities({
      bounding: c.bounding.without(cap), effective: c.effective.without(cap), permitted: c.permitted.without(cap),
      inheritable: c.inheritable.without(cap), ambient: c.ambient.without(cap),
    });
    return c;
  }

  get keepCaps(): boolean {
    return (this.securebits & SECBIT_KEEP_CAPS) !== 0;
  }

  clone(): Credentials {
    const c = new Credentials(this.ruid, this.euid, this.suid, this.rgid, this.egid, this.sgid, [...this.groups], this.userns);
    c.setCapabilities(this);
    c.securebits = this.securebits;
    c.fsuid = this.fsuid;
    c.fsgid = this.fsgid;
    return c;
  }

  /**
   * The capability fix-up after setuid/setreuid/setresuid changed the uids
   * from old (commoncap's cap_task_fix_setuid with cap_emulate_setxuid),
   * unless SECBIT_NO_SETUID_FIXUP: leaving uid 0 (the namespace's) in all
   * of real, effective and saved clears permitted and effective (keepcaps
   * keeps permitted) and always ambient; effective uid 0 -> other clears
   * effective; other -> 0 makes effective the permitted set.
   */
  fixSetuid(oldRuid: number, oldEuid: number, oldSuid: number): void {
    if (this.securebits & SECBIT_NO_SETUID_FIXUP) return;
    const root = this.userns.rootUid;
    if ((oldRuid === root || oldEuid === root || oldSuid === root) && this.ruid !== root && this.euid !== root && this.suid !== root) {
      if (!this.keepCaps) {
        this.permitted = CapabilitySet.EMPTY;
        this.effective = CapabilitySet.EMPTY;
      }
      // Programs written before ambient capabilities expect setresuid to non-root and execve to drop everything.
      this.ambient = CapabilitySet.EMPTY;
    }
    if (oldEuid === root && this.euid !== root) this.effective = CapabilitySet.EMPTY;
    if (oldEuid !== root && this.euid === root) this.effective = this.permitted;
  }

  /**
   * The fix-up after setfsuid(2) changed the fs uid from oldFsuid (the
   * LSM_SETID_FS case), unless SECBIT_NO_SETUID_FIXUP: away from 0 the
   * file system capabilities (CAP_FS_SET) leave the effective set, back
   * to 0 they return from the permitted set.
   */
  fixSetfsuid(oldFsuid: number): void {
    if (this.securebits & SECBIT_NO_SETUID_FIXUP) return;
    const root = this.userns.rootUid;
    if (oldFsuid === root && this.fsuid !== root) this.effective = this.effective.minus(CAP_FS_SET);
    if (oldFsuid !== root && this.fsuid === root) this.effective = this.effective.union(this.permitted.intersect(CAP_FS_SET));
  }

  /**
   * access(2)'s credentials (Linux's access_override_creds): the real ids
   * as fs ids; unless SECBIT_NO_SETUID_FIXUP, a non-root real uid has no
   * effective capabilities and root's are its permitted set.
   */
  forAccess(): Credentials {
    const c = this.clone();
    c.fsuid = this.ruid;
    c.fsgid = this.rgid;
    if (!(this.securebits & SECBIT_NO_SETUID_FIXUP)) c.effective = this.ruid === this.userns.rootUid ? this.permitted : CapabilitySet.EMPTY;
    return c;
  }
}

/** What an execve makes of a task's credentials, and whether the new program runs in secure mode (AT_SECURE). */
export interface ExecCredentials {
  creds: Credentials;
  secure: boolean;
}

/**
 * The credentials after an execve of a file with no capabilities and no
 * set-id bits (commoncap's cap_bprm_creds_from_file as of Linux 6.16,
 * where only ids changed by the file count as set-id, so the ambient set
 * survives an euid that differs from the ruid): root (euid 0, or ruid 0,
 * unless SECBIT_NOROOT) gets permitted = bounding ∪ inheritable, and with
 * euid 0 effective = permitted; anyone else keeps only the ambient set,
 * as permitted and effective. A gain over the old permitted set is
 * refused under no_new_privs (permitted is intersected with the old one
 * and the effective ids fall back to the real ones). Keepcaps is cleared;
 * the saved ids become the effective ones. The program runs in secure
 * mode when its effective ids differ from the real ones, or a non-root
 * real uid gained capabilities.
 */
export function execCredentials(old: Credentials, noNewPrivs: boolean): ExecCredentials {
  const c = old.clone();
  let permitted = CapabilitySet.EMPTY;
  let effective = false;
  const root = old.userns.rootUid;
  if (!(old.securebits & SECBIT_NOROOT)) {
    if (old.euid === root || old.ruid === root) permitted = old.bounding.union(old.inheritable);
    if (old.euid === root) effective = true;
  }
  if (!permitted.isSubsetOf(old.permitted) && noNewPrivs) {
    c.euid = old.ruid;
    c.egid = old.rgid;
    permitted = permitted.intersect(old.permitted);
  }
  c.suid = c.fsuid = c.euid;
  c.sgid = c.fsgid = c.egid;
  permitted = permitted.union(old.ambient);
  c.permitted = permitted;
  c.effective = effective ? permitted : old.ambient;
  c.securebits &= ~SECBIT_KEEP_CAPS;
  const secure = c.euid !== old.ruid || c.egid !== old.rgid ||
    (c.ruid !== root && (effective || !c.permitted.isSubsetOf(c.ambient)));
  return { creds: c, secure };
}
