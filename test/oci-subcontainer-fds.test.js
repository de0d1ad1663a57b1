// The host descriptors a pod's sub-containers and volumes cost the Sentry
// (src/fs/hostfs/roots.ts; docs/oci.md, "Pods"): each hostfs instance's
// root descriptor (a sub-container's root, each of its bind volumes, a
// volume of the sandbox's own) is charged to the sandbox's host-descriptor
// budget and closed once nothing in the sandbox reaches the instance: after
// a DestroySubcontainer or a umount, or later, once a process of another
// container that holds a directory of it (through /proc/PID/root) lets go.
// The sub-containers are driven through the control socket as `tsvisor
// create` drives them (ControlClient, with the descriptors
// openContainerFiles opens), so that many cycles take seconds. The
// Sentry's descriptors are read from the host's /proc/<sentry>/fd; a root
// descriptor is told by the directory it is of (its device and inode).

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE_DIR, SELFCHECK, TSVISOR_BIN, compileC, ms, sleep, tsvisorHostEnv, waitFor } from './lib/harness.js';
import { OciWork, test } from './lib/oci.js';

const { ControlClient } = await import('../dist/control/client.js');
const { openContainerFiles } = await import('../dist/container/pod.js');
const { native } = await import('../dist/native.js');
const { DESTROY_GC_DELAYS_MS, HELD_POLL_MS } = await import('../dist/fs/hostfs/roots.js');

let w;
/** /dev/null, read-write: the sub-containers' stdio. */
let nul;
/** The pod with the Sentry's default budget, and one started with RLIMIT_NOFILE 128 (a budget of 64). */
let pod, small;
/** A host directory a pod's mount hint makes a tmpfs of; volumes of the pod's own container: one a test unmounts, one its processes wait on. */
let hinted, unmounted, signals;

before(() => {
  if (SELFCHECK) return;
  w = new OciWork('tsv-subfd-');
  nul = openSync('/dev/null', 'r+');
  hinted = join(w.dir, 'hinted');
  unmounted = join(w.dir, 'unmounted');
  signals = join(w.dir, 'signals');
  for (const d of [hinted, unmounted, signals]) mkdirSync(d);
  writeFileSync(join(unmounted, 'f'), 'in the volume\n');
  pod = startPod({
    annotations: {
      'io.kubernetes.cri.container-type': 'sandbox',
      'dev.gvisor.spec.mount.scratch.source': hinted, 'dev.gvisor.spec.mount.scratch.type': 'tmpfs', 'dev.gvisor.spec.mount.scratch.share': 'pod',
    },
    mounts: [{ destination: '/uv', type: 'bind', source: unmounted, options: ['rbind'] }, { destination: '/sig', type: 'bind', source: signals, options: ['rbind'] }],
  });
  small = startPod({ annotations: { 'io.kubernetes.cri.container-type': 'sandbox' } }, ['prlimit', '--nofile=128:128']);
});

after(() => {
  if (nul !== undefined) closeSync(nul);
  w?.cleanup();
});

/** A pod's sandbox container (sleep), run -d under prefix (a command it runs under); its id, control socket, init's and Sentry's host pids. */
function startPod(extra, prefix = []) {
  const dir = w.bundle(['sleep', '100000'], { ...extra, mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, ...(extra.mounts ?? [])] });
  copyFileSync(compileC('hostfdcount', { static: true, dir: HOSTILE_DIR }), join(dir, 'rootfs', 'bin', 'hostfdcount'));
  symlinkSync('busybox', join(dir, 'rootfs', 'bin', 'umount'));
  const id = w.newId();
  const out = openSync(join(w.dir, `out-${id}`), 'w');
  let r;
  try {
    r = spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length > 0 ? [process.execPath] : []),
      TSVISOR_BIN, '--root', w.stateRoot, 'run', '-d', '-b', dir, id], { env: tsvisorHostEnv(), stdio: ['ignore', out, out], timeout: ms(60_000) });
  } finally {
    closeSync(out);
  }
  assert.equal(r.status, 0, readFileSync(join(w.dir, `out-${id}`), 'utf8'));
  const pid = w.state(id).pid;
  const sentry = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  return { id, pid, sentry, sock: join(w.stateRoot, id, 'control.sock') };
}

/** How many descriptors the Sentry holds. */
function sentryFds(p) {
  return readdirSync(`/proc/${p.sentry}/fd`).length;
}

/** How many of the Sentry's descriptors are of one of dirs (host directories: a root, a volume). */
function rootsHeld(p, dirs) {
  const want = new Set(dirs.map((d) => {
    const st = statSync(d);
    return `${st.dev}:${st.ino}`;
  }));
  let n = 0;
  for (const f of readdirSync(`/proc/${p.sentry}/fd`)) {
    try {
      const st = statSync(`/proc/${p.sentry}/fd/${f}`);
      if (st.isDirectory() && want.has(`${st.dev}:${st.ino}`)) n++;
    } catch {
      // Closed meanwhile.
    }
  }
  return n;
}

/** A sub-container's bundle: args, with a bind volume at /v of vol (when given) and extra's fields; its config and root path. */
function subBundle(args, { vol = null, mounts = [], pidns = null } = {}) {
  const dir = w.bundle(args, {
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, ...(vol === null ? [] : [{ destination: '/v', type: 'bind', source: vol, options: ['rbind'] }]), ...mounts],
    linux: { namespaces: [pidns === null ? { type: 'pid' } : { type: 'pid', path: pidns }, { type: 'mount' }] },
  });
  return { dir, cfg: JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), rootfs: join(dir, 'rootfs') };
}

/** CreateSubcontainer as `tsvisor create` sends it: stdio, then the root and volumes it opened (closed here after). The init's pid. */
async function createSub(p, id, b, stdio = [nul, nul, nul]) {
  const opened = openContainerFiles(b.cfg, b.dir, b.rootfs);
  try {
    return (await new ControlClient(p.sock, id).createSubcontainer({ id, spec: b.cfg, bundle: b.dir, rootPath: b.rootfs, preserveFds: 0 },
      stdio.length, opened.volumes, [...stdio, ...opened.fds])).pid;
  } finally {
    for (const fd of opened.fds) native.close(fd);
  }
}

/** One life of a sub-container: created, started, waited for, destroyed; its exit status. */
async function cycle(p, id, b, stdio) {
  const c = new ControlClient(p.sock, id);
  await createSub(p, id, b, stdio);
  await c.startSubcontainer();
  const st = await c.wait();
  await c.destroySubcontainer();
  return st.exitStatus;
}

/** A process run in the pod's own container, stdout and stderr to a file: its pid and the file. */
async function execInPod(p, args, caps = []) {
  const file = join(w.dir, `exec-${w.newId()}`);
  const fd = openSync(file, 'w');
  try {
    const proc = { args, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 } };
    if (caps.length > 0) proc.capabilities = { bounding: caps, effective: caps, permitted: caps };
    const { pid } = await new ControlClient(p.sock, p.id).execute(proc, [nul, fd, fd]);
    return { pid, file };
  } finally {
    closeSync(fd);
  }
}

/** A process run in the pod's own container to its end: what it wrote. */
async function runInPod(p, args, caps) {
  const { pid, file } = await execInPod(p, args, caps);
  const st = await new ControlClient(p.sock, p.id).waitPid(pid);
  assert.equal(st.exitStatus, 0, readFileSync(file, 'utf8'));
  return readFileSync(file, 'utf8');
}

/** The last collection a DestroySubcontainer asks for, and a little more. */
const AFTER_DESTROY_MS = DESTROY_GC_DELAYS_MS[DESTROY_GC_DELAYS_MS.length - 1] + 1000;
/**
 * By when a destroyed sub-container's descriptors are let go: its collections, or on a loaded machine (where its
 * processes may still be ending at the last of them) the first poll after.
 */
const RELEASED_MS = AFTER_DESTROY_MS + HELD_POLL_MS;

test('50 create/destroy cycles of a sub-container with a bind volume: the Sentry\'s descriptors come back to where they were', async () => {
  const vol = join(w.dir, 'cycled');
  mkdirSync(vol);
  writeFileSync(join(vol, 'f'), 'in the volume\n');
  const b = subBundle(['cat', '/v/f'], { vol });
  const base = sentryFds(pod);
  const outFile = join(w.dir, 'cycled-out');
  let peak = 0;
  for (let i = 0; i < 50; i++) {
    const out = openSync(outFile, 'w');
    try {
      assert.equal(await cycle(pod, `cycled-${i}`, b, [nul, out, out]), 0, readFileSync(outFile, 'utf8'));
    } finally {
      closeSync(out);
    }
    assert.equal(readFileSync(outFile, 'utf8'), 'in the volume\n');
    peak = Math.max(peak, sentryFds(pod));
  }
  // Held, the 50 roots and 50 volumes would be 100 more; released, a few cycles' wait for the next collection.
  assert.ok(peak < base + 70, `the Sentry held ${peak} descriptors at most, ${base} before`);
  const released = await waitFor(() => sentryFds(pod) <= base + 2 && rootsHeld(pod, [vol, b.rootfs]) === 0, ms(RELEASED_MS));
  assert.ok(released, `the Sentry holds ${sentryFds(pod)} descriptors, ${base} before, ${rootsHeld(pod, [vol, b.rootfs])} of them the cycled root and volume`);
});

test('a process of another container holding a directory of a destroyed sub-container (by /proc/PID/root) still reads it; once it lets go, its root and volume are closed', async () => {
  const vol = join(w.dir, 'held');
  mkdirSync(vol);
  writeFileSync(join(vol, 'f'), 'still here\n');
  // It joins the pod's pid namespace, so the pod's own container sees its init in /proc.
  const b = subBundle(['sleep', '100000'], { vol, pidns: `/proc/${pod.pid}/ns/pid` });
  const c = new ControlClient(pod.sock, 'held');
  const init = await createSub(pod, 'held', b);
  await c.startSubcontainer();
  assert.equal(rootsHeld(pod, [b.rootfs, vol]), 2);
  // The holder: its cwd and descriptor 3 in the volume, through the init's root; it goes on once /sig/go-held exists.
  const holder = await execInPod(pod, ['sh', '-c',
    `cd /proc/${init}/root/v && exec 3< . && echo held && while [ ! -e /sig/go-held ]; do sleep 0.1; done; ` +
    'cat f; ls; cat /proc/self/fd/3/f; cd /; exec 3<&-; echo let go']);
  assert.ok(await waitFor(() => readFileSync(holder.file, 'utf8') === 'held\n', ms(10_000)), readFileSync(holder.file, 'utf8'));
  await c.destroySubcontainer();
  await sleep(AFTER_DESTROY_MS);
  // Its root, its volume, and the holder's descriptor 3 (an open directory of the volume holds a host descriptor of its own).
  assert.equal(rootsHeld(pod, [b.rootfs, vol]), 3, 'closed while a process holds a directory of it');
  writeFileSync(join(signals, 'go-held'), '');
  const st = await new ControlClient(pod.sock, pod.id).waitPid(holder.pid);
  assert.equal(readFileSync(holder.file, 'utf8'), 'held\nstill here\nf\nstill here\nlet go\n');
  assert.equal(st.exitStatus, 0);
  assert.ok(await waitFor(() => rootsHeld(pod, [b.rootfs, vol]) === 0, ms(60_000), 200), `still held: ${rootsHeld(pod, [b.rootfs, vol])}`);
});

test('a zombie of a destroyed sub-container that nobody reaps holds none of its mounts (exit_fs, exit_mm): its root and volume are closed', async () => {
  const vol = join(w.dir, 'zombie');
  mkdirSync(vol);
  // Its init's child outlives it and is killed with it; in the pod's pid namespace it is the pod's init's (a sleep that never reaps).
  const b = subBundle(['sh', '-c', 'cd /v && sleep 1000 & sleep 0.2'], { vol, pidns: `/proc/${pod.pid}/ns/pid` });
  assert.equal(await cycle(pod, 'zombie', b), 0);
  const zombies = await runInPod(pod, ['sh', '-c', 'for s in /proc/[0-9]*/stat; do read l < $s; case "$l" in *") Z "*) echo zombie;; esac; done']);
  assert.match(zombies, /zombie/, 'the killed child is a zombie');
  assert.ok(await waitFor(() => rootsHeld(pod, [b.rootfs, vol]) === 0, ms(RELEASED_MS)), `still held: ${rootsHeld(pod, [b.rootfs, vol])}`);
});

test('with RLIMIT_NOFILE 128 (a budget of 64 host descriptors), 100 cycles succeed; a sub-container\'s root and volume are charged to the budget while held, and a create that finds it spent is refused', async () => {
  assert.match(readFileSync(`/proc/${small.sentry}/limits`, 'utf8'), /Max open files\s+128\s+128/);
  const vol = join(w.dir, 'small');
  mkdirSync(vol);
  writeFileSync(join(vol, 'f'), 'in the volume\n');
  const b = subBundle(['cat', '/v/f'], { vol });
  for (let i = 0; i < 100; i++) assert.equal(await cycle(small, `small-${i}`, b), 0, `cycle ${i}`);
  assert.ok(await waitFor(() => rootsHeld(small, [vol, b.rootfs]) === 0, ms(RELEASED_MS)));
  const count = async () => {
    const out = await runInPod(small, ['hostfdcount', '/bin/busybox']);
    const m = /^(\d+) ENFILE\n$/.exec(out);
    assert.ok(m !== null, out);
    return Number(m[1]);
  };
  const before = await count();
  assert.ok(before > 16 && before < 64, `${before} opened`);
  // Created, not started: its root, its volume and its init's executable are held.
  const held = subBundle(['sleep', '100000'], { vol });
  await createSub(small, 'charged', held);
  assert.equal(await count(), before - 3);
  await new ControlClient(small.sock, 'charged').destroySubcontainer();
  assert.ok(await waitFor(() => rootsHeld(small, [vol, held.rootfs]) === 0, ms(RELEASED_MS)));
  assert.equal(await count(), before);
  // The budget spent by a process that holds what it opened: a create is refused in words, and nothing is kept.
  const hog = await execInPod(small, ['hostfdcount', '/bin/busybox', 'hold']);
  assert.ok(await waitFor(() => /^\d+ ENFILE\n$/.test(readFileSync(hog.file, 'utf8')), ms(10_000)), readFileSync(hog.file, 'utf8'));
  const fds = sentryFds(small);
  await assert.rejects(createSub(small, 'refused', held), /host descriptors are spent \(\d+ of 64, --max-host-fds\)/);
  // (The request's connection closes a moment after its reply.)
  assert.ok(await waitFor(() => sentryFds(small) <= fds, ms(5_000)), `${sentryFds(small)} descriptors, ${fds} before`);
  await new ControlClient(small.sock, small.id).signal(9, false, hog.pid);
  await new ControlClient(small.sock, small.id).waitPid(hog.pid);
  await createSub(small, 'refused', held);
  await new ControlClient(small.sock, 'refused').destroySubcontainer();
});

test('umount of a volume of the pod\'s own container closes its root descriptor', async () => {
  assert.equal(rootsHeld(pod, [unmounted]), 1);
  assert.equal(await runInPod(pod, ['sh', '-c', 'cat /uv/f && umount /uv && ls /uv'], ['CAP_SYS_ADMIN']), 'in the volume\n');
  assert.ok(await waitFor(() => rootsHeld(pod, [unmounted]) === 0, ms(5_000)), 'the volume\'s descriptor is still held');
});

test('a volume a mount hint makes a tmpfs keeps no descriptor of its host directory; a create whose mounts fail part way keeps none either', async () => {
  const b = subBundle(['sh', '-c', 'echo x > /v/y && cat /v/y'], { vol: hinted });
  const c = new ControlClient(pod.sock, 'hinted');
  await createSub(pod, 'hinted', b);
  assert.equal(rootsHeld(pod, [hinted]), 0, 'the hinted volume\'s descriptor was kept');
  assert.equal(rootsHeld(pod, [b.rootfs]), 1);
  await c.startSubcontainer();
  assert.equal((await c.wait()).exitStatus, 0);
  await c.destroySubcontainer();
  assert.deepEqual(readdirSync(hinted), [], 'the host directory was written');
  // The bind volume is mounted, then a mount of no known type fails the create.
  const vol = join(w.dir, 'partway');
  mkdirSync(vol);
  const bad = subBundle(['true'], { vol, mounts: [{ destination: '/x', type: 'nosuchfs', source: 'none' }] });
  await assert.rejects(createSub(pod, 'partway', bad), /nosuchfs/);
  assert.ok(await waitFor(() => rootsHeld(pod, [vol, bad.rootfs, b.rootfs]) === 0, ms(5_000)),
    `held: ${rootsHeld(pod, [vol])} of the volume, ${rootsHeld(pod, [bad.rootfs])} of the root`);
});
