import type { TestbedSettings } from './settings';
import type { TestbedRequest } from './server/router';

/** Passed to every register function (registerMachineLearning, registerCustomVision, ...). */
export interface TestbedContext {
  settings: TestbedSettings;
  /** https://127.0.0.1:PORT of the main server. */
  baseUrl: string;
  /**
   * url: https://127.0.0.1:P/devstoreaccount1 (Azurite). container: the workspace's default datastore
   * container ('azureml-blobstore-<guid>'), created at start (an addition to the contract).
   */
  blob: { accountName: string; accountKey: string; url: string; container: string };
  /**
   * loginServer '127.0.0.1:PORT' (HTTPS front), backendUrl 'http://127.0.0.1:PORT' (docker-registry),
   * storageRoot: that docker-registry's filesystem root (importImage copies blobs there, server-side).
   */
  registry: { loginServer: string; backendUrl: string; storageRoot: string };
  /**
   * Throws TestbedHttpError 401 (InvalidAuthenticationToken / ExpiredAuthenticationToken) unless the
   * request carries a valid unexpired bearer token issued by our Entra endpoint for the ARM audience.
   */
  requireArmToken(req: TestbedRequest): void;
  log(message: string): void;
}
