// A container's id, checked as runc checks it (src/config/id.ts), as the
// lifecycle's error type: it names exactly one directory under --root and
// never climbs out of it.

import { ContainerIdError, validateContainerId as check } from '../config/id.js';
import { ContainerError } from './errors.js';

/** The longest id accepted: a directory name (NAME_MAX), with room for the files in it. */
export const MAX_ID_LENGTH = 200;

export function validateContainerId(id: string): void {
  if (id.length > MAX_ID_LENGTH) throw new ContainerError(`invalid container ID format: longer than ${MAX_ID_LENGTH} characters`);
  try {
    check(id);
  } catch (e) {
    if (e instanceof ContainerIdError) throw new ContainerError(e.message);
    throw e;
  }
}
