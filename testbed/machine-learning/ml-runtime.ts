// What the Azure ML route files share: the workspace scope, the state, the LRO store and the
// headers that hand an operation to the client.
import { TestbedContext } from '../context';
import { WorkspaceScope } from './arm-ids';
import { Operation, OperationStore, operationUrls } from './lro';
import { MlState } from './state';
import { LoadModelRepository } from './triton-runtime';

export interface MlRuntime {
  ctx: TestbedContext;
  scope: WorkspaceScope;
  state: MlState;
  operations: OperationStore;
  loadModelRepository: LoadModelRepository;
  /** Runs `fn` after `ms` without keeping the process alive. */
  later(ms: number, fn: () => void | Promise<void>): void;
  /** Headers of a PUT 200/201 that started `op`: Azure-AsyncOperation and Retry-After. */
  asyncOperationHeaders(op: Operation): Record<string, string>;
  /** Headers of a PATCH/DELETE/POST 202 that started `op`: Location (+ Retry-After when the spec allows it). */
  locationHeaders(op: Operation): Record<string, string>;
  /** Retry-After for an in-progress poll, or none. */
  pollRetryAfter(statusCode: 200 | 202): Record<string, string>;
}

/** The spec bounds Retry-After on 202 responses to 10..600 s; shorter test timings omit it there. */
const SPEC_MIN_RETRY_AFTER_ON_202 = 10;

export function createMlRuntime(
  ctx: TestbedContext,
  scope: WorkspaceScope,
  state: MlState,
  loadModelRepository: LoadModelRepository,
): MlRuntime {
  const operations = new OperationStore();
  const urls = (op: Operation) => operationUrls(ctx.settings.armEndpoint, scope.subscriptionId, ctx.settings.location, op.id);
  const retryAfter = (statusCode: 200 | 201 | 202): Record<string, string> => {
    const seconds = state.timing.retryAfterSeconds;
    if (statusCode === 202 && seconds < SPEC_MIN_RETRY_AFTER_ON_202) return {};
    return { 'retry-after': String(seconds) };
  };
  return {
    ctx,
    scope,
    state,
    operations,
    loadModelRepository,
    later(ms, fn) {
      const timer = setTimeout(() => {
        Promise.resolve()
          .then(fn)
          .catch((e: unknown) => ctx.log(`machine-learning: background step failed: ${e instanceof Error ? e.stack : String(e)}`));
      }, Math.max(0, ms));
      timer.unref();
    },
    asyncOperationHeaders(op) {
      return { 'azure-asyncoperation': urls(op).status, 'x-ms-async-operation-timeout': 'PT1H', ...retryAfter(201) };
    },
    locationHeaders(op) {
      return { location: urls(op).result, 'x-ms-async-operation-timeout': 'PT1H', ...retryAfter(202) };
    },
    pollRetryAfter(statusCode) {
      return retryAfter(statusCode);
    },
  };
}
