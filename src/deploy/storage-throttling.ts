/**
 * Blob requests answered 429 Too Many Requests are tried again. The storage SDK's own retry policy
 * (StorageRetryPolicyV2 in @azure/storage-common) retries 500, 503 and network errors but not 429,
 * which a throttling front or an emulator under load sends. This policy sits outside it, honours
 * Retry-After, and gives up after a few tries or when the request's abort signal fires.
 */
import { newPipeline, type Pipeline, type RequestPolicyFactory, type StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { AnonymousCredential, StorageSharedKeyCredential } from '@azure/storage-blob';
import { retryAfterMs, retryDelayMs } from '../transient-retry';

export interface ThrottleRetry {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const STORAGE_THROTTLE_RETRY: ThrottleRetry = { attempts: 5, baseDelayMs: 2000, maxDelayMs: 30_000 };

export function throttlingRetryFactory(retry: ThrottleRetry = STORAGE_THROTTLE_RETRY): RequestPolicyFactory {
  return {
    create: (next) => ({
      async sendRequest(request) {
        for (let attempt = 1; ; attempt++) {
          let retryAfter: string | undefined;
          try {
            const response = await next.sendRequest(request);
            if (response.status !== 429 || attempt >= retry.attempts || request.abortSignal?.aborted) return response;
            retryAfter = response.headers.get('retry-after');
          } catch (e) {
            // The SDK's deserializer turns an error status into a RestError before this policy sees it.
            const rest = e as { statusCode?: number; response?: { headers?: { get(name: string): string | undefined } } };
            if (rest.statusCode !== 429 || attempt >= retry.attempts || request.abortSignal?.aborted) throw e;
            retryAfter = rest.response?.headers?.get('retry-after');
          }
          const delay = retryDelayMs(attempt, { detail: '', retryAfterMs: retryAfterMs(retryAfter, Date.now()) }, retry);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      },
    }),
  };
}

/** A storage pipeline with the SDK's policies plus the 429 retry. */
export function storagePipeline(
  credential: StorageSharedKeyCredential | AnonymousCredential | TokenCredential,
  options: StoragePipelineOptions = {},
  retry: ThrottleRetry = STORAGE_THROTTLE_RETRY,
): Pipeline {
  const pipeline = newPipeline(credential, options);
  pipeline.factories.push(throttlingRetryFactory(retry));
  return pipeline;
}
