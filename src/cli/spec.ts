// `tsvisor spec [--bundle DIR] [--rootless]`: writes the example config.json
// that `runc spec` writes (src/config/example.ts), byte for byte.
//
// Differs from runc: runc stats config.json and then writes it, following a
// symlink there; here the file is created with O_EXCL, so an existing name of
// any kind (a dangling symlink too) gets runc's "exists" error and nothing is
// written through it. runc chdirs into the bundle; nothing here changes the
// working directory.

import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BootError } from '../boot/sandbox.js';
import { exampleSpec, specText, toRootless } from '../config/example.js';

interface SpecFlags {
  bundle?: string;
  rootless: boolean;
}

/** runc's exit status for a failed command. */
const FAILED = 1;

function writeSpec(o: SpecFlags): void {
  const spec = o.rootless ? toRootless(exampleSpec(), process.geteuid?.() ?? 0, process.getegid?.() ?? 0) : exampleSpec();
  const file = path.join(o.bundle ?? '.', 'config.json');
  try {
    // 0666 less the umask, as runc's os.WriteFile(..., 0o666).
    fs.writeFileSync(file, specText(spec), { mode: 0o666, flag: 'wx' });
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : '';
    // runc's words, which callers match.
    if (code === 'EEXIST') throw new BootError('File config.json exists. Remove it first', FAILED);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BootError(`spec: bundle directory ${o.bundle ?? '.'} does not exist`, FAILED);
    throw new BootError(`spec: ${file}: ${e instanceof Error ? e.message : String(e)}`, FAILED);
  }
}

/** Adds `spec` to the program. */
export function addSpecCommand(program: Command): void {
  program
    .command('spec')
    .description('create a new specification file (config.json) in the bundle, as runc spec does')
    .option('-b, --bundle <dir>', 'path to the root of the bundle directory (default: the current directory)')
    .option('--rootless', 'generate a configuration for a rootless container', false)
    .exitOverride()
    .action((o: SpecFlags) => writeSpec(o));
}
