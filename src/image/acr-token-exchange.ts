/**
 * Signs in to Azure Container Registry without admin credentials: an Entra access token is
 * exchanged at /oauth2/exchange for an ACR refresh token (which docker uses as a password with the
 * all-zero user name), and that for repository-scoped access tokens at /oauth2/token.
 * Spec: containerregistry data-plane 2021-07-01, AccessTokens / RefreshTokens.
 */
import { limitedFetch } from '../azure/call-limits';
export const ACR_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

/**
 * The Entra scope of the token presented at /oauth2/exchange: ACR's own audience, which every
 * registry accepts. An ARM-audience token is refused by registries whose
 * azureADAuthenticationAsArmPolicy is disabled. azure-cli asks for the same
 * ("https://{ACR_AUDIENCE_RESOURCE_NAME}.azure.net", acr/_constants.py and _docker_utils.py), and
 * ACR's service team made it the SDKs' default for every cloud (Azure/azure-sdk-for-net#34785).
 */
export const ACR_ENTRA_SCOPE = 'https://containerregistry.azure.net/.default';

async function postForm(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const { res, text } = await limitedFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  if (!res.ok) {
    let detail = text.slice(0, 300);
    try {
      const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      if (j.errors?.[0]) detail = `${j.errors[0].code ?? ''} ${j.errors[0].message ?? ''}`.trim();
    } catch {
      /* not JSON */
    }
    throw new Error(`POST ${new URL(url).pathname} returned ${res.status}: ${detail}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

export async function exchangeForRefreshToken(loginServer: string, tenantId: string | undefined, entraAccessToken: string): Promise<string> {
  const form: Record<string, string> = { grant_type: 'access_token', service: loginServer, access_token: entraAccessToken };
  if (tenantId) form.tenant = tenantId;
  const body = await postForm(`https://${loginServer}/oauth2/exchange`, form);
  if (typeof body.refresh_token !== 'string') throw new Error(`/oauth2/exchange on ${loginServer} returned no refresh_token`);
  return body.refresh_token;
}

export async function accessTokenFor(loginServer: string, refreshToken: string, scope: string): Promise<string> {
  const body = await postForm(`https://${loginServer}/oauth2/token`, {
    grant_type: 'refresh_token',
    service: loginServer,
    scope,
    refresh_token: refreshToken,
  });
  if (typeof body.access_token !== 'string') throw new Error(`/oauth2/token on ${loginServer} returned no access_token`);
  return body.access_token;
}
