/**
 * The official SDK clients, all sharing one pipeline policy that logs each call at debug level
 * (method, path, status, request id; never headers or bodies), and the call limits (a per-try timeout
 * and the abort signal of the scope the call runs in: src/azure/call-limits.ts). Retries and
 * Retry-After throttling come from the SDK's own default policies, with the same options everywhere;
 * createSharedPipeline gives a hand-written client (Custom Vision, docs/adr/012-custom-vision-client.md)
 * the same pipeline.
 */
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/identity';
import { createPipelineFromOptions, type Pipeline, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { AzureCloud, Workspace } from '../config/action-config';
import { REGISTRY_API_VERSION } from './api-versions';
import { callLimitPolicies, DEFAULT_TRY_TIMEOUT_MS } from './call-limits';
import type { Log } from '../log';

export interface AzureClients {
  ml: AzureMachineLearningWorkspaces;
  /** Registries in the workspace's subscription. */
  acr: ContainerRegistryManagementClient;
  /** Registries in any subscription (a workspace's registry may live in another one). */
  acrIn(subscriptionId: string): ContainerRegistryManagementClient;
  credential: TokenCredential;
  cloud: AzureCloud;
  workspace: Workspace;
  /** Counts the calls made, for the summary. */
  calls: { count: number };
  /** The call-log policy, for clients built on @azure/core-rest-pipeline (ACR Tasks). */
  callLog: PipelinePolicy;
}

/** Every client's retries: the SDK's exponential retry (408, 5xx, network errors) and Retry-After throttling (429, 503). */
export const RETRY_OPTIONS = { maxRetries: 5 };

/** One debug line per try (the policy sits after the retry policy): method, path, status, time, request id. */
export function callLogPolicy(log: Log, calls: { count: number }): PipelinePolicy {
  return {
    name: 'aml-triton-deploy-call-log',
    async sendRequest(request, next) {
      const started = Date.now();
      calls.count++;
      const url = new URL(request.url);
      try {
        const response = await next(request);
        log.debug(`${request.method} ${url.pathname} -> ${response.status} in ${Date.now() - started} ms (x-ms-request-id ${response.headers.get('x-ms-request-id') ?? response.headers.get('apim-request-id') ?? '-'})`);
        return response;
      } catch (e) {
        log.debug(`${request.method} ${url.pathname} -> ${(e as Error).message}`);
        throw e;
      }
    },
  };
}

/**
 * The SDK clients' pipeline for a hand-written client: the SDK's default policies with RETRY_OPTIONS,
 * the call limits and the call log placed as the SDK clients place them, and `perRetry` policies of
 * the client's own after them.
 */
export function createSharedPipeline(log: Log, { perRetry = [], calls = { count: 0 }, tryTimeoutMs = DEFAULT_TRY_TIMEOUT_MS }: { perRetry?: PipelinePolicy[]; calls?: { count: number }; tryTimeoutMs?: number } = {}): Pipeline {
  const pipeline = createPipelineFromOptions({ retryOptions: RETRY_OPTIONS });
  // As @azure/core-client adds additionalPolicies: perCall before the retry policy, perRetry after it.
  for (const { policy, position } of [...callLimitPolicies(tryTimeoutMs), ...[callLogPolicy(log, calls), ...perRetry].map((policy) => ({ policy, position: 'perRetry' as const }))]) {
    pipeline.addPolicy(policy, { afterPhase: position === 'perRetry' ? 'Sign' : undefined });
  }
  return pipeline;
}

export function createAzureClients(credential: TokenCredential, cloud: AzureCloud, workspace: Workspace, log: Log, tryTimeoutMs = DEFAULT_TRY_TIMEOUT_MS): AzureClients {
  const calls = { count: 0 };
  const logging = callLogPolicy(log, calls);
  const options = {
    endpoint: cloud.resourceManagerEndpoint,
    credentialScopes: [`${cloud.resourceManagerAudience.replace(/\/+$/, '')}/.default`],
    additionalPolicies: [...callLimitPolicies(tryTimeoutMs), { policy: logging, position: 'perRetry' as const }],
    retryOptions: RETRY_OPTIONS,
  };
  // Pinned to the api-version of the vendored spec the test bed checks against (docs/adr/002-api-versions.md).
  const acrClient = (subscriptionId: string) =>
    new ContainerRegistryManagementClient(credential, subscriptionId, {
      endpoint: options.endpoint,
      apiVersion: REGISTRY_API_VERSION,
      credentials: { scopes: options.credentialScopes },
      additionalPolicies: options.additionalPolicies,
      retryOptions: options.retryOptions,
    });
  const acr = acrClient(workspace.subscriptionId);
  return {
    ml: new AzureMachineLearningWorkspaces(credential, workspace.subscriptionId, options),
    acr,
    acrIn: (subscriptionId) => (subscriptionId.toLowerCase() === workspace.subscriptionId.toLowerCase() ? acr : acrClient(subscriptionId)),
    credential,
    cloud,
    workspace,
    calls,
    callLog: logging,
  };
}
