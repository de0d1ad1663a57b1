// A bundle's config.json, read for the runtime (the OCI runtime spec's
// config; runc's libcontainer/specconv reads the same fields into its
// configs.Config, seed 004).
//
// TEMPORARY: this small reader stands in for src/config's loadBundle (the
// OCI config model, with JSON-schema validation), which replaces it at the
// merge. Keep its interface narrow (readBundle and BundleConfig, nothing
// else) so the swap is one import: it reads only what the lifecycle uses
// today (process.args, env, cwd, user.uid/gid, terminal, root.path and
// readonly, hostname, annotations, ociVersion) and ignores the rest, where
// runc would apply it (mounts, namespaces, cgroups, rlimits, capabilities,
// seccomp, hooks: not honoured yet). Every error names the field.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContainerError } from './errors.js';

export interface BundleConfig {
  /** The bundle directory, absolute. */
  bundle: string;
  ociVersion: string;
  process: {
    args: string[];
    env: string[];
    /** Absolute, inside the container. */
    cwd: string;
    uid: number;
    gid: number;
    terminal: boolean;
  };
  root: {
    /** The root file system's host directory, absolute (root.path is relative to the bundle). */
    path: string;
    readonly: boolean;
  };
  hostname: string | null;
  annotations: Record<string, string>;
}

/** The most config.json may weigh: a spec is a few KiB; this bounds what a hostile bundle makes the runtime parse. */
const MAX_CONFIG_BYTES = 4 << 20;

export class BundleError extends ContainerError {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks BUNDLE/config.json. Throws BundleError naming the field that is wrong. */
export function readBundle(bundleDir: string): BundleConfig {
  const bundle = path.resolve(bundleDir);
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new BundleError(`${file}: not a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw new BundleError(`${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof BundleError) throw e;
    throw new BundleError(`cannot read the bundle's config: ${(e as Error).message} (is ${bundle} a bundle? -b names its directory)`);
  }
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    throw new BundleError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const bad = (field: string, why: string) => new BundleError(`${file}: ${field}: ${why}`);
  if (!isObject(doc)) throw bad('(top level)', 'must be an object');
  const str = (v: Json | undefined, field: string, optional = false): string | undefined => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string') throw bad(field, optional ? 'must be a string if given' : 'required, a string');
    return v;
  };
  const id32 = (v: Json | undefined, field: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xfffffffe) throw bad(field, 'required, an integer from 0 to 4294967294');
    return v;
  };
  const strings = (v: Json | undefined, field: string, optional: boolean): string[] => {
    if (v === undefined && optional) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(field, 'must be an array of strings');
    return v as string[];
  };
  const ociVersion = str(doc.ociVersion, 'ociVersion') as string;
  const proc = doc.process;
  if (!isObject(proc)) throw bad('process', 'required, an object (tsvisor runs the process it describes)');
  const args = strings(proc.args, 'process.args', false);
  if (args.length === 0) throw bad('process.args', 'must name the program to run (at least one element)');
  if (args[0] === '') throw bad('process.args[0]', 'must not be empty');
  const env = strings(proc.env, 'process.env', true);
  env.forEach((e, i) => {
    if (!e.includes('=')) throw bad(`process.env[${i}]`, `${JSON.stringify(e)} is not of the form KEY=value`);
  });
  const cwd = str(proc.cwd, 'process.cwd') as string;
  if (!cwd.startsWith('/')) throw bad('process.cwd', `${JSON.stringify(cwd)} must be an absolute path`);
  const user = proc.user;
  if (!isObject(user)) throw bad('process.user', 'required, an object with uid and gid');
  const uid = id32(user.uid, 'process.user.uid');
  const gid = id32(user.gid, 'process.user.gid');
  if (proc.terminal !== undefined && typeof proc.terminal !== 'boolean') throw bad('process.terminal', 'must be a boolean if given');
  const root = doc.root;
  if (!isObject(root)) throw bad('root', 'required, an object with path');
  const rootPath = str(root.path, 'root.path') as string;
  if (rootPath === '') throw bad('root.path', 'must not be empty');
  if (root.readonly !== undefined && typeof root.readonly !== 'boolean') throw bad('root.readonly', 'must be a boolean if given');
  const rootAbs = path.resolve(bundle, rootPath);
  let rootSt: fs.Stats;
  try {
    rootSt = fs.statSync(rootAbs);
  } catch (e) {
    throw bad('root.path', `${rootAbs}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!rootSt.isDirectory()) throw bad('root.path', `${rootAbs} is not a directory`);
  const hostname = str(doc.hostname, 'hostname', true) ?? null;
  // Linux's limit (HOST_NAME_MAX), as sethostname(2) enforces it.
  if (hostname !== null && Buffer.byteLength(hostname) > 64) throw bad('hostname', 'longer than 64 bytes');
  const annotations: Record<string, string> = {};
  if (doc.annotations !== undefined) {
    if (!isObject(doc.annotations)) throw bad('annotations', 'must be an object of strings');
    for (const [k, v] of Object.entries(doc.annotations)) {
      if (typeof v !== 'string') throw bad(`annotations.${k}`, 'must be a string');
      annotations[k] = v;
    }
  }
  return {
    bundle,
    ociVersion,
    process: { args, env, cwd, uid, gid, terminal: proc.terminal === true },
    root: { path: rootAbs, readonly: root.readonly === true },
    hostname,
    annotations,
  };
}
