// Creating tasks (gVisor pkg/sentry/kernel/task_clone.go): fork(2),
// vfork(2) and clone(2). Without CLONE_THREAD the child is a new thread
// group with a copy of the parent's address space on a new stub process,
// the parent's registers (returning 0), a copy of its descriptor table
// (or the same one, CLONE_FILES), signal dispositions, mask, limits, ids
// and process group. With CLONE_THREAD (and the CLONE_VM and CLONE_SIGHAND
// it needs) the child is a new thread of the caller's process: a new host
// thread in the same stub, the same memory, descriptor table and
// dispositions, its own registers, stack and TLS.
//
// The address space is shared copy-on-write (MemoryManager.fork).
//
// Differs from Linux: a CLONE_VM|CLONE_VFORK child (vfork, posix_spawn)
// gets a copy-on-write copy too, not the parent's own memory, which is
// invisible to programs that only exec or _exit in the child, as POSIX
// asks of them (glibc's posix_spawn then reports a failed exec through the
// child's exit status 127 instead of its return value). Not supported
// (ENOSYS): a process sharing memory or dispositions without being a
// thread (CLONE_VM without CLONE_THREAD or CLONE_VFORK, CLONE_SIGHAND
// without CLONE_THREAD), CLONE_PARENT, pidfds and new namespaces other
// than mount (CLONE_NEWNS), IPC (CLONE_NEWIPC: a new, empty
// ipc/namespace.ts owned by the child's user namespace), pid (CLONE_NEWPID: the child is pid 1 and init
// of a new namespace under the caller's pid_for_children one,
// pid_namespace.ts) and user (CLONE_NEWUSER: the child's credentials move
// into a new user namespace, user_namespace.ts, before anything else is
// made of them, so a CLONE_NEWNS or CLONE_NEWPID beside it is checked
// against the new one, as Linux's copy_creds comes before
// copy_namespaces).
//
// The child's ids come from the caller's pid_for_children namespace
// (Task.pidnsForChildren): the caller sees its id there from clone and
// CLONE_PARENT_SETTID, the child its own with CLONE_CHILD_SETTID.

import type { Task } from './task.js';
import { Task as TaskClass, TaskState } from './task.js';
import type { Context } from '../platform/platform.js';
import type { MemoryManager } from '../mm/mm.js';
import { ThreadGroup } from './thread_group.js';
import { PlatformError } from '../platform/platform.js';
import { Reg } from '../platform/registers.js';
import { EAGAIN, EINVAL, ENOMEM, ENOSYS, EPERM } from '../abi/linux/errno.js';
import { CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from '../abi/linux/capability.js';
import { inheritSeccomp } from './seccomp.js';
import { UserNamespace } from './user_namespace.js';
import type { Credentials } from './credentials.js';
import type { PIDNamespace } from './pid_namespace.js';

export const CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
  CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000,
  CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000,
  CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000, CLONE_UNTRACED = 0x800000,
  CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000,
  CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000;

/** Flags that only change what the tracer or the I/O scheduler sees: accepted, as Linux accepts them. */
const HARMLESS = CLONE_PTRACE | CLONE_UNTRACED | CLONE_DETACHED | CLONE_IO;
const SUPPORTED = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_VFORK |
  CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_SYSVSEM | HARMLESS;

export interface CloneArgs {
  flags: number;
  /** The child's stack pointer (0: the parent's). */
  stack: number;
  parentTid: number;
  childTid: number;
  tls: number;
}

/** Linux's flag checks, in its order; 0 when the combination is valid. */
function checkCloneFlags(flags: number): number {
  if ((flags & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return -EINVAL;
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) === (CLONE_NEWUSER | CLONE_FS)) return -EINVAL;
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return -EINVAL;
  // A thread cannot be in another user or pid namespace than its process.
  if (flags & CLONE_THREAD && flags & (CLONE_NEWUSER | CLONE_NEWPID)) return -EINVAL;
  // A new IPC namespace cannot keep the SysV semaphore undo list of the old one (copy_process).
  if ((flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) === (CLONE_NEWIPC | CLONE_SYSVSEM)) return -EINVAL;
  return 0;
}

/**
 * Linux's current_chrooted: whether t's root is not its mount namespace's
 * (the top of what is mounted on the namespace's root). A process in a
 * chroot may not make a user namespace (EPERM), or it could escape it.
 */
export function chrooted(t: Task): boolean {
  let top = t.fs.mntns.root;
  while (top.root.mounted !== null) top = top.root.mounted;
  return t.fs.root !== top.root;
}

/** Credentials in a new user namespace made by c (clone's and unshare's CLONE_NEWUSER): a copy, or -errno. */
export function credentialsInNewUserNamespace(t: Task, c: Credentials): Credentials | number {
  const ns = UserNamespace.create(c, chrooted(t));
  if (typeof ns === 'number') return ns;
  const n = c.clone();
  n.enterUserNamespace(ns);
  return n;
}

/** The new task's context: a new host thread in the caller's stub, or a new stub with a copy of the memory. */
function newContext(t: Task, thread: boolean): { ctx: Context; mm: MemoryManager } | number {
  const k = t.kernel;
  if (thread) {
    const ctx = t.mm.as.newThread();
    if (typeof ctx === 'number') return -EAGAIN;
    return { ctx, mm: t.mm };
  }
  let made: ReturnType<typeof k.newAddressSpace>;
  try {
    made = k.newAddressSpace();
  } catch (e) {
    if (e instanceof PlatformError) {
      k.log.warn(`fork: ${e.message}`);
      return -EAGAIN;
    }
    throw e;
  }
  const mm = t.mm.fork(made.as);
  if (typeof mm === 'number') {
    made.as.release();
    return -ENOMEM;
  }
  return { ctx: made.ctx, mm };
}

/** Makes the child of t; returns it, or -errno (the parent is unchanged). */
export function forkTask(t: Task, a: CloneArgs): Task | number {
  const bad = checkCloneFlags(a.flags);
  if (bad < 0) return bad;
  // What is not there yet is ENOSYS, never a half-done success.
  if ((a.flags & ~SUPPORTED) !== 0) return -ENOSYS;
  const thread = (a.flags & CLONE_THREAD) !== 0;
  if (a.flags & CLONE_VM && !thread && !(a.flags & CLONE_VFORK)) return -ENOSYS;
  const k = t.kernel;
  const tg = t.tg;
  // The child's credentials: the parent's, in a new user namespace with CLONE_NEWUSER.
  let creds = t.creds.clone();
  if (a.flags & CLONE_NEWUSER) {
    const c = credentialsInNewUserNamespace(t, creds);
    if (typeof c === 'number') return c;
    creds = c;
  }
  // A new mount or pid namespace needs CAP_SYS_ADMIN in the child's user namespace.
  if (a.flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC) && !creds.hasCapability(CAP_SYS_ADMIN)) return -EPERM;
  // The namespace the child's ids come from: a thread stays in its
  // process's, which must be where new children go (Linux's copy_process).
  let pidns: PIDNamespace = t.pidnsForChildren;
  if (thread && pidns !== t.pidns) return -EINVAL;
  if (a.flags & CLONE_NEWPID) {
    // copy_pid_ns: only from the caller's own namespace (not after an unshare(CLONE_NEWPID) not yet used).
    if (pidns !== t.pidns) return -EINVAL;
    const ns = pidns.newChild(creds.userns);
    if (typeof ns === 'number') return ns;
    pidns = ns;
  }
  // A namespace whose init has died takes no one (alloc_pid's PIDNS_ADDING).
  if (pidns.dead) return -ENOMEM;
  // The sandbox's task limit (a pids cgroup's), then RLIMIT_NPROC for this
  // user (the initial namespace's root, and CAP_SYS_RESOURCE or
  // CAP_SYS_ADMIN there, are exempt).
  if (k.pidns.tasks.size >= k.maxTasks) return -EAGAIN;
  const nproc = tg.rlimits[6].cur;
  if (t.creds.ruid !== 0 && nproc < 2n ** 31n && !t.creds.hasCapabilityInRoot(CAP_SYS_RESOURCE) &&
    !t.creds.hasCapabilityInRoot(CAP_SYS_ADMIN)) {
    let n = 0;
    for (const o of k.pidns.tasks.values()) if (o.state !== TaskState.Dead && o.creds.ruid === t.creds.ruid) n++;
    if (n >= Number(nproc)) return -EAGAIN;
  }

  // The copy of the descriptor table must fit the sandbox's descriptor slots (kernel/limits.ts).
  if ((a.flags & CLONE_FILES) === 0 && !t.fdTable.canFork()) return -ENOMEM;
  const made = newContext(t, thread);
  if (typeof made === 'number') return made;
  const { ctx, mm } = made;
  // The parent's registers, returning 0, on the given stack and TLS.
  ctx.regs.copyFrom(t.ctx.regs);
  ctx.regs.set(Reg.RAX, 0);
  if (a.stack !== 0) ctx.regs.set(Reg.RSP, a.stack);
  if (a.flags & CLONE_SETTLS) ctx.regs.set(Reg.FS_BASE, a.tls);
  ctx.regsDirty = true;
  const fp = t.ctx.getFPState();
  if (typeof fp !== 'number') ctx.setFPState(fp);

  // The file system context first: a new mount namespace is the last thing that can fail.
  const fs = a.flags & CLONE_FS ? t.fs : t.fs.clone();
  if (a.flags & CLONE_NEWNS) {
    const e = fs.unshareNamespace(k.vfs, creds.userns);
    if (e < 0) return e;
  }
  const pid = pidns.allocate();
  let ctg = tg;
  if (!thread) {
    ctg = new ThreadGroup(pid, tg.rlimits);
    for (let i = 0; i < tg.sigactions.length; i++) Object.assign(ctg.sigactions[i], tg.sigactions[i]);
    ctg.pgrp = tg.pgrp;
    ctg.session = tg.session;
    ctg.tty = tg.tty;
    ctg.parent = tg;
    // The first process of a namespace is its init (pid 1), its child reaper.
    if (pidns.init === null && pid.nrs[pidns.level] === 1) pidns.init = ctg;
    ctg.exitSignal = a.flags & CSIGNAL;
    ctg.personality = tg.personality;
    ctg.oomScoreAdj = tg.oomScoreAdj;
    ctg.oomScoreAdjMin = tg.oomScoreAdjMin;
    ctg.containerId = tg.containerId;
    ctg.startTime = k.ticks();
    tg.children.add(ctg);
  }
  let files = t.fdTable;
  if (a.flags & CLONE_FILES) files.users++;
  else files = files.fork();
  const c = new TaskClass(k, pid, ctg, ctx, mm, files, fs.root, fs.cwd, creds, fs);
  c.comm = t.comm;
  c.sigmask = t.sigmask;
  // A thread on a new stack starts without the alternate signal stack, as in Linux.
  c.altStack = a.flags & CLONE_VM && !(a.flags & CLONE_VFORK) ? { sp: 0, flags: 2, size: 0 } : { ...t.altStack };
  c.nice = t.nice;
  c.schedPolicy = t.schedResetOnFork ? 0 : t.schedPolicy;
  // A new process is not a subreaper (its threads share their process's setting).
  c.prctl = { ...t.prctl, pdeathsig: 0, subreaper: thread ? t.prctl.subreaper : 0 };
  inheritSeccomp(c, t);
  if (a.flags & CLONE_SYSVSEM) {
    // copy_semundo: parent and child share one undo list from now on.
    c.semUndo = t.undoList();
    c.semUndo.refs++;
  }
  if (a.flags & CLONE_NEWIPC) c.setIpcns(t.ipcns.newChild(creds.userns));
  else c.setIpcns(t.ipcns);
  if (a.flags & CLONE_CHILD_CLEARTID) c.clearChildTid = a.childTid;
  ctg.tasks.push(c);
  k.taskStarted(c);

  // The tid words: the child's in its memory (its id in its own namespace),
  // the parent's in the parent's (the id the parent sees; the same memory
  // for a thread); a bad address is ignored, as in Linux.
  const tidBytes = new Uint8Array(4);
  const dv = new DataView(tidBytes.buffer);
  if (a.flags & CLONE_CHILD_SETTID) {
    dv.setInt32(0, pid.nrs[pidns.level], true);
    mm.copyOut(a.childTid, tidBytes);
  }
  if (a.flags & CLONE_PARENT_SETTID) {
    dv.setInt32(0, pid.nr(t.pidns), true);
    t.mm.copyOut(a.parentTid, tidBytes);
  }
  k.schedule(c);
  return c;
}
