/**
 * The one retry loop for the action's own HTTP calls (fetch and node:https clients, the docker CLI):
 * a transient answer (408, 429, 500, 502, 503, 504, or no answer at all) is tried again after a
 * backoff with jitter, or after the server's Retry-After (RFC 9110 10.2.3) when it gives one. The
 * tries are bounded in count and by the run's deadline (its abort signal). After the last try the
 * error names the operation, the last status and what to check. The Azure SDK clients have their
 * own policy (src/azure/clients.ts); this is for the calls outside them.
 */
import { boundedFetch, currentCallSignal } from './azure/call-limits';
import type { Log } from './log';

export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  /** No single wait is longer, whatever Retry-After asks. */
  maxDelayMs: number;
  /** The run's abort signal (timeout-minutes, SIGTERM): a wait ends early and no try starts after it. */
  signal?: AbortSignal;
  /** An absolute Date.now() time no wait may reach past (e.g. the smoke test's own deadline). */
  deadlineMs?: number;
  log?: Log;
  /** The fetch to use (e.g. one that counts the bytes of the registry build's calls). */
  fetch?: typeof fetch;
  /** For tests: a clock and a sleep that need not wait. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** What a try that did not succeed reports: the status (none for a dropped connection), why, and the server's Retry-After. */
export interface TransientFault {
  status?: number;
  detail: string;
  retryAfterMs?: number;
}

/** A transient fault that outlasted the retries (or the deadline). */
export class TransientFaultError extends Error {
  override name = 'TransientFaultError';
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly attempts: number,
    detail: string,
    readonly hint: string,
  ) {
    super(`${operation} failed after ${attempts} ${attempts === 1 ? 'try' : 'tries'}: ${status ? `HTTP ${status}` : 'no answer'}${detail ? ` (${detail})` : ''}.\nHint: ${hint}.`);
  }
}

/** Thrown by a try to be retried. */
export class RetryableFault extends Error {
  constructor(readonly fault: TransientFault) {
    super(fault.detail);
  }
}

/** Retry-After as delta-seconds or an HTTP-date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before try `attempt + 1`: Retry-After when given, else exponential backoff with jitter (50-100 % of the step). Pure. */
export function retryDelayMs(attempt: number, fault: TransientFault, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  if (fault.retryAfterMs !== undefined) return Math.min(fault.retryAfterMs, options.maxDelayMs);
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/**
 * Runs `attempt` until it resolves; a `RetryableFault` it throws is retried, anything else is
 * rethrown at once. `hint` says what to check when the fault outlasts the retries.
 */
export async function withRetries<T>(operation: string, hint: string, attempt: (n: number) => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const attempts = Math.max(1, options.attempts);
  // Without a signal of its own, the scope's (timeout-minutes, SIGTERM, a failed sibling stage) ends the waits.
  const signal = options.signal ?? currentCallSignal();
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    let fault: TransientFault;
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof RetryableFault)) throw e;
      fault = e.fault;
    }
    const delay = retryDelayMs(n, fault, options, options.random);
    const pastDeadline = options.deadlineMs !== undefined && now() + delay >= options.deadlineMs;
    if (n >= attempts || pastDeadline || signal?.aborted) {
      throw new TransientFaultError(operation, fault.status, n, `${fault.detail}${pastDeadline && n < attempts ? '; no time left before the deadline' : ''}`, hint);
    }
    options.log?.info(`${operation}: ${fault.status ? `HTTP ${fault.status}` : fault.detail}; retrying in ${(delay / 1000).toFixed(1)} s (try ${n + 1} of ${attempts})`);
    await sleep(delay, signal);
  }
}

/**
 * fetch with retries: resolves with the first answer whose status is not transient (the caller
 * handles 404, 401, ...); a transient status or a failed connection is retried. `init.body` must
 * be replayable (a string or a buffer).
 */
export function fetchWithRetries(operation: string, hint: string, url: string, init: RequestInit, options: RetryOptions = DEFAULT_RETRY): Promise<Response> {
  return withRetries(
    operation,
    hint,
    async () => {
      let res: Response;
      try {
        // Default: bounded by a per-request timeout and the scope's signal (timeout-minutes, SIGTERM, a failed sibling).
        res = await (options.fetch ?? boundedFetch)(url, { ...init, signal: options.signal });
      } catch (e) {
        if (options.signal?.aborted || currentCallSignal()?.aborted) throw e;
        throw new RetryableFault({ detail: connectionFailure(e) });
      }
      if (!TRANSIENT_STATUSES.has(res.status)) return res;
      const text = await res.text().catch(() => '');
      throw new RetryableFault({
        status: res.status,
        detail: text.replace(/\s+/g, ' ').trim().slice(0, 200),
        retryAfterMs: retryAfterMs(res.headers.get('retry-after'), (options.now ?? Date.now)()),
      });
    },
    options,
  );
}

/** undici's "fetch failed" hides the reason in `cause` (ECONNRESET, ECONNREFUSED, ...). */
function connectionFailure(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
