/** The made-up Azure names and ids of one test bed run. */
import * as crypto from 'crypto';

export interface TestbedIdentities {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  servicePrincipalObjectId: string;
  federatedSubject: string;
  githubOidcRequestToken: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  location: string;
  registryName: string;
  datastoreContainer: string;
  customVisionTrainingKey: string;
  /** The password (an NGC API key) of the private stand-in for nvcr.io. */
  ngcApiKey: string;
}

export function makeIdentities(): TestbedIdentities {
  return {
    tenantId: crypto.randomUUID(),
    clientId: crypto.randomUUID(),
    // Shaped like an Entra client secret value (40 chars with the '8Q~' marker).
    clientSecret: `tb${crypto.randomBytes(1).toString('hex').slice(0, 1)}8Q~${crypto.randomBytes(27).toString('base64url').slice(0, 35)}`,
    servicePrincipalObjectId: crypto.randomUUID(),
    // A job with `environment: production`, as every documented workflow runs the action.
    federatedSubject: 'repo:octo-org/detector-models:environment:production',
    githubOidcRequestToken: crypto.randomBytes(32).toString('hex'),
    subscriptionId: crypto.randomUUID(),
    resourceGroup: 'rg-detector-testbed',
    workspace: 'mlw-detector',
    location: 'westeurope',
    registryName: 'crdetectortestbed',
    datastoreContainer: `azureml-blobstore-${crypto.randomUUID()}`,
    customVisionTrainingKey: crypto.randomBytes(16).toString('hex'),
    ngcApiKey: crypto.randomBytes(24).toString('base64url'),
  };
}
