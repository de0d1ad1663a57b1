// A bundle's config.json as the lifecycle uses it: src/config's loadBundle
// (the OCI config model: JSON-schema validation and the checks beyond it,
// every error naming file and field), with the fields the host side reads
// itself (process, root, hostname, annotations, ociVersion) at hand; the
// whole spec goes to the sandbox, whose Loader applies it
// (src/boot/container_spec.ts; docs/oci.md says what is honoured); the
// hooks are run on this side and by the sandbox (src/container/hooks.ts).

import { loadBundle } from '../config/bundle.js';
import { SpecError } from '../config/errors.js';
import type { Hooks, Spec } from '../config/spec.js';
import { ContainerError } from './errors.js';

export interface BundleConfig {
  /** The bundle directory, absolute. */
  bundle: string;
  /** The whole config.json, validated: what the sandbox applies. */
  spec: Spec;
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
    /** The root file system's host directory: absolute, its real path. */
    path: string;
    readonly: boolean;
  };
  hostname: string | null;
  annotations: Record<string, string>;
  /** The six hook lists (src/container/hooks.ts runs them); absent lists are absent. */
  hooks: Hooks;
}

export class BundleError extends ContainerError {}

/** Reads and checks BUNDLE/config.json. Throws BundleError naming the file and field that is wrong. */
export function readBundle(bundleDir: string): BundleConfig {
  let b: ReturnType<typeof loadBundle>;
  try {
    b = loadBundle(bundleDir);
  } catch (e) {
    if (e instanceof SpecError) throw new BundleError(e.message);
    throw e;
  }
  const { spec } = b;
  const p = spec.process;
  return {
    bundle: b.dir,
    spec,
    ociVersion: spec.ociVersion,
    process: {
      args: [...(p.args ?? [])],
      env: [...(p.env ?? [])],
      cwd: p.cwd,
      uid: p.user?.uid ?? 0,
      gid: p.user?.gid ?? 0,
      terminal: p.terminal === true,
    },
    root: { path: b.rootPath, readonly: spec.root.readonly === true },
    hostname: spec.hostname ?? null,
    annotations: { ...(spec.annotations ?? {}) },
    hooks: spec.hooks ?? {},
  };
}
