/**
 * Maps an Azure ML CLI v2 managedOnlineDeployment YAML onto the action's settings, field by field.
 * Every key of the CLI's schema is either sent to Azure or refused with a reason; wrong types are
 * refused here, naming the file, key and line. Relative paths resolve against the YAML's folder, as
 * the Azure CLI resolves them.
 */
import * as path from 'path';
import { ML_API_VERSION } from '../azure/api-versions';
import { UserInputErrors } from '../errors';
import type { InferenceRoutes, ModelType, ProbeSettings, RequestSettings, ScaleSettings } from './action-config';
import { parseAmlYaml, type FieldKind } from './aml-yaml';
import { quoteName, shorten } from './input-limits';
import { YamlFieldChecker } from './yaml-field-checker';

/** The keys of the CLI v2 managedOnlineDeployment schema (reference-yaml-deployment-managed-online). */
const FIELDS: Record<string, FieldKind> = {
  $schema: 'ignored',
  name: 'string',
  endpoint_name: 'string',
  type: 'string',
  description: 'string',
  tags: 'map',
  properties: 'map',
  model: 'string|object',
  model_mount_path: 'string',
  code_configuration: 'ignored',
  environment: 'string|object',
  environment_variables: 'map',
  instance_type: 'string',
  instance_count: 'int',
  app_insights_enabled: 'bool',
  egress_public_network_access: 'string',
  scale_settings: 'object',
  request_settings: 'object',
  liveness_probe: 'object',
  readiness_probe: 'object',
  data_collector: 'ignored',
};

/** Keys the action cannot honour, with the reason given to the user. */
const REFUSED: Record<string, string> = {
  code_configuration:
    "a scoring script needs Azure ML's Python inference server; this action serves the model with Triton directly (no scoring script). Remove 'code_configuration', or put pre/post-processing in the Triton model repository (e.g. a Python backend model).",
  data_collector: `data collection needs a newer Azure ML API than the ${ML_API_VERSION} version this action uses; remove 'data_collector' or deploy with az ml.`,
};

const PROBE_KEYS = ['initial_delay', 'timeout', 'period', 'success_threshold', 'failure_threshold'];
const REQUEST_KEYS = ['request_timeout_ms', 'max_concurrent_requests_per_instance', 'max_queue_wait_ms'];
const ROUTE_KEYS = ['liveness_route', 'readiness_route', 'scoring_route'];
const SCALE_KEYS = ['type', 'min_instances', 'max_instances', 'polling_interval', 'target_utilization_percentage'];
const MODEL_KEYS = ['name', 'version', 'path', 'local_path', 'type', 'model_format', 'description', 'tags', 'properties'];
const ENVIRONMENT_KEYS = ['name', 'version', 'image', 'build', 'conda_file', 'inference_config', 'os_type', 'description', 'tags', 'properties'];

/** What a deployment file can say; undefined fields keep the inputs' values. */
export interface DeploymentFileSettings {
  name?: string;
  endpointName?: string;
  description?: string;
  tags?: Record<string, string>;
  properties?: Record<string, string>;
  modelName?: string;
  /** Absolute: resolved against the YAML's folder. */
  modelPath?: string;
  modelType?: ModelType;
  modelMountPath?: string;
  environmentName?: string;
  imageRepository?: string;
  /** Absolute: environment.build.path and its dockerfile_path, resolved as the Azure CLI does. */
  dockerContext?: string;
  dockerfile?: string;
  routes?: InferenceRoutes;
  /** Line of environment.inference_config.scoring_route, for problems found later. */
  scoringRouteLine?: number;
  environmentVariables?: Record<string, string>;
  instanceType?: string;
  instanceCount?: number;
  requestSettings?: Partial<RequestSettings>;
  livenessProbe?: Partial<ProbeSettings>;
  readinessProbe?: Partial<ProbeSettings>;
  appInsightsEnabled?: boolean;
  egressPublicNetworkAccess?: 'Enabled' | 'Disabled';
  scaleSettings?: ScaleSettings;
  notes: string[];
}

type Obj = Record<string, unknown>;

/** `baseDir`: the folder holding the YAML file, against which its relative paths resolve. */
export function readDeploymentFile(text: string, file: string, baseDir: string): DeploymentFileSettings {
  const y = parseAmlYaml(text, file, FIELDS);
  const c = new YamlFieldChecker(y);
  const top: Obj = Object.fromEntries([...y.fields].map(([k, f]) => [k, f.value]));
  const get = <T>(k: string) => top[k] as T | undefined;
  for (const [key, why] of Object.entries(REFUSED)) if (top[key] !== undefined) c.fail([key], `'${key}' is not supported: ${why}`);
  if (top.type !== undefined && String(top.type).toLowerCase() !== 'managed') {
    c.fail(['type'], `'type: ${shorten(String(top.type))}' is not supported: this action deploys to managed online endpoints ('type: managed').`);
  }
  const out: DeploymentFileSettings = { notes: [] };
  out.name = get<string>('name');
  out.endpointName = get<string>('endpoint_name');
  out.description = get<string>('description');
  out.tags = c.stringMap(top, ['tags']);
  out.properties = c.stringMap(top, ['properties']);
  out.environmentVariables = c.stringMap(top, ['environment_variables']);
  out.modelMountPath = get<string>('model_mount_path')?.trim();
  out.instanceType = get<string>('instance_type');
  out.instanceCount = c.int(top, ['instance_count'], 1);
  out.appInsightsEnabled = get<boolean>('app_insights_enabled');
  out.egressPublicNetworkAccess = c.choice(top, ['egress_public_network_access'], { enabled: 'Enabled' as const, disabled: 'Disabled' as const });
  Object.assign(out, mapModel(c, get('model'), baseDir));
  Object.assign(out, mapEnvironment(c, get('environment'), baseDir));
  const req = get<Obj>('request_settings');
  if (req) {
    c.known(req, ['request_settings'], REQUEST_KEYS);
    out.requestSettings = {
      requestTimeoutMs: c.int(req, ['request_settings', 'request_timeout_ms'], 1, 'milliseconds'),
      maxConcurrentRequestsPerInstance: c.int(req, ['request_settings', 'max_concurrent_requests_per_instance'], 1),
      maxQueueWaitMs: c.int(req, ['request_settings', 'max_queue_wait_ms'], 0, 'milliseconds'),
    };
  }
  out.livenessProbe = probe(c, 'liveness_probe', get('liveness_probe'));
  out.readinessProbe = probe(c, 'readiness_probe', get('readiness_probe'));
  out.scaleSettings = scale(c, get('scale_settings'));
  if (c.problems.length === 1) throw c.problems[0];
  if (c.problems.length > 1) throw new UserInputErrors(c.problems);
  return out;
}

function mapModel(c: YamlFieldChecker, model: unknown, baseDir: string): Partial<DeploymentFileSettings> {
  if (model === undefined) return {};
  if (typeof model === 'string') {
    // azureml:Name:Version or azureml:/subscriptions/.../models/Name/versions/V
    const short = /^azureml:([^:/]+)(?::([^:]+))?$/.exec(model);
    const long = /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(model);
    const name = short?.[1] ?? long?.[1];
    if (!name) return c.fail(['model'], `'model: ${shorten(model)}' is not an 'azureml:<name>:<version>' reference.`) ?? {};
    return {
      modelName: name,
      notes: [`${c.y.file}: the model version is derived from the repository content; ${quoteName(model)} gives the name '${name}'.`],
    };
  }
  const m = model as Obj;
  c.known(m, ['model'], MODEL_KEYS);
  const type = c.string(m, ['model', m.type !== undefined ? 'type' : 'model_format']);
  let modelType: ModelType | undefined;
  if (type !== undefined) {
    const t = type.toLowerCase();
    if (t === 'triton_model' || t === 'triton') modelType = 'triton_model';
    else if (t === 'custom_model' || t === 'custom') modelType = 'custom_model';
    else c.fail(['model', 'type'], `model type '${shorten(String(type))}' is not 'triton_model' or 'custom_model'.`);
  }
  const modelPath = c.string(m, ['model', m.path !== undefined ? 'path' : 'local_path']);
  return {
    modelName: c.string(m, ['model', 'name']),
    modelPath: modelPath === undefined ? undefined : path.resolve(baseDir, modelPath),
    modelType,
  };
}

function mapEnvironment(c: YamlFieldChecker, env: unknown, baseDir: string): Partial<DeploymentFileSettings> {
  if (env === undefined) return {};
  if (typeof env === 'string') {
    return (
      c.fail(
        ['environment'],
        `'environment: ${shorten(String(env))}' refers to an existing environment; this action builds and registers the Triton image itself. Give 'environment' as a mapping (name, image or build, inference_config) or leave it out.`,
      ) ?? {}
    );
  }
  const e = env as Obj;
  c.known(e, ['environment'], ENVIRONMENT_KEYS);
  const out: Partial<DeploymentFileSettings> = { environmentName: c.string(e, ['environment', 'name']) };
  const image = c.string(e, ['environment', 'image']);
  if (image !== undefined) {
    // registry.azurecr.io/repo:tag -> repo; the action pushes its own content-addressed tag.
    const withoutRegistry = image.includes('/') ? image.slice(image.indexOf('/') + 1) : image;
    out.imageRepository = withoutRegistry.replace(/[:@].*$/, '');
  }
  const build = c.mapping(e.build, ['environment', 'build']);
  if (build) {
    c.known(build, ['environment', 'build'], ['path', 'dockerfile_path']);
    if (image !== undefined) c.fail(['environment', 'build'], "give 'environment.image' or 'environment.build', not both.");
    const context = c.string(build, ['environment', 'build', 'path']);
    if (context === undefined) c.fail(['environment', 'build'], "'environment.build' needs 'path' (the Docker build context).");
    else {
      // As az ml: the context is relative to the YAML, dockerfile_path relative to the context.
      out.dockerContext = path.resolve(baseDir, context);
      out.dockerfile = path.resolve(out.dockerContext, c.string(build, ['environment', 'build', 'dockerfile_path']) ?? 'Dockerfile');
    }
  }
  const conda = c.string(e, ['environment', 'conda_file']);
  if (conda !== undefined) {
    c.fail(
      ['environment', 'conda_file'],
      `'environment.conda_file' (${path.resolve(baseDir, conda)}) is not supported: Triton does not run a conda environment; install what the model needs in a Dockerfile ('environment.build').`,
    );
  }
  const ic = c.mapping(e.inference_config, ['environment', 'inference_config']);
  if (ic) {
    const at = ['environment', 'inference_config'];
    c.known(ic, at, ROUTE_KEYS);
    const route = (k: string) => {
      const r = c.mapping(ic[k], [...at, k]);
      if (!r) return c.fail(at, `'environment.inference_config.${k}' is required, with 'path' and 'port'.`);
      c.known(r, [...at, k], ['path', 'port']);
      if (r.path === undefined || r.port === undefined) return c.fail([...at, k], `'environment.inference_config.${k}' needs 'path' and 'port'.`);
      const p = c.string(r, [...at, k, 'path']);
      const port = c.int(r, [...at, k, 'port'], 1);
      return p === undefined || port === undefined ? undefined : { path: p, port };
    };
    const [liveness, readiness, scoring] = ROUTE_KEYS.map(route);
    if (liveness && readiness && scoring) out.routes = { liveness, readiness, scoring };
    out.scoringRouteLine = c.y.lineOf(...at, 'scoring_route', 'path');
  }
  return out;
}

function probe(c: YamlFieldChecker, field: string, p: Obj | undefined): Partial<ProbeSettings> | undefined {
  if (!p) return undefined;
  c.known(p, [field], PROBE_KEYS);
  return {
    initialDelay: c.int(p, [field, 'initial_delay'], 0, 'seconds'),
    timeout: c.int(p, [field, 'timeout'], 1, 'seconds'),
    period: c.int(p, [field, 'period'], 1, 'seconds'),
    successThreshold: c.int(p, [field, 'success_threshold'], 1),
    failureThreshold: c.int(p, [field, 'failure_threshold'], 1),
  };
}

function scale(c: YamlFieldChecker, s: Obj | undefined): ScaleSettings | undefined {
  if (!s) return undefined;
  c.known(s, ['scale_settings'], SCALE_KEYS);
  const type = c.choice(s, ['scale_settings', 'type'], { default: 'Default' as const, target_utilization: 'TargetUtilization' as const });
  if (type === undefined) {
    if (s.type === undefined) c.fail(['scale_settings'], "'scale_settings' needs 'type': default or target_utilization.");
    return undefined;
  }
  if (type === 'Default') {
    for (const k of SCALE_KEYS.slice(1)) if (s[k] !== undefined) c.fail(['scale_settings', k], `'scale_settings.${k}' applies only to 'type: target_utilization'.`);
    return { scaleType: 'Default' };
  }
  const settings: ScaleSettings = {
    scaleType: 'TargetUtilization',
    minInstances: c.int(s, ['scale_settings', 'min_instances'], 0),
    maxInstances: c.int(s, ['scale_settings', 'max_instances'], 1),
    pollingIntervalSeconds: c.int(s, ['scale_settings', 'polling_interval'], 1, 'seconds'),
    targetUtilizationPercentage: c.int(s, ['scale_settings', 'target_utilization_percentage'], 1),
  };
  if (settings.minInstances !== undefined && settings.maxInstances !== undefined && settings.minInstances > settings.maxInstances) {
    c.fail(['scale_settings', 'min_instances'], `'scale_settings.min_instances' (${settings.minInstances}) is above 'max_instances' (${settings.maxInstances}).`);
  }
  return settings;
}
