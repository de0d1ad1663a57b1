// Bundles the CLI (dist/cli/main.js, from tsc) into one CommonJS module
// each for production (dist/tsvisor.cjs: TSVISOR_TEST_BUILD false, so
// esbuild drops the test-only code) and for the tests
// (dist/tsvisor-test.cjs), and writes V8's code cache beside each
// (src/cli/bundle.ts says why). Run by `npm run build`, after tsc.
import { buildSync } from 'esbuild';
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
  writeCodeCache(outfile);
}
// The bundles' top level may leave handles (the addon, timers) open.
process.exit(0);
