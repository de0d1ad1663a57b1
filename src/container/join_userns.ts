// A user namespace joined by path (linux.namespaces' {"type":"user",
// "path":...}: podman's pod infra container's, a rootless caller's). runc
// setns(2)es into it, so the container's ids are that namespace's: its
// uid_map and gid_map. The Sentry's ids are its own, never the host's, so
// joining is taking the same maps: create reads them from the namespace's
// process (/proc/PID/uid_map beside /proc/PID/ns/user) and the sandbox
// makes its user namespace with them, so that the container sees the
// same /proc/self/uid_map and the same ids as under runc.
//
// Where it differs from runc: a namespace is named by a process's
// /proc/PID/ns/user only (a bind-mounted namespace file has no process to
// read the maps of: refused); the namespace is a copy, so a map the other
// namespace writes later is not seen.

import * as fs from 'node:fs';
import type { IdMapping, Spec } from '../config/spec.js';
import { ContainerError } from './errors.js';

/** /proc/PID/uid_map or gid_map's lines as mappings. */
function readMap(file: string): IdMapping[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ContainerError(`linux.namespaces: the user namespace's ${file}: ${(e as Error).message}`);
  }
  const maps: IdMapping[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    const [containerID, hostID, size] = f.map(Number);
    if (![containerID, hostID, size].every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) continue;
    maps.push({ containerID, hostID, size });
  }
  return maps;
}

/**
 * The spec with a user namespace path replaced by a new namespace with
 * that namespace's maps; the spec as it is when it joins none. Throws
 * ContainerError naming the path when it cannot be read as one.
 */
export function joinUserNamespace(spec: Spec): Spec {
  const list = spec.linux?.namespaces ?? [];
  const i = list.findIndex((n) => n.type === 'user' && n.path !== undefined);
  if (i < 0) return spec;
  const p = list[i].path as string;
  const m = /^\/proc\/(\d+|self)\/ns\/user$/.exec(p);
  if (m === null) throw new ContainerError(`linux.namespaces[${i}].path ${p}: tsvisor joins a user namespace named by a process's /proc/PID/ns/user only (it copies that process's uid_map and gid_map)`);
  const dir = `/proc/${m[1]}`;
  try {
    fs.statSync(p);
  } catch (e) {
    throw new ContainerError(`linux.namespaces[${i}].path ${p}: ${(e as Error).message}`);
  }
  const uidMappings = readMap(`${dir}/uid_map`);
  const gidMappings = readMap(`${dir}/gid_map`);
  if (uidMappings.length === 0 || gidMappings.length === 0) throw new ContainerError(`linux.namespaces[${i}].path ${p}: the namespace has no uid or gid mappings yet`);
  const namespaces = list.map((n, j) => (j === i ? { type: 'user' as const } : n));
  return { ...spec, linux: { ...spec.linux, namespaces, uidMappings, gidMappings } };
}
