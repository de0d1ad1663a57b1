// A volume's host directory against a hostile host and a hostile program:
// a host process keeps swapping a directory inside the volume for a
// symlink to / or to a directory outside it (or for another directory)
// while creates, opens, renames and deletes go through that path; the
// volume's own symlinks and ".." resolve in the sandbox's view; the host's
// FIFOs, sockets and device nodes in it never open as the host's.
//
// Checked two ways: the hostfs Inode methods called directly (dist/) while
// the swapper runs, which exercises every tree-changing method now; and a
// program in the sandbox (tsvisor do --root R -v DIR:/data), where the
// root R holds nothing but the program, so a file outside DIR can only be
// reached by escaping.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync,
  readdirSync, rmSync, symlinkSync, writeFileSync, constants,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, SELFCHECK, assertNoSentryCrash, compileC, isGone, procStat, runTsvisor, sleep } from './lib/harness.js';

const { HostFileSystem } = await import(join(REPO, 'dist', 'fs', 'hostfs.js'));
const { O_RDWR, O_RDONLY, O_WRONLY } = await import(join(REPO, 'dist', 'vfs', 'file_description.js'));

const TOKEN = `tsvhostile${process.pid}`;
let scratch, outside;
const ctx = { uid: process.getuid(), gid: process.getgid() };

/** Names in / that this test's token marks: any is an escape to the host's root. */
function plantedInHostRoot() {
  return readdirSync('/').filter((n) => n.includes(TOKEN));
}

function listing(path) {
  const out = [];
  const walk = (p, rel) => {
    for (const n of readdirSync(p).sort()) {
      const st = lstatSync(join(p, n));
      out.push(`${rel}${n} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(join(p, n), `${rel}${n}/`);
    }
  };
  walk(path, '');
  return out.join('\n');
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tsvisor-hostile-hostfs-'));
  chmodSync(scratch, 0o755);
  outside = join(scratch, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'f'), 'OUTSIDE-SECRET');
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
  for (const n of plantedInHostRoot()) rmSync(join('/', n), { recursive: true, force: true });
});

/** Starts the swapper on a and b; resolves once it has swapped. */
async function startSwapper(a, b) {
  const bin = compileC('hostfs_swapper');
  const p = spawn(bin, [a, b], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    p.stdout.once('data', resolve);
    p.once('exit', (c) => reject(new Error(`swapper exited ${c}`)));
  });
  return p;
}

async function stopSwapper(p) {
  p.kill('SIGKILL');
  await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', r)));
}

/** A volume whose "sub" the swapper exchanges with "alt" (made by mkAlt). */
function raceVolume(name, mkAlt) {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'f'), 'inside');
  mkAlt(join(dir, 'alt'));
  return dir;
}

const SWAPS = [
  ['a symlink to /', (p) => symlinkSync('/', p)],
  ['a symlink to a directory outside the volume', (p) => symlinkSync(outside, p)],
  ['a relative symlink climbing out of the volume', (p) => symlinkSync('../outside', p)],
  ['another directory of the volume', (p) => { mkdirSync(p); writeFileSync(join(p, 'f'), 'other'); }],
];

describe('the Inode methods while the host swaps a directory', () => {
  for (const [what, mkAlt] of SWAPS) {
    test(`swapped for ${what}: no change and no open outside the volume`, async () => {
      const dir = raceVolume(`m-${SWAPS.findIndex((s) => s[0] === what)}`, mkAlt);
      const outsideWas = listing(outside);
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      const fs = new HostFileSystem(fd, 64, { bind: true });
      const root = fs.root;
      const swapper = await startSwapper(join(dir, 'sub'), join(dir, 'alt'));
      let ok = 0, refused = 0;
      const seen = new Set();
      const count = (r) => {
        if (typeof r === 'number' && r < 0) { refused++; seen.add(r); } else ok++;
      };
      const buf = new Uint8Array(64);
      try {
        const end = Date.now() + 1500;
        for (let i = 0; Date.now() < end; i++) {
          const sub = root.lookup('sub');
          if (typeof sub === 'number') { count(sub); continue; }
          // Whatever the lookup saw, every call resolves "sub" again beneath the root.
          const name = `${TOKEN}-${i}`;
          count(sub.create(name, 0o644, ctx));
          count(sub.mkdir(`${name}.d`, 0o755, ctx));
          count(sub.symlink(`${name}.l`, '/etc/passwd', ctx));
          count(sub.rename(name, sub, `${name}.r`, 0));
          count(sub.unlink(`${name}.r`));
          count(sub.rmdir(`${name}.d`));
          count(sub.unlink(`${name}.l`));
          count(sub.unlink('f-not-there'));
          const f = typeof sub.lookup === 'function' && (sub.mode & 0o170000) === 0o040000 ? sub.lookup('f') : -20;
          if (typeof f !== 'number') {
            const of = f.open(i % 2 ? O_RDWR : O_RDONLY);
            count(of);
            if (typeof of !== 'number') {
              const n = of.read([buf], buf.length, 0);
              assert.ok(!Buffer.from(buf.subarray(0, Math.max(0, n))).toString().includes('OUTSIDE'), 'read a file outside the volume');
              if (of.writable) of.write([new Uint8Array(Buffer.from('inside'))], 6, 0);
              of.decRef();
            }
            count(f.setattr({ mode: 0o644 }));
            count(f.setxattr('user.tsv', new Uint8Array(1), 0));
          }
          count(sub.entries());
        }
      } finally {
        await stopSwapper(swapper);
        closeSync(fd);
      }
      assert.equal(listing(outside), outsideWas, 'the directory outside the volume is unchanged');
      assert.equal(readFileSync(join(outside, 'f'), 'latin1'), 'OUTSIDE-SECRET');
      assert.deepEqual(plantedInHostRoot(), [], 'nothing was made in the host\'s /');
      assert.ok(ok > 0, 'some calls went through (the race ran)');
      if (what.startsWith('a')) {
        assert.ok(refused > 0, 'some calls met the symlink');
        for (const e of seen) assert.ok([-2, -20, -40, -17, -39, -13, -116].includes(e), `unexpected errno ${e}`);
      }
      assert.equal(fs.openHostFds, 0);
    });
  }
});

describe('a program in the sandbox', { skip: SELFCHECK && 'the self-check fake tsvisor has no -v' }, () => {
  let root, prog;
  before(() => {
    root = join(scratch, 'root');
    mkdirSync(root);
    chmodSync(root, 0o755);
    writeFileSync(join(root, 'marker'), 'ROOT-VIEW\n');
    writeFileSync(join(scratch, 'marker'), 'HOST-SIDE\n');
    for (const p of ['hostfs_race', 'hostfs_nodes']) {
      copyFileSync(compileC(p, { static: true }), join(root, p));
      chmodSync(join(root, p), 0o755);
    }
    prog = (name) => `/${name}`;
  });

  const run = (argv, vol, extra = []) => {
    const r = runTsvisor(argv, { root, extraArgs: ['-v', `${vol}:/data`, ...extra], timeout: 120_000 });
    assertNoSentryCrash(r);
    return r;
  };

  for (const [what, mkAlt] of SWAPS.slice(0, 2)) {
    test(`opens, writes, creates, renames and deletes through /data/sub while it is swapped for ${what}`, async () => {
      const dir = raceVolume(`p-${SWAPS.findIndex((s) => s[0] === what)}`, mkAlt);
      const outsideWas = listing(outside);
      const swapper = await startSwapper(join(dir, 'sub'), join(dir, 'alt'));
      let r;
      try {
        r = await new Promise((resolve) => {
          const child = spawn(process.execPath, [join(REPO, 'bin', 'tsvisor.js'), 'do', '--root', root, '--cwd', '/',
            '-v', `${dir}:/data`, '--', prog('hostfs_race'), '/data', '400'], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '', stderr = '';
          child.stdout.on('data', (d) => { stdout += d; });
          child.stderr.on('data', (d) => { stderr += d; });
          child.on('exit', (code) => resolve({ code, stdout, stderr }));
        });
      } finally {
        await stopSwapper(swapper);
      }
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^escaped: 0\n/);
      assert.match(r.stdout, /read through the path: 1\n/);
      assert.equal(listing(outside), outsideWas);
      assert.equal(readFileSync(join(outside, 'f'), 'latin1'), 'OUTSIDE-SECRET');
      assert.deepEqual(plantedInHostRoot(), []);
    });
  }

  test('.. and absolute symlinks inside the volume resolve in the sandbox\'s view, not the host\'s', () => {
    const dir = join(scratch, 'links');
    mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
    symlinkSync('/marker', join(dir, 'abs'));
    symlinkSync('../marker', join(dir, 'up'));
    symlinkSync('../../../marker', join(dir, 'deep', 'er', 'way-up'));
    symlinkSync('/', join(dir, 'rootlink'));
    const paths = ['/data/abs', '/data/up', '/data/deep/er/way-up', '/data/../marker', '/data/deep/../../marker',
      '/data/rootlink/marker'];
    const c = runTsvisor([prog('hostfs_nodes'), '-r', ...paths], { root, extraArgs: ['-v', `${dir}:/data`], timeout: 60_000 });
    assertNoSentryCrash(c);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, paths.map((p) => `${p}: ROOT-VIEW\n`).join(''));
  });

  test('the host\'s FIFO, socket and device nodes in the volume do not open; a host writer on the FIFO stays blocked', async () => {
    const dir = join(scratch, 'nodes');
    mkdirSync(dir);
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0);
    const paths = ['fifo'];
    if (process.getuid() === 0) {
      assert.equal(spawnSync('mknod', [join(dir, 'null'), 'c', '1', '3']).status, 0);
      assert.equal(spawnSync('mknod', [join(dir, 'mem'), 'c', '1', '1']).status, 0);
      paths.push('null', 'mem');
    }
    const server = createServer();
    await new Promise((r) => server.listen(join(dir, 'sock'), r));
    paths.push('sock');
    // A host writer that would go on (and exit) only if someone opened the FIFO for reading.
    const writer = spawn('/bin/sh', ['-c', `echo leaked > ${join(dir, 'fifo')}`], { stdio: 'ignore' });
    const rec = procStat(writer.pid);
    try {
      const r = runTsvisor([prog('hostfs_nodes'), ...paths.map((p) => `/data/${p}`)], { root, extraArgs: ['-v', `${dir}:/data`], timeout: 60_000 });
      assertNoSentryCrash(r);
      assert.equal(r.code, 0, r.stderr);
      for (const p of paths) {
        for (const m of ['rdonly', 'wronly', 'rdwr', 'rdonly-blocking']) {
          // A socket file gives ENXIO, as open(2) of a socket does on Linux; the others EACCES.
          const want = p === 'sock' ? 'ENXIO' : 'EACCES';
          assert.match(r.stdout, new RegExp(`/data/${p} ${m}: -1 ${want}\n`), `${p} ${m}:\n${r.stdout}`);
        }
      }
      await sleep(200);
      assert.ok(!isGone(rec), 'the host writer is still blocked: the FIFO was never opened');
    } finally {
      writer.kill('SIGKILL');
      server.close();
    }
  });
});
