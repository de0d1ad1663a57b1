// The VFS core driven directly (src/vfs): the dentry cache's upkeep
// (rename moves a dentry, unlink marks it deleted), mount crossing, bind
// mounts, umount's EBUSY, copied mount namespaces, and the mountinfo text
// procfs serves. The system-call behaviour is compared with Linux in
// test/vfs.test.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFile } from '../dist/memory/memory_file.js';
import { TmpfsFileSystem } from '../dist/fs/tmpfs/tmpfs.js';
import { VirtualFilesystem } from '../dist/vfs/vfs.js';
import { mountInfo, mountsText } from '../dist/vfs/mountinfo.js';

const mf = new MemoryFile({ totalBytes: 1 << 26 });
const root = { euid: 0, egid: 0, groups: [] };
const ctx = { uid: 0, gid: 0 };
const MS_NOSUID = 2, MS_NODEV = 4, MS_RELATIME = 1 << 21;

function setup() {
  const fs = new TmpfsFileSystem(mf, { mode: 0o755 });
  const vfs = new VirtualFilesystem(fs, fs.root, MS_RELATIME, 'rootfs');
  const mk = (parent, name) => vfs.linked(parent, name, parent.inode.mkdir(name, 0o755, ctx));
  const walk = (p, start = vfs.root) => vfs.walk(root, vfs.root, start, p, { followFinal: true });
  return { fs, vfs, mk, walk };
}

test('rename moves a dentry and unlink marks it deleted, so paths stay true', () => {
  const { vfs, mk, walk } = setup();
  const a = mk(vfs.root, 'a');
  const b = mk(a, 'b');
  assert.equal(walk('/a/b'), b);
  assert.equal(b.path(), '/a/b');
  assert.equal(vfs.root.inode.rename('a', vfs.root.inode, 'z', 0), 0);
  vfs.renamed(vfs.root, 'a', vfs.root, 'z', false);
  assert.equal(b.path(), '/z/b');
  assert.equal(walk('/z/b'), b);
  assert.equal(walk('/a/b'), -2);
  assert.equal(a.inode.rmdir('b'), 0);
  vfs.unlinked(a, 'b');
  assert.equal(b.path(), '/z/b (deleted)');
  assert.equal(b.dead, true);
});

test('mounts are crossed both ways, stack, and unmount with EBUSY while used', () => {
  const { vfs, mk, walk } = setup();
  const mnt = mk(vfs.root, 'mnt');
  const t = new TmpfsFileSystem(mf, { size: 65536 });
  const m = vfs.attach(mnt, t, t.root, MS_NOSUID | MS_NODEV | MS_RELATIME, 'tmpfs');
  assert.equal(walk('/mnt'), m.root);
  const inner = vfs.linked(m.root, 'inner', t.root.mkdir('inner', 0o755, ctx));
  assert.equal(walk('/mnt/inner/../..'), vfs.root);
  assert.equal(inner.path(), '/mnt/inner');
  const t2 = new TmpfsFileSystem(mf, {});
  const top = vfs.attach(m.root, t2, t2.root, MS_RELATIME, 'top');
  assert.equal(walk('/mnt'), top.root);
  assert.equal(walk('/mnt/inner'), -2);
  assert.equal(vfs.umount(m, false, () => false), -16, 'a mount with a mount on it is busy');
  assert.equal(vfs.umount(top, false, () => true), -16);
  assert.equal(vfs.umount(top, false, () => false), 0);
  assert.equal(walk('/mnt/inner'), inner);
  assert.equal(vfs.umount(m, true, () => true), 0, 'MNT_DETACH goes even when busy');
  assert.equal(walk('/mnt'), mnt);
  assert.equal(inner.path(), '/inner', 'a detached mount is its own root');
});

test('a bind mount shows the same inodes; MS_REC brings the submounts', () => {
  const { vfs, mk, walk } = setup();
  const src = mk(vfs.root, 'src');
  const sub = mk(src, 'sub');
  mk(vfs.root, 'dst');
  mk(vfs.root, 'rdst');
  const t = new TmpfsFileSystem(mf, {});
  vfs.attach(sub, t, t.root, MS_RELATIME, 'tmpfs');
  t.root.create('f', 0o644, ctx);
  const b = vfs.bind(src, walk('/dst'), 0);
  assert.equal(b.fsRootPath, '/src');
  assert.equal(walk('/dst/sub').inode, sub.inode);
  assert.equal(walk('/dst/sub/f'), -2);
  vfs.bind(src, walk('/rdst'), 16384 /* MS_REC */);
  assert.equal(walk('/rdst/sub/f').inode, walk('/src/sub/f').inode);
});

test('a copied namespace has its own mounts, and dentries translate into it', () => {
  const { vfs, mk, walk } = setup();
  const d = mk(vfs.root, 'd');
  const t = new TmpfsFileSystem(mf, {});
  vfs.attach(d, t, t.root, MS_RELATIME, 'tmpfs');
  const cwd = vfs.linked(walk('/d'), 'w', t.root.mkdir('w', 0o755, ctx));
  const copy = vfs.copyNamespace(vfs.initNs);
  assert.equal(copy.ns.mounts.size, 2);
  const c = copy.translate(cwd);
  assert.notEqual(c, cwd);
  assert.equal(c.inode, cwd.inode);
  assert.equal(c.path(), '/d/w');
  assert.notEqual(c.mount, cwd.mount);
  // Unmounting in the copy leaves the original alone.
  assert.equal(vfs.umount(c.mount, true, () => false), 0);
  assert.equal(walk('/d/w'), cwd);
});

test('mountinfo and mounts text', () => {
  const { vfs, mk } = setup();
  const tmp = mk(vfs.root, 'tmp space');
  const t = new TmpfsFileSystem(mf, { size: 65536 });
  const m = vfs.attach(tmp, t, t.root, MS_NOSUID | MS_NODEV | MS_RELATIME, 'tmpfs');
  vfs.setPropagation(m, 'shared', false);
  const rootId = vfs.initNs.root.id;
  const info = mountInfo(vfs.initNs, vfs.root).split('\n');
  assert.match(info[0], new RegExp(`^${rootId} ${rootId} 0:\\d+ / / rw,relatime - tmpfs rootfs rw,size=\\d+k,nr_inodes=\\d+,mode=755$`));
  assert.match(info[1], new RegExp(`^${m.id} ${rootId} 0:\\d+ / /tmp\\\\040space rw,nosuid,nodev,relatime shared:\\d+ - tmpfs tmpfs rw,size=64k,nr_inodes=\\d+$`));
  assert.match(mountsText(vfs.initNs, vfs.root), /\ntmpfs \/tmp\\040space tmpfs rw,nosuid,nodev,relatime,size=64k,nr_inodes=\d+ 0 0\n$/);
  // From inside the mount (a chroot there), the root mount is out of reach.
  assert.equal(mountInfo(vfs.initNs, m.root).split('\n').length, 2);
});
