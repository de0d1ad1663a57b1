// The Kubernetes path (issue: a CRI test): containerd's CRI plugin, driven
// over gRPC as a kubelet drives it, runs pods with two runtime handlers of
// the runc v2 shim, `runc` (/usr/sbin/runc, the oracle) and `tsvisor`
// (bin/tsvisor as the shim's BinaryName). For each, the kubelet's sequence:
// RunPodSandbox (the pause container, annotated
// io.kubernetes.cri.container-type=sandbox), then containers created in the
// pod (container-type=container, sandbox-id=the pause container): one that
// prints and exits with a chosen status, read back from its CRI log file;
// two sharing a host directory; a long-running one for ExecSync and
// StopContainer; then the pod stopped and removed. Each step's result is
// recorded as a line and tsvisor's lines must equal runc's, as
// oci-clients.test.js does for podman and ctr.
//
// Pods use the node's network (NamespaceOption network = NODE), so no CNI
// plugin runs; with host networking containerd also leaves the pod in the
// host's UTS namespace, so "the same hostname" is the node's.
//
// containerd, its shims and the containers are the test's own (lib/cri.js):
// its own root, state, socket, runc roots and images under a /tmp scratch
// directory, all stopped and unmounted at the end, even on failure. The
// images are made here (lib/oci-image.js): busybox-static, and a pause
// image of a static C program (fixtures/pod/pause.c); no registry is
// reachable.
//
// Skipped, saying why, where containerd, busybox-static or gcc is missing,
// or containerd's CRI cannot run a pod with runc on the machine.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { compileC, ms } from './lib/harness.js';
import { criClient, startContainerd, stopContainerd } from './lib/cri.js';
import { ociImageTar } from './lib/oci-image.js';

const TSVISOR = resolve('bin/tsvisor');
const RUNC = '/usr/sbin/runc';
const BUSYBOX_IMAGE = 'localhost/tsvisor-pod-busybox:test';
const PAUSE_IMAGE = 'localhost/tsvisor-pod-pause:test';

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const busybox = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
const sleep = (n) => new Promise((r) => setTimeout(r, n));

// Short, in /tmp: the shims' sockets and overlay mount options carry these paths.
const scratch = mkdtempSync(join(tmpdir(), 'tsvpod-'));
chmodSync(scratch, 0o755);
// The pods' cgroup parent, as a kubelet gives one (its /kubepods/...): the containers' cgroups are
// PARENT/ID in each hierarchy, which the runtimes remove on delete; the parent is removed at the end.
const CGROUP_PARENT = `/${basename(scratch)}`;
let daemon = null;
let cri = null;
const cleanup = () => {
  cri?.runtime.close();
  cri?.image.close();
  cri = null;
  stopContainerd(daemon);
  daemon = null;
  for (const h of ['', ...readdirSync('/sys/fs/cgroup')]) {
    try { rmdirSync(join('/sys/fs/cgroup', h, CGROUP_PARENT)); } catch { /* not made in this hierarchy */ }
  }
};
after(cleanup);
// A runner that stops this file (Ctrl-C, a timeout's SIGTERM) must not leave the daemon and its pods running.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
// TSVISOR_POD_TEST_KEEP=1 keeps the scratch directory (containerd's log, the CRI logs, calls-*.log) for a look.
process.on('exit', () => {
  cleanup();
  if (process.env.TSVISOR_POD_TEST_KEEP === '1') console.error(`oci-pod: kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
});

/**
 * The runtimes as the shim sees them: a wrapper that runs the real binary
 * and appends its exit status and arguments to calls-NAME.log, so a refused
 * call can be named (the shim reports only the runtime's last log line),
 * and keeps each bundle's config.json as `create` gets it (specs-NAME/ID.json,
 * the bundle directory being named by the container id). The wrapper waits
 * for the runtime; `create` and `exec -d` return once their process runs,
 * which the shim (a subreaper) then reaps.
 */
function wrapper(name, binary) {
  const path = join(scratch, `${name}-runtime`);
  const specs = join(scratch, `specs-${name}`);
  mkdirSync(specs);
  writeFileSync(path, `#!/bin/sh
prev=
for a; do [ "$prev" = --bundle ] && cp "$a/config.json" "${specs}/\${a##*/}.json"; prev=$a; done
"${binary}" "$@"
rc=$?
printf '%s %s\\n' "$rc" "$*" >> "${join(scratch, `calls-${name}.log`)}"
exit $rc
`);
  chmodSync(path, 0o755);
  return path;
}

/** The calls the shim made of a runtime that exited non-zero ("STATUS ARGS" lines). */
function refusedCalls(name) {
  const log = join(scratch, `calls-${name}.log`);
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l && !l.startsWith('0 ')) : [];
}

/** The config.json the runtime got for a container id, as the wrapper kept it. */
function specOf(name, id) {
  const f = join(scratch, `specs-${name}`, `${id}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
}

/** A root file system: busybox-static and the applets the pods run. */
function busyboxRootfs(dir) {
  for (const d of ['bin', 'etc', 'tmp', 'data']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'cat', 'echo', 'sleep', 'hostname', 'ls', 'true']) symlinkSync('busybox', join(dir, 'bin', a));
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\n');
}

function ctr(args) {
  const r = spawnSync('ctr', ['-a', daemon.sock, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: ms(60_000) });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

let ready = null;
async function setup() {
  if (ready !== null) return ready;
  if (!have('containerd') || !have('ctr')) return (ready = 'containerd is not installed (apt-get install containerd)');
  if (!have('containerd-shim-runc-v2')) return (ready = 'containerd-shim-runc-v2 is not installed (apt-get install containerd)');
  if (!existsSync(RUNC)) return (ready = `${RUNC} is not installed (apt-get install runc)`);
  if (!busybox) return (ready = 'busybox-static is not installed');
  if (!have('gcc')) return (ready = 'gcc is not installed (the pause image is a static C program)');
  try {
    await import('@grpc/grpc-js');
  } catch {
    return (ready = '@grpc/grpc-js is not installed (npm ci)');
  }

  const bb = join(scratch, 'busybox-rootfs');
  busyboxRootfs(bb);
  const pause = join(scratch, 'pause-rootfs');
  mkdirSync(pause);
  copyFileSync(compileC('pause', { static: true, dir: resolve('test/fixtures/pod') }), join(pause, 'pause'));
  chmodSync(join(pause, 'pause'), 0o755);
  ociImageTar(bb, BUSYBOX_IMAGE, join(scratch, 'busybox.tar'), { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] });
  ociImageTar(pause, PAUSE_IMAGE, join(scratch, 'pause.tar'), { Entrypoint: ['/pause'] });

  try {
    daemon = await startContainerd(join(scratch, 'c'), {
      handlers: { runc: wrapper('runc', RUNC), tsvisor: wrapper('tsvisor', TSVISOR) },
      sandboxImage: PAUSE_IMAGE,
    });
  } catch (e) {
    return (ready = e.message);
  }
  for (const tar of ['busybox.tar', 'pause.tar']) {
    const imp = ctr(['images', 'import', join(scratch, tar)]);
    if (imp.code !== 0) return (ready = `ctr -n k8s.io images import ${tar}: ${imp.err.trim()}`);
  }
  cri = await criClient(daemon.sock);
  // The CRI learns of images ctr imported from containerd's events: wait until it has both.
  for (let i = 0; ; i++) {
    const have = await Promise.all([BUSYBOX_IMAGE, PAUSE_IMAGE].map((image) => cri.image.ImageStatus({ image: { image } })));
    if (have.every((s) => s.image)) break;
    if (i === 50) return (ready = 'the CRI does not see the imported images');
    await sleep(100);
  }
  return (ready = '');
}

/** A ContainerStatus's state once it is no longer running (StartContainer returns while it runs). */
async function waitExited(id, timeoutMs = 30_000) {
  const end = Date.now() + ms(timeoutMs);
  for (;;) {
    const { status } = await cri.runtime.ContainerStatus({ container_id: id });
    if (status.state === 'CONTAINER_EXITED' || Date.now() > end) return status;
    await sleep(100);
  }
}

/**
 * The CRI log file's lines without their timestamps ("stdout F hello"),
 * stdout's before stderr's: the shim copies the two from separate pipes, so
 * their order between streams is a race with any runtime; within a stream
 * it is the program's.
 */
function logLines(path) {
  if (!existsSync(path)) return `no log file ${path}`;
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''));
  return [...lines.filter((l) => l.startsWith('stdout ')), ...lines.filter((l) => !l.startsWith('stdout '))].join(' | ');
}

/**
 * A pod on one runtime handler, as a kubelet makes it: the sandbox config
 * (the node's network, ipc = POD, pid as given: CONTAINER is a kubelet's
 * default, POD its shareProcessNamespace), and helpers that record each
 * step's result as a "name: result" line in steps, normalised where a run's
 * own ids and paths show.
 */
function newPod(handler, name, pid, steps) {
  const rt = cri.runtime;
  const logDir = join(scratch, 'logs', `${handler}-${name}`);
  mkdirSync(logDir, { recursive: true });
  const norm = (v) => String(v).replaceAll(scratch, 'SCRATCH').replace(/[0-9a-f]{64}/g, 'ID').replaceAll(handler, 'HANDLER');
  const pod = {
    id: null,
    logDir,
    step: (what, value) => steps.push(`${what}: ${norm(typeof value === 'string' ? value : JSON.stringify(value))}`),
    config: {
      metadata: { name: `${name}-${handler}`, uid: `uid-${name}-${handler}`, namespace: 'default', attempt: 0 },
      // No hostname: with the node's network the pod is in the node's UTS namespace, where runc (and tsvisor)
      // refuse to set one; a kubelet leaves it to the node's then.
      log_directory: logDir,
      labels: { app: 'tsvisor-pod-test' },
      linux: { cgroup_parent: CGROUP_PARENT, security_context: { namespace_options: { network: 'NODE', pid, ipc: 'POD' } } },
    },
    async run() {
      ({ pod_sandbox_id: pod.id } = await rt.RunPodSandbox({ config: pod.config, runtime_handler: handler }, 120_000));
      const ps = await rt.PodSandboxStatus({ pod_sandbox_id: pod.id });
      pod.step('RunPodSandbox, PodSandboxStatus', `${ps.status.state} handler=${ps.status.runtime_handler} name=${ps.status.metadata.name}`);
    },
    async create(cname, command, extra = {}) {
      const config = {
        metadata: { name: cname, attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command,
        envs: [{ key: 'POD_TEST', value: 'from the env' }],
        log_path: `${cname}.log`,
        labels: { container: cname },
        // The container's own namespace options are what containerd reads for its pid namespace (a kubelet copies
        // the pod's here): CONTAINER is a pid namespace of its own, POD the pause container's.
        linux: { security_context: { namespace_options: pod.config.linux.security_context.namespace_options } },
        ...extra,
      };
      return (await rt.CreateContainer({ pod_sandbox_id: pod.id, config, sandbox_config: pod.config })).container_id;
    },
    async status(what, id) {
      const s = (await rt.ContainerStatus({ container_id: id })).status;
      pod.step(what, `${s.state} exit_code=${s.exit_code} reason=${s.reason}`);
    },
    // A container run to its end: its exit status and reason, and its CRI log.
    async runToEnd(cname, command, extra) {
      const id = await pod.create(cname, command, extra);
      await rt.StartContainer({ container_id: id });
      await waitExited(id);
      await pod.status(`${cname} status`, id);
      pod.step(`${cname} log`, logLines(join(logDir, `${cname}.log`)));
      return id;
    },
    // The pod stopped and removed, whatever state it is in (after a failed step too; StopPodSandbox also stops its
    // containers): nothing is left for the next sequence.
    async remove() {
      if (pod.id === null) return;
      await rt.StopPodSandbox({ pod_sandbox_id: pod.id }).catch(() => {});
      await rt.RemovePodSandbox({ pod_sandbox_id: pod.id }).catch(() => {});
    },
  };
  return pod;
}

/**
 * The kubelet's sequence for one pod on one runtime handler. Returns
 * { steps, hostnames, podId, specs }; a step that fails records its error
 * as the last step (what follows needs it).
 */
async function podSequence(handler) {
  const rt = cri.runtime;
  const steps = [];
  const hostnames = {};
  const specs = {};
  const vol = join(scratch, 'vol', handler);
  mkdirSync(vol, { recursive: true });
  const pod = newPod(handler, 'pod', 'CONTAINER', steps);
  const { step } = pod;
  let podId = null;
  try {
    await pod.run();
    const hello = await pod.runToEnd('hello', ['sh', '-c', 'echo hello from the pod; echo $POD_TEST; echo to stderr >&2; hostname; exit 3']);
    // Its last line on stdout is the hostname it saw (a CRI log line: TIME STREAM TAG TEXT).
    const out = readFileSync(join(pod.logDir, 'hello.log'), 'utf8').split('\n').filter((l) => l.split(' ')[1] === 'stdout');
    hostnames.hello = out.at(-1)?.split(' ').slice(3).join(' ');

    // A volume: the host directory in two containers, one after the other.
    const mounts = [{ container_path: '/data', host_path: vol, readonly: false }];
    const writer = await pod.runToEnd('writer', ['sh', '-c', 'echo written in the pod > /data/shared; echo wrote'], { mounts });
    step('volume on the host', existsSync(join(vol, 'shared')) ? readFileSync(join(vol, 'shared'), 'utf8').trim() : 'missing');
    const reader = await pod.runToEnd('reader', ['cat', '/data/shared'], { mounts });
    // The pod's /dev/shm (ipc = POD): containerd binds the sandbox's one into each container.
    const shmw = await pod.runToEnd('shm-writer', ['sh', '-c', 'echo in the pod shm > /dev/shm/tsvisor-test']);
    const shmr = await pod.runToEnd('shm-reader', ['cat', '/dev/shm/tsvisor-test']);

    // A command that is not in the image: CreateContainer succeeds, StartContainer fails (the runtime's create or
    // start refuses it; the error's words are each runtime's own, so only the failure is compared), and the
    // container is left EXITED with the CRI's StartError.
    const missing = await pod.create('missing', ['/bin/nosuch']);
    step('StartContainer missing', await rt.StartContainer({ container_id: missing }).then(() => 'started', () => 'failed'));
    await pod.status('missing status', missing);

    // A long-running container: ExecSync in it, then StopContainer. sleep is the init of its own pid namespace
    // (pid = CONTAINER) and has no SIGTERM handler, so the SIGTERM from outside is ignored, as Linux does for a
    // namespace's init, and the SIGKILL after the grace period ends it: 137.
    const sleeper = await pod.create('sleeper', ['sleep', '1000'], { mounts });
    await rt.StartContainer({ container_id: sleeper });
    await pod.status('sleeper status', sleeper);
    const ex = await rt.ExecSync({ container_id: sleeper, cmd: ['sh', '-c', 'echo exec out; cat /data/shared; echo exec err >&2; exit 5'], timeout: 30 });
    step('ExecSync', `exit_code=${ex.exit_code} stdout=${JSON.stringify(ex.stdout.toString())} stderr=${JSON.stringify(ex.stderr.toString())}`);
    const hn = await rt.ExecSync({ container_id: sleeper, cmd: ['hostname'], timeout: 30 });
    hostnames.sleeper = hn.stdout.toString().trim();
    step('ExecSync hostname', `exit_code=${hn.exit_code}`);

    const list = await rt.ListContainers({ filter: { pod_sandbox_id: pod.id } });
    step('ListContainers', list.containers.map((c) => `${c.metadata.name}=${c.state}`).sort().join(' '));
    const byState = await rt.ListContainers({ filter: { pod_sandbox_id: pod.id, state: { state: 'CONTAINER_RUNNING' } } });
    step('ListContainers running', byState.containers.map((c) => c.metadata.name).join(' '));

    await rt.StopContainer({ container_id: sleeper, timeout: 2 });
    await pod.status('StopContainer sleeper', sleeper);

    for (const id of [hello, writer, reader, shmw, shmr, missing, sleeper]) await rt.RemoveContainer({ container_id: id });
    step('RemoveContainer', (await rt.ListContainers({ filter: { pod_sandbox_id: pod.id } })).containers.length);

    // A container still running when the pod is stopped (a pod deleted at once): StopPodSandbox kills it first.
    const last = await pod.create('last', ['sleep', '1000']);
    await rt.StartContainer({ container_id: last });
    specs.sandbox = specOf(handler, pod.id);
    specs.container = specOf(handler, last);
    await rt.StopPodSandbox({ pod_sandbox_id: pod.id });
    step('StopPodSandbox', (await rt.PodSandboxStatus({ pod_sandbox_id: pod.id })).status.state);
    await pod.status('last status after StopPodSandbox', last);
    await rt.RemovePodSandbox({ pod_sandbox_id: pod.id });
    const gone = await rt.PodSandboxStatus({ pod_sandbox_id: pod.id }).then(() => 'still there', (e) => `gone (code ${e.code})`);
    step('RemovePodSandbox', gone);
    step('ListContainers after', (await rt.ListContainers({ filter: { pod_sandbox_id: pod.id } })).containers.length);
    podId = pod.id;
    pod.id = null;
  } catch (e) {
    step('FAILED', e.message);
  } finally {
    await pod.remove();
  }
  return { steps, hostnames, podId, specs };
}

/**
 * A pod sharing one pid namespace (pid = POD, Kubernetes'
 * shareProcessNamespace), the pause process its init: what a long-running
 * container sees of it (every process's name: the glob is expanded before
 * any cat runs, so the list is the pause process, sleep and the exec'd sh),
 * and StopContainer's status (sleep is not an init there, so SIGTERM ends
 * it: 143). Steps as podSequence's.
 */
async function sharedPidSequence(handler) {
  const rt = cri.runtime;
  const steps = [];
  const pod = newPod(handler, 'shared', 'POD', steps);
  try {
    await pod.run();
    const sleeper = await pod.create('sleeper', ['sleep', '1000']);
    await rt.StartContainer({ container_id: sleeper });
    const ps = await rt.ExecSync({ container_id: sleeper, cmd: ['sh', '-c', 'for p in /proc/[0-9]*; do cat $p/comm; done'], timeout: 30 });
    pod.step('processes', `exit_code=${ps.exit_code} ${ps.stdout.toString().split('\n').filter(Boolean).sort().join(' ')} ${ps.stderr.toString().trim()}`.trim());
    await rt.StopContainer({ container_id: sleeper, timeout: 2 });
    await pod.status('StopContainer sleeper', sleeper);
  } catch (e) {
    pod.step('FAILED', e.message);
  } finally {
    await pod.remove();
  }
  return steps;
}

let runcPod = null;
let tsvisorPod = null;

test('containerd CRI with the runc handler: the kubelet sequence runs (the oracle)', { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  runcPod = await podSequence('runc');
  const steps = runcPod.steps;
  for (const s of steps) t.diagnostic(`runc: ${s}`);
  assert.ok(!steps.some((s) => s.startsWith('FAILED')), steps.join('\n'));
  assert.equal(steps[0], 'RunPodSandbox, PodSandboxStatus: SANDBOX_READY handler=HANDLER name=pod-HANDLER');
  assert.ok(steps.includes('hello status: CONTAINER_EXITED exit_code=3 reason=Error'), steps.join('\n'));
  assert.match(steps.find((s) => s.startsWith('hello log')), /^hello log: stdout F hello from the pod \| stdout F from the env \| stdout F \S+ \| stderr F to stderr$/);
  assert.ok(steps.includes('volume on the host: written in the pod'), steps.join('\n'));
  assert.ok(steps.includes('reader log: stdout F written in the pod'), steps.join('\n'));
  assert.ok(steps.includes('shm-reader log: stdout F in the pod shm'), steps.join('\n'));
  assert.ok(steps.includes('missing status: CONTAINER_EXITED exit_code=128 reason=StartError'), steps.join('\n'));
  assert.ok(steps.includes('ExecSync: exit_code=5 stdout="exec out\\nwritten in the pod\\n" stderr="exec err\\n"'), steps.join('\n'));
  assert.ok(steps.includes('ListContainers running: sleeper'), steps.join('\n'));
  assert.ok(steps.includes('StopContainer sleeper: CONTAINER_EXITED exit_code=137 reason=Error'), steps.join('\n'));
  assert.ok(steps.includes('last status after StopPodSandbox: CONTAINER_EXITED exit_code=137 reason=Error'), steps.join('\n'));
  assert.ok(steps.includes('RemovePodSandbox: gone (code 5)'), steps.join('\n'));
});

test('containerd CRI with the tsvisor handler: the same statuses, exit codes and outputs as runc', { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcPod === null) runcPod = await podSequence('runc');
  tsvisorPod = await podSequence('tsvisor');
  assert.deepEqual(tsvisorPod.steps, runcPod.steps, `the shim's calls tsvisor refused:\n${refusedCalls('tsvisor').join('\n')}`);
});

test("a pod's containers see the same hostname (the node's, with host networking)", { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcPod === null) runcPod = await podSequence('runc');
  assert.deepEqual(runcPod.hostnames, { hello: hostname(), sleeper: hostname() });
  if (tsvisorPod === null) tsvisorPod = await podSequence('tsvisor');
  assert.deepEqual(tsvisorPod.hostnames, runcPod.hostnames, 'tsvisor');
});

/**
 * What the runtime is told of the pod: the CRI annotations a runtime with
 * sub-containers keys on, and the namespaces (by type; "path" where the
 * container is to join the pause container's).
 */
function podContract(r) {
  const a = (spec) => spec?.annotations ?? {};
  const ns = (spec) => (spec?.linux?.namespaces ?? []).map((n) => (n.path ? `${n.type}=path` : n.type)).sort().join(' ');
  return {
    sandbox: `${a(r.specs.sandbox)['io.kubernetes.cri.container-type']} ns: ${ns(r.specs.sandbox)}`,
    container: `${a(r.specs.container)['io.kubernetes.cri.container-type']} sandbox-id=${a(r.specs.container)['io.kubernetes.cri.sandbox-id'] === r.podId ? 'the pod' : a(r.specs.container)['io.kubernetes.cri.sandbox-id']} ns: ${ns(r.specs.container)}`,
  };
}

test('the runtime gets the pause container as the sandbox and each container with the pod sandbox\'s id, for both handlers', { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcPod === null) runcPod = await podSequence('runc');
  const contract = podContract(runcPod);
  assert.deepEqual(contract, {
    sandbox: 'sandbox ns: ipc mount pid',
    container: 'container sandbox-id=the pod ns: ipc=path mount network=path pid uts=path',
  });
  if (tsvisorPod === null) tsvisorPod = await podSequence('tsvisor');
  assert.deepEqual(podContract(tsvisorPod), contract, 'tsvisor');
});

// The pod's containers and its pause process in one pid namespace (pid = POD, Kubernetes' shareProcessNamespace):
// containerd gives each container the pause container's pid namespace by path. runc joins it; a tsvisor container is
// a sandbox of its own until it runs in the pod's Sentry as a sub-container.
let runcShared = null;

test("a pod's containers share its pid namespace with runc: the sleeper sees the pause process, itself and the exec", { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  runcShared = await sharedPidSequence('runc');
  assert.deepEqual(runcShared, [
    'RunPodSandbox, PodSandboxStatus: SANDBOX_READY handler=HANDLER name=shared-HANDLER',
    'processes: exit_code=0 pause sh sleep',
    'StopContainer sleeper: CONTAINER_EXITED exit_code=143 reason=Error',
  ]);
});

test("a pod's containers share its pid namespace with tsvisor, as with runc", { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcShared === null) runcShared = await sharedPidSequence('runc');
  assert.deepEqual(await sharedPidSequence('tsvisor'), runcShared);
});
