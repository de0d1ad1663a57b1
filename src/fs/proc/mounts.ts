// What procfs needs from a mount namespace (/proc/PID/mounts, mountinfo,
// fdinfo's mnt_id): one record per mount, in mount order, and their
// formatting as Linux's show_vfsmnt and show_mountinfo write them.
//
// `MountSource` is the seam to the VFS's mount table: today the mounts are
// fixed at boot (FixedMounts, built by the boot code from the mounts it
// makes); the mount namespaces of the VFS will answer the same interface,
// per task.

import type { Task } from '../../kernel/task.js';
import type { FileSystem, Inode } from '../../vfs/inode.js';
import { majorOf, minorOf } from '../../vfs/stat.js';

export interface MountRecord {
  /** Mount id (mountinfo's first field, fdinfo's mnt_id). */
  readonly id: number;
  /** The parent mount's id (the root mount's is its own, or an id outside the namespace). */
  readonly parentId: number;
  /** st_dev of the file system's files. */
  readonly dev: number;
  /** The path, inside its file system, of the mount's root ("/" unless a bind mount). */
  readonly root: string;
  /** Where it is mounted, as an absolute path in the sandbox. */
  readonly mountPoint: string;
  /** Per-mount options: "rw" or "ro", then nosuid, nodev, noexec, relatime... */
  readonly options: string;
  /** mountinfo's optional fields ("shared:1", "master:2"), or "". */
  readonly propagation: string;
  /** The file system type ("proc", "tmpfs", "overlay"). */
  readonly fsType: string;
  /** The source column ("proc", "tmpfs", "none", "/dev/sda1"). */
  readonly source: string;
  /** The super block's options ("rw,size=65536k"). */
  readonly superOptions: string;
}

/** The mounts a task sees. */
export interface MountSource {
  /** The mounts of t's mount namespace, parents before children. */
  mounts(t: Task): readonly MountRecord[];
}

/** What the boot code knows of one of the mounts it made. */
export interface FixedMount {
  readonly mountPoint: string;
  readonly fs: FileSystem;
  readonly root: Inode;
  /** Per-mount options (default: "rw,relatime", or "ro,relatime" for a read-only instance). */
  readonly options?: string;
}

/** The sandbox's mounts as they are fixed at boot (the VFS has no mount(2) yet): ids from 1, in the order added. */
export class FixedMounts implements MountSource {
  private readonly records: MountRecord[] = [];

  /** Records a mount the boot code made (parents first). */
  add(m: FixedMount): void {
    const id = this.records.length + 1;
    {
      const st = m.root.stat();
      const dev = typeof st === 'number' ? 0 : st.dev;
      const parent = this.records.filter((r) => isBelow(m.mountPoint, r.mountPoint)).pop();
      const sb = m.fs.superOptions?.() ?? '';
      const ro = m.fs.readOnly ? 'ro' : 'rw';
      this.records.push({
        id,
        parentId: parent?.id ?? id,
        dev,
        root: '/',
        mountPoint: m.mountPoint,
        options: m.options ?? `${ro},relatime`,
        propagation: '',
        fsType: m.fs.type,
        source: m.fs.source ?? 'none',
        superOptions: sb === '' ? ro : `${ro},${sb}`,
      });
    }
  }

  mounts(): readonly MountRecord[] {
    return this.records;
  }
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(dir + '/');
}

/** The mount a sandbox path is on: the record with the longest mount point that contains it. */
export function mountOfPath(mounts: readonly MountRecord[], path: string): MountRecord | undefined {
  let best: MountRecord | undefined;
  for (const m of mounts) {
    if (m.mountPoint === path || isBelow(path, m.mountPoint)) {
      if (best === undefined || m.mountPoint.length >= best.mountPoint.length) best = m;
    }
  }
  return best;
}

/** Linux's mangle(): space, tab, newline and backslash in a path as octal escapes. */
function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

/** The path as the reader (whose root is rootPath) sees it, or null when it is outside the reader's root. */
function fromRoot(path: string, rootPath: string): string | null {
  if (rootPath === '/') return path;
  if (path === rootPath) return '/';
  if (path.startsWith(rootPath + '/')) return path.slice(rootPath.length);
  return null;
}

/** /proc/PID/mounts: "source mountpoint type options 0 0" (Linux's show_vfsmnt). */
export function formatMounts(mounts: readonly MountRecord[], rootPath: string): string {
  let out = '';
  for (const m of mounts) {
    const at = fromRoot(m.mountPoint, rootPath);
    if (at === null) continue;
    const sb = m.superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro');
    out += `${mangle(m.source)} ${mangle(at)} ${m.fsType} ${[m.options, ...sb].join(',')} 0 0\n`;
  }
  return out;
}

/** /proc/PID/mountinfo (Linux's show_mountinfo). */
export function formatMountinfo(mounts: readonly MountRecord[], rootPath: string): string {
  let out = '';
  for (const m of mounts) {
    const at = fromRoot(m.mountPoint, rootPath);
    if (at === null) continue;
    const opt = m.propagation === '' ? '' : ` ${m.propagation}`;
    out += `${m.id} ${m.parentId} ${majorOf(m.dev)}:${minorOf(m.dev)} ${mangle(m.root)} ${mangle(at)} ${m.options}${opt} - ` +
      `${m.fsType} ${mangle(m.source)} ${m.superOptions}\n`;
  }
  return out;
}
