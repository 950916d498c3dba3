/**
 * Child process of the upload benchmark (started with NODE_EXTRA_CA_CERTS, as the action is):
 * runs src/deploy/model-upload.ts's uploadModelRepository twice against Azurite — once into an
 * empty datastore, once more with everything already there (content-addressed: only a listing).
 * argv: <ModelRepository JSON from hash-child --save> <blob endpoint with {account}> <account> <key> <container>
 */
import * as fs from 'fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AzureClients } from '../src/azure/clients';
import { UploadResult, uploadModelRepository } from '../src/deploy/model-upload';
import type { DatastoreInfo } from '../src/deploy/workspace-info';
import type { ModelRepository } from '../src/model-repository/validate-model-repository';
import { runChildMain, timeOnce, withPeakRss } from './measurement';

export interface UploadChildResult {
  /** cpuMs: this process's CPU time (user + system), i.e. the client's cost without Azurite's. */
  first: UploadResult & { ms: number; cpuMs: number; rssBefore: number; peakRss: number };
  again: UploadResult & { ms: number };
}

const silent = { info: () => undefined, warning: () => undefined, debug: () => undefined };

runChildMain(async (): Promise<UploadChildResult> => {
  const [repoJson, endpoint, account, key, container] = process.argv.slice(2);
  const repo = JSON.parse(fs.readFileSync(repoJson, 'utf8')) as ModelRepository;
  const service = new BlobServiceClient(endpoint.replace('{account}', account), new StorageSharedKeyCredential(account, key));
  await service.getContainerClient(container).createIfNotExists();

  // Only what the upload path reads: the datastore's secrets (ARM's listSecrets answer for an account-key datastore).
  const clients = {
    workspace: { resourceGroup: 'rg-bench', name: 'mlw-bench' },
    cloud: {},
    ml: { datastores: { listSecrets: async () => ({ secretsType: 'AccountKey', key }) } },
  } as unknown as AzureClients;
  const datastore: DatastoreInfo = { name: 'workspaceblobstore', accountName: account, containerName: container, endpointSuffix: 'core.windows.net', protocol: 'https' };
  const upload = () => uploadModelRepository(clients, datastore, repo, endpoint, () => undefined, silent);

  let first: UploadResult | undefined;
  const cpu = process.cpuUsage();
  const measured = await withPeakRss(() => timeOnce(async () => (first = await upload())));
  const cpuUsed = process.cpuUsage(cpu);
  let again: UploadResult | undefined;
  const againMs = await timeOnce(async () => (again = await upload()));
  return {
    first: { ...first!, ms: measured.result, cpuMs: (cpuUsed.user + cpuUsed.system) / 1000, rssBefore: measured.rssBefore, peakRss: measured.peakRss },
    again: { ...again!, ms: againMs },
  };
});
