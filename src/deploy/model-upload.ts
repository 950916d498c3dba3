/**
 * Uploads a model repository to the workspace's default datastore under a content-addressed path
 * (triton-models/<content hash>/), so an unchanged repository is never uploaded twice and a
 * half-finished upload is completed by the next run.
 */
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential, AnonymousCredential, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import { DEFAULT_TRY_TIMEOUT_MS, storageCallLimits } from '../azure/call-limits';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { ModelRepository } from '../model-repository/validate-model-repository';
import type { Log } from '../log';
import type { DatastoreInfo } from './workspace-info';
import { runWithinBudget, UPLOAD_BLOCK_CONCURRENCY, UPLOAD_BLOCK_SIZE, UPLOAD_LIMITS } from './upload-pool';
import {
  ChosenStorageCredential,
  DEFAULT_STORAGE_AUDIENCE,
  StorageCredentialKind,
  chooseStorageCredential,
  describeCredential,
  isKeyAccessDisabled,
  storageScope,
} from './datastore-credential';
import { storagePipeline } from './storage-throttling';

export interface UploadResult {
  /** Path inside the datastore container, without a trailing slash. */
  datastorePath: string;
  uploadedFiles: number;
  uploadedBytes: number;
  skippedFiles: number;
  /** What the upload signed its requests with. */
  credential: StorageCredentialKind;
}

export function datastorePathFor(repo: ModelRepository): string {
  // The last folder name is kept under model_mount_path, so the image can name the repository without knowing the hash.
  return `triton-models/${repo.contentHash.slice(0, 32)}/model_repository`;
}

export function blobServiceUrl(datastore: DatastoreInfo, override?: string): string {
  if (override) return override.replace('{account}', datastore.accountName).replace(/\/+$/, '');
  return `${datastore.protocol}://${datastore.accountName}.blob.${datastore.endpointSuffix}`;
}

export async function uploadModelRepository(
  clients: AzureClients,
  datastore: DatastoreInfo,
  repo: ModelRepository,
  blobEndpointOverride: string | undefined,
  maskSecret: (s: string) => void,
  log: Log,
): Promise<UploadResult> {
  let { container, chosen } = await containerClient(clients, datastore, blobEndpointOverride, maskSecret);
  const prefix = datastorePathFor(repo);
  const listExisting = async (c: ContainerClient): Promise<Map<string, number>> => {
    const found = new Map<string, number>();
    for await (const b of c.listBlobsFlat({ prefix: `${prefix}/` })) found.set(b.name, b.properties.contentLength ?? -1);
    return found;
  };
  let existing: Map<string, number>;
  try {
    existing = await listExisting(container);
  } catch (e) {
    // Key and SAS requests are refused when the account has shared keys disabled: the identity may still write.
    if (chosen.kind === 'identity' || !isKeyAccessDisabled(e)) {
      throw azureError(`Listing blobs under '${prefix}' in container '${datastore.containerName}' with ${describeCredential(chosen.kind)}`, e);
    }
    ({ container, chosen } = identityContainer(clients, datastore, blobEndpointOverride, `storage account '${datastore.accountName}' refused ${describeCredential(chosen.kind)} (shared key access is disabled)`));
    try {
      existing = await listExisting(container);
    } catch (e2) {
      throw azureError(`Listing blobs under '${prefix}' in container '${datastore.containerName}' with the identity`, e2);
    }
  }
  log.info(`Datastore '${datastore.name}': uploading with ${describeCredential(chosen.kind)} (${chosen.reason}).`);
  const missing = repo.files.filter((f) => existing.get(`${prefix}/${f.path}`) !== f.size);
  let uploadedBytes = 0;
  // Sized by the files (upload-pool.ts): many small ones in flight, large ones in parallel blocks within a byte budget.
  await runWithinBudget(missing, (f) => f.size, UPLOAD_LIMITS, async (f) => {
    const blob = container.getBlockBlobClient(`${prefix}/${f.path}`);
    try {
      await blob.uploadFile(path.join(repo.root, f.path), {
        blockSize: UPLOAD_BLOCK_SIZE,
        concurrency: UPLOAD_BLOCK_CONCURRENCY,
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        metadata: { sha256: f.sha256 },
      });
    } catch (e) {
      throw azureError(`Uploading '${f.path}' to '${datastore.name}/${prefix}'`, e);
    }
    uploadedBytes += f.size;
    log.debug(`uploaded ${f.path} (${f.size} bytes)`);
  });
  return { datastorePath: prefix, uploadedFiles: missing.length, uploadedBytes, skippedFiles: repo.files.length - missing.length, credential: chosen.kind };
}

/** The container client with the credential chosen for this datastore, and what was chosen. */
export async function containerClient(
  clients: AzureClients,
  ds: DatastoreInfo,
  override: string | undefined,
  maskSecret: (s: string) => void,
): Promise<{ container: ContainerClient; chosen: ChosenStorageCredential }> {
  const { resourceGroup, name } = clients.workspace;
  const url = blobServiceUrl(ds, override);
  let chosen: ChosenStorageCredential;
  try {
    chosen = await chooseStorageCredential({
      datastoreName: ds.name,
      credentialsType: ds.credentialsType,
      listSecrets: () => clients.ml.datastores.listSecrets(resourceGroup, name, ds.name),
      identity: clients.credential,
      storageAudience: clients.cloud.storageAudience ?? DEFAULT_STORAGE_AUDIENCE,
      mask: maskSecret,
    });
  } catch (e) {
    throw azureError(`Reading the credentials of datastore '${ds.name}'`, e);
  }
  return { container: serviceFor(url, ds.accountName, chosen).getContainerClient(ds.containerName), chosen };
}

function serviceFor(url: string, accountName: string, chosen: ChosenStorageCredential): BlobServiceClient {
  switch (chosen.kind) {
    case 'account key':
      return new BlobServiceClient(url, limitedPipeline(new StorageSharedKeyCredential(accountName, chosen.key)));
    case 'SAS':
      return new BlobServiceClient(`${url}?${chosen.sasToken}`, limitedPipeline(new AnonymousCredential()));
    case 'identity':
      // The deploying identity needs 'Storage Blob Data Contributor' on the account or container.
      return new BlobServiceClient(url, limitedPipeline(chosen.credential, { audience: chosen.scope }));
  }
}

/** The storage pipeline with the call limits every Azure call has (src/azure/call-limits.ts). */
function limitedPipeline(credential: StorageSharedKeyCredential | AnonymousCredential | TokenCredential, options: StoragePipelineOptions = {}) {
  // Throttling retries (429) outside, the per-try limits inside.
  const pipeline = storagePipeline(credential, options);
  pipeline.factories.push(storageCallLimits(DEFAULT_TRY_TIMEOUT_MS));
  return pipeline;
}

/** The identity, for when the account turns out to refuse keys and SAS (allowSharedKeyAccess: false). */
export function identityContainer(clients: AzureClients, ds: DatastoreInfo, override: string | undefined, reason: string): { container: ContainerClient; chosen: ChosenStorageCredential } {
  const chosen: ChosenStorageCredential = {
    kind: 'identity',
    credential: clients.credential,
    scope: storageScope(clients.cloud.storageAudience ?? DEFAULT_STORAGE_AUDIENCE),
    reason,
  };
  return { container: serviceFor(blobServiceUrl(ds, override), ds.accountName, chosen).getContainerClient(ds.containerName), chosen };
}
