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
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
let daemon = null;
let cri = null;
const cleanup = () => {
  cri?.runtime.close();
  cri?.image.close();
  cri = null;
  stopContainerd(daemon);
  daemon = null;
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
 * The kubelet's sequence for one pod on one runtime handler. Returns
 * { steps, hostnames }: steps are "name: result" lines, normalised where a
 * run's own ids, times and paths show; a step that fails records its error
 * and ends the sequence (what follows needs it).
 */
async function podSequence(handler) {
  const rt = cri.runtime;
  const steps = [];
  const hostnames = {};
  let pidns = null;
  let podId = null;
  const specs = {};
  const logDir = join(scratch, 'logs', handler);
  const vol = join(scratch, 'vol', handler);
  mkdirSync(logDir, { recursive: true });
  mkdirSync(vol, { recursive: true });
  const norm = (s) => String(s).replaceAll(scratch, 'SCRATCH').replace(/[0-9a-f]{64}/g, 'ID').replaceAll(handler, 'HANDLER');
  const step = (name, value) => steps.push(`${name}: ${norm(typeof value === 'string' ? value : JSON.stringify(value))}`);

  const sandboxConfig = {
    metadata: { name: `pod-${handler}`, uid: `uid-${handler}`, namespace: 'default', attempt: 0 },
    // No hostname: with the node's network the pod is in the node's UTS namespace, where runc (and tsvisor) refuse
    // to set one; a kubelet leaves it to the node's then.
    log_directory: logDir,
    labels: { app: 'tsvisor-pod-test' },
    linux: { security_context: { namespace_options: { network: 'NODE', pid: 'POD', ipc: 'POD' } } },
  };
  const containerConfig = (name, command, extra = {}) => ({
    metadata: { name, attempt: 0 },
    image: { image: BUSYBOX_IMAGE },
    command,
    envs: [{ key: 'POD_TEST', value: 'from the env' }],
    log_path: `${name}.log`,
    labels: { container: name },
    ...extra,
  });
  const create = async (name, command, extra) => {
    const { container_id } = await rt.CreateContainer({ pod_sandbox_id: pod, config: containerConfig(name, command, extra), sandbox_config: sandboxConfig });
    return container_id;
  };
  // A container run to its end: its exit status and reason, and its CRI log.
  const runToEnd = async (name, command, extra) => {
    const id = await create(name, command, extra);
    await rt.StartContainer({ container_id: id });
    const s = await waitExited(id);
    step(`${name} status`, `${s.state} exit_code=${s.exit_code} reason=${s.reason}`);
    step(`${name} log`, logLines(join(logDir, `${name}.log`)));
    return id;
  };

  let pod = null;
  try {
    ({ pod_sandbox_id: pod } = await rt.RunPodSandbox({ config: sandboxConfig, runtime_handler: handler }, 120_000));
    const ps = await rt.PodSandboxStatus({ pod_sandbox_id: pod });
    step('RunPodSandbox, PodSandboxStatus', `${ps.status.state} handler=${ps.status.runtime_handler} name=${ps.status.metadata.name}`);

    const hello = await runToEnd('hello', ['sh', '-c', 'echo hello from the pod; echo $POD_TEST; echo to stderr >&2; hostname; exit 3']);
    // Its last line on stdout is the hostname it saw (a CRI log line: TIME STREAM TAG TEXT).
    const out = readFileSync(join(logDir, 'hello.log'), 'utf8').split('\n').filter((l) => l.split(' ')[1] === 'stdout');
    hostnames.hello = out.at(-1)?.split(' ').slice(3).join(' ');

    // A volume: the host directory in two containers, one after the other.
    const mounts = [{ container_path: '/data', host_path: vol, readonly: false }];
    const writer = await runToEnd('writer', ['sh', '-c', 'echo written in the pod > /data/shared; echo wrote'], { mounts });
    step('volume on the host', existsSync(join(vol, 'shared')) ? readFileSync(join(vol, 'shared'), 'utf8').trim() : 'missing');
    const reader = await runToEnd('reader', ['cat', '/data/shared'], { mounts });
    // The pod's /dev/shm (ipc = POD): containerd binds the sandbox's one into each container.
    const shmw = await runToEnd('shm-writer', ['sh', '-c', 'echo in the pod shm > /dev/shm/tsvisor-test']);
    const shmr = await runToEnd('shm-reader', ['cat', '/dev/shm/tsvisor-test']);

    // A command that is not in the image: CreateContainer succeeds, StartContainer fails (the runtime's create or
    // start refuses it; the error's words are each runtime's own, so only the failure is compared), and the
    // container is left EXITED with the CRI's StartError.
    const missing = await create('missing', ['/bin/nosuch']);
    step('StartContainer missing', await rt.StartContainer({ container_id: missing }).then(() => 'started', () => 'failed'));
    const st = (await rt.ContainerStatus({ container_id: missing })).status;
    step('missing status', `${st.state} exit_code=${st.exit_code} reason=${st.reason}`);

    // A long-running container: ExecSync in it, then StopContainer. The pod shares one pid namespace (pid = POD), the
    // pause process its init, so sleep is not a namespace's init and SIGTERM ends it: 143, before the grace period's
    // SIGKILL (137).
    const sleeper = await create('sleeper', ['sleep', '1000'], { mounts });
    await rt.StartContainer({ container_id: sleeper });
    let s = (await rt.ContainerStatus({ container_id: sleeper })).status;
    step('sleeper status', `${s.state} exit_code=${s.exit_code}`);
    const ex = await rt.ExecSync({ container_id: sleeper, cmd: ['sh', '-c', 'echo exec out; cat /data/shared; echo exec err >&2; exit 5'], timeout: 30 });
    step('ExecSync', `exit_code=${ex.exit_code} stdout=${JSON.stringify(ex.stdout.toString())} stderr=${JSON.stringify(ex.stderr.toString())}`);
    const hn = await rt.ExecSync({ container_id: sleeper, cmd: ['hostname'], timeout: 30 });
    hostnames.sleeper = hn.stdout.toString().trim();
    step('ExecSync hostname', `exit_code=${hn.exit_code}`);
    // The pod's pid namespace as the sleeper sees it: every process's name (the glob is expanded before any cat
    // runs, so the list is the pause process, sleep and this sh). Recorded apart from the steps: it needs the
    // containers in one kernel, which tsvisor's sub-containers are to give.
    const procs = await rt.ExecSync({ container_id: sleeper, cmd: ['sh', '-c', 'for p in /proc/[0-9]*; do cat $p/comm; done'], timeout: 30 });
    pidns = `exit_code=${procs.exit_code} ${procs.stdout.toString().split('\n').filter(Boolean).sort().join(' ')} ${procs.stderr.toString().trim()}`.trim();

    const list = await rt.ListContainers({ filter: { pod_sandbox_id: pod } });
    step('ListContainers', list.containers.map((c) => `${c.metadata.name}=${c.state}`).sort().join(' '));
    const byState = await rt.ListContainers({ filter: { pod_sandbox_id: pod, state: { state: 'CONTAINER_RUNNING' } } });
    step('ListContainers running', byState.containers.map((c) => c.metadata.name).join(' '));

    await rt.StopContainer({ container_id: sleeper, timeout: 2 });
    s = (await rt.ContainerStatus({ container_id: sleeper })).status;
    step('StopContainer sleeper', `${s.state} exit_code=${s.exit_code} reason=${s.reason}`);

    for (const id of [hello, writer, reader, shmw, shmr, missing, sleeper]) await rt.RemoveContainer({ container_id: id });
    step('RemoveContainer', (await rt.ListContainers({ filter: { pod_sandbox_id: pod } })).containers.length);

    // A container still running when the pod is stopped (a pod deleted at once): StopPodSandbox kills it first.
    const last = await create('last', ['sleep', '1000']);
    await rt.StartContainer({ container_id: last });
    specs.sandbox = specOf(handler, pod);
    specs.container = specOf(handler, last);
    await rt.StopPodSandbox({ pod_sandbox_id: pod });
    step('StopPodSandbox', (await rt.PodSandboxStatus({ pod_sandbox_id: pod })).status.state);
    s = (await rt.ContainerStatus({ container_id: last })).status;
    step('last status after StopPodSandbox', `${s.state} exit_code=${s.exit_code} reason=${s.reason}`);
    await rt.RemovePodSandbox({ pod_sandbox_id: pod });
    const gone = await rt.PodSandboxStatus({ pod_sandbox_id: pod }).then(() => 'still there', (e) => `gone (code ${e.code})`);
    step('RemovePodSandbox', gone);
    step('ListContainers after', (await rt.ListContainers({ filter: { pod_sandbox_id: pod } })).containers.length);
    podId = pod;
    pod = null;
  } catch (e) {
    step('FAILED', e.message);
  } finally {
    // A failed sequence leaves no pod behind for the next handler (StopPodSandbox also stops its containers).
    if (pod !== null) {
      await rt.StopPodSandbox({ pod_sandbox_id: pod }).catch(() => {});
      await rt.RemovePodSandbox({ pod_sandbox_id: pod }).catch(() => {});
    }
  }
  return { steps, hostnames, pidns, podId, specs };
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
  assert.ok(steps.includes('StopContainer sleeper: CONTAINER_EXITED exit_code=143 reason=Error'), steps.join('\n'));
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
    container: 'container sandbox-id=the pod ns: ipc=path mount network=path pid=path uts=path',
  });
  if (tsvisorPod === null) tsvisorPod = await podSequence('tsvisor');
  assert.deepEqual(podContract(tsvisorPod), contract, 'tsvisor');
});

// The pod's containers and its pause process in one pid namespace (pid = POD, Kubernetes' shareProcessNamespace):
// containerd gives each container the pause container's pid namespace by path. runc joins it; a tsvisor container is
// a sandbox of its own until it runs in the pod's Sentry as a sub-container.
test("a pod's containers share its pid namespace with runc: the sleeper sees the pause process, itself and the exec", { timeout: ms(120_000) }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcPod === null) runcPod = await podSequence('runc');
  assert.equal(runcPod.pidns, 'exit_code=0 pause sh sleep');
});

test("a pod's containers share its pid namespace with tsvisor, as with runc", { timeout: ms(120_000), todo: 'sub-containers are being built' }, async (t) => {
  const why = await setup();
  if (why) return t.skip(why);
  if (runcPod === null) runcPod = await podSequence('runc');
  if (tsvisorPod === null) tsvisorPod = await podSequence('tsvisor');
  assert.equal(tsvisorPod.pidns, runcPod.pidns);
});
