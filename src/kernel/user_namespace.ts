// UserNamespace (gVisor pkg/sentry/kernel/auth.UserNamespace; Linux's
// struct user_namespace, kernel/user_namespace.c): a scope of user and
// group ids and of the capabilities that act on them. Credentials hold
// kernel ids (KUIDs and KGIDs: ids of the root namespace, which for the
// Sentry are the ids its host files have) and the namespace they act in;
// what a program sees of an id is the id translated into its namespace,
// and an id it names is translated down (make_kuid) and refused
// (EINVAL) where the namespace has no mapping for it.
//
// The root namespace maps every id to itself and is the only one without
// a parent; it is immutable, so one instance serves every kernel. A child
// namespace starts with empty maps; each map may be written once
// (/proc/PID/uid_map and gid_map, with Linux's rules: writeIdMap), up to
// MAX_EXTENTS lines. The boot loader makes the container's namespace from
// the spec's linux.uidMappings/gidMappings (`fromSpec`), as runc writes
// them to the container init's map files.
//
// Differs from Linux: no ucounts (no per-user limit on namespaces, only
// the nesting limit); no keyrings; the rules Linux applies to the opener
// of a map file (file_ns_capable) are applied to its writer, since an
// open file does not keep the credentials it was opened with here.

import type { Credentials } from './credentials.js';
import { IdMap, MAX_EXTENTS, NO_ID, OVERFLOW_ID, formatIdMapLine, parseIdMap } from './id_map.js';
import type { IdExtent } from './id_map.js';
import { CAP_SETFCAP, CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN } from '../abi/linux/capability.js';
import { EINVAL, ENOSPC, EPERM } from '../abi/linux/errno.js';

/** The inode number of the initial user namespace (/proc/PID/ns/user). */
const ROOT_INO = 4026531837;
/** Inode numbers of new namespaces: from above the initial ones (Linux allocates them from PROC_DYNAMIC_FIRST). */
let nextIno = 4026532448;
/** A map write must be shorter than this (Linux: a page). */
const MAP_WRITE_MAX = 4096;
/** Linux's nesting limit: a namespace at a level above this has no children (ENOSPC). */
const MAX_LEVEL = 32;

/** One line of an OCI spec's linux.uidMappings or gidMappings. */
export interface SpecIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export class UserNamespace {
  /** The namespace's uid map (lower ids are kernel ids). */
  private uids: IdMap;
  private gids: IdMap;
  /** USERNS_SETGROUPS_ALLOWED: cleared for good by writing "deny" to /proc/PID/setgroups. */
  private groupsAllowed: boolean;
  /** The kernel ids of the namespace's uid 0 and gid 0, or NO_ID (the root of commoncap's rules). */
  private rootKuid: number;
  private rootKgid: number;
  /** /proc/PID/ns/user's inode number. */
  readonly ino: number;

  private constructor(
    readonly parent: UserNamespace | null,
    /** The depth: 0 for the root namespace. */
    readonly level: number,
    /** The effective uid and gid (kernel ids) of the creator: the owner has every capability in it. */
    readonly owner: number,
    readonly group: number,
    /** Whether the creator had CAP_SETFCAP (verify_root_map: who may map the parent's root). */
    readonly parentCouldSetfcap: boolean,
  ) {
    const root = parent === null;
    this.uids = root ? IdMap.IDENTITY : IdMap.EMPTY;
    this.gids = root ? IdMap.IDENTITY : IdMap.EMPTY;
    this.groupsAllowed = parent === null ? true : parent.groupsAllowed;
    this.rootKuid = root ? 0 : NO_ID;
    this.rootKgid = root ? 0 : NO_ID;
    this.ino = root ? ROOT_INO : nextIno++;
  }

  /** The initial namespace: every id mapped to itself, nothing to write. */
  static readonly ROOT: UserNamespace = new UserNamespace(null, 0, 0, 0, true);

  /**
   * A new namespace under parent made by credentials c (Linux's
   * create_user_ns): -ENOSPC past the nesting limit, -EPERM when c's
   * effective ids have no mapping in parent (or c is in a chroot, which
   * the caller knows: `chrooted`). The caller then moves c into it
   * (Credentials.enterUserNamespace).
   */
  static create(c: Credentials, chrooted: boolean): UserNamespace | number {
    const parent = c.userns;
    if (parent.level > MAX_LEVEL) return -ENOSPC;
    if (chrooted) return -EPERM;
    if (parent.uidFromKuid(c.euid) === NO_ID || parent.gidFromKgid(c.egid) === NO_ID) return -EPERM;
    return new UserNamespace(parent, parent.level + 1, c.euid, c.egid, c.effective.has(CAP_SETFCAP));
  }

  /**
   * The namespace a container runs in, its maps the spec's (runc writes
   * them, as the privileged parent, to the init's uid_map and gid_map):
   * hostID is an id of parent (the Sentry's, its host's ids), containerID
   * one inside. A mapping Linux would refuse is a RangeError naming the
   * field (an overlap, a range past 2^32, more than MAX_EXTENTS lines, a
   * host id parent has no mapping for).
   */
  static fromSpec(parent: UserNamespace, owner: number, group: number, uids: readonly SpecIdMapping[], gids: readonly SpecIdMapping[]): UserNamespace {
    const ns = new UserNamespace(parent, parent.level + 1, owner, group, true);
    for (const [which, maps] of [['uidMappings', uids], ['gidMappings', gids]] as const) {
      if (maps.length === 0) continue;
      const text = maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
      if (maps.length > MAX_EXTENTS) throw new RangeError(`linux.${which}: ${maps.length} lines; Linux takes at most ${MAX_EXTENTS}`);
      const parsed = parseIdMap(text);
      if (parsed === null) throw new RangeError(`linux.${which}: the ranges overlap, are empty or pass 2^32 - 1`);
      const map = lowerToKernel(parsed, which === 'uidMappings' ? parent.uids : parent.gids);
      if (map === null) throw new RangeError(`linux.${which}: a host range has no mapping in the Sentry's namespace`);
      ns.install(which === 'uidMappings', map);
    }
    return ns;
  }

  get isRoot(): boolean {
    return this.parent === null;
  }

  /** make_kuid: the kernel id of the namespace's uid, or NO_ID ((uid_t)-1 is never mapped). */
  kuid(uid: number): number {
    if (this.parent === null) return uid === 0xffffffff ? NO_ID : uid;
    return this.uids.down(uid);
  }

  kgid(gid: number): number {
    if (this.parent === null) return gid === 0xffffffff ? NO_ID : gid;
    return this.gids.down(gid);
  }

  /** from_kuid: the namespace's uid of a kernel id, or NO_ID. */
  uidFromKuid(kuid: number): number {
    return this.parent === null ? kuid : this.uids.up(kuid);
  }

  gidFromKgid(kgid: number): number {
    return this.parent === null ? kgid : this.gids.up(kgid);
  }

  /** from_kuid_munged: the namespace's uid of a kernel id, the overflow uid (65534) if it has none. */
  mungedUid(kuid: number): number {
    if (this.parent === null) return kuid;
    const u = this.uids.up(kuid);
    return u === NO_ID ? OVERFLOW_ID : u;
  }

  mungedGid(kgid: number): number {
    if (this.parent === null) return kgid;
    const g = this.gids.up(kgid);
    return g === NO_ID ? OVERFLOW_ID : g;
  }

  /** The kernel id of the namespace's root (uid 0), or NO_ID: who commoncap treats as root. */
  get rootUid(): number {
    return this.rootKuid;
  }

  get rootGid(): number {
    return this.rootKgid;
  }

  /** Whether this namespace is ns or below it. */
  isDescendantOf(ns: UserNamespace): boolean {
    for (let n: UserNamespace | null = this; n !== null; n = n.parent) if (n === ns) return true;
    return false;
  }

  /** userns_may_setgroups: the gid map is written and setgroups was not denied. */
  get maySetgroups(): boolean {
    return !this.gids.isEmpty && this.groupsAllowed;
  }

  /** /proc/PID/setgroups's contents. */
  get setgroupsText(): string {
    return this.groupsAllowed ? 'allow\n' : 'deny\n';
  }

  /**
   * /proc/PID/uid_map (uid true) or gid_map as reader sees it (Linux's
   * uid_m_show): each extent's lower id in the reader's namespace, or in
   * the parent when the reader is in this one.
   */
  mapText(uid: boolean, reader: UserNamespace): string {
    const lowerNs = reader === this && this.parent !== null ? this.parent : reader;
    let out = '';
    for (const e of (uid ? this.uids : this.gids).shown()) {
      const lower = uid ? lowerNs.uidFromKuid(e.lowerFirst) : lowerNs.gidFromKgid(e.lowerFirst);
      out += formatIdMapLine(e.first, lower, e.count);
    }
    return out;
  }

  /**
   * A write of text at offset to this namespace's uid_map (uid true) or
   * gid_map by credentials w (Linux's proc_uid_map_write and map_write,
   * with new_idmap_permitted and verify_root_map): 0 or -errno. The writer
   * must be in this namespace or its parent; the write must be at offset 0
   * and shorter than a page (EINVAL); the map must be unwritten;
   * the writer needs CAP_SYS_ADMIN over this namespace; the text must
   * parse (EINVAL); then either the writer has CAP_SETUID (CAP_SETGID) in
   * the parent, or it maps only its own effective id, is the namespace's
   * owner, and for a gid map has denied setgroups first. Mapping the
   * parent's uid 0 also needs CAP_SETFCAP in the parent (or, writing its
   * own namespace's map, that the creator had it). Every lower range must
   * lie in one extent of the parent's map (EPERM).
   */
  writeIdMap(uid: boolean, w: Credentials, text: string, offset: number): number {
    const parent = this.parent;
    if (parent === null) return -EPERM;
    if (w.userns !== this && w.userns !== parent) return -EPERM;
    // One write of less than a page, at the start of the file.
    if (offset !== 0 || text.length >= MAP_WRITE_MAX) return -EINVAL;
    if (!(uid ? this.uids : this.gids).isEmpty) return -EPERM;
    if (!w.hasCapabilityIn(CAP_SYS_ADMIN, this)) return -EPERM;
    const parsed = parseIdMap(text);
    if (parsed === null || parsed.length === 0) return -EINVAL;
    if (!this.mayMap(uid, w, parsed)) return -EPERM;
    const map = lowerToKernel(parsed, uid ? parent.uids : parent.gids);
    if (map === null) return -EPERM;
    this.install(uid, map);
    return 0;
  }

  /** new_idmap_permitted (with verify_root_map for a uid map). */
  private mayMap(uid: boolean, w: Credentials, map: readonly IdExtent[]): boolean {
    const parent = this.parent as UserNamespace;
    if (uid && map.some((e) => e.lowerFirst === 0)) {
      const ok = w.userns === this ? this.parentCouldSetfcap : w.hasCapabilityIn(CAP_SETFCAP, parent);
      if (!ok) return false;
    }
    if (map.length === 1 && map[0].count === 1 && this.owner === w.euid) {
      const lower = map[0].lowerFirst;
      if (uid && parent.kuid(lower) === w.euid) return true;
      if (!uid && !this.groupsAllowed && parent.kgid(lower) === w.egid) return true;
    }
    return w.hasCapabilityIn(uid ? CAP_SETUID : CAP_SETGID, parent);
  }

  private install(uid: boolean, map: IdMap): void {
    if (uid) {
      this.uids = map;
      this.rootKuid = map.down(0);
    } else {
      this.gids = map;
      this.rootKgid = map.down(0);
    }
  }

  /**
   * A write to /proc/PID/setgroups (proc_setgroups_write): "allow" or
   * "deny", spaces after; EINVAL for anything else. "deny" is refused
   * (EPERM) once the gid map is written, "allow" once setgroups was
   * denied. The check that the writer has CAP_SYS_ADMIN here is made when
   * the file is opened for writing (mayOpenSetgroups).
   */
  writeSetgroups(text: string): number {
    const z = text.indexOf('\0');
    const s = z >= 0 ? text.slice(0, z) : text;
    let rest: string;
    let allow: boolean;
    if (s.startsWith('allow')) {
      allow = true;
      rest = s.slice(5);
    } else if (s.startsWith('deny')) {
      allow = false;
      rest = s.slice(4);
    } else {
      return -EINVAL;
    }
    if (!/^[ \t\n\v\f\r]*$/.test(rest)) return -EINVAL;
    if (allow) return this.groupsAllowed ? 0 : -EPERM;
    if (!this.gids.isEmpty) return -EPERM;
    this.groupsAllowed = false;
    return 0;
  }
}

/** Linux's map_write last step: each lower range, an id range of the parent, as kernel ids; null (EPERM) if one is not inside one extent of the parent's map. */
function lowerToKernel(extents: readonly IdExtent[], parentMap: IdMap): IdMap | null {
  const out: IdExtent[] = [];
  for (const e of extents) {
    const lower = parentMap.downRange(e.lowerFirst, e.count);
    if (lower === NO_ID) return null;
    out.push({ first: e.first, lowerFirst: lower, count: e.count });
  }
  return new IdMap(out);
}
