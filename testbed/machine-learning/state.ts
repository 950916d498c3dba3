// In-memory state of the one emulated workspace. Names are case-insensitive in Azure ML, so maps
// are keyed by the lower-cased name and records keep the spelling the client created them with.
import { SystemData } from './arm-responses';
import { QuotaState, defaultQuota } from './quota';
import { InferenceServer } from './triton-runtime';

export interface AssetVersionRecord {
  name: string;
  version: string;
  /** The `properties` object as the API returns it (description, tags, modelUri, image, ...). */
  properties: Record<string, unknown>;
  systemData: SystemData;
}

export interface AssetContainerRecord {
  name: string;
  description?: string;
  tags: Record<string, string>;
  properties: Record<string, string>;
  isArchived: boolean;
  systemData: SystemData;
  versions: Map<string, AssetVersionRecord>;
}

export type EndpointState = 'Creating' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed';
export type DeploymentState = 'Creating' | 'Updating' | 'Scaling' | 'Deleting' | 'Succeeded' | 'Failed';

export interface EndpointRecord {
  name: string;
  location: string;
  kind: string;
  tags: Record<string, string>;
  identity: Record<string, unknown>;
  /** Request properties kept as sent (description, properties, compute, publicNetworkAccess). */
  properties: Record<string, unknown>;
  authMode: 'Key' | 'AMLToken' | 'AADToken';
  traffic: Record<string, number>;
  keys: { primaryKey: string; secondaryKey: string };
  amlTokens: Map<string, number>;
  provisioningState: EndpointState;
  systemData: SystemData;
  deployments: Map<string, DeploymentRecord>;
  /** Reads that still show the traffic from before the last traffic change (replica lag). */
  staleReads?: { traffic: Record<string, number>; remaining: number };
  /** Another client's update that starts just before this endpoint's next write, lasting this long (ms). */
  busyOnNextWrite?: number;
}

export interface DeploymentLogs {
  storageInitializer: string[];
  inferenceServer: string[];
}

export interface DeploymentRecord {
  name: string;
  endpointName: string;
  location: string;
  kind: string;
  tags: Record<string, string>;
  sku: { name: string; tier?: string; size?: string; family?: string; capacity: number };
  identity?: Record<string, unknown>;
  /** OnlineDeployment properties as the API returns them, without provisioningState. */
  properties: Record<string, unknown>;
  provisioningState: DeploymentState;
  error?: { code: string; message: string };
  systemData: SystemData;
  /** Bumped by every PUT; a provisioning run whose generation is stale drops its result. */
  generation: number;
  logs: DeploymentLogs;
  server?: InferenceServer;
  modelDir?: string;
}

export interface ScriptedProvisioningFailure {
  deployment: RegExp;
  code: string;
  message?: string;
  remaining: number;
}

/** A deployment whose inference starts failing: now, or once the endpoint gives it a share of traffic. */
export interface ScoringFault {
  deployment: RegExp;
  status: number;
  when: 'now' | 'with-traffic';
}

export interface MlTiming {
  /** Minimum time a deployment create/update takes before it reports its outcome. */
  provisioningMs: number;
  /** Time an endpoint create/update/delete and a deployment scale/delete take. */
  endpointProvisioningMs: number;
  /** Retry-After on 201 and in-progress status responses (202s carry it only when >= 10, the spec's minimum). */
  retryAfterSeconds: number;
}

export class MlState {
  readonly models = new Map<string, AssetContainerRecord>();
  readonly environments = new Map<string, AssetContainerRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly provisioningFailures: ScriptedProvisioningFailure[] = [];
  readonly scoringFaults: ScoringFault[] = [];
  timing: MlTiming = { provisioningMs: 1000, endpointProvisioningMs: 200, retryAfterSeconds: 1 };
  quota: QuotaState = defaultQuota();
  /** How many endpoint GETs after a traffic change still show the old traffic (0: reads are current). */
  endpointReadLag = 0;

  endpoint(name: string): EndpointRecord | undefined {
    return this.endpoints.get(name.toLowerCase());
  }

  deployment(endpointName: string, name: string): DeploymentRecord | undefined {
    return this.endpoint(endpointName)?.deployments.get(name.toLowerCase());
  }

  /** Consumes the first scripted failure whose pattern matches the deployment name. */
  takeProvisioningFailure(deploymentName: string): ScriptedProvisioningFailure | undefined {
    const index = this.provisioningFailures.findIndex((f) => f.deployment.test(deploymentName));
    if (index < 0) return undefined;
    const failure = this.provisioningFailures[index];
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.provisioningFailures.splice(index, 1);
    return failure;
  }
}

/** A name or a regex source: names match exactly (case-insensitive), anything with regex syntax as a regex. */
export function deploymentMatcher(pattern: string): RegExp {
  if (/^[A-Za-z0-9_-]+$/.test(pattern)) return new RegExp(`^${pattern}$`, 'i');
  return new RegExp(pattern, 'i');
}
