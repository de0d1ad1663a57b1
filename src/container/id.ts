// A container's id, as runc's libcontainer validates it (factory_linux.go's
// validateID): ASCII letters and digits, '_', '+', '-' and '.', not empty,
// not "." or "..", so that it names exactly one directory under --root and
// never climbs out of it. Temporary: src/config's validateContainerId (the
// OCI config work) replaces this at the merge; the interface is the same
// (throws with the reason).

import { ContainerError } from './errors.js';

/** The longest id accepted: a directory name (NAME_MAX), with room for the files in it. */
export const MAX_ID_LENGTH = 200;

export function validateContainerId(id: string): void {
  if (id.length === 0) throw new ContainerError('invalid container ID format: the id is empty');
  if (id.length > MAX_ID_LENGTH) throw new ContainerError(`invalid container ID format: longer than ${MAX_ID_LENGTH} characters`);
  if (!/^[A-Za-z0-9_+.-]+$/.test(id)) {
    throw new ContainerError(`invalid container ID format: ${JSON.stringify(id)} (letters, digits and _ + - . only)`);
  }
  if (id === '.' || id === '..') throw new ContainerError(`invalid container ID format: ${JSON.stringify(id)} is not a directory name`);
}
