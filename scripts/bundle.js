// Bundles the CLI (dist/cli/main.js, from tsc) into one CommonJS module
// each for production (dist/tsvisor.cjs: TSVISOR_TEST_BUILD false, so
// esbuild drops the test-only code) and for the tests
// (dist/tsvisor-test.cjs), and writes V8's code cache beside each
// (src/cli/bundle.ts says why). Run by `npm run build`, after tsc.
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeCodeCache } from '../dist/cli/bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

for (const [name, test] of [['tsvisor.cjs', false], ['tsvisor-test.cjs', true]]) {
  const outfile = path.join(root, 'dist', name);
  buildSync({
    entryPoints: [path.join(root, 'dist', 'cli', 'main.js')],
    bundle: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    format: 'cjs',
    target: 'node20',
    outfile,
    define: { TSVISOR_TEST_BUILD: String(test), 'import.meta.url': '__tsvisor_import_meta_url' },
    minifySyntax: !test,
    logLevel: 'warning',
  });
  assertAscii(outfile);
  writeCodeCache(outfile);
}
/**
 * src/cli/bundle.ts reads a bundle as latin1, which V8 then holds as a
 * one-byte string: 3-8 ms less than decoding UTF-8 on every start. esbuild
 * escapes strings but keeps comments and regular expressions as written, so
 * a non-ASCII character there stops the build, naming where it is.
 */
function assertAscii(file) {
  const bytes = readFileSync(file);
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at < 0) return;
  const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
  const text = bytes.toString('utf8').split('\n')[line - 1].trim();
  throw new Error(`scripts/bundle.js: ${path.relative(root, file)} line ${line} is not ASCII (a comment or regular expression in the source; `
    + `write the character as an escape or in words): ${text}`);
}

// The bundles' top level may leave handles (the addon, timers) open.
process.exit(0);
