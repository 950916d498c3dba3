import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildConfig, type RunEnvironment } from '../../../src/config/build-config';
import { INPUT_DEFAULTS, type RawInputs } from '../../../src/config/input-defaults';
import { UserInputErrors } from '../../../src/errors';

const SHARED = path.resolve(__dirname, '../../../../shared/reference/fixtures');
const SAMPLE_IMAGES = path.resolve(__dirname, '../../../samples/tao-detectnet-v2/images');
const SEED_DEPLOYMENT = path.join(SHARED, 'nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/deployment_aml.yml');

let dir: string;
let env: RunEnvironment;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  fs.mkdirSync(path.join(dir, 'images'));
  fs.copyFileSync(path.join(SAMPLE_IMAGES, 'street.png'), path.join(dir, 'images/a.png'));
  fs.copyFileSync(path.join(SAMPLE_IMAGES, 'street.jpg'), path.join(dir, 'images/b.jpg'));
  fs.mkdirSync(path.join(dir, 'bad'));
  fs.writeFileSync(path.join(dir, 'bad/notes.png'), 'these are my notes, not a picture\n');
  const jpg = fs.readFileSync(path.join(SAMPLE_IMAGES, 'street.jpg'));
  fs.writeFileSync(path.join(dir, 'bad/cut.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
  fs.writeFileSync(path.join(dir, 'endpoint_aml.yml'), '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: triton-tao-endpoint-aml-1\nauth_mode: key\n');
  env = { workspaceDir: dir, tempDir: dir, oidcAvailable: true, repository: 'octo/models', sha: 'abc', serverUrl: 'https://github.com', runId: '7' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function inputs(over: Partial<RawInputs>): RawInputs {
  return {
    ...INPUT_DEFAULTS,
    'subscription-id': '00000000-0000-0000-0000-000000000001',
    'resource-group': 'rg',
    workspace: 'ws',
    'client-id': 'c',
    'tenant-id': 't',
    'endpoint-name': 'detector',
    'smoke-test-images': 'images/*',
    ...over,
  };
}

function problems(over: Partial<RawInputs>): string[] {
  try {
    buildConfig(inputs(over), env);
  } catch (e) {
    if (e instanceof UserInputErrors) return e.problems.map((p) => `${p.where.input ?? p.where.file}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('buildConfig', () => {
  it('builds a config with the seed-derived defaults and OIDC when the runner offers a token', () => {
    const c = buildConfig(inputs({}), env);
    expect(c.auth.type).toBe('oidc');
    expect(c.deployment.instanceType).toBe('Standard_NC4as_T4_v3');
    expect(c.deployment.livenessProbe).toEqual({ initialDelay: 300, timeout: 1, period: 5, successThreshold: 1, failureThreshold: 20 });
    expect(c.smokeTest.images.map((f) => path.basename(f))).toEqual(['a.png', 'b.jpg']);
    expect(c.rollout.trafficSteps).toEqual([100]);
    expect(c.run.runUrl).toBe('https://github.com/octo/models/actions/runs/7');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each<[string, Partial<RawInputs>, RegExp]>([
    ['an unknown model source', { 'model-source': 'huggingface' }, /model-source: .*'huggingface'.*'triton-repository', 'custom-vision'/],
    ['a bad traffic step list', { 'traffic-steps': '50,10' }, /traffic-steps: .*increasing percentages ending at 100/],
    ['a fractional instance count', { 'instance-count': '1.5' }, /instance-count: .*an integer from 1 to 100/],
    ['an endpoint name Azure refuses', { 'endpoint-name': '1-bad_name' }, /endpoint-name: .*3-32 letters, digits and hyphens/],
    ['a missing image', { 'smoke-test-images': 'images/nope.png' }, /smoke-test-images: .*matches no file/],
    ['a non-image smoke file', { 'smoke-test-images': 'endpoint_aml.yml' }, /not a .png, .jpg or .jpeg/],
    ['a text file named .png', { 'smoke-test-images': 'bad/notes.png' }, /^smoke-test-images: Input 'smoke-test-images': bad\/notes\.png: not a JPEG or PNG image/],
    ['a truncated JPEG', { 'smoke-test-images': 'bad/cut.jpg' }, /^smoke-test-images: Input 'smoke-test-images': bad\/cut\.jpg: the JPEG file is truncated/],
    ['client-secret without a secret', { 'auth-type': 'client-secret' }, /client-secret: .*needs input 'client-secret'/],
    ['a score threshold above 1', { 'score-threshold': '2' }, /score-threshold: .*from 0 to 1/],
    ['generic family without tensor names', { 'model-family': 'generic' }, /generic-tensors: .*required/],
  ])('names the input for %s', (_name, over, expected) => {
    const found = problems(over);
    expect(found.some((p) => expected.test(p))).toBe(true);
  });

  it('refuses OIDC when the runner offers no token, with the permissions hint', () => {
    expect(() => buildConfig(inputs({ 'auth-type': 'oidc' }), { ...env, oidcAvailable: false })).toThrow(/permissions: id-token: write/);
  });

  it('reports every problem of one run together', () => {
    const found = problems({ 'traffic-steps': 'x', 'instance-count': '0', 'on-failure': 'explode' });
    expect(found.length).toBeGreaterThanOrEqual(3);
  });

  it("takes the seed's deployment_aml.yml field by field, with a warning for the retired instance type", () => {
    const c = buildConfig(inputs({ 'deployment-file': SEED_DEPLOYMENT, 'endpoint-name': '', 'endpoint-file': 'endpoint_aml.yml' }), env);
    expect(c.endpoint.name).toBe('triton-tao-endpoint-aml-1');
    expect(c.deployment.name).toBe('triton-tao-deployment-aml-1');
    expect(c.modelName).toBe('DetectNet');
    expect(c.deployment.instanceType).toBe('Standard_NC6s_v3');
    expect(c.deployment.requestSettings).toEqual({ requestTimeoutMs: 10000, maxConcurrentRequestsPerInstance: 512, maxQueueWaitMs: 3000 });
    expect(c.deployment.routes.scoring).toEqual({ path: '/', port: 8000 });
    expect(c.deployment.environmentName).toBe('triton-tao-env');
    expect(c.image.repository).toBe('tao');
    expect(c.warnings.join('\n')).toMatch(/Standard_NC6s_v3 was retired by Azure on 2025-09-30/);
  });

  it('lets an explicit input win over the deployment file', () => {
    const c = buildConfig(inputs({ 'deployment-file': SEED_DEPLOYMENT, 'instance-type': 'Standard_NC8as_T4_v3' }), env);
    expect(c.deployment.instanceType).toBe('Standard_NC8as_T4_v3');
  });

  it('names a misspelt deployment-file field and its line, with a suggestion', () => {
    const f = path.join(dir, 'typo.yml');
    fs.writeFileSync(f, 'name: blue\ninstance_typ: Standard_NC4as_T4_v3\n');
    const found = problems({ 'deployment-file': 'typo.yml' });
    expect(found).toEqual([expect.stringMatching(/typo\.yml:2: unknown field 'instance_typ' \(did you mean 'instance_type'\?\)/)]);
  });

  it('names a misspelt nested field', () => {
    const f = path.join(dir, 'nested.yml');
    fs.writeFileSync(f, 'liveness_probe:\n  initial_dealy: 10\n');
    expect(problems({ 'deployment-file': 'nested.yml' }).join()).toMatch(/liveness_probe\.initial_dealy' \(did you mean 'liveness_probe\.initial_delay'\?\)/);
  });

  it('accepts the azureml-examples no-code triton deployment file', () => {
    const f = path.join(SHARED, 'azureml-examples/cli/endpoints/online/triton/single-model/create-managed-deployment.yaml');
    const c = buildConfig(inputs({ 'deployment-file': f }), env);
    expect(c.modelType).toBe('triton_model');
    expect(c.modelName).toBe('sample-densenet-onnx-model');
  });
});
