/**
 * The spec check's sourced exceptions, against oav and the vendored 2022-10-01 spec: the scoring
 * route '/' (which the service accepts) passes; the same value elsewhere is still a violation.
 */
import * as path from 'path';
import { SpecCheck, defaultReferenceDir } from '../../../testbed/spec-check/spec-check';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const ENV_URL = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/environments/triton-env/versions/1?api-version=2022-10-01';

function environmentPut(routes: Record<string, string>) {
  const properties = {
    image: 'registry.azurecr.io/triton@sha256:' + 'a'.repeat(64),
    osType: 'Linux',
    inferenceConfig: Object.fromEntries(Object.entries(routes).map(([k, p]) => [k, { path: p, port: 8000 }])),
  };
  const response = { id: ENV_URL.split('?')[0], name: '1', type: 'Microsoft.MachineLearningServices/workspaces/environments/versions', properties };
  return {
    method: 'PUT',
    url: ENV_URL,
    requestHeaders: { 'content-type': 'application/json' },
    requestBody: Buffer.from(JSON.stringify({ properties })),
    status: 201,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: Buffer.from(JSON.stringify(response)),
  };
}

let check: SpecCheck;
beforeAll(async () => {
  check = new SpecCheck(defaultReferenceDir(REPO_ROOT), () => {});
  await check.whenReady();
}, 120000);
afterAll(async () => check?.stop());
beforeEach(async () => check.clear());

it("accepts the scoring route '/' that the service accepts (azureml-examples' Triton custom-container sample)", async () => {
  check.enqueue(environmentPut({ scoringRoute: '/', livenessRoute: '/v2/health/live', readinessRoute: '/v2/health/ready' }));
  expect(await check.violations()).toEqual([]);
});

it("still reports '/' on the readiness route, and only that path, when the scoring route is '/' too", async () => {
  check.enqueue(environmentPut({ scoringRoute: '/', livenessRoute: '/v2/health/live', readinessRoute: '/' }));
  const violations = await check.violations();
  expect(violations.map((v) => [v.direction, v.errors.map((e) => `${e.code} ${e.path}`)])).toEqual([
    ['request', ['PATTERN $.properties.inferenceConfig.readinessRoute.path']],
    ['response', ['PATTERN $.properties.inferenceConfig.readinessRoute.path']],
  ]);
});

it('still reports other errors on the scoring route', async () => {
  const put = environmentPut({ scoringRoute: '/', livenessRoute: '/v2/health/live', readinessRoute: '/v2/health/ready' });
  const body = JSON.parse(put.requestBody.toString());
  body.properties.inferenceConfig.scoringRoute.port = 'eight thousand';
  check.enqueue({ ...put, requestBody: Buffer.from(JSON.stringify(body)) });
  const violations = await check.violations();
  expect(violations.flatMap((v) => v.errors.map((e) => `${v.direction} ${e.code} ${e.path}`))).toEqual(['request INVALID_TYPE $.properties.inferenceConfig.scoringRoute.port']);
});
