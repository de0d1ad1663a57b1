// /proc/PID and /proc/PID/task/TID (Linux's proc_pid_base_operations,
// proc_tid_base_operations): a directory per task, its files (task_files.ts,
// maps.ts), its symlinks (exe, cwd, root), and its subdirectories fd/,
// fdinfo/, ns/ and task/.
//
// A node keeps the Task it was made for: once that task's pid is gone
// (reaped), lookups fail with ENOENT and reads with ESRCH, as Linux's do
// for a stale /proc/PID, even if the number is reused.
//
// fd/N, exe, cwd and root are magic links (followMagicLink): fd/N opens
// the descriptor's own file (a pipe through pipefs), exe the program's
// file, cwd and root the task's own directories. ns/ links name the
// task's user and pid namespaces (pid_for_children: the one its children
// go into) and the sandbox's single namespaces of the other kinds, and
// cannot be opened (no setns). The files are owned by the
// task's euid/egid while it is dumpable, as Linux's (stat shows them in
// the caller's user namespace).

import type { Task } from '../../kernel/task.js';
import type { Inode } from '../../vfs/inode.js';
import { InotifyFD } from '../../vfs/inotify/inotify_fd.js';
import { FileDescription, O_ACCMODE, O_RDONLY, O_WRONLY } from '../../vfs/file_description.js';
import { EACCES, ENOENT, ENXIO } from '../../abi/linux/errno.js';
import { Dentry } from '../../vfs/dentry.js';
import { PipeFD } from '../../kernel/pipe.js';
import { pipeDentry } from '../pipefs.js';
import { HostFD } from '../host_fd.js';
import { hostFdDentry } from '../host_fd_reopen.js';
import { KDir, KFile, KSymlink, KernelFile } from './nodes.js';
import type { KernFileSystem } from './nodes.js';
import { PROCESS_ONLY, TASK_FILES } from './task_files.js';
import type { PIDNamespace } from '../../kernel/pid_namespace.js';
import type { TaskFileSpec } from './task_files.js';
import { genMaps, genSmaps } from './maps.js';
import { goneErr, hasMM, mayPtraceRead, ownerOf, threadsOf } from './task_state.js';

/** What task nodes need of the procfs instance. */
export interface ProcFS extends KernFileSystem {
  /** The pid namespace the instance shows (its ids name the directories and fill stat and status). */
  readonly pidns: PIDNamespace;
}

/** Entries that are not generated files: name -> kind. */
const SPECIAL = ['task', 'fd', 'fdinfo', 'ns', 'net', 'exe', 'cwd', 'root', 'maps', 'smaps', 'mem'] as const;
type Special = (typeof SPECIAL)[number];

const MAPS: TaskFileSpec = { perm: 0o444, ptraceOnOpen: true, gen: (c) => (hasMM(c.task) ? genMaps(c.task) : '') };
const SMAPS: TaskFileSpec = { perm: 0o444, ptraceOnOpen: true, gen: (c) => (hasMM(c.task) ? genSmaps(c.task) : '') };

const FILE_NAMES = Object.keys(TASK_FILES);
const ALL_NAMES = [...SPECIAL, ...FILE_NAMES];

/** Inode numbers of a task's nodes: a fixed slot per name, so that the same file keeps its number. */
const SLOT = new Map<string, number>(ALL_NAMES.map((n, i) => [n, i + 1]));
const INO_BASE = 1 << 20;
const SLOTS = 64;
function taskIno(t: Task, whole: boolean, name: string): number {
  return INO_BASE + (t.tid * 2 + (whole ? 0 : 1)) * SLOTS + (SLOT.get(name) ?? 0);
}

/** Something that belongs to a task: gone when the task is, owned by it. */
interface TaskOwned {
  readonly task: Task;
}

export class TaskDir extends KDir implements TaskOwned {
  constructor(
    override readonly fs: ProcFS,
    readonly task: Task,
    /** /proc/PID (true) or /proc/PID/task/TID (false). */
    readonly whole: boolean,
  ) {
    super(fs, taskIno(task, whole, ''), 0o555);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }

  list(): string[] {
    return ALL_NAMES.filter((n) => this.whole || (n !== 'task' && !PROCESS_ONLY.has(n)));
  }

  child(name: string): Inode | number {
    if (!this.list().includes(name)) return -ENOENT;
    const fs = this.fs, t = this.task, ino = taskIno(t, this.whole, name);
    switch (name as Special) {
      case 'task': return new ThreadsDir(fs, t, ino);
      case 'fd': return new FdDir(fs, t, ino, false);
      case 'fdinfo': return new FdDir(fs, t, ino, true);
      case 'ns': return new NsDir(fs, t, ino);
      case 'net': return new NetDir(fs, t, ino);
      case 'exe': return new TaskMagicLink(fs, t, ino, 'exe');
      case 'cwd': return new TaskMagicLink(fs, t, ino, 'cwd');
      case 'root': return new TaskMagicLink(fs, t, ino, 'root');
      case 'maps': return new TaskFile(fs, t, ino, this.whole, MAPS);
      case 'smaps': return new TaskFile(fs, t, ino, this.whole, SMAPS);
      case 'mem': return new MemFile(fs, t, ino);
    }
    return new TaskFile(fs, t, ino, this.whole, TASK_FILES[name]);
  }

  override dirLinks(): number {
    return this.whole ? 7 : 6;
  }
}

/** A directory of a task's: owned as the task is, gone with it. */
abstract class TaskOwnedDir extends KDir implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, ino: number, perm: number) {
    super(fs, ino, perm);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }
}

/**
 * /proc/PID/net: the files of the sandbox's network (Kernel.network), the
 * same for every task, since a sandbox has one network namespace.
 */
class NetDir extends TaskOwnedDir {
  constructor(fs: ProcFS, task: Task, ino: number) {
    super(fs, task, ino, 0o555);
  }

  list(): string[] {
    return [...(this.fs.kernel.network?.procNetFiles() ?? [])];
  }

  child(name: string): Inode | number {
    const net = this.fs.kernel.network;
    if (net === null || !net.procNetFiles().includes(name)) return -ENOENT;
    return new KernelFile(this.fs, (k) => k.network?.procNet(name) ?? -ENOENT);
  }

  override dirLinks(): number {
    return 2;
  }
}

/** A generated file of a task. */
class TaskFile extends KFile implements TaskOwned {
  constructor(
    override readonly fs: ProcFS,
    readonly task: Task,
    ino: number,
    readonly whole: boolean,
    readonly spec: TaskFileSpec,
  ) {
    super(fs, ino, spec.perm);
    this.writesEmpty = spec.writesEmpty === true;
    if (spec.write !== undefined) this.write = (caller, data, off) => (spec.write as NonNullable<TaskFileSpec['write']>)(this.ctx(caller), data, off);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }

  private ctx(caller: Task | null) {
    return { task: this.task, whole: this.whole, caller, pidns: this.fs.pidns };
  }

  override mayOpen(caller: Task | null, flags: number): number {
    if (this.spec.ptraceOnOpen === true && !mayPtraceRead(caller, this.task)) return -EACCES;
    return this.spec.mayOpen?.(this.ctx(caller), flags) ?? 0;
  }

  generate(caller: Task | null): string | Uint8Array | number {
    return this.spec.gen(this.ctx(caller));
  }
}

/**
 * /proc/PID/mem: the address space, read and written at the offset that
 * is the address, as ptrace's PTRACE_PEEKDATA sees it (writes reach
 * read-only pages too, as FOLL_FORCE does). Needs ptrace access.
 */
class MemFile extends KFile implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, ino: number) {
    super(fs, ino, 0o600);
    this.write = () => -5;
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }

  override mayOpen(caller: Task | null): number {
    return mayPtraceRead(caller, this.task) ? 0 : -EACCES;
  }

  generate(): number {
    return -5; // EIO: mem is read at offsets, through MemFD
  }

  override makeFD(flags: number): FileDescription {
    return new MemFD(this, flags);
  }
}

const MEM_CHUNK = 65536;

class MemFD extends FileDescription {
  constructor(readonly file: MemFile, flags: number) {
    super(flags, null);
  }

  stat() {
    return this.file.stat();
  }

  override read(dsts: Uint8Array[], total: number, offset: number): number {
    const t = this.file.task;
    if (!hasMM(t)) return 0;
    const start = offset < 0 ? this.offset : offset;
    let pos = start;
    // Page by page, at most MEM_CHUNK at a time: the Sentry never copies more than that at once,
    // and a read ends at the first page that cannot be read (EIO if it is the first).
    outer: for (const d of dsts) {
      let o = 0;
      while (o < d.length) {
        const n = Math.min(d.length - o, MEM_CHUNK - (pos % 4096));
        const part = t.mm.copyIn(pos, n);
        if (part === null) break outer;
        d.set(part, o);
        o += n;
        pos += n;
      }
    }
    if (pos === start && total > 0) return -5; // EIO
    if (offset < 0) this.offset = pos;
    return pos - start;
  }

  override write(srcs: Uint8Array[], total: number, offset: number): number {
    const t = this.file.task;
    if (!hasMM(t)) return 0;
    let pos = offset < 0 ? this.offset : offset;
    let done = 0;
    for (const s of srcs) {
      const n = t.mm.copyOutPartial(pos, s, true);
      done += Math.max(0, n);
      pos += Math.max(0, n);
      if (n < s.length) break;
    }
    if (offset < 0) this.offset = pos;
    return done > 0 ? done : total === 0 ? 0 : -5;
  }
}

type LinkKind = 'exe' | 'cwd' | 'root';

/** exe, cwd, root: readable with ptrace access only (EACCES), ENOENT once the task has no such thing. */
class TaskLink extends KSymlink implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, ino: number, readonly kind: LinkKind) {
    super(fs, ino);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }

  target(caller: Task | null): string | number {
    const t = this.task;
    if (!mayPtraceRead(caller, t)) return -EACCES;
    if (!hasMM(t)) return -ENOENT;
    switch (this.kind) {
      case 'exe': return t.mm.executable === '' ? -ENOENT : t.mm.executable;
      case 'cwd': return t.cwd.path();
      case 'root': return t.root.path();
    }
  }
}

/**
 * exe, cwd and root are magic links (proc_exe_link, proc_cwd_link,
 * proc_root_link): following one goes to the program's file or the task's
 * own directory, by its dentry, in whatever mount namespace and under
 * whatever chroot it is (renamed or removed too), not to a path that
 * names it now.
 */
class TaskMagicLink extends TaskLink {
  followMagicLink(): Dentry | number {
    const t = this.task;
    if (!mayPtraceRead(this.fs.caller, t)) return -EACCES;
    if (goneErr(t) < 0 || !hasMM(t)) return -ENOENT;
    if (this.kind === 'exe') {
      const d = t.mm.exeDentry;
      return d instanceof Dentry ? d : -ENOENT;
    }
    return this.kind === 'cwd' ? t.cwd : t.root;
  }
}

/** /proc/PID/task: one directory per thread of the process. */
class ThreadsDir extends TaskOwnedDir {
  constructor(fs: ProcFS, task: Task, ino: number) {
    super(fs, task, ino, 0o555);
  }

  list(): string[] {
    return threadsOf(this.task).map((x) => String(this.fs.pidns.idOfTask(x)));
  }

  child(name: string): Inode | number {
    const t = threadsOf(this.task).find((x) => String(this.fs.pidns.idOfTask(x)) === name);
    return t === undefined ? -ENOENT : new TaskDir(this.fs, t, false);
  }

  override dirLinks(): number {
    return 2 + threadsOf(this.task).length;
  }
}

let nextFdIno = 2 ** 44;

/** fd/ (symlinks to the open files) or fdinfo/ (their position and flags). dr-x------, as Linux's. */
class FdDir extends TaskOwnedDir {
  constructor(fs: ProcFS, task: Task, ino: number, readonly info: boolean) {
    super(fs, task, ino, 0o500);
  }

  private fds(): number[] {
    return hasMM(this.task) ? this.task.fdTable.fds() : [];
  }

  list(): string[] {
    return this.fds().map(String);
  }

  child(name: string): Inode | number {
    if (!/^(0|[1-9]\d{0,9})$/.test(name)) return -ENOENT;
    const fd = Number(name);
    if (!hasMM(this.task) || this.task.fdTable.get(fd) === undefined) return -ENOENT;
    return this.info ? new FdInfoFile(this.fs, this.task, fd) : new FdLink(this.fs, this.task, fd);
  }
}

/** fd/N: lr-x------, l-wx------ or lrwx------ by the file's access mode. */
class FdLink extends KSymlink implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, readonly fd: number) {
    const f = task.fdTable.get(fd);
    const acc = (f?.flags ?? 0) & O_ACCMODE;
    const perm = acc === O_RDONLY ? 0o500 : acc === O_WRONLY ? 0o300 : 0o700;
    super(fs, nextFdIno++, perm);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    if (goneErr(this.task) < 0 || !hasMM(this.task) || this.task.fdTable.get(this.fd) === undefined) return -ENOENT;
    return 0;
  }

  target(caller: Task | null): string | number {
    if (!mayPtraceRead(caller, this.task)) return -EACCES;
    const f = this.task.fdTable.get(this.fd);
    return f === undefined ? -ENOENT : f.describe();
  }

  /**
   * The magic link (proc_fd_link): opening fd/N opens the file the
   * descriptor has, by its dentry, even if its name is gone; an anonymous
   * pipe through pipefs; a host descriptor the program was given through
   * host_fd_reopen.ts; a socket or an anonymous inode is ENXIO, as Linux
   * refuses to reopen them.
   */
  followMagicLink(): Dentry | number {
    if (!mayPtraceRead(this.fs.caller, this.task)) return -EACCES;
    const f = this.task.fdTable.get(this.fd);
    if (f === undefined) return -ENOENT;
    if (f.dentry !== null) return f.dentry;
    if (f instanceof PipeFD) return pipeDentry(f.pipe);
    if (f instanceof HostFD) return hostFdDentry(f);
    return -ENXIO;
  }
}

/** fdinfo/N: pos, flags (with O_CLOEXEC from the descriptor), mnt_id, ino. */
class FdInfoFile extends KFile implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, readonly fd: number) {
    super(fs, nextFdIno++, 0o444);
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    if (goneErr(this.task) < 0 || !hasMM(this.task) || this.task.fdTable.get(this.fd) === undefined) return -ENOENT;
    return 0;
  }

  override mayOpen(caller: Task | null): number {
    return mayPtraceRead(caller, this.task) ? 0 : -EACCES;
  }

  generate(): string | number {
    const t = this.task;
    const f = t.fdTable.get(this.fd);
    if (f === undefined) return -ENOENT;
    const O_CLOEXEC = 0o2000000;
    const flags = f.flags | (t.fdTable.getCloexec(this.fd) ? O_CLOEXEC : 0);
    const st = f.stat();
    const ino = typeof st === 'number' ? 0 : st.ino;
    // A file with no name (a pipe, a socket, an anonymous inode) is on no mount of the namespace.
    const mnt = f.dentry?.mount.id ?? 0;
    const watches = f instanceof InotifyFD ? f.fdinfo() : '';
    return `pos:\t${f.offset}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${mnt}\nino:\t${ino}\n${watches}`;
  }
}

/** The sandbox's namespaces, one of each kind, with the inode numbers of Linux's initial ones. */
const NAMESPACES: Record<string, number> = {
  cgroup: 4026531835, ipc: 4026531839, mnt: 4026531841, net: 4026531840, pid: 4026531836,
  pid_for_children: 4026531836, time: 4026531834, time_for_children: 4026531834, user: 4026531837, uts: 4026531838,
};

class NsDir extends TaskOwnedDir {
  constructor(fs: ProcFS, task: Task, ino: number) {
    super(fs, task, ino, 0o511);
  }

  list(): string[] {
    return Object.keys(NAMESPACES);
  }

  child(name: string): Inode | number {
    if (!(name in NAMESPACES)) return -ENOENT;
    return new NsLink(this.fs, this.task, name);
  }
}

class NsLink extends KSymlink implements TaskOwned {
  constructor(override readonly fs: ProcFS, readonly task: Task, readonly kind: string) {
    super(fs, INO_BASE - 64 + Object.keys(NAMESPACES).indexOf(kind));
  }

  override owner(): readonly [number, number] {
    return ownerOf(this.task);
  }

  override gone(): number {
    return goneErr(this.task);
  }

  target(caller: Task | null): string | number {
    if (!mayPtraceRead(caller, this.task)) return -EACCES;
    const type = this.kind.replace('_for_children', '');
    // The user and pid namespaces are the task's own (there may be many); the others are the sandbox's one of each kind.
    let ino = NAMESPACES[this.kind];
    if (type === 'user') ino = this.task.creds.userns.ino;
    else if (this.kind === 'pid') ino = this.task.pidns.ino;
    else if (this.kind === 'pid_for_children') {
      // Linux's pidns_for_children_get: nothing to name until the namespace has its init.
      const ns = this.task.pidnsForChildren;
      if (ns.parent !== null && ns.init === null) return -ENOENT;
      ino = ns.ino;
    }
    return `${type}:[${ino}]`;
  }
}
