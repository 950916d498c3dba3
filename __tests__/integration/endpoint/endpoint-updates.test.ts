/**
 * Issue 8, points 4, 5 and 7, end to end against the test bed: traffic updates that keep what the
 * endpoint has (a PUT replaces it), wait for another pipeline's operation and for lagging reads;
 * model versions numbered as azure-ai-ml numbers them; idle deployments retired per previous-deployments.
 * The tests build on each other, as successive pushes would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { request } from '../testbed-infra/testbed-clients';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const ENDPOINT = 'keeper';
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': repo,
  'model-name': 'keeper-model',
  'endpoint-name': ENDPOINT,
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
const deployments: string[] = [];

beforeAll(async () => {
  fx = await startFixture('endpoint-updates');
}, 180000);
afterAll(async () => fx?.stop());

let nextVersion = 2;
/** A retrained export: new content, same behaviour. */
const changeModelContent = () => {
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
};

async function arm(method: string, resource: string, body?: unknown) {
  const s = fx.testbed.settings;
  const token = await request(s, 'POST', `${s.authorityHost}/${s.tenantId}/oauth2/v2.0/token`,
    new URLSearchParams({ grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, scope: 'https://management.azure.com/.default' }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' });
  const url = `${s.armEndpoint}/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${s.workspace}/${resource}?api-version=2022-10-01`;
  const res = await request(s, method, url, body, { authorization: `Bearer ${token.json().access_token}` });
  if (res.status >= 400) throw new Error(`${method} ${resource} -> ${res.status}: ${res.text}`);
  return res.text ? res.json() : undefined;
}

const endpointState = async () => (await fx.state()).endpoints.find((e) => e.name === ENDPOINT)!;
const succeeded = (run: { exitCode: number }) => run.exitCode === 0;
type Logged = { method: string; url: string; requestBody?: { properties?: { traffic?: Record<string, number> } } };
const requests = () => control<Logged[]>(fx.testbed.settings, 'GET', '/requests');
/** The traffic maps the endpoint PUTs sent, from the `from`-th logged request on (reset-log would clear the violations too). */
const trafficPuts = async (from: number) =>
  (await requests())
    .slice(from)
    .filter((r) => r.method === 'PUT' && new RegExp(`/onlineEndpoints/${ENDPOINT}\\?`).test(r.url))
    .map((r) => r.requestBody?.properties?.traffic);

const UAI = () => `/subscriptions/${fx.testbed.settings.subscriptionId}/resourceGroups/${fx.testbed.settings.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/scoring-uai`;

it("deploys into an endpoint the user made, and the traffic update keeps all of the endpoint's settings", async () => {
  await arm('PUT', `onlineEndpoints/${ENDPOINT}`, {
    location: fx.testbed.settings.location,
    kind: 'Managed',
    tags: { team: 'vision' },
    identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [UAI()]: {} } },
    properties: { authMode: 'Key', description: 'made by the platform team', properties: { owner: 'ml-platform' }, publicNetworkAccess: 'Disabled' },
  });
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
  deployments.push(run.outputs['deployment-name']);
  const ep = await arm('GET', `onlineEndpoints/${ENDPOINT}`);
  expect(ep.tags).toEqual({ team: 'vision' });
  expect(Object.keys(ep.identity.userAssignedIdentities ?? {})).toEqual([UAI()]);
  expect(ep.identity.type).toBe('SystemAssigned,UserAssigned');
  expect(ep.properties).toMatchObject({ description: 'made by the platform team', properties: { owner: 'ml-platform' }, publicNetworkAccess: 'Disabled', traffic: { [deployments[0]]: 100 } });
});

it('waits while another pipeline updates the endpoint, then moves traffic', async () => {
  changeModelContent();
  await control(fx.testbed.settings, 'POST', `/ml/endpoints/${ENDPOINT}/busy`, { ms: 8000 });
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
  deployments.push(run.outputs['deployment-name']);
  expect(run.log).toMatch(new RegExp(`Endpoint ${ENDPOINT} is Updating \\(another operation on it, e\\.g\\. another pipeline\\); waiting`));
  expect((await endpointState()).traffic).toEqual({ [deployments[1]]: 100 });
  // keep-last: the deployment that served before this run stays for a quick rollback.
  expect((await endpointState()).deployments.map((d) => d.name).sort()).toEqual([...deployments].sort());
});

it('reads until the new traffic shows, sends no 0% entries, keeps the one that served before and deletes older idle ones', async () => {
  changeModelContent();
  await control(fx.testbed.settings, 'POST', '/ml/endpoint-read-lag', { reads: 3 });
  const from = (await requests()).length;
  try {
    const run = await fx.run({ ...inputs, 'traffic-steps': '50,100' });
    expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
    deployments.push(run.outputs['deployment-name']);
    const [first, second, third] = deployments;
    expect(run.log).toMatch(/still reads the old traffic/);
    expect(await trafficPuts(from)).toEqual([{ [second]: 50, [third]: 50 }, { [third]: 100 }]);
    const ep = await endpointState();
    expect(ep.deployments.map((d) => d.name).sort()).toEqual([second, third].sort());
    expect(run.log).toContain(`Deleting ${first} (Standard_NC4as_T4_v3 x1): idle (0%) and older than the last serving deployment`);
    // The summary shows what keeps running, with the traffic as it is after the last step.
    expect(run.summary).toContain('Deployments left running');
    expect(run.summary).toContain(`<td>${second}</td><td>0%</td><td>Standard_NC4as_T4_v3 x1</td>`);
    expect(run.summary).toContain(`<td>${third}</td><td>100%</td><td>Standard_NC4as_T4_v3 x1</td>`);
  } finally {
    await control(fx.testbed.settings, 'POST', '/ml/endpoint-read-lag', { reads: 0 });
  }
});

it("with previous-deployments: delete, deletes its own idle deployments and leaves someone else's alone, saying so", async () => {
  const [, second, third] = deployments;
  // The platform team adopts `second`: its tags no longer say this action created it.
  await arm('PATCH', `onlineEndpoints/${ENDPOINT}/deployments/${second}`, { tags: { team: 'vision' } });
  for (let i = 0; i < 50 && (await endpointState()).deployments.find((d) => d.name === second)!.provisioningState !== 'Succeeded'; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  changeModelContent();
  const run = await fx.run({ ...inputs, 'previous-deployments': 'delete', 'instance-count': '2' });
  expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
  const fourth = run.outputs['deployment-name'];
  const ep = await endpointState();
  expect(ep.deployments.map((d) => d.name).sort()).toEqual([second, fourth].sort());
  expect(run.summary).toMatch(new RegExp(`${second} \\(Standard_NC4as_T4_v3 x1\\): idle \\(0%\\), left alone: not created by aml-triton-deploy`));
  expect(run.summary).toContain(`<td>${fourth}</td><td>100%</td><td>Standard_NC4as_T4_v3 x2</td>`);
  expect(run.log).toContain(`Deleting ${third} (Standard_NC4as_T4_v3 x1): idle (0%), deleted (previous-deployments: delete)`);
});

describe('model versions', () => {
  const modelVersions = async () => (await fx.state()).models.find((m) => m.name === 'keeper-model')!.versions.map((v) => Number(v.version)).sort((a, b) => a - b);

  it('counts archived versions: the next version comes after an archived one', async () => {
    const highest = Math.max(...(await modelVersions()));
    const v = await arm('GET', `models/keeper-model/versions/${highest}`);
    await arm('PUT', `models/keeper-model/versions/${highest}`, { properties: { ...v.properties, isArchived: true } });
    changeModelContent();
    const run = await fx.run(inputs);
    expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
    expect(run.outputs['model-version']).toBe(String(highest + 1));
  });

  it('takes the next number when another pipeline registered the one it tried (409)', async () => {
    const highest = Math.max(...(await modelVersions()));
    await control(fx.testbed.settings, 'POST', '/faults', {
      match: { method: 'PUT', pathRegex: '/models/keeper-model/versions/' },
      times: 1,
      response: { status: 409, body: { error: { code: 'UserError', message: `Model keeper-model with version ${highest + 1} is already registered and cannot be changed.` } } },
    });
    changeModelContent();
    const run = await fx.run(inputs);
    expect({ code: run.exitCode, log: succeeded(run) ? '' : tail(run) }).toEqual({ code: 0, log: '' });
    expect(run.outputs['model-version']).toBe(String(highest + 2));
  });

  it('reuses the version that carries the content hash on a re-run with the same content', async () => {
    const before = await modelVersions();
    const run = await fx.run(inputs);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['model-version']).toBe(String(Math.max(...before)));
    expect(await modelVersions()).toEqual(before);
  });
});

it('kept to the specs throughout', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
