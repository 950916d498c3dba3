/**
 * The official SDK clients, all sharing one pipeline policy that logs each call at debug level
 * (method, path, status, request id; never headers or bodies), and the call limits (a per-try timeout
 * and the abort signal of the scope the call runs in: src/azure/call-limits.ts). Retries and
 * Retry-After throttling come from the SDK's own default policies.
 */
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ContainerRegistryManagementClient } from '@azure/arm-containerregistry';
import type { TokenCredential } from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
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

export function createAzureClients(credential: TokenCredential, cloud: AzureCloud, workspace: Workspace, log: Log, tryTimeoutMs = DEFAULT_TRY_TIMEOUT_MS): AzureClients {
  const calls = { count: 0 };
  const logging: PipelinePolicy = {
    name: 'aml-triton-deploy-call-log',
    async sendRequest(request, next) {
      const started = Date.now();
      calls.count++;
      const url = new URL(request.url);
      try {
        const response = await next(request);
        log.debug(`${request.method} ${url.pathname} -> ${response.status} in ${Date.now() - started} ms (x-ms-request-id ${response.headers.get('x-ms-request-id') ?? '-'})`);
        return response;
      } catch (e) {
        log.debug(`${request.method} ${url.pathname} -> ${(e as Error).message}`);
        throw e;
      }
    },
  };
  const options = {
    endpoint: cloud.resourceManagerEndpoint,
    credentialScopes: [`${cloud.resourceManagerAudience.replace(/\/+$/, '')}/.default`],
    additionalPolicies: [...callLimitPolicies(tryTimeoutMs), { policy: logging, position: 'perRetry' as const }],
    retryOptions: { maxRetries: 5 },
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
