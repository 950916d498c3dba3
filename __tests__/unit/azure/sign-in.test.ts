import type { TokenCredential } from '@azure/identity';
import { checkSignIn } from '../../../src/azure/sign-in';
import type { AuthSettings } from '../../../src/config/action-config';

const failing = (message: string): TokenCredential => ({ getToken: () => Promise.reject(new Error(message)) });
const auth = { type: 'client-secret', clientId: '56f3eeb3-eb96-4fa2-a1d4-b581defe1c5b' } as AuthSettings;
const noOidc = () => Promise.reject(new Error('not used'));

async function signInError(credential: TokenCredential): Promise<string> {
  try {
    await checkSignIn(credential, auth, 'https://management.azure.com/', noOidc);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('sign-in did not fail');
}

describe('checkSignIn', () => {
  it('says Entra answered unreadably instead of printing MSAL\'s "[object Object]"', async () => {
    const message = await signInError(failing('[object Object]: Error(s): Not Available - Timestamp: Not Available - Description: Not Available - Correlation ID: Not Available - Trace ID: Not Available'));
    expect(message).not.toMatch(/object Object|Not Available/);
    expect(message).toMatch(/^Sign-in to Entra ID \(client-secret\) failed: Entra answered with an error the client could not read/);
  });

  it('keeps an AADSTS code and Entra\'s description', async () => {
    const message = await signInError(failing('invalid_client: AADSTS7000215: Invalid client secret provided.'));
    expect(message).toMatch(/^Sign-in to Entra ID \(client-secret\) failed with AADSTS7000215: invalid_client: AADSTS7000215: Invalid client secret provided\./);
  });
});
