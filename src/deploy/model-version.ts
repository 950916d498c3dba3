/**
 * Registers the model version, or finds the version that already holds this content: versions are
 * tagged with the repository's content hash, so the same content never makes a second version.
 */
import type { ModelVersionProperties } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { ModelType } from '../config/action-config';
import { modelVersionId } from './arm-ids';

export const CONTENT_TAG = 'content-sha256';

export interface ModelVersionResult {
  name: string;
  version: string;
  id: string;
  created: boolean;
}

/** Read-only: the existing version with this content, if any, and the next free version number. */
export async function findModelVersion(clients: AzureClients, name: string, contentHash: string): Promise<{ existing?: string; next: string }> {
  const { resourceGroup, name: ws } = clients.workspace;
  let highest = 0;
  let existing: string | undefined;
  try {
    for await (const v of clients.ml.modelVersions.list(resourceGroup, ws, name)) {
      const n = Number(v.name);
      if (Number.isInteger(n)) highest = Math.max(highest, n);
      if (v.properties.tags?.[CONTENT_TAG] === contentHash && !v.properties.isArchived) existing = v.name;
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw azureError(`Listing versions of model '${name}'`, e);
  }
  return { existing, next: String(highest + 1) };
}

export async function ensureModelVersion(
  clients: AzureClients,
  args: { name: string; contentHash: string; modelUri: string; modelType: ModelType; tags: Record<string, string>; description: string },
): Promise<ModelVersionResult> {
  const { resourceGroup, name: ws } = clients.workspace;
  const found = await findModelVersion(clients, args.name, args.contentHash);
  if (found.existing) {
    return { name: args.name, version: found.existing, id: modelVersionId(clients.workspace, args.name, found.existing), created: false };
  }
  const body: ModelVersionProperties = {
    modelType: args.modelType,
    modelUri: args.modelUri,
    description: args.description,
    tags: { ...args.tags, [CONTENT_TAG]: args.contentHash },
  };
  try {
    await clients.ml.modelVersions.createOrUpdate(resourceGroup, ws, args.name, found.next, { properties: body });
  } catch (e) {
    throw azureError(`Registering model '${args.name}' version ${found.next}`, e);
  }
  return { name: args.name, version: found.next, id: modelVersionId(clients.workspace, args.name, found.next), created: true };
}
