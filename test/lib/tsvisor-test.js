#!/usr/bin/env node
// The test build of bin/tsvisor.js (test/walls.test.js): the same, with the test bundle, whose test-only entries the production bundle lacks.
import { fileURLToPath } from 'node:url';
import { exitNow, handOver } from '../../dist/cli/handover.js';
import { loadBundle } from '../../dist/cli/bundle.js';

const launched = handOver(process.argv.slice(2));
const { main } = loadBundle(fileURLToPath(new URL('../../dist/tsvisor-test.cjs', import.meta.url)));
main(process.argv.slice(2), launched).then(
  (code) => exitNow(code),
  (err) => {
    process.stderr.write(`tsvisor: internal error: ${err && err.stack ? err.stack : err}\n`);
    exitNow(125);
  },
);
