/** Azurite's blob service over HTTPS, in memory, as the workspace's blob datastore. */
import * as fs from 'fs';
import * as path from 'path';
import { PeerProcess, freePort, startProcess, tcpOpen, waitUntilReady } from './child-process';

/** Azurite's well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  stateDir: string;
  certFile: string;
  keyFile: string;
}

export async function startAzurite(options: AzuriteOptions): Promise<{ process: PeerProcess; url: string; port: number }> {
  const port = await freePort();
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const workspace = path.join(options.stateDir, 'azurite');
  const logFile = path.join(options.stateDir, 'azurite.log');
  const args = [
    main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--cert', options.certFile, '--key', options.keyFile,
    '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent',
    // Bearer tokens are checked (iss prefix https://sts.windows.net/, aud https://storage.azure.com, nbf/exp;
    // not the signature). SharedKey and SAS requests are still accepted: Azurite keeps those authenticators.
    '--oauth', 'basic',
  ];
  fs.mkdirSync(workspace, { recursive: true });
  // In memory: nothing is persisted; cwd keeps any stray file inside the state dir.
  const { process: peer, child } = startProcess({ name: 'azurite', command: process.execPath, args, logFile, cwd: workspace });
  try {
    await waitUntilReady('azurite', child, logFile, () => tcpOpen(port));
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { process: peer, url: `https://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, port };
}
