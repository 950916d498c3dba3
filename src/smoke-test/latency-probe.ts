/**
 * The latency measurement after a passing smoke test: the same inference request, one at a time (a
 * deployment's max_concurrent_requests_per_instance defaults to 1), a set number of times or until
 * a time limit, whichever comes first. Figures are nearest-rank percentiles of the round-trip times.
 */

export interface LatencyFigures {
  /** Requests that completed (fewer than asked when the time limit stopped the measurement). */
  requests: number;
  asked: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Completed requests per second of wall time. */
  throughputPerSecond: number;
  elapsedMs: number;
  /** The deployment that answered, when the endpoint named it. */
  answeredBy?: string;
}

export interface LatencyProbeOptions {
  requests: number;
  timeLimitMs: number;
  /** For tests: a clock in milliseconds. */
  now?: () => number;
}

/** Sends `send` up to options.requests times, sequentially; a failing request stops the probe with its error. */
export async function measureLatency(send: () => Promise<void>, options: LatencyProbeOptions): Promise<LatencyFigures> {
  const now = options.now ?? (() => performance.now());
  const samples: number[] = [];
  const started = now();
  while (samples.length < options.requests && now() - started < options.timeLimitMs) {
    const t = now();
    await send();
    samples.push(now() - t);
  }
  return latencyFigures(samples, now() - started, options.requests);
}

/** Nearest-rank percentile (the smallest sample with at least p % of samples at or below it). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function latencyFigures(samples: readonly number[], elapsedMs: number, asked = samples.length): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: samples.length,
    asked,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted.length ? sorted[sorted.length - 1] : 0,
    throughputPerSecond: elapsedMs > 0 ? (samples.length * 1000) / elapsedMs : 0,
    elapsedMs,
  };
}

/** "20 requests: p50 12.1 ms, p95 15.0 ms, max 17.3 ms, 70.2 requests/s" (+ the time limit when it cut the run short). */
export function describeLatency(f: LatencyFigures): string {
  const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
  const cut = f.requests < f.asked ? ` (stopped by the ${Math.round(f.elapsedMs / 1000)} s limit; ${f.asked} asked)` : '';
  return `${f.requests} request(s)${cut}: p50 ${ms(f.p50Ms)}, p95 ${ms(f.p95Ms)}, max ${ms(f.maxMs)}, ${f.throughputPerSecond.toFixed(1)} requests/s`;
}

/** Why the figures fail the budget, or undefined when they meet it (or no budget was set). */
export function latencyBudgetFailure(f: LatencyFigures, p95BudgetMs: number | undefined): string | undefined {
  if (p95BudgetMs === undefined || f.requests === 0 || f.p95Ms <= p95BudgetMs) return undefined;
  return `p95 latency ${f.p95Ms.toFixed(1)} ms exceeds latency-p95-budget ${p95BudgetMs} ms (${describeLatency(f)})`;
}
