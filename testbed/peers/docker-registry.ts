/** Debian's docker-registry (distribution 2.x): plain HTTP on 127.0.0.1, storage under the state dir; only the ACR front talks to it. */
import * as fs from 'fs';
import * as path from 'path';
import { PeerProcess, freePort, httpOk, startProcess, waitUntilReady } from './child-process';

export const DOCKER_REGISTRY_BINARY = 'docker-registry';

export function registryConfig(rootDirectory: string, port: number): string {
  // relativeurls: Location headers stay relative, so they point at the HTTPS front, not at this backend.
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${rootDirectory}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  relativeurls: true',
    '',
  ].join('\n');
}

/** name: its folder and log under the state dir (a second instance stands in for nvcr.io). */
/** storageRoot: the filesystem driver's root directory (the layout under docker/registry/v2 is distribution's). */
export async function startDockerRegistry(stateDir: string, name = 'docker-registry'): Promise<{ process: PeerProcess; url: string; storageRoot: string }> {
  const port = await freePort();
  const dir = path.join(stateDir, name);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const configFile = path.join(dir, 'config.yml');
  fs.writeFileSync(configFile, registryConfig(path.join(dir, 'data'), port));
  const logFile = path.join(stateDir, `${name}.log`);
  const { process: peer, child } = startProcess({ name, command: DOCKER_REGISTRY_BINARY, args: ['serve', configFile], logFile });
  try {
    await waitUntilReady(name, child, logFile, () => httpOk({ host: '127.0.0.1', port, path: '/v2/' }));
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return { process: peer, url: `http://127.0.0.1:${port}`, storageRoot: path.join(dir, 'data') };
}
