// The overlay against the file system contract (src/vfs/inode.ts), driven
// directly, with a tmpfs as each layer: copy-up, whiteouts, opaque
// directories, merged listings, renames, hard links kept together,
// st_ino kept across copy-up, and ENOSPC in the upper layer leaving no
// partial file. The sandbox-level tests (the host tree as the lower layer,
// compared with Linux) are in test/overlay-root.test.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFile } from '../dist/memory/memory_file.js';
import { TmpfsFileSystem } from '../dist/fs/tmpfs/tmpfs.js';
import { newOverlay, OVERLAYFS_SUPER_MAGIC } from '../dist/fs/overlay/overlay.js';

const mf = new MemoryFile({ totalBytes: 64 * 1024 * 1024 });
const ctx = { uid: 0, gid: 0 };
const ENOENT = 2, EEXIST = 17, EXDEV = 18, ENOTEMPTY = 39, ENOSPC = 28, ENODATA = 61, EPERM = 1;
const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_TRUNC = 0o1000;
const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;

function names(dir) {
  const e = dir.entries();
  assert.ok(Array.isArray(e), `entries: ${e}`);
  return e.map((x) => x.name).sort();
}

function writeFile(dir, name, text) {
  let f = dir.lookup(name);
  if (typeof f === 'number') f = dir.create(name, 0o644, ctx);
  assert.equal(typeof f, 'object', `create ${name}: ${f}`);
  const fd = f.open(O_WRONLY);
  const b = Buffer.from(text, 'latin1');
  assert.equal(fd.write([new Uint8Array(b)], b.length, 0), b.length);
  fd.decRef();
  return f;
}

function readFile(dir, name) {
  const f = dir.lookup(name);
  assert.equal(typeof f, 'object', `lookup ${name}: ${f}`);
  const fd = f.open(O_RDONLY);
  const buf = new Uint8Array(4096);
  const n = fd.read([buf], buf.length, 0);
  fd.decRef();
  return Buffer.from(buf.subarray(0, n)).toString('latin1');
}

/** A lower tmpfs with a few files, and the overlay of a fresh upper over it. */
function layers(upperOpts = {}) {
  const lower = new TmpfsFileSystem(mf, { mode: 0o755 });
  const etc = lower.root.mkdir('etc', 0o755, ctx);
  writeFile(etc, 'passwd', 'root:x:0:0\n');
  writeFile(etc, 'hosts', '127.0.0.1 localhost\n');
  const d = lower.root.mkdir('d', 0o755, ctx);
  writeFile(d, 'a', 'A');
  const sub = d.mkdir('sub', 0o755, ctx);
  writeFile(sub, 'deep', 'D');
  const a = d.lookup('a');
  assert.equal(typeof d.link('b', a), 'object');
  const upper = new TmpfsFileSystem(mf, { mode: 0o755, ...upperOpts });
  const ov = newOverlay({ fs: lower, root: lower.root }, { fs: upper, root: upper.root });
  return { lower, upper, ov, root: ov.root };
}

test('reads come from the lower layer; a write copies the file up and leaves the lower one as it was', () => {
  const { lower, upper, root } = layers();
  const etc = root.lookup('etc');
  assert.equal(readFile(etc, 'passwd'), 'root:x:0:0\n');
  const before = etc.lookup('passwd').stat();
  const f = etc.lookup('passwd');
  const fd = f.open(O_RDWR);
  const add = new Uint8Array(Buffer.from('me:x:1:1\n'));
  assert.equal(fd.write([add], add.length, 11), add.length);
  fd.decRef();
  assert.equal(readFile(etc, 'passwd'), 'root:x:0:0\nme:x:1:1\n');
  assert.equal(readFile(lower.root.lookup('etc'), 'passwd'), 'root:x:0:0\n');
  assert.equal(typeof upper.root.lookup('etc').lookup('passwd'), 'object');
  assert.equal(upper.root.lookup('etc').lookup('hosts'), -ENOENT, 'only the changed file is copied up');
  const after = etc.lookup('passwd').stat();
  assert.equal(after.ino, before.ino, 'st_ino is kept across copy-up');
  assert.equal(after.dev, before.dev);
  assert.equal(after.mode, before.mode);
  assert.equal(after.mtimeSec >= before.mtimeSec, true);
});

test('chmod and O_TRUNC copy up; a truncation to zero copies no data', () => {
  const { lower, root } = layers();
  const etc = root.lookup('etc');
  const h = etc.lookup('hosts');
  const ino = h.stat().ino;
  assert.equal(h.setattr({ mode: 0o600 }), 0);
  assert.equal(etc.lookup('hosts').stat().mode & 0o7777, 0o600);
  assert.equal(etc.lookup('hosts').stat().ino, ino);
  assert.equal(lower.root.lookup('etc').lookup('hosts').stat().mode & 0o7777, 0o644);
  const p = etc.lookup('passwd');
  assert.equal(p.setattr({ size: 0 }), 0);
  assert.equal(etc.lookup('passwd').stat().size, 0);
  assert.equal(readFile(lower.root.lookup('etc'), 'passwd'), 'root:x:0:0\n');
});

test('unlink and rmdir of lower names leave whiteouts; a directory made where one was is opaque', () => {
  const { lower, root } = layers();
  const d = root.lookup('d');
  assert.deepEqual(names(d), ['a', 'b', 'sub']);
  assert.equal(d.unlink('a'), 0);
  assert.equal(d.lookup('a'), -ENOENT);
  assert.deepEqual(names(d), ['b', 'sub']);
  assert.equal(typeof lower.root.lookup('d').lookup('a'), 'object', 'the lower file is untouched');
  assert.equal(d.rmdir('sub'), -ENOTEMPTY);
  assert.equal(d.lookup('sub').unlink('deep'), 0);
  assert.deepEqual(names(d.lookup('sub')), []);
  assert.equal(d.rmdir('sub'), 0);
  assert.deepEqual(names(d), ['b']);
  const again = d.mkdir('sub', 0o755, ctx);
  assert.equal(typeof again, 'object');
  assert.deepEqual(names(again), [], 'the new directory does not show the removed one\'s entries');
  assert.equal(again.lookup('deep'), -ENOENT);
  writeFile(d, 'a', 'new');
  assert.equal(readFile(d, 'a'), 'new');
  assert.deepEqual(names(d), ['a', 'b', 'sub']);
});

test('the private xattrs are hidden and refused', () => {
  const { root } = layers();
  const d = root.lookup('d');
  d.unlink('a');
  d.lookup('sub').unlink('deep');
  d.rmdir('sub');
  const s = d.mkdir('sub', 0o755, ctx);
  assert.equal(s.getxattr('trusted.overlay.opaque'), -ENODATA);
  assert.deepEqual(s.listxattr(), []);
  assert.equal(s.setxattr('trusted.overlay.opaque', new Uint8Array([0x79]), 0), -EPERM);
  assert.equal(s.setxattr('user.x', new Uint8Array([1]), 0), 0);
  assert.deepEqual(s.listxattr(), ['user.x']);
});

test('a directory with lower entries cannot be renamed (EXDEV, as Linux without redirect_dir); one made in the upper layer moves', () => {
  const { root } = layers();
  assert.equal(root.rename('d', root, 'moved', 0), -EXDEV);
  assert.deepEqual(names(root.lookup('d')), ['a', 'b', 'sub'], 'a refused rename changes nothing');
  assert.equal(root.rename('etc', root.lookup('d'), 'sub', RENAME_EXCHANGE), -EXDEV);
  // Copied up (a file in it changed) is still merged with its lower part.
  writeFile(root.lookup('d'), 'a', 'changed');
  assert.equal(root.rename('d', root, 'moved', 0), -EXDEV);
  const n = root.mkdir('new', 0o755, ctx);
  writeFile(n, 'f', 'F');
  assert.equal(root.rename('new', root, 'moved', 0), 0);
  assert.equal(readFile(root.lookup('moved'), 'f'), 'F');
  // Over a lower directory emptied by the program: the lower entries stay hidden.
  const d = root.lookup('d');
  d.unlink('a');
  d.unlink('b');
  d.lookup('sub').unlink('deep');
  d.rmdir('sub');
  assert.equal(root.rename('moved', root, 'd', 0), 0);
  assert.deepEqual(names(root.lookup('d')), ['f']);
  assert.deepEqual(names(root), ['d', 'etc']);
});

test('rename flags: NOREPLACE refuses an existing name, EXCHANGE swaps two files, and a file with a directory made above', () => {
  const { root } = layers();
  const etc = root.lookup('etc');
  assert.equal(etc.rename('passwd', etc, 'hosts', RENAME_NOREPLACE), -EEXIST);
  writeFile(root.lookup('d'), 'made', 'M');
  assert.equal(root.rename('passwd', root.lookup('d'), 'made', RENAME_EXCHANGE), -ENOENT);
  assert.equal(etc.rename('passwd', root.lookup('d'), 'made', RENAME_EXCHANGE), 0);
  assert.equal(readFile(root.lookup('d'), 'made'), 'root:x:0:0\n');
  assert.equal(readFile(etc, 'passwd'), 'M');
  assert.equal(root.lookup('d').rename('made', etc, 'passwd', RENAME_EXCHANGE), 0);
  const nd = root.lookup('d').mkdir('nd', 0o755, ctx);
  writeFile(nd, 'in', 'I');
  assert.equal(etc.rename('hosts', root.lookup('d'), 'nd', RENAME_EXCHANGE), 0);
  assert.equal(readFile(etc.lookup('hosts'), 'in'), 'I');
  assert.equal(readFile(root.lookup('d'), 'nd'), '127.0.0.1 localhost\n');
  assert.equal(etc.rename('hosts', root.lookup('d'), 'nd', RENAME_EXCHANGE), 0);
  // A file over a file: the old name of a lower file is whited out.
  const e2 = etc;
  assert.equal(e2.rename('passwd', e2, 'hosts', 0), 0);
  assert.deepEqual(names(e2), ['hosts']);
  assert.equal(readFile(e2, 'hosts'), 'root:x:0:0\n');
});

test('hard links of a lower file stay one file after copy-up', () => {
  const { root } = layers();
  const d = root.lookup('d');
  assert.equal(d.lookup('a').stat().ino, d.lookup('b').stat().ino);
  writeFile(d, 'a', 'changed');
  assert.equal(readFile(d, 'b'), 'changed', 'the other name sees the write');
  assert.equal(d.lookup('a').stat().ino, d.lookup('b').stat().ino);
  // Changing the other name links it to the same upper file.
  assert.equal(d.lookup('b').setattr({ mode: 0o600 }), 0);
  assert.equal(d.lookup('a').stat().mode & 0o777, 0o600);
  assert.equal(d.unlink('a'), 0);
  assert.equal(readFile(d, 'b'), 'changed');
});

test('a full upper layer gives ENOSPC and leaves no partial copy', () => {
  const lower = new TmpfsFileSystem(mf, { mode: 0o755 });
  const big = lower.root.create('big', 0o644, ctx);
  const fd = big.open(O_WRONLY);
  const chunk = new Uint8Array(1 << 16).fill(7);
  for (let i = 0; i < 16; i++) assert.equal(fd.write([chunk], chunk.length, i * chunk.length), chunk.length);
  fd.decRef();
  const upper = new TmpfsFileSystem(mf, { mode: 0o755, size: 256 * 1024 });
  const ov = newOverlay({ fs: lower, root: lower.root }, { fs: upper, root: upper.root });
  const f = ov.root.lookup('big');
  assert.equal(f.open(O_RDWR), -ENOSPC);
  assert.equal(upper.root.lookup('big'), -ENOENT, 'no partial file in the upper layer');
  assert.equal(ov.root.lookup('big').stat().size, 1 << 20, 'the lower file still shows');
  // A truncation needs no data, so it fits.
  assert.equal(typeof ov.root.lookup('big').open(O_WRONLY | O_TRUNC), 'object');
  assert.equal(ov.fs.statfs().type, OVERLAYFS_SUPER_MAGIC);
});

test('listings merge upper and lower names once each, and stat agrees with d_ino', () => {
  const { root } = layers();
  writeFile(root, 'top', 'x');
  const etc = root.lookup('etc');
  writeFile(etc, 'passwd', 'changed\n');
  writeFile(etc, 'group', 'g\n');
  const ents = etc.entries();
  assert.deepEqual(ents.map((e) => e.name).sort(), ['group', 'hosts', 'passwd']);
  for (const e of ents) assert.equal(etc.lookup(e.name).stat().ino, e.ino, `d_ino of ${e.name}`);
  assert.deepEqual(names(root), ['d', 'etc', 'top']);
});

test('a name gives the same inode while it is held, across copy-up and rename (the VFS caches dentries by inode)', () => {
  const { root } = layers();
  const etc = root.lookup('etc');
  assert.equal(root.lookup('etc'), etc);
  const p = etc.lookup('passwd');
  assert.equal(etc.lookup('passwd'), p);
  assert.equal(p.setattr({ mode: 0o600 }), 0);
  assert.equal(root.lookup('etc'), etc, 'the parent copied up is still the same inode');
  assert.equal(etc.lookup('passwd'), p, 'the file copied up is still the same inode');
  assert.equal(etc.rename('passwd', etc, 'pw', 0), 0);
  assert.equal(etc.lookup('pw'), p, 'the renamed file is the same inode at its new name');
  assert.equal(etc.lookup('passwd'), -ENOENT);
});
