/** The ARM body of a managed online deployment (api-version 2022-10-01), built from the settings. Pure. */
import type { ManagedOnlineDeployment, OnlineDeployment } from '@azure/arm-machinelearning';
import type { DeploymentSettings, ModelType, ProbeSettings, ScaleSettings } from '../config/action-config';
import { SETTINGS_TAG, settingsFingerprint } from './deployment-name';

/** Seconds -> ISO 8601 duration, as the 2022-10-01 API expresses probe and request times. */
export function isoSeconds(seconds: number): string {
  return `PT${Number.isInteger(seconds) ? seconds : seconds.toFixed(3)}S`;
}

function probe(p: ProbeSettings) {
  return {
    initialDelay: isoSeconds(p.initialDelay),
    period: isoSeconds(p.period),
    timeout: isoSeconds(p.timeout),
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
  };
}

function scale(s: ScaleSettings | undefined): ManagedOnlineDeployment['scaleSettings'] {
  if (!s || s.scaleType === 'Default') return { scaleType: 'Default' };
  return {
    scaleType: 'TargetUtilization',
    minInstances: s.minInstances,
    maxInstances: s.maxInstances,
    pollingInterval: s.pollingIntervalSeconds === undefined ? undefined : isoSeconds(s.pollingIntervalSeconds),
    targetUtilizationPercentage: s.targetUtilizationPercentage,
  } as ManagedOnlineDeployment['scaleSettings'];
}

/** Every setting the 2022-10-01 ManagedOnlineDeployment takes; unset optional ones are left to Azure's defaults. */
export function deploymentBody(args: {
  settings: DeploymentSettings;
  location: string;
  modelId: string;
  modelType: ModelType;
  environmentId?: string;
  tags: Record<string, string>;
}): OnlineDeployment {
  const s = args.settings;
  const properties: ManagedOnlineDeployment = {
    endpointComputeType: 'Managed',
    description: s.description ?? 'Triton object-detection deployment (aml-triton-deploy)',
    model: args.modelId,
    instanceType: s.instanceType,
    environmentVariables: Object.keys(s.environmentVariables).length ? s.environmentVariables : undefined,
    requestSettings: {
      requestTimeout: isoSeconds(s.requestSettings.requestTimeoutMs / 1000),
      maxConcurrentRequestsPerInstance: s.requestSettings.maxConcurrentRequestsPerInstance,
      maxQueueWait: isoSeconds(s.requestSettings.maxQueueWaitMs / 1000),
    },
    livenessProbe: probe(s.livenessProbe),
    readinessProbe: probe(s.readinessProbe),
    scaleSettings: scale(s.scaleSettings),
    properties: s.properties && Object.keys(s.properties).length ? s.properties : undefined,
    appInsightsEnabled: s.appInsightsEnabled,
    egressPublicNetworkAccess: s.egressPublicNetworkAccess,
  };
  // A no-code triton_model deployment runs Azure ML's curated Triton image: no environment, no mount path.
  if (args.modelType === 'custom_model') {
    properties.environmentId = args.environmentId;
    properties.modelMountPath = s.modelMountPath;
  }
  return {
    location: args.location,
    tags: { ...s.tags, ...args.tags, [SETTINGS_TAG]: settingsFingerprint(s, args.modelType) },
    sku: { name: 'Default', capacity: s.instanceCount },
    properties,
  };
}
