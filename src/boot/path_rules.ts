// An OCI spec's masked and read-only paths, and its devices, applied to
// the sandbox's mount table once it is made (runc's rootfs_linux.go
// maskPath and readonlyPath, runsc's the same): a masked file is covered
// by /dev/null and a masked directory by an empty read-only tmpfs; a
// read-only path is bound onto itself read-only, with what is mounted
// below it. A path the container does not have is skipped, as runc skips
// it. linux.devices may name only devices the Sentry serves (its devtmpfs
// has them at their usual names already).

import type { Spec } from '../config/spec.js';
import { Credentials } from '../kernel/credentials.js';
import { errnoName } from '../abi/linux/errno.js';
import { MS_RDONLY, MS_REC, mountFlagsFrom } from '../vfs/mount.js';
import { S_IFCHR, S_IFDIR, S_IFMT, majorOf, minorOf } from '../vfs/stat.js';
import { TmpfsFileSystem } from '../fs/tmpfs/tmpfs.js';
import { BootError, latin1 } from './sandbox.js';
import type { SandboxKernel } from './sandbox.js';
import type { Dentry } from '../vfs/dentry.js';


/** Applies them under top: the sandbox's root, or a sub-container's in its own mount namespace. */
export function applyPathRules(sk: SandboxKernel, spec: Spec, top: Dentry = sk.vfs.root): void {
  const { vfs, kernel } = sk;
  const root = Credentials.of(0, 0);
  const find = (p: string) => vfs.walk(root, top, top, latin1(p), { followFinal: false });
  const fail = (field: string, p: string, why: string) => new BootError(`config.json: linux.${field}: ${p}: ${why}`, 1);

  for (const p of spec.linux?.maskedPaths ?? []) {
    const d = find(p);
    if (typeof d === 'number') continue;
    if ((d.inode.mode & S_IFMT) === S_IFDIR) {
      const t = new TmpfsFileSystem(kernel.mf, { size: 4096, nrInodes: 1, mode: 0o755 }, 'tmpfs');
      const r = vfs.attach(d, t, t.root, mountFlagsFrom(MS_RDONLY), 'tmpfs');
      if (typeof r === 'number') throw fail('maskedPaths', p, errnoName(-r));
      continue;
    }
    const devNull = find('/dev/null');
    if (typeof devNull === 'number') throw fail('maskedPaths', p, 'there is no /dev/null to cover it with');
    const r = vfs.bind(devNull, d, 0);
    if (typeof r === 'number') throw fail('maskedPaths', p, errnoName(-r));
  }

  for (const p of spec.linux?.readonlyPaths ?? []) {
    const d = find(p);
    if (typeof d === 'number') continue;
    const r = vfs.bind(d, d, MS_REC);
    if (typeof r === 'number') throw fail('readonlyPaths', p, errnoName(-r));
    for (const m of r.subtree()) m.flags |= MS_RDONLY;
  }

  for (const dev of spec.linux?.devices ?? []) {
    // The device at its name in the Sentry's /dev, with the spec's numbers: what the Sentry serves.
    const d = vfs.walk(root, top, top, latin1(dev.path), { followFinal: true });
    const st = typeof d === 'number' ? d : d.inode.stat();
    const served = typeof st !== 'number' && dev.type === 'c' && (st.mode & S_IFMT) === S_IFCHR &&
      majorOf(st.rdev) === dev.major && minorOf(st.rdev) === dev.minor;
    if (!served) {
      throw fail('devices', dev.path, `${dev.type} ${dev.major ?? '?'}:${dev.minor ?? '?'} is not a device the Sentry serves at that name ` +
        '(it serves null, zero, full, random, urandom, tty and ptmx under /dev)');
    }
  }
}
