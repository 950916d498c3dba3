// An online deployment PUT body checked the way Azure ML checks it before accepting the PUT, and
// its properties with the defaults Azure fills in.
import { WorkspaceScope, parseAssetVersionId, sameWorkspace } from './arm-ids';
import { badArgument, objectOf, stringMap } from './arm-responses';
import { InstanceTypeCheck, SUGGESTED_CPU, SUGGESTED_GPU, checkInstanceType } from './instance-types';
import { AssetVersionRecord, DeploymentRecord } from './state';

const DEPLOYMENT_NAME = /^[A-Za-z][A-Za-z0-9-]{1,30}[A-Za-z0-9]$/;

const DEFAULT_PROBE = { failureThreshold: 30, successThreshold: 1, timeout: 'PT2S', period: 'PT10S', initialDelay: 'PT10S' };
const DEFAULT_REQUEST_SETTINGS = { maxConcurrentRequestsPerInstance: 1, maxQueueWait: 'PT0.5S', requestTimeout: 'PT5S' };

export interface AssetLookup {
  scope: WorkspaceScope;
  modelVersion(name: string, version: string): AssetVersionRecord | undefined;
  environmentVersion(name: string, version: string): AssetVersionRecord | undefined;
}

export interface DeploymentSpec {
  location: string;
  kind: string;
  tags: Record<string, string>;
  sku: DeploymentRecord['sku'];
  identity?: Record<string, unknown>;
  properties: Record<string, unknown>;
  instanceType: InstanceTypeCheck & { kind: 'supported' | 'retired' };
  model?: AssetVersionRecord;
  environment?: AssetVersionRecord;
}

function resolveAsset(id: unknown, field: string, kind: 'models' | 'environments', lookup: AssetLookup): AssetVersionRecord | undefined {
  if (id === undefined || id === null) return undefined;
  const ref = typeof id === 'string' ? parseAssetVersionId(id) : undefined;
  if (!ref || ref.kind !== kind) {
    throw badArgument(`properties.${field} must be the ARM id of a ${kind === 'models' ? 'model' : 'environment'} version (.../workspaces/{ws}/${kind}/{name}/versions/{version}); got ${JSON.stringify(id)}.`);
  }
  if (!sameWorkspace(ref, lookup.scope)) {
    throw badArgument(`properties.${field} '${id}' belongs to workspace '${ref.workspace}', not to this workspace '${lookup.scope.workspace}'.`);
  }
  const found = kind === 'models' ? lookup.modelVersion(ref.name, ref.version) : lookup.environmentVersion(ref.name, ref.version);
  if (!found) throw badArgument(`Could not find asset with ID: ${id}`);
  return found;
}

/** Enabled (the default) or Disabled, any casing (the enum is modelAsString); anything else is refused. */
function egressOf(value: unknown): 'Enabled' | 'Disabled' {
  if (value === undefined || value === null) return 'Enabled';
  const v = String(value).toLowerCase();
  if (v === 'enabled') return 'Enabled';
  if (v === 'disabled') return 'Disabled';
  throw badArgument(`properties.egressPublicNetworkAccess must be 'Enabled' or 'Disabled'; got ${JSON.stringify(value)}.`);
}

/** Validates a deployment PUT body; `existing` is the deployment it would update, if any. */
export function parseDeploymentSpec(name: string, body: Record<string, unknown>, existing: DeploymentRecord | undefined, lookup: AssetLookup): DeploymentSpec {
  if (!existing && !DEPLOYMENT_NAME.test(name)) {
    throw badArgument(`Deployment name '${name}' is invalid: use 3-32 letters, digits and '-', starting with a letter and not ending with '-'.`);
  }
  if (typeof body.location !== 'string' || body.location === '') throw badArgument('location is required.');
  const props = objectOf(body.properties);
  const computeType = String(props.endpointComputeType ?? '');
  if (computeType.toLowerCase() !== 'managed') {
    throw badArgument(`properties.endpointComputeType must be 'Managed' for a managed online endpoint; got ${JSON.stringify(props.endpointComputeType)}.`);
  }

  if (typeof props.instanceType !== 'string' || props.instanceType === '') throw badArgument('properties.instanceType is required for a managed online deployment.');
  const instanceType = checkInstanceType(props.instanceType);
  if (instanceType.kind === 'unknown') {
    throw badArgument(
      `Instance type '${props.instanceType}' is not supported for managed online deployments. ` +
        `GPU examples: ${SUGGESTED_GPU.join(', ')}; CPU examples: ${SUGGESTED_CPU.join(', ')}.`,
    );
  }
  if (existing && String(existing.properties.instanceType).toLowerCase() !== props.instanceType.toLowerCase()) {
    throw badArgument(`properties.instanceType cannot be changed on an existing deployment ('${String(existing.properties.instanceType)}' -> '${props.instanceType}'); create a new deployment.`);
  }

  const sku = objectOf(body.sku);
  const capacity = sku.capacity === undefined ? 1 : sku.capacity;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw badArgument(`sku.capacity (instance count) must be an integer of at least 1; got ${JSON.stringify(sku.capacity)}.`);
  }

  const model = resolveAsset(props.model, 'model', 'models', lookup);
  const environment = resolveAsset(props.environmentId, 'environmentId', 'environments', lookup);
  const modelType = model ? String(model.properties.modelType ?? '').toLowerCase() : '';
  // Triton "no-code" deployments (a triton_model without an environment) run Azure's own Triton image.
  if (!environment && !(modelType === 'triton_model' || modelType === 'tritonmodel')) {
    throw badArgument('properties.environmentId is required unless the model is a triton_model (no-code Triton deployment).');
  }

  const properties: Record<string, unknown> = {
    ...(typeof props.description === 'string' ? { description: props.description } : {}),
    properties: stringMap(props.properties, 'properties.properties'),
    endpointComputeType: 'Managed',
    instanceType: instanceType.name,
    ...(typeof props.model === 'string' ? { model: props.model } : {}),
    ...(typeof props.modelMountPath === 'string' ? { modelMountPath: props.modelMountPath } : {}),
    ...(typeof props.environmentId === 'string' ? { environmentId: props.environmentId } : {}),
    environmentVariables: stringMap(props.environmentVariables, 'properties.environmentVariables'),
    ...(props.codeConfiguration ? { codeConfiguration: props.codeConfiguration } : {}),
    appInsightsEnabled: props.appInsightsEnabled === true,
    egressPublicNetworkAccess: egressOf(props.egressPublicNetworkAccess),
    scaleSettings: props.scaleSettings ? props.scaleSettings : { scaleType: 'Default' },
    requestSettings: { ...DEFAULT_REQUEST_SETTINGS, ...objectOf(props.requestSettings) },
    livenessProbe: { ...DEFAULT_PROBE, ...objectOf(props.livenessProbe) },
    readinessProbe: { ...DEFAULT_PROBE, ...objectOf(props.readinessProbe) },
  };
  return {
    location: body.location,
    kind: typeof body.kind === 'string' ? body.kind : 'Managed',
    tags: stringMap(body.tags, 'tags'),
    sku: { name: typeof sku.name === 'string' ? sku.name : 'Default', tier: 'Standard', capacity },
    ...(body.identity ? { identity: objectOf(body.identity) } : {}),
    properties,
    instanceType,
    model,
    environment,
  };
}
