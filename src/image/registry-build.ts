/**
 * The registry path: the base's layers stay where importImage put them; the runner writes only a new
 * image config (one small blob) and a manifest naming the same layer digests, mounting the layers
 * into the image's repository (cross-repository blob mount) so no layer crosses the runner.
 * Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (pushing manifests,
 * mounting a blob from another repository).
 */
import { createHash } from 'crypto';
import { deriveImageConfig, type DockerfileEdits } from './image-config';
import { INDEX_TYPES, MANIFEST_TYPES } from './manifest-media-types';
import type { RegistryHttp } from './registry-http';

type Descriptor = { mediaType: string; digest: string; size: number; platform?: { os?: string; architecture?: string } };
interface Manifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: Descriptor[];
}

/** The base's image manifest; from an index, the linux/amd64 one (what Azure ML's instances run). */
async function baseManifest(http: RegistryHttp, repository: string, reference: string): Promise<{ manifest: Manifest; mediaType: string }> {
  const scope = `repository:${repository}:pull`;
  let reply = await http.expect('GET', `/v2/${repository}/manifests/${reference}`, scope, [200], { headers: { accept: MANIFEST_TYPES.join(', ') } });
  let manifest = JSON.parse(reply.body.toString('utf8')) as Manifest;
  let mediaType = manifest.mediaType ?? reply.headers.get('content-type') ?? '';
  if (INDEX_TYPES.includes(mediaType)) {
    const pick = manifest.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64');
    if (!pick) throw new Error(`${repository}:${reference} has no linux/amd64 image`);
    reply = await http.expect('GET', `/v2/${repository}/manifests/${pick.digest}`, scope, [200], { headers: { accept: MANIFEST_TYPES.join(', ') } });
    manifest = JSON.parse(reply.body.toString('utf8')) as Manifest;
    mediaType = manifest.mediaType ?? reply.headers.get('content-type') ?? pick.mediaType;
  }
  return { manifest, mediaType };
}

/** A mount of a blob the repository already has answers 201 too, so no HEAD first. */
async function mountLayer(http: RegistryHttp, target: string, from: string, digest: string): Promise<void> {
  const scope = `repository:${target}:pull,push repository:${from}:pull`;
  const reply = await http.expect('POST', `/v2/${target}/blobs/uploads/?mount=${digest}&from=${from}`, scope, [201, 202]);
  if (reply.status === 202) {
    // The registry opened an upload instead of mounting: cancel it; the runner does not move layers.
    const location = reply.headers.get('location');
    if (location) await http.call('DELETE', location, scope);
    throw new Error(`${http.loginServer} could not mount layer ${digest} from ${from} into ${target}`);
  }
}

async function pushBlob(http: RegistryHttp, repository: string, data: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const scope = `repository:${repository}:pull,push`;
  if ((await http.call('HEAD', `/v2/${repository}/blobs/${digest}`, scope)).status === 200) return digest;
  const start = await http.expect('POST', `/v2/${repository}/blobs/uploads/`, scope, [202]);
  const location = start.headers.get('location');
  if (!location) throw new Error(`${http.loginServer} opened an upload without a Location`);
  const url = new URL(location, `https://${http.loginServer}`);
  url.searchParams.set('digest', digest);
  const put = await http.call('PUT', `${url.pathname}${url.search}`, scope, { headers: { 'content-type': 'application/octet-stream' }, body: data });
  if (put.status === 201) return digest;
  // A try whose answer was lost may have completed the upload: the PUT again then finds no upload
  // session (404 BLOB_UPLOAD_UNKNOWN) although the blob is there.
  if ((await http.call('HEAD', `/v2/${repository}/blobs/${digest}`, scope)).status === 200) return digest;
  throw new Error(`PUT ${url.pathname} on ${http.loginServer} returned ${put.status}: ${put.body.toString('utf8').slice(0, 300)}`);
}

export async function writeImageOverBase(args: {
  http: RegistryHttp;
  base: { repository: string; reference: string };
  target: { repository: string; tag: string };
  edits: DockerfileEdits;
  labels: Record<string, string>;
  now?: Date;
}): Promise<string> {
  const { http, base, target } = args;
  const { manifest, mediaType } = await baseManifest(http, base.repository, base.reference);
  const baseConfig = await http.expect('GET', `/v2/${base.repository}/blobs/${manifest.config.digest}`, `repository:${base.repository}:pull`, [200]);
  const config = deriveImageConfig(JSON.parse(baseConfig.body.toString('utf8')) as Record<string, unknown>, args.edits, args.labels, (args.now ?? new Date()).toISOString());
  const configBytes = Buffer.from(JSON.stringify(config));
  if (base.repository !== target.repository) {
    for (const layer of manifest.layers) await mountLayer(http, target.repository, base.repository, layer.digest);
  }
  const configDigest = await pushBlob(http, target.repository, configBytes);
  const body = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: configDigest, size: configBytes.length } }, null, 3));
  const put = await http.expect('PUT', `/v2/${target.repository}/manifests/${target.tag}`, `repository:${target.repository}:pull,push`, [201], {
    headers: { 'content-type': mediaType },
    body,
  });
  return put.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
