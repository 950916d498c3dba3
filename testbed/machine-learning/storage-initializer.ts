// The deployment's "storage initializer" container: copies the model version's files from the
// workspace datastore (Azurite) into the folder the inference server will read.
import * as fs from 'fs';
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { trustingStoragePipeline } from '../tls/ca-trust';

export interface BlobSource {
  url: string;
  accountName: string;
  accountKey: string;
  container: string;
  /** The test bed CA, so the client trusts Azurite's certificate. */
  caFile: string;
}

export interface DownloadResult {
  files: { name: string; bytes: number }[];
  totalBytes: number;
}

export function blobServiceClient(source: BlobSource): BlobServiceClient {
  const credential = new StorageSharedKeyCredential(source.accountName, source.accountKey);
  return new BlobServiceClient(source.url, trustingStoragePipeline(source.caFile, credential));
}

/**
 * Downloads `blobPath` (one blob) or everything under `blobPath/` into `targetDir`, keeping the
 * relative layout. Throws when nothing exists at that path.
 */
export async function downloadModelFiles(client: BlobServiceClient, container: string, blobPath: string, targetDir: string): Promise<DownloadResult> {
  const containerClient = client.getContainerClient(container);
  const files: { name: string; bytes: number }[] = [];
  const single = containerClient.getBlobClient(blobPath);
  if (blobPath !== '' && (await single.exists())) {
    const target = path.join(targetDir, path.posix.basename(blobPath));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await single.downloadToFile(target);
    const bytes = (await fs.promises.stat(target)).size;
    return { files: [{ name: path.posix.basename(blobPath), bytes }], totalBytes: bytes };
  }
  const prefix = blobPath === '' ? '' : `${blobPath}/`;
  for await (const blob of containerClient.listBlobsFlat({ prefix })) {
    const relative = blob.name.slice(prefix.length);
    if (relative === '' || relative.split('/').some((s) => s === '..')) continue;
    const target = path.join(targetDir, ...relative.split('/'));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await containerClient.getBlobClient(blob.name).downloadToFile(target);
    files.push({ name: relative, bytes: blob.properties.contentLength ?? 0 });
  }
  if (files.length === 0) throw new Error(`No blobs exist at path '${blobPath}' in container '${container}'.`);
  return { files, totalBytes: files.reduce((s, f) => s + f.bytes, 0) };
}
