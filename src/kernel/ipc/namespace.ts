// IPCNamespace (Linux's struct ipc_namespace, gVisor
// pkg/sentry/kernel/ipc_namespace.go): the SysV IPC objects one set of
// processes can name, with their limits. The kernel's root one is the
// sandbox's (each sandbox, hence each `tsvisor do` and each container,
// has its own); clone(2) and unshare(2) with CLONE_NEWIPC make new ones,
// empty, owned by the caller's user namespace.
//
// Differs from Linux: a namespace lives while a task is in it (Linux's
// also while a /proc/PID/ns/ipc reference or a mount of mqueue holds it);
// no setns(2) into one (no /proc/PID/ns/ipc file to
// open); POSIX message queues (mqueue) are not part of it.

import type { Kernel } from '../kernel.js';
import type { UserNamespace } from '../user_namespace.js';
import { ShmRegistry } from './shm.js';
import { SemRegistry } from './sem.js';
import { MsgRegistry } from './msg.js';

export class IPCNamespace {
  readonly shm = new ShmRegistry();
  readonly sem = new SemRegistry();
  readonly msg = new MsgRegistry();
  /** Tasks in it (Task.ipcns); a namespace made by CLONE_NEWIPC is freed with its last one, as Linux's put_ipc_ns. */
  users = 0;

  constructor(
    private readonly kernel: Kernel,
    /** The user namespace that owns it; null: the sandbox's (Kernel.userns, which the boot loader sets). */
    private readonly owner: UserNamespace | null,
  ) {}

  /** The namespace capabilities over its objects are checked in (CAP_IPC_OWNER, CAP_SYS_ADMIN). */
  get userns(): UserNamespace {
    return this.owner ?? this.kernel.userns;
  }

  /** A task joins it. */
  enter(): void {
    this.users++;
  }

  /**
   * A task leaves it (exit, or CLONE_NEWIPC's unshare): when the last one
   * of a namespace other than the sandbox's goes, its objects go too
   * (free_ipc_ns: shm_exit_ns); mappings that still hold a segment's
   * pages keep them until they are unmapped.
   */
  leave(): void {
    if (--this.users > 0 || this.owner === null) return;
    for (const s of this.shm.objects.all()) this.shm.destroy(s);
    for (const s of this.sem.objects.all()) s.remove();
    for (const q of this.msg.objects.all()) q.remove();
  }

  /** A new, empty namespace owned by owner (CLONE_NEWIPC). */
  newChild(owner: UserNamespace): IPCNamespace {
    return new IPCNamespace(this.kernel, owner);
  }
}
