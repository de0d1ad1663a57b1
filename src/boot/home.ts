// HOME for a container's process (runc's libcontainer setupUser, gVisor's
// user.MaybeAddExecUserHome): a process whose environment has no HOME
// gets the home directory of its uid from the container's own
// /etc/passwd, or "/" when the file or the entry is missing, as runc's
// init and exec do (and runsc's loader). Read through the container's
// VFS with root's credentials, as runc reads the file before it changes
// user; a file longer than 1 MiB is read up to there.

import type { VirtualFilesystem } from '../vfs/vfs.js';
import type { Dentry } from '../vfs/dentry.js';
import { Credentials } from '../kernel/credentials.js';
import { decRef } from '../kernel/fd_table.js';
import { O_RDONLY } from '../vfs/file_description.js';

const PASSWD_MAX = 1 << 20;

/** The home directory of uid in the container's /etc/passwd (the first entry for it), or "/". */
export function homeOf(vfs: VirtualFilesystem, uid: number, root: Dentry = vfs.root): string {
  const d = vfs.walk(Credentials.of(0, 0), root, root, '/etc/passwd', { followFinal: true });
  if (typeof d === 'number') return '/';
  const f = d.inode.open(O_RDONLY);
  if (typeof f === 'number') return '/';
  f.dentry = d;
  let text = '';
  try {
    const buf = new Uint8Array(PASSWD_MAX);
    const n = f.read([buf], buf.length, 0);
    if (n <= 0) return '/';
    text = Buffer.from(buf.subarray(0, n)).toString('latin1');
  } finally {
    decRef(f);
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 7 && fields[2] === String(uid) && fields[5] !== '') return fields[5];
  }
  return '/';
}

/** env, with HOME added from the container's /etc/passwd when it has none. */
export function withHome(vfs: VirtualFilesystem, env: readonly string[], uid: number, root: Dentry = vfs.root): string[] {
  if (env.some((e) => e.startsWith('HOME='))) return [...env];
  return [...env, `HOME=${homeOf(vfs, uid, root)}`];
}
