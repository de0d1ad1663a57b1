#!/usr/bin/env node
// tsvisor's command line entry point. `tsvisor do` first hands the process
// over to the launcher (src/cli/handover.ts), which makes the sandbox's
// namespaces and runs this script again inside them; only then is the CLI
// loaded. The CLI is compiled to dist/ and bundled into one module
// (dist/tsvisor.cjs), which loads ~40 ms faster than the ~60 modules it is
// made of, and ~20 ms faster again with V8's code cache for it
// (src/cli/bundle.ts); that is a third of a short run.
import { fileURLToPath } from 'node:url';
import { exitNow, handOver, writeStderr } from '../dist/cli/handover.js';
import { loadBundle } from '../dist/cli/bundle.js';

const launched = handOver(process.argv.slice(2));
const { main } = loadBundle(fileURLToPath(new URL('../dist/tsvisor.cjs', import.meta.url)));
main(process.argv.slice(2), launched).then(
  (code) => exitNow(code),
  (err) => {
    writeStderr(`tsvisor: internal error: ${err && err.stack ? err.stack : err}\n`);
    exitNow(125);
  },
);
