// A containerd of the test's own with its CRI plugin, and a minimal CRI
// client (gRPC over the daemon's unix socket, the calls a kubelet makes):
// what test/oci-pod.test.js drives instead of crictl, which Debian does not
// package. Everything the daemon keeps (root, state, the shims' runc roots,
// the CRI's pod state and network namespaces, the CNI config) lives under
// one scratch directory, so the host's containerd, if any, is not touched.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CRI_PROTO = join(HERE, 'cri-runtime-v1.proto');

const sleep = (n) => new Promise((r) => setTimeout(r, n));

/**
 * containerd's config.toml: the CRI plugin with one runtime handler per
 * entry of `handlers` (name -> the runc-compatible binary the runc v2 shim
 * runs), each with its runc root under dir. The host's root lacks
 * CAP_SYS_RESOURCE, so the CRI must not ask for the sandbox's oom_score_adj
 * of -998 (restrict_oom_score_adj keeps it at containerd's own). Host
 * networking needs no CNI, but the CRI plugin still loads a CNI config
 * directory: an empty one of the test's own (not the host's /etc/cni/net.d).
 */
export function containerdConfig(dir, { handlers, sandboxImage }) {
  const q = JSON.stringify;
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  let toml = `version = 2
root = ${q(join(dir, 'root'))}
state = ${q(join(dir, 'state'))}
[grpc]
  address = ${q(join(dir, 'containerd.sock'))}
[ttrpc]
  address = ${q(join(dir, 'containerd.sock.ttrpc'))}
[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(dir, 'opt'))}
[${cri}]
  sandbox_image = ${q(sandboxImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [${cri}.cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(join(dir, 'cni'))}
  [${cri}.containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
`;
  for (const [name, binary] of Object.entries(handlers)) {
    toml += `    [${cri}.containerd.runtimes.${name}]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.${name}.options]
        BinaryName = ${q(binary)}
        Root = ${q(join(dir, 'runc', name))}
        SystemdCgroup = false
`;
  }
  return toml;
}

/** The pids of processes whose command line names `needle` (this test's socket or scratch directory). */
export function pidsNaming(needle) {
  const pids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(needle)) pids.push(Number(p));
    } catch { /* gone */ }
  }
  return pids;
}

/**
 * Starts containerd on dir's config; resolves { proc, sock, log } once its
 * socket answers, or throws with the daemon's log. The caller stops it with
 * stopContainerd (which also ends the shims it started and their containers).
 */
export async function startContainerd(dir, opts) {
  for (const d of ['root', 'state', 'cni', 'opt', 'runc']) mkdirSync(join(dir, d), { recursive: true });
  const config = join(dir, 'config.toml');
  writeFileSync(config, containerdConfig(dir, opts));
  const sock = join(dir, 'containerd.sock');
  const log = join(dir, 'containerd.log');
  const fd = openSync(log, 'a');
  const proc = spawn('containerd', ['--config', config, '--log-level', 'debug'], { stdio: ['ignore', fd, fd] });
  proc.unref();
  let exited = null;
  proc.on('exit', (code, sig) => { exited = sig ?? code; });
  for (let i = 0; i < 150 && exited === null; i++) {
    if (existsSync(sock) && spawnSync('ctr', ['-a', sock, 'version'], { timeout: 5000 }).status === 0) return { proc, sock, log, dir };
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error(`containerd did not start (${exited === null ? 'no answer in 15 s' : `exited ${exited}`}):\n${readFileSync(log, 'utf8').slice(-3000)}`);
}

/**
 * Ends what startContainerd began, whatever state the pods were left in:
 * the tasks still running in the k8s.io namespace are killed through ctr
 * while the daemon is up, then the daemon, then any shim of this daemon
 * and any runtime process still running (they outlive it by design), then
 * whatever is still mounted under dir (rootfs overlays, the sandboxes'
 * /dev/shm, network namespaces), deepest first.
 */
export function stopContainerd(d) {
  if (d === null) return;
  const ctr = (args) => spawnSync('ctr', ['-a', d.sock, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 10_000 });
  if (d.proc.exitCode === null && d.proc.signalCode === null) {
    const tasks = ctr(['tasks', 'ls', '-q']).stdout?.split('\n').filter(Boolean) ?? [];
    for (const t of tasks) ctr(['tasks', 'kill', '-a', '-s', 'SIGKILL', t]);
    for (const t of tasks) ctr(['tasks', 'rm', '-f', t]);
    d.proc.kill('SIGKILL');
  }
  // The shims name the daemon's socket; a tsvisor sandbox (or a runtime call still running) names its --root under dir.
  for (const pid of pidsNaming(d.dir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(`${d.dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

/**
 * The CRI's RuntimeService and ImageService over containerd's socket, for
 * the API version the daemon serves (runtime.v1; containerd 1.6 serves
 * v1alpha2 too). Each method returns a promise of the response; a gRPC
 * error rejects with its details.
 */
export async function criClient(sock) {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  // keepCase: fields as the .proto names them (pod_sandbox_id); enums as names; int64 as numbers (timestamps only).
  const def = loader.loadSync(CRI_PROTO, { keepCase: true, enums: String, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(def).runtime.v1;
  const target = `unix://${sock}`;
  const make = (Service) => {
    const c = new Service(target, grpc.credentials.createInsecure());
    const api = { close: () => c.close() };
    for (const name of Object.keys(Service.service)) {
      api[name] = (req = {}, timeoutMs = 60_000) => new Promise((resolve, reject) => {
        c[name](req, { deadline: Date.now() + timeoutMs }, (err, res) => {
          if (err) reject(Object.assign(new Error(`${name}: ${err.details || err.message}`), { code: err.code }));
          else resolve(res);
        });
      });
    }
    return api;
  };
  return { runtime: make(pkg.RuntimeService), image: make(pkg.ImageService), status: grpc.status };
}
