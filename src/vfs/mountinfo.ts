// The text of /proc/PID/mountinfo and /proc/PID/mounts (Linux's
// fs/proc_namespace.c show_mountinfo and show_vfsmnt) for a task's mount
// namespace and root, for procfs to serve. Mounts not reachable from the
// root (outside a chroot) are left out, as Linux leaves them out.

import type { Dentry } from './dentry.js';
import type { Mount, MountNamespace } from './mount.js';
import {
  MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_RELATIME,
} from './mount.js';
import { majorOf, minorOf } from './stat.js';

/** Escapes what mangle() escapes: space, tab, newline and backslash. */
function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}

/** The per-mount options ("rw,nosuid,relatime"). */
export function mountOptions(m: Mount): string {
  const o = [m.readOnly ? 'ro' : 'rw'];
  if (m.flags & MS_NOSUID) o.push('nosuid');
  if (m.flags & MS_NODEV) o.push('nodev');
  if (m.flags & MS_NOEXEC) o.push('noexec');
  if (m.flags & MS_NOATIME) o.push('noatime');
  if (m.flags & MS_NODIRATIME) o.push('nodiratime');
  if (m.flags & MS_RELATIME) o.push('relatime');
  if (m.flags & MS_NOSYMFOLLOW) o.push('nosymfollow');
  return o.join(',');
}

function superOptions(m: Mount): string {
  const own = m.fs.superOptions?.() ?? '';
  return (m.fs.readOnly ? 'ro' : 'rw') + (own === '' ? '' : ',' + own);
}

/** Where m is mounted as seen from root, or null when root cannot reach it. */
function mountPath(m: Mount, root: Dentry): string | null {
  const at = m.root.pathFrom(root);
  return at.reachable ? at.path : null;
}

function devOf(m: Mount): string {
  const st = m.root.inode.stat();
  const dev = typeof st === 'number' ? 0 : st.dev;
  return `${majorOf(dev)}:${minorOf(dev)}`;
}

/** /proc/PID/mountinfo. */
export function mountInfo(ns: MountNamespace, root: Dentry): string {
  let out = '';
  for (const m of ns.ordered()) {
    const at = mountPath(m, root);
    if (at === null) continue;
    const parentId = m.parent?.id ?? m.id;
    const opt: string[] = [];
    if (m.group !== null) opt.push(`shared:${m.group.id}`);
    if (m.master !== null) opt.push(`master:${m.master.id}`);
    if (m.unbindable) opt.push('unbindable');
    out += `${m.id} ${parentId} ${devOf(m)} ${mangle(m.fsRootPath)} ${mangle(at)} ${mountOptions(m)}` +
      `${opt.length > 0 ? ' ' + opt.join(' ') : ''} - ${m.fs.type} ${mangle(m.source)} ${superOptions(m)}\n`;
  }
  return out;
}

/** /proc/PID/mounts (and /proc/mounts, /etc/mtab). */
export function mountsText(ns: MountNamespace, root: Dentry): string {
  let out = '';
  for (const m of ns.ordered()) {
    const at = mountPath(m, root);
    if (at === null) continue;
    const own = m.fs.superOptions?.() ?? '';
    out += `${mangle(m.source)} ${mangle(at)} ${m.fs.type} ${mountOptions(m)}${own === '' ? '' : ',' + own} 0 0\n`;
  }
  return out;
}
