/**
 * The test bed's infrastructure against the real clients: @azure/identity, the ACR management SDK,
 * @actions/core's OIDC call, @azure/storage-blob, and the docker CLI with the test bed's dockerd.
 */
import { ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningTestbed, startTestbed } from '../../../testbed/start-testbed';
import { trustingHttpClient, trustingStoragePipeline } from '../../../testbed/tls/ca-trust';
import type { TestbedSettings } from '../../../testbed/settings';
import { control, decodeJwt, request, run } from './testbed-clients';

const ARM_SCOPE = 'https://management.azure.com/.default';
let testbed: RunningTestbed;
let settings: TestbedSettings;
let stateDir: string;

function secretCredential(): ClientSecretCredential {
  return new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret, {
    authorityHost: settings.authorityHost, disableInstanceDiscovery: true, httpClient: trustingHttpClient(settings.caFile),
  });
}

function registryClient(options: { maxRetries?: number } = {}): ContainerRegistryManagementClient {
  return new ContainerRegistryManagementClient(secretCredential(), settings.subscriptionId, {
    // 12.x defaults to api-version 2025-11-01; the vendored spec (and the test bed) is 2023-07-01.
    endpoint: settings.armEndpoint, apiVersion: '2023-07-01', credentials: { scopes: [ARM_SCOPE] }, httpClient: trustingHttpClient(settings.caFile),
    retryOptions: options.maxRetries === undefined ? undefined : { maxRetries: options.maxRetries },
  });
}

function registryPath(): string {
  return `/subscriptions/${settings.subscriptionId}/resourceGroups/${settings.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${settings.registryName}`;
}

async function armToken(): Promise<string> {
  const response = await request(settings, 'POST', `${settings.authorityHost}/${settings.tenantId}/oauth2/v2.0/token`,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: settings.clientId, client_secret: settings.clientSecret, scope: ARM_SCOPE }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' });
  return response.json().access_token as string;
}

/** A node child started after the test bed: it trusts the CA only through NODE_EXTRA_CA_CERTS, like the action. */
const OIDC_CHILD = `
const core = require('@actions/core');
const { ClientAssertionCredential } = require('@azure/identity');
(async () => {
  const s = JSON.parse(process.env.TESTBED_SETTINGS);
  const credential = new ClientAssertionCredential(s.tenantId, s.clientId, () => core.getIDToken('api://AzureADTokenExchange'),
    { authorityHost: s.authorityHost, disableInstanceDiscovery: true });
  try {
    const token = await credential.getToken('https://management.azure.com/.default');
    console.log(JSON.stringify({ token: token.token }));
  } catch (error) {
    console.log(JSON.stringify({ error: String(error && error.message) }));
  }
})();`;

async function oidcChild(): Promise<{ token?: string; error?: string }> {
  const env = {
    ...process.env, NODE_EXTRA_CA_CERTS: settings.caFile, TESTBED_SETTINGS: JSON.stringify(settings),
    ACTIONS_ID_TOKEN_REQUEST_URL: settings.githubOidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: settings.githubOidcRequestToken,
  };
  const result = await run(process.execPath, ['-e', OIDC_CHILD], { env, cwd: path.resolve(__dirname, '../../..') });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`child failed (${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-infra-'));
  testbed = await startTestbed({ stateDir, docker: true });
  settings = testbed.settings;
  process.stderr.write(`test bed started in ${testbed.startupMs} ms${testbed.notes.length ? ` (${testbed.notes.join('; ')})` : ''}\n`);
}, 120000);

afterAll(async () => {
  await testbed?.stop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await control(settings, 'DELETE', '/faults');
  await control(settings, 'POST', '/reset-log');
});

describe('Entra ID', () => {
  it('gives ClientSecretCredential an ARM token with the ARM audience, tenant and object id', async () => {
    const token = await secretCredential().getToken(ARM_SCOPE);
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({ aud: 'https://management.azure.com/', tid: settings.tenantId, appid: settings.clientId, appidacr: '1' });
    expect(typeof claims.oid).toBe('string');
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
  });

  it('answers a wrong client secret with AADSTS7000215 in Entra\'s error shape', async () => {
    const credential = new ClientSecretCredential(settings.tenantId, settings.clientId, 'not-the-secret', {
      authorityHost: settings.authorityHost, disableInstanceDiscovery: true, httpClient: trustingHttpClient(settings.caFile),
    });
    await expect(credential.getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS7000215: Invalid client secret provided/);
  });

  it('gives ClientAssertionCredential a token for an assertion fetched from the OIDC issuer (in process)', async () => {
    const assertion = async () => {
      const response = await request(settings, 'GET', `${settings.githubOidcRequestUrl}&audience=api%3A%2F%2FAzureADTokenExchange`, undefined,
        { authorization: `Bearer ${settings.githubOidcRequestToken}` });
      return response.json().value as string;
    };
    const credential = new ClientAssertionCredential(settings.tenantId, settings.clientId, assertion, {
      authorityHost: settings.authorityHost, disableInstanceDiscovery: true, httpClient: trustingHttpClient(settings.caFile),
    });
    expect(decodeJwt((await credential.getToken(ARM_SCOPE)).token)).toMatchObject({ aud: 'https://management.azure.com/', appidacr: '2' });
  });

  it('gives ClientAssertionCredential a token for a GitHub OIDC assertion (child process, NODE_EXTRA_CA_CERTS)', async () => {
    const result = await oidcChild();
    expect(result.error).toBeUndefined();
    expect(decodeJwt(result.token ?? '')).toMatchObject({ aud: 'https://management.azure.com/', tid: settings.tenantId, appidacr: '2' });
  });

  it('issues OIDC tokens with GitHub\'s issuer, the configured subject and the requested audience', async () => {
    const response = await request(settings, 'GET', `${settings.githubOidcRequestUrl}&audience=api%3A%2F%2FAzureADTokenExchange`, undefined,
      { authorization: `Bearer ${settings.githubOidcRequestToken}` });
    expect(decodeJwt(response.json().value)).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com', sub: settings.federatedSubject, aud: 'api://AzureADTokenExchange',
    });
    const unauthorized = await request(settings, 'GET', settings.githubOidcRequestUrl, undefined, { authorization: 'Bearer wrong' });
    expect(unauthorized.status).toBe(401);
  });

  it('rejects an assertion with another subject with AADSTS70021 naming the claims', async () => {
    await control(settings, 'POST', '/entra/oidc-subject', { subject: 'repo:evil-org/detector-models:ref:refs/heads/main' });
    try {
      const result = await oidcChild();
      expect(result.error).toContain('AADSTS70021: No matching federated identity record found for presented assertion.');
      expect(result.error).toContain("Assertion Issuer: 'https://token.actions.githubusercontent.com'");
      expect(result.error).toContain("Assertion Subject: 'repo:evil-org/detector-models:ref:refs/heads/main'");
      expect(result.error).toContain("Assertion Audience: 'api://AzureADTokenExchange'");
    } finally {
      await control(settings, 'POST', '/entra/oidc-subject', { subject: settings.federatedSubject });
    }
  });

  it('rejects an expired assertion with AADSTS700024', async () => {
    await control(settings, 'POST', '/entra/token-lifetime', { oidcTokenSeconds: -60 });
    try {
      expect((await oidcChild()).error).toContain('AADSTS700024: Client assertion is not within its valid time range.');
    } finally {
      await control(settings, 'POST', '/entra/token-lifetime', { oidcTokenSeconds: 300 });
    }
  });
});

describe('ARM and the spec check', () => {
  it('serves the registry to the ACR management SDK with no spec violations', async () => {
    const registry = await registryClient().registries.get(settings.resourceGroup, settings.registryName);
    expect(registry.loginServer).toBe(settings.registryLoginServer);
    expect(registry.adminUserEnabled).toBe(false);
    expect((await control(settings, 'GET', '/violations')).json()).toEqual([]);
  });

  it('refuses ARM calls without a token or with an expired one', async () => {
    const url = `${settings.armEndpoint}${registryPath()}?api-version=2023-07-01`;
    const missing = await request(settings, 'GET', url);
    expect([missing.status, missing.json().error.code]).toEqual([401, 'AuthenticationFailed']);
    await control(settings, 'POST', '/entra/token-lifetime', { accessTokenSeconds: -60 });
    const expiredToken = await armToken();
    await control(settings, 'POST', '/entra/token-lifetime', { accessTokenSeconds: 3600 });
    const expired = await request(settings, 'GET', url, undefined, { authorization: `Bearer ${expiredToken}` });
    expect([expired.status, expired.json().error.code]).toEqual([401, 'ExpiredAuthenticationToken']);
  });

  it('reports a deployment PUT whose sku.capacity is a string and instanceType a number', async () => {
    const url = `${settings.armEndpoint}/subscriptions/${settings.subscriptionId}/resourceGroups/${settings.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${settings.workspace}/onlineEndpoints/ep1/deployments/blue?api-version=2022-10-01`;
    await request(settings, 'PUT', url, {
      location: settings.location, sku: { name: 'Default', capacity: 'one' },
      properties: { endpointComputeType: 'Managed', instanceType: 5 },
    }, { authorization: `Bearer ${await armToken()}` });
    const violations = (await control(settings, 'GET', '/violations')).json() as { direction: string; operation: string; errors: { code: string; path: string }[] }[];
    const requestErrors = violations.filter((v) => v.direction === 'request').flatMap((v) => v.errors);
    expect(violations.find((v) => v.direction === 'request')?.operation).toBe('OnlineDeployments_CreateOrUpdate');
    expect(requestErrors).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'INVALID_TYPE', path: '$.sku.capacity' }),
      expect.objectContaining({ code: 'INVALID_TYPE', path: '$.properties.instanceType' }),
    ]));
  });

  it('lets the SDK retry a scripted 429 after its Retry-After', async () => {
    await control(settings, 'POST', '/faults', { match: { method: 'GET', pathRegex: '/registries/[^/]+$' }, times: 1, response: { status: 429, retryAfter: 1 } });
    const registry = await registryClient().registries.get(settings.resourceGroup, settings.registryName);
    expect(registry.name).toBe(settings.registryName);
    const statuses = ((await control(settings, 'GET', '/requests')).json() as { url: string; status: number }[])
      .filter((r) => r.url.includes('/registries/')).map((r) => r.status);
    expect(statuses).toEqual([429, 200]);
  });

  it('drops a connection when scripted and records it', async () => {
    await control(settings, 'POST', '/faults', { match: { pathRegex: '/registries/' }, response: { drop: true } });
    await expect(registryClient({ maxRetries: 0 }).registries.get(settings.resourceGroup, settings.registryName)).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|socket hang up/),
    });
    const log = (await control(settings, 'GET', '/requests')).json() as { status: number; fault?: string; requestHeaders: Record<string, string> }[];
    expect(log.find((r) => r.fault === 'dropped connection')?.status).toBe(0);
    expect(JSON.stringify(log)).not.toContain(settings.clientSecret);
  });
});

describe('ACR login server and dockerd', () => {
  it('answers an unauthenticated /v2/ with 401 and ACR\'s Bearer challenge', async () => {
    const response = await request(settings, 'GET', `https://${settings.registryLoginServer}/v2/`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="https://${settings.registryLoginServer}/oauth2/token",service="${settings.registryLoginServer}"`);
  });

  it('builds, pushes and pulls an image through the front with a refresh token from /oauth2/exchange', async () => {
    expect(settings.dockerHost).toBeDefined();
    const work = fs.mkdtempSync(path.join(stateDir, 'docker-'));
    fs.writeFileSync(path.join(work, 'hello.txt'), 'hello from the test bed\n');
    fs.writeFileSync(path.join(work, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    const env = { ...process.env, DOCKER_HOST: settings.dockerHost, DOCKER_CONFIG: path.join(work, '.docker') };
    const image = `${settings.registryLoginServer}/testbed/tiny:1`;
    const docker = async (args: string[], input?: string) => {
      const result = await run('docker', args, { env, input });
      if (result.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    };

    await docker(['build', '-t', image, work]);
    const aad = (await secretCredential().getToken(ARM_SCOPE)).token;
    const exchange = await request(settings, 'POST', `https://${settings.registryLoginServer}/oauth2/exchange`,
      new URLSearchParams({ grant_type: 'access_token', service: settings.registryLoginServer, tenant: settings.tenantId, access_token: aad }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' });
    expect(exchange.status).toBe(200);
    await docker(['login', settings.registryLoginServer, '-u', '00000000-0000-0000-0000-000000000000', '--password-stdin'], exchange.json().refresh_token);
    await docker(['push', image]);
    await docker(['rmi', image]);
    await docker(['pull', image]);
    expect((await docker(['image', 'inspect', '--format', '{{.Size}}', image])).trim()).toBe(String('hello from the test bed\n'.length));
    // dockerd did the token dance with the front and the manifest went through it to docker-registry.
    const calls = ((await control(settings, 'GET', '/requests')).json() as { server: string; method: string; url: string; status: number }[])
      .filter((r) => r.server === 'registry');
    expect(calls).toEqual(expect.arrayContaining([
      expect.objectContaining({ method: 'GET', url: expect.stringMatching(/^\/oauth2\/token\?.*scope=repository%3Atestbed%2Ftiny%3Apush%2Cpull/), status: 200 }),
      expect.objectContaining({ method: 'PUT', url: '/v2/testbed/tiny/manifests/1', status: 201 }),
    ]));
  });
});

describe('Azurite', () => {
  it('stores and reads a blob over HTTPS in the workspace datastore container, through the storage front', async () => {
    const blob = testbed.context.blob;
    const front = settings.storageBlobEndpoint.replace('{account}', settings.storageAccount);
    expect(front).not.toBe(blob.url);
    const service = new BlobServiceClient(front, trustingStoragePipeline(settings.caFile, new StorageSharedKeyCredential(blob.accountName, blob.accountKey)));
    const container = service.getContainerClient(blob.container);
    expect(await container.exists()).toBe(true);
    await container.getBlockBlobClient('hello.txt').upload('hello', 5);
    expect((await container.getBlockBlobClient('hello.txt').downloadToBuffer()).toString()).toBe('hello');
  });

  it("answers a scripted fault at the storage front with Storage's error code", async () => {
    const blob = testbed.context.blob;
    const front = settings.storageBlobEndpoint.replace('{account}', settings.storageAccount);
    await control(settings, 'POST', '/faults', { match: { method: 'GET', pathRegex: '/faulty\\.txt$' }, times: 1, response: { status: 429, retryAfter: 3 } });
    const service = new BlobServiceClient(front, trustingStoragePipeline(settings.caFile, new StorageSharedKeyCredential(blob.accountName, blob.accountKey)));
    await expect(service.getContainerClient(blob.container).getBlockBlobClient('faulty.txt').download()).rejects.toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    const logged = ((await control(settings, 'GET', '/requests')).json() as { server: string; status: number; fault?: string }[]).filter((r) => r.server === 'storage');
    expect(logged).toEqual([expect.objectContaining({ status: 429, fault: 'status 429' })]);
  });
});
