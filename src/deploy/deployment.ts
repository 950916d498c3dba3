/** The online deployment: read, create (0% traffic), logs, delete. */
import type { OnlineDeployment } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { HintContext } from '../azure/error-hints';
import type { Log } from '../log';
import { retryOnConflict } from './conflict-retry';
import { waitWithHeartbeat } from './long-wait';

export interface DeploymentState {
  name: string;
  exists: boolean;
  provisioningState?: string;
  resource?: OnlineDeployment;
}

export async function readDeployment(clients: AzureClients, endpoint: string, name: string): Promise<DeploymentState> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    const d = await clients.ml.onlineDeployments.get(resourceGroup, ws, endpoint, name);
    return { name, exists: true, provisioningState: d.properties.provisioningState, resource: d };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return { name, exists: false };
    throw azureError(`Reading deployment '${name}' of endpoint '${endpoint}'`, e);
  }
}

export async function createDeployment(
  clients: AzureClients,
  endpoint: string,
  name: string,
  body: OnlineDeployment,
  signal: AbortSignal,
  log: Log,
  /** Makes failure hints concrete: the endpoint's identity, the image's registry. */
  hints?: HintContext,
): Promise<void> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    await retryOnConflict(`Deployment ${name} on endpoint ${endpoint}`, async () => {
      const poller = await clients.ml.onlineDeployments.beginCreateOrUpdate(resourceGroup, ws, endpoint, name, body, { abortSignal: signal });
      await waitWithHeartbeat(`deployment ${name}`, poller, signal, log);
    }, signal, log);
  } catch (e) {
    throw azureError(`Creating deployment '${name}' on endpoint '${endpoint}' (${body.properties.instanceType} x${body.sku?.capacity ?? 1})`, e, hints);
  }
}

export async function deploymentLogs(clients: AzureClients, endpoint: string, name: string): Promise<{ container: string; content: string }[]> {
  const { resourceGroup, name: ws } = clients.workspace;
  const out: { container: string; content: string }[] = [];
  for (const containerType of ['StorageInitializer', 'InferenceServer'] as const) {
    try {
      const logs = await clients.ml.onlineDeployments.getLogs(resourceGroup, ws, endpoint, name, { containerType, tail: 200 });
      out.push({ container: containerType, content: logs.content ?? '' });
    } catch (e) {
      out.push({ container: containerType, content: `(logs unavailable: ${(e as Error).message})` });
    }
  }
  return out;
}

export async function deleteDeployment(clients: AzureClients, endpoint: string, name: string, signal: AbortSignal, log: Log): Promise<void> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    const poller = await clients.ml.onlineDeployments.beginDelete(resourceGroup, ws, endpoint, name, { abortSignal: signal });
    await waitWithHeartbeat(`deleting ${name}`, poller, signal, log);
  } catch (e) {
    throw azureError(`Deleting deployment '${name}' of endpoint '${endpoint}'`, e);
  }
}

/** A deployment as retiring and the cost note need it. */
export interface DeploymentSummary {
  name: string;
  tags: Record<string, string>;
  instanceType?: string;
  instanceCount: number;
  provisioningState?: string;
}

export async function listDeployments(clients: AzureClients, endpoint: string): Promise<DeploymentSummary[]> {
  const { resourceGroup, name: ws } = clients.workspace;
  const out: DeploymentSummary[] = [];
  try {
    for await (const d of clients.ml.onlineDeployments.list(resourceGroup, ws, endpoint)) {
      if (!d.name) continue;
      out.push({
        name: d.name,
        tags: d.tags ?? {},
        instanceType: d.properties.instanceType,
        instanceCount: d.sku?.capacity ?? 1,
        provisioningState: d.properties.provisioningState,
      });
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw azureError(`Listing deployments of endpoint '${endpoint}'`, e);
  }
  return out;
}
