/** What the action needs to know about the workspace: region, registry, default blob datastore. */
import type { AzureBlobDatastore } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';

export interface DatastoreInfo {
  name: string;
  accountName: string;
  containerName: string;
  endpointSuffix: string;
  protocol: string;
  /** 'AccountKey', 'Sas', 'None' (identity-based), ...: whether listSecrets has anything to give. */
  credentialsType?: string;
}

export interface WorkspaceInfo {
  location: string;
  registryName?: string;
  /** The workspace's `containerRegistry`: a full ARM id, often in another resource group or subscription. */
  registryId?: string;
  datastore: DatastoreInfo;
}

export async function readWorkspace(clients: AzureClients): Promise<WorkspaceInfo> {
  const { resourceGroup, name } = clients.workspace;
  const ws = await clients.ml.workspaces.get(resourceGroup, name).catch((e) => {
    throw azureError(`Reading workspace '${name}' in resource group '${resourceGroup}'`, e);
  });
  const registryId = ws.containerRegistry;
  let datastore: DatastoreInfo | undefined;
  try {
    for await (const ds of clients.ml.datastores.list(resourceGroup, name, { isDefault: true })) {
      const p = ds.properties as AzureBlobDatastore;
      if (p.datastoreType === 'AzureBlob' && p.accountName && p.containerName) {
        datastore = {
          name: ds.name ?? 'workspaceblobstore',
          accountName: p.accountName,
          containerName: p.containerName,
          endpointSuffix: p.endpoint ?? 'core.windows.net',
          protocol: p.protocol ?? 'https',
          credentialsType: p.credentials?.credentialsType,
        };
        break;
      }
    }
  } catch (e) {
    throw azureError(`Listing the default datastore of workspace '${name}'`, e);
  }
  if (!datastore) {
    throw azureError(`Finding the default datastore of workspace '${name}'`, new Error('the workspace has no default Azure Blob datastore'));
  }
  return {
    location: ws.location ?? '',
    registryName: registryId ? registryId.split('/').pop() : undefined,
    registryId: registryId ?? undefined,
    datastore,
  };
}
