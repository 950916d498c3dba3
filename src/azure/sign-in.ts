/**
 * Gets the first ARM token up front so a sign-in problem fails fast with advice, before any
 * other Azure call. Federation failures print the OIDC token's claims and the usual fixes.
 */
import type { TokenCredential } from '@azure/identity';
import type { AuthSettings } from '../config/action-config';
import { describeOidcClaims, OIDC_TOKEN_REQUEST, type OidcTokenSource } from './credential';
import { claimsFromAadsts70021, federationAdvice } from './federated-credential-advice';
import { AzureSignInError } from './azure-errors';
import { CallTimeoutError, isAbortError } from './call-limits';

export async function checkSignIn(
  credential: TokenCredential,
  auth: AuthSettings,
  armAudience: string,
  oidc: OidcTokenSource,
): Promise<void> {
  try {
    const token = await credential.getToken(`${armAudience.replace(/\/+$/, '')}/.default`);
    if (!token) throw new Error('no token returned');
  } catch (e) {
    const message = readableMessage(e);
    // GitHub's token service failed, not Entra: the federated credential was never tried.
    const oidcRequest = message.indexOf(OIDC_TOKEN_REQUEST);
    if (auth.type === 'oidc' && oidcRequest >= 0) throw new AzureSignInError(`Sign-in to Entra ID (oidc) failed: ${message.slice(oidcRequest)}`);
    const aadsts = /AADSTS\d+/.exec(message)?.[0];
    const lines = [`Sign-in to Entra ID (${auth.type}) failed${aadsts ? ` with ${aadsts}` : ''}: ${firstLine(message)}`];
    // Stopped or unanswered: not a credential problem, so no credential advice.
    if (isAbortError(e) || e instanceof CallTimeoutError || (e as { cause?: unknown })?.cause instanceof CallTimeoutError) throw new AzureSignInError(lines[0]);
    if (auth.type === 'oidc') {
      let claims = '';
      try {
        claims = describeOidcClaims(await oidc(auth.oidcAudience));
      } catch (oidcError) {
        claims = `(could not get a GitHub OIDC token: ${firstLine(String(oidcError))})`;
      }
      lines.push(`The GitHub OIDC token presented: ${claims}.`);
      // Entra's own account of the token it refused is the exact thing to register.
      const presented = aadsts === 'AADSTS70021' ? claimsFromAadsts70021(message) : undefined;
      if (presented) lines.push(...federationAdvice(presented, auth.clientId));
      else lines.push(`Check that the app registration or managed identity ${auth.clientId} has a federated credential with exactly this issuer, subject and audience,`);
      lines.push(`${presented ? 'Also check' : 'and'} that the job has 'permissions: id-token: write'.`);
    } else if (auth.type === 'client-secret') {
      lines.push(`Check 'client-id', 'tenant-id' and that the secret in 'client-secret' has not expired.`);
    } else {
      lines.push(`Run 'az login' first (e.g. with azure/login), or use auth-type 'oidc'.`);
    }
    throw new AzureSignInError(lines.join('\n'));
  }
}

/**
 * MSAL's text for an error answer it could not read (its `error` field not a string, e.g. an ARM-style
 * object): "[object Object]: Error(s): Not Available - Timestamp: Not Available - ...". Nothing in it helps.
 */
const UNREADABLE_ANSWER = /\[object Object\]:?\s*(Error\(s\): Not Available[^\n]*)?/;

function readableMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(UNREADABLE_ANSWER, 'Entra answered with an error the client could not read (no error code or description)');
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 400);
}
