// What the kernel's other parts see of the sandbox's network (gVisor's
// pkg/sentry/inet Stack, as far as they need it): the files of /proc/net.
// src/net implements it and boot hands it to the Kernel, so procfs reads
// the network without importing the socket layer (which sits above it).

export interface NetworkStack {
  /** The names of the files /proc/net has, in the order it lists them. */
  procNetFiles(): readonly string[];
  /** A /proc/net file as it reads now (latin1), or null for a name it has not. */
  procNet(name: string): string | null;
}
