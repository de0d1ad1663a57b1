// The root descriptors of hostfs instances (src/fs/hostfs/roots.ts),
// with the built dist/ modules in this process: charged to the budget
// while held; closed only once the instance is unreachable and its owner
// let go of it (which is what makes a forced collection worth its cost),
// at once when the budget runs out (a synchronous forced
// collection, at most once a second), never while anything reaches it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './lib/harness.js';

const dist = (m) => import(join(REPO, 'dist', m));
const { HostFileSystem, HostFdBudget, HostRoots, prepareForcedGc } = await dist('fs/hostfs.js');
const { ENFILE_GC_INTERVAL_MS } = await dist('fs/hostfs/roots.js');
const { O_RDONLY } = await dist('vfs/file_description.js');
const ENFILE = 23;

/** Whether fd is an open descriptor of this process. */
function isOpen(fd) {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** The next turn of the event loop: a WeakRef made in this job keeps its target alive until the job ends. */
const nextTurn = () => new Promise((r) => setImmediate(r));

test('a root is charged while held; a spent budget forces a collection at once, which closes the roots of unreachable instances and no other, then ENFILE until a second has passed', async () => {
  assert.equal(prepareForcedGc(), true);
  const dir = mkdtempSync(join(tmpdir(), 'tsv-roots-'));
  try {
    writeFileSync(join(dir, 'f'), 'x');
    for (const d of ['a', 'b', 'c']) mkdirSync(join(dir, d));
    const budget = new HostFdBudget(4);
    const roots = new HostRoots(budget);
    const open = (d) => openSync(join(dir, d), constants.O_RDONLY | constants.O_DIRECTORY);
    const top = new HostFileSystem(open('.'), 0, { bind: true, budget, roots });
    const fds = ['a', 'b', 'c'].map(open);
    let [kept, dropped, other] = fds.map((fd) => new HostFileSystem(fd, 0, { bind: true, budget, roots }));
    assert.equal(budget.open, 4, 'every root is charged');
    assert.equal(roots.held, 4);
    // Let go of two; one of them is still reachable (kept). The third is reachable and nobody let go of it.
    roots.letGo([kept.rootEntry, dropped.rootEntry], []);
    dropped = null;
    await nextTurn();
    const lookup = top.root.lookup('f');
    assert.equal(typeof lookup, 'object');
    // The budget is spent: the open collects, closes the one let go of and unreachable, and succeeds.
    const file = lookup.open(O_RDONLY);
    assert.equal(typeof file, 'object', `open: ${file}`);
    assert.equal(isOpen(fds[1]), false, 'the dropped instance\'s root was closed');
    assert.equal(isOpen(fds[0]), true, 'a reachable instance\'s root stays open');
    assert.equal(isOpen(fds[2]), true, 'a reachable instance\'s root stays open');
    assert.equal(roots.released, 1);
    assert.equal(budget.open, 4);
    // Spent again: one second must pass before the next synchronous collection.
    roots.letGo([kept.rootEntry], []);
    kept = null;
    await nextTurn();
    assert.equal(lookup.open(O_RDONLY), -ENFILE);
    assert.equal(isOpen(fds[0]), true);
    await new Promise((r) => setTimeout(r, ENFILE_GC_INTERVAL_MS + 50));
    const again = lookup.open(O_RDONLY);
    assert.equal(typeof again, 'object', `open: ${again}`);
    assert.equal(isOpen(fds[0]), false);
    file.release();
    again.release();
    assert.equal(typeof other.root.stat(), 'object', 'the instance nobody let go of still works');
    roots.closeAll();
    assert.equal(isOpen(fds[2]), false, 'closeAll closes what is left');
    assert.equal(budget.open, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
