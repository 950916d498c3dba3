/**
 * Entra ID v2.0 endpoints as MSAL (via @azure/identity with `authorityHost` and
 * `disableInstanceDiscovery: true`) uses them: OIDC discovery, JWKS, the token endpoint with
 * client_credentials, and instance discovery for clients that do not disable it.
 */
import type { Router, TestbedRequest, TestbedResponse } from '../server/router';
import { AccessTokenIssuer, audienceFromScope } from './access-tokens';
import { authenticateClient } from './app-registration';
import { AADSTS } from './entra-errors';
import type { GitHubOidcIssuer } from './github-oidc-issuer';

const PSEUDO_TENANTS = ['common', 'organizations'];

function knownTenant(tenant: string, tenantId: string): boolean {
  return tenant.toLowerCase() === tenantId.toLowerCase() || PSEUDO_TENANTS.includes(tenant.toLowerCase());
}

export function openIdConfiguration(host: string, tenant: string, tenantId: string): Record<string, unknown> {
  const t = PSEUDO_TENANTS.includes(tenant.toLowerCase()) ? '{tenantid}' : tenantId;
  return {
    token_endpoint: `${host}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${host}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${host}/${t}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${host}/oidc/userinfo`,
    authorization_endpoint: `${host}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${host}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${host}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'ver'],
    tenant_region_scope: 'EU',
    cloud_instance_name: new URL(host).host,
    cloud_graph_host_name: new URL(host).host,
    msgraph_host: new URL(host).host,
  };
}

export function registerEntraRoutes(router: Router, authorityHost: string, tokens: AccessTokenIssuer, oidc: GitHubOidcIssuer): void {
  const tenantId = tokens.app.tenantId;

  router.route('GET', '/:tenant/v2.0/.well-known/openid-configuration', (req) => {
    if (!knownTenant(req.params.tenant, tenantId)) return AADSTS.tenantNotFound(req.params.tenant);
    return { status: 200, body: openIdConfiguration(authorityHost, req.params.tenant, tenantId) };
  });

  router.route('GET', '/:tenant/discovery/v2.0/keys', () => ({ status: 200, body: { keys: [tokens.signer.jwk()] } }));

  // Instance discovery (skipped by clients with disableInstanceDiscovery: true).
  router.route('GET', '/common/discovery/instance', (req) => {
    const host = new URL(authorityHost).host;
    const authorization = req.query.get('authorization_endpoint') ?? `${authorityHost}/common/oauth2/v2.0/authorize`;
    const tenant = new URL(authorization).pathname.split('/')[1] || 'common';
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  });

  router.route('POST', '/:tenant/oauth2/v2.0/token', (req) => tokenRequest(req, tokens, oidc));
}

function tokenRequest(req: TestbedRequest, tokens: AccessTokenIssuer, oidc: GitHubOidcIssuer): TestbedResponse {
  const app = tokens.app;
  const tenant = req.params.tenant;
  if (tenant.toLowerCase() !== app.tenantId.toLowerCase()) return AADSTS.tenantNotFound(tenant);
  const form = new URLSearchParams(req.body.toString('utf8'));
  const grant = form.get('grant_type') ?? '';
  if (grant !== 'client_credentials') return AADSTS.unsupportedGrant(grant);
  const clientId = form.get('client_id') ?? '';
  if (clientId !== app.clientId) return AADSTS.appNotFound(clientId, tenant);
  const auth = authenticateClient(form, app, oidc.signer);
  if (!auth.ok) return auth.error;
  const scope = form.get('scope') ?? '';
  const audience = audienceFromScope(scope);
  if (!audience) return AADSTS.invalidScope(scope);
  const issued = tokens.issue(audience, auth.appidacr);
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.token },
  };
}
