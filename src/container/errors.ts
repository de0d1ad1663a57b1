// The errors of the host side of the runtime, worded as runc words them
// where callers (podman, containerd, conmon, scripts) match the text:
// "container does not exist", "container not running", "container with id
// exists: ID". The command line prints the message and exits 1, as runc,
// or with the code given (exec's 255 for a process that cannot start).

export class ContainerError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export const notExist = (): ContainerError => new ContainerError('container does not exist');
export const notRunning = (): ContainerError => new ContainerError('container not running');
export const exists = (id: string): ContainerError => new ContainerError(`container with id exists: ${id}`);
