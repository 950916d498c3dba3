/**
 * Entra credentials. OIDC asks the runner for a fresh GitHub token on every Entra token request:
 * the GitHub token lives ~5 minutes, a deploy waits 10-20 (docs/adr/003-authentication.md).
 */
import { AzureCliCredential, ClientAssertionCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { AuthSettings, AzureCloud } from '../config/action-config';
import { callLimitPolicies, DEFAULT_TRY_TIMEOUT_MS } from './call-limits';

/** Fetches a GitHub OIDC token for an audience (core.getIDToken in the action). */
export type OidcTokenSource = (audience: string) => Promise<string>;

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
