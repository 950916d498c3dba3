/**
 * run() (src/main.ts) in this process against the test bed, through the typed @actions/core fixture:
 * one log group per phase, outputs set as soon as they are known (so a failed smoke test still
 * reports the endpoint and the model), and an Azure error turned into a failure that names the
 * operation, Azure's code and a hint.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RUNNER_GITHUB, testbedInputs } from '../../../testbed/action-runner';
import { trustCaInThisProcess } from '../../../testbed/tls/ca-trust';
import { actionsCore, type CoreEvent } from '../../unit/main/actions-core-fixture';
import { control, specViolations, startFixture, type Fixture } from '../testbed-fixture';

jest.mock('@actions/core', () => jest.requireActual('../../unit/main/actions-core-fixture').coreModule);

import { run } from '../../../src/main';

let fx: Fixture;
let untrust: () => void;
let runs = 0;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  'model-type': 'triton_model',
};

beforeAll(async () => {
  fx = await startFixture('run-in-process', { docker: false });
  untrust = trustCaInThisProcess(fx.testbed.settings.caFile);
}, 180000);
afterAll(async () => {
  untrust?.();
  await fx?.stop();
});
afterEach(() => actionsCore.end());

async function runInProcess(over: Record<string, string>): Promise<void> {
  const s = fx.testbed.settings;
  const runnerTemp = path.join(fx.workspace, '..', `in-process-${++runs}`);
  fs.mkdirSync(runnerTemp, { recursive: true });
  actionsCore.begin({
    inputs: {
      ...testbedInputs(s),
      ...inputs,
      ...over,
    },
    env: {
      GITHUB_WORKSPACE: fx.workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_REPOSITORY: RUNNER_GITHUB.repository,
      GITHUB_SERVER_URL: RUNNER_GITHUB.serverUrl,
      GITHUB_RUN_ID: RUNNER_GITHUB.runId,
      GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
      ACTIONS_ID_TOKEN_REQUEST_URL: s.githubOidcRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: s.githubOidcRequestToken,
      ACTIONS_RUNTIME_TOKEN: undefined,
      ACTIONS_RESULTS_URL: undefined,
    },
  });
  await run();
}

const at = (events: CoreEvent[], match: (e: CoreEvent) => boolean): number => events.findIndex(match);

it('deploys with one log group per phase and sets every output', async () => {
  await runInProcess({ 'endpoint-name': 'in-process' });
  expect({ failures: actionsCore.failures, log: actionsCore.failures.length ? actionsCore.log.slice(-3000) : '' }).toEqual({ failures: [], log: '' });
  expect(actionsCore.groups).toEqual(['Model source', 'Plan (read-only)', 'Upload and endpoint', 'Deployment', 'Smoke test', 'Traffic', 'Report']);
  expect(actionsCore.outputs).toMatchObject({
    'endpoint-name': 'in-process',
    'deployment-name': expect.any(String),
    'model-id': expect.stringMatching(/\/models\/.+\/versions\/\d+$/),
    'model-version': expect.stringMatching(/^\d+$/),
    detections: expect.stringMatching(/^[1-9]\d*$/),
    plan: expect.stringMatching(/plan\.json$/),
  });
  expect(actionsCore.summary).toContain('✅ Triton deploy:');
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});

it('sets endpoint-name, model-id and model-version before it reports a failed smoke test', async () => {
  await runInProcess({ 'endpoint-name': 'in-process-fails', 'min-detections': '500' });
  const events = actionsCore.events;
  const failed = at(events, (e) => e.kind === 'failed');
  expect(actionsCore.failures).toEqual([expect.stringMatching(/smoke test|detection/i)]);
  for (const name of ['endpoint-name', 'model-id', 'model-version', 'deployment-name', 'detections'] as const) {
    const set = at(events, (e) => e.kind === 'output' && e.name === name);
    expect({ name, set: set >= 0 && set < failed }).toEqual({ name, set: true });
  }
  expect(actionsCore.outputs['endpoint-name']).toBe('in-process-fails');
  expect(actionsCore.outputs['model-id']).toMatch(/\/versions\/\d+$/);
  expect(actionsCore.summary).toContain('❌ Triton deploy:');
  // No traffic phase: the smoke test stopped the run.
  expect(actionsCore.groups).toEqual(['Model source', 'Plan (read-only)', 'Upload and endpoint', 'Deployment', 'Smoke test', 'Report']);
});

it('turns an Azure error into a failure naming the operation, the code and a hint', async () => {
  await control(fx.testbed.settings, 'POST', '/faults', {
    match: { method: 'PUT', pathRegex: '/onlineEndpoints/in-process-denied$' },
    response: { status: 403, body: { error: { code: 'AuthorizationFailed', message: "The client does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write'." } } },
  });
  await runInProcess({ 'endpoint-name': 'in-process-denied' });
  expect(actionsCore.failures).toEqual([
    expect.stringMatching(/^Creating endpoint 'in-process-denied' failed \(AuthorizationFailed\): HTTP 403: The client does not have authorization[\s\S]*\nHint: give the identity a role on the workspace/),
  ]);
  expect(actionsCore.outputs['endpoint-name']).toBeUndefined();
  // The upload and model registration beside the endpoint finished before run() returned: nothing runs on unseen.
  const azureRequests = async () => (await control<{ url: string }[]>(fx.testbed.settings, 'GET', '/requests')).filter((r) => !r.url.includes('/_testbed')).map((r) => r.url);
  const atReturn = await azureRequests();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await azureRequests()).toEqual(atReturn);
});
