// UTSNamespace (gVisor pkg/sentry/kernel.UTSNamespace): the names uname(2)
// reports. The release is the Linux version whose ABI the Sentry follows,
// not the host's, so nothing about the host kernel leaks through uname.

export class UTSNamespace {
  constructor(
    public hostName: string,
    public domainName = '(none)',
  ) {}
  static readonly sysname = 'Linux';
  static readonly release = '6.1.0';
  static readonly version = '#1 SMP tsvisor';
  static readonly machine = 'x86_64';
}
