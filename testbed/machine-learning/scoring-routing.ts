// How a managed online endpoint's front door routes a scoring request: auth by key or AML token,
// the `azureml-model-deployment` header (reaches a deployment even at 0% traffic) or else the
// traffic weights, and the path the container sees.
import { EndpointRecord, ScoringFault } from './state';
import { pickByTraffic } from './traffic';

export type RouteDecision = { ok: true; deployment: string } | { ok: false; status: number; message: string };

/** True when the bearer credential is one of the endpoint's keys (Key) or an unexpired AML token (AMLToken). */
export function isAuthorized(e: Pick<EndpointRecord, 'authMode' | 'keys' | 'amlTokens'>, authorization: string | undefined, nowSeconds: number): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const credential = m[1];
  if (e.authMode === 'Key') return credential === e.keys.primaryKey || credential === e.keys.secondaryKey;
  if (e.authMode === 'AMLToken') {
    const expiry = e.amlTokens.get(credential);
    return expiry !== undefined && expiry > nowSeconds;
  }
  return false;
}

export function chooseDeployment(
  e: Pick<EndpointRecord, 'name' | 'traffic' | 'deployments'>,
  requested: string | undefined,
  random: () => number = Math.random,
): RouteDecision {
  const isServing = (name: string) => e.deployments.get(name.toLowerCase())?.provisioningState === 'Succeeded';
  if (requested !== undefined && requested !== '') {
    const d = e.deployments.get(requested.toLowerCase());
    if (!d || d.provisioningState !== 'Succeeded') {
      return {
        ok: false,
        status: 404,
        message: d
          ? `Deployment '${d.name}' of endpoint '${e.name}' is not ready (provisioningState ${d.provisioningState}).`
          : `Deployment '${requested}' was not found in endpoint '${e.name}'.`,
      };
    }
    return { ok: true, deployment: d.name };
  }
  const picked = pickByTraffic(e.traffic, isServing, random);
  if (!picked) {
    return {
      ok: false,
      status: 503,
      message:
        'No valid deployments to route to. Please check that the endpoint has at least one deployment with ' +
        "positive weight values or use a deployment specific header ('azureml-model-deployment') to route.",
    };
  }
  return { ok: true, deployment: e.deployments.get(picked.toLowerCase())?.name ?? picked };
}

export type ContainerPath = { ok: true; path: string } | { ok: false; status: 404; message: string };

/**
 * The path inside the container, as the endpoint forwards it:
 * - a custom container (an environment): `/score<rest>` goes to `<scoring route path><rest>`
 *   (azureml-examples' Triton custom-container sample calls `<scoring_uri>/v2/...` with the route
 *   '/'); an environment without inference_config is served at '/score'. Other paths: 404.
 * - Azure's no-code Triton (`noCodeTriton`): `/v2/...` at the host root passes through (the no-code
 *   sample strips /score from the scoring URI). Other paths: 404.
 */
export function containerPath(rest: string, deployment: { noCodeTriton: boolean; scoringRoutePath?: string }): ContainerPath {
  const trimmed = `/${rest.replace(/^\/+/, '')}`;
  if (deployment.noCodeTriton) {
    if (/^\/v2(\/|$)/.test(trimmed)) return { ok: true, path: trimmed };
    return { ok: false, status: 404, message: `No route for '${trimmed}': a no-code Triton deployment serves Triton's /v2 API at the endpoint's host root.` };
  }
  const m = /^\/score(\/.*)?$/.exec(trimmed);
  if (!m) {
    return { ok: false, status: 404, message: `No route for '${trimmed}': a custom container is reached through the scoring URI (.../score<path>), which goes to its scoring route.` };
  }
  const route = (deployment.scoringRoutePath ?? '/score').replace(/\/+$/, '');
  const path = `${route}${m[1] ?? ''}`;
  return { ok: true, path: path === '' ? '/' : path.startsWith('/') ? path : `/${path}` };
}

/** The scripted fault an inference request to `deployment` meets, if any (health and metadata are never faulted). */
export function activeScoringFault(
  faults: readonly ScoringFault[],
  e: Pick<EndpointRecord, 'traffic'>,
  deployment: string,
  method: string,
  containerPathname: string,
): ScoringFault | undefined {
  const inference = method === 'POST' && (/\/infer$/.test(containerPathname) || !containerPathname.startsWith('/v2/'));
  if (!inference) return undefined;
  const share = Object.entries(e.traffic).find(([k]) => k.toLowerCase() === deployment.toLowerCase())?.[1] ?? 0;
  return faults.find((f) => f.deployment.test(deployment) && (f.when === 'now' || share > 0));
}
