// inotify's watches and the events the VFS raises (gVisor
// pkg/sentry/vfs/inotify.go, Linux fs/notify/fsnotify.c and
// fs/notify/inotify/inotify_fsnotify.c). A watch ties one inotify
// instance to one file; the files with watches are found here by file
// system instance and identity (st_dev:st_ino as the file system's
// lookups report them), because hostfs makes a new inode object per
// lookup and only the pair names its file (as the locks in vfs/lock/ do).
//
// The VFS's callers raise events where the operations happen: the
// functions below are the only hooks, and each begins with one test of
// whether any watch exists in the sandbox, so a sandbox without watches
// pays one load per read, write, open and close. With watches, a file of
// a file system instance that has none costs one Map lookup more.
//
// An event on a named file goes first to the watches of its directory
// (with its name), then to the file's own, as Linux's fsnotify_parent
// does. Identical consecutive events of an instance are merged, and past
// max_queued_events an instance gets one IN_Q_OVERFLOW in place of the
// events it loses (inotify.go's queueEvent, fsnotify_add_event).
//
// Bounds: watches and instances are counted per user (max_user_watches,
// max_user_instances, charged to the instance's creator) and for the
// whole sandbox; queued events per instance (max_queued_events) and for
// the whole sandbox, so a hostile program meets ENOSPC, EMFILE or
// IN_Q_OVERFLOW and never a Sentry out of memory.
//
// Differs from Linux: IN_DELETE_SELF comes when the last name goes, even
// while the file is still open (Linux waits for the last reference to the
// dentry); a file a host changes behind the Sentry raises no events, and a
// watch on a host file that the host deletes lives until it is removed;
// xattr changes, sendfile and splice raise no events.

import type { Dentry } from '../dentry.js';
import type { FileSystem, Inode, SetAttr } from '../inode.js';
import { S_IFDIR, S_IFMT } from '../stat.js';

export const IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_CLOSE_NOWRITE = 0x10,
  IN_OPEN = 0x20, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100, IN_DELETE = 0x200,
  IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_UNMOUNT = 0x2000, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
  IN_ONLYDIR = 0x1000000, IN_DONT_FOLLOW = 0x2000000, IN_EXCL_UNLINK = 0x4000000, IN_MASK_CREATE = 0x10000000,
  IN_MASK_ADD = 0x20000000, IN_ISDIR = 0x40000000, IN_ONESHOT = 0x80000000;
export const IN_ALL_EVENTS = 0xfff;
/** What inotify_add_watch accepts as a non-empty mask (Linux's ALL_INOTIFY_BITS). */
export const ALL_INOTIFY_BITS = (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
  IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT) >>> 0;

/**
 * The limits of /proc/sys/fs/inotify (per user, or per instance for
 * queued events) and the sandbox's own bounds beneath them. Measured
 * costs (scripts/kernel-heap.js style, Node 20): a watch ~250 B with its
 * map entries, a queued event ~80 B plus its name; the sandbox bounds keep
 * them together below ~150 MB.
 */
export const inotifyLimits = {
  maxUserInstances: 128,
  /** Linux's floor for its computed default (1% of low memory); the sandbox's total is below. */
  maxUserWatches: 8192,
  maxQueuedEvents: 16384,
  sandboxInstances: 1024,
  sandboxWatches: 1 << 18,
  sandboxQueuedEvents: 1 << 18,
};

/** What the sandbox holds now. */
export const inotifyUsage = {
  instances: 0,
  watches: 0,
  queuedEvents: 0,
  instancesByUser: new Map<number, number>(),
  watchesByUser: new Map<number, number>(),
};

function chargeUser(m: Map<number, number>, uid: number, userMax: number): boolean {
  const cur = m.get(uid) ?? 0;
  if (cur >= userMax) return false;
  m.set(uid, cur + 1);
  return true;
}

function unchargeUser(m: Map<number, number>, uid: number): void {
  const cur = (m.get(uid) ?? 0) - 1;
  if (cur <= 0) m.delete(uid);
  else m.set(uid, cur);
}

/** Takes an instance for uid; false (EMFILE) past max_user_instances or the sandbox's bound. */
export function chargeInstance(uid: number): boolean {
  if (inotifyUsage.instances >= inotifyLimits.sandboxInstances) return false;
  if (!chargeUser(inotifyUsage.instancesByUser, uid, inotifyLimits.maxUserInstances)) return false;
  inotifyUsage.instances++;
  return true;
}

export function unchargeInstance(uid: number): void {
  unchargeUser(inotifyUsage.instancesByUser, uid);
  inotifyUsage.instances--;
}

/** The instance side of a watch: inotify_fd.ts's InotifyFD. */
export interface InotifyOwner {
  readonly uid: number;
  queueEvent(wd: number, mask: number, cookie: number, name: string): void;
  /** The watch went (rm_watch, IN_ONESHOT, its file's deletion, unmount): forget its wd. */
  watchGone(w: Watch): void;
}

export class Watch {
  constructor(
    readonly owner: InotifyOwner,
    readonly wd: number,
    /** Event bits and IN_ONESHOT / IN_EXCL_UNLINK, unsigned. */
    public mask: number,
    readonly target: Watches,
  ) {}
}

/** The watches of one file. */
export class Watches {
  readonly byOwner = new Map<InotifyOwner, Watch>();
  constructor(readonly fs: FileSystem, readonly key: string) {}
}

/** Files with watches, by file system instance and identity. Empty when the sandbox has no watch. */
const watched = new Map<FileSystem, Map<string, Watches>>();

function keyOf(inode: Inode): string | null {
  const st = inode.statForWalk();
  return typeof st === 'number' ? null : `${st.dev}:${st.ino}`;
}

/** The watches on inode's file, if any. */
function watchesOf(inode: Inode): Watches | undefined {
  const m = watched.get(inode.fs);
  if (m === undefined) return undefined;
  const k = keyOf(inode);
  return k === null ? undefined : m.get(k);
}

/**
 * Adds (or changes) owner's watch on inode (inotify_update_watch): the
 * watch's wd, -EEXIST for IN_MASK_CREATE on a watched file, -ENOSPC past
 * the watch bounds, -ENOENT for a file that cannot say who it is.
 */
export function addWatch(owner: InotifyOwner, inode: Inode, mask: number, nextWd: () => number): Watch | number {
  const k = keyOf(inode);
  if (k === null) return -2;
  let m = watched.get(inode.fs);
  const existing = m?.get(k)?.byOwner.get(owner);
  const bits = (mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)) >>> 0;
  if (existing !== undefined) {
    if (mask & IN_MASK_CREATE) return -17;
    existing.mask = mask & IN_MASK_ADD ? (existing.mask | bits) >>> 0 : bits;
    return existing;
  }
  if (inotifyUsage.watches >= inotifyLimits.sandboxWatches) return -28;
  if (!chargeUser(inotifyUsage.watchesByUser, owner.uid, inotifyLimits.maxUserWatches)) return -28;
  inotifyUsage.watches++;
  if (m === undefined) {
    m = new Map();
    watched.set(inode.fs, m);
  }
  let ws = m.get(k);
  if (ws === undefined) {
    ws = new Watches(inode.fs, k);
    m.set(k, ws);
  }
  const w = new Watch(owner, nextWd(), bits, ws);
  ws.byOwner.set(owner, w);
  return w;
}

/** Takes w off its file, uncharged; with `ignored` its owner hears IN_IGNORED. */
export function removeWatch(w: Watch, ignored: boolean): void {
  const ws = w.target;
  if (ws.byOwner.get(w.owner) !== w) return;
  ws.byOwner.delete(w.owner);
  if (ws.byOwner.size === 0) {
    const m = watched.get(ws.fs);
    m?.delete(ws.key);
    if (m !== undefined && m.size === 0) watched.delete(ws.fs);
  }
  unchargeUser(inotifyUsage.watchesByUser, w.owner.uid);
  inotifyUsage.watches--;
  w.owner.watchGone(w);
  if (ignored) w.owner.queueEvent(w.wd, IN_IGNORED, 0, '');
}

/** Sends an event to a file's watches (Watches.Notify, inotify_handle_inode_event). */
function deliver(ws: Watches | undefined, name: string, events: number, cookie: number, unlinked: boolean): void {
  if (ws === undefined) return;
  for (const w of [...ws.byOwner.values()]) {
    if ((w.mask & events & IN_ALL_EVENTS) === 0) continue;
    // IN_EXCL_UNLINK: no events from the open files of a name already gone.
    if (unlinked && w.mask & IN_EXCL_UNLINK) continue;
    let m = events >>> 0;
    // inotify never reported IN_ISDIR with these two (inotify_fsnotify.c).
    if (m & (IN_MOVE_SELF | IN_DELETE_SELF)) m = (m & ~IN_ISDIR) >>> 0;
    w.owner.queueEvent(w.wd, m, cookie, name);
    if (w.mask & IN_ONESHOT) removeWatch(w, true);
  }
}

function isDirInode(i: Inode): boolean {
  return (i.mode & S_IFMT) === S_IFDIR;
}

function withDir(i: Inode, mask: number): number {
  return isDirInode(i) ? (mask | IN_ISDIR) >>> 0 : mask;
}

/** An event on the file d names: to its directory's watches with its name, then to its own. */
function notifyNamed(d: Dentry, mask: number, pathEvent: boolean): void {
  const ev = withDir(d.inode, mask);
  const unlinked = pathEvent && d.dead;
  if (d.parent !== null) deliver(watchesOf(d.parent.inode), d.name, ev, 0, unlinked);
  deliver(watchesOf(d.inode), '', ev, 0, unlinked);
}

/** An event on inode itself only (fsnotify_inode). */
function notifySelf(inode: Inode, mask: number): void {
  deliver(watchesOf(inode), '', withDir(inode, mask), 0, false);
}

/** The file's deletion: IN_DELETE_SELF, then each watch goes with IN_IGNORED (fsnotify_inoderemove). */
function deleted(inode: Inode): void {
  const ws = watchesOf(inode);
  if (ws === undefined) return;
  deliver(ws, '', IN_DELETE_SELF, 0, false);
  for (const w of [...ws.byOwner.values()]) removeWatch(w, true);
}

/** Whether a file has no name left (a file that cannot be asked has gone too). */
function unnamed(inode: Inode): boolean {
  if (isDirInode(inode)) return true;
  const st = inode.stat();
  return typeof st === 'number' || st.nlink === 0;
}

// ---- the hooks ---------------------------------------------------------

/** Whether any watch exists (the one test the hot paths pay). */
export function anyWatches(): boolean {
  return watched.size !== 0;
}

/**
 * An open file was read (IN_ACCESS), written (IN_MODIFY), opened
 * (IN_OPEN) or closed (IN_CLOSE_*): fsnotify_file's events, which
 * IN_EXCL_UNLINK may exclude. O_PATH files raise none.
 */
export function notifyFile(dentry: Dentry | null, flags: number, mask: number): void {
  if (watched.size === 0 || dentry === null || flags & 0o10000000) return;
  notifyNamed(dentry, mask, true);
}

/** A name was made in parent: IN_CREATE there (after IN_ATTRIB on the file, for link(2)). */
export function notifyCreate(parent: Dentry, name: string, inode: Inode, link: boolean): void {
  if (watched.size === 0) return;
  if (link) notifySelf(inode, IN_ATTRIB);
  deliver(watchesOf(parent.inode), name, withDir(inode, IN_CREATE), 0, false);
}

/**
 * victim's name was removed from parent (vfs_unlink, vfs_rmdir): IN_ATTRIB
 * on a file for its link count, IN_DELETE_SELF and IN_IGNORED if it has
 * no name left, then IN_DELETE in parent.
 */
export function notifyRemove(parent: Dentry, name: string, victim: Inode, dir: boolean): void {
  if (watched.size === 0) return;
  if (!dir) notifySelf(victim, IN_ATTRIB);
  if (unnamed(victim)) deleted(victim);
  deliver(watchesOf(parent.inode), name, withDir(victim, IN_DELETE), 0, false);
}

let lastCookie = 0;

/**
 * A rename (fsnotify_move): IN_MOVED_FROM and IN_MOVED_TO with one
 * cookie, IN_ATTRIB on a replaced file, IN_MOVE_SELF on the moved one
 * (an exchange moves both), then the replaced file's deletion.
 */
export function notifyRename(oldParent: Dentry, oldName: string, newParent: Dentry, newName: string,
  src: Inode, dst: Inode | null, exchange: boolean): void {
  if (watched.size === 0) return;
  const move = (fromDir: Dentry, from: string, toDir: Dentry, to: string, moved: Inode, target: Inode | null): void => {
    lastCookie = (lastCookie + 1) >>> 0;
    if (lastCookie === 0) lastCookie = 1;
    const cookie = lastCookie;
    deliver(watchesOf(fromDir.inode), from, withDir(moved, IN_MOVED_FROM), cookie, false);
    deliver(watchesOf(toDir.inode), to, withDir(moved, IN_MOVED_TO), cookie, false);
    if (target !== null) notifySelf(target, IN_ATTRIB);
    notifySelf(moved, IN_MOVE_SELF);
  };
  move(oldParent, oldName, newParent, newName, src, exchange ? null : dst);
  if (exchange && dst !== null) move(newParent, newName, oldParent, oldName, dst, null);
  else if (dst !== null && unnamed(dst)) deleted(dst);
}

/** What fsnotify_change raises for an attribute change. */
export function setattrMask(attr: SetAttr): number {
  let mask = 0;
  if (attr.mode !== undefined || attr.uid !== undefined || attr.gid !== undefined) mask |= IN_ATTRIB;
  if (attr.size !== undefined) mask |= IN_MODIFY;
  if (attr.atime !== undefined && attr.mtime !== undefined) mask |= IN_ATTRIB;
  else if (attr.atime !== undefined) mask |= IN_ACCESS;
  else if (attr.mtime !== undefined) mask |= IN_MODIFY;
  return mask;
}

/** An attribute change through d (chmod, chown, utimes, truncate, O_TRUNC). */
export function notifySetattr(d: Dentry, attr: SetAttr): void {
  if (watched.size === 0) return;
  const mask = setattrMask(attr);
  if (mask !== 0) notifyNamed(d, mask, false);
}

/** Mounts of each file system instance, in every namespace (a copied namespace's too). */
const mounts = new WeakMap<FileSystem, number>();

/** A mount of fs was made. */
export function mountMade(fs: FileSystem): void {
  mounts.set(fs, (mounts.get(fs) ?? 0) + 1);
}

/**
 * A mount of fs was unmounted; after the last (Linux's superblock going,
 * fsnotify_unmount_inodes) every watch on its files hears IN_UNMOUNT and
 * goes with IN_IGNORED. A namespace that dies with its mounts still in it
 * never counts them down: its file systems raise no IN_UNMOUNT. Returns
 * how many mounts of fs are left.
 */
export function mountGone(fs: FileSystem): number {
  const n = Math.max(0, (mounts.get(fs) ?? 1) - 1);
  mounts.set(fs, n);
  if (n > 0) return n;
  const m = watched.get(fs);
  if (m === undefined) return 0;
  for (const ws of [...m.values()]) {
    for (const w of [...ws.byOwner.values()]) {
      w.owner.queueEvent(w.wd, IN_UNMOUNT, 0, '');
      removeWatch(w, true);
    }
  }
  return 0;
}
