/**
 * Starts the whole test bed: TLS material, the peers (Azurite, docker-registry, dockerd) and the two
 * HTTPS servers, in parallel where they do not depend on each other; registers every area's routes.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AcrOAuth, type ArmTokenPolicy } from './container-registry/acr-oauth';
import { acrLoginServerHandler } from './container-registry/acr-login-server';
import { AcrTokenService } from './container-registry/acr-tokens';
import { registerRegistryResource } from './container-registry/registry-resource';
import { registerImportImage } from './container-registry/import-image';
import { registerAcrTasks } from './container-registry/acr-tasks';
import { NGC_BASE_REPOSITORY, NGC_BASE_TAG, pushStandInBase } from './triton-base-image';
import type { TestbedContext } from './context';
import { AccessTokenIssuer } from './entra/access-tokens';
import { githubFederatedCredential } from './entra/app-registration';
import { registerEntraRoutes } from './entra/entra-routes';
import { GitHubOidcIssuer, OIDC_TOKEN_PATH } from './entra/github-oidc-issuer';
import { JwtSigner } from './entra/jwt';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from './peers/azurite';
import { PeerProcess } from './peers/child-process';
import { startDockerRegistry } from './peers/docker-registry';
import { findDockerd, startDockerd } from './peers/dockerd';
import { registerControlApi } from './server/control-api';
import { FaultScript } from './server/faults';
import { createStorageFront } from './peers/storage-front';
import { createMainServer } from './server/https-server';
import { RequestLog } from './server/request-log';
import { RouteTable } from './server/router';
import type { TestbedSettings } from './settings';
import { SpecCheck, defaultReferenceDir } from './spec-check/spec-check';
import { makeIdentities } from './testbed-identities';
import { makeCertificates } from './tls/make-certificates';
import { trustingStoragePipeline } from './tls/ca-trust';
import { registerAreas } from './register-areas';

export interface StartTestbedOptions {
  /** Default: <repo>/.testbed */
  stateDir?: string;
  /** Start dockerd (default true); skipped with a note when dockerd is not installed. */
  docker?: boolean;
  /** Default: ../shared/reference next to the repo. */
  referenceDir?: string;
  /** Receives log lines (also written to <stateDir>/testbed.log). */
  log?: (message: string) => void;
  /**
   * The workspace's registry: its resource group and subscription (default: the workspace's), and
   * its azureADAuthenticationAsArmPolicy (default 'enabled'; 'disabled' refuses ARM-audience tokens).
   */
  registry?: { resourceGroup?: string; subscriptionId?: string; armTokenPolicy?: ArmTokenPolicy };
}

export interface RunningTestbed {
  settings: TestbedSettings;
  context: TestbedContext;
  /** Wall time of startTestbed. */
  startupMs: number;
  /** Things skipped at start (e.g. dockerd not installed). */
  notes: string[];
  stop(): Promise<void>;
}

export const REPO_ROOT = path.resolve(__dirname, '..');
const STATE_ENTRIES = ['tls', 'azurite', 'docker-registry', 'nvcr-registry', 'nvcr-registry.log', 'dockerd', 'settings.json', 'testbed.log', 'azurite.log', 'docker-registry.log', 'dockerd.log'];

function listen(server: https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Clears what a previous run left, entry by entry (never the whole directory: it may be user-chosen). */
function prepareStateDir(stateDir: string): void {
  fs.mkdirSync(stateDir, { recursive: true });
  for (const entry of STATE_ENTRIES) fs.rmSync(path.join(stateDir, entry), { recursive: true, force: true });
}

export async function startTestbed(options: StartTestbedOptions = {}): Promise<RunningTestbed> {
  const started = Date.now();
  const stateDir = path.resolve(options.stateDir ?? path.join(REPO_ROOT, '.testbed'));
  prepareStateDir(stateDir);
  const logFile = path.join(stateDir, 'testbed.log');
  const log = (message: string): void => {
    fs.appendFileSync(logFile, `${new Date().toISOString()} ${message}\n`);
    options.log?.(message);
  };
  const notes: string[] = [];
  const starting: Promise<{ process: PeerProcess }>[] = [];
  let specCheck: SpecCheck | undefined;
  const servers: https.Server[] = [];
  const stopping: (() => void)[] = [];
  const stop = async (): Promise<void> => {
    for (const f of stopping) f();
    // Peers still starting are waited for (a failed start stops its own process), then stopped.
    const peers = await Promise.allSettled(starting);
    await Promise.all([
      ...servers.map(close),
      specCheck?.stop(),
      ...peers.map((p) => (p.status === 'fulfilled' ? p.value.process.stop() : undefined)),
    ]);
    log('stopped');
  };

  try {
    const ids = makeIdentities();
    specCheck = new SpecCheck(options.referenceDir ?? defaultReferenceDir(REPO_ROOT), log);
    const checker = specCheck;
    const dockerd = options.docker === false ? undefined : findDockerd();
    if (options.docker !== false && !dockerd) notes.push('dockerd is not installed: image builds are not available (apt-get install docker.io)');

    // Tracked at once so stop() finds it; the no-op catch keeps an early failure from being "unhandled" before it is awaited.
    const track = <T extends { process: PeerProcess }>(p: Promise<T>): Promise<T> => {
      starting.push(p);
      p.catch(() => undefined);
      return p;
    };
    // Each part's time goes to the log, so a slow start says what was slow.
    const timed = <T>(label: string, p: Promise<T>): Promise<T> => {
      p.then(() => log(`${label} ready after ${Date.now() - started} ms`), () => undefined);
      return p;
    };
    const certsP = timed('certificates', makeCertificates(stateDir));
    const registryP = timed('docker-registry', track(startDockerRegistry(stateDir)));
    // The stand-in for nvcr.io, with the multi-layer base written over the distribution API (no docker).
    const ngcP = timed('nvcr.io stand-in', track(startDockerRegistry(stateDir, 'nvcr-registry').then(async (r) => ({ ...r, base: await pushStandInBase(r.url) }))));
    const dockerdP = dockerd ? timed('dockerd', track(startDockerd(dockerd, stateDir))) : Promise.resolve(undefined);
    const azuriteP = timed('azurite', track(certsP.then((c) => startAzurite({ stateDir, certFile: c.certFile, keyFile: c.keyFile }))));
    const [certs, entraSigner, githubSigner, acrSigner] = await Promise.all([
      certsP, timed('signing keys', Promise.all([JwtSigner.create('testbed-entra'), JwtSigner.create('testbed-github-oidc'), JwtSigner.create('testbed-acr')])),
    ]).then(([c, [e, g, a]]) => [c, e, g, a] as const);

    const routes = new RouteTable();
    const faults = new FaultScript();
    const requestLog = new RequestLog();
    const tlsPair = { cert: certs.cert, key: certs.key };
    const main = createMainServer({ tls: tlsPair, routes, faults, requestLog, onArmExchange: (e) => checker.enqueue(e), log });
    const front = https.createServer(tlsPair);
    servers.push(main, front);
    const [mainPort, frontPort] = await Promise.all([listen(main), listen(front)]);
    stopping.push(() => faults.releaseAll());
    const baseUrl = `https://127.0.0.1:${mainPort}`;
    const loginServer = `127.0.0.1:${frontPort}`;
    const [registry, dockerdPeer, azurite, ngc] = await Promise.all([registryP, dockerdP, azuriteP, ngcP]);
    const ngcHost = new URL(ngc.url).host;
    // The action reaches Azurite through a front that applies the scripted faults.
    const storageFront = createStorageFront({ tls: tlsPair, ca: certs.ca, azuritePort: azurite.port, faults, requestLog });
    servers.push(storageFront);
    const storagePort = await listen(storageFront);

    const settings: TestbedSettings = {
      stateDir, caFile: certs.caFile, authorityHost: baseUrl, armEndpoint: baseUrl,
      tenantId: ids.tenantId, clientId: ids.clientId, clientSecret: ids.clientSecret, federatedSubject: ids.federatedSubject,
      githubOidcRequestUrl: `${baseUrl}${OIDC_TOKEN_PATH}?api-version=2.0`, githubOidcRequestToken: ids.githubOidcRequestToken,
      subscriptionId: ids.subscriptionId, resourceGroup: ids.resourceGroup, workspace: ids.workspace, location: ids.location,
      registryName: ids.registryName, registryLoginServer: loginServer,
      registrySubscriptionId: options.registry?.subscriptionId ?? ids.subscriptionId, registryResourceGroup: options.registry?.resourceGroup ?? ids.resourceGroup,
      storageAccount: AZURITE_ACCOUNT, storageBlobEndpoint: `https://127.0.0.1:${storagePort}/{account}`,
      customVisionEndpoint: baseUrl, customVisionTrainingKey: ids.customVisionTrainingKey,
      customVisionPredictionResourceId: `/subscriptions/${ids.subscriptionId}/resourceGroups/${ids.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/cv-detector-prediction`,
      baseImage: `${ngcHost}/${NGC_BASE_REPOSITORY}:${NGC_BASE_TAG}`, baseImageUsername: '$oauthtoken', baseImagePassword: ids.ngcApiKey,
      dockerHost: dockerdPeer?.dockerHost,
      controlUrl: `${baseUrl}/_testbed`,
    };

    const app = {
      tenantId: ids.tenantId, clientId: ids.clientId, clientSecret: ids.clientSecret, objectId: ids.servicePrincipalObjectId,
      federatedCredential: githubFederatedCredential(ids.federatedSubject),
    };
    const accessTokens = new AccessTokenIssuer(entraSigner, app, baseUrl, baseUrl);
    const oidc = new GitHubOidcIssuer(githubSigner, ids.githubOidcRequestToken, ids.federatedSubject);
    const acrTokens = new AcrTokenService(acrSigner, loginServer, ids.tenantId);
    const acrOAuth = new AcrOAuth(acrTokens, accessTokens);
    acrOAuth.armTokenPolicy = options.registry?.armTokenPolicy ?? 'enabled';
    front.on('request', acrLoginServerHandler({ tokens: acrTokens, oauth: acrOAuth, backendUrl: registry.url, faults, requestLog, log }));

    const context: TestbedContext = {
      settings, baseUrl,
      blob: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, url: azurite.url, container: ids.datastoreContainer },
      registry: { loginServer, backendUrl: registry.url, storageRoot: registry.storageRoot },
      requireArmToken: (req) => void accessTokens.requireArmToken(req),
      log,
    };
    registerControlApi(routes, { settings, requestLog, specCheck: checker, faults, accessTokens, oidc, acrOAuth });
    registerEntraRoutes(routes, baseUrl, accessTokens, oidc);
    oidc.register(routes);
    registerRegistryResource(routes, context);
    registerAcrTasks(routes, context);
    registerImportImage(routes, context, { host: ngcHost, backendUrl: ngc.url, storageRoot: ngc.storageRoot, credentials: { username: settings.baseImageUsername, password: settings.baseImagePassword } });

    const blobService = new BlobServiceClient(azurite.url, trustingStoragePipeline(certs.caFile, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)));
    await Promise.all([
      blobService.getContainerClient(ids.datastoreContainer).createIfNotExists(),
      timed('areas', registerAreas(routes, context, log)),
    ]);

    fs.writeFileSync(path.join(stateDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
    const startupMs = Date.now() - started;
    log(`test bed started in ${startupMs} ms (spec check loads in the background)`);
    for (const note of notes) log(`note: ${note}`);
    return { settings, context, startupMs, notes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
