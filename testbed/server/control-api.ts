/** The /_testbed control API: request log, spec-check violations, scripted faults, Entra knobs. */
import type { AcrOAuth } from '../container-registry/acr-oauth';
import type { AccessTokenIssuer } from '../entra/access-tokens';
import type { GitHubOidcIssuer } from '../entra/github-oidc-issuer';
import type { TestbedSettings } from '../settings';
import type { SpecCheck } from '../spec-check/spec-check';
import { FaultScript, parseFaultSpec } from './faults';
import type { IssuedSecrets } from './issued-secrets';
import type { RequestLog } from './request-log';
import { Router, TestbedHttpError } from './router';

export interface ControlApiDeps {
  settings: TestbedSettings;
  requestLog: RequestLog;
  specCheck: SpecCheck;
  faults: FaultScript;
  accessTokens: AccessTokenIssuer;
  oidc: GitHubOidcIssuer;
  acrOAuth: AcrOAuth;
  /** Optional so older callers still build; GET /_testbed/secrets answers [] without it. */
  secrets?: IssuedSecrets;
}

function secondsField(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TestbedHttpError(400, 'InvalidLifetime', `${field} must be a number of seconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function registerControlApi(router: Router, deps: ControlApiDeps): void {
  router.route('GET', '/_testbed/settings', () => ({ status: 200, body: deps.settings }));
  router.route('GET', '/_testbed/requests', () => ({ status: 200, body: deps.requestLog.list() }));
  router.route('GET', '/_testbed/violations', async () => ({ status: 200, body: await deps.specCheck.violations() }));
  // Every secret handed out so far (fixed ones and those in answers): tests scan the action's traces for them.
  router.route('GET', '/_testbed/secrets', () => ({ status: 200, body: deps.secrets?.list() ?? [] }));
  router.route('POST', '/_testbed/reset-log', async () => {
    deps.requestLog.clear();
    await deps.specCheck.clear();
    return { status: 204 };
  });
  router.route('POST', '/_testbed/faults', (req) => {
    deps.faults.add(parseFaultSpec(req.json()));
    return { status: 201, body: { ok: true } };
  });
  router.route('DELETE', '/_testbed/faults', () => {
    deps.faults.clear();
    return { status: 204 };
  });
  router.route('POST', '/_testbed/entra/token-lifetime', (req) => {
    const body = req.json<{ accessTokenSeconds?: unknown; oidcTokenSeconds?: unknown }>();
    const access = secondsField(body.accessTokenSeconds, 'accessTokenSeconds');
    const oidc = secondsField(body.oidcTokenSeconds, 'oidcTokenSeconds');
    if (access !== undefined) deps.accessTokens.accessTokenSeconds = access;
    if (oidc !== undefined) deps.oidc.tokenSeconds = oidc;
    return { status: 200, body: { accessTokenSeconds: deps.accessTokens.accessTokenSeconds, oidcTokenSeconds: deps.oidc.tokenSeconds } };
  });
  // `az acr config authentication-as-arm update --status enabled|disabled`.
  router.route('POST', '/_testbed/registry/authentication-as-arm', (req) => {
    const { status } = req.json<{ status?: unknown }>();
    if (status !== 'enabled' && status !== 'disabled') {
      throw new TestbedHttpError(400, 'InvalidStatus', `status must be 'enabled' or 'disabled', got ${JSON.stringify(status)}`);
    }
    deps.acrOAuth.armTokenPolicy = status;
    return { status: 200, body: { status } };
  });
  router.route('POST', '/_testbed/entra/oidc-subject', (req) => {
    const { subject } = req.json<{ subject?: unknown }>();
    if (typeof subject !== 'string' || subject === '') {
      throw new TestbedHttpError(400, 'InvalidSubject', `subject must be a non-empty string, got ${JSON.stringify(subject)}`);
    }
    deps.oidc.subject = subject;
    return { status: 200, body: { subject } };
  });
}
