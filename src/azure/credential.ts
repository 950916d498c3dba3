/**
 * Entra credentials. OIDC asks the runner for a fresh GitHub token on every Entra token request:
 * the GitHub token lives ~5 minutes, a deploy waits 10-20 (docs/adr/003-authentication.md).
 */
import { AzureCliCredential, ClientAssertionCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { AuthSettings, AzureCloud } from '../config/action-config';
import { DEFAULT_RETRY, RetryableFault, TRANSIENT_STATUSES, withRetries, type RetryOptions } from '../transient-retry';
import { callLimitPolicies, DEFAULT_TRY_TIMEOUT_MS } from './call-limits';

/** Fetches a GitHub OIDC token for an audience (core.getIDToken in the action). */
export type OidcTokenSource = (audience: string) => Promise<string>;

/** The operation named when GitHub's token service fails; sign-in.ts tells this apart from a refused federation. */
export const OIDC_TOKEN_REQUEST = 'Requesting a GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL)';

export const OIDC_TOKEN_HINT =
  "GitHub's OIDC token service kept failing: check https://www.githubstatus.com (Actions) and re-run the job; " +
  "the job also needs 'permissions: id-token: write'";

/**
 * The token source with retries: @actions/core's getIDToken retries only 502-504, a few ms apart, and
 * reports the status only in its message ("Failed to get ID Token. Error Code : 429 ...").
 */
export function retryingOidc(source: OidcTokenSource, retry: RetryOptions = DEFAULT_RETRY): OidcTokenSource {
  return (audience) =>
    withRetries(
      OIDC_TOKEN_REQUEST,
      OIDC_TOKEN_HINT,
      async () => {
        try {
          return await source(audience);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          const code = /Error Code\s*:\s*(\w+)/.exec(message)?.[1];
          const status = code && /^\d+$/.test(code) ? Number(code) : undefined;
          const detail = /Error Message:\s*(.*)/.exec(message)?.[1]?.trim() ?? message.split('\n')[0];
          // No status: the connection failed (getIDToken reports "Error Code : undefined").
          if (/Failed to get ID Token/.test(message) && (status === undefined || TRANSIENT_STATUSES.has(status))) throw new RetryableFault({ status, detail });
          throw e;
        }
      },
      retry,
    );
}

/** Microsoft's clouds know instance discovery; any other authority host (Azure Stack, ADFS, a test bed) does not. */
const KNOWN_AUTHORITIES = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.chinacloudapi.cn',
  'https://login.partner.microsoftonline.cn',
];

export function createCredential(auth: AuthSettings, cloud: AzureCloud, oidc: OidcTokenSource): TokenCredential {
  const options = {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: !KNOWN_AUTHORITIES.includes(cloud.authorityHost.toLowerCase()),
    // Token requests are bounded like every other call (src/azure/call-limits.ts).
    additionalPolicies: callLimitPolicies(DEFAULT_TRY_TIMEOUT_MS),
  };
  switch (auth.type) {
    case 'oidc':
      return new ClientAssertionCredential(auth.tenantId!, auth.clientId!, () => oidc(auth.oidcAudience), options);
    case 'client-secret':
      return new ClientSecretCredential(auth.tenantId!, auth.clientId!, auth.clientSecret!, options);
    case 'azure-cli':
      return new AzureCliCredential({ tenantId: auth.tenantId });
  }
}

/** The claims a federated credential must match; printed when federation fails (never the token). */
export function describeOidcClaims(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    return `iss='${String(payload.iss)}', sub='${String(payload.sub)}', aud='${String(payload.aud)}'`;
  } catch {
    return '(the OIDC token could not be decoded)';
  }
}
