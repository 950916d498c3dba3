/**
 * Issue 9 (points 1-3), end to end against the test bed set up as a security-minded tenant runs
 * Azure: the workspace's registry lives in another resource group and subscription, the registry
 * refuses ARM-audience tokens (azureADAuthenticationAsArmPolicy disabled), and the job runs with
 * `environment:` so its OIDC subject is the environment form. The tests run in order.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const registryGroup = 'rg-shared-registries';
const registrySubscription = crypto.randomUUID();
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
type Logged = { method: string; url: string; status: number };
const requests = () => control<Logged[]>(fx.testbed.settings, 'GET', '/requests');
/** The requests a run made (the log is not reset: that would also clear the spec check's findings). */
async function requestsOf<T>(run: () => Promise<T>): Promise<{ result: T; made: Logged[] }> {
  const before = (await requests()).length;
  const result = await run();
  return { result, made: (await requests()).slice(before) };
}
const registryId = () => {
  const s = fx.testbed.settings;
  return `/subscriptions/${s.registrySubscriptionId}/resourceGroups/${s.registryResourceGroup}/providers/Microsoft.ContainerRegistry/registries/${s.registryName}`;
};

beforeAll(async () => {
  fx = await startFixture('registry', { registry: { resourceGroup: registryGroup, subscriptionId: registrySubscription } });
}, 180000);
afterAll(async () => fx?.stop());

it("finds the workspace's registry in another resource group and subscription through its ARM id", async () => {
  expect(fx.baseImage).toBeDefined(); // the image path (custom_model) needs dockerd
  const { result: run, made } = await requestsOf(() => fx.run(inputs));
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.outputs.image).toMatch(new RegExp(`^${fx.testbed.settings.registryLoginServer}/triton-detectnet@sha256:`));
  const lookups = made.filter((r) => /Microsoft\.ContainerRegistry\/registries\//.test(r.url));
  expect(lookups.map((r) => `${r.status} ${r.url.split('?')[0]}`)).toEqual([`200 ${registryId()}`]);
  expect(run.log).not.toMatch(/is not the workspace's registry/);
});

it('signs in to a registry that refuses ARM-audience tokens with an ACR-audience token', async () => {
  await control(fx.testbed.settings, 'POST', '/registry/authentication-as-arm', { status: 'disabled' });
  try {
    const { result: run, made } = await requestsOf(() => fx.run(inputs));
    expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
    const exchanges = made.filter((r) => r.url === '/oauth2/exchange');
    expect(exchanges.map((r) => r.status)).toEqual([200]);
  } finally {
    await control(fx.testbed.settings, 'POST', '/registry/authentication-as-arm', { status: 'enabled' });
  }
});

// The warning for another registry is unit-tested (__tests__/unit/azure/registry-location.test.ts): the
// test bed has one registry, and ARM's 404 for a missing one is not in the 2023-07-01 spec (200 only).
it("takes 'container-registry' as a full ARM id, and says nothing when it is the workspace's registry", async () => {
  const run = await fx.run({ ...inputs, 'container-registry': registryId() });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log).not.toMatch(/::warning::.*container-registry/);
});

it('signs in with the environment-form subject a job with `environment:` presents', async () => {
  expect(fx.testbed.settings.federatedSubject).toBe('repo:octo-org/detector-models:environment:production');
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
});

it('prints the federated credential to register when a job without `environment:` is refused (AADSTS70021)', async () => {
  const branchSubject = 'repo:octo-org/detector-models:ref:refs/heads/main';
  await control(fx.testbed.settings, 'POST', '/entra/oidc-subject', { subject: branchSubject });
  try {
    const run = await fx.run(inputs);
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/AADSTS70021/);
    expect(run.log).toContain(`az ad app federated-credential create --id ${fx.testbed.settings.clientId} --parameters credential.json`);
    expect(run.log).toContain(`subject:  ${branchSubject}`);
    expect(run.log).toContain('issuer:   https://token.actions.githubusercontent.com');
    expect(run.log).toContain('audience: api://AzureADTokenExchange');
    expect(run.log).toContain(`"subject": "${branchSubject}"`);
  } finally {
    await control(fx.testbed.settings, 'POST', '/entra/oidc-subject', { subject: fx.testbed.settings.federatedSubject });
  }
});

it('left no spec violations', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});

it('keeps the example federated credential in step with the subject the test bed expects', () => {
  const example = JSON.parse(fs.readFileSync(`${__dirname}/../../../examples/federated-credential.json`, 'utf8')) as Record<string, unknown>;
  expect(example).toMatchObject({ issuer: 'https://token.actions.githubusercontent.com', audiences: ['api://AzureADTokenExchange'] });
  expect(String(example.subject)).toMatch(/^repo:[^/]+\/[^:]+:environment:[^:]+$/);
});
