import { RestError } from '@azure/core-rest-pipeline';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { DatastoreSecrets } from '@azure/arm-machinelearning';
import { chooseStorageCredential, isKeyAccessDisabled, isSecretRefusal, storageScope } from '../../../src/deploy/datastore-credential';

const identity: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };

function armError(status: number, code: string, message: string): RestError {
  return new RestError(message, { statusCode: status, code });
}

async function choose(credentialsType: string | undefined, listSecrets: () => Promise<DatastoreSecrets>) {
  const calls: string[] = [];
  const masked: string[] = [];
  const chosen = await chooseStorageCredential({
    datastoreName: 'workspaceblobstore',
    credentialsType,
    listSecrets: () => {
      calls.push('listSecrets');
      return listSecrets();
    },
    identity,
    storageAudience: 'https://storage.azure.com/',
    mask: (s) => masked.push(s),
  });
  return { chosen, calls, masked };
}

describe('the credential that uploads the model', () => {
  it.each(['None', 'none'])('uses the identity without asking for secrets when the datastore stores none (credentialsType %s)', async (type) => {
    const { chosen, calls } = await choose(type, async () => ({ secretsType: 'AccountKey', key: 'k' }) as DatastoreSecrets);
    expect(calls).toEqual([]);
    expect(chosen.kind).toBe('identity');
    expect(chosen.kind === 'identity' && chosen.scope).toBe('https://storage.azure.com/.default');
    expect(chosen.reason).toContain('stores no credentials');
  });

  it('uses the account key, masked first, when the datastore stores one', async () => {
    const { chosen, calls, masked } = await choose('AccountKey', async () => ({ secretsType: 'AccountKey', key: 'c2VjcmV0a2V5' }) as DatastoreSecrets);
    expect(calls).toEqual(['listSecrets']);
    expect(chosen).toMatchObject({ kind: 'account key', key: 'c2VjcmV0a2V5' });
    expect(masked).toEqual(['c2VjcmV0a2V5']);
  });

  it('asks for the secrets when the datastore does not say what it stores', async () => {
    const { chosen, calls } = await choose(undefined, async () => ({ secretsType: 'AccountKey', key: 'k2' }) as DatastoreSecrets);
    expect(calls).toEqual(['listSecrets']);
    expect(chosen.kind).toBe('account key');
  });

  it('uses the SAS token, masked and without its leading "?", when the datastore stores one', async () => {
    const { chosen, masked } = await choose('Sas', async () => ({ secretsType: 'Sas', sasToken: '?sv=2022&sig=abc' }) as DatastoreSecrets);
    expect(chosen).toMatchObject({ kind: 'SAS', sasToken: 'sv=2022&sig=abc' });
    // Masked as used (without '?'): the runner hides any text containing it, the '?' form included.
    expect(masked).toEqual(['sv=2022&sig=abc']);
  });

  it.each([
    ['a role without listSecrets/action', armError(403, 'AuthorizationFailed', "The client 'x' does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/datastores/listSecrets/action'")],
    ['keys disabled on the account', armError(400, 'UserError', 'Key based authentication is not permitted on this storage account (allowSharedKeyAccess is false).')],
    ['a 403 with another code', armError(403, 'Forbidden', 'forbidden')],
  ])('falls back to the identity when the secrets are refused: %s', async (_label, error) => {
    const { chosen, calls } = await choose('AccountKey', async () => {
      throw error;
    });
    expect(calls).toEqual(['listSecrets']);
    expect(chosen.kind).toBe('identity');
    expect(chosen.reason).toContain('were refused');
  });

  it.each([
    ['a missing datastore', armError(404, 'ResourceNotFound', 'not found')],
    ['a server error', armError(500, 'InternalServerError', 'boom')],
    ['a network failure', new Error('connect ECONNREFUSED 127.0.0.1:1')],
  ])('reports other listSecrets failures instead of hiding them: %s', async (_label, error) => {
    await expect(choose('AccountKey', async () => Promise.reject(error))).rejects.toBe(error);
  });

  it('uses the identity when listSecrets returns a secret of the right type but no value', async () => {
    const { chosen } = await choose('AccountKey', async () => ({ secretsType: 'AccountKey', key: null }) as unknown as DatastoreSecrets);
    expect(chosen.kind).toBe('identity');
  });
});

describe('refusals', () => {
  it('knows the storage service refusing a shared key (x-ms-error-code KeyBasedAuthenticationNotPermitted)', () => {
    expect(isKeyAccessDisabled(new RestError('Key based authentication is not permitted on this storage account.', { statusCode: 403, code: 'KeyBasedAuthenticationNotPermitted' }))).toBe(true);
    expect(isKeyAccessDisabled(new RestError('Server failed to authenticate the request.', { statusCode: 403, code: 'AuthenticationFailed' }))).toBe(false);
  });

  it('does not take a throttled or missing-resource answer for a refusal', () => {
    expect(isSecretRefusal(armError(429, 'TooManyRequests', 'slow down'))).toBe(false);
    expect(isSecretRefusal(armError(404, 'ResourceNotFound', 'gone'))).toBe(false);
  });

  it('asks for <audience>/.default whatever the trailing slash', () => {
    expect(storageScope('https://storage.azure.com/')).toBe('https://storage.azure.com/.default');
    expect(storageScope('https://storage.azure.com')).toBe('https://storage.azure.com/.default');
  });
});
