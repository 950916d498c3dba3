/** The online endpoint: read, create when missing (with no traffic), keys, traffic updates. */
import type { OnlineEndpoint } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { EndpointSettings } from '../config/action-config';
import type { Log } from '../log';
import { retryOnConflict } from './conflict-retry';
import { waitWithHeartbeat } from './long-wait';

export interface EndpointState {
  name: string;
  exists: boolean;
  provisioningState?: string;
  scoringUri?: string;
  authMode?: string;
  traffic: Record<string, number>;
  resource?: OnlineEndpoint;
}

export async function readEndpoint(clients: AzureClients, name: string): Promise<EndpointState> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    const ep = await clients.ml.onlineEndpoints.get(resourceGroup, ws, name);
    return {
      name,
      exists: true,
      provisioningState: ep.properties.provisioningState,
      scoringUri: ep.properties.scoringUri,
      authMode: ep.properties.authMode,
      traffic: { ...(ep.properties.traffic ?? {}) },
      resource: ep,
    };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return { name, exists: false, traffic: {} };
    throw azureError(`Reading endpoint '${name}'`, e);
  }
}

export async function createEndpoint(
  clients: AzureClients,
  settings: EndpointSettings,
  location: string,
  tags: Record<string, string>,
  signal: AbortSignal,
  log: Log,
  /** Called once Azure has accepted the PUT: the endpoint exists from then on, even if the wait is cancelled. */
  accepted: () => void = () => undefined,
): Promise<EndpointState> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    await retryOnConflict(`Endpoint ${settings.name}`, async () => {
      const poller = await clients.ml.onlineEndpoints.beginCreateOrUpdate(resourceGroup, ws, settings.name, {
        location,
        tags: { ...settings.tags, ...tags },
        identity: { type: 'SystemAssigned' },
        properties: {
          authMode: settings.authMode === 'key' ? 'Key' : 'AMLToken',
          description: settings.description ?? 'Triton object-detection endpoint (aml-triton-deploy)',
          traffic: {},
        },
      }, { abortSignal: signal });
      accepted();
      await waitWithHeartbeat(`endpoint ${settings.name}`, poller, signal, log);
    }, signal, log);
  } catch (e) {
    throw azureError(`Creating endpoint '${settings.name}'`, e);
  }
  return readEndpoint(clients, settings.name);
}

/**
 * The credential the smoke test sends: the primary key, or an AML token for aml_token endpoints.
 * Every secret of the answer is masked as it arrives, the secondary key too: it is in memory now.
 */
export async function endpointCredential(clients: AzureClients, endpoint: EndpointState, mask: (secret: string) => void): Promise<string> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    if ((endpoint.authMode ?? 'Key').toLowerCase() === 'key') {
      const keys = await clients.ml.onlineEndpoints.listKeys(resourceGroup, ws, endpoint.name);
      for (const k of [keys.primaryKey, keys.secondaryKey]) if (k) mask(k);
      if (!keys.primaryKey) throw new Error('the endpoint returned no key');
      return keys.primaryKey;
    }
    const token = await clients.ml.onlineEndpoints.getToken(resourceGroup, ws, endpoint.name);
    if (token.accessToken) mask(token.accessToken);
    if (!token.accessToken) throw new Error('the endpoint returned no token');
    return token.accessToken;
  } catch (e) {
    throw azureError(`Reading the credentials of endpoint '${endpoint.name}'`, e);
  }
}
