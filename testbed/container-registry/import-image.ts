/**
 * ARM Registries_ImportImage (2023-07-01): a long-running POST (x-ms-long-running-operation,
 * final-state-via location) answered 202 with Location and Azure-AsyncOperation. The copy is
 * registry to registry, as ACR does it: the test bed reads the source registry's manifest (the
 * stand-in for nvcr.io, checking its credentials when it requires them), links each blob from the
 * source's storage into the ACR's (distribution's filesystem layout; a server-side copy, so no layer
 * goes through HTTP, as inside Azure) and writes the manifest through the ACR backend's API, which
 * checks that every blob it names is there. A failed source sign-in fails the operation with ACR's message
 * ("Operation registries-<id> failed. Resource <id> Invalid message Unauthorized ...", Azure/acr#181).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { TestbedContext } from '../context';
import { DOCKER_MANIFEST, OCI_MANIFEST } from '../manifest-media-types';
import type { Router, TestbedRequest } from '../server/router';
import { TestbedHttpError } from '../server/router';
import { checkScope } from './registry-resource';

export interface SourceRegistry {
  /** What importImage's source.registryUri names (host:port). */
  host: string;
  /** Plain-HTTP docker-registry behind it. */
  backendUrl: string;
  /** Its docker-registry's filesystem root. */
  storageRoot: string;
  /** Set when the registry is private (like NGC with '$oauthtoken' + an API key). */
  credentials?: { username: string; password: string };
}

type Status = { status: 'InProgress' | 'Succeeded' | 'Failed'; startTime: string; endTime?: string; error?: { code: string; message: string } };

const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

/** distribution's filesystem layout (registry/storage/paths.go): blob data and a repository's link to it. */
const blobData = (root: string, digest: string) => {
  const [algorithm, hex] = digest.split(':');
  return path.join(root, 'docker/registry/v2/blobs', algorithm, hex.slice(0, 2), hex, 'data');
};
const layerLink = (root: string, repository: string, digest: string) => {
  const [algorithm, hex] = digest.split(':');
  return path.join(root, 'docker/registry/v2/repositories', repository, '_layers', algorithm, hex, 'link');
};

/** A server-side blob copy: a hard link (a copy across file systems), then the repository's link. */
function copyBlob(sourceRoot: string, targetRoot: string, repository: string, digest: string): void {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`unsupported digest ${digest}`);
  const from = blobData(sourceRoot, digest);
  const to = blobData(targetRoot, digest);
  if (!fs.existsSync(to)) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    try {
      fs.linkSync(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return copyBlob(sourceRoot, targetRoot, repository, digest);
      fs.copyFileSync(from, to);
    }
  }
  const link = layerLink(targetRoot, repository, digest);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.writeFileSync(link, digest);
}

async function copyImage(source: SourceRegistry, target: { backendUrl: string; storageRoot: string }, repository: string, reference: string, targetTags: string[]): Promise<void> {
  const src = source.backendUrl.replace(/\/+$/, '');
  const dst = target.backendUrl.replace(/\/+$/, '');
  const res = await fetch(`${src}/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) throw Object.assign(new Error(`Invalid message NotFound NotFound {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"${reference}"}}]}`), { code: 'InvalidParameters' });
  if (!res.ok) throw new Error(`source registry answered ${res.status}`);
  const contentType = res.headers.get('content-type') ?? DOCKER_MANIFEST;
  const manifest = Buffer.from(await res.arrayBuffer());
  const parsed = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const [targetRepo] of targetTags.map((t) => t.split(':'))) {
    for (const digest of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) copyBlob(source.storageRoot, target.storageRoot, targetRepo, digest);
  }
  for (const tag of targetTags) {
    const [targetRepo, targetTag = reference] = tag.split(':');
    const put = await fetch(`${dst}/v2/${targetRepo}/manifests/${targetTag}`, { method: 'PUT', headers: { 'content-type': contentType }, body: manifest });
    if (put.status !== 201) throw new Error(`writing ${tag} answered ${put.status}`);
  }
}

export function registerImportImage(router: Router, ctx: TestbedContext, source: SourceRegistry): void {
  const operations = new Map<string, Status>();
  const provider = '/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ContainerRegistry';
  const opBase = (sub: string) => `${ctx.settings.armEndpoint}/subscriptions/${sub}/providers/Microsoft.ContainerRegistry/locations/${ctx.settings.location}`;

  router.route('POST', `${provider}/registries/:name/importImage`, (req: TestbedRequest) => {
    ctx.requireArmToken(req);
    const here = checkScope(req, ctx);
    if (!here || req.params.name.toLowerCase() !== ctx.settings.registryName.toLowerCase()) {
      throw new TestbedHttpError(404, 'ResourceNotFound', `The Resource 'Microsoft.ContainerRegistry/registries/${req.params.name}' under resource group '${req.params.rg}' was not found.`);
    }
    const body = req.json() as { source?: { registryUri?: string; sourceImage?: string; credentials?: { username?: string; password?: string } }; targetTags?: string[]; mode?: string };
    const src = body.source;
    if (!src?.sourceImage) throw new TestbedHttpError(400, 'InvalidParameters', 'source.sourceImage is required.');
    if (!src.registryUri || src.registryUri.toLowerCase() !== source.host.toLowerCase()) {
      throw new TestbedHttpError(400, 'InvalidParameters', `The source registry '${src.registryUri ?? ''}' is not reachable from the test bed (it serves ${source.host}).`);
    }
    const at = src.sourceImage.indexOf('@');
    const colon = src.sourceImage.lastIndexOf(':');
    const [repository, reference] = at >= 0 ? [src.sourceImage.slice(0, at), src.sourceImage.slice(at + 1)] : colon >= 0 ? [src.sourceImage.slice(0, colon), src.sourceImage.slice(colon + 1)] : [src.sourceImage, 'latest'];
    const targetTags = body.targetTags?.length ? body.targetTags : [`${repository}:${reference}`];
    const id = `registries-${randomUUID()}`;
    const op: Status = { status: 'InProgress', startTime: new Date().toISOString() };
    operations.set(id, op);
    const registryId = `/subscriptions/${req.params.sub}/resourceGroups/${req.params.rg}/providers/Microsoft.ContainerRegistry/registries/${ctx.settings.registryName}`;
    const finish = (error?: { code: string; message: string }) => {
      op.status = error ? 'Failed' : 'Succeeded';
      op.endTime = new Date().toISOString();
      if (error) op.error = error;
      ctx.log(`importImage ${id} of ${source.host}/${src.sourceImage}: ${op.status}${error ? ` (${error.message})` : ''}`);
    };
    void (async () => {
      const need = source.credentials;
      const given = src.credentials;
      if (need && (given?.username !== need.username || given?.password !== need.password)) {
        const detail = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: [{ Type: 'repository', Class: '', Name: repository, Action: 'pull' }] }] });
        finish({ code: 'InvalidParameters', message: `Operation ${id} failed. Resource ${registryId} Invalid message Unauthorized Unauthorized ${detail}` });
        return;
      }
      if (body.mode !== 'Force') {
        for (const t of targetTags) {
          const [r, tag = reference] = t.split(':');
          if ((await fetch(`${ctx.registry.backendUrl}/v2/${r}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } })).status === 200) {
            finish({ code: 'InvalidParameters', message: `Operation ${id} failed. Resource ${registryId} Tag ${r}:${tag} already exists in target registry.` });
            return;
          }
        }
      }
      await copyImage(source, ctx.registry, repository, reference, targetTags);
      finish();
    })().catch((e: unknown) => finish({ code: 'InvalidParameters', message: `Operation ${id} failed. Resource ${registryId} ${e instanceof Error ? e.message : String(e)}` }));
    const query = `api-version=${req.query.get('api-version')}`;
    return {
      status: 202,
      headers: {
        location: `${opBase(req.params.sub)}/operationResults/${id}?${query}`,
        'azure-asyncoperation': `${opBase(req.params.sub)}/operationStatuses/${id}?${query}`,
        'retry-after': '0',
      },
    };
  });

  const find = (req: TestbedRequest): Status => {
    ctx.requireArmToken(req);
    const op = operations.get(req.params.id);
    if (!op) throw new TestbedHttpError(404, 'OperationNotFound', `Operation ${req.params.id} was not found.`);
    return op;
  };
  const locations = '/subscriptions/:sub/providers/Microsoft.ContainerRegistry/locations/:location';
  router.route('GET', `${locations}/operationStatuses/:id`, (req) => {
    const op = find(req);
    return { status: 200, body: { id: req.params.id, name: req.params.id, ...op } };
  });
  router.route('GET', `${locations}/operationResults/:id`, (req) => {
    const op = find(req);
    if (op.status === 'InProgress') return { status: 202, headers: { location: `${opBase(req.params.sub)}/operationResults/${req.params.id}?api-version=${req.query.get('api-version')}`, 'retry-after': '0' } };
    if (op.status === 'Failed') return { status: 400, body: { error: op.error } };
    return { status: 200 };
  });
}
