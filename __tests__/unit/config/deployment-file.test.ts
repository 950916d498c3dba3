/**
 * A deployment YAML's settings reach the ARM body, or are refused at plan time naming file, key and
 * line; relative paths resolve against the YAML's folder, as az ml resolves them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildConfig, type RunEnvironment } from '../../../src/config/build-config';
import { INPUT_DEFAULTS, type RawInputs } from '../../../src/config/input-defaults';
import { deploymentBody } from '../../../src/deploy/deployment-body';
import { UserInputErrors } from '../../../src/errors';

const SEED_DEPLOYMENT = path.resolve(__dirname, '../../../../shared/reference/fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/deployment_aml.yml');

let dir: string;
let env: RunEnvironment;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployment-file-'));
  fs.mkdirSync(path.join(dir, 'images'));
  // A real image: the config checks smoke-test images before anything else.
  fs.copyFileSync(path.resolve(__dirname, '../../../samples/tao-detectnet-v2/images/street.png'), path.join(dir, 'images/a.png'));
  env = { workspaceDir: dir, tempDir: dir, oidcAvailable: true };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function inputs(file: string, over: Partial<RawInputs> = {}): RawInputs {
  return {
    ...INPUT_DEFAULTS,
    'subscription-id': '00000000-0000-0000-0000-000000000001',
    'resource-group': 'rg',
    workspace: 'ws',
    'client-id': 'c',
    'tenant-id': 't',
    'endpoint-name': 'detector',
    'smoke-test-images': 'images/*',
    'deployment-file': file,
    ...over,
  };
}

/** Writes the YAML under the workspace and returns its path relative to the workspace. */
function yaml(name: string, text: string): string {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

function problems(file: string, over: Partial<RawInputs> = {}): string[] {
  try {
    buildConfig(inputs(file, over), env);
  } catch (e) {
    if (e instanceof UserInputErrors) return e.problems.map((p) => `${p.where.file ?? p.where.input}:${p.where.line ?? ''} ${p.message}`);
    throw e;
  }
  return [];
}

const body = (file: string) => {
  const c = buildConfig(inputs(file), env);
  return deploymentBody({ settings: c.deployment, location: 'westeurope', modelId: 'm', modelType: c.modelType, environmentId: 'e', tags: { 'created-by': 'test' } });
};

it("sends the seed's deployment_aml.yml with egress_public_network_access: disabled to Azure as Disabled", () => {
  const f = yaml('seed/deployment_aml.yml', `${fs.readFileSync(SEED_DEPLOYMENT, 'utf8')}egress_public_network_access: disabled\n`);
  const b = body(f);
  expect(b.properties).toMatchObject({ egressPublicNetworkAccess: 'Disabled', modelMountPath: '/models', instanceType: 'Standard_NC6s_v3' });
  expect(b.properties.requestSettings).toEqual({ requestTimeout: 'PT10S', maxConcurrentRequestsPerInstance: 512, maxQueueWait: 'PT3S' });
});

it('sends every setting of the 2022-10-01 ManagedOnlineDeployment that the file gives', () => {
  const f = yaml(
    'all.yml',
    [
      'name: blue',
      'description: nightly detector',
      'tags: {team: vision}',
      'properties: {owner: vision-team}',
      'model_mount_path: /mnt/models',
      'environment_variables: {LOG_VERBOSE: 1, MODE: fast}',
      'instance_type: Standard_NC8as_T4_v3',
      'instance_count: 2',
      'app_insights_enabled: true',
      'egress_public_network_access: Enabled',
      'scale_settings: {type: target_utilization, min_instances: 1, max_instances: 4, polling_interval: 10, target_utilization_percentage: 60}',
      'request_settings: {request_timeout_ms: 2500, max_concurrent_requests_per_instance: 8, max_queue_wait_ms: 500}',
      'liveness_probe: {initial_delay: 60, timeout: 2, period: 10, success_threshold: 1, failure_threshold: 3}',
      'readiness_probe: {initial_delay: 30, timeout: 3, period: 5, success_threshold: 2, failure_threshold: 6}',
      '',
    ].join('\n'),
  );
  const b = body(f);
  expect(b.sku).toEqual({ name: 'Default', capacity: 2 });
  expect(b.tags).toEqual({ team: 'vision', 'created-by': 'test', 'aml-triton-deploy-settings': expect.stringMatching(/^[0-9a-f]{16}$/) });
  expect(b.properties).toEqual({
    endpointComputeType: 'Managed',
    description: 'nightly detector',
    model: 'm',
    environmentId: 'e',
    modelMountPath: '/mnt/models',
    instanceType: 'Standard_NC8as_T4_v3',
    environmentVariables: { LOG_VERBOSE: '1', MODE: 'fast' },
    properties: { owner: 'vision-team' },
    appInsightsEnabled: true,
    egressPublicNetworkAccess: 'Enabled',
    scaleSettings: { scaleType: 'TargetUtilization', minInstances: 1, maxInstances: 4, pollingInterval: 'PT10S', targetUtilizationPercentage: 60 },
    requestSettings: { requestTimeout: 'PT2.500S', maxConcurrentRequestsPerInstance: 8, maxQueueWait: 'PT0.500S' },
    livenessProbe: { initialDelay: 'PT60S', timeout: 'PT2S', period: 'PT10S', successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { initialDelay: 'PT30S', timeout: 'PT3S', period: 'PT5S', successThreshold: 2, failureThreshold: 6 },
  });
});

it.each<[string, string, RegExp]>([
  ['a request timeout in words', 'request_settings:\n  max_queue_wait_ms: 10\n  request_timeout_ms: ten-seconds\n', /bad\.yml:3 .*'request_settings\.request_timeout_ms' must be a whole number of milliseconds of at least 1, found "ten-seconds"/],
  ['a probe timeout with a unit', 'liveness_probe:\n  timeout: 1s\n', /bad\.yml:2 .*'liveness_probe\.timeout' must be a whole number of seconds/],
  ['an egress value Azure does not know', 'egress_public_network_access: off\n', /bad\.yml:1 .*'egress_public_network_access' must be one of enabled, disabled, found "off"/],
  ['app insights as a string', 'app_insights_enabled: "yes"\n', /bad\.yml:1 .*'app_insights_enabled' must be true or false/],
  ['a route port in words', 'environment:\n  inference_config:\n    liveness_route: {path: /v2/health/live, port: 8000}\n    readiness_route: {path: /v2/health/ready, port: 8000}\n    scoring_route: {path: /, port: http}\n', /bad\.yml:5 .*scoring_route\.port' must be a whole number/],
  ['an unknown scale type', 'scale_settings:\n  type: burst\n', /bad\.yml:2 .*'scale_settings\.type' must be one of default, target_utilization/],
  ['an environment variable holding a mapping', 'environment_variables:\n  A: {b: 1}\n', /bad\.yml:2 .*'environment_variables\.A' must be a string, number or boolean/],
])('refuses %s at plan time, naming the file, key and line', (_what, text, expected) => {
  const found = problems(yaml('bad.yml', text));
  expect(found).toEqual([expect.stringMatching(expected)]);
});

it('lists the known fields with an unknown one', () => {
  const found = problems(yaml('unknown.yml', 'name: blue\negress: disabled\n'));
  expect(found.join()).toMatch(/unknown\.yml:2: unknown field 'egress'.*Known fields: name, endpoint_name, .*egress_public_network_access/);
  const nested = problems(yaml('unknown-nested.yml', 'request_settings:\n  timeout_ms: 5\n'));
  expect(nested.join()).toMatch(/:2 .*unknown field 'request_settings\.timeout_ms'.*Known fields of 'request_settings': request_timeout_ms, max_concurrent_requests_per_instance, max_queue_wait_ms/);
});

it.each<[string, string, RegExp]>([
  ['code_configuration', 'code_configuration:\n  code: ./src\n  scoring_script: score.py\n', /:1: 'code_configuration' is not supported: a scoring script needs Azure ML's Python inference server/],
  ['data_collector', 'data_collector:\n  collections: {}\n', /:1: 'data_collector' is not supported/],
  ['a Kubernetes deployment', 'type: kubernetes\n', /:1: 'type: kubernetes' is not supported/],
])('refuses %s, which the action cannot honour, with the reason', (_what, text, expected) => {
  expect(problems(yaml('refused.yml', text)).join()).toMatch(expected);
});

it("resolves model, build context and Dockerfile paths against the YAML's folder, as az ml does", () => {
  fs.mkdirSync(path.join(dir, 'deploy/docker'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'deploy/docker/triton.dockerfile'), 'FROM x\n');
  const f = yaml('deploy/relative.yml', 'model:\n  path: ./models\n  type: custom_model\nenvironment:\n  build:\n    path: docker\n    dockerfile_path: triton.dockerfile\n');
  const c = buildConfig(inputs(f), env);
  expect(c.source).toEqual({ kind: 'triton-repository', path: path.join(dir, 'deploy/models') });
  expect(c.image.dockerContext).toBe(path.join(dir, 'deploy/docker'));
  expect(c.image.dockerfile).toBe(path.join(dir, 'deploy/docker/triton.dockerfile'));
});

it('names a build context the YAML points at that does not exist', () => {
  const f = yaml('deploy/missing.yml', 'environment:\n  build:\n    path: nowhere\n');
  expect(problems(f).join()).toMatch(/environment\.build\.path names .*deploy\/nowhere, which does not exist/);
});

it('refuses a conda_file, naming the path resolved against the YAML folder', () => {
  const f = yaml('deploy/conda.yml', 'environment:\n  image: x.azurecr.io/t:1\n  conda_file: conda.yml\n');
  expect(problems(f).join()).toMatch(new RegExp(`:3: 'environment\\.conda_file' \\(${path.join(dir, 'deploy/conda.yml').replace(/[.]/g, '\\.')}\\) is not supported`));
});

it("sends the scoring route '/' as given, and refuses a custom container's route that would hide Triton's /v2 API", () => {
  const routes = (scoring: string) =>
    `environment:\n  inference_config:\n    liveness_route: {path: /v2/health/live, port: 8000}\n    readiness_route: {path: /v2/health/ready, port: 8000}\n    scoring_route:\n      path: ${scoring}\n      port: 8000\n`;
  expect(buildConfig(inputs(yaml('root.yml', routes('/'))), env).deployment.routes.scoring).toEqual({ path: '/', port: 8000 });
  expect(problems(yaml('infer.yml', routes('/v2/models/m/infer'))).join()).toMatch(/infer\.yml:6 .*scoring_route path '\/v2\/models\/m\/infer' would hide Triton's API/);
  // No-code Triton has no environment: its routes are Azure's.
  expect(problems(yaml('infer.yml', routes('/v2/models/m/infer')), { 'model-type': 'triton_model' })).toEqual([]);
});

it("changes the deployment's settings tag when a setting changes, so a named deployment is updated", () => {
  const seed = fs.readFileSync(SEED_DEPLOYMENT, 'utf8');
  const tag = (extra: string) => body(yaml('tagged.yml', `${seed}${extra}`)).tags?.['aml-triton-deploy-settings'];
  expect(tag('')).toBe(tag(''));
  expect(tag('egress_public_network_access: disabled\n')).not.toBe(tag(''));
  expect(tag('app_insights_enabled: true\n')).not.toBe(tag(''));
});
