/**
 * Uploads a model repository to the workspace's default datastore under a content-addressed path
 * (triton-models/<content hash>/), so an unchanged repository is never uploaded twice and a
 * half-finished upload is completed by the next run.
 */
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential, AnonymousCredential } from '@azure/storage-blob';
import type { AccountKeyDatastoreSecrets, SasDatastoreSecrets } from '@azure/arm-machinelearning';
import type { AzureClients } from '../azure/clients';
import { azureError } from '../azure/azure-errors';
import type { ModelRepository } from '../model-repository/validate-model-repository';
import type { Log } from '../log';
import type { DatastoreInfo } from './workspace-info';

export interface UploadResult {
  /** Path inside the datastore container, without a trailing slash. */
  datastorePath: string;
  uploadedFiles: number;
  uploadedBytes: number;
  skippedFiles: number;
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
  const container = await containerClient(clients, datastore, blobEndpointOverride, maskSecret);
  const prefix = datastorePathFor(repo);
  const existing = new Map<string, number>();
  try {
    for await (const b of container.listBlobsFlat({ prefix: `${prefix}/` })) {
      existing.set(b.name, b.properties.contentLength ?? -1);
    }
  } catch (e) {
    throw azureError(`Listing blobs under '${prefix}' in container '${datastore.containerName}'`, e);
  }
  const missing = repo.files.filter((f) => existing.get(`${prefix}/${f.path}`) !== f.size);
  let uploadedBytes = 0;
  // Files go a few at a time; each large file is itself split into parallel blocks by uploadFile.
  const queue = [...missing];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const blob = container.getBlockBlobClient(`${prefix}/${f.path}`);
      try {
        await blob.uploadFile(path.join(repo.root, f.path), {
          blockSize: 8 * 1024 * 1024,
          concurrency: 4,
          blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
          metadata: { sha256: f.sha256 },
        });
      } catch (e) {
        throw azureError(`Uploading '${f.path}' to '${datastore.name}/${prefix}'`, e);
      }
      uploadedBytes += f.size;
      log.debug(`uploaded ${f.path} (${f.size} bytes)`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return { datastorePath: prefix, uploadedFiles: missing.length, uploadedBytes, skippedFiles: repo.files.length - missing.length };
}

async function containerClient(clients: AzureClients, ds: DatastoreInfo, override: string | undefined, maskSecret: (s: string) => void) {
  const { resourceGroup, name } = clients.workspace;
  const url = blobServiceUrl(ds, override);
  let secrets;
  try {
    secrets = await clients.ml.datastores.listSecrets(resourceGroup, name, ds.name);
  } catch (e) {
    throw azureError(`Reading the credentials of datastore '${ds.name}'`, e);
  }
  let service: BlobServiceClient;
  const key = secrets.secretsType === 'AccountKey' ? (secrets as AccountKeyDatastoreSecrets).key : undefined;
  const sas = secrets.secretsType === 'Sas' ? (secrets as SasDatastoreSecrets).sasToken : undefined;
  if (key) {
    maskSecret(key);
    service = new BlobServiceClient(url, new StorageSharedKeyCredential(ds.accountName, key));
  } else if (sas) {
    maskSecret(sas);
    service = new BlobServiceClient(`${url}?${sas.replace(/^\?/, '')}`, new AnonymousCredential());
  } else {
    // Identity-based datastore: the deploying identity needs 'Storage Blob Data Contributor'.
    service = new BlobServiceClient(url, clients.credential);
  }
  return service.getContainerClient(ds.containerName);
}
