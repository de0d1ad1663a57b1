// PID namespaces (gVisor pkg/sentry/kernel/pid.go PIDNamespace, Linux's
// kernel/pid_namespace.c and struct pid, pid_namespaces(7)). The sandbox
// has a root namespace (Kernel.pidns); clone and unshare with CLONE_NEWPID
// make children of it, up to 32 levels. A task has one id in its own
// namespace and in each ancestor: its Pid (Linux's struct pid) holds them,
// one per level. The Sentry keeps `task.tid` and `tg.tgid` as the ids in
// the root namespace (the numbers the debug log, the control server and
// the process tree use); every id a program sees or names goes through
// the caller's namespace (idOfTask, idOfThreadGroup, taskWithId).
//
// The first process of a namespace is its init (Linux's child_reaper):
// orphans of the namespace go to it, and when it dies every other process
// of the namespace is killed and the namespace takes no new process (fork
// into it is ENOMEM, Linux's cleared PIDNS_ADDING).
//
// Differs from Linux: ids are not reused before the counter passes 2^31
// (no pid_max wrap: /proc/sys/kernel/pid_max is not consulted); clone3's
// set_tid is not served.

import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import type { UserNamespace } from './user_namespace.js';

/** Linux's MAX_PID_NS_LEVEL: a namespace at this level has no children (ENOSPC). */
export const MAX_PID_NS_LEVEL = 32;
/** The inode number of the initial pid namespace (/proc/PID/ns/pid). */
const ROOT_INO = 4026531836;
/** New namespaces' inode numbers: from PROC_DYNAMIC_FIRST's range, below the user namespaces' (user_namespace.ts). */
let nextIno = 4026532200;

/**
 * Linux's struct pid: the ids one task (or a process group, or a session,
 * which keep their leader's Pid) has in its namespace and every ancestor;
 * nrs[level] is the id in the namespace at that level.
 */
export class Pid {
  /** The id in its own namespace, the innermost (getpid's and gettid's answer, without a walk). */
  readonly vnr: number;

  constructor(readonly ns: PIDNamespace, readonly nrs: readonly number[]) {
    this.vnr = nrs[ns.level];
  }

  /** The id in ns (Linux's pid_nr_ns): 0 when ns is not this Pid's namespace or an ancestor of it. */
  nr(ns: PIDNamespace): number {
    const level = ns.level;
    if (level === 0) return this.nrs[0];
    let o = this.ns;
    if (o.level < level) return 0;
    while (o.level > level) o = o.parent as PIDNamespace;
    return o === ns ? this.nrs[level] : 0;
  }
}

export class PIDNamespace {
  private next = 1;
  /** Tasks (threads included, zombies until reaped) by their id here: this namespace's and its descendants'. */
  readonly tasks = new Map<number, Task>();
  readonly level: number;
  /** /proc/PID/ns/pid's inode number. */
  readonly ino: number;
  /**
   * The namespace's init (Linux's child_reaper): the first process made in
   * it, null until then. The root namespace's is Kernel.initTg.
   */
  init: ThreadGroup | null = null;
  /** Set when the init has died: nothing new may join (fork ENOMEM). */
  dead = false;

  private constructor(
    /** The namespace this one was made in; null for the root. */
    readonly parent: PIDNamespace | null,
    /** The user namespace that owns it (CAP_SYS_ADMIN there governs it). */
    readonly userns: UserNamespace,
  ) {
    this.level = parent === null ? 0 : parent.level + 1;
    this.ino = parent === null ? ROOT_INO : nextIno++;
  }

  /** The root namespace of a kernel. */
  static root(userns: UserNamespace): PIDNamespace {
    return new PIDNamespace(null, userns);
  }

  /**
   * A child of this namespace owned by userns (clone's and unshare's
   * CLONE_NEWPID; the boot loader's for a sub-container): ENOSPC beyond
   * MAX_PID_NS_LEVEL levels, as Linux's create_pid_namespace.
   */
  newChild(userns: UserNamespace): PIDNamespace | number {
    if (this.level >= MAX_PID_NS_LEVEL) return -28; // ENOSPC
    return new PIDNamespace(this, userns);
  }

  /** Whether this namespace is ns or one of its ancestors (Linux's pidns_is_ancestor, inclusive). */
  isAncestorOf(ns: PIDNamespace): boolean {
    let o: PIDNamespace | null = ns;
    while (o !== null && o.level > this.level) o = o.parent;
    return o === this;
  }

  /** The ancestors from this namespace up to the root, innermost first. */
  private chain(): PIDNamespace[] {
    const out: PIDNamespace[] = [];
    for (let o: PIDNamespace | null = this; o !== null; o = o.parent) out.push(o);
    return out;
  }

  private allocateHere(): number {
    while (this.tasks.has(this.next)) this.next++;
    return this.next++;
  }

  /** A new Pid in this namespace: an id here and in every ancestor (Linux's alloc_pid). */
  allocate(): Pid {
    const nrs: number[] = new Array<number>(this.level + 1);
    for (const o of this.chain()) nrs[o.level] = o.allocateHere();
    return new Pid(this, nrs);
  }

  /** The last id handed out here (/proc/loadavg's last field; /proc/stat's processes). */
  get lastAllocated(): number {
    return this.next - 1;
  }

  /** t's thread id here, 0 if t is not in this namespace or a descendant (Linux's task_pid_nr_ns). */
  idOfTask(t: Task): number {
    return t.threadPid.nr(this);
  }

  /** tg's process id here, 0 if not visible (task_tgid_nr_ns). */
  idOfThreadGroup(tg: ThreadGroup): number {
    return tg.tgidPid.nr(this);
  }

  /** The task with this id here (threads too), or undefined (find_task_by_pid_ns). */
  taskWithId(id: number): Task | undefined {
    return this.tasks.get(id);
  }

  /** The process whose process id here is id (not a thread's id), or undefined. */
  threadGroupWithId(id: number): ThreadGroup | undefined {
    const t = this.tasks.get(id);
    return t !== undefined && t.tg.tgidPid.nr(this) === id ? t.tg : undefined;
  }
}

/** Makes t known by its ids in its namespace and every ancestor. */
export function attachTask(t: Task): void {
  const p = t.threadPid;
  for (let o: PIDNamespace | null = p.ns; o !== null; o = o.parent) o.tasks.set(p.nrs[o.level], t);
}

/** Frees t's ids (its exit, or its reaping for a zombie leader); an id now another task's is left alone. */
export function detachTask(t: Task): void {
  const p = t.threadPid;
  for (let o: PIDNamespace | null = p.ns; o !== null; o = o.parent) {
    const nr = p.nrs[o.level];
    if (o.tasks.get(nr) === t) o.tasks.delete(nr);
  }
}
