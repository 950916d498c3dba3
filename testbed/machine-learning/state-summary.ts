// `GET /_testbed/ml/state`: what exists, in a shape tests can assert on directly.
import { AssetContainerRecord, MlState } from './state';

export interface MlStateSummary {
  endpoints: {
    name: string;
    authMode: string;
    provisioningState: string;
    traffic: Record<string, number>;
    tags: Record<string, string>;
    deployments: {
      name: string;
      provisioningState: string;
      error?: { code: string; message: string };
      model?: string;
      environmentId?: string;
      instanceType: string;
      instanceCount: number;
      tags: Record<string, string>;
      egressPublicNetworkAccess: unknown;
      appInsightsEnabled: unknown;
    }[];
  }[];
  models: { name: string; versions: { version: string; modelType: unknown; modelUri: unknown; tags: unknown }[] }[];
  environments: { name: string; versions: { version: string; image: unknown; inferenceConfig: unknown; tags: unknown }[] }[];
  timing: MlState['timing'];
  pendingProvisioningFailures: { deployment: string; code: string; remaining: number }[];
}

function versionsOf<T>(c: AssetContainerRecord, f: (version: string, p: Record<string, unknown>) => T): T[] {
  return [...c.versions.values()].map((v) => f(v.version, v.properties));
}

export function summarizeState(state: MlState): MlStateSummary {
  return {
    endpoints: [...state.endpoints.values()].map((e) => ({
      name: e.name,
      authMode: e.authMode,
      provisioningState: e.provisioningState,
      traffic: e.traffic,
      tags: e.tags,
      deployments: [...e.deployments.values()].map((d) => ({
        name: d.name,
        provisioningState: d.provisioningState,
        ...(d.error ? { error: d.error } : {}),
        ...(typeof d.properties.model === 'string' ? { model: d.properties.model } : {}),
        ...(typeof d.properties.environmentId === 'string' ? { environmentId: d.properties.environmentId } : {}),
        instanceType: String(d.properties.instanceType),
        instanceCount: d.sku.capacity,
        tags: d.tags,
        egressPublicNetworkAccess: d.properties.egressPublicNetworkAccess,
        appInsightsEnabled: d.properties.appInsightsEnabled,
      })),
    })),
    models: [...state.models.values()].map((c) => ({
      name: c.name,
      versions: versionsOf(c, (version, p) => ({ version, modelType: p.modelType, modelUri: p.modelUri, tags: p.tags })),
    })),
    environments: [...state.environments.values()].map((c) => ({
      name: c.name,
      versions: versionsOf(c, (version, p) => ({ version, image: p.image, inferenceConfig: p.inferenceConfig, tags: p.tags })),
    })),
    timing: state.timing,
    pendingProvisioningFailures: state.provisioningFailures.map((f) => ({ deployment: f.deployment.source, code: f.code, remaining: f.remaining })),
  };
}
