// An OCI image layout tarball made from a directory, for `ctr images import`
// where no registry is reachable: one uncompressed layer (tar(1) of the
// directory, owned by root), its config and manifest, index.json naming the
// image. containerd takes the image's name from the index's
// io.containerd.image.name annotation.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/**
 * Writes the image of rootfs (a directory) named `name` ("host/repo:tag") to
 * the tarball `out`, in the OCI image layout; config is the image config's
 * "config" object (Env, Cmd, Entrypoint...). Throws if tar fails.
 */
export function ociImageTar(rootfs, name, out, config = {}) {
  const layout = `${out}.d`;
  rmSync(layout, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (buf) => {
    const digest = sha256(buf);
    writeFileSync(join(blobs, digest), buf);
    return { digest: `sha256:${digest}`, size: buf.length };
  };
  // --numeric-owner --owner=0 --group=0: the image's files are root's whoever made the directory.
  const layerTar = join(layout, 'layer.tar');
  const t = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', layerTar, '.'], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`tar ${rootfs}: ${t.stderr}`);
  const layerBuf = readFileSync(layerTar);
  rmSync(layerTar);
  const layer = put(layerBuf);
  const cfg = put(Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  })));
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...manifest,
      platform: { architecture: 'amd64', os: 'linux' },
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.replace(/.*:/, '') },
    }],
  }));
  const tmp = `${out}.tmp`;
  const p = spawnSync('tar', ['-C', layout, '-cf', tmp, 'oci-layout', 'index.json', 'blobs'], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`tar ${layout}: ${p.stderr}`);
  renameSync(tmp, out);
  rmSync(layout, { recursive: true, force: true });
  return out;
}
