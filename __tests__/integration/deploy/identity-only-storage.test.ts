/**
 * Issue 8, point 2: the model is uploaded with datastore secrets only when the datastore stores
 * them, and with the deploying identity (a bearer token for https://storage.azure.com, checked by
 * Azurite's --oauth basic) when it stores none or its secrets are refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { ClientSecretCredential } from '@azure/identity';
import { trustingHttpClient, trustingStoragePipeline } from '../../../testbed/tls/ca-trust';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

interface Exchange { method: string; url: string; status: number; requestBody?: unknown }

let fx: Fixture;
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': repo,
  'model-name': 'DetectNet',
  'model-type': 'triton_model',
  'endpoint-name': 'storage-auth',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('storage-auth');
}, 180000);
afterAll(async () => fx?.stop());

let nextVersion = 2;
/** New content (a retrained export adds a version folder), so each run really uploads. */
const changeModelContent = () => {
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
};

async function runLogged(): Promise<{ run: Awaited<ReturnType<Fixture['run']>>; requests: Exchange[] }> {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  return { run, requests: await control<Exchange[]>(fx.testbed.settings, 'GET', '/requests') };
}

const listSecretsCalls = (requests: Exchange[]) => requests.filter((r) => /\/datastores\/[^/]+\/listSecrets/i.test(r.url));
const storageTokenRequests = (requests: Exchange[]) =>
  requests.filter((r) => /\/oauth2\/v2\.0\/token$/.test(new URL(r.url, 'https://x').pathname) && JSON.stringify(r.requestBody ?? '').includes('https://storage.azure.com/.default'));

it('uploads with the account key from listSecrets when the datastore stores one, and says so', async () => {
  const { run, requests } = await runLogged();
  expect(listSecretsCalls(requests).map((r) => r.status)).toEqual([200]);
  expect(storageTokenRequests(requests)).toEqual([]);
  expect(run.log).toContain("Datastore 'workspaceblobstore': uploading with the account key");
  expect(run.summary).toMatch(/upload<\/td><td>[^<]*<\/td><td>[^<]*with the account key/);
});

it('deploys an identity-only workspace without any listSecrets call, uploading with a storage bearer token', async () => {
  await control(fx.testbed.settings, 'POST', '/ml/datastore-auth', { credentialsType: 'None' });
  changeModelContent();
  const { run, requests } = await runLogged();
  expect(listSecretsCalls(requests)).toEqual([]);
  // The only way left to the blobs: a token for Azure Storage, which Azurite checked (iss, aud, exp).
  expect(storageTokenRequests(requests).map((r) => r.status)).toContain(200);
  expect(run.log).toContain("uploading with the identity (datastore 'workspaceblobstore' stores no credentials (credentialsType None))");
  expect(run.summary).toMatch(/upload<\/td><td>[^<]*<\/td><td>[^<]*with the identity/);
  expect(run.outputs['model-version']).toBe('2');
});

it('falls back to the identity when listSecrets is refused (a role without listSecrets/action)', async () => {
  await control(fx.testbed.settings, 'POST', '/ml/datastore-auth', { credentialsType: 'AccountKey', listSecrets: 'forbid' });
  changeModelContent();
  const { run, requests } = await runLogged();
  expect(listSecretsCalls(requests).map((r) => r.status)).toEqual([403]);
  expect(storageTokenRequests(requests).map((r) => r.status)).toContain(200);
  expect(run.log).toContain("uploading with the identity (the secrets of datastore 'workspaceblobstore' were refused (AuthorizationFailed))");
  expect(run.summary).toMatch(/with the identity/);
  await control(fx.testbed.settings, 'POST', '/ml/datastore-auth', { credentialsType: 'AccountKey', listSecrets: 'allow' });
});

it('has Azurite accept storage tokens of the test bed Entra and refuse other audiences', async () => {
  const s = fx.testbed.settings;
  const httpClient = trustingHttpClient(s.caFile);
  const entra = new ClientSecretCredential(s.tenantId, s.clientId, s.clientSecret, { authorityHost: s.authorityHost, disableInstanceDiscovery: true, httpClient });
  const asAudience = (scope: string): TokenCredential => ({ getToken: async (): Promise<AccessToken | null> => entra.getToken(scope) });
  const blobUrl = s.storageBlobEndpoint.replace('{account}', s.storageAccount);
  const container = fx.testbed.context.blob.container;
  const names = async (credential: TokenCredential) => {
    const c = new BlobServiceClient(blobUrl, trustingStoragePipeline(s.caFile, credential)).getContainerClient(container);
    const found: string[] = [];
    for await (const b of c.listBlobsFlat({ prefix: 'triton-models/' })) found.push(b.name);
    return found;
  };
  // The identity-only run above put its files there with a bearer token.
  expect((await names(asAudience('https://storage.azure.com/.default'))).some((n) => n.endsWith('/detectnet_tao/2/model.onnx'))).toBe(true);
  await expect(names(asAudience('https://management.azure.com/.default'))).rejects.toMatchObject({ statusCode: 403 });
});

it('sends every ARM exchange within the spec', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
