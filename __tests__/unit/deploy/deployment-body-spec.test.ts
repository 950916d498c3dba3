/** The deployment and endpoint bodies the action sends, checked against the official 2022-10-01 spec. */
import * as path from 'path';
import { deploymentBody } from '../../../src/deploy/deployment-body';
import { buildConfig } from '../../../src/config/build-config';
import { INPUT_DEFAULTS } from '../../../src/config/input-defaults';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LiveValidator } = require('oav');

const REFERENCE = path.resolve(__dirname, '../../../../shared/reference');
const WS = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws';
const SEED = path.join(REFERENCE, 'fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/deployment_aml.yml');

let validator: { validateLiveRequest(r: unknown): Promise<{ errors: { code: string; message: string }[] }> };
beforeAll(async () => {
  validator = new LiveValidator({
    directory: REFERENCE,
    swaggerPathsPattern: ['specification/machinelearningservices/**/2022-10-01/*.json'],
    excludedSwaggerPathsPattern: ['**/examples/**'],
    git: { shouldClone: false },
  });
  await (validator as unknown as { initialize(): Promise<void> }).initialize();
}, 120000);

function seedConfig(modelType: string) {
  return buildConfig(
    { ...INPUT_DEFAULTS, 'subscription-id': 's', 'resource-group': 'rg', workspace: 'ws', 'endpoint-name': 'triton-tao', 'deployment-file': SEED, 'model-type': modelType, 'smoke-test-images': path.resolve(__dirname, '../../../samples/tao-detectnet-v2/images/street.png'), 'auth-type': 'azure-cli' } as never,
    { workspaceDir: __dirname, tempDir: '/tmp', oidcAvailable: false },
  );
}

async function errorsFor(body: unknown): Promise<string[]> {
  const r = await validator.validateLiveRequest({
    url: `https://management.azure.com${WS}/onlineEndpoints/ep/deployments/d1?api-version=2022-10-01`,
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return r.errors.map((e) => `${e.code}: ${e.message}`);
}

describe('deployment body', () => {
  const config = seedConfig('custom_model');

  it.each(['custom_model', 'triton_model'] as const)('for a %s from the seed YAML passes the spec', async (modelType) => {
    const settings = config.deployment;
    const body = deploymentBody({ settings, location: 'westeurope', modelId: `${WS}/models/DetectNet/versions/1`, modelType, environmentId: `${WS}/environments/triton-tao-env/versions/abc`, tags: { 'created-by': 'test' } });
    expect(await errorsFor(body)).toEqual([]);
    expect(body.properties.requestSettings?.requestTimeout).toBe('PT10S');
    expect(body.properties.livenessProbe?.initialDelay).toBe('PT300S');
  });

  it('a body with a wrong property type is caught by the spec check', async () => {
    const settings = config.deployment;
    const body = deploymentBody({ settings, location: 'westeurope', modelId: 'm', modelType: 'custom_model', environmentId: 'e', tags: {} });
    const broken = { ...body, sku: { ...body.sku, capacity: 'one' } };
    expect((await errorsFor(broken)).join('\n')).toMatch(/INVALID_TYPE/);
  });
});
