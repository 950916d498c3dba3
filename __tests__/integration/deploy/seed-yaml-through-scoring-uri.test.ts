/**
 * The seed's deployment_aml.yml, with egress_public_network_access: disabled added, deploys as Azure
 * routes a custom container: the environment carries the routes verbatim (scoring route '/'), the
 * smoke test reaches Triton through the scoring URI (<scoring_uri>/v2/...), and the deployment
 * stores and returns the egress setting.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

interface Exchange {
  method: string;
  url: string;
  status: number;
  requestBody?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  responseBody?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const SEED = path.resolve(__dirname, '../../../../shared/reference/fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/deployment_aml.yml');
const ENDPOINT = 'triton-tao-endpoint-aml-1';
const DEPLOYMENT = 'triton-tao-deployment-aml-1';

const seedInputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  'endpoint-file': 'deploy/endpoint_aml.yml',
  'deployment-file': 'deploy/deployment_aml.yml',
  // Standard_NC6s_v3 (the seed's) is retired; an input wins over the file.
  'instance-type': 'Standard_NC8as_T4_v3',
  'timeout-minutes': '3',
};

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture('seed-yaml');
  const deploy = path.join(fx.workspace, 'deploy');
  fs.mkdirSync(deploy, { recursive: true });
  fs.writeFileSync(path.join(deploy, 'endpoint_aml.yml'), `name: ${ENDPOINT}\nauth_mode: key\n`);
  fs.writeFileSync(path.join(deploy, 'deployment_aml.yml'), `${fs.readFileSync(SEED, 'utf8').trimEnd()}\negress_public_network_access: disabled\n`);
}, 180000);
afterAll(async () => fx?.stop());

it('deploys through the scoring URI with the routes as given, and the deployment carries egress Disabled', async () => {
  expect(fx.baseImage).toBeDefined(); // a custom container needs dockerd
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run(seedInputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.outputs['scoring-uri']).toMatch(new RegExp(`/inference/${ENDPOINT}/score$`));
  const requests = await control<Exchange[]>(fx.testbed.settings, 'GET', '/requests');

  const envPut = requests.find((r) => r.method === 'PUT' && /\/environments\/triton-tao-env\/versions\//.test(r.url));
  expect(envPut?.requestBody?.properties.inferenceConfig).toEqual({
    livenessRoute: { path: '/v2/health/live', port: 8000 },
    readinessRoute: { path: '/v2/health/ready', port: 8000 },
    scoringRoute: { path: '/', port: 8000 },
  });

  const scoring = requests.filter((r) => r.url.includes(`/inference/${ENDPOINT}/`)).map((r) => `${r.method} ${r.url.split('?')[0]} ${r.status}`);
  expect(scoring).toContain(`GET /inference/${ENDPOINT}/score/v2/health/ready 200`);
  expect(scoring).toContain(`POST /inference/${ENDPOINT}/score/v2/models/detectnet_tao/infer 200`);
  expect(scoring.filter((s) => s.includes(`/inference/${ENDPOINT}/v2/`))).toEqual([]);

  const deploymentUrl = new RegExp(`/onlineEndpoints/${ENDPOINT}/deployments/${DEPLOYMENT}\\?`);
  const put = requests.find((r) => r.method === 'PUT' && deploymentUrl.test(r.url));
  expect(put?.requestBody?.properties.egressPublicNetworkAccess).toBe('Disabled');
  expect(put?.responseBody?.properties.egressPublicNetworkAccess).toBe('Disabled');
  const stored = (await fx.state()).endpoints.find((e) => e.name === ENDPOINT)?.deployments.find((d) => d.name === DEPLOYMENT);
  expect(stored).toMatchObject({ provisioningState: 'Succeeded', egressPublicNetworkAccess: 'Disabled' });
  expect((await fx.state()).endpoints.find((e) => e.name === ENDPOINT)?.traffic).toEqual({ [DEPLOYMENT]: 100 });
});

it('leaves the named deployment alone on a re-run, and updates it when a setting in the file changes', async () => {
  const file = path.join(fx.workspace, 'deploy/deployment_aml.yml');
  const original = fs.readFileSync(file, 'utf8');
  const deploymentPuts = async () =>
    (await control<Exchange[]>(fx.testbed.settings, 'GET', '/requests')).filter((r) => r.method === 'PUT' && r.url.includes(`/deployments/${DEPLOYMENT}?`));
  try {
    await control(fx.testbed.settings, 'POST', '/reset-log');
    const again = await fx.run(seedInputs);
    expect({ code: again.exitCode, log: again.exitCode ? tail(again) : '' }).toEqual({ code: 0, log: '' });
    expect(await deploymentPuts()).toEqual([]);

    fs.writeFileSync(file, original.replace('egress_public_network_access: disabled', 'egress_public_network_access: enabled'));
    await control(fx.testbed.settings, 'POST', '/reset-log');
    const changed = await fx.run(seedInputs);
    expect({ code: changed.exitCode, log: changed.exitCode ? tail(changed) : '' }).toEqual({ code: 0, log: '' });
    expect((await deploymentPuts()).map((r) => r.requestBody?.properties.egressPublicNetworkAccess)).toEqual(['Enabled']);
    const stored = (await fx.state()).endpoints.find((e) => e.name === ENDPOINT)?.deployments.find((d) => d.name === DEPLOYMENT);
    expect(stored).toMatchObject({ provisioningState: 'Succeeded', egressPublicNetworkAccess: 'Enabled' });
  } finally {
    fs.writeFileSync(file, original);
  }
});

it("fails the deployment when Triton does not answer the file's readiness route, and traffic stays", async () => {
  const file = path.join(fx.workspace, 'deploy/deployment_aml.yml');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, original.replace('path: /v2/health/ready', 'path: /v2/health/readiness').replace(`name: ${DEPLOYMENT}`, 'name: probe-check'));
  try {
    const run = await fx.run(seedInputs);
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/ResourceNotReady[\s\S]*readiness probe GET \/v2\/health\/readiness on port 8000 failed with HTTP 404/);
    expect((await fx.state()).endpoints.find((e) => e.name === ENDPOINT)?.traffic).toEqual({ [DEPLOYMENT]: 100 });
  } finally {
    fs.writeFileSync(file, original);
  }
});

it('refuses a request timeout in words before any Azure call, naming the file, key and line', async () => {
  const file = path.join(fx.workspace, 'deploy/deployment_aml.yml');
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, original.replace('request_timeout_ms: 10000', 'request_timeout_ms: ten-seconds'));
  try {
    await control(fx.testbed.settings, 'POST', '/reset-log');
    const run = await fx.run({ 'deployment-file': 'deploy/deployment_aml.yml', 'endpoint-file': 'deploy/endpoint_aml.yml', 'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png' });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/::error .*file=deploy\/deployment_aml\.yml,line=21.*request_settings\.request_timeout_ms' must be a whole number of milliseconds/);
    expect(await control<unknown[]>(fx.testbed.settings, 'GET', '/requests')).toEqual([]);
  } finally {
    fs.writeFileSync(file, original);
  }
});

it('sent only requests, and got only responses, that the specs accept (with their sourced exceptions)', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
