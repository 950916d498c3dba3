/**
 * Registers the model version, or finds the version that already holds this content: versions are
 * tagged with the repository's content hash, so the same content never makes a second version.
 *
 * New versions are numbered as azure-ai-ml numbers them (`_create_or_update_autoincrement` in
 * azure/ai/ml/_utils/_asset_utils.py): the container's `nextVersion`, which counts archived versions
 * too (a version list shows only active ones by default), and on a 409 (another pipeline took that
 * number first) the next number, up to MAX_AUTOINCREMENT_ATTEMPTS = 3 tries as there.
 */
import type { ModelVersionProperties } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { ModelType } from '../config/action-config';
import { modelVersionId } from './arm-ids';

export const CONTENT_TAG = 'content-sha256';
const MAX_ATTEMPTS = 3;

export interface ModelVersionResult {
  name: string;
  version: string;
  id: string;
  created: boolean;
}

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

/** The number to try after `tried` was taken: the container's nextVersion when it has moved past it. Pure. */
export function versionAfterConflict(tried: string, containerNext: string | undefined): string {
  const next = Number(containerNext);
  const after = Number(tried) + 1;
  return String(Number.isInteger(next) && next > after ? next : after);
}

/** The container's nextVersion ('1' when the model does not exist yet). */
async function containerNextVersion(clients: AzureClients, name: string): Promise<string> {
  const { resourceGroup, name: ws } = clients.workspace;
  try {
    const c = await clients.ml.modelContainers.get(resourceGroup, ws, name);
    if (c.properties.nextVersion) return c.properties.nextVersion;
  } catch (e) {
    if (statusOf(e) === 404) return '1';
    throw azureError(`Reading model '${name}'`, e);
  }
  // A container without nextVersion (not seen on Azure; the spec marks it nullable): the highest number + 1, archived included.
  let highest = 0;
  try {
    for await (const v of clients.ml.modelVersions.list(resourceGroup, ws, name, { listViewType: 'All' })) {
      const n = Number(v.name);
      if (Number.isInteger(n)) highest = Math.max(highest, n);
    }
  } catch (e) {
    throw azureError(`Listing versions of model '${name}'`, e);
  }
  return String(highest + 1);
}

/** Read-only: the active version with this content, if any, and the number a new version would get. */
export async function findModelVersion(clients: AzureClients, name: string, contentHash: string): Promise<{ existing?: string; next: string }> {
  const { resourceGroup, name: ws } = clients.workspace;
  let existing: string | undefined;
  try {
    // Active versions only (the list's default): an archived version is not reused.
    for await (const v of clients.ml.modelVersions.list(resourceGroup, ws, name)) {
      if (v.properties.tags?.[CONTENT_TAG] === contentHash && !v.properties.isArchived && v.name) existing = v.name;
    }
  } catch (e) {
    if (statusOf(e) !== 404) throw azureError(`Listing versions of model '${name}'`, e);
  }
  return { existing, next: existing ? '' : await containerNextVersion(clients, name) };
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
  let version = found.next;
  for (let attempt = 1; ; attempt++) {
    try {
      await clients.ml.modelVersions.createOrUpdate(resourceGroup, ws, args.name, version, { properties: body });
      return { name: args.name, version, id: modelVersionId(clients.workspace, args.name, version), created: true };
    } catch (e) {
      if (statusOf(e) !== 409 || attempt >= MAX_ATTEMPTS) {
        throw azureError(`Registering model '${args.name}' version ${version}${attempt > 1 ? ` (attempt ${attempt} of ${MAX_ATTEMPTS})` : ''}`, e);
      }
      version = versionAfterConflict(version, await containerNextVersion(clients, args.name));
    }
  }
}
