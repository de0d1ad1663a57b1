// Credentials (gVisor pkg/sentry/kernel/auth.Credentials): the ids a task
// acts with. Capabilities and user namespaces come with the OCI work; for
// now uid 0 inside the sandbox is all-powerful over sandbox objects, and
// nothing inside the sandbox is a host privilege.

export class Credentials {
  constructor(
    public ruid: number, public euid: number, public suid: number,
    public rgid: number, public egid: number, public sgid: number,
    public groups: number[] = [],
  ) {}

  static of(uid: number, gid: number, groups: number[] = []): Credentials {
    return new Credentials(uid, uid, uid, gid, gid, gid, groups);
  }

  get fsuid(): number {
    return this.euid;
  }

  clone(): Credentials {
    return new Credentials(this.ruid, this.euid, this.suid, this.rgid, this.egid, this.sgid, [...this.groups]);
  }
}
