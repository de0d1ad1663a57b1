// tmpfs against the file system contract (src/vfs/inode.ts), driven
// directly: the tree operations, link counts, times, limits (size=,
// nr_inodes=), xattrs, getdents stability, and shared pages between
// write(2) and a mapping. The natively-compared C tests are in
// test/vfs.test.js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFile } from '../dist/memory/memory_file.js';
import { TmpfsFileSystem, parseTmpfsOptions } from '../dist/fs/tmpfs/tmpfs.js';
import { fileSystemType } from '../dist/vfs/fs_registry.js';

const mf = new MemoryFile({ totalBytes: 64 * 1024 * 1024 });
const ctx = { uid: 1000, gid: 1000 };
const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFIFO = 0o010000, S_IFCHR = 0o020000;
const ENOENT = 2, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENOTEMPTY = 39, ENOSPC = 28, ENODATA = 61;
const O_RDWR = 2, O_RDONLY = 0;

function dirents(fd) {
  const names = [];
  const buf = new Uint8Array(200);
  for (;;) {
    const n = fd.getdents(buf);
    assert.ok(n >= 0, `getdents: ${n}`);
    if (n === 0) return names;
    const dv = new DataView(buf.buffer);
    for (let o = 0; o < n;) {
      const reclen = dv.getUint16(o + 16, true);
      const end = buf.indexOf(0, o + 19);
      names.push(Buffer.from(buf.subarray(o + 19, end)).toString('latin1'));
      o += reclen;
    }
  }
}

test('tmpfs registers itself and parses its options', () => {
  assert.ok(fileSystemType('tmpfs'));
  assert.deepEqual(parseTmpfsOptions('size=1m,nr_inodes=10,mode=0755,uid=1,gid=2', 1 << 30),
    { size: 1 << 20, nrInodes: 10, mode: 0o755, uid: 1, gid: 2 });
  assert.equal(parseTmpfsOptions('size=50%', 1 << 20).size, 1 << 19);
  assert.equal(parseTmpfsOptions('bogus=1', 1 << 20), -22);
  assert.equal(parseTmpfsOptions('mode=9', 1 << 20), -22);
  const made = fileSystemType('tmpfs').make({ source: 'x', data: 'size=8k', flags: 0, mf, kernel: null });
  assert.equal(made.fs.statfs().blocks, 2);
  assert.equal(made.fs.superOptions(), 'size=8k,nr_inodes=' + made.fs.maxInodes);
});

test('files, directories, links and their counts', () => {
  const fs = new TmpfsFileSystem(mf, { mode: 0o755 });
  const root = fs.root;
  assert.equal(root.stat().nlink, 2);
  const d = root.mkdir('d', 0o700, ctx);
  assert.equal(root.stat().nlink, 3);
  assert.equal(d.stat().uid, 1000);
  assert.equal(root.mkdir('d', 0o700, ctx), -EEXIST);
  const f = d.create('f', 0o644, ctx);
  assert.equal(f.stat().mode, S_IFREG | 0o644);
  assert.equal(d.link('g', f), f);
  assert.equal(f.stat().nlink, 2);
  assert.equal(d.unlink('f'), 0);
  assert.equal(f.stat().nlink, 1);
  assert.equal(d.lookup('f'), -ENOENT);
  assert.equal(d.lookup('g'), f);
  assert.equal(root.rmdir('d'), -ENOTEMPTY);
  assert.equal(d.rmdir('g'), -ENOTDIR);
  assert.equal(root.unlink('d'), -EISDIR);
  const l = root.symlink('l', '/some/where', ctx);
  assert.equal(l.readlink(), '/some/where');
  assert.equal(l.stat().size, 11);
  const p = root.mknod('p', S_IFIFO | 0o600, 0, ctx);
  assert.equal(p.stat().mode, S_IFIFO | 0o600);
  const c = root.mknod('c', S_IFCHR | 0o600, 0x103, ctx);
  assert.equal(c.stat().rdev, 0x103);
  assert.notEqual(fs.dev, new TmpfsFileSystem(mf).dev);
  const inos = new Set([root, d, f, l, p, c].map((i) => i.stat().ino));
  assert.equal(inos.size, 6);
});

test('rename: replace, directories, exchange, noreplace', () => {
  const fs = new TmpfsFileSystem(mf);
  const r = fs.root;
  const a = r.mkdir('a', 0o755, ctx), b = r.mkdir('b', 0o755, ctx);
  const x = a.create('x', 0o644, ctx);
  const y = b.create('y', 0o644, ctx);
  assert.equal(a.rename('x', b, 'y', 0), 0);
  assert.equal(b.lookup('y'), x);
  assert.equal(y.stat().nlink, 0);
  assert.equal(r.rename('a', b, 'y', 0), -ENOTDIR);
  assert.equal(b.rename('y', r, 'a', 0), -EISDIR);
  const sub = a.mkdir('sub', 0o755, ctx);
  assert.equal(a.stat().nlink, 3);
  assert.equal(a.rename('sub', b, 'sub', 0), 0);
  assert.equal(a.stat().nlink, 2);
  assert.equal(b.stat().nlink, 3);
  assert.equal(sub.parentIno, b.ino);
  b.mkdir('full', 0o755, ctx).create('z', 0o644, ctx);
  assert.equal(b.rename('sub', b, 'full', 0), -ENOTEMPTY);
  assert.equal(b.rename('y', b, 'sub', 1 /* NOREPLACE */), -EEXIST);
  assert.equal(b.rename('y', b, 'sub', 2 /* EXCHANGE */), 0);
  assert.equal(b.lookup('sub'), x);
  assert.equal(b.lookup('y'), sub);
  assert.equal(b.rename('nothing', b, 'y', 2), -ENOENT);
});

test('getdents is stable while the directory changes', () => {
  const fs = new TmpfsFileSystem(mf);
  const d = fs.root;
  for (let i = 0; i < 300; i++) d.create(`f${i}`, 0o644, ctx);
  const fd = d.open(O_RDONLY);
  const seen = [];
  const buf = new Uint8Array(256);
  let n;
  let deleted = 0;
  while ((n = fd.getdents(buf)) > 0) {
    const dv = new DataView(buf.buffer);
    for (let o = 0; o < n;) {
      const reclen = dv.getUint16(o + 16, true);
      const end = buf.indexOf(0, o + 19);
      const name = Buffer.from(buf.subarray(o + 19, end)).toString('latin1');
      seen.push(name);
      if (name.startsWith('f')) {
        d.unlink(name);
        deleted++;
      }
      o += reclen;
    }
    // Entries made during the listing must not push old ones out.
    d.create(`new${seen.length}`, 0o644, ctx);
  }
  const files = seen.filter((s) => /^f\d+$/.test(s));
  assert.equal(files.length, 300);
  assert.equal(new Set(files).size, 300);
  assert.equal(deleted, 300);
  fd.decRef();
  assert.deepEqual(dirents(d.open(O_RDONLY)).slice(0, 2), ['.', '..']);
});

test('size= and nr_inodes= limits give ENOSPC; freeing gives the space back', () => {
  const fs = new TmpfsFileSystem(mf, { size: 16384, nrInodes: 4 });
  const f = fs.root.create('f', 0o644, ctx);
  const fd = f.open(O_RDWR);
  const big = new Uint8Array(20000).fill(7);
  assert.equal(fd.write([big], big.length, -1), 16384);
  assert.equal(fd.write([big], big.length, -1), -ENOSPC);
  assert.equal(fs.statfs().bfree, 0);
  assert.equal(f.stat().blocks, 32);
  assert.equal(fd.truncate(4096), 0);
  assert.equal(fs.statfs().bfree, 3);
  fs.root.create('g', 0o644, ctx);
  fs.root.create('h', 0o644, ctx);
  assert.equal(fs.root.create('i', 0o644, ctx), -ENOSPC);
  fs.root.unlink('g');
  assert.ok(typeof fs.root.create('i', 0o644, ctx) === 'object');
  // An unlinked file keeps its pages while it is open.
  fs.root.unlink('f');
  assert.equal(fs.statfs().bfree, 3);
  fd.decRef();
  assert.equal(fs.statfs().bfree, 4);
});

test('read sees write; holes read as zeros; truncate zeroes the tail', () => {
  const fs = new TmpfsFileSystem(mf);
  const fd = fs.root.create('f', 0o644, ctx).open(O_RDWR);
  assert.equal(fd.write([Buffer.from('hello world')], 11, 10000), 11);
  const out = new Uint8Array(10011);
  assert.equal(fd.read([out], out.length, 0), 10011);
  assert.ok(out.subarray(0, 10000).every((b) => b === 0));
  assert.equal(Buffer.from(out.subarray(10000)).toString(), 'hello world');
  assert.equal(fd.truncate(10005), 0);
  assert.equal(fd.truncate(10011), 0);
  const tail = new Uint8Array(11);
  fd.read([tail], 11, 10000);
  assert.equal(Buffer.from(tail).toString('latin1'), 'hello\0\0\0\0\0\0');
  assert.equal(fd.seek(0, 3 /* SEEK_DATA */), 8192);
});

test('a mapping gets the file\'s own pages, shared with write(2)', () => {
  const fs = new TmpfsFileSystem(mf);
  const fd = fs.root.create('f', 0o644, ctx).open(O_RDWR);
  fd.truncate(8192);
  const m = fd.mappable();
  const run = m.filePages(0, 8192);
  assert.ok(typeof run === 'object' && run.len >= 4096);
  mf.view(run.off, 5).set(Buffer.from('shmem'));
  const back = new Uint8Array(5);
  fd.read([back], 5, 0);
  assert.equal(Buffer.from(back).toString(), 'shmem');
  fd.write([Buffer.from('SH')], 2, 0);
  assert.equal(Buffer.from(mf.view(run.off, 5)).toString(), 'SHmem');
  assert.equal(m.filePages(8192, 4096), -14);
  mf.deallocate(run.off, run.len);
});

test('xattrs', () => {
  const fs = new TmpfsFileSystem(mf);
  const f = fs.root.create('f', 0o644, ctx);
  assert.equal(f.getxattr('user.a'), -ENODATA);
  assert.equal(f.setxattr('user.a', Buffer.from('1'), 2 /* REPLACE */), -ENODATA);
  assert.equal(f.setxattr('user.a', Buffer.from('1'), 1 /* CREATE */), 0);
  assert.equal(f.setxattr('user.a', Buffer.from('2'), 1), -EEXIST);
  assert.deepEqual(f.listxattr(), ['user.a']);
  assert.equal(Buffer.from(f.getxattr('user.a')).toString(), '1');
  assert.equal(f.removexattr('user.a'), 0);
  assert.equal(f.removexattr('user.a'), -ENODATA);
});

test('times: contents change mtime and ctime, attributes ctime', async () => {
  const fs = new TmpfsFileSystem(mf);
  const f = fs.root.create('f', 0o644, ctx);
  const s0 = f.stat();
  await new Promise((r) => setTimeout(r, 5));
  f.setattr({ mode: 0o600 });
  const s1 = f.stat();
  assert.equal(s1.mtimeNsec, s0.mtimeNsec);
  assert.ok(s1.ctimeSec * 1e9 + s1.ctimeNsec > s0.ctimeSec * 1e9 + s0.ctimeNsec);
  const d0 = fs.root.stat();
  await new Promise((r) => setTimeout(r, 5));
  fs.root.create('g', 0o644, ctx);
  const d1 = fs.root.stat();
  assert.ok(d1.mtimeSec * 1e9 + d1.mtimeNsec > d0.mtimeSec * 1e9 + d0.mtimeNsec);
});
