// docs/syscalls.md is generated from the system call table; it must be
// regenerated whenever the table changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './lib/harness.js';

test('docs/syscalls.md matches the system call table (run `npm run gen-docs`)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvisor-docs-'));
  try {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'gen-syscalls-doc.js'), '--out', join(dir, 'syscalls.md')], {
      cwd: REPO, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const fresh = readFileSync(join(dir, 'syscalls.md'), 'utf8');
    const committed = readFileSync(join(REPO, 'docs', 'syscalls.md'), 'utf8');
    assert.equal(committed, fresh, 'docs/syscalls.md is stale: run `npm run gen-docs`');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every implemented system call is documented with a state, and partial ones say what is missing', async () => {
  const { syscallTable } = await import(join(REPO, 'dist', 'syscalls', 'linux', 'table.js'));
  assert.ok(syscallTable.size > 100);
  for (const [nr, e] of syscallTable) {
    assert.ok(e.state === 'full' || e.state === 'partial', `${e.name} (${nr}) has state ${e.state}`);
    if (e.state === 'partial') assert.ok(e.note && e.note.length > 10, `${e.name} is partial without a note`);
  }
});
