// The operation URLs handed out by PUT/PATCH/DELETE: status (Azure-AsyncOperation) and result (Location).
import { Router, TestbedRequest } from '../server/router';
import { notFound } from './arm-responses';
import { Operation, locationPollOutcome, operationUrls, statusBody } from './lro';
import { MlRuntime } from './ml-runtime';

export function registerLroRoutes(router: Router, rt: MlRuntime, guard: (req: TestbedRequest) => void): void {
  const base = '/subscriptions/:sub/providers/Microsoft.MachineLearningServices/locations/:location';
  const find = (req: TestbedRequest): Operation => {
    guard(req);
    const op = rt.operations.get(req.params.id);
    if (!op) throw notFound('Operation', req.params.id, rt.scope.workspace);
    return op;
  };

  router.route('GET', `${base}/mfeOperationsStatus/:id`, (req) => {
    const op = find(req);
    return { status: 200, headers: op.status === 'InProgress' ? rt.pollRetryAfter(200) : {}, body: statusBody(op) };
  });

  router.route('GET', `${base}/mfeOperationResults/:id`, (req) => {
    const op = find(req);
    const outcome = locationPollOutcome(op);
    const headers =
      outcome.status === 202
        ? { location: operationUrls(rt.ctx.settings.armEndpoint, rt.scope.subscriptionId, rt.ctx.settings.location, op.id).result, ...rt.pollRetryAfter(202) }
        : {};
    return { status: outcome.status, headers, body: outcome.body };
  });
}
