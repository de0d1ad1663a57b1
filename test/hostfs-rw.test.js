// A writable hostfs for volumes (tsvisor do -v HOST:SANDBOX[:ro]).
//
// Two tiers. The Inode methods are called directly (the built dist/
// modules against a real scratch directory) and each result is checked
// against what the host then holds, as Node's fs sees it: this is how the
// tree-changing operations are shown until the VFS's calls reach a file
// system. Then whole runs: a program under `tsvisor do -v` writes to
// /data and the host directory has it, nothing outside it changes, and
// `:ro` gives EROFS. The C programs test/c/hostfs_*.c, compared natively
// (in a scratch directory) and under tsvisor (in /data), are marked todo
// until the VFS's create/rename/unlink/... calls reach file systems.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync,
  readdirSync, readlinkSync, rmSync, statSync, statfsSync, symlinkSync, writeFileSync, constants,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { REPO, SELFCHECK, assertNoSentryCrash, compileC, runNative, runTsvisor } from './lib/harness.js';

/** The self-check mode's fake tsvisor runs programs natively and has no volumes. */
const NO_VOLUMES = SELFCHECK && 'the self-check fake tsvisor has no -v';

const dist = (m) => import(join(REPO, 'dist', m));
const { HostFileSystem } = await dist('fs/hostfs.js');
const { O_RDWR, O_WRONLY, O_RDONLY, O_APPEND, O_PATH } = await dist('vfs/file_description.js');
const { RENAME_NOREPLACE, RENAME_EXCHANGE, XATTR_CREATE, XATTR_REPLACE } = await dist('vfs/inode.js');

const EPERM = 1, ENOENT = 2, EACCES = 13, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
  EROFS = 30, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95;
const IS_ROOT = process.getuid() === 0;

let scratch, dir, outside;
const fds = [];

/** A hostfs volume over a fresh directory. */
function volume(path, opts = { bind: true }) {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  fds.push(fd);
  return new HostFileSystem(fd, 64, opts);
}

/** Everything below path (but the top-level names in skip): type, mode, size, mtime and a digest of the contents. */
function snapshot(path, skip = []) {
  const out = [];
  const walk = (p, rel) => {
    for (const name of readdirSync(p).sort()) {
      if (rel === '' && skip.includes(name)) continue;
      const full = join(p, name);
      const st = lstatSync(full);
      let extra = '';
      if (st.isFile()) extra = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16);
      else if (st.isSymbolicLink()) extra = JSON.stringify(readlinkSync(full));
      out.push(`${rel}${name} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${extra}`);
      if (st.isDirectory()) walk(full, `${rel}${name}/`);
    }
  };
  walk(path, '');
  return out.join('\n');
}

/** A call through a directory the host made a symlink: the walk beneath the root refuses it. */
function refused(r) {
  assert.ok(r === -ELOOP || r === -ENOTDIR, `expected ELOOP or ENOTDIR, got ${r}`);
}

const ctx = { uid: process.getuid(), gid: process.getgid() };
const enc = (s) => new Uint8Array(Buffer.from(s, 'latin1'));
const dec = (u) => Buffer.from(u).toString('latin1');

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tsvisor-hostrw-'));
  chmodSync(scratch, 0o755);
  dir = join(scratch, 'vol');
  outside = join(scratch, 'outside');
  mkdirSync(dir);
  mkdirSync(outside);
  writeFileSync(join(outside, 'f'), 'OUTSIDE');
});

after(() => {
  for (const fd of fds) closeSync(fd);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the Inode methods on a volume', () => {
  let fs, root, outsideWas;
  before(() => {
    outsideWas = snapshot(outside);
    fs = volume(dir);
    root = fs.root;
  });
  after(() => {
    assert.equal(snapshot(outside), outsideWas, 'nothing outside the volume changed');
  });

  test('an instance of a bind mount: writable, not a stable tree, the host\'s magic and statfs', () => {
    assert.equal(fs.readOnly, false);
    assert.equal(fs.stableTree, false);
    const host = statfsSync(dir);
    assert.equal(fs.magic, host.type);
    const s = fs.statfs();
    assert.equal(s.type, host.type);
    assert.equal(s.bsize, host.bsize);
    assert.equal(s.blocks, host.blocks);
  });

  test('create: a regular file with the mode asked for, whatever the host umask', () => {
    const old = process.umask(0o077);
    try {
      const ino = root.create('a', 0o664, ctx);
      assert.equal(typeof ino, 'object');
      const st = statSync(join(dir, 'a'));
      assert.ok(st.isFile());
      assert.equal(st.mode & 0o7777, 0o664);
      assert.equal(ino.mode & 0o7777, 0o664);
      assert.equal(root.create('a', 0o600, ctx), -EEXIST);
    } finally {
      process.umask(old);
    }
  });

  test('writable open: write, pwrite, read back, O_APPEND (also set later, as F_SETFL does), ftruncate, fallocate, fsync', () => {
    const ino = root.lookup('a');
    const f = ino.open(O_RDWR);
    assert.equal(typeof f, 'object');
    assert.equal(f.write([enc('hello '), enc('world')], 11, -1), 11);
    assert.equal(f.offset, 11);
    assert.equal(f.write([enc('W')], 1, 6), 1);
    assert.equal(f.offset, 11, 'pwrite leaves the offset');
    assert.equal(readFileSync(join(dir, 'a'), 'latin1'), 'hello World');
    const buf = new Uint8Array(5);
    assert.equal(f.read([buf], 5, 0), 5);
    assert.equal(dec(buf), 'hello');
    f.flags |= O_APPEND;
    f.offset = 0;
    assert.equal(f.write([enc('!')], 1, -1), 1);
    assert.equal(f.offset, 12, 'the offset follows an append');
    assert.equal(readFileSync(join(dir, 'a'), 'latin1'), 'hello World!');
    f.flags &= ~O_APPEND;
    assert.equal(f.write([enc('J')], 1, 0), 1);
    assert.equal(readFileSync(join(dir, 'a'), 'latin1'), 'Jello World!');
    assert.equal(f.truncate(5), 0);
    assert.equal(statSync(join(dir, 'a')).size, 5);
    assert.equal(f.fallocate(0, 0, 8192), 0);
    assert.equal(statSync(join(dir, 'a')).size, 8192);
    assert.equal(f.truncate(5), 0);
    assert.equal(f.sync(), 0);
    assert.equal(f.sync(true), 0);
    f.decRef();

    const ap = ino.open(O_WRONLY | O_APPEND);
    assert.equal(ap.write([enc('+')], 1, -1), 1);
    assert.equal(ap.write([enc('-')], 1, 0), 1, 'pwrite on O_APPEND appends, as on Linux');
    assert.equal(readFileSync(join(dir, 'a'), 'latin1'), 'Jello+-');
    ap.decRef();

    const ro = ino.open(O_RDONLY);
    assert.equal(ro.write([enc('x')], 1, -1), -9, 'EBADF: not open for writing');
    assert.equal(ro.truncate(0), -EINVAL);
    ro.decRef();
    assert.equal(fs.openHostFds, 0, 'every host descriptor was given back');
  });

  test('fchmod, fchown, futimens on an open file', () => {
    const f = root.lookup('a').open(O_RDONLY);
    assert.equal(f.setattr({ mode: 0o640 }, 0), 0);
    assert.equal(statSync(join(dir, 'a')).mode & 0o7777, 0o640);
    assert.equal(f.setattr({ atime: [1000, 5], mtime: [2000, 7] }, 0), 0);
    const st = statSync(join(dir, 'a'), { bigint: true });
    assert.equal(st.mtimeNs, 2000000000007n);
    assert.equal(st.atimeNs, 1000000000005n);
    f.decRef();
  });

  test('mkdir, and the errors only the file system knows: EEXIST, ENOTEMPTY, EISDIR, ENOTDIR', () => {
    const d = root.mkdir('d', 0o750, ctx);
    assert.equal(typeof d, 'object');
    assert.ok(statSync(join(dir, 'd')).isDirectory());
    assert.equal(statSync(join(dir, 'd')).mode & 0o7777, 0o750);
    assert.equal(root.mkdir('d', 0o755, ctx), -EEXIST);
    assert.equal(root.mkdir('a', 0o755, ctx), -EEXIST);
    assert.equal(typeof d.create('inner', 0o600, ctx), 'object');
    assert.equal(root.rmdir('d'), -ENOTEMPTY);
    assert.equal(root.unlink('d'), -EISDIR);
    assert.equal(root.rmdir('a'), -ENOTDIR);
    assert.equal(root.lookup('a').create('x', 0o600, ctx), -ENOTDIR);
  });

  test('mknod: a FIFO or socket node is made, never a device node; none of them opens', () => {
    const p = root.mknod('fifo', 0o010644, 0, ctx);
    assert.equal(typeof p, 'object');
    assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
    assert.equal(p.open(O_RDONLY), -EACCES);
    const s = root.mknod('sock', 0o140755, 0, ctx);
    assert.equal(typeof s, 'object');
    assert.ok(lstatSync(join(dir, 'sock')).isSocket());
    assert.equal(s.open(O_RDWR), -EACCES);
    assert.equal(root.mknod('null', 0o020666, (1 << 8) | 3, ctx), -EPERM);
    assert.equal(root.mknod('blk', 0o060666, (7 << 8), ctx), -EPERM);
    assert.ok(!existsSync(join(dir, 'null')) && !existsSync(join(dir, 'blk')));
    const r = root.mknod('reg', 0o100600, 0, ctx);
    assert.ok(lstatSync(join(dir, 'reg')).isFile(), `mknod S_IFREG makes a file (${r})`);
  });

  test('symlink and readlink; hard links, to a file and to a symlink', () => {
    const l = root.symlink('l', '/etc/passwd', ctx);
    assert.equal(typeof l, 'object');
    assert.equal(readlinkSync(join(dir, 'l')), '/etc/passwd');
    assert.equal(root.lookup('l').readlink(), '/etc/passwd');
    assert.equal(root.symlink('l', 'x', ctx), -EEXIST);
    assert.equal(typeof root.link('a2', root.lookup('a')), 'object');
    assert.equal(statSync(join(dir, 'a')).nlink, 2);
    assert.equal(statSync(join(dir, 'a2')).ino, statSync(join(dir, 'a')).ino);
    assert.equal(typeof root.link('l2', root.lookup('l')), 'object');
    assert.ok(lstatSync(join(dir, 'l2')).isSymbolicLink(), 'a hard link to a symlink is the symlink, not its target');
    assert.equal(lstatSync(join(dir, 'l2')).ino, lstatSync(join(dir, 'l')).ino);
    assert.equal(root.link('dd', root.lookup('d')), -EPERM);
    assert.equal(root.link('a', root.lookup('a2')), -EEXIST);
    const other = volume(outside);
    assert.equal(root.link('x', other.root.lookup('f')), -EXDEV);
  });

  test('link refuses a file the host replaced after the lookup', () => {
    const stale = root.lookup('a2');
    rmSync(join(dir, 'a2'));
    writeFileSync(join(dir, 'a2'), 'replaced');
    assert.equal(root.link('a3', stale), -ENOENT);
    assert.ok(!existsSync(join(dir, 'a3')));
  });

  test('rename, with RENAME_NOREPLACE and RENAME_EXCHANGE, across directories', () => {
    const d = root.lookup('d');
    assert.equal(root.rename('a2', d, 'moved', 0), 0);
    assert.ok(!existsSync(join(dir, 'a2')));
    assert.equal(readFileSync(join(dir, 'd', 'moved'), 'latin1'), 'replaced');
    assert.equal(d.rename('moved', root, 'a', RENAME_NOREPLACE), -EEXIST);
    writeFileSync(join(dir, 'x1'), 'one');
    writeFileSync(join(dir, 'x2'), 'two');
    assert.equal(root.rename('x1', root, 'x2', RENAME_EXCHANGE), 0);
    assert.equal(readFileSync(join(dir, 'x1'), 'latin1'), 'two');
    assert.equal(readFileSync(join(dir, 'x2'), 'latin1'), 'one');
    assert.equal(root.rename('x1', root, 'x2', 0), 0);
    assert.equal(readFileSync(join(dir, 'x2'), 'latin1'), 'two');
    assert.equal(root.rename('nope', root, 'x3', 0), -ENOENT);
    assert.equal(root.rename('x2', d, 'x2', RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
    const other = volume(outside);
    assert.equal(root.rename('x2', other.root, 'x2', 0), -EXDEV);
  });

  test('unlink and rmdir', () => {
    assert.equal(root.unlink('x2'), 0);
    assert.ok(!existsSync(join(dir, 'x2')));
    assert.equal(root.unlink('x2'), -ENOENT);
    const d = root.lookup('d');
    assert.equal(d.unlink('inner'), 0);
    assert.equal(d.unlink('moved'), 0);
    assert.equal(root.rmdir('d'), 0);
    assert.ok(!existsSync(join(dir, 'd')));
  });

  test('entries: every name but . and .., with its inode number and type', () => {
    mkdirSync(join(dir, 'sub'));
    const ents = root.entries();
    const names = ents.map((e) => e.name).sort();
    assert.deepEqual(names, readdirSync(dir).sort());
    for (const e of ents) {
      const st = lstatSync(join(dir, e.name));
      assert.equal(e.ino, st.ino, e.name);
      const want = st.isDirectory() ? 4 : st.isFile() ? 8 : st.isSymbolicLink() ? 10 : st.isFIFO() ? 1 : st.isSocket() ? 12 : 0;
      assert.equal(e.type, want, e.name);
    }
    assert.equal(root.lookup('a').entries(), -ENOTDIR);
  });

  test('setattr: chmod, chown, truncate, utimes; a symlink has no mode to change', () => {
    const a = root.lookup('a');
    assert.equal(a.setattr({ mode: 0o4755 }), 0);
    assert.equal(statSync(join(dir, 'a')).mode & 0o7777, 0o4755);
    assert.equal(a.setattr({ size: 3 }), 0);
    assert.equal(readFileSync(join(dir, 'a'), 'latin1'), 'Jel');
    assert.equal(a.setattr({ size: 10000 }), 0);
    assert.equal(statSync(join(dir, 'a')).size, 10000);
    assert.equal(a.setattr({ atime: [123, 456], mtime: [789, 1011] }), 0);
    const st = statSync(join(dir, 'a'), { bigint: true });
    assert.equal(st.atimeNs, 123000000456n);
    assert.equal(st.mtimeNs, 789000001011n);
    assert.equal(a.setattr({ mtime: [5, 0] }), 0);
    assert.equal(statSync(join(dir, 'a'), { bigint: true }).atimeNs, 123000000456n, 'an absent time is left alone');
    if (IS_ROOT) {
      assert.equal(a.setattr({ uid: 1234, gid: 5678 }), 0);
      const o = statSync(join(dir, 'a'));
      assert.equal(o.uid, 1234);
      assert.equal(o.gid, 5678);
      assert.equal(a.setattr({ gid: 42 }), 0);
      assert.equal(statSync(join(dir, 'a')).uid, 1234, 'an absent owner is left alone');
      assert.equal(root.lookup('l').setattr({ uid: 77 }), 0);
      assert.equal(lstatSync(join(dir, 'l')).uid, 77, 'chown of a symlink changes the link (lchown)');
    }
    assert.equal(root.lookup('l').setattr({ mode: 0o600 }), -EOPNOTSUPP);
    assert.equal(root.lookup('sub').setattr({ size: 0 }), -EISDIR);
    assert.equal(root.lookup('fifo').setattr({ size: 0 }), -EINVAL);
  });

  test('xattrs: user.* reaches the host; trusted.*, security.*, system.* are refused', () => {
    const a = root.lookup('a');
    assert.equal(a.getxattr('user.k'), -ENODATA);
    assert.equal(a.setxattr('user.k', enc('v1'), 0), 0);
    assert.equal(dec(a.getxattr('user.k')), 'v1');
    assert.equal(a.setxattr('user.k', enc('v2'), XATTR_CREATE), -EEXIST);
    assert.equal(a.setxattr('user.new', enc('x'), XATTR_REPLACE), -ENODATA);
    assert.equal(a.setxattr('user.empty', new Uint8Array(0), 0), 0);
    assert.equal(a.getxattr('user.empty').length, 0);
    assert.deepEqual(a.listxattr().sort(), ['user.empty', 'user.k']);
    assert.equal(a.removexattr('user.k'), 0);
    assert.equal(a.removexattr('user.k'), -ENODATA);
    for (const n of ['trusted.k', 'security.k', 'system.posix_acl_access']) {
      assert.equal(a.setxattr(n, enc('v'), 0), -EOPNOTSUPP, n);
      // The host's own trusted.* and security.* names read as absent, as on a file without them.
      assert.equal(a.getxattr(n), n.startsWith('system.') ? -EOPNOTSUPP : -ENODATA, n);
    }
    // The volume's root directory itself.
    assert.equal(root.setxattr('user.top', enc('t'), 0), 0);
    assert.equal(dec(root.getxattr('user.top')), 't');
    const r = spawnSync('getfattr', ['--only-values', '-n', 'user.top', dir], { encoding: 'latin1' });
    if (r.status === 0) assert.equal(r.stdout, 't');
  });

  test('a name that is not one plain component never reaches the host', () => {
    assert.equal(root.lookup('a\0b'), -ENOENT);
    assert.equal(root.create('../escape', 0o600, ctx), -EINVAL);
    assert.equal(root.create('x/y', 0o600, ctx), -EINVAL);
    assert.equal(root.mkdir('..', 0o700, ctx), -EINVAL);
    assert.equal(root.create('a\0', 0o600, ctx), -EINVAL);
    assert.equal(root.symlink('s', 'a\0b', ctx), -EINVAL);
    assert.equal(root.unlink('a\0'), -EINVAL);
    assert.ok(!existsSync(join(scratch, 'escape')));
  });

  test('a directory replaced by a symlink after its lookup: ELOOP, nothing done through it', () => {
    mkdirSync(join(dir, 'swap'));
    const sw = root.lookup('swap');
    rmSync(join(dir, 'swap'), { recursive: true });
    symlinkSync(outside, join(dir, 'swap'));
    refused(sw.create('planted', 0o644, ctx));
    refused(sw.mkdir('planted', 0o755, ctx));
    refused(sw.unlink('f'));
    refused(sw.rename('f', root, 'stolen', 0));
    refused(root.rename('a', sw, 'stolen', 0));
    refused(sw.symlink('planted', '/', ctx));
    refused(sw.mknod('planted', 0o010644, 0, ctx));
    assert.equal(typeof sw.entries(), 'number');
    assert.equal(typeof sw.lookup('f'), 'number');
    // A file replaced by a symlink to a file outside: neither opened nor changed.
    writeFileSync(join(dir, 'victim'), 'inside');
    const v = root.lookup('victim');
    rmSync(join(dir, 'victim'));
    symlinkSync(join(outside, 'f'), join(dir, 'victim'));
    assert.equal(v.open(O_RDWR), -ELOOP);
    assert.equal(v.open(O_RDONLY), -ELOOP);
    assert.equal(v.setattr({ mode: 0o777 }), -ENOENT);
    assert.equal(v.setattr({ size: 0 }), -ENOENT);
    assert.equal(v.setxattr('user.x', enc('x'), 0) < 0 || lstatSync(join(dir, 'victim')).isSymbolicLink(), true);
    assert.equal(readFileSync(join(outside, 'f'), 'latin1'), 'OUTSIDE');
    // A regular file replaced by a FIFO: not opened.
    writeFileSync(join(dir, 'pipe'), 'x');
    const pi = root.lookup('pipe');
    rmSync(join(dir, 'pipe'));
    spawnSync('mkfifo', [join(dir, 'pipe')]);
    assert.equal(pi.open(O_RDONLY), -EACCES);
  });

  test('O_PATH opens hold no host descriptor', () => {
    const f = root.lookup('a').open(O_PATH);
    assert.equal(typeof f, 'object');
    assert.equal(fs.openHostFds, 0);
    f.decRef();
  });
});

describe('a read-only volume (:ro)', () => {
  test('every change is EROFS; reads work', () => {
    const rodir = join(scratch, 'ro');
    mkdirSync(rodir);
    writeFileSync(join(rodir, 'f'), 'data');
    const was = snapshot(rodir);
    const fs = volume(rodir, { bind: true, readOnly: true });
    const root = fs.root;
    assert.equal(fs.readOnly, true);
    const f = root.lookup('f');
    assert.equal(f.open(O_WRONLY), -EROFS);
    assert.equal(f.open(O_RDWR), -EROFS);
    assert.equal(root.create('g', 0o644, ctx), -EROFS);
    assert.equal(root.mkdir('g', 0o755, ctx), -EROFS);
    assert.equal(root.unlink('f'), -EROFS);
    assert.equal(root.rename('f', root, 'g', 0), -EROFS);
    assert.equal(f.setattr({ mode: 0o777 }), -EROFS);
    assert.equal(f.setxattr('user.x', enc('1'), 0), -EROFS);
    const r = f.open(O_RDONLY);
    const buf = new Uint8Array(4);
    assert.equal(r.read([buf], 4, 0), 4);
    assert.equal(dec(buf), 'data');
    assert.equal(r.setattr({ mode: 0o600 }, 0), -EROFS);
    r.decRef();
    assert.equal(snapshot(rodir), was);
  });
});

// ---------------------------------------------------------------------------
// Whole runs

describe('tsvisor do -v', { skip: NO_VOLUMES }, () => {
  let vol, sib, sibBefore;
  before(() => {
    vol = join(scratch, 'run-vol');
    sib = join(scratch, 'run-sibling');
    mkdirSync(vol);
    mkdirSync(sib);
    writeFileSync(join(vol, 'existing'), 'old contents that are longer\n');
    writeFileSync(join(sib, 'existing'), 'sibling\n');
    sibBefore = snapshot(scratch, ['run-vol']);
  });

  const sh = (script, extra) => {
    const r = runTsvisor(['/bin/sh', '-c', script], { extraArgs: extra, timeout: 60_000 });
    assertNoSentryCrash(r);
    return r;
  };

  test('a file written to /data is on the host in the directory, and nothing outside it changed', () => {
    const r = sh('echo written-in-the-sandbox > /data/existing && cat /data/existing && echo more >> /data/existing', ['-v', `${vol}:/data`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'written-in-the-sandbox\n');
    assert.equal(readFileSync(join(vol, 'existing'), 'latin1'), 'written-in-the-sandbox\nmore\n');
    assert.equal(snapshot(scratch, ['run-vol']), sibBefore);
  });

  test('writes reach the host only beneath the volume: what the program makes in /data is there, what it writes anywhere else is not', () => {
    const tag = `tsvisor-vol-${process.pid}`;
    const outsideVol = [`/tmp/${tag}`, `/etc/${tag}`, `/${tag}`, join(sib, tag)];
    for (const p of outsideVol) assert.equal(existsSync(p), false, `${p} exists before the run`);
    const r = sh([
      `mkdir /data/sub && echo deep > /data/sub/f && echo top > /data/${tag} && ln -s sub/f /data/link`,
      // Everywhere else: the overlay root, a climb out of the volume, the
      // volume's sibling directory by its host path.
      `echo t > /tmp/${tag} && echo e > /etc/${tag} && echo up > /data/../${tag}`,
      `(mkdir -p ${sib} && echo s > ${sib}/${tag} && echo changed > ${sib}/existing) 2>/dev/null`,
      `cat /data/link /data/${tag} /data/../${tag}`,
    ].join('; '), ['-v', `${vol}:/data`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deep\ntop\nup\n');
    // On the host: exactly the new entries, beneath the volume.
    const names = snapshot(vol).split('\n').map((l) => l.split(' ')[0]);
    assert.deepEqual(names, ['existing', 'link', 'sub', 'sub/f', tag].sort());
    assert.equal(readFileSync(join(vol, 'sub', 'f'), 'latin1'), 'deep\n');
    assert.equal(readFileSync(join(vol, tag), 'latin1'), 'top\n');
    assert.equal(readlinkSync(join(vol, 'link')), 'sub/f');
    for (const p of outsideVol) assert.equal(existsSync(p), false, `${p} reached the host`);
    assert.equal(readFileSync(join(sib, 'existing'), 'latin1'), 'sibling\n');
    assert.equal(snapshot(scratch, ['run-vol']), sibBefore, 'something outside the volume changed');
    for (const p of ['sub', 'link', tag]) rmSync(join(vol, p), { recursive: true, force: true });
  });

  test('the sandbox sees the host directory\'s entries at /data', () => {
    const r = sh('ls /data', ['--volume', `${vol}:/data`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'existing\n');
  });

  test('with :ro, writes fail with EROFS and the host file is unchanged', () => {
    const was = readFileSync(join(vol, 'existing'), 'latin1');
    const r = sh('echo x > /data/existing', ['-v', `${vol}:/data:ro`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Read-only file system/);
    assert.equal(readFileSync(join(vol, 'existing'), 'latin1'), was);
    const c = sh('cat /data/existing', ['-v', `${vol}:/data:ro`]);
    assert.equal(c.stdout, was);
  });

  test('bad volume specifications are refused before anything runs', () => {
    for (const spec of [`${vol}`, `relative:/data`, `${vol}:data`, `${vol}:/data:rw:x`, `${vol}:/data:bogus`,
      `${join(scratch, 'missing')}:/data`, `${join(vol, 'existing')}:/data`, `${vol}:/`]) {
      const r = runTsvisor(['/bin/true'], { extraArgs: ['-v', spec], timeout: 30_000 });
      assertNoSentryCrash(r);
      assert.equal(r.code, 125, `${spec}: ${r.stderr}`);
      assert.match(r.stderr, /volume/, spec);
    }
  });
});

// ---------------------------------------------------------------------------
// C programs, natively in a scratch directory and under tsvisor in /data

/**
 * Runs test/c/NAME.c with the directory as its argument: natively on a
 * fresh scratch directory, and under tsvisor on /data, a volume of another
 * fresh one (each first given to prepare); the outputs and statuses must
 * agree, and the two directories must end the same.
 */
function compareInVolume(name, prepare = () => {}) {
  const bin = compileC(name);
  const nat = mkdtempSync(join(scratch, `${name}-native-`));
  const vol = mkdtempSync(join(scratch, `${name}-vol-`));
  prepare(nat);
  prepare(vol);
  const n = runNative([bin, nat], { timeout: 60_000 });
  assert.equal(n.code, 0, `native ${name}: ${n.stderr}`);
  const s = runTsvisor([bin, '/data'], { extraArgs: ['-v', `${vol}:/data`], timeout: 60_000 });
  assertNoSentryCrash(s);
  assert.equal(s.stdout, n.stdout);
  assert.equal(s.code, n.code, s.stderr);
  const norm = (t) => t.split('\n').map((l) => l.replace(/^(\S+ \S+ \S+) \S+/, '$1')).join('\n');
  assert.equal(norm(snapshot(vol)), norm(snapshot(nat)), 'the volume ends as the native directory does');
  return { nat, vol };
}


test('hostfs_tree.c: create, rename, unlink, mkdir, rmdir, link, symlink in /data, as in a host directory', { skip: NO_VOLUMES }, () => {
  compareInVolume('hostfs_tree');
});

test('hostfs_attrs.c: chmod, chown, truncate, utimes, user.* xattrs in /data, as in a host directory', { skip: NO_VOLUMES }, () => {
  compareInVolume('hostfs_attrs');
});

test('hostfs_io.c: writes, O_APPEND, pwrite, ftruncate, fsync, fchmod of files in /data', { skip: NO_VOLUMES }, () => {
  const { vol } = compareInVolume('hostfs_io', (d) => {
    writeFileSync(join(d, 'io.dat'), 'previous contents');
    writeFileSync(join(d, 'log'), 'line0\n');
  });
  assert.equal(readFileSync(join(vol, 'io.dat'), 'latin1'), 'JEllo+');
});
