// Mount propagation (Linux's fs/pnode.c, Documentation/filesystems/
// sharedsubtree.rst; gVisor vfs/propagation.go): peer groups of shared
// mounts, slaves of a group, and which mounts receive a mount or an
// unmount made below another. A shared mount belongs to one PeerGroup; a
// slave has a master group it receives from; a mount may be both. Binding
// a shared mount makes a peer, copying a namespace copies the groups, and
// a mount made below a shared one is shared itself.
//
// Differs from Linux: MS_MOVE does not propagate; an unmount is refused
// (EBUSY) only for the mount named, not for a busy copy of it elsewhere;
// propagate_from: is not shown in mountinfo.

import type { Dentry } from './dentry.js';
import type { Mount } from './mount.js';

let nextGroupId = 1;

export class PeerGroup {
  readonly id = nextGroupId++;
  readonly members = new Set<Mount>();
  /** Mounts that receive from this group (their master). */
  readonly slaves = new Set<Mount>();
}

/** Makes m shared (a group of its own unless it has one). */
export function setShared(m: Mount): void {
  m.unbindable = false;
  if (m.group !== null) return;
  const g = new PeerGroup();
  g.members.add(m);
  m.group = g;
}

/** Takes m out of its peer group; when the group is left empty, its slaves go to m's master (or become private). */
function leaveGroup(m: Mount): void {
  const g = m.group;
  if (g === null) return;
  g.members.delete(m);
  m.group = null;
  if (g.members.size === 0) {
    for (const s of g.slaves) {
      s.master = m.master;
      m.master?.slaves.add(s);
    }
    g.slaves.clear();
  }
}

function leaveMaster(m: Mount): void {
  m.master?.slaves.delete(m);
  m.master = null;
}

/** MS_PRIVATE: neither sends nor receives. */
export function setPrivate(m: Mount): void {
  leaveGroup(m);
  leaveMaster(m);
  m.unbindable = false;
}

/**
 * MS_SLAVE: a shared mount with peers becomes a slave of its group; the
 * only member of a group keeps its own master (and hands its slaves to
 * it); a mount that was neither stays what it was.
 */
export function setSlave(m: Mount): void {
  m.unbindable = false;
  const g = m.group;
  if (g === null) return;
  if (g.members.size > 1) {
    leaveGroup(m);
    leaveMaster(m);
    m.master = g;
    g.slaves.add(m);
    return;
  }
  leaveGroup(m);
}

/** MS_UNBINDABLE: private, and no bind may be made of it. */
export function setUnbindable(m: Mount): void {
  setPrivate(m);
  m.unbindable = true;
}

/**
 * A bind of src (or a namespace's copy of it) takes src's propagation: a
 * peer of a shared mount, a slave of the same master.
 */
export function cloneKind(src: Mount, copy: Mount): void {
  if (src.group !== null) {
    src.group.members.add(copy);
    copy.group = src.group;
  }
  if (src.master !== null) {
    src.master.slaves.add(copy);
    copy.master = src.master;
  }
  copy.unbindable = src.unbindable;
}

/** Before a mount is dropped: it no longer sends or receives. */
export function forget(m: Mount): void {
  leaveGroup(m);
  leaveMaster(m);
}

/** One mount that receives an event of another, and the kind its copy takes. */
export interface Receiver {
  mount: Mount;
  /** The group the copy joins (its peers' copies share it), or null. */
  group: PeerGroup | null;
  /** The group the copy is a slave of, or null. */
  master: PeerGroup | null;
}

/**
 * The mounts that receive what happens below p, with the groups each copy
 * of `made` (a new mount below p, shared because p is) is to have: peers
 * of p get peers of it; slaves get slaves of their master's copy, shared
 * among their own peers where they are shared too. Empty when p is not
 * shared (a slave only receives).
 */
export function receivers(p: Mount, made: PeerGroup | null): Receiver[] {
  const out: Receiver[] = [];
  if (p.group === null) return out;
  const seen = new Set<PeerGroup>();
  // Groups to visit, each with the group its members' copies join and the one they are slaves of.
  const todo: { g: PeerGroup; copyGroup: PeerGroup | null; master: PeerGroup | null; skip: Mount | null }[] =
    [{ g: p.group, copyGroup: made, master: null, skip: p }];
  while (todo.length > 0) {
    const { g, copyGroup, master, skip } = todo.shift() as (typeof todo)[number];
    if (seen.has(g)) continue;
    seen.add(g);
    for (const m of g.members) if (m !== skip) out.push({ mount: m, group: copyGroup, master });
    for (const s of g.slaves) {
      if (s.group !== null) {
        // A shared slave: its whole group receives, as peers of a new group of copies.
        if (!seen.has(s.group)) todo.push({ g: s.group, copyGroup: new PeerGroup(), master: copyGroup, skip: null });
      } else {
        out.push({ mount: s, group: null, master: copyGroup });
      }
    }
  }
  return out;
}

/** The file system path of d (a dentry of m): what a peer or slave of m with the same file system finds it by. */
export function fsPathOf(m: Mount, d: Dentry): string {
  const rel = d.pathFrom(m.root).path;
  if (rel === '/') return m.fsRootPath;
  return m.fsRootPath === '/' ? rel : m.fsRootPath + rel;
}

/** The components of fsPath below q's root, or null when q's root does not hold it (a bind of another directory). */
export function componentsIn(q: Mount, fsPath: string): string[] | null {
  const root = q.fsRootPath;
  if (fsPath === root) return [];
  const prefix = root === '/' ? '/' : root + '/';
  if (!fsPath.startsWith(prefix)) return null;
  return fsPath.slice(prefix.length).split('/').filter((c) => c.length > 0);
}
