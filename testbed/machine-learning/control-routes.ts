// Test-only control of the Azure ML emulator, under /_testbed/ml.
import { Router, TestbedHttpError } from '../server/router';
import { objectOf } from './arm-responses';
import { MlRuntime } from './ml-runtime';
import { startOtherUpdate } from './online-endpoint-routes';
import { deploymentMatcher } from './state';
import { summarizeState } from './state-summary';

function nonNegative(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TestbedHttpError(400, 'BadRequest', `${field} must be a non-negative number; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function registerControlRoutes(router: Router, rt: MlRuntime): void {
  router.route('POST', '/_testbed/ml/provisioning-failures', (req) => {
    const body = objectOf(req.json());
    if (typeof body.deployment !== 'string' || body.deployment === '' || typeof body.code !== 'string' || body.code === '') {
      throw new TestbedHttpError(400, 'BadRequest', 'Expected { deployment: name or regex, code: string, message?: string, times?: number }.');
    }
    let deployment: RegExp;
    try {
      deployment = deploymentMatcher(body.deployment);
    } catch (e) {
      throw new TestbedHttpError(400, 'BadRequest', `deployment is not a valid regex: ${e instanceof Error ? e.message : String(e)}`);
    }
    const times = nonNegative(body.times, 'times') ?? 1;
    rt.state.provisioningFailures.push({
      deployment,
      code: body.code,
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
      remaining: times,
    });
    return { status: 200, body: { queued: rt.state.provisioningFailures.length } };
  });

  router.route('DELETE', '/_testbed/ml/provisioning-failures', () => {
    rt.state.provisioningFailures.length = 0;
    return { status: 204 };
  });

  // A deployment that starts failing: its inference requests (not its health probes) answer `status`.
  router.route('POST', '/_testbed/ml/scoring-faults', (req) => {
    const body = objectOf(req.json());
    const when = body.when ?? 'now';
    if (typeof body.deployment !== 'string' || body.deployment === '' || (when !== 'now' && when !== 'with-traffic')) {
      throw new TestbedHttpError(400, 'BadRequest', "Expected { deployment: name or regex, status?: 500, when?: 'now' | 'with-traffic' }.");
    }
    const status = nonNegative(body.status, 'status') ?? 500;
    rt.state.scoringFaults.push({ deployment: deploymentMatcher(body.deployment), status, when });
    return { status: 200, body: { faults: rt.state.scoringFaults.length } };
  });

  router.route('DELETE', '/_testbed/ml/scoring-faults', () => {
    rt.state.scoringFaults.length = 0;
    return { status: 204 };
  });

  router.route('POST', '/_testbed/ml/timing', (req) => {
    const body = objectOf(req.json());
    const t = rt.state.timing;
    rt.state.timing = {
      provisioningMs: nonNegative(body.provisioningMs, 'provisioningMs') ?? t.provisioningMs,
      endpointProvisioningMs: nonNegative(body.endpointProvisioningMs, 'endpointProvisioningMs') ?? t.endpointProvisioningMs,
      retryAfterSeconds: Math.round(nonNegative(body.retryAfterSeconds, 'retryAfterSeconds') ?? t.retryAfterSeconds),
    };
    return { status: 200, body: rt.state.timing };
  });

  // Reads lag writes: after a traffic change, this many endpoint GETs still show the old traffic.
  router.route('POST', '/_testbed/ml/endpoint-read-lag', (req) => {
    rt.state.endpointReadLag = Math.round(nonNegative(objectOf(req.json()).reads, 'reads') ?? 0);
    return { status: 200, body: { reads: rt.state.endpointReadLag } };
  });

  // Another pipeline updates the endpoint: Updating for `ms`, now or just before the endpoint's next write.
  router.route('POST', '/_testbed/ml/endpoints/:endpoint/busy', (req) => {
    const body = objectOf(req.json());
    const e = rt.state.endpoint(req.params.endpoint);
    if (!e) throw new TestbedHttpError(404, 'NotFound', `No endpoint '${req.params.endpoint}'.`);
    const ms = nonNegative(body.ms, 'ms') ?? 5000;
    if (body.when === 'now') startOtherUpdate(rt, e, ms);
    else e.busyOnNextWrite = ms;
    return { status: 200, body: { endpoint: e.name, provisioningState: e.provisioningState, busyOnNextWrite: e.busyOnNextWrite ?? null } };
  });

  router.route('GET', '/_testbed/ml/state', () => ({ status: 200, body: summarizeState(rt.state) }));
}
