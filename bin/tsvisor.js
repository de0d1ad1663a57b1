#!/usr/bin/env node
// tsvisor's command line entry point: the compiled CLI lives in dist/.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`tsvisor: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exit(125);
  },
);
