/**
 * The ACR login server's token endpoints (data-plane spec 2021-07-01):
 * POST /oauth2/exchange, POST /oauth2/token (refresh_token | password), GET /oauth2/token (Basic).
 */
import type { AccessTokenIssuer } from '../entra/access-tokens';
import { TestbedHttpError, TestbedResponse } from '../server/router';
import { ACR_TOKEN_USERNAME, AcrTokenService, parseScopes } from './acr-tokens';

/** ACR's error body: { errors: [{ code, message, detail }] }. */
export function acrError(status: number, code: string, message: string, headers?: Record<string, string>): TestbedResponse {
  return { status, headers, body: { errors: [{ code, message, detail: null }] } };
}

/** Entra tokens ACR accepts in the exchange: ACR's own audience, and ARM's unless the registry disables them. */
const ACR_AAD_AUDIENCE = 'https://containerregistry.azure.net';

export type ArmTokenPolicy = 'enabled' | 'disabled';

export class AcrOAuth {
  /**
   * The registry's azureADAuthenticationAsArmPolicy (`az acr config authentication-as-arm`). Disabled,
   * ARM-audience Entra tokens are refused and only ACR-audience ones are exchanged.
   */
  armTokenPolicy: ArmTokenPolicy = 'enabled';

  constructor(
    private readonly acr: AcrTokenService,
    private readonly entra: AccessTokenIssuer,
  ) {}

  private checkService(service: string | null): TestbedResponse | undefined {
    if (service !== this.acr.loginServer) {
      return acrError(400, 'BAD_REQUEST', `service '${service ?? ''}' does not name this registry; expected '${this.acr.loginServer}'`);
    }
    return undefined;
  }

  exchange(form: URLSearchParams): TestbedResponse {
    const grant = form.get('grant_type');
    if (grant !== 'access_token') {
      return acrError(400, 'BAD_REQUEST', `grant_type '${grant ?? ''}' is not supported by the test bed; use access_token`);
    }
    const bad = this.checkService(form.get('service'));
    if (bad) return bad;
    const tenant = form.get('tenant');
    if (tenant && tenant.toLowerCase() !== this.acr.tenantId.toLowerCase()) {
      return acrError(401, 'UNAUTHORIZED', `tenant '${tenant}' is not the registry's tenant`);
    }
    const aad = form.get('access_token');
    if (!aad) return acrError(400, 'BAD_REQUEST', 'access_token is required when grant_type is access_token');
    try {
      const claims = this.entra.verify(aad, (aud) => this.entra.isArmAudience(aud) || String(aud).replace(/\/+$/, '') === ACR_AAD_AUDIENCE);
      if (this.armTokenPolicy === 'disabled' && this.entra.isArmAudience(claims.aud)) {
        // What ACR answers (MicrosoftDocs/azure-docs#128528: 'UNAUTHORIZED "token validation failed"').
        return acrError(401, 'UNAUTHORIZED', 'token validation failed');
      }
      return { status: 200, body: { refresh_token: this.acr.issueRefreshToken(String(claims.oid)) } };
    } catch (error) {
      const message = error instanceof TestbedHttpError ? error.message : String(error);
      return acrError(401, 'UNAUTHORIZED', `the access token could not be verified: ${message}`);
    }
  }

  /** POST /oauth2/token: grant_type refresh_token (refresh_token) or password (username + password = refresh token). */
  tokenFromForm(form: URLSearchParams): TestbedResponse {
    const bad = this.checkService(form.get('service'));
    if (bad) return bad;
    const grant = form.get('grant_type');
    let refresh: string | null;
    if (grant === 'refresh_token') refresh = form.get('refresh_token');
    else if (grant === 'password') refresh = form.get('username') === ACR_TOKEN_USERNAME ? form.get('password') : null;
    else return acrError(400, 'BAD_REQUEST', `grant_type '${grant ?? ''}' is not supported; expected refresh_token or password`);
    return this.accessToken(refresh, form.getAll('scope'), grant);
  }

  /** GET /oauth2/token?service&scope with Basic auth (what docker does after a 401 challenge). */
  tokenFromBasic(query: URLSearchParams, authorization: string | undefined): TestbedResponse {
    const bad = this.checkService(query.get('service'));
    if (bad) return bad;
    const credentials = basicCredentials(authorization);
    const refresh = credentials?.username === ACR_TOKEN_USERNAME ? credentials.password : null;
    return this.accessToken(refresh, query.getAll('scope'), 'password');
  }

  private accessToken(refresh: string | null, scopes: string[], grant: string): TestbedResponse {
    const claims = refresh ? this.acr.verify(refresh, 'refresh') : undefined;
    if (!claims) return acrError(401, 'UNAUTHORIZED', 'authentication required: the refresh token is invalid or expired');
    const accessToken = this.acr.issueAccessToken(String(claims.sub), parseScopes(scopes), grant);
    return { status: 200, body: { access_token: accessToken } };
  }
}

export function basicCredentials(authorization: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
