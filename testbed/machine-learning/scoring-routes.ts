// The scoring front door: `${baseUrl}/inference/{endpoint}/...`, what the endpoint's scoringUri
// points at. Not ARM: no spec check, no api-version; auth is the endpoint's key or AML token.
import { randomUUID } from 'crypto';
import { Router, TestbedResponse } from '../server/router';
import { objectOf } from './arm-responses';
import { MlRuntime } from './ml-runtime';
import { activeScoringFault, chooseDeployment, containerPath, isAuthorized } from './scoring-routing';

function failure(status: number, message: string, requestId: string, extra: Record<string, string> = {}): TestbedResponse {
  return { status, headers: { 'x-request-id': requestId, ...extra }, body: { message } };
}

export function registerScoringRoutes(router: Router, rt: MlRuntime): void {
  router.route('*', '/inference/:endpoint/*rest', async (req) => {
    const requestId = randomUUID();
    const e = rt.state.endpoint(req.params.endpoint);
    if (!e || e.provisioningState === 'Creating' || e.provisioningState === 'Deleting') {
      return failure(404, `Endpoint '${req.params.endpoint}' was not found or is not ready.`, requestId);
    }
    if (!isAuthorized(e, req.headers.authorization, Math.floor(Date.now() / 1000))) {
      return failure(401, 'Authentication failed: send the endpoint key or an AML token as "Authorization: Bearer <credential>".', requestId, {
        'www-authenticate': 'Bearer',
      });
    }
    const decision = chooseDeployment(e, req.headers['azureml-model-deployment']);
    if (!decision.ok) return failure(decision.status, decision.message, requestId);
    const d = e.deployments.get(decision.deployment.toLowerCase());
    if (!d?.server) return failure(502, `Deployment '${decision.deployment}' has no running inference server.`, requestId);

    const env = environmentOf(rt, d.properties.environmentId);
    const scoringPath = objectOf(objectOf(env?.inferenceConfig).scoringRoute).path;
    const route = containerPath(req.params.rest, { noCodeTriton: env === undefined, scoringRoutePath: typeof scoringPath === 'string' ? scoringPath : undefined });
    if (!route.ok) return failure(route.status, route.message, requestId);
    const query = req.query.toString();
    const path = route.path + (query ? `?${query}` : '');
    const fault = activeScoringFault(rt.state.scoringFaults, e, d.name, req.method, path.split('?')[0]);
    const reply: TestbedResponse = fault
      ? // What the model server answers when it breaks (an error body of its own).
        { status: fault.status, headers: {}, body: { error: `Deployment '${d.name}' failed to run the model (test bed scoring fault).` } }
      : await d.server.handle({ method: req.method, path, headers: req.headers, body: req.body });
    return modelAnswer(reply, { 'azureml-model-deployment': d.name, 'x-request-id': requestId });
  });
}

/**
 * The container's answer as the front door passes it on: a non-200 becomes 424 with the container's
 * status and the reason `model_error` in headers, the body unchanged (MicrosoftDocs/azure-ai-docs,
 * articles/machine-learning/how-to-troubleshoot-online-endpoints.md, "HTTP status codes", 424).
 */
function modelAnswer(reply: TestbedResponse, headers: Record<string, string>): TestbedResponse {
  const status = reply.status;
  if (status === 200) return { ...reply, headers: { ...reply.headers, ...headers } };
  return {
    ...reply,
    status: 424,
    headers: { ...reply.headers, ...headers, 'ms-azureml-model-error-statuscode': String(status), 'ms-azureml-model-error-reason': 'model_error' },
  };
}

export function environmentOf(rt: MlRuntime, environmentId: unknown): Record<string, unknown> | undefined {
  if (typeof environmentId !== 'string') return undefined;
  const m = /\/environments\/([^/]+)\/versions\/([^/]+)$/i.exec(environmentId);
  if (!m) return undefined;
  return rt.state.environments.get(m[1].toLowerCase())?.versions.get(m[2].toLowerCase())?.properties;
}
