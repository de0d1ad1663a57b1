// Mount hints (gVisor's runsc/boot MountHint, seed 001): annotations on a
// pod's sandbox container that say how a volume is shared among the
// pod's containers, since each container's spec only names a host path:
//
//   dev.gvisor.spec.mount.NAME.source   the host path the containers' mounts name
//   dev.gvisor.spec.mount.NAME.type     bind or tmpfs
//   dev.gvisor.spec.mount.NAME.share    container, pod or shared
//   dev.gvisor.spec.mount.NAME.options  mount options, comma-separated (rw, ro, ...)
//
// A tmpfs hint is the one that changes what a container sees: the volume
// (Kubernetes' emptyDir with medium Memory) is a tmpfs in the Sentry, one
// instance for every container whose mount names the source (share pod or
// shared), or one per container (share container), instead of the host
// directory. A bind hint needs nothing here: every container binds the
// host directory itself and sees the others' changes through the host
// (hostfs does not cache a bind's tree), which is what runsc's gofer
// sharing gives.
//
// Where it differs from runsc: "shared" (which in runsc also means the
// host may change the volume) is taken as "pod"; a tmpfs's options other
// than ro/rw are not honoured beyond the mount's own.

import * as path from 'node:path';
import type { NewFileSystem } from '../vfs/fs_registry.js';
import type { MemoryFile } from '../memory/memory_file.js';
import { TmpfsFileSystem } from '../fs/tmpfs/tmpfs.js';
import type { Volume } from './launch.js';
import { BootError } from './sandbox.js';

const PREFIX = 'dev.gvisor.spec.mount.';

export interface MountHint {
  name: string;
  /** The host path, normalised. */
  source: string;
  type: 'bind' | 'tmpfs';
  share: 'container' | 'pod' | 'shared';
  options: string[];
}

/** The hints among annotations; a malformed one is a BootError naming its annotation. */
export function parseMountHints(annotations: Readonly<Record<string, string>>): MountHint[] {
  const parts = new Map<string, Record<string, string>>();
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(PREFIX)) continue;
    const rest = k.slice(PREFIX.length);
    const dot = rest.lastIndexOf('.');
    const name = rest.slice(0, dot);
    const field = rest.slice(dot + 1);
    const bad = (why: string) => new BootError(`annotation ${k}: ${why}`, 1);
    if (dot <= 0 || !/^[A-Za-z0-9_.-]+$/.test(name)) throw bad('expected dev.gvisor.spec.mount.NAME.FIELD');
    if (!['source', 'type', 'share', 'options'].includes(field)) throw bad(`unknown field ${field} (source, type, share, options)`);
    const p = parts.get(name) ?? {};
    p[field] = v;
    parts.set(name, p);
  }
  const hints: MountHint[] = [];
  for (const [name, p] of parts) {
    const bad = (why: string) => new BootError(`mount hint ${name} (${PREFIX}${name}.*): ${why}`, 1);
    if (p.source === undefined || !p.source.startsWith('/')) throw bad('source must be an absolute path');
    const type = p.type ?? '';
    if (type !== 'bind' && type !== 'tmpfs') throw bad(`type ${JSON.stringify(type)}: expected bind or tmpfs`);
    const share = p.share ?? '';
    if (share !== 'container' && share !== 'pod' && share !== 'shared') throw bad(`share ${JSON.stringify(share)}: expected container, pod or shared`);
    const options = p.options === undefined || p.options === '' ? [] : p.options.split(',');
    for (const o of options) if (o !== 'rw' && o !== 'ro' && o !== 'rprivate' && o !== 'private') throw bad(`option ${o}: only rw, ro and private are supported`);
    hints.push({ name, source: path.posix.normalize(p.source), type, share, options });
  }
  return hints;
}

/** The pod's shared volumes: made once, mounted by every container that names their source. */
export class PodMounts {
  private readonly shared = new Map<string, NewFileSystem>();

  constructor(private readonly hints: readonly MountHint[]) {}

  /** The instances a container's volumes take from the hints, by target (the rest it binds from the host). */
  instancesFor(mf: MemoryFile, volumes: readonly Volume[]): Map<string, NewFileSystem> {
    const out = new Map<string, NewFileSystem>();
    for (const v of volumes) {
      const h = this.hints.find((x) => x.source === path.posix.normalize(v.host));
      if (h === undefined || h.type !== 'tmpfs') continue;
      let fs = h.share === 'container' ? undefined : this.shared.get(h.name);
      if (fs === undefined) {
        const t = new TmpfsFileSystem(mf, { mode: 0o777 }, h.source);
        fs = { fs: t, root: t.root };
        if (h.share !== 'container') this.shared.set(h.name, fs);
      }
      out.set(v.target, fs);
    }
    return out;
  }
}
