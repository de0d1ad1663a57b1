// Validation of a parsed config.json (or an exec process.json, or a state):
// first against the JSON Schema of spec.ts with ajv, then the checks the
// schema cannot express, which the runtime spec or runc make (absolute
// paths, known names, no duplicates, namespaces a field needs). Nothing here
// touches the file system; bundle.ts adds the checks that do.
//
// Differs from runc, on purpose, and always stricter: runc decodes with Go's
// encoding/json and checks little until it builds the container, so wrong
// types fail with a Go struct name and many mistakes are warnings or silent.
// Here a relative mount destination is an error (runc 1.1 warns), an
// unknown capability is an error (runc 1.1 warns and drops it), soft > hard
// in an rlimit is an error at load (runc fails later, in setrlimit), and a
// new user namespace without id mappings is an error (runc does not check;
// the container's ids are then unmapped). Where runc checks (hostname needs
// a UTS namespace, sysctls need their namespaces, duplicate namespaces), the
// rule is runc 1.1's.

import type { ErrorObject, ValidateFunction } from 'ajv';
import { fieldPath, SpecError, type Problem } from './errors.js';
import { capabilityNumber, rlimitNumber, type NamespaceType } from './names.js';
import type { Linux, Process, Spec, State } from './spec.js';
// Generated at build time from spec.ts's schemas (scripts/gen-config-validators.js): no schema compiles at run time.
import * as validators from './validators.js';

/** Exact text of the limits whose doubles print rounded (2^64 for uint64's 2^64-1, 2^63 for int64's). */
function limitText(n: number): string {
  if (n === 2 ** 64) return '18446744073709551615';
  if (n === 2 ** 63) return '9223372036854775807';
  if (n === -(2 ** 63)) return '-9223372036854775808';
  return String(n);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return `the string ${JSON.stringify(v)}`;
    case 'number': return Number.isInteger(v) ? `${limitText(v)}` : `the number ${v}`;
    case 'boolean': return String(v);
    case 'object': return 'an object';
    default: return typeof v;
  }
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object',
  array: 'an array', null: 'null',
};

/** Where ajv's instancePath (a JSON pointer) leads: field path segments (numbers where the data is an array) and the value there. */
function locate(pointer: string, root: unknown): { where: (string | number)[]; value: unknown } {
  const where: (string | number)[] = [];
  let value: unknown = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      const i = Number(key);
      where.push(i);
      value = value[i];
    } else {
      where.push(key);
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    }
  }
  return { where, value };
}

function schemaProblem(e: ErrorObject, root: unknown): Problem | null {
  const { where, value } = locate(e.instancePath, root);
  const field = fieldPath(where);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: fieldPath([...where, String(p.missingProperty)]), message: 'is required' };
    case 'type':
      return { field, message: `must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}, not ${describe(value)}` };
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map(String).join(', ') : '';
      return { field, message: `${describe(value)} is not one of: ${allowed}` };
    }
    case 'minimum':
      return { field, message: `must be at least ${limitText(Number(p.limit))}, not ${describe(value)}` };
    case 'maximum':
      return { field, message: `must be at most ${limitText(Number(p.limit))}, not ${describe(value)}` };
    case 'pattern':
      return { field, message: `${describe(value)} does not match the pattern ${String(p.pattern)}` };
    case 'minItems':
      return { field, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    // The schema uses no combinators; were one added, its own error only repeats its branches' errors.
    case 'anyOf': case 'oneOf': case 'allOf':
      return null;
    default:
      return { field, message: e.message ?? e.keyword };
  }
}

function checkSchema<T>(validate: ValidateFunction<T>, value: unknown, file: string): T {
  if (validate(value)) return value;
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of validate.errors ?? []) {
    const pr = schemaProblem(e, value);
    if (pr === null) continue;
    const key = `${pr.field}\0${pr.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(pr);
  }
  if (problems.length === 0) problems.push({ field: '', message: 'does not match the runtime spec\'s schema' });
  throw new SpecError(file, problems);
}

// ---------------------------------------------------------------------------
// What the schema cannot say

type Report = (field: (string | number)[], message: string) => void;

function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

/**
 * The strings that reach the kernel or exec as C strings (paths,
 * arguments, names): a NUL would cut one short, so that it names another
 * file or program than the config says (runc fails on them, later and in
 * Go's words).
 */
function noNul(report: Report, field: (string | number)[], value: string | undefined): void {
  if (value?.includes('\0')) report(field, 'contains a NUL byte');
}

/** Linux's default fs.nr_open, the Sentry's: the most descriptors RLIMIT_NOFILE may allow. */
const NR_OPEN = 1 << 20;

/** The process checks, shared by config.json's process and an exec's process.json. */
function checkProcess(p: Process, at: (string | number)[], report: Report): void {
  (p.args ?? []).forEach((a, i) => noNul(report, [...at, 'args', i], a));
  noNul(report, [...at, 'cwd'], p.cwd);
  if (p.args === undefined) report([...at, 'args'], 'is required (the program to run and its arguments)');
  else if (p.args.length === 0) report([...at, 'args'], 'must not be empty (the program to run and its arguments)');
  else if (p.args[0] === '') report([...at, 'args', 0], 'must not be empty (the program to run)');
  if (p.cwd === '') report([...at, 'cwd'], 'must not be empty');
  else if (!isAbsolute(p.cwd)) report([...at, 'cwd'], `must be an absolute path, not ${JSON.stringify(p.cwd)}`);
  // As runc's init reads process.env: NAME=VALUE, a non-empty NAME, no NUL.
  (p.env ?? []).forEach((kv, i) => {
    const eq = kv.indexOf('=');
    if (eq < 0) report([...at, 'env', i], `${JSON.stringify(kv)} has no '=' (expected NAME=VALUE)`);
    else if (eq === 0) report([...at, 'env', i], `${JSON.stringify(kv)} has an empty name (expected NAME=VALUE)`);
    else noNul(report, [...at, 'env', i], kv);
  });
  const caps = p.capabilities ?? {};
  for (const set of ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const) {
    (caps[set] ?? []).forEach((name, i) => {
      if (capabilityNumber(name) < 0) {
        const hint = capabilityNumber(`CAP_${name.toUpperCase()}`) >= 0 ? ` (did you mean CAP_${name.toUpperCase()}?)` : '';
        report([...at, 'capabilities', set, i], `unknown capability ${JSON.stringify(name)}${hint}`);
      }
    });
  }
  const seen = new Map<string, number>();
  (p.rlimits ?? []).forEach((r, i) => {
    const f = [...at, 'rlimits', i];
    if (rlimitNumber(r.type) < 0) report([...f, 'type'], `unknown resource limit ${JSON.stringify(r.type)} (see getrlimit(2))`);
    const first = seen.get(r.type);
    if (first !== undefined) report([...f, 'type'], `${r.type} is given twice (also ${fieldPath([...at, 'rlimits', first])})`);
    else seen.set(r.type, i);
    if (r.soft > r.hard) report(f, `soft limit ${limitText(r.soft)} is above the hard limit ${limitText(r.hard)}`);
    // Linux's setrlimit refuses more descriptors than fs.nr_open with EPERM (runc fails so at start); the Sentry's is Linux's default.
    else if (r.type === 'RLIMIT_NOFILE' && r.hard > NR_OPEN) report(f, `${limitText(r.hard)} descriptors is above fs.nr_open (${NR_OPEN}): setrlimit(2) refuses it`);
  });
  // Linux refuses other values in /proc/PID/oom_score_adj with EINVAL.
  if (p.oomScoreAdj !== undefined && (p.oomScoreAdj < -1000 || p.oomScoreAdj > 1000)) {
    report([...at, 'oomScoreAdj'], `must be between -1000 and 1000, not ${p.oomScoreAdj}`);
  }
}

/** sysctls that live in an IPC namespace (runc 1.1's list, with fs.mqueue.*). */
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall',
  'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** net/ipv4/conf/eth0.100/rp_filter as net.ipv4.conf.eth0/100.rp_filter: sysctl(8) takes either separator. */
function dottedSysctl(name: string): string {
  const first = name.search(/[./]/);
  if (first < 0 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

function checkLinux(spec: Spec, linux: Linux, report: Report): void {
  const namespaces = new Map<NamespaceType, number>();
  noNul(report, ['linux', 'cgroupsPath'], linux.cgroupsPath);
  noNul(report, ['linux', 'mountLabel'], linux.mountLabel);
  for (const [k, v] of Object.entries(linux.sysctl ?? {})) {
    noNul(report, ['linux', 'sysctl', k.replace(/\0/g, '\\0')], k.includes('\0') ? k : v);
  }
  (linux.namespaces ?? []).forEach((ns, i) => {
    const first = namespaces.get(ns.type);
    if (first !== undefined) {
      report(['linux', 'namespaces', i, 'type'], `the ${ns.type} namespace is listed twice (also linux.namespaces[${first}])`);
    } else {
      namespaces.set(ns.type, i);
    }
    noNul(report, ['linux', 'namespaces', i, 'path'], ns.path);
    if (ns.path !== undefined && !isAbsolute(ns.path)) {
      report(['linux', 'namespaces', i, 'path'], `must be an absolute path, not ${JSON.stringify(ns.path)}`);
    }
  });
  const has = (t: NamespaceType) => namespaces.has(t);
  const userNs = namespaces.get('user');
  for (const which of ['uidMappings', 'gidMappings'] as const) {
    const maps = linux[which] ?? [];
    if (maps.length > 0 && userNs === undefined) {
      report(['linux', which], 'id mappings need a user namespace (add {"type": "user"} to linux.namespaces)');
    }
    if (userNs !== undefined && linux.namespaces?.[userNs].path === undefined && maps.length === 0) {
      report(['linux', which], 'a new user namespace needs at least one mapping');
    }
    maps.forEach((m, i) => {
      if (m.size === 0) report(['linux', which, i, 'size'], 'must be at least 1');
    });
  }
  if (spec.hostname !== undefined && spec.hostname !== '' && !has('uts')) {
    report(['hostname'], 'setting a hostname needs a UTS namespace (add {"type": "uts"} to linux.namespaces)');
  }
  if (spec.domainname !== undefined && spec.domainname !== '' && !has('uts')) {
    report(['domainname'], 'setting a domain name needs a UTS namespace (add {"type": "uts"} to linux.namespaces)');
  }
  for (const which of ['maskedPaths', 'readonlyPaths'] as const) {
    const paths = linux[which] ?? [];
    if (paths.length > 0 && !has('mount')) {
      report(['linux', which], 'needs a mount namespace (add {"type": "mount"} to linux.namespaces)');
    }
    paths.forEach((p, i) => {
      noNul(report, ['linux', which, i], p);
      if (!isAbsolute(p)) report(['linux', which, i], `must be an absolute path, not ${JSON.stringify(p)}`);
    });
  }
  for (const raw of Object.keys(linux.sysctl ?? {})) {
    const name = dottedSysctl(raw);
    const f = ['linux', 'sysctl', raw];
    if (IPC_SYSCTLS.has(name) || name.startsWith('fs.mqueue.')) {
      if (!has('ipc')) report(f, 'is not allowed in the host\'s IPC namespace (add {"type": "ipc"} to linux.namespaces)');
    } else if (name.startsWith('net.')) {
      // runc also refuses a netns path that is its own namespace; that needs the host, so the launcher checks it.
      if (!has('network')) report(f, 'is not allowed in the host\'s network namespace (add {"type": "network"} to linux.namespaces)');
    } else if (name === 'kernel.domainname' && has('uts')) {
      // Namespaced, and the spec has no field for it.
    } else if (name === 'kernel.hostname' && has('uts')) {
      report(f, 'conflicts with the hostname field; set hostname instead');
    } else {
      report(f, 'is not in a namespace of the container, so it would change the host');
    }
  }
  (linux.devices ?? []).forEach((d, i) => {
    noNul(report, ['linux', 'devices', i, 'path'], d.path);
    if (!isAbsolute(d.path)) report(['linux', 'devices', i, 'path'], `must be an absolute path, not ${JSON.stringify(d.path)}`);
    if (d.type !== 'p') {
      if (d.major === undefined) report(['linux', 'devices', i, 'major'], `is required for a device of type ${d.type}`);
      if (d.minor === undefined) report(['linux', 'devices', i, 'minor'], `is required for a device of type ${d.type}`);
    }
  });
  (linux.resources?.devices ?? []).forEach((d, i) => {
    if (d.type !== undefined && !['a', 'b', 'c'].includes(d.type)) {
      report(['linux', 'resources', 'devices', i, 'type'], `${JSON.stringify(d.type)} is not one of: a, b, c`);
    }
    if (d.access !== undefined && !/^[rwm]+$/.test(d.access)) {
      report(['linux', 'resources', 'devices', i, 'access'], `${JSON.stringify(d.access)} must be some of the letters r, w, m`);
    }
  });
  if (linux.timeOffsets !== undefined) {
    for (const clock of Object.keys(linux.timeOffsets)) {
      if (clock !== 'boottime' && clock !== 'monotonic') {
        report(['linux', 'timeOffsets', clock], 'is not a clock with an offset (boottime or monotonic)');
      }
    }
    if (!has('time')) report(['linux', 'timeOffsets'], 'needs a time namespace (add {"type": "time"} to linux.namespaces)');
  }
  (linux.seccomp?.syscalls ?? []).forEach((s, i) => {
    (s.args ?? []).forEach((a, j) => {
      if (a.index > 5) report(['linux', 'seccomp', 'syscalls', i, 'args', j, 'index'], `must be 0 to 5 (a system call has six arguments), not ${a.index}`);
    });
  });
  const clos = linux.intelRdt?.closID;
  if (clos !== undefined && (clos === '.' || clos === '..' || clos.includes('/'))) {
    report(['linux', 'intelRdt', 'closID'], `${JSON.stringify(clos)} is not a valid resctrl group name`);
  }
}

function checkSpec(spec: Spec, report: Report): void {
  // SemVer 2.0.0's form; tsvisor reads any 1.x (minor versions only add fields).
  const v = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(spec.ociVersion);
  if (v === null) report(['ociVersion'], `${JSON.stringify(spec.ociVersion)} is not a version such as 1.0.2`);
  else if (v[1] !== '1') report(['ociVersion'], `${spec.ociVersion} is not supported (tsvisor reads runtime spec 1.x)`);

  if (spec.root === undefined) report(['root'], 'is required (the container\'s root file system)');
  else if (spec.root.path === '') report(['root', 'path'], 'must not be empty');
  else noNul(report, ['root', 'path'], spec.root.path);
  noNul(report, ['hostname'], spec.hostname);
  noNul(report, ['domainname'], spec.domainname);

  if (spec.process === undefined) report(['process'], 'is required (the container\'s first process)');
  else checkProcess(spec.process, ['process'], report);

  (spec.mounts ?? []).forEach((m, i) => {
    if (!isAbsolute(m.destination)) {
      report(['mounts', i, 'destination'], `must be an absolute path in the container, not ${JSON.stringify(m.destination)}`);
    }
    // mount(2) takes C strings.
    for (const [k, s] of [['destination', m.destination], ['source', m.source], ['type', m.type]] as const) noNul(report, ['mounts', i, k], s);
    const bind = m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
    if (bind && (m.source === undefined || m.source === '')) report(['mounts', i, 'source'], 'is required for a bind mount');
  });

  for (const [name, hooks] of Object.entries(spec.hooks ?? {})) {
    (hooks ?? []).forEach((h, i) => {
      noNul(report, ['hooks', name, i, 'path'], h.path);
      (h.args ?? []).forEach((a, j) => noNul(report, ['hooks', name, i, 'args', j], a));
      (h.env ?? []).forEach((e, j) => noNul(report, ['hooks', name, i, 'env', j], e));
      if (!isAbsolute(h.path)) report(['hooks', name, i, 'path'], `must be an absolute path, not ${JSON.stringify(h.path)}`);
    });
  }

  if (spec.linux !== undefined) {
    checkLinux(spec, spec.linux, report);
  } else if (spec.hostname !== undefined && spec.hostname !== '') {
    report(['hostname'], 'setting a hostname needs a UTS namespace (add linux.namespaces with {"type": "uts"})');
  }
}

function collecting(file: string, check: (report: Report) => void): void {
  const problems: Problem[] = [];
  check((field, message) => problems.push({ field: fieldPath(field), message }));
  if (problems.length > 0) throw new SpecError(file, problems);
}

// ---------------------------------------------------------------------------
// The API

/**
 * A parsed config.json checked against the runtime spec's schema and the
 * rules above; throws SpecError naming file and every bad field. Checks
 * nothing on the host (bundle.ts's loadBundle does: root.path).
 */
export function validateSpec(value: unknown, file = 'config.json'): Spec {
  const spec = checkSchema(validators.spec, value, file);
  collecting(file, (report) => checkSpec(spec, report));
  return spec;
}

/** An exec's process.json (runc exec --process): the process object alone, with config.json's process rules. */
export function validateProcess(value: unknown, file = 'process.json'): Process {
  const p = checkSchema(validators.process, value, file);
  collecting(file, (report) => checkProcess(p, [], report));
  return p;
}

/** An OCI state document (state.json): the schema, and a pid while created or running. */
export function validateState(value: unknown, file = 'state.json'): State {
  const s = checkSchema(validators.state, value, file);
  collecting(file, (report) => {
    if ((s.status === 'created' || s.status === 'running') && s.pid === undefined) report(['pid'], `is required while ${s.status}`);
    if (!isAbsolute(s.bundle)) report(['bundle'], `must be an absolute path, not ${JSON.stringify(s.bundle)}`);
  });
  return s;
}
