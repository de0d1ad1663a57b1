// hostfs (gVisor fsimpl/gofer, in the directfs mode): a host directory as a
// file system, the only code that touches host files. The sandbox's root
// (read-only) and the volumes given with -v (read-write or :ro) are
// instances of it. It lives in src/fs/hostfs/ (host.ts: how a host file is
// reached; filesystem.ts: an instance; inode.ts: names and the tree;
// files.ts: open files; roots.ts: the instances' root descriptors); this module is its public face.

export { HostFileSystem, HostFdBudget, defaultMaxHostFds } from './hostfs/filesystem.js';
export type { HostFsOptions } from './hostfs/filesystem.js';
export { HostRoots, prepareForcedGc, DESTROY_GC_DELAYS_MS } from './hostfs/roots.js';
export type { RootEntry } from './hostfs/roots.js';
export { HostInode } from './hostfs/inode.js';
export { HostRegularFD, HostDirFD, HostPathFD } from './hostfs/files.js';
