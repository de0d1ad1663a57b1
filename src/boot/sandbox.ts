// Booting a sandbox (the parts of gVisor's runsc/boot Loader, seed 001,
// that every sandbox shares): build the kernel around a root directory
// (buildKernel), load the first process stopped before its first
// instruction (loadInit), seal the Sentry (sealSentry), run until every
// task has exited (runInit). `tsvisor do` (runDo) runs them in one go, as
// `runsc do` does; an OCI container's Loader (loader.ts) waits between
// loading and running for the control server's start.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { native, setRootTreeAddedFlags } from '../native.js';
import { FILESTORE_BASE, Medium, MemoryFile, PAGE_SIZE } from '../memory/memory_file.js';
import * as path from 'node:path';
import { PtracePlatform } from '../platform/ptrace/ptrace.js';
import type { PtraceOptions } from '../platform/ptrace/ptrace.js';
import { PlatformError } from '../platform/platform.js';
import { HostFdBudget, HostFileSystem, HostRoots, defaultMaxHostFds, prepareForcedGc } from '../fs/hostfs.js';
import type { RootEntry } from '../fs/hostfs.js';
import { setHostSocketBudget } from '../net/hostinet/provider.js';
import { HostFD } from '../fs/host_fd.js';
import { VirtualFilesystem } from '../vfs/vfs.js';
import { dumpTasks } from '../kernel/task_dump.js';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, mountFlagsFrom } from '../vfs/mount.js';
import { fileSystemType } from '../vfs/fs_registry.js';
import type { NewFileSystem } from '../vfs/fs_registry.js';
import type { FileSystem, Inode } from '../vfs/inode.js';
import { TmpfsFileSystem } from '../fs/tmpfs/tmpfs.js';
import { newOverlay } from '../fs/overlay/overlay.js';
// The file system types the mount table names register themselves as they load.
import '../fs/proc/procfs.js';
import '../fs/sys/sysfs.js';
import '../fs/cgroupfs/cgroupfs.js';
import '../fs/devfs/devfs.js';
import '../fs/devpts/devpts.js';
import { O_RDONLY, O_WRONLY } from '../vfs/file_description.js';
import { readEntries } from '../vfs/listed_dir.js';
import { Kernel } from '../kernel/kernel.js';
import { Logger, writeStderr } from '../kernel/log.js';
import type { LogFormat } from '../kernel/log.js';
import { Task } from '../kernel/task.js';
import { ThreadGroup, RLIM_INFINITY } from '../kernel/thread_group.js';
import type { PIDNamespace } from '../kernel/pid_namespace.js';
import type { IPCNamespace } from '../kernel/ipc/namespace.js';
import { FDTable, decRef } from '../kernel/fd_table.js';
import { CAP_NET_RAW } from '../abi/linux/capability.js';
import { Credentials } from '../kernel/credentials.js';
import { checkExecutable, load } from '../loader/loader.js';
import type { Dentry } from '../vfs/dentry.js';
import { attachHostTerminal, forwardHostSignals } from './host_signals.js';
import { buildSyscallTable } from '../syscalls/linux/table.js';
import { StraceTracer } from './strace.js';
import { EEXIST, ENOENT, EPERM, EROFS, errnoName } from '../abi/linux/errno.js';
import { S_IFDIR, S_IFMT } from '../vfs/stat.js';
import type { Launched, Volume } from './launch.js';
import { openVolume } from './launch.js';
import { SealError, seal, signalReady } from './confine.js';
import { registerSocketProviders } from '../net/providers.js';
import { SandboxNetwork } from '../net/proc_net.js';
import { hostSocketLabel } from '../net/hostinet/labels.js';
import './test_build.js';

/** What `tsvisor do` runs: a kernel (KernelSpec, its debug log made from debugLog) and one program. */
export interface DoOptions extends Omit<KernelSpec, 'log' | 'hostname'> {
  cwd: string;
  argv: string[];
  env: string[];
  debugLog: string | null;
  /** The debug log's line format (default: its own; the OCI --log's text or json with --debug --log). */
  logFormat?: LogFormat;
}

/**
 * The stubs' identity: the one the launcher picked and mapped; none (-1:
 * the stubs keep the Sentry's) when that is the Sentry's own (rootless:
 * the caller's is the only uid there is); the platform's default without
 * the launcher.
 */
function stubIdentity(launched: Launched | null): PtraceOptions {
  if (launched === null) return {};
  if (launched.stubUid === (process.getuid?.() ?? 0)) return { stubUid: -1, stubGid: -1 };
  return { stubUid: launched.stubUid, stubGid: launched.stubGid };
}

/**
 * The root's overlay, as runsc's --overlay2 names its media: 'memory' (the
 * upper layer's pages in the sandbox's memory), 'self' (in a file on the
 * root's own host file system), { dir } (in a file in that host directory),
 * or 'none' (no overlay: the host root as it is, read-only).
 */
export type RootOverlay = 'memory' | 'none' | 'self' | { dir: string };

const O_TMPFILE = 0o20200000;

/**
 * The file store for 'self' and { dir } (memory/memory_file.ts): a file
 * without a name (O_TMPFILE) in the directory, so that nothing is left on
 * the host when the sandbox ends, however it ends; where the host file
 * system cannot make one, a named file removed at once. Returns -1 for the
 * media without one.
 */
function openFileStore(overlay: RootOverlay, root: string): number {
  if (overlay === 'memory' || overlay === 'none') return -1;
  const dir = overlay === 'self' ? root : overlay.dir;
  const what = overlay === 'self' ? `--overlay2 root:self (in ${dir})` : `--overlay2 root:dir=${dir}`;
  try {
    return fs.openSync(dir, O_TMPFILE | fs.constants.O_RDWR, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EOPNOTSUPP' && code !== 'EISDIR') {
      throw new BootError(`${what}: cannot make the upper layer's file: ${(e as Error).message}; use root:memory, or a directory the sandbox may write`, 125);
    }
  }
  const name = path.join(dir, `.tsvisor-filestore-${process.pid}-${Date.now()}`);
  try {
    const fd = fs.openSync(name, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    fs.unlinkSync(name);
    return fd;
  } catch (e) {
    throw new BootError(`${what}: cannot make the upper layer's file: ${(e as Error).message}`, 125);
  }
}

/**
 * The sandbox's root file system: the host root, under an overlay whose
 * upper layer is a tmpfs with the host root's mode and owner (what a
 * program sees of "/" is the overlay's root, which is the upper one's).
 */
function rootFileSystem(hostfs: HostFileSystem, hostRoot: string, mf: MemoryFile, overlay: RootOverlay): { fs: FileSystem; root: Inode; flags: number; source: string } {
  if (overlay === 'none') return { fs: hostfs, root: hostfs.root, flags: mountFlagsFrom(MS_RDONLY), source: hostRoot };
  const st = hostfs.root.stat();
  if (typeof st === 'number') throw new BootError(`cannot stat the root: ${errnoName(-st)}`, 125);
  const upper = new TmpfsFileSystem(mf, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }, 'overlay-upper',
    mf.hasFileStore ? Medium.FileStore : Medium.Memory);
  upper.root.setattr({ atime: [st.atimeSec, st.atimeNsec], mtime: [st.mtimeSec, st.mtimeNsec] });
  const ov = newOverlay({ fs: hostfs, root: hostfs.root }, { fs: upper, root: upper.root });
  return { fs: ov.fs, root: ov.root, flags: 0, source: 'overlay' };
}

/**
 * One mount of the sandbox's table: what mount(8) would be given. `type` is
 * a registered file system type (src/vfs/fs_registry.ts); `flags` are
 * mount(2)'s MS_* flags, `data` the file system's own options.
 */
export interface MountSpec {
  target: string;
  type: string;
  source: string;
  flags: number;
  data: string;
  /**
   * Mount it only where the target is absent or an empty directory, as
   * runsc mounts its /tmp (runsc/boot's mountTmp): a tmpfs over a /tmp that
   * has files would hide them (a build under /tmp, the program itself).
   */
  ifEmpty?: boolean;
  /** The mount's propagation once made (an OCI mount's private, shared, slave or unbindable option); default private. */
  propagation?: 'private' | 'shared' | 'slave' | 'unbindable';
}

/**
 * What `tsvisor do` mounts over the root, as a container has them (runc's
 * and runsc's defaults): /proc, /dev with its ptys and /dev/shm, /sys
 * (read-only, as for an unprivileged container), and a tmpfs at /tmp.
 */
export function defaultMounts(): MountSpec[] {
  return [
    { target: '/proc', type: 'proc', source: 'proc', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: '' },
    { target: '/dev', type: 'devtmpfs', source: 'tmpfs', flags: MS_NOSUID, data: 'mode=755' },
    { target: '/dev/pts', type: 'devpts', source: 'devpts', flags: MS_NOSUID | MS_NOEXEC, data: 'newinstance,ptmxmode=0666,mode=0620,gid=5' },
    { target: '/dev/shm', type: 'tmpfs', source: 'shm', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: 'mode=1777' },
    { target: '/sys', type: 'sysfs', source: 'sysfs', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: '' },
    { target: '/tmp', type: 'tmpfs', source: 'tmpfs', flags: MS_NOSUID | MS_NODEV, data: 'mode=1777', ifEmpty: true },
  ];
}

/**
 * The type of a table entry that binds a host directory the caller opened
 * before the seal (a -v volume, an OCI bind mount): its instance is given
 * to mountTable by target, since a sealed Sentry can open no host path.
 */
export const HOST_BIND = 'bind';

/** Mounts the table's entries over the root; a BootError names the first that fails. */
function mountTable(vfs: VirtualFilesystem, top: Dentry, kernel: Kernel, specs: MountSpec[], binds: Map<string, NewFileSystem>, log: Logger): void {
  const root = Credentials.of(0, 0);
  for (const m of specs) {
    if (m.ifEmpty === true && !isEmptyOrAbsent(vfs, top, root, latin1(m.target))) {
      log.info(`mount ${m.type} at ${m.target}: skipped, the directory has files (they stay in the root's overlay)`);
      continue;
    }
    const fail = (why: string) => new BootError(`mount ${m.type} at ${m.target}: ${why}`, 125);
    const bound = m.type === HOST_BIND ? binds.get(m.target) : undefined;
    const type = m.type === HOST_BIND ? undefined : fileSystemType(m.type);
    if (type === undefined && bound === undefined) {
      throw fail(m.type === HOST_BIND ? 'no host directory was opened for it' : 'no such file system type');
    }
    const target = latin1(m.target);
    const slash = target.lastIndexOf('/');
    const name = target.slice(slash + 1);
    if (!target.startsWith('/') || name === '' || name === '.' || name === '..') throw fail('not an absolute path');
    const parent = makeDirs(vfs, top, root, slash === 0 ? '/' : target.slice(0, slash));
    if (typeof parent === 'number') throw fail(errnoName(-parent));
    const made = bound ?? (type as NonNullable<typeof type>).make({ source: m.source, data: m.data, flags: m.flags, mf: kernel.mf, kernel });
    if (typeof made === 'number') throw fail(errnoName(-made));
    // A missing mount point is made where the tree is writable (the root's
    // overlay), as runc makes it in the rootfs: a directory, or an empty
    // file for a file's bind; elsewhere it is made in the VFS only.
    if (vfs.lookupChild(parent, name, false) === -ENOENT && !parent.mount.readOnly) {
      const isDir = (made.root.mode & S_IFMT) === S_IFDIR;
      const r = isDir ? parent.inode.mkdir?.(name, 0o755, ROOT_CTX) : parent.inode.create?.(name, 0o644, ROOT_CTX);
      if (typeof r === 'number' && r !== -EROFS && r !== -EEXIST) throw fail(errnoName(-r));
    }
    // A mount point the root lacks is made in the VFS (the root may be a read-only host directory).
    const r = vfs.attachAt(parent, name, made.fs, made.root, mountFlagsFrom(m.flags), m.source);
    if (typeof r === 'number') throw fail(errnoName(-r));
    if (m.propagation !== undefined && m.propagation !== 'private') vfs.setPropagation(r, m.propagation, false);
  }
}

const ROOT_CTX = { uid: 0, gid: 0 };

/** The directory at path, made with its missing parents (mode 755, root's) where the tree lets them be made. */
function makeDirs(vfs: VirtualFilesystem, top: Dentry, creds: Credentials, path: string): Dentry | number {
  let cur = top;
  for (const name of path.split('/').filter((c) => c !== '')) {
    // A symlink on the way resolves inside the sandbox, as the walk does.
    let next = vfs.walk(creds, top, cur, name, { followFinal: true });
    if (next === -ENOENT && !cur.mount.readOnly) {
      const r = cur.inode.mkdir?.(name, 0o755, ROOT_CTX) ?? -EPERM;
      if (typeof r === 'number' && r !== -EEXIST) return r;
      next = vfs.walk(creds, top, cur, name, { followFinal: true });
    }
    if (typeof next === 'number') return next;
    cur = next;
  }
  return cur;
}

/** Whether path is absent or an empty directory in the tree as mounted so far. */
function isEmptyOrAbsent(vfs: VirtualFilesystem, top: Dentry, creds: Credentials, path: string): boolean {
  const d = vfs.walk(creds, top, top, path, { followFinal: true });
  if (typeof d === 'number') return d === -ENOENT;
  const e = readEntries(d.inode);
  return typeof e !== 'number' && e.length === 0;
}

/** A host file bound into the sandbox, as read before the seal. */
interface FileCopy {
  data: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
}

/** The most bytes a bound host file may have: it is copied into the Sentry's memory. */
const FILE_COPY_MAX = 16 << 20;

/** null for a directory; for a regular file, its bytes and attributes. */
function readFileCopy(host: string): FileCopy | null {
  const st = fs.statSync(host);
  if (st.isDirectory()) return null;
  if (!st.isFile()) throw new Error(`bind ${host}: neither a directory nor a regular file`);
  if (st.size > FILE_COPY_MAX) throw new Error(`bind ${host}: a bound file is copied into the sandbox, and this one is over ${FILE_COPY_MAX} bytes`);
  return { data: new Uint8Array(fs.readFileSync(host)), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/**
 * A bound host file as the sandbox sees it: a copy in a tmpfs of its own,
 * whose one file is the mount's root (docs/oci.md says why a copy).
 */
function fileCopy(mf: MemoryFile, v: Volume, c: FileCopy): NewFileSystem {
  const t = new TmpfsFileSystem(mf, { size: Math.max(PAGE_SIZE, c.data.length + PAGE_SIZE), nrInodes: 4, mode: 0o755 }, v.host);
  const f = t.root.create('file', c.mode, { uid: c.uid, gid: c.gid });
  if (typeof f === 'number') throw new BootError(`bind ${v.host}: cannot make its copy: ${errnoName(-f)}`, 125);
  const fd = f.open(O_WRONLY);
  if (typeof fd === 'number') throw new BootError(`bind ${v.host}: cannot make its copy: ${errnoName(-fd)}`, 125);
  const n = c.data.length === 0 ? 0 : fd.write([c.data], c.data.length, 0);
  fd.decRef();
  if (n !== c.data.length) throw new BootError(`bind ${v.host}: cannot make its copy`, 125);
  return { fs: t, root: f };
}

export class BootError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

const RLIMIT_NAMES = ['Max cpu time', 'Max file size', 'Max data size', 'Max stack size', 'Max core file size',
  'Max resident set', 'Max processes', 'Max open files', 'Max locked memory', 'Max address space',
  'Max file locks', 'Max pending signals', 'Max msgqueue size', 'Max nice priority', 'Max realtime priority',
  'Max realtime timeout'];

/** The sandbox starts with the limits tsvisor itself runs under, as a child process would. */
function hostRlimits(): { cur: bigint; max: bigint }[] {
  const out = RLIMIT_NAMES.map(() => ({ cur: RLIM_INFINITY, max: RLIM_INFINITY }));
  try {
    const text = fs.readFileSync('/proc/self/limits', 'utf8');
    for (const line of text.split('\n')) {
      const i = RLIMIT_NAMES.findIndex((n) => line.startsWith(n));
      if (i < 0) continue;
      const rest = line.slice(RLIMIT_NAMES[i].length).trim().split(/\s+/);
      const v = (s: string) => (s === 'unlimited' ? RLIM_INFINITY : BigInt(s));
      out[i] = { cur: v(rest[0]), max: v(rest[1]) };
    }
  } catch {
    // Keep the defaults.
  }
  // The Sentry enforces its own stack size: 8 MiB, as the loader maps.
  out[3] = { cur: 8n * 1024n * 1024n, max: out[3].max };
  return out;
}

const ST_NOSUID = 0x2;
const ST_NODEV = 0x4;
const F_FLAGS = 80;

/** The statfs flags (nosuid, nodev) the read-only copy at fd has and the mount at path has not. */
function addedMountFlags(path: string, fd: number): number {
  const a = new Uint8Array(120);
  const b = new Uint8Array(120);
  let host: number;
  try {
    host = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return 0;
  }
  const ok = native.fstatfs(host, a) === 0 && native.fstatfs(fd, b) === 0;
  native.close(host);
  if (!ok) return 0;
  const flags = (buf: Uint8Array) => new DataView(buf.buffer).getUint32(F_FLAGS, true);
  return flags(b) & ~flags(a) & (ST_NOSUID | ST_NODEV);
}

const RLIMIT_NOFILE = 7;

/** A path as the VFS takes it: its UTF-8 bytes, one per character. */
export const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/**
 * What a sandbox's kernel is built around, for `tsvisor do` and for an OCI
 * container's Loader (loader.ts) alike: the root, its mounts and the bounds.
 */
export interface KernelSpec {
  root: string;
  /** What the launcher made (the walls go up), or null: --unsafe-no-walls, no walls at all. */
  launched: Launched | null;
  log: Logger;
  strace: boolean;
  /** The sandbox's total memory in bytes (--total-memory); default: half the host's RAM. */
  totalMemory?: number;
  /** The sandbox's VMA budget (--vma-budget); default: from V8's heap limit. */
  vmaBudget?: number;
  /** The most host files open at once (--max-host-fds); default: from the Sentry's RLIMIT_NOFILE. */
  maxHostFds?: number;
  /**
   * The sandbox's mounts after the root, in order (a parent before what is
   * mounted below it); default defaultMounts(). The OCI runtime builds this
   * list from a container's config.json.
   */
  mounts?: MountSpec[];
  /**
   * The root's overlay (runsc's --overlay2): 'memory' (the default) puts a
   * tmpfs in the Sentry's memory over the host root, so the program may
   * write anywhere and the host tree is never changed; 'none' mounts the
   * host root as it is (read-only).
   */
  overlay?: RootOverlay;
  /** Bounds on kernel objects (--max-epoll-watches, --max-pending-signals, --max-descriptors); defaults in kernel/limits.ts. */
  kernelLimits?: { epollWatches?: number; pendingSignals?: number; descriptors?: number };
  /** Host directories bind-mounted into the sandbox (-v). */
  volumes?: Volume[];
  /**
   * --net-raw (runsc's): raw inet and AF_PACKET sockets are served to a
   * program with CAP_NET_RAW. Without it (the default) CAP_NET_RAW leaves
   * every capability set of every process the sandbox starts (loadInit),
   * and the Sentry keeps no CAP_NET_RAW and its filter makes no raw or
   * packet host socket.
   */
  netRaw?: boolean;
  /** The UTS name uname(2) reports (an OCI spec's hostname); default: the host's. */
  hostname?: string;
  /** Volumes the pod shares (mount hints): their instances by target, made in the sandbox's memory file. */
  sharedBinds?: (mf: MemoryFile, volumes: readonly Volume[]) => ReadonlyMap<string, NewFileSystem>;
}

/**
 * The volumes' instances, by target: host directories opened before the
 * seal (or sent with a sub-container's creation) bound as they are, host
 * files as copies; a volume the pod shares (shared, by target: a mount
 * hint's) is the instance every container of the pod mounts, and the
 * descriptor opened for it is closed. Every descriptor of fds (-1: a
 * copy) is taken: roots' once its instance is made (its entry pushed on
 * entries), closed otherwise, on a throw too.
 */
function bindsOf(mf: MemoryFile, budget: HostFdBudget, roots: HostRoots, volumes: readonly Volume[], fds: readonly number[],
  copies: readonly (FileCopy | null)[], shared: ReadonlyMap<string, NewFileSystem> | undefined, entries: RootEntry[]): Map<string, NewFileSystem> {
  const binds = new Map<string, NewFileSystem>();
  let i = 0;
  try {
    for (; i < volumes.length; i++) {
      const v = volumes[i];
      const fd = fds[i];
      const pod = shared?.get(v.target);
      if (pod !== undefined) {
        if (fd >= 0) native.close(fd);
        binds.set(v.target, pod);
        continue;
      }
      if (fd < 0) {
        binds.set(v.target, fileCopy(mf, v, copies[i] as FileCopy));
        continue;
      }
      const h = new HostFileSystem(fd, 0, { bind: true, readOnly: v.readOnly, budget, roots });
      entries.push(h.rootEntry as RootEntry);
      binds.set(v.target, { fs: h, root: h.root });
    }
  } catch (e) {
    closeFds(fds.slice(i));
    throw e;
  }
  return binds;
}

/** The hostfs instance of a root's descriptor; if it cannot be made, that and the volumes' descriptors are closed and a BootError names what. */
function rootHostFs(rootFd: number, volumeFds: readonly number[], budget: HostFdBudget, roots: HostRoots, what: string): HostFileSystem {
  try {
    return new HostFileSystem(rootFd, 0, { budget, roots });
  } catch (e) {
    closeFds([rootFd, ...volumeFds]);
    throw new BootError(`${what}: ${(e as Error).message}`, 125);
  }
}

/** Closes each descriptor of fds (-1s skipped). */
function closeFds(fds: readonly number[]): void {
  for (const fd of fds) if (fd >= 0) native.close(fd);
}

/** The mount table, then the volumes it does not place already (-v's). */
function tableWithVolumes(mounts: readonly MountSpec[], volumes: readonly Volume[]): MountSpec[] {
  const placed = new Set(mounts.filter((m) => m.type === HOST_BIND).map((m) => m.target));
  return [...mounts, ...volumes.filter((v) => !placed.has(v.target)).map((v): MountSpec => ({
    target: v.target, type: HOST_BIND, source: v.host, flags: MS_BIND | MS_NOSUID | MS_NODEV | (v.readOnly ? MS_RDONLY : 0), data: '',
  }))];
}

/** What a sub-container's root is built from: host descriptors its create opened and sent (before the seal no longer matters). */
export interface ContainerRootSpec {
  /** The root directory (a read-only copy of its mount tree where the host allows one). */
  rootFd: number;
  /** Its host path, as mountinfo names the source. */
  rootPath: string;
  mounts: MountSpec[];
  volumes: Volume[];
  /** One per volume: a directory descriptor, or a regular file's (read for its copy, then closed). */
  volumeFds: number[];
  /** Volumes the pod shares (mount hints), by target: mounted as they are. */
  sharedBinds?: ReadonlyMap<string, NewFileSystem>;
}

/** A bound host file's copy, read from a descriptor its create opened (a sub-container's bind of a file). */
function readFileCopyFd(fd: number, what: string): FileCopy {
  const st = fs.fstatSync(fd);
  if (!st.isFile()) throw new BootError(`bind ${what}: neither a directory nor a regular file`, 125);
  if (st.size > FILE_COPY_MAX) throw new BootError(`bind ${what}: a bound file is copied into the sandbox, and this one is over ${FILE_COPY_MAX} bytes`, 125);
  const data = new Uint8Array(st.size);
  let n = 0;
  while (n < data.length) {
    const r = fs.readSync(fd, data, n, data.length - n, n);
    if (r <= 0) break;
    n += r;
  }
  return { data: data.subarray(0, n), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/**
 * A sub-container's root in a mount namespace of its own (runsc's
 * per-container mount namespace): the host directory under an overlay in
 * the Sentry's memory, as the sandbox's own root, with its mount table.
 * The descriptors are the sandbox's from here: each directory's is held
 * by sk.roots (closed once nothing in the sandbox reaches its instance:
 * the entries returned, to let go of when the container goes), the others
 * closed; on a throw, every one is closed or let go of. Returns the root's
 * dentry; throws a BootError naming what failed.
 */
export function buildContainerRoot(sk: SandboxKernel, c: ContainerRootSpec): { root: Dentry; entries: RootEntry[] } {
  const { kernel, vfs } = sk;
  const entries: RootEntry[] = [];
  const hostfs = rootHostFs(c.rootFd, c.volumeFds, sk.hostBudget, sk.roots, 'the container\'s root');
  entries.push(hostfs.rootEntry as RootEntry);
  try {
    const rootfs = rootFileSystem(hostfs, c.rootPath, kernel.mf, 'memory');
    const ns = vfs.newNamespace(rootfs.fs, rootfs.root, rootfs.flags, rootfs.source);
    const fds = [...c.volumeFds];
    const copies: (FileCopy | null)[] = [];
    try {
      for (let i = 0; i < fds.length; i++) {
        const fd = fds[i];
        if (fd < 0 || fs.fstatSync(fd).isDirectory()) {
          copies.push(null);
          continue;
        }
        copies.push(readFileCopyFd(fd, c.volumes[i].host));
        native.close(fd);
        fds[i] = -1;
      }
    } catch (e) {
      closeFds(fds);
      throw e;
    }
    const binds = bindsOf(kernel.mf, sk.hostBudget, sk.roots, c.volumes, fds, copies, c.sharedBinds, entries);
    mountTable(vfs, ns.root.root, kernel, tableWithVolumes(c.mounts, c.volumes), binds, sk.log);
    return { root: ns.root.root, entries };
  } catch (e) {
    // Nothing of the sandbox reaches the half-built namespace: its instances go at the next collection.
    sk.roots.letGo(entries);
    throw e;
  }
}

/** A built kernel, its root mounted, before any process exists. */
export interface SandboxKernel {
  readonly kernel: Kernel;
  readonly vfs: VirtualFilesystem;
  readonly platform: PtracePlatform;
  readonly log: Logger;
  readonly launched: Launched | null;
  readonly rlimits: { cur: bigint; max: bigint }[];
  readonly writableVolumes: boolean;
  /** The root and volume descriptors of every hostfs instance (closed once unreachable, the rest when the sandbox ends). */
  readonly roots: HostRoots;
  /** Whether AF_INET/AF_INET6 are served by host sockets (net/providers.ts); the seal allows their host calls then. */
  readonly inet: boolean;
  /** --net-raw: processes keep CAP_NET_RAW, raw and packet sockets are served (with inet). */
  readonly netRaw: boolean;
  /** The budget of host files open at once that every hostfs of the sandbox shares. */
  readonly hostBudget: HostFdBudget;
}

/**
 * Builds the kernel: the root's read-only mount tree (with the walls), the
 * volumes, the memory file, the platform and the mount table. Throws a
 * BootError naming what failed.
 */
export function buildKernel(spec: KernelSpec): SandboxKernel {
  const log = spec.log;
  let rootFd = -1;
  if (spec.launched !== null) {
    // In the Sentry's own mount namespace: a read-only copy of the root's
    // mount tree, so that no host file is writable through it whatever the
    // Sentry's uid (root owns most of them).
    rootFd = native.openTreeReadOnly(spec.root);
    if (rootFd < 0) log.warn(`cannot make a read-only copy of the mount tree at ${spec.root} (errno ${-rootFd}): opening it as it is`);
    else setRootTreeAddedFlags(addedMountFlags(spec.root, rootFd));
  }
  if (rootFd < 0) {
    try {
      rootFd = fs.openSync(spec.root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch (e) {
      throw new BootError(`cannot open root directory ${spec.root}: ${(e as Error).message}`, 125);
    }
  }
  const volumes = spec.volumes ?? [];
  // A host directory is opened; a host file (an OCI bind of one) is read now, for its copy (-1 in volumeFds).
  const volumeFds: number[] = [];
  const fileCopies: (FileCopy | null)[] = [];
  for (const v of volumes) {
    try {
      const copy = readFileCopy(v.host);
      fileCopies.push(copy);
      volumeFds.push(copy === null ? openVolume(v, spec.launched !== null, log) : -1);
    } catch (e) {
      throw new BootError((e as Error).message, 125);
    }
  }
  const fileStoreFd = openFileStore(spec.overlay ?? 'memory', spec.root);
  const mf = new MemoryFile({ totalBytes: spec.totalMemory, maxVmas: spec.vmaBudget, fileStoreFd });
  const platform = new PtracePlatform(mf.fd, stubIdentity(spec.launched),
    fileStoreFd < 0 ? null : { fd: fileStoreFd, base: FILESTORE_BASE });
  const rlimits = hostRlimits();
  const nofile = rlimits[RLIMIT_NOFILE].cur;
  const budget = new HostFdBudget(spec.maxHostFds ?? defaultMaxHostFds(nofile === RLIM_INFINITY ? 1 << 20 : Number(nofile)));
  const roots = new HostRoots(budget);
  roots.report = (m) => log.debug(m);
  const hostfs = rootHostFs(rootFd, volumeFds, budget, roots, `the root ${spec.root}`);
  // Host sockets (net/hostinet) hold Sentry descriptors too: the same budget as host files.
  setHostSocketBudget(budget);
  const rootfs = rootFileSystem(hostfs, spec.root, mf, spec.overlay ?? 'memory');
  const vfs = new VirtualFilesystem(rootfs.fs, rootfs.root, rootfs.flags, rootfs.source);
  const kernel = new Kernel(platform, mf, vfs, buildSyscallTable(), log, spec.hostname ?? os.hostname());
  // Inet sockets are host sockets, so only where the launcher made or joined the sandbox's network namespace.
  const inet = spec.launched !== null && spec.launched.degraded === null;
  registerSocketProviders(inet, (m) => log.warn(m), spec.netRaw === true);
  // /proc/net: the namespace's own files (opened now, before the seal) where it is the sandbox's, and its Unix sockets.
  kernel.network = new SandboxNetwork(kernel.unixNs, inet, hostSocketLabel);
  const binds = bindsOf(mf, budget, roots, volumes, volumeFds, fileCopies, spec.sharedBinds?.(mf, volumes), []);
  mountTable(vfs, vfs.root, kernel, tableWithVolumes(spec.mounts ?? defaultMounts(), volumes), binds, log);
  if (spec.strace) kernel.tracer = StraceTracer.toFd(2);
  const kl = spec.kernelLimits ?? {};
  if (kl.epollWatches !== undefined) kernel.limits.maxUserWatches = kernel.limits.epollWatches.sandboxMax = kl.epollWatches;
  if (kl.pendingSignals !== undefined) kernel.limits.pendingSignals.sandboxMax = kl.pendingSignals;
  if (kl.descriptors !== undefined) kernel.limits.descriptors.max = kl.descriptors;
  return {
    kernel, vfs, platform, log, launched: spec.launched, rlimits, hostBudget: budget, roots, inet, netRaw: spec.netRaw === true,
    writableVolumes: volumes.some((v, i) => !v.readOnly && volumeFds[i] >= 0),
  };
}

/** A host descriptor the first process gets as one of its own. */
export interface InitFile {
  hostFd: number;
  guestFd: number;
  /** O_RDONLY, O_WRONLY or O_RDWR: what the program may do with it. */
  flags: number;
  /** The descriptor is the file's: closed when the program's last reference goes (exec's); else the Sentry keeps it. */
  owned?: boolean;
}

/** The caller's stdio as `tsvisor do` gives it: fds 0, 1, 2, read and written as a shell would. */
export const CALLER_STDIO: readonly InitFile[] = [
  { hostFd: 0, guestFd: 0, flags: O_RDONLY }, { hostFd: 1, guestFd: 1, flags: O_WRONLY }, { hostFd: 2, guestFd: 2, flags: O_WRONLY },
];

/** The sandbox's first process: what to run, as whom, where, with which host descriptors. */
export interface InitSpec {
  argv: string[];
  env: string[];
  cwd: string;
  creds: Credentials;
  files: readonly InitFile[];
  /** How errors name the working directory: `--cwd` for do, `process.cwd` for a spec. */
  cwdName: string;
  /** The process's rlimits; default the sandbox's (the host's, as a child of tsvisor would have). */
  rlimits?: { cur: bigint; max: bigint }[];
  umask?: number;
  noNewPrivs?: boolean;
  oomScoreAdj?: number;
  /** The program's path, when it is not argv[0] (a hook's path, with its own args: src/boot/start_hooks.ts). */
  path?: string;
  /** false: a process beside the first one (its parent outside the sandbox), not the sandbox's init. Default true. */
  asInit?: boolean;
  /** The root it sees (a sub-container's, in its own mount namespace); default the sandbox's root. */
  root?: Dentry;
  /** The container it belongs to (ThreadGroup.containerId; its children inherit it); default none (''). */
  containerId?: string;
  /**
   * The pid namespace the process is made in (kernel.pidns.newChild(userns)
   * for a sub-container's): it becomes that namespace's pid 1 and init, the
   * reaper of its orphans, whose death kills the rest of it. Default: the
   * root namespace.
   */
  pidns?: PIDNamespace;
  /** The IPC namespace the process is made in (a sub-container's own); default the sandbox's (kernel.ipcns). */
  ipcns?: IPCNamespace;
}

/**
 * The first process could not be loaded: errno from the loader, and
 * whether argv[0] was a bare name that no PATH directory held (the OCI
 * runtime words that as runc does; do as a shell does).
 */
export class ExecError extends BootError {
  constructor(readonly argv0: string, readonly errno: number, readonly notInPath: boolean) {
    super(`${argv0}: ${describeErrno(errno)}`, errno === 2 ? 127 : 126);
  }
}

/**
 * Loads the first process (pid 1): exec'd into its own address space and
 * stopped before its first instruction. It runs once runInit schedules it.
 * Throws ExecError, or a BootError for the working directory or a program
 * whose segments cannot be mapped.
 */
export function loadInit(sk: SandboxKernel, spec: InitSpec): Task {
  const { kernel, vfs } = sk;
  // Without --net-raw no process of the sandbox has CAP_NET_RAW, whatever its spec grants (runsc's specutils.Capabilities).
  const creds = sk.netRaw ? spec.creds : spec.creds.withoutCapability(CAP_NET_RAW);
  const root = spec.root ?? vfs.root;
  const cwd = vfs.walk(creds, root, root, latin1(spec.cwd), { followFinal: true });
  if (typeof cwd === 'number') throw new BootError(`${spec.cwdName} ${spec.cwd}: ${errnoName(-cwd)}`, 125);
  const argv = spec.argv.map(latin1);
  const envp = spec.env.map(latin1);
  let res: ReturnType<typeof load>;
  let path: string | null;
  try {
    path = spec.path !== undefined ? latin1(spec.path) : resolveCommand(vfs, creds, root, cwd, argv[0], envp);
    res = load({ kernel, creds, root, cwd, path: path ?? argv[0], argv, envp });
  } catch (e) {
    if (e instanceof PlatformError) throw new BootError(e.message, 125);
    throw e;
  }
  if (typeof res === 'number') throw new ExecError(spec.argv[0], -res, path === null && -res === ENOENT);
  if ('fatal' in res) {
    // Linux would end the new process with SIGSEGV: the shell's status for it.
    throw new BootError(`${spec.argv[0]}: its segments cannot be mapped (${describeErrno(-res.fatal)})`, 128 + 11);
  }
  const pidns = spec.pidns ?? kernel.pidns;
  if (pidns.dead) throw new BootError('its pid namespace has no init any more', 125);
  const tgid = pidns.allocate();
  const tg = new ThreadGroup(tgid, spec.rlimits ?? sk.rlimits);
  if (spec.oomScoreAdj !== undefined) tg.oomScoreAdj = spec.oomScoreAdj;
  tg.containerId = spec.containerId ?? '';
  const fdTable = new FDTable();
  for (const f of spec.files) {
    // A descriptor tsvisor was started without stays closed for the program too.
    if (native.fstat(f.hostFd, new Uint8Array(144)) < 0) continue;
    const file = new HostFD(f.hostFd, f.flags, `host:[${f.hostFd}]`, f.owned === true);
    fdTable.installAt(f.guestFd, file, false, 1 << 20);
    decRef(file);
  }
  const task = new Task(kernel, tgid, tg, res.ctx, res.mm, fdTable, root, cwd, creds);
  task.comm = res.comm;
  if (spec.umask !== undefined) task.umask = spec.umask & 0o777;
  if (spec.noNewPrivs === true) task.prctl.noNewPrivs = 1;
  if (spec.ipcns !== undefined) task.setIpcns(spec.ipcns);
  tg.tasks.push(task);
  if (spec.pidns !== undefined && spec.pidns !== kernel.pidns) {
    if (spec.pidns.init === null) spec.pidns.init = tg;
  } else if (spec.asInit !== false) {
    kernel.initTg = tg;
  }
  kernel.taskStarted(task);
  return task;
}

/**
 * SIGUSR1 to the Sentry asks for the task dump (in the debug log, else on
 * stderr); handling it also keeps Node from opening its inspector on it.
 * Returns the function that removes the handler.
 */
export function installTaskDump(kernel: Kernel, log: Logger): () => void {
  const dump = () => {
    const lines = dumpTasks(kernel);
    if (log.enabled) for (const l of lines) log.info(l);
    else writeStderr(lines.map((l) => `tsvisor: ${l}\n`).join(''));
  };
  process.on('SIGUSR1', dump);
  return () => process.off('SIGUSR1', dump);
}

/**
 * Raises the second wall once every host descriptor is open (the launcher
 * is told first that the Sentry handles its signals now). controlFd: the
 * control server's listening socket (loader.ts), the one socket the filter
 * lets the Sentry accept on; -1 for none.
 */
export function sealSentry(sk: SandboxKernel, controlFd = -1): void {
  const { launched, log } = sk;
  // The collections that find unreachable hostfs instances (fs/hostfs/roots.ts) need V8's gc, made before the seal.
  if (!prepareForcedGc()) log.warn('no forced garbage collection: the root descriptors of unreachable hostfs instances close only when V8 collects on its own');
  if (launched === null) {
    log.warn('--unsafe-no-walls: the Sentry runs in the host namespaces, with its capabilities, without seccomp');
    return;
  }
  signalReady(launched);
  try {
    seal(launched, log, {
      seccompLog: TSVISOR_TEST_BUILD && process.env.TSVISOR_TEST_SECCOMP_LOG === '1',
      writableVolumes: sk.writableVolumes,
      controlFd,
      inet: sk.inet,
      netRaw: sk.netRaw,
    });
  } catch (e) {
    if (e instanceof SealError) throw new BootError(`cannot seal the Sentry: ${e.message}`, 125);
    throw e;
  }
  if (TSVISOR_TEST_BUILD && process.env.TSVISOR_TEST_FORBIDDEN_CALL === '1') {
    // Test builds only (test/walls.test.js): a host call outside the filter.
    log.info('test: calling mkdir, which the filter does not allow');
    fs.mkdirSync('/forbidden');
  }
  if (TSVISOR_TEST_BUILD && process.env.TSVISOR_TEST_SOCKET_PAIRS === '1') {
    // Test builds only (test/walls.test.js): the filter's socket(2) pairs, asked of the host directly.
    const pairs = [[2, 1], [2, 2], [2, 3], [10, 3], [17, 3], [17, 2], [17, 10], [16, 3], [1, 1]];
    const got = pairs.map(([f, ty]) => {
      const fd = native.sockSocket(f, ty, f === 17 ? 0x0300 : f === 16 ? 0 : ty === 3 ? 1 : 0);
      if (fd >= 0) native.close(fd);
      return `${f}/${ty}=${fd >= 0 ? 'ok' : fd}`;
    });
    log.info(`test: socket pairs after the seal: ${got.join(' ')}`);
  }
}

/**
 * Runs the first process (it starts now) until every task has exited;
 * resolves to the first process's wait status, once the sandbox's host
 * resources (the root and volume descriptors, the stubs) are released.
 */
export function runInit(sk: SandboxKernel, task: Task): Promise<number> {
  return new Promise((resolve) => {
    sk.kernel.onAllExited = (status) => {
      sk.log.info(`sandbox exited with wait status 0x${status.toString(16)}`);
      sk.roots.closeAll();
      sk.platform.release();
      resolve(status);
    };
    sk.kernel.schedule(task);
  });
}

/** A wait status as a shell reports it: the exit code, or 128 + the signal that killed it. */
export function shellStatus(waitStatus: number): number {
  return (waitStatus & 0x7f) !== 0 ? 128 + (waitStatus & 0x7f) : (waitStatus >> 8) & 0xff;
}

/** Runs argv in a new sandbox; resolves to the exit status as a shell reports it. */
export async function runDo(opts: DoOptions): Promise<number> {
  const log = new Logger(opts.debugLog, { format: opts.logFormat });
  log.info(`tsvisor do: root=${opts.root} argv=${JSON.stringify(opts.argv)}`);
  const sk = buildKernel({ ...opts, log });
  const creds = Credentials.of(process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  const task = loadInit(sk, { argv: opts.argv, env: opts.env, cwd: opts.cwd, creds, files: CALLER_STDIO, cwdName: '--cwd' });
  // Signals sent to tsvisor go to the program, as runsc do forwards them (host_signals.ts).
  const unforward = forwardHostSignals(task, attachHostTerminal(task, task.fdTable));
  const undump = installTaskDump(sk.kernel, log);
  sealSentry(sk);
  const status = await runInit(sk, task);
  unforward();
  undump();
  log.close();
  return shellStatus(status);
}

/** The shell's default PATH, used when the program's environment has none (as runsc's loader does). */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The file a command names, as runsc resolves it: a name with a slash is a
 * path; a bare name is looked up in the PATH of the program's environment,
 * inside the sandbox, and the first executable regular file found wins.
 * Not found: null (the loader is then given the name as it is, and says ENOENT).
 */
function resolveCommand(vfs: VirtualFilesystem, creds: Credentials, root: Dentry, cwd: Dentry, name: string, envp: string[]): string | null {
  if (name.includes('/') || name.length === 0) return name;
  const entry = envp.find((e) => e.startsWith('PATH='));
  const dirs = (entry === undefined ? DEFAULT_PATH : entry.slice(5)).split(':');
  for (const dir of dirs) {
    const candidate = `${dir === '' ? '.' : dir}/${name}`;
    const d = vfs.walk(creds, root, cwd, candidate, { followFinal: true });
    if (typeof d !== 'number' && checkExecutable(creds, d) === 0) return candidate;
  }
  return null;
}

function describeErrno(e: number): string {
  switch (e) {
    case 2: return 'no such file or directory (ENOENT)';
    case 13: return 'permission denied (EACCES)';
    case 8: return 'exec format error (ENOEXEC)';
    case 20: return 'not a directory (ENOTDIR)';
    case 40: return 'too many levels of symbolic links (ELOOP)';
    default: return `cannot execute (${errnoName(e)})`;
  }
}
