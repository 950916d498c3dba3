/**
 * Turns raw inputs (+ the run's environment facts and optional Azure ML YAML files) into one
 * validated ActionConfig. Pure apart from reading the named files; collects every problem so one
 * run reports them all, before any Azure call.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseRegistryInput } from '../azure/registry-resource-id';
import { UserInputError, UserInputErrors } from '../errors';
import { CUSTOM_VISION_PREPROCESSINGS, FAMILY_IDS, XY_ACTIVATIONS, type FamilyId } from '../smoke-test/run-smoke-test';
import type { ActionConfig, AuthType, GitHubSettings, ModelSource, ProbeSettings } from './action-config';
import { readDeploymentFile, type DeploymentFileSettings } from './aml-deployment-file';
import { readEndpointFile, type EndpointFileSettings } from './aml-endpoint-file';
import { INPUT_DEFAULTS, type InputName, type RawInputs } from './input-defaults';
import { baseImageCredentials, imageBuildMode } from './image-build-inputs';
import { parseBoolean, parseDuration, parseEnum, parseKeyValues, parseNumber, parseTrafficSteps } from './input-parsers';
import { ACTION_TAGS, checkDescription, checkTags, FILE_LIMITS, formatBytes, readLimitedTextFile, type LimitedFileKind } from './input-limits';
import { readLabelsFile } from './labels-file';
import { instanceTypeWarning, isPlausibleInstanceType } from './instance-types';
import { checkSmokeTestImage, expandImagePatterns } from './image-patterns';

export interface RunEnvironment {
  workspaceDir: string;
  tempDir: string;
  repository?: string;
  sha?: string;
  serverUrl?: string;
  runId?: string;
  /** GITHUB_API_URL. */
  apiUrl?: string;
  /** GITHUB_EVENT_NAME. */
  eventName?: string;
  /** pull_request.number of the event payload (GITHUB_EVENT_PATH). */
  pullRequestNumber?: number;
  /** True when the runner offers an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is set). */
  oidcAvailable: boolean;
}

/** The latency measurement's bound in time, whatever latency-requests asks. */
export const LATENCY_TIME_LIMIT_MS = 60_000;
const SEED_PROBE: ProbeSettings = { initialDelay: 300, timeout: 1, period: 5, successThreshold: 1, failureThreshold: 20 };
const NAME_RULE = /^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/;

export function buildConfig(raw: RawInputs, env: RunEnvironment): ActionConfig {
  const problems: UserInputError[] = [];
  const warnings: string[] = [];
  const attempt = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof UserInputError) problems.push(e);
      else if (e instanceof UserInputErrors) problems.push(...e.problems);
      else throw e;
      return fallback;
    }
  };
  const input = (n: InputName) => (raw[n] ?? '').trim();
  const isSet = (n: InputName) => input(n) !== '' && input(n) !== INPUT_DEFAULTS[n];
  const resolvePath = (p: string) => path.resolve(env.workspaceDir, p);
  const readUserFile = (n: InputName): string | undefined => {
    if (!input(n)) return undefined;
    const file = resolvePath(input(n));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new UserInputError(`Input '${n}' names '${input(n)}', which is not a file (looked at ${file}).`, { input: n });
    }
    return readLimitedTextFile(file, 'Azure ML YAML file', input(n), { input: n, file: input(n) });
  };
  for (const n of ['subscription-id', 'resource-group', 'workspace'] as const) {
    if (!input(n)) problems.push(new UserInputError(`Input '${n}' is required.`, { input: n }));
  }

  const depFile = attempt<DeploymentFileSettings>(() => {
    const text = readUserFile('deployment-file');
    return text === undefined ? { notes: [] } : readDeploymentFile(text, input('deployment-file'), path.dirname(resolvePath(input('deployment-file'))));
  }, { notes: [] });
  const epFile = attempt<EndpointFileSettings>(() => {
    const text = readUserFile('endpoint-file');
    return text === undefined ? { notes: [] } : readEndpointFile(text, input('endpoint-file'));
  }, { notes: [] });
  warnings.push(...depFile.notes, ...epFile.notes);
  for (const [n, f] of [['endpoint-file', epFile], ['deployment-file', depFile]] as const) {
    const where = { input: n, file: input(n), shown: input(n) };
    problems.push(...checkDescription(f.description, where), ...checkTags(f.tags ?? {}, ACTION_TAGS, where));
  }

  // An explicit input wins; otherwise the YAML file; otherwise the input's default.
  const pick = <T>(n: InputName, fromFile: T | undefined, parse: (s: string) => T): T =>
    isSet(n) || fromFile === undefined ? parse(input(n) || INPUT_DEFAULTS[n]) : fromFile;

  const sourceKind = attempt(() => parseEnum('model-source', input('model-source'), ['triton-repository', 'custom-vision'] as const), 'triton-repository' as const);
  const source: ModelSource =
    sourceKind === 'custom-vision'
      ? attempt(() => customVisionSource(input, raw), { kind: 'triton-repository', path: '' })
      : { kind: 'triton-repository', path: resolvePath(isSet('model-repository') || !depFile.modelPath ? input('model-repository') : depFile.modelPath) };

  const endpointName = input('endpoint-name') || epFile.name || depFile.endpointName || '';
  attempt(() => checkName('endpoint-name', endpointName), undefined);
  if (epFile.name && depFile.endpointName && epFile.name !== depFile.endpointName) {
    problems.push(new UserInputError(`endpoint-file names endpoint '${epFile.name}' but deployment-file's endpoint_name is '${depFile.endpointName}'.`, { input: 'deployment-file' }));
  }
  const deploymentName = input('deployment-name') || depFile.name || undefined;
  if (deploymentName) attempt(() => checkName('deployment-name', deploymentName), undefined);

  const instanceType = pick('instance-type', depFile.instanceType, (s) => s);
  if (!isPlausibleInstanceType(instanceType)) {
    problems.push(new UserInputError(`Instance type '${instanceType}' is not an Azure VM size like 'Standard_NC4as_T4_v3'.`, { input: 'instance-type' }));
  }
  const retired = instanceTypeWarning(instanceType);
  if (retired) warnings.push(retired);

  const auth = attempt(() => authSettings(input, env), { type: 'azure-cli' as AuthType, tenantId: undefined, clientId: undefined, clientSecret: undefined, oidcAudience: '' });
  const armEndpoint = input('azure-resource-manager-endpoint').replace(/\/+$/, '');
  const timeoutMinutes = attempt(() => parseNumber('timeout-minutes', input('timeout-minutes'), 0.1, 360), 45);
  const images = attempt(() => expandImagePatterns(input('smoke-test-images'), env.workspaceDir), []);
  for (const image of images) attempt(() => checkSmokeTestImage(image, env.workspaceDir), undefined);
  if (images.length === 0 && problems.every((p) => p.where.input !== 'smoke-test-images')) {
    problems.push(new UserInputError(`Input 'smoke-test-images' is required: give at least one JPEG or PNG image the model should find objects in.`, { input: 'smoke-test-images' }));
  }
  const fileOrUndefined = (n: InputName) => {
    if (!input(n)) return undefined;
    const f = resolvePath(input(n));
    if (!fs.existsSync(f)) problems.push(new UserInputError(`Input '${n}' names '${input(n)}', which does not exist.`, { input: n }));
    return f;
  };
  const limitedFile = (n: InputName, kind: LimitedFileKind) => {
    const f = fileOrUndefined(n);
    if (f && fs.existsSync(f) && fs.statSync(f).size > FILE_LIMITS[kind]) {
      problems.push(new UserInputError(`Input '${n}' names '${input(n)}', which is ${formatBytes(fs.statSync(f).size)}; a ${kind} may be at most ${formatBytes(FILE_LIMITS[kind])}.`, { input: n }));
    }
    return f;
  };
  // Read now, not after the deploy: a wrong labels file is refused before any Azure call.
  const checkedLabelsFile = () => {
    const f = limitedFile('labels-file', 'labels file');
    if (f && fs.existsSync(f) && fs.statSync(f).size <= FILE_LIMITS['labels file']) attempt(() => readLabelsFile(f, input('labels-file'), { input: 'labels-file' }), []);
    return f;
  };
  const fileFromDeploymentFile = (f: string | undefined, key: string) => {
    if (f !== undefined && !fs.existsSync(f)) problems.push(new UserInputError(`deployment-file's ${key} names ${f}, which does not exist (paths in the file are relative to its folder, as for az ml).`, { input: 'deployment-file' }));
    return f;
  };
  const probe = (p?: Partial<ProbeSettings>): ProbeSettings => ({ ...SEED_PROBE, ...stripUndefined(p ?? {}) });

  const registry = input('container-registry') ? attempt(() => parseRegistryInput(input('container-registry')), undefined) : undefined;

  const config: ActionConfig = {
    source,
    modelName: input('model-name') || depFile.modelName || undefined,
    modelType: pick('model-type', depFile.modelType, (s) => parseEnum('model-type', s, ['custom_model', 'triton_model'] as const)),
    workspace: { subscriptionId: input('subscription-id'), resourceGroup: input('resource-group'), name: input('workspace') },
    cloud: {
      authorityHost: input('azure-authority-host').replace(/\/+$/, ''),
      resourceManagerEndpoint: armEndpoint,
      resourceManagerAudience: input('azure-resource-manager-audience') || (/management\.azure\.com$/i.test(armEndpoint) ? 'https://management.azure.com/' : `${armEndpoint}/`),
      storageBlobEndpoint: input('storage-blob-endpoint') || undefined,
      storageAudience: input('storage-audience') || undefined,
    },
    auth,
    image: {
      registryName: registry?.name,
      registryId: registry?.id,
      repository: input('image-repository') || depFile.imageRepository || undefined,
      tritonBaseImage: input('triton-base-image'),
      dockerfile: fileOrUndefined('dockerfile') ?? fileFromDeploymentFile(depFile.dockerfile, 'environment.build.dockerfile_path'),
      dockerContext: fileOrUndefined('docker-context') ?? fileFromDeploymentFile(depFile.dockerContext, 'environment.build.path'),
      build: attempt(() => imageBuildMode(input('image-build'), !!(input('dockerfile') || depFile.dockerfile)), 'docker'),
      dockerFallback: (input('image-build').trim() || 'auto') === 'auto',
      baseCredentials: attempt(() => baseImageCredentials(input('triton-base-image'), input('base-image-username'), input('base-image-password')), undefined),
    },
    endpoint: {
      name: endpointName,
      authMode: pick('endpoint-auth-mode', epFile.authMode, (s) => attempt(() => parseEnum('endpoint-auth-mode', s, ['key', 'aml_token'] as const), 'key')),
      description: epFile.description,
      tags: epFile.tags ?? {},
    },
    deployment: {
      name: deploymentName,
      instanceType,
      instanceCount: pick('instance-count', depFile.instanceCount, (s) => attempt(() => parseNumber('instance-count', s, 1, 100, true), 1)),
      modelMountPath: pick('model-mount-path', depFile.modelMountPath, (s) => s),
      requestSettings: {
        requestTimeoutMs: 10000,
        maxConcurrentRequestsPerInstance: 512,
        maxQueueWaitMs: 3000,
        ...stripUndefined(depFile.requestSettings ?? {}),
      },
      livenessProbe: probe(depFile.livenessProbe),
      readinessProbe: probe(depFile.readinessProbe),
      environmentVariables: depFile.environmentVariables ?? {},
      routes: depFile.routes ?? {
        liveness: { path: '/v2/health/live', port: 8000 },
        readiness: { path: '/v2/health/ready', port: 8000 },
        scoring: { path: '/', port: 8000 },
      },
      environmentName: depFile.environmentName,
      description: depFile.description,
      tags: depFile.tags ?? {},
      properties: depFile.properties,
      appInsightsEnabled: depFile.appInsightsEnabled,
      egressPublicNetworkAccess: depFile.egressPublicNetworkAccess,
      scaleSettings: depFile.scaleSettings,
    },
    rollout: {
      trafficSteps: attempt(() => parseTrafficSteps('traffic-steps', input('traffic-steps')), [100]),
      stepWaitMs: attempt(() => parseDuration('traffic-step-wait', input('traffic-step-wait') || '0', 120 * 60_000), 0),
      onFailure: attempt(() => parseEnum('on-failure', input('on-failure'), ['delete', 'keep'] as const), 'delete'),
      previousDeployments: attempt(() => parseEnum('previous-deployments', input('previous-deployments'), ['keep-last', 'keep', 'delete'] as const), 'keep-last'),
      timeoutMs: timeoutMinutes * 60_000,
      dryRun: attempt(() => parseBoolean('dry-run', input('dry-run')), false),
    },
    smokeTest: {
      images,
      family: attempt(() => parseEnum<FamilyId | 'auto'>('model-family', input('model-family'), ['auto', ...FAMILY_IDS]), 'auto'),
      labelsFile: checkedLabelsFile(),
      clusteringConfigFile: limitedFile('clustering-config', 'clustering config'),
      generic: input('generic-tensors') ? attempt(() => genericTensors(input('generic-tensors')), undefined) : undefined,
      customVisionPreprocessing: attempt(() => parseEnum('custom-vision-preprocessing', input('custom-vision-preprocessing'), CUSTOM_VISION_PREPROCESSINGS), 'auto'),
      xyActivation: attempt(() => parseEnum('custom-vision-xy-activation', input('custom-vision-xy-activation'), XY_ACTIVATIONS), 'sigmoid'),
      minDetections: attempt(() => parseNumber('min-detections', input('min-detections'), 1, 10000, true), 1),
      scoreThreshold: attempt(() => parseNumber('score-threshold', input('score-threshold'), 0, 1), 0.5),
      protocol: attempt(() => parseEnum('inference-protocol', input('inference-protocol'), ['binary', 'json'] as const), 'binary'),
      latency: {
        requests: attempt(() => parseNumber('latency-requests', input('latency-requests') || '0', 0, 1000, true), 0),
        p95BudgetMs: input('latency-p95-budget') ? attempt(() => parseNumber('latency-p95-budget', input('latency-p95-budget').replace(/\s*ms$/i, ''), 0.1, 600_000), undefined) : undefined,
        timeLimitMs: LATENCY_TIME_LIMIT_MS,
      },
    },
    run: {
      repository: env.repository,
      sha: env.sha,
      runUrl: env.serverUrl && env.repository && env.runId ? `${env.serverUrl}/${env.repository}/actions/runs/${env.runId}` : undefined,
      workspaceDir: env.workspaceDir,
      outputDir: input('output-dir') ? resolvePath(input('output-dir')) : path.join(env.tempDir, 'aml-triton-deploy'),
    },
    github: githubSettings(input, env, endpointName, attempt),
    warnings,
  };
  if (config.smokeTest.latency.p95BudgetMs !== undefined && config.smokeTest.latency.requests === 0) {
    problems.push(new UserInputError(`Input 'latency-p95-budget' is '${input('latency-p95-budget')}' but latency-requests is 0: give latency-requests at least 1 (default 20) to measure the p95.`, { input: 'latency-requests' }));
  }
  // The endpoint forwards <scoring_uri><rest> to <scoring route><rest>: only '/' exposes Triton's whole /v2 API.
  if (config.modelType === 'custom_model' && config.deployment.routes.scoring.path.replace(/\/+$/, '') !== '') {
    const file = input('deployment-file');
    problems.push(
      new UserInputError(
        `${file}${depFile.scoringRouteLine ? `:${depFile.scoringRouteLine}` : ''}: scoring_route path '${config.deployment.routes.scoring.path}' would hide Triton's API: the endpoint forwards <scoring_uri>/v2/... to <scoring_route path>/v2/... in the container, so Triton's health, metadata and infer routes are reachable only with 'path: /' (as in azureml-examples' Triton custom-container sample).`,
        { file, line: depFile.scoringRouteLine },
      ),
    );
  }
  if (config.smokeTest.family === 'generic' && !config.smokeTest.generic) {
    problems.push(new UserInputError(`Input 'generic-tensors' is required when model-family is 'generic'.`, { input: 'generic-tensors' }));
  }
  if (problems.length > 0) throw new UserInputErrors(problems);
  return Object.freeze(config);
}

function githubSettings(input: (n: InputName) => string, env: RunEnvironment, endpointName: string, attempt: <T>(f: () => T, fallback: T) => T): GitHubSettings {
  const token = input('github-token');
  const [owner, repo] = (env.repository ?? '').split('/');
  const isPullRequest = env.eventName === 'pull_request' || env.eventName === 'pull_request_target';
  return {
    // Outside a runner the default '${{ github.token }}' arrives unexpanded: no token then.
    token: token && !token.startsWith('${{') ? token : undefined,
    apiUrl: (env.apiUrl || 'https://api.github.com').replace(/\/+$/, ''),
    repository: owner && repo ? { owner, repo } : undefined,
    sha: env.sha,
    runUrl: env.serverUrl && env.repository && env.runId ? `${env.serverUrl}/${env.repository}/actions/runs/${env.runId}` : undefined,
    environment: input('github-environment') || endpointName,
    recordDeployment: attempt(() => parseBoolean('github-deployment', input('github-deployment')), true),
    pullRequest: isPullRequest && env.pullRequestNumber ? env.pullRequestNumber : undefined,
  };
}

function checkName(input: string, name: string): void {
  if (!name) throw new UserInputError(`Input '${input}' is required (or give 'name' in endpoint-file).`, { input });
  if (!NAME_RULE.test(name)) {
    throw new UserInputError(`Input '${input}' is '${name}'; Azure needs 3-32 letters, digits and hyphens, starting with a letter and not ending with a hyphen.`, { input });
  }
}

function authSettings(input: (n: InputName) => string, env: RunEnvironment) {
  const requested = parseEnum('auth-type', input('auth-type'), ['auto', 'oidc', 'client-secret', 'azure-cli'] as const);
  const hasIds = !!input('client-id') && !!input('tenant-id');
  const type: AuthType =
    requested !== 'auto' ? requested : input('client-secret') && hasIds ? 'client-secret' : hasIds && env.oidcAvailable ? 'oidc' : 'azure-cli';
  if (type !== 'azure-cli' && !hasIds) {
    throw new UserInputError(`auth-type '${type}' needs inputs 'client-id' and 'tenant-id'.`, { input: input('client-id') ? 'tenant-id' : 'client-id' });
  }
  if (type === 'client-secret' && !input('client-secret')) {
    throw new UserInputError(`auth-type 'client-secret' needs input 'client-secret' (pass it from a secret).`, { input: 'client-secret' });
  }
  if (type === 'oidc' && !env.oidcAvailable) {
    throw new UserInputError(`auth-type 'oidc' needs a GitHub OIDC token, but the runner offers none: add 'permissions: id-token: write' to the job (and 'contents: read').`, { input: 'auth-type' });
  }
  return {
    type,
    tenantId: input('tenant-id') || undefined,
    clientId: input('client-id') || undefined,
    clientSecret: input('client-secret') || undefined,
    oidcAudience: input('oidc-audience'),
  };
}

function customVisionSource(input: (n: InputName) => string, raw: RawInputs): ModelSource {
  for (const n of ['custom-vision-endpoint', 'custom-vision-training-key'] as const) {
    if (!input(n)) throw new UserInputError(`Input '${n}' is required when model-source is 'custom-vision'.`, { input: n });
  }
  if (!input('custom-vision-project-name') && !input('custom-vision-project-id')) {
    throw new UserInputError(`Give 'custom-vision-project-name' or 'custom-vision-project-id' for model-source 'custom-vision'.`, { input: 'custom-vision-project-name' });
  }
  return {
    kind: 'custom-vision',
    endpoint: input('custom-vision-endpoint').replace(/\/+$/, ''),
    trainingKey: raw['custom-vision-training-key'].trim(),
    projectName: input('custom-vision-project-name') || undefined,
    projectId: input('custom-vision-project-id') || undefined,
    iterationId: input('custom-vision-iteration-id') || undefined,
    domain: parseEnum('custom-vision-domain', input('custom-vision-domain'), ['General (compact) [S1]', 'General (compact)'] as const),
    datasetDir: input('custom-vision-dataset') || undefined,
    datasetFormat: parseEnum('custom-vision-dataset-format', input('custom-vision-dataset-format'), ['auto', 'coco', 'voc'] as const),
    forceTrain: parseBoolean('custom-vision-force-train', input('custom-vision-force-train')),
    predictionResourceId: input('custom-vision-prediction-resource-id') || undefined,
    publishName: input('custom-vision-publish-name') || undefined,
  };
}

function genericTensors(raw: string) {
  const kv = parseKeyValues('generic-tensors', raw);
  for (const k of ['input', 'boxes', 'scores', 'classes']) {
    if (!kv[k]) throw new UserInputError(`Input 'generic-tensors' needs '${k}=<tensor name>'.`, { input: 'generic-tensors' });
  }
  return {
    input: kv.input,
    boxes: kv.boxes,
    scores: kv.scores,
    classes: kv.classes,
    boxFormat: parseEnum('generic-tensors box-format', kv['box-format'] ?? 'xyxy_normalized', ['xyxy_normalized', 'xyxy_pixels'] as const),
    scale: parseEnum('generic-tensors scale', kv.scale ?? '0_1', ['0_1', '0_255'] as const),
    pixelFormat: parseEnum('generic-tensors pixel-format', kv['pixel-format'] ?? 'Rgb8', ['Rgb8', 'Bgr8'] as const),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
