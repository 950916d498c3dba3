/**
 * Entra ID (AAD v2 endpoint) error bodies in their real shape, so clients (MSAL, @azure/identity)
 * surface the same messages a user would see against login.microsoftonline.com.
 */
import * as crypto from 'crypto';
import type { TestbedResponse } from '../server/router';

/** '2024-01-31 12:00:00Z' — the format Entra uses in the `timestamp` field. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function entraError(status: number, error: string, code: number, description: string): TestbedResponse {
  const now = new Date();
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  const timestamp = entraTimestamp(now);
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export const AADSTS = {
  tenantNotFound: (tenant: string) =>
    entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  unsupportedGrant: (grant: string) =>
    entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`),
  appNotFound: (clientId: string, tenant: string) =>
    entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`),
  missingCredential: () =>
    entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  invalidSecret: (clientId: string) =>
    entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  invalidScope: (scope: string) =>
    entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  badAssertionType: (type: string) =>
    entraError(400, 'invalid_request', 50027, `Invalid JWT token. client_assertion_type '${type}' is not supported; expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`),
  assertionSignature: () =>
    entraError(401, 'invalid_client', 50013, 'Assertion failed signature validation. [Reason - The key was not found.]'),
  noFederatedRecord: (issuer: string, subject: string, audience: string) =>
    entraError(400, 'invalid_request', 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`),
  assertionExpired: (now: Date, notBefore: Date, expiry: Date) =>
    entraError(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${notBefore.toISOString()}, expiry time of assertion ${expiry.toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`),
};
