/** What `testbed start` prints: everything a client (the action, a test) needs to reach the test bed. */
export interface TestbedSettings {
  stateDir: string;
  /** The action trusts this CA through NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** MSAL: {host}/{tenant}/v2.0/.well-known/openid-configuration, {host}/{tenant}/oauth2/v2.0/token */
  authorityHost: string;
  /** Same server as authorityHost. */
  armEndpoint: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The subject the app registration's federated credential accepts (a job with `environment:`). */
  federatedSubject: string;
  /** What a runner sets as ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  githubOidcRequestUrl: string;
  githubOidcRequestToken: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  location: string;
  registryName: string;
  /** Where the workspace's registry lives: the workspace's group and subscription unless started with `registry`. */
  registrySubscriptionId: string;
  registryResourceGroup: string;
  /** 127.0.0.1:PORT of the HTTPS ACR login server. */
  registryLoginServer: string;
  storageAccount: string;
  /** 'https://127.0.0.1:P/{account}' template; the action replaces {account}. */
  storageBlobEndpoint: string;
  customVisionEndpoint: string;
  customVisionTrainingKey: string;
  customVisionPredictionResourceId: string;
  /**
   * The stand-in for nvcr.io: a second docker-registry (plain HTTP on 127.0.0.1, reached only by
   * importImage) holding a multi-layer Triton base, private like an NGC org: importImage needs
   * baseImageUsername ('$oauthtoken') and baseImagePassword.
   */
  baseImage: string;
  baseImageUsername: string;
  baseImagePassword: string;
  /** unix://... when dockerd runs. */
  dockerHost?: string;
  /** https://127.0.0.1:PORT/_testbed */
  controlUrl: string;
}
