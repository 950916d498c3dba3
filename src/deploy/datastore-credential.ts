/**
 * Which credential uploads to the workspace's blob datastore, chosen as azure-ai-ml chooses it:
 * datastore secrets only when the datastore stores credentials, the caller's own identity otherwise
 * or when the secrets are refused (identity-based workspaces, storage with shared keys disabled, a
 * role without the listSecrets action). See testbed/README.md, "Where the service differs".
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { AccountKeyDatastoreSecrets, DatastoreSecrets, SasDatastoreSecrets } from '@azure/arm-machinelearning';

export type StorageCredentialKind = 'account key' | 'SAS' | 'identity';

/** The storage token's audience in every public and sovereign Azure cloud (Azure Stack sets its own). */
export const DEFAULT_STORAGE_AUDIENCE = 'https://storage.azure.com/';

/**
 * True when the datastore stores a secret worth asking for. A datastore without credentials
 * (`credentialsType: None`, what `systemDatastoresAuthMode: identity` gives the default store) has
 * none: azure-ai-ml does not call listSecrets for it and uses the caller's identity.
 */
export function datastoreHasSecrets(credentialsType: string | undefined): boolean {
  // No credentials object at all: ask, as azure-ai-ml does (it skips only NoneDatastoreCredentials).
  return credentialsType === undefined || credentialsType.toLowerCase() !== 'none';
}

/** Codes and messages Azure uses when keys or SAS are turned off for the account. */
const KEYS_DISABLED = /KeyBasedAuthenticationNotPermitted|shared ?key (access|authori[sz]ation) is (disabled|not permitted)|allowSharedKeyAccess/i;

function errorCode(e: unknown): string | undefined {
  if (e instanceof RestError) {
    const body = (e.details ?? {}) as { error?: { code?: string }; errorCode?: string };
    return body.error?.code ?? body.errorCode ?? e.code;
  }
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * A refusal the identity can work around: 403 (no `listSecrets/action` in the caller's role:
 * ARM's AuthorizationFailed) or the service saying key-based access is off. Anything else (404,
 * 5xx after retries, a network failure) is a real failure and is reported.
 */
export function isSecretRefusal(e: unknown): boolean {
  const status = e instanceof RestError ? e.statusCode : (e as { statusCode?: unknown } | undefined)?.statusCode;
  const code = errorCode(e) ?? '';
  const message = e instanceof Error ? e.message : String(e);
  return status === 403 || code === 'AuthorizationFailed' || KEYS_DISABLED.test(code) || KEYS_DISABLED.test(message);
}

/** What the storage service answers a shared-key or SAS request with when the account allows neither (403, x-ms-error-code). */
export function isKeyAccessDisabled(e: unknown): boolean {
  return KEYS_DISABLED.test(errorCode(e) ?? '');
}

export type ChosenStorageCredential =
  | { kind: 'account key'; key: string; reason: string }
  | { kind: 'SAS'; sasToken: string; reason: string }
  | { kind: 'identity'; credential: TokenCredential; scope: string; reason: string };

export interface CredentialChoiceDeps {
  datastoreName: string;
  credentialsType: string | undefined;
  /** Datastores_ListSecrets (2022-10-01: no request body). */
  listSecrets: () => Promise<DatastoreSecrets>;
  identity: TokenCredential;
  /** e.g. 'https://storage.azure.com/'; the token is requested for '<audience>/.default'. */
  storageAudience: string;
  /** Called with a key or SAS before anything else sees it. */
  mask: (secret: string) => void;
}

export function storageScope(audience: string): string {
  return `${audience.replace(/\/+$/, '')}/.default`;
}

/** Decides the credential; calls listSecrets only when the datastore has secrets. Errors other than a refusal propagate. */
export async function chooseStorageCredential(d: CredentialChoiceDeps): Promise<ChosenStorageCredential> {
  const identity = (reason: string): ChosenStorageCredential => ({ kind: 'identity', credential: d.identity, scope: storageScope(d.storageAudience), reason });
  if (!datastoreHasSecrets(d.credentialsType)) {
    return identity(`datastore '${d.datastoreName}' stores no credentials (credentialsType ${d.credentialsType})`);
  }
  let secrets: DatastoreSecrets;
  try {
    secrets = await d.listSecrets();
  } catch (e) {
    if (!isSecretRefusal(e)) throw e;
    const code = errorCode(e);
    return identity(`the secrets of datastore '${d.datastoreName}' were refused${code ? ` (${code})` : ''}`);
  }
  const key = secrets.secretsType === 'AccountKey' ? (secrets as AccountKeyDatastoreSecrets).key : undefined;
  if (key) {
    d.mask(key);
    return { kind: 'account key', key, reason: `datastore '${d.datastoreName}' stores an account key` };
  }
  const sas = secrets.secretsType === 'Sas' ? (secrets as SasDatastoreSecrets).sasToken : undefined;
  if (sas) {
    // The token without its '?' is what gets used: masking it covers both spellings.
    const token = sas.replace(/^\?/, '');
    d.mask(token);
    return { kind: 'SAS', sasToken: token, reason: `datastore '${d.datastoreName}' stores a SAS token` };
  }
  return identity(`datastore '${d.datastoreName}' returned no ${secrets.secretsType} secret`);
}

/** How the summary names the credential. */
export function describeCredential(kind: StorageCredentialKind): string {
  return kind === 'identity' ? 'the identity' : kind === 'SAS' ? 'a SAS token' : 'the account key';
}
