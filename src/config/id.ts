// Container ids, as runc accepts them (libcontainer's validateID): letters,
// digits, '_' and the characters '+' to '.' of ASCII (+ , - .), and not a
// name that path cleaning changes ("." or ".."), because the id names the
// container's state directory. The range `+-\.` in runc's regular
// expression is why a comma is allowed; it is kept, as ids runc accepts
// must be accepted here.

/** A container id that runc would refuse; the message is runc's words and the id. */
export class ContainerIdError extends Error {
  override readonly name = 'ContainerIdError';
}

/** Returns id, or throws ContainerIdError. */
export function validateContainerId(id: string): string {
  if (id === '') throw new ContainerIdError('container id cannot be empty');
  // JavaScript reads `[\w+-.]` as Go's RE2 does: \w is [0-9A-Za-z_], and +-. is a range.
  if (!/^[\w+-.]+$/.test(id) || id === '.' || id === '..') {
    throw new ContainerIdError(`invalid container ID format: ${JSON.stringify(id)} (use letters, digits and _ + - . , and not . or ..)`);
  }
  return id;
}
