/** Azurite's blob service over HTTPS, in memory, as the workspace's blob datastore. */
import * as fs from 'fs';
import * as path from 'path';
import { PeerProcess, startProcess, waitUntilReady } from './child-process';

/** Azurite's well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  stateDir: string;
  certFile: string;
  keyFile: string;
}

export async function startAzurite(options: AzuriteOptions): Promise<{ process: PeerProcess; url: string; port: number }> {
  const main = require.resolve('azurite/dist/src/blob/main.js');
  const workspace = path.join(options.stateDir, 'azurite');
  const logFile = path.join(options.stateDir, 'azurite.log');
  const args = [
    main, '--blobHost', '127.0.0.1', // Port 0: Azurite binds a port itself and logs it. A port picked beforehand could be taken by
    // one of the test bed's own listen(0) servers before Azurite binds it (and then looks "ready").
    '--blobPort', '0', '--cert', options.certFile, '--key', options.keyFile,
    '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent',
    // Bearer tokens are checked (iss prefix https://sts.windows.net/, aud https://storage.azure.com, nbf/exp;
    // not the signature). SharedKey and SAS requests are still accepted: Azurite keeps those authenticators.
    '--oauth', 'basic',
  ];
  fs.mkdirSync(workspace, { recursive: true });
  // In memory: nothing is persisted; cwd keeps any stray file inside the state dir.
  const { process: peer, child } = startProcess({ name: 'azurite', command: process.execPath, args, logFile, cwd: workspace });
  let port = 0;
  const listening = async (): Promise<boolean> => {
    const found = [...fs.readFileSync(logFile, 'utf8').matchAll(/successfully listens on https:\/\/127\.0\.0\.1:(\d+)/g)].pop();
    if (found) port = Number(found[1]);
    return port > 0;
  };
  try {
    await waitUntilReady('azurite', child, logFile, listening);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { process: peer, url: `https://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, port };
}
