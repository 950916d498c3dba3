/**
 * Azure ML answers 409 Conflict to a PUT on an endpoint or deployment while another operation runs
 * on it (another pipeline, the portal, a scale-out). The SDK's retry policy does not retry 409;
 * this waits (Retry-After when given) and tries again, bounded in count and by the run's abort signal.
 * Endpoint traffic has its own wait, which reads the endpoint until it is idle (endpoint-traffic.ts).
 */
import type { Log } from '../log';
import { abortableSleep, retryAfterMs } from '../transient-retry';

export interface ConflictTiming {
  /** First wait; it doubles on each further 409, up to maxWaitMs. */
  waitMs: number;
  maxWaitMs: number;
  retries: number;
}

export const CONFLICT_TIMING: ConflictTiming = { waitMs: 5000, maxWaitMs: 30_000, retries: 6 };

export function isConflict(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 409;
}

function retryAfterOf(e: unknown): number | undefined {
  const headers = (e as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers;
  return retryAfterMs(headers?.get?.('retry-after'), Date.now());
}

/** Runs `write` (a PUT and its LRO) again after each 409; the last 409, or any other error, is thrown as is. */
export async function retryOnConflict<T>(what: string, write: () => Promise<T>, signal: AbortSignal, log: Log, timing = CONFLICT_TIMING): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!isConflict(e) || attempt > timing.retries || signal.aborted) throw e;
      const wait = Math.min(retryAfterOf(e) ?? timing.waitMs * 2 ** (attempt - 1), timing.maxWaitMs);
      log.info(`${what}: 409 Conflict (another operation runs on it); trying again in ${Math.round(wait / 1000)} s (retry ${attempt} of ${timing.retries})`);
      await abortableSleep(wait, signal);
    }
  }
}

