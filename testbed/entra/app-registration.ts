/**
 * The one tenant and app registration the test bed knows: a client secret and a federated
 * credential for GitHub Actions. Decides whether a token request's client authentication is valid.
 */
import type { TestbedResponse } from '../server/router';
import { AADSTS } from './entra-errors';
import { DEFAULT_OIDC_AUDIENCE, GITHUB_ISSUER } from './github-oidc-issuer';
import { JwtSigner, decodeClaims, nowSeconds } from './jwt';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The service principal's object id (the `oid` of its tokens). */
  objectId: string;
  federatedCredential: FederatedCredential;
}

export function githubFederatedCredential(subject: string): FederatedCredential {
  return { issuer: GITHUB_ISSUER, subject, audiences: [DEFAULT_OIDC_AUDIENCE] };
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** `appidacr` of the issued token: '1' secret, '2' certificate or federated assertion. */
export type ClientAuthentication = { ok: true; appidacr: '1' | '2' } | { ok: false; error: TestbedResponse };

/**
 * Checks client_secret or client_assertion (+ client_assertion_type). `assertionSigner` is the
 * GitHub OIDC issuer's key: Entra would fetch it from the issuer's JWKS.
 */
export function authenticateClient(form: URLSearchParams, app: AppRegistration, assertionSigner: JwtSigner): ClientAuthentication {
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    return secret === app.clientSecret ? { ok: true, appidacr: '1' } : { ok: false, error: AADSTS.invalidSecret(app.clientId) };
  }
  if (assertion === null) return { ok: false, error: AADSTS.missingCredential() };
  const type = form.get('client_assertion_type') ?? '';
  if (type !== JWT_BEARER) return { ok: false, error: AADSTS.badAssertionType(type) };

  const claims = assertionSigner.verify(assertion);
  if (!claims) {
    // Not signed by a trusted issuer's key: Entra names the claims it could read.
    const unverified = decodeClaims(assertion);
    if (unverified && unverified.iss !== GITHUB_ISSUER) {
      return { ok: false, error: AADSTS.noFederatedRecord(String(unverified.iss), String(unverified.sub), String(unverified.aud)) };
    }
    return { ok: false, error: AADSTS.assertionSignature() };
  }
  const now = nowSeconds();
  const exp = Number(claims.exp);
  const nbf = Number(claims.nbf ?? claims.iat ?? 0);
  if (!(exp > now) || nbf > now + 300) {
    return { ok: false, error: AADSTS.assertionExpired(new Date(now * 1000), new Date(nbf * 1000), new Date(exp * 1000)) };
  }
  const fic = app.federatedCredential;
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud)];
  if (claims.iss !== fic.issuer || claims.sub !== fic.subject || !audiences.some((a) => fic.audiences.includes(a))) {
    return { ok: false, error: AADSTS.noFederatedRecord(String(claims.iss), String(claims.sub), audiences.join(',')) };
  }
  return { ok: true, appidacr: '2' };
}
