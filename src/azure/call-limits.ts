/**
 * Every call to Azure is bounded twice: by a per-try timeout (a held connection becomes a retriable
 * ETIMEDOUT instead of a wait without end) and by the abort signal of the scope it runs in (the run's
 * timeout-minutes and SIGTERM, or a failed sibling stage). The signal travels with the async context
 * (AsyncLocalStorage), so every SDK call made inside `withCallSignal` gets it without each call site
 * passing it along.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { RequestPolicy, RequestPolicyFactory, WebResource } from '@azure/storage-blob';

/** ARM, Entra and storage calls answer in seconds; a try that has not answered in 2 minutes is held. */
export const DEFAULT_TRY_TIMEOUT_MS = 120_000;

/** ARM answers are kilobytes (a list page of a few hundred resources, well under 10 MiB). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

const scope = new AsyncLocalStorage<AbortSignal>();

/** Runs `f` with `signal` bounding every Azure call it makes (nested scopes replace the outer one). */
export function withCallSignal<T>(signal: AbortSignal, f: () => Promise<T>): Promise<T> {
  return scope.run(signal, f);
}

/** Makes `signal` bound every Azure call from here on in the caller's async context (the run's entry point). */
export function enterCallSignal(signal: AbortSignal): void {
  scope.enterWith(signal);
}

/** The signal of the scope the caller runs in, if any. */
export function currentCallSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/** A controller that is aborted with its parent (a stage graph inside the run). */
export function childController(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) child.abort(parent.reason);
  else parent.addEventListener('abort', () => child.abort(parent.reason), { once: true });
  return child;
}

/** True for the error an aborted call ends with (the SDK's AbortError, fetch's, or a signal's reason). */
export function isAbortError(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && e === signal.reason) return true;
  const name = (e as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || (e as { code?: unknown } | undefined)?.code === 'ABORT_ERR';
}

type SignalLike = Pick<AbortSignal, 'aborted' | 'addEventListener'>;

/** Aborted when either is; AbortSignal.any keeps no strong listener on the long-lived run signal. */
function combine(a: SignalLike | undefined, b: SignalLike | undefined): AbortSignal | undefined {
  const native = [a, b].filter((x): x is SignalLike => x !== undefined).map((x) => (x instanceof AbortSignal ? x : fromLike(x)));
  return native.length < 2 ? native[0] : AbortSignal.any(native);
}

/** An SDK AbortSignalLike as a native signal. */
function fromLike(s: SignalLike): AbortSignal {
  const c = new AbortController();
  if (s.aborted) c.abort();
  else s.addEventListener('abort', () => c.abort(), { once: true });
  return c.signal;
}

export class CallTimeoutError extends RestError {
  constructor(what: string, ms: number) {
    super(`${what}: no response within ${seconds(ms)} (per-request timeout)`, { code: 'ETIMEDOUT' });
    this.name = 'CallTimeoutError';
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Per call (before the retry policy): ties the request to the scope's signal, so retry waits are
 * cancelled too.
 */
export function callSignalPolicy(): PipelinePolicy {
  return {
    name: 'aml-triton-deploy-call-signal',
    sendRequest(request, next) {
      request.abortSignal = combine(request.abortSignal, currentCallSignal());
      if (request.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
      return next(request);
    },
  };
}

/**
 * Per try (after the retry policy): a try without an answer in `timeoutMs` is aborted and reported as
 * ETIMEDOUT, which the SDK's retry strategy retries like a dropped connection.
 */
export function perTryTimeoutPolicy(timeoutMs: number, maxAnswerBytes = MAX_ANSWER_BYTES): PipelinePolicy {
  return {
    name: 'aml-triton-deploy-try-timeout',
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(), timeoutMs);
      request.abortSignal = combine(outer, timer.signal);
      // The SDK reads an answer whole into memory: one past any real ARM answer is cut off, not buffered.
      // A streamed answer (the Custom Vision export) is read, and bounded, by its caller.
      const progress = request.onDownloadProgress;
      const streamed = request.streamResponseStatusCodes !== undefined && request.streamResponseStatusCodes.size > 0;
      let tooLarge = false;
      if (!streamed)
        request.onDownloadProgress = (p) => {
          progress?.(p);
          if (p.loadedBytes > maxAnswerBytes) {
            // The abort closes the connection; the throw ends the SDK's read of the body (an abort alone
            // does not reach it through its progress stream, and the read would wait forever).
            tooLarge = true;
            timer.abort();
            throw new Error('answer too large');
          }
        };
      try {
        return await next(request);
      } catch (e) {
        const what = `${request.method} ${new URL(request.url).pathname}`;
        if (tooLarge)
          throw new RestError(`${what}: the answer is over ${maxAnswerBytes / 1024 / 1024} MiB, far more than any answer this call has (read no further)`, {
            code: 'ResponseTooLarge',
          });
        if (timer.signal.aborted && !outer?.aborted) throw new CallTimeoutError(what, timeoutMs);
        throw e;
      } finally {
        clearTimeout(t);
        request.abortSignal = outer;
        request.onDownloadProgress = progress;
      }
    },
  };
}

/** Both policies, for an SDK client's additionalPolicies. */
export function callLimitPolicies(timeoutMs: number): { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[] {
  return [
    { policy: callSignalPolicy(), position: 'perCall' },
    { policy: perTryTimeoutPolicy(timeoutMs), position: 'perRetry' },
  ];
}

/**
 * The same limits for @azure/storage-blob, whose pipeline takes only request policy factories: the
 * scope's signal, and a timeout on each request (its retry policy sends the same request again, so
 * the timeout holds per try; a timed-out try is not retried by storage and ends the call). The timer
 * is ours, cleared however the try ends: the HTTP client's own `request.timeout` timer is left
 * running when a request is aborted, and kept the finished action alive for two minutes.
 */
export function storageCallLimits(timeoutMs: number): RequestPolicyFactory {
  return {
    create(next: RequestPolicy): RequestPolicy {
      return {
        async sendRequest(request: WebResource) {
          const outer = combine(request.abortSignal, currentCallSignal());
          const timer = new AbortController();
          const t = setTimeout(() => timer.abort(), timeoutMs);
          const given = request.abortSignal;
          request.abortSignal = combine(outer, timer.signal);
          try {
            return await next.sendRequest(request);
          } catch (e) {
            if (timer.signal.aborted && !outer?.aborted) throw new CallTimeoutError(`${request.method} ${new URL(request.url).pathname}`, timeoutMs);
            throw e;
          } finally {
            clearTimeout(t);
            request.abortSignal = given;
          }
        },
      };
    },
  };
}

/**
 * fetch with the scope's signal and a timeout that covers the body too (ACR's token endpoints and
 * registry API, the GitHub OIDC token request).
 */
export async function limitedFetch(url: string, init: RequestInit, timeoutMs = DEFAULT_TRY_TIMEOUT_MS): Promise<{ res: Response; text: string }> {
  const timeout = new AbortController();
  const t = setTimeout(() => timeout.abort(), timeoutMs);
  const outer = combine(init.signal ?? undefined, currentCallSignal());
  try {
    const res = await fetch(url, { ...init, signal: combine(outer, timeout.signal) });
    return { res, text: init.method === 'HEAD' ? '' : await res.text() };
  } catch (e) {
    if (timeout.signal.aborted && !outer?.aborted) throw new CallTimeoutError(`${init.method ?? 'GET'} ${new URL(url).pathname}`, timeoutMs);
    throw e;
  } finally {
    clearTimeout(t);
  }
}

/** fetch bounded like limitedFetch, answering the Response itself (the caller reads the body). */
export const boundedFetch: typeof fetch = async (input, init = {}) => {
  const timeout = AbortSignal.timeout(DEFAULT_TRY_TIMEOUT_MS);
  const outer = combine(init.signal ?? undefined, currentCallSignal());
  try {
    return await fetch(input, { ...init, signal: combine(outer, timeout) });
  } catch (e) {
    if (timeout.aborted && !outer?.aborted)
      throw new CallTimeoutError(`${init.method ?? 'GET'} ${new URL(String(input instanceof Request ? input.url : input)).pathname}`, DEFAULT_TRY_TIMEOUT_MS);
    throw e;
  }
};
