/**
 * GitHub Actions results-service emulator: the Twirp/JSON ArtifactService calls @actions/artifact 2.x
 * makes (CreateArtifact, FinalizeArtifact, ListArtifacts, and GetSignedArtifactURL for downloads) at
 * {baseUrl}/twirp/..., with the signed upload and download URLs real SAS URLs for a blob in Azurite. Message shapes: @actions/artifact's
 * lib/generated/results/api/v1/artifact.js (proto3 JSON: snake_case names, int64 as strings,
 * wrapper types as bare values, Timestamps as RFC 3339). Requests need a runtime token from
 * POST /_testbed/github/runtime-token (what the runner gives each job); runAction fetches one.
 *
 * Control: POST /_testbed/github/runtime-token -> { token, resultsUrl, workflowRunBackendId, workflowJobRunBackendId },
 * GET /_testbed/github/artifacts -> every ArtifactRecord.
 */
import * as crypto from 'crypto';
import { BlobSASPermissions, BlobServiceClient, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import type { TestbedContext } from '../context';
import { JwtSigner } from '../entra/jwt';
import type { Router, TestbedResponse } from '../server/router';
import { trustingStoragePipeline } from '../tls/ca-trust';
import { ArtifactStore, TwirpError } from './artifact-store';
import { jobIdsFromToken, mintRuntimeToken, type JobIds } from './runtime-token';
import { readZipEntries } from './zip-entries';

export const ARTIFACT_SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService';
/** Kept apart from the workspace datastore so ML tests that list it see only their own blobs. */
export const ARTIFACT_CONTAINER = 'actions-results';

type Body = Record<string, unknown>;

/** proto3 JSON parsers accept the proto name and the lowerCamelCase name. */
function field(body: Body, protoName: string): unknown {
  return body[protoName] ?? body[protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

function stringField(body: Body, protoName: string, required = true): string | undefined {
  const value = field(body, protoName);
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw new TwirpError(400, 'invalid_argument', `${protoName} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** int64 fields arrive as decimal strings (numbers are accepted too, as protojson does). */
function int64Field(body: Body, protoName: string, required = true): number | undefined {
  const value = field(body, protoName);
  if (value === undefined && !required) return undefined;
  if ((typeof value !== 'string' || !/^-?\d+$/.test(value)) && !Number.isInteger(value)) {
    throw new TwirpError(400, 'invalid_argument', `${protoName} must be an int64 (a decimal string), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function checkJob(body: Body, ids: JobIds): void {
  if (stringField(body, 'workflow_run_backend_id') !== ids.workflowRunBackendId || stringField(body, 'workflow_job_run_backend_id') !== ids.workflowJobRunBackendId) {
    throw new TwirpError(403, 'permission_denied', 'the workflow run or job id does not match the runtime token');
  }
}

export async function registerGitHubResults(router: Router, ctx: TestbedContext): Promise<void> {
  const signer = await JwtSigner.create('testbed-actions-runtime');
  // One workflow run per test bed (runAction's GITHUB_RUN_ID); every runtime token is a new job in it.
  const workflowRunBackendId = crypto.randomUUID();
  const sharedKey = new StorageSharedKeyCredential(ctx.blob.accountName, ctx.blob.accountKey);
  const container = new BlobServiceClient(ctx.blob.url, trustingStoragePipeline(ctx.settings.caFile, sharedKey)).getContainerClient(ARTIFACT_CONTAINER);
  await container.createIfNotExists();
  const store = new ArtifactStore();

  const twirp = (method: string, handler: (body: Body, ids: JobIds) => Promise<unknown> | unknown): void => {
    router.route('POST', `${ARTIFACT_SERVICE}/${method}`, async (req): Promise<TestbedResponse> => {
      try {
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new TwirpError(404, 'bad_route', `the emulator speaks Twirp JSON only, got Content-Type ${req.headers['content-type']}`);
        }
        const ids = jobIdsFromToken(signer, req.headers.authorization);
        if (!ids) throw new TwirpError(401, 'unauthenticated', 'a valid ACTIONS_RUNTIME_TOKEN bearer token is required');
        let body: Body;
        try {
          body = JSON.parse(req.body.toString('utf8')) as Body;
        } catch (e) {
          throw new TwirpError(400, 'malformed', `the request body is not JSON: ${String(e)}`);
        }
        return { status: 200, body: await handler(body, ids) };
      } catch (e) {
        if (e instanceof TwirpError) return { status: e.status, body: { code: e.code, msg: e.message } };
        throw e;
      }
    });
  };

  twirp('CreateArtifact', (body, ids) => {
    checkJob(body, ids);
    const name = stringField(body, 'name')!;
    if (field(body, 'version') !== 4) throw new TwirpError(400, 'invalid_argument', `version must be 4, got ${JSON.stringify(field(body, 'version'))}`);
    const expiresAt = field(body, 'expires_at');
    if (expiresAt !== undefined && (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))) {
      throw new TwirpError(400, 'invalid_argument', `expires_at must be an RFC 3339 timestamp, got ${JSON.stringify(expiresAt)}`);
    }
    const record = store.create(ids, name, ARTIFACT_CONTAINER, expiresAt as string | undefined);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: ARTIFACT_CONTAINER, blobName: record.blobName, permissions: BlobSASPermissions.parse('cw'),
        startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + 3600_000), protocol: SASProtocol.Https,
      },
      sharedKey,
    ).toString();
    return { ok: true, signed_upload_url: `${ctx.blob.url}/${ARTIFACT_CONTAINER}/${record.blobName}?${sas}` };
  });

  twirp('FinalizeArtifact', async (body, ids) => {
    checkJob(body, ids);
    const record = store.pending(ids, stringField(body, 'name')!);
    const size = int64Field(body, 'size')!;
    const hash = field(body, 'hash');
    const blob = container.getBlobClient(record.blobName);
    if (!(await blob.exists())) throw new TwirpError(412, 'failed_precondition', `nothing was uploaded to the signed URL for '${record.name}'`);
    const zip = await blob.downloadToBuffer();
    if (zip.length !== size) throw new TwirpError(400, 'invalid_argument', `size ${size} does not match the uploaded blob's ${zip.length} bytes`);
    const digest = `sha256:${crypto.createHash('sha256').update(zip).digest('hex')}`;
    if (hash !== undefined && hash !== digest) throw new TwirpError(400, 'invalid_argument', `hash ${JSON.stringify(hash)} does not match the uploaded blob (${digest})`);
    let files: { name: string; bytes: number }[];
    try {
      files = readZipEntries(zip).map((e) => ({ name: e.name, bytes: e.data.length }));
    } catch (e) {
      throw new TwirpError(400, 'invalid_argument', `the uploaded blob is not a readable zip: ${(e as Error).message}`);
    }
    Object.assign(record, { state: 'finalized', size, digest, files });
    ctx.log(`github-results: artifact ${record.id} '${record.name}' finalized (${files.length} files, ${size} bytes)`);
    return { ok: true, artifact_id: String(record.id) };
  });

  twirp('ListArtifacts', (body, ids) => {
    checkJob(body, ids);
    const name = field(body, 'name_filter');
    const id = field(body, 'id_filter');
    const records = store.finalized(ids.workflowRunBackendId, {
      name: typeof name === 'string' ? name : undefined,
      id: id === undefined ? undefined : Number(id),
    });
    return {
      artifacts: records.map((r) => ({
        workflow_run_backend_id: r.workflowRunBackendId, workflow_job_run_backend_id: r.workflowJobRunBackendId,
        database_id: String(r.id), name: r.name, size: String(r.size ?? 0), created_at: r.createdAt, digest: r.digest,
      })),
    };
  });

  // What a later job's download (actions/download-artifact, or @actions/artifact's downloadArtifact)
  // asks for: a short-lived read-only URL of a finalized artifact's zip in this workflow run.
  twirp('GetSignedArtifactURL', (body, ids) => {
    checkJob(body, ids);
    const name = stringField(body, 'name')!;
    const [record] = store.finalized(ids.workflowRunBackendId, { name });
    if (!record) throw new TwirpError(404, 'not_found', `no finalized artifact named '${name}' in this workflow run`);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: ARTIFACT_CONTAINER, blobName: record.blobName, permissions: BlobSASPermissions.parse('r'),
        startsOn: new Date(Date.now() - 60_000), expiresOn: new Date(Date.now() + 3600_000), protocol: SASProtocol.Https,
      },
      sharedKey,
    ).toString();
    return { signed_url: `${ctx.blob.url}/${ARTIFACT_CONTAINER}/${record.blobName}?${sas}` };
  });

  router.route('POST', '/_testbed/github/runtime-token', () => {
    const ids = { workflowRunBackendId, workflowJobRunBackendId: crypto.randomUUID() };
    return { status: 200, body: { token: mintRuntimeToken(signer, ids), resultsUrl: `${ctx.baseUrl}/`, ...ids } };
  });
  router.route('GET', '/_testbed/github/artifacts', () => ({ status: 200, body: store.list() }));
  ctx.log(`github-results: artifact service emulator at ${ctx.baseUrl}${ARTIFACT_SERVICE}, blobs in ${ARTIFACT_CONTAINER}`);
}
