// The OCI config model (src/config, through dist/config) and the `spec` and
// `features` commands: bad bundles and config.json files give a SpecError
// whose every line names the file and the field; `tsvisor spec` writes what
// `runc spec` writes (compared byte for byte when runc is installed) and
// refuses to overwrite; `tsvisor features` prints the features document.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSVISOR_BIN, ms, tsvisorHostEnv } from './lib/harness.js';
import { loadBundle, parseJson } from '../dist/config/bundle.js';
import { validateSpec, validateProcess, validateState } from '../dist/config/validate.js';
import { SpecError } from '../dist/config/errors.js';
import { validateContainerId, ContainerIdError } from '../dist/config/id.js';
import { exampleSpec, toRootless, specText } from '../dist/config/example.js';
import { CAPABILITIES, NAMESPACE_TYPES } from '../dist/config/names.js';

const scratch = mkdtempSync(join(tmpdir(), 'tsvisor-oci-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
let bundles = 0;

/** A bundle directory with an empty rootfs/ and config.json (an object, or text as it is). */
function bundle(config) {
  const dir = join(scratch, `b${bundles++}`);
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return dir;
}

/** runc's example spec with edit applied. */
function edited(edit) {
  const s = exampleSpec();
  edit(s);
  return s;
}

/** loadBundle must throw a SpecError; returns it after checking that every line names the file. */
function refused(dir, file = join(dir, 'config.json')) {
  let err = null;
  try {
    loadBundle(dir);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof SpecError, `expected a SpecError, got ${err}`);
  for (const line of err.message.split('\n')) assert.ok(line.startsWith(`${file}: `), `line does not name ${file}: ${line}`);
  return err;
}

/** The config edited, loaded: its SpecError must have a problem at field whose message matches re. */
function assertProblem(edit, field, re) {
  const err = refused(bundle(edited(edit)));
  const p = err.problems.find((q) => q.field === field);
  assert.ok(p !== undefined, `no problem at ${field}; got:\n${err.message}`);
  assert.match(p.message, re);
  assert.ok(err.message.includes(`config.json: ${field}: `), err.message);
}

function tsvisor(args, cwd) {
  return spawnSync(process.execPath, [TSVISOR_BIN, ...args], { cwd, env: tsvisorHostEnv(), encoding: 'utf8', timeout: ms(30_000) });
}

const RUNC = spawnSync('runc', ['--version'], { encoding: 'utf8' }).status === 0;

// ---------------------------------------------------------------------------
// loadBundle: the bundle and the file

test('a good bundle loads: the spec, the bundle and the real root path', () => {
  const dir = bundle(exampleSpec());
  const b = loadBundle(dir);
  assert.equal(b.dir, dir);
  assert.equal(b.rootPath, join(dir, 'rootfs'));
  assert.deepEqual(b.spec.process.args, ['sh']);
  assert.equal(b.configFile, join(dir, 'config.json'));
});

test('a missing bundle directory, or a file given as one, is named', () => {
  const missing = join(scratch, 'no-such-bundle');
  let err = refused(missing, missing);
  assert.match(err.message, /bundle directory does not exist/);
  const file = join(scratch, 'a-file');
  writeFileSync(file, '');
  err = refused(file, file);
  assert.match(err.message, /is not a directory/);
});

test('a bundle without config.json says so and how to make one', () => {
  const err = refused(bundle());
  assert.match(err.message, /config\.json: does not exist .*tsvisor spec/);
});

test('config.json that is not JSON gives the parser\'s complaint and the line and column', () => {
  const err = refused(bundle('{\n  "ociVersion": "1.0.2",\n  "process": }\n'));
  assert.match(err.message, /config\.json: is not valid JSON: a value was expected \(at line 3, column 14\)$/);
  assert.match(refused(bundle('{"ociVersion": "1.0.2"')).message, /is not valid JSON: '\}' was expected \(at line 1, column 23\)/);
  assert.match(refused(bundle('{"ociVersion": "1.0.2",}')).message, /a property name in double quotes was expected \(at line 1, column 24\)/);
  assert.match(refused(bundle('// a comment\n{}')).message, /comments are not allowed in JSON \(at line 1, column 1\)/);
  assert.match(refused(bundle('\n')).message, /config\.json: is empty, not JSON/);
  // A document that is JSON but not an object.
  assert.match(refused(bundle('[]')).message, /config\.json: must be an object, not an array/);
});

test('parseJson reports the position on a later line', () => {
  assert.throws(() => parseJson('{\n"a": 1,\n"b": tru\n}', 'x.json'),
    (e) => e instanceof SpecError && e.message === 'x.json: is not valid JSON: unexpected "tru" (at line 3, column 6)');
});

test('root.path is relative to the bundle, not the current directory; absolute works too', () => {
  const dir = bundle(edited((s) => { s.root.path = 'rootfs'; }));
  const elsewhere = process.cwd();
  assert.notEqual(elsewhere, dir);
  assert.equal(loadBundle(dir).rootPath, join(dir, 'rootfs'));
  const abs = bundle(edited((s) => { s.root.path = join(dir, 'rootfs'); }));
  assert.equal(loadBundle(abs).rootPath, join(dir, 'rootfs'));
});

test('root.path that is missing or not a directory is named with the path tried', () => {
  let dir = bundle(edited((s) => { s.root.path = 'nope'; }));
  let err = refused(dir);
  assert.equal(err.field, 'root.path');
  assert.ok(err.message.includes(`config.json: root.path: ${join(dir, 'nope')} does not exist`), err.message);
  dir = bundle(edited((s) => { s.root.path = 'config.json'; }));
  err = refused(dir);
  assert.match(err.message, /root\.path: .*config\.json is not a directory/);
});

test('a root reached through a symlink is refused, as runc refuses it; a bundle reached through one is not', () => {
  const dir = bundle(edited((s) => { s.root.path = 'link'; }));
  symlinkSync('rootfs', join(dir, 'link'));
  const err = refused(dir);
  assert.equal(err.field, 'root.path');
  assert.match(err.message, /root\.path: .*\/link is not an absolute path, or a symlink \(it leads to .*\/rootfs; give that path\)/);
  // The bundle's own path may pass through a symlink: a relative root.path is resolved from its real path, as runc's chdir does.
  const ok = bundle(edited(() => {}));
  symlinkSync(ok, `${ok}-via-link`);
  assert.equal(loadBundle(`${ok}-via-link`).rootPath, join(ok, 'rootfs'));
});

// ---------------------------------------------------------------------------
// The schema: types, ranges, enums, required fields

test('wrong types name the field and say what it must be', () => {
  assertProblem((s) => { s.process.user.uid = '0'; }, 'process.user.uid', /^must be an integer, not the string "0"$/);
  assertProblem((s) => { s.process.terminal = 'yes'; }, 'process.terminal', /must be true or false/);
  assertProblem((s) => { s.process.args = 'sh'; }, 'process.args', /must be an array/);
  assertProblem((s) => { s.process.env = ['A=1', 2]; }, 'process.env[1]', /must be a string, not 2/);
  assertProblem((s) => { s.mounts[1].options = 'ro'; }, 'mounts[1].options', /must be an array/);
  assertProblem((s) => { s.linux = []; }, 'linux', /must be an object, not an array/);
  assertProblem((s) => { s.annotations = { 'org.example.key': 1 }; }, 'annotations["org.example.key"]', /must be a string/);
});

test('integer ranges are the spec\'s (uint32 ids, int64 limits, a hook timeout of at least 1)', () => {
  assertProblem((s) => { s.process.user.gid = -1; }, 'process.user.gid', /must be at least 0, not -1/);
  assertProblem((s) => { s.process.user.uid = 4294967296; }, 'process.user.uid', /must be at most 4294967295/);
  assertProblem((s) => { s.process.user.uid = 1.5; }, 'process.user.uid', /must be an integer, not the number 1.5/);
  assertProblem((s) => { s.linux.resources.pids = { limit: 1e30 }; }, 'linux.resources.pids.limit', /must be at most 9223372036854775807/);
  assertProblem((s) => { s.hooks = { poststop: [{ path: '/bin/true', timeout: 0 }] }; }, 'hooks.poststop[0].timeout', /must be at least 1/);
  // RLIM_INFINITY as runtimes write it (2^64-1) is accepted.
  validateSpec(edited((s) => { s.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 18446744073709551615, hard: 18446744073709551615 }]; }));
});

test('required fields are named where they are missing', () => {
  assertProblem((s) => { delete s.ociVersion; }, 'ociVersion', /^is required$/);
  assertProblem((s) => { delete s.process.cwd; }, 'process.cwd', /^is required$/);
  assertProblem((s) => { delete s.root.path; }, 'root.path', /^is required$/);
  assertProblem((s) => { s.mounts.push({ type: 'tmpfs' }); }, 'mounts[7].destination', /^is required$/);
  assertProblem((s) => { s.hooks = { prestart: [{ args: ['x'] }] }; }, 'hooks.prestart[0].path', /^is required$/);
  assertProblem((s) => { s.linux.uidMappings = [{ hostID: 0, size: 1 }]; }, 'linux.uidMappings[0].containerID', /^is required$/);
});

test('unknown namespace types are refused with the valid ones listed', () => {
  assertProblem((s) => { s.linux.namespaces.push({ type: 'net' }); }, 'linux.namespaces[5].type',
    /the string "net" is not one of: mount, pid, network, uts, ipc, user, cgroup, time/);
});

test('enums and patterns: rootfsPropagation, seccomp actions, device types, rlimit names', () => {
  assertProblem((s) => { s.linux.rootfsPropagation = 'rprivate'; }, 'linux.rootfsPropagation', /not one of: private, shared, slave, unbindable/);
  assertProblem((s) => { s.linux.seccomp = { defaultAction: 'SCMP_ACT_DENY' }; }, 'linux.seccomp.defaultAction', /not one of: SCMP_ACT_KILL/);
  assertProblem((s) => { s.linux.devices = [{ type: 'x', path: '/dev/x', major: 1, minor: 1 }]; }, 'linux.devices[0].type', /does not match the pattern \^\[cbup\]\$/);
  assertProblem((s) => { s.process.rlimits[0].type = 'nofile'; }, 'process.rlimits[0].type', /the string "nofile" does not match the pattern \^RLIMIT_/);
  assertProblem((s) => { s.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }; },
    'linux.seccomp.syscalls[0].names', /must have at least 1 item$/);
});

test('every schema problem is reported at once, one line each', () => {
  const err = refused(bundle(edited((s) => {
    s.process.user.uid = 'root';
    s.hostname = 7;
    s.linux.namespaces[0].type = 'pidns';
  })));
  const fields = err.problems.map((p) => p.field).sort();
  assert.deepEqual(fields, ['hostname', 'linux.namespaces[0].type', 'process.user.uid']);
  assert.equal(err.message.split('\n').length, 3);
});

test('unknown properties are allowed, as the spec requires (and other platforms\' sections are not read)', () => {
  validateSpec(edited((s) => { s.process.futureField = { x: 1 }; s.windows = { layerFolders: [] }; s.linux.somethingNew = true; }));
});

// ---------------------------------------------------------------------------
// Checks beyond the schema

test('ociVersion must be a SemVer 1.x', () => {
  assertProblem((s) => { s.ociVersion = 'latest'; }, 'ociVersion', /is not a version such as 1\.0\.2/);
  assertProblem((s) => { s.ociVersion = '2.0.0'; }, 'ociVersion', /not supported \(tsvisor reads runtime spec 1\.x\)/);
  for (const v of ['1.0.0', '1.0.2-dev', '1.1.0', '1.2.0', '1.2.1']) validateSpec(edited((s) => { s.ociVersion = v; }));
});

test('root and process are required, and process needs args and an absolute cwd', () => {
  assertProblem((s) => { delete s.root; }, 'root', /is required/);
  assertProblem((s) => { delete s.process; }, 'process', /is required/);
  assertProblem((s) => { delete s.process.args; }, 'process.args', /is required \(the program to run/);
  assertProblem((s) => { s.process.args = []; }, 'process.args', /must not be empty/);
  assertProblem((s) => { s.process.args = ['']; }, 'process.args[0]', /must not be empty/);
  assertProblem((s) => { s.process.cwd = 'home'; }, 'process.cwd', /must be an absolute path, not "home"/);
  assertProblem((s) => { s.process.cwd = ''; }, 'process.cwd', /must not be empty/);
});

test('environment entries must be NAME=VALUE', () => {
  assertProblem((s) => { s.process.env.push('JUSTNAME'); }, 'process.env[2]', /has no '='/);
  assertProblem((s) => { s.process.env.push('=x'); }, 'process.env[2]', /has an empty name/);
});

test('rlimits: a name Linux has, given once, soft at most hard', () => {
  assertProblem((s) => { s.process.rlimits[0].type = 'RLIMIT_FILES'; }, 'process.rlimits[0].type', /unknown resource limit "RLIMIT_FILES"/);
  assertProblem((s) => { s.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }); }, 'process.rlimits[1].type',
    /RLIMIT_NOFILE is given twice \(also process\.rlimits\[0\]\)/);
  assertProblem((s) => { s.process.rlimits[0].soft = 2048; }, 'process.rlimits[0]', /soft limit 2048 is above the hard limit 1024/);
});

test('capability names must be Linux\'s, with a hint for a missing CAP_', () => {
  assertProblem((s) => { s.process.capabilities.bounding.push('CAP_FLY'); }, 'process.capabilities.bounding[3]', /unknown capability "CAP_FLY"$/);
  assertProblem((s) => { s.process.capabilities.ambient.push('chown'); }, 'process.capabilities.ambient[3]', /did you mean CAP_CHOWN\?/);
  validateSpec(edited((s) => { s.process.capabilities.inheritable = [...CAPABILITIES]; }));
});

test('oomScoreAdj stays within Linux\'s -1000..1000', () => {
  assertProblem((s) => { s.process.oomScoreAdj = 1001; }, 'process.oomScoreAdj', /between -1000 and 1000/);
});

test('mount destinations must be absolute; a bind mount needs a source', () => {
  assertProblem((s) => { s.mounts[0].destination = 'proc'; }, 'mounts[0].destination', /must be an absolute path in the container, not "proc"/);
  assertProblem((s) => { s.mounts.push({ destination: '/data', options: ['rbind'] }); }, 'mounts[7].source', /is required for a bind mount/);
});

test('duplicate namespaces are refused, naming both', () => {
  assertProblem((s) => { s.linux.namespaces.push({ type: 'pid' }); }, 'linux.namespaces[5].type',
    /the pid namespace is listed twice \(also linux\.namespaces\[0\]\)/);
  assertProblem((s) => { s.linux.namespaces[1].path = 'netns'; }, 'linux.namespaces[1].path', /must be an absolute path/);
});

test('fields that need a namespace say which one to add', () => {
  assertProblem((s) => { s.linux.namespaces = s.linux.namespaces.filter((n) => n.type !== 'uts'); }, 'hostname', /needs a UTS namespace/);
  assertProblem((s) => { s.linux.namespaces = s.linux.namespaces.filter((n) => n.type !== 'mount'); }, 'linux.maskedPaths', /needs a mount namespace/);
  assertProblem((s) => { s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]; }, 'linux.uidMappings', /need a user namespace/);
  assertProblem((s) => { s.linux.namespaces.push({ type: 'user' }); }, 'linux.gidMappings', /a new user namespace needs at least one mapping/);
  assertProblem((s) => { s.linux.timeOffsets = { monotonic: { secs: 1 } }; }, 'linux.timeOffsets', /needs a time namespace/);
});

test('sysctls follow runc\'s namespace rules', () => {
  assertProblem((s) => { s.linux.sysctl = { 'vm.swappiness': '0' }; }, 'linux.sysctl["vm.swappiness"]', /would change the host/);
  assertProblem((s) => { s.linux.sysctl = { 'kernel.hostname': 'x' }; }, 'linux.sysctl["kernel.hostname"]', /set hostname instead/);
  assertProblem((s) => { s.linux.namespaces = [{ type: 'uts' }, { type: 'mount' }]; s.linux.sysctl = { 'net/ipv4/ip_forward': '1' }; },
    'linux.sysctl["net/ipv4/ip_forward"]', /host's network namespace/);
  validateSpec(edited((s) => { s.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' }; }));
});

test('paths that must be absolute: hooks, devices, masked and read-only paths', () => {
  assertProblem((s) => { s.hooks = { createRuntime: [{ path: 'hook.sh' }] }; }, 'hooks.createRuntime[0].path', /must be an absolute path/);
  assertProblem((s) => { s.linux.devices = [{ type: 'c', path: 'dev/fuse', major: 10, minor: 229 }]; }, 'linux.devices[0].path', /absolute/);
  assertProblem((s) => { s.linux.devices = [{ type: 'c', path: '/dev/fuse' }]; }, 'linux.devices[0].major', /is required for a device of type c/);
  assertProblem((s) => { s.linux.readonlyPaths.push('proc/sys'); }, 'linux.readonlyPaths[5]', /must be an absolute path/);
  assertProblem((s) => { s.linux.resources.devices[0].access = 'rwx'; }, 'linux.resources.devices[0].access', /some of the letters r, w, m/);
});

test('validateProcess checks an exec\'s process.json with the same rules', () => {
  assert.deepEqual(validateProcess({ args: ['ls'], cwd: '/' }).args, ['ls']);
  assert.throws(() => validateProcess({ args: ['ls'], cwd: 'tmp', user: { uid: -1 } }, 'p.json'),
    (e) => e instanceof SpecError && /^p\.json: user\.uid: must be at least 0/m.test(e.message));
  assert.throws(() => validateProcess({ args: [], cwd: 'tmp' }, 'p.json'),
    (e) => e instanceof SpecError && /p\.json: args: must not be empty/.test(e.message) && /p\.json: cwd: must be an absolute path/.test(e.message));
});

test('validateState: the OCI state schema, a pid while running', () => {
  validateState({ ociVersion: '1.0.2', id: 'c1', status: 'running', pid: 42, bundle: '/b' });
  assert.throws(() => validateState({ ociVersion: '1.0.2', id: 'c1', status: 'paused', bundle: '/b' }), /status: the string "paused" is not one of: creating, created, running, stopped/);
  assert.throws(() => validateState({ ociVersion: '1.0.2', id: 'c1', status: 'created', bundle: '/b' }), /pid: is required while created/);
});

test('container ids: runc\'s rule', () => {
  for (const id of ['a', 'my-container_1', 'x.y', 'a+b', 'a,b', '...', 'A9']) assert.equal(validateContainerId(id), id);
  for (const id of ['', '.', '..', 'a/b', 'a b', 'ü', '/x', 'a:b']) {
    assert.throws(() => validateContainerId(id), ContainerIdError, JSON.stringify(id));
  }
  assert.throws(() => validateContainerId('a/b'), /invalid container ID format: "a\/b"/);
  assert.throws(() => validateContainerId(''), /container id cannot be empty/);
});

// ---------------------------------------------------------------------------
// tsvisor spec

test('spec writes runc\'s example, which loads; --rootless maps the caller to root', () => {
  const dir = join(scratch, 'spec1');
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  const r = tsvisor(['spec'], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const text = readFileSync(join(dir, 'config.json'), 'utf8');
  assert.equal(text, specText(exampleSpec()));
  assert.ok(!text.endsWith('\n'), 'runc writes no final newline');
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o666 & ~process.umask());
  const b = loadBundle(dir);
  assert.deepEqual(b.spec.process.args, ['sh']);
  assert.equal(b.spec.process.terminal, true);

  const rl = join(scratch, 'spec2');
  mkdirSync(join(rl, 'rootfs'), { recursive: true });
  const r2 = tsvisor(['spec', '--bundle', rl, '--rootless'], '/');
  assert.equal(r2.status, 0, r2.stderr);
  const spec = loadBundle(rl).spec;
  assert.deepEqual(spec.linux.uidMappings, [{ containerID: 0, hostID: process.geteuid(), size: 1 }]);
  assert.deepEqual(spec.linux.gidMappings, [{ containerID: 0, hostID: process.getegid(), size: 1 }]);
  assert.deepEqual(spec.linux.namespaces.map((n) => n.type), ['pid', 'ipc', 'uts', 'mount', 'user']);
  assert.equal(spec.linux.resources, undefined);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/sys'),
    { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  assert.ok(!spec.mounts.some((m) => (m.options ?? []).some((o) => /^[ug]id=/.test(o))));
});

test('toRootless maps the ids it is given', () => {
  const s = toRootless(exampleSpec(), 1000, 1001);
  validateSpec(s);
  assert.equal(s.linux.uidMappings[0].hostID, 1000);
  assert.equal(s.linux.gidMappings[0].hostID, 1001);
});

test('spec refuses to overwrite config.json with runc\'s error, and writes nothing through a dangling symlink', () => {
  const dir = join(scratch, 'spec3');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), 'mine');
  const r = tsvisor(['spec', '-b', dir], '/');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /File config\.json exists\. Remove it first/);
  assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), 'mine');

  const d2 = join(scratch, 'spec4');
  mkdirSync(d2);
  symlinkSync(join(d2, 'target'), join(d2, 'config.json'));
  const r2 = tsvisor(['spec'], d2);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /File config\.json exists/);
  assert.ok(!existsSync(join(d2, 'target')));
  assert.ok(lstatSync(join(d2, 'config.json')).isSymbolicLink());
});

test('spec fails for a missing bundle directory and for arguments', () => {
  const r = tsvisor(['spec', '-b', join(scratch, 'none')], '/');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bundle directory .*none does not exist/);
  const r2 = tsvisor(['spec', 'extra'], scratch);
  assert.notEqual(r2.status, 0);
  assert.ok(!existsSync(join(scratch, 'config.json')));
});

test('spec writes byte for byte what runc spec writes (default and --rootless)', { skip: RUNC ? false : 'runc is not installed (apt-get install runc)' }, () => {
  for (const flags of [[], ['--rootless']]) {
    const a = join(scratch, `runc${flags.length}`), b = join(scratch, `tsv${flags.length}`);
    mkdirSync(a);
    mkdirSync(b);
    const rr = spawnSync('runc', ['spec', ...flags], { cwd: a, encoding: 'utf8' });
    assert.equal(rr.status, 0, rr.stderr);
    const rt = tsvisor(['spec', ...flags], b);
    assert.equal(rt.status, 0, rt.stderr);
    assert.equal(readFileSync(join(b, 'config.json'), 'utf8'), readFileSync(join(a, 'config.json'), 'utf8'), `runc spec ${flags.join(' ')}`);
  }
});

test('runc refuses an existing config.json as tsvisor does', { skip: RUNC ? false : 'runc is not installed (apt-get install runc)' }, () => {
  const dir = join(scratch, 'runc-exists');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), '{}');
  const rr = spawnSync('runc', ['spec'], { cwd: dir, encoding: 'utf8' });
  const rt = tsvisor(['spec'], dir);
  assert.equal(rt.status, rr.status);
  assert.match(rr.stderr, /File config\.json exists\. Remove it first/);
});

// ---------------------------------------------------------------------------
// tsvisor features

test('features prints the features document: valid JSON, the expected keys, names the config model accepts', () => {
  const r = tsvisor(['features'], '/');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.endsWith('}\n'));
  const f = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(f), ['ociVersionMin', 'ociVersionMax', 'hooks', 'mountOptions', 'linux', 'annotations']);
  assert.deepEqual(Object.keys(f.linux), ['namespaces', 'capabilities', 'cgroup', 'seccomp', 'apparmor', 'selinux', 'intelRdt']);
  assert.equal(f.ociVersionMin, '1.0.0');
  assert.match(f.ociVersionMax, /^1\.\d+\.\d+$/);
  assert.deepEqual(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  assert.deepEqual(f.linux.capabilities, [...CAPABILITIES]);
  for (const ns of f.linux.namespaces) assert.ok(NAMESPACE_TYPES.includes(ns), ns);
  assert.deepEqual(f.mountOptions, [...f.mountOptions].sort());
  for (const key of ['v1', 'v2', 'systemd', 'systemdUser']) assert.equal(typeof f.linux.cgroup[key], 'boolean');
  assert.equal(f.linux.apparmor.enabled, false);
  assert.deepEqual(f.linux.seccomp.archs, ['SCMP_ARCH_X86_64']);
  // Everything listed is accepted by validation: a spec using all of it loads.
  validateSpec(edited((s) => {
    s.linux.namespaces = f.linux.namespaces.map((type) => ({ type }));
    s.linux.uidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
    s.linux.gidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
    s.process.capabilities.bounding = f.linux.capabilities;
    s.mounts.push({ destination: '/x', type: 'bind', source: '/tmp', options: f.mountOptions });
    s.hooks = Object.fromEntries(f.hooks.map((h) => [h, [{ path: '/bin/true' }]]));
    s.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW', architectures: f.linux.seccomp.archs,
      syscalls: f.linux.seccomp.actions.map((action) => ({ names: ['getpid'], action,
        args: f.linux.seccomp.operators.map((op, index) => ({ index: index % 6, value: 1, op })) })),
    };
  }));
});

test('features has the keys runc features has (when runc is installed)', { skip: RUNC ? false : 'runc is not installed (apt-get install runc)' }, () => {
  const runc = JSON.parse(spawnSync('runc', ['features'], { encoding: 'utf8' }).stdout);
  const ours = JSON.parse(tsvisor(['features'], '/').stdout);
  for (const k of Object.keys(runc)) assert.ok(k in ours, k);
  for (const k of Object.keys(runc.linux)) assert.ok(k in ours.linux, `linux.${k}`);
  // What tsvisor lists is a subset of runc's vocabulary.
  for (const o of ours.mountOptions) assert.ok(runc.mountOptions.includes(o), o);
  for (const ns of ours.linux.namespaces) assert.ok(runc.linux.namespaces.includes(ns), ns);
});
