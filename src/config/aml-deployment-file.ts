/** Maps an Azure ML CLI v2 managedOnlineDeployment YAML onto the action's settings, field by field. */
import { UserInputError } from '../errors';
import type { InferenceRoutes, ModelType, ProbeSettings, RequestSettings } from './action-config';
import { checkNestedKeys, parseAmlYaml, type FieldKind, type ParsedYaml } from './aml-yaml';

const FIELDS: Record<string, FieldKind> = {
  $schema: 'ignored',
  name: 'string',
  endpoint_name: 'string',
  description: 'string',
  tags: 'map',
  model: 'string|object',
  model_mount_path: 'string',
  environment: 'string|object',
  environment_variables: 'map',
  instance_type: 'string',
  instance_count: 'int',
  request_settings: 'object',
  liveness_probe: 'object',
  readiness_probe: 'object',
  app_insights_enabled: 'bool',
  egress_public_network_access: 'string',
  scale_settings: 'object',
};

const PROBE_KEYS = ['initial_delay', 'timeout', 'period', 'success_threshold', 'failure_threshold'];
const REQUEST_KEYS = ['request_timeout_ms', 'max_concurrent_requests_per_instance', 'max_queue_wait_ms'];
const ROUTE_KEYS = ['liveness_route', 'readiness_route', 'scoring_route'];

/** What a deployment file can say; undefined fields keep the inputs' values. */
export interface DeploymentFileSettings {
  name?: string;
  endpointName?: string;
  description?: string;
  tags?: Record<string, string>;
  modelName?: string;
  modelPath?: string;
  modelType?: ModelType;
  modelMountPath?: string;
  environmentName?: string;
  imageRepository?: string;
  routes?: InferenceRoutes;
  environmentVariables?: Record<string, string>;
  instanceType?: string;
  instanceCount?: number;
  requestSettings?: Partial<RequestSettings>;
  livenessProbe?: Partial<ProbeSettings>;
  readinessProbe?: Partial<ProbeSettings>;
  notes: string[];
}

export function readDeploymentFile(text: string, file: string): DeploymentFileSettings {
  const y = parseAmlYaml(text, file, FIELDS);
  const get = <T>(k: string) => y.fields.get(k)?.value as T | undefined;
  const out: DeploymentFileSettings = { notes: [] };
  out.name = get<string>('name');
  out.endpointName = get<string>('endpoint_name');
  out.description = get<string>('description');
  out.tags = stringMap(get('tags'));
  out.environmentVariables = stringMap(get('environment_variables'));
  out.modelMountPath = get<string>('model_mount_path')?.trim();
  out.instanceType = get<string>('instance_type');
  out.instanceCount = get<number>('instance_count');
  Object.assign(out, mapModel(y, get('model')));
  Object.assign(out, mapEnvironment(y, get('environment')));
  const req = get<Record<string, unknown>>('request_settings');
  if (req) {
    checkNestedKeys(y, 'request_settings', req, REQUEST_KEYS);
    out.requestSettings = {
      requestTimeoutMs: num(req.request_timeout_ms),
      maxConcurrentRequestsPerInstance: num(req.max_concurrent_requests_per_instance),
      maxQueueWaitMs: num(req.max_queue_wait_ms),
    };
  }
  out.livenessProbe = probe(y, 'liveness_probe', get('liveness_probe'));
  out.readinessProbe = probe(y, 'readiness_probe', get('readiness_probe'));
  if (get('scale_settings')) out.notes.push(`${file}: scale_settings is not used for managed deployments; ignored.`);
  return out;
}

function mapModel(y: ParsedYaml, model: unknown): Partial<DeploymentFileSettings> {
  if (model === undefined) return {};
  if (typeof model === 'string') {
    // azureml:Name:Version or azureml:/subscriptions/.../models/Name/versions/V
    const short = /^azureml:([^:/]+)(?::([^:]+))?$/.exec(model);
    const long = /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(model);
    const name = short?.[1] ?? long?.[1];
    if (!name) {
      throw new UserInputError(`${y.file}: 'model: ${model}' is not an 'azureml:<name>:<version>' reference.`, {
        file: y.file,
        line: y.fields.get('model')?.line,
      });
    }
    return {
      modelName: name,
      notes: [`${y.file}: the model version is derived from the repository content; '${model}' gives the name '${name}'.`],
    };
  }
  const m = model as Record<string, unknown>;
  checkNestedKeys(y, 'model', m, ['name', 'version', 'path', 'local_path', 'type', 'model_format', 'description']);
  const type = (m.type ?? m.model_format) as string | undefined;
  let modelType: ModelType | undefined;
  if (type !== undefined) {
    const t = String(type).toLowerCase();
    if (t === 'triton_model' || t === 'triton') modelType = 'triton_model';
    else if (t === 'custom_model' || t === 'custom') modelType = 'custom_model';
    else {
      throw new UserInputError(`${y.file}: model type '${type}' is not 'triton_model' or 'custom_model'.`, {
        file: y.file,
        line: y.fields.get('model')?.line,
      });
    }
  }
  return {
    modelName: m.name as string | undefined,
    modelPath: (m.path ?? m.local_path) as string | undefined,
    modelType,
  };
}

function mapEnvironment(y: ParsedYaml, env: unknown): Partial<DeploymentFileSettings> {
  if (env === undefined) return {};
  if (typeof env === 'string') {
    throw new UserInputError(
      `${y.file}: 'environment: ${env}' refers to an existing environment; this action builds and registers the Triton image itself. Give 'environment' as a mapping (name, image, inference_config) or leave it out.`,
      { file: y.file, line: y.fields.get('environment')?.line },
    );
  }
  const e = env as Record<string, unknown>;
  checkNestedKeys(y, 'environment', e, ['name', 'version', 'image', 'inference_config', 'description', 'tags']);
  const out: Partial<DeploymentFileSettings> = { environmentName: e.name as string | undefined };
  if (typeof e.image === 'string') {
    // registry.azurecr.io/repo:tag -> repo; the action pushes its own content-addressed tag.
    const withoutRegistry = e.image.includes('/') ? e.image.slice(e.image.indexOf('/') + 1) : e.image;
    out.imageRepository = withoutRegistry.replace(/[:@].*$/, '');
  }
  const ic = e.inference_config as Record<string, Record<string, unknown>> | undefined;
  if (ic) {
    checkNestedKeys(y, 'environment', ic, ROUTE_KEYS);
    const route = (k: string) => ({ path: String(ic[k]?.path ?? ''), port: Number(ic[k]?.port ?? 0) });
    for (const k of ROUTE_KEYS) {
      if (!ic[k] || !ic[k].path || !Number.isInteger(Number(ic[k].port))) {
        throw new UserInputError(`${y.file}: environment.inference_config.${k} needs 'path' and 'port'.`, {
          file: y.file,
          line: y.fields.get('environment')?.line,
        });
      }
    }
    out.routes = { liveness: route('liveness_route'), readiness: route('readiness_route'), scoring: route('scoring_route') };
  }
  return out;
}

function probe(y: ParsedYaml, field: string, p: Record<string, unknown> | undefined): Partial<ProbeSettings> | undefined {
  if (!p) return undefined;
  checkNestedKeys(y, field, p, PROBE_KEYS);
  return {
    initialDelay: num(p.initial_delay),
    timeout: num(p.timeout),
    period: num(p.period),
    successThreshold: num(p.success_threshold),
    failureThreshold: num(p.failure_threshold),
  };
}

function num(v: unknown): number | undefined {
  return v === undefined ? undefined : Number(v);
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v) return undefined;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, val]) => [k, String(val)]));
}
