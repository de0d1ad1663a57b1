// --overlay2, as runsc takes it: the root's overlay medium, for `do` and
// (before the command) for the OCI commands' sandboxes. The Sentry's root
// is never written through to the host: "none" is the host tree as it is,
// read-only, where runsc's gofer would write to it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BootError } from '../boot/sandbox.js';
import type { RootOverlay } from '../boot/sandbox.js';

/**
 * --overlay2 as runsc takes it: "root:MEDIUM" or "none". MEDIUM is memory
 * (the sandbox's memory), self (a file on the root's own host file
 * system) or dir=PATH (a file in the host directory PATH, absolute).
 */
export function parseOverlay(v: string): RootOverlay {
  if (v === 'none') return 'none';
  if (v === 'root:memory') return 'memory';
  if (v === 'root:self') return 'self';
  if (v.startsWith('root:dir=')) {
    const dir = v.slice('root:dir='.length);
    if (!dir.startsWith('/')) throw new BootError(`--overlay2 ${v}: the directory must be an absolute host path`, 125);
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (e) {
      throw new BootError(`--overlay2 ${v}: ${(e as Error).message}`, 125);
    }
    if (!st.isDirectory()) throw new BootError(`--overlay2 ${v}: ${dir} is not a directory`, 125);
    return { dir: path.resolve(dir) };
  }
  throw new BootError(`--overlay2 ${v}: expected root:memory, root:self, root:dir=PATH or none`, 125);
}

