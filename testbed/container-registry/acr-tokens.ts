/**
 * ACR's token service (data-plane spec 2021-07-01, /oauth2/exchange and /oauth2/token): an Entra
 * access token is exchanged for an ACR refresh token, which buys access tokens for scopes like
 * 'repository:detector:pull,push' (the Docker registry token scope grammar).
 */
import * as crypto from 'crypto';
import { JwtClaims, JwtSigner, nowSeconds } from '../entra/jwt';

/** The username `az acr login` and ACR's docs use with a refresh token as the password. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
export const ACR_ISSUER = 'Azure Container Registry';
const KNOWN_ACTIONS = ['pull', 'push', 'delete', '*', 'metadata_read', 'metadata_write'];

export interface ScopeAccess {
  type: string;
  name: string;
  actions: string[];
}

/** 'repository:samples/hello:pull,push registry:catalog:*' -> access entries; the name may contain ':' (ports). */
export function parseScopes(scopes: string[]): ScopeAccess[] {
  const out: ScopeAccess[] = [];
  for (const item of scopes.flatMap((s) => s.split(' ')).filter((s) => s.length > 0)) {
    const first = item.indexOf(':');
    const last = item.lastIndexOf(':');
    if (first < 0 || last === first) continue;
    out.push({ type: item.slice(0, first), name: item.slice(first + 1, last), actions: item.slice(last + 1).split(',').filter((a) => a) });
  }
  return out;
}

export class AcrTokenService {
  refreshTokenSeconds = 3 * 3600;
  accessTokenSeconds = 75 * 60;

  constructor(
    private readonly signer: JwtSigner,
    readonly loginServer: string,
    readonly tenantId: string,
  ) {}

  issueRefreshToken(subject: string): string {
    const now = nowSeconds();
    return this.signer.sign({
      jti: crypto.randomUUID(), sub: subject, nbf: now - 5, iat: now, exp: now + this.refreshTokenSeconds,
      iss: ACR_ISSUER, aud: this.loginServer, version: '1.0', grant_type: 'refresh_token', tenant: this.tenantId,
      permissions: { actions: ['read', 'write', 'delete'], notActions: null }, roles: [],
    });
  }

  /** Grants every requested scope with known actions: the refresh token carries full rights. */
  issueAccessToken(subject: string, scopes: ScopeAccess[], grantType: string): string {
    const now = nowSeconds();
    const access = scopes.map((s) => ({ ...s, actions: s.actions.filter((a) => KNOWN_ACTIONS.includes(a)) }));
    return this.signer.sign({
      jti: crypto.randomUUID(), sub: subject, nbf: now - 5, iat: now, exp: now + this.accessTokenSeconds,
      iss: ACR_ISSUER, aud: this.loginServer, version: '3.0', grant_type: grantType, tenant: this.tenantId, access, roles: [],
    });
  }

  /** Claims of an unexpired ACR token of the given grant kind for this registry, else undefined. */
  verify(token: string, kind: 'refresh' | 'access'): JwtClaims | undefined {
    const claims = this.signer.verify(token);
    if (!claims || claims.aud !== this.loginServer || !(Number(claims.exp) > nowSeconds())) return undefined;
    const isRefresh = claims.version === '1.0';
    return (kind === 'refresh') === isRefresh ? claims : undefined;
  }
}

/** Whether an access token's `access` claim allows `action` on repository `name`. */
export function allows(claims: JwtClaims, type: string, name: string, action: string): boolean {
  const access = (claims.access ?? []) as ScopeAccess[];
  return access.some((a) => a.type === type && a.name === name && (a.actions.includes(action) || a.actions.includes('*')));
}
