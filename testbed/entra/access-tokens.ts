/**
 * Access tokens the emulated Entra issues (v1-shaped like real app-only ARM tokens) and the check
 * ARM handlers run on them (requireArmToken).
 */
import * as crypto from 'crypto';
import { TestbedHttpError, TestbedRequest } from '../server/router';
import type { AppRegistration } from './app-registration';
import { JwtClaims, JwtSigner, nowSeconds } from './jwt';

/** Audiences real ARM accepts; the ARM endpoint's own origin is also accepted (SDK default scope `${endpoint}/.default`). */
const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];

/** Issuer of Entra v1 access tokens in the public cloud (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference, `iss`). */
export const V1_ISSUER_PREFIX = 'https://sts.windows.net/';

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** 'https://management.azure.com/.default' -> 'https://management.azure.com/'; undefined unless it ends in /.default. */
export function audienceFromScope(scope: string): string | undefined {
  const first = scope.split(/\s+/).find((s) => s.endsWith('/.default'));
  if (!first) return undefined;
  return first.slice(0, -'.default'.length);
}

export class AccessTokenIssuer {
  accessTokenSeconds = 3600;

  constructor(
    readonly signer: JwtSigner,
    readonly app: AppRegistration,
    readonly authorityHost: string,
    readonly armEndpoint: string,
  ) {}

  issue(audience: string, appidacr: '1' | '2'): { token: string; expiresIn: number } {
    const now = nowSeconds();
    // v1 access tokens name the security token service, not the login host, as their issuer:
    // https://sts.windows.net/{tid}/ (what Azure Storage, and Azurite's --oauth basic, accept).
    const issuer = `${V1_ISSUER_PREFIX}${this.app.tenantId}/`;
    const claims: JwtClaims = {
      aud: audience,
      iss: issuer,
      iat: now,
      nbf: now - 5,
      exp: now + this.accessTokenSeconds,
      appid: this.app.clientId,
      appidacr,
      idp: issuer,
      idtyp: 'app',
      oid: this.app.objectId,
      sub: this.app.objectId,
      tid: this.app.tenantId,
      uti: crypto.randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    return { token: this.signer.sign(claims), expiresIn: this.accessTokenSeconds };
  }

  isArmAudience(aud: unknown): boolean {
    if (typeof aud !== 'string') return false;
    return [...ARM_AUDIENCES, stripSlash(this.armEndpoint)].includes(stripSlash(aud));
  }

  /** The claims of a valid, unexpired token of ours for `audienceCheck`; throws ARM's 401 errors otherwise. */
  verify(token: string, audienceCheck: (aud: unknown) => boolean): JwtClaims {
    const claims = this.signer.verify(token);
    if (!claims || claims.tid !== this.app.tenantId) {
      throw new TestbedHttpError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }
    if (!audienceCheck(claims.aud)) {
      throw new TestbedHttpError(401, 'InvalidAuthenticationToken', `The access token has an invalid audience '${String(claims.aud)}'.`);
    }
    const exp = Number(claims.exp);
    if (!(exp > nowSeconds())) {
      throw new TestbedHttpError(
        401,
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${new Date(exp * 1000).toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
      );
    }
    return claims;
  }

  /** The context's requireArmToken. */
  requireArmToken(req: TestbedRequest): JwtClaims {
    const header = req.headers.authorization;
    if (!header) {
      throw new TestbedHttpError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new TestbedHttpError(401, 'InvalidAuthenticationToken', "Authentication failed. The 'Authorization' header is not a Bearer token.");
    }
    return this.verify(match[1], (aud) => this.isArmAudience(aud));
  }
}
