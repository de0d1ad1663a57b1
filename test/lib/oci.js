// What the OCI tests of hooks, pause and stats share: a work directory
// with a state root, busybox bundles, tsvisor's runc-style commands run
// against that root, and waiting on a container's status. One instance
// per test file (ociWork), made in before() and cleaned in after(): every
// container left behind is deleted with --force.

import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SELFCHECK, TSVISOR_BIN, ms, tsvisorHostEnv, waitFor } from './harness.js';

/** The busybox applets every bundle links. */
const APPLETS = ['sh', 'echo', 'cat', 'sleep', 'ls', 'hostname', 'kill', 'true', 'false', 'id', 'env', 'head', 'yes', 'tr', 'wc'];

/** node:test's test, skipped in self-check mode (the fake tsvisor has no OCI commands). */
export function test(name, fn) {
  return nodeTest(name, SELFCHECK ? { skip: 'the self-check\'s fake tsvisor has no OCI commands' } : {}, fn);
}

/**
 * A bundle at dir: a busybox rootfs (plus files: path in the rootfs ->
 * [text, mode]) and a config.json running args, with runc spec's
 * namespaces (a hostname needs the UTS one); extra's fields are the
 * config's (extra.process's are merged into process).
 */
export function makeBundle(dir, args, extra = {}, files = {}) {
  const bin = join(dir, 'rootfs', 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync('/bin/busybox', join(bin, 'busybox'));
  chmodSync(join(bin, 'busybox'), 0o755);
  for (const a of APPLETS) symlinkSync('busybox', join(bin, a));
  for (const [p, [text, mode]] of Object.entries(files)) {
    writeFileSync(join(dir, 'rootfs', p), text);
    chmodSync(join(dir, 'rootfs', p), mode);
  }
  const { process: proc = {}, ...rest } = extra;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    ociVersion: '1.2.0',
    process: { args, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 }, ...proc },
    root: { path: 'rootfs' },
    linux: { namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })) },
    ...rest,
  }));
  return dir;
}

/**
 * One request (msg: {id, method, params}) on the control socket at sock,
 * with fds as the header's descriptors ('*' alone without): the parsed reply.
 */
export async function controlRequest(sock, msg, fds = []) {
  const { native } = await import('../../dist/native.js');
  return new Promise((resolve, reject) => {
    const s = createConnection(sock);
    let buf = '';
    // '*': the header byte every connection opens with (src/control/protocol.ts); the descriptors ride on it.
    s.on('connect', () => {
      if (fds.length > 0) native.sendFds(s._handle.fd, new Uint8Array([0x2a]), fds);
      else s.write('*');
      s.write(`${JSON.stringify(msg)}\n`);
    });
    s.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        s.destroy();
        resolve(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
      }
    });
    s.on('error', reject);
  });
}

export class OciWork {
  constructor(prefix) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(this.dir, 0o755);
    this.stateRoot = join(this.dir, 'state');
    this.n = 0;
  }

  /** Deletes what the tests left running, and the work directory. */
  cleanup() {
    if (existsSync(this.stateRoot)) for (const id of readdirSync(this.stateRoot)) this.tsvisor(['delete', '--force', id]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  newId() {
    return `c${process.pid}-${++this.n}`;
  }

  /** A bundle in the work directory (makeBundle). */
  bundle(args, extra = {}, files = {}) {
    return makeBundle(join(this.dir, `bundle-${++this.n}`), args, extra, files);
  }

  /** tsvisor --root STATE ARGS..., waited for; opts as spawnSync takes them (default: all piped, cwd the work directory). */
  tsvisor(args, opts = {}) {
    const r = spawnSync(process.execPath, [TSVISOR_BIN, '--root', this.stateRoot, ...args], {
      env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(60_000), killSignal: 'SIGKILL', cwd: this.dir, ...opts,
    });
    assert.ok(r.error === undefined || r.error === null, `tsvisor ${args.join(' ')}: ${r.error?.message}`);
    return { code: r.status ?? 128 + (r.signal === 'SIGKILL' ? 9 : 0), stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** create (or run -d: cmd) ID from dir with the container's stdout and stderr in files (never a pipe the test waits on). */
  create(id, dir, more = [], cmd = ['create'], opts = {}) {
    const out = join(this.dir, `out-${++this.n}`);
    const err = join(this.dir, `err-${this.n}`);
    const o = openSync(out, 'w');
    const e = openSync(err, 'w');
    try {
      const r = this.tsvisor([...cmd, '-b', dir, ...more, id], { stdio: ['ignore', o, e], ...opts });
      return { ...r, out, err, stderr: readFileSync(err, 'utf8') };
    } finally {
      closeSync(o);
      closeSync(e);
    }
  }

  state(id) {
    const r = this.tsvisor(['state', id]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  async untilStatus(id, status, timeout = 20_000) {
    return waitFor(() => this.state(id).status === status, ms(timeout), 100);
  }
}

/** Whether pid is a live process (not gone, not a zombie). */
export function alive(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const st = s.slice(s.lastIndexOf(')') + 2)[0];
    return st !== 'Z' && st !== 'X';
  } catch {
    return false;
  }
}

/** Host pids whose command line has needle as an argument. */
export function pidsWithArg(needle) {
  const pids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').includes(needle)) pids.push(Number(p));
    } catch {
      // Gone.
    }
  }
  return pids;
}

/**
 * The first process whose parent is pid (the sandbox's Sentry, for a
 * container's pid), or 0: from every /proc/N/stat, since
 * /proc/PID/task/PID/children needs CONFIG_PROC_CHILDREN.
 */
export function childOf(pid) {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'latin1');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(p);
    } catch {
      // Gone.
    }
  }
  return 0;
}
