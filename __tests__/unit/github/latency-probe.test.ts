import { describeLatency, latencyBudgetFailure, latencyFigures, measureLatency, percentile } from '../../../src/smoke-test/latency-probe';

describe('latency figures', () => {
  it.each([
    [[5], 50, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 95, 19],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 100, 100],
    [[], 95, 0],
  ])('takes the nearest-rank percentile of %p at p%d: %d', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('reports p50, p95, max and throughput from unsorted samples', () => {
    const f = latencyFigures([30, 10, 20, 40], 200);
    expect(f).toMatchObject({ requests: 4, asked: 4, p50Ms: 20, p95Ms: 40, maxMs: 40, throughputPerSecond: 20 });
    expect(describeLatency(f)).toBe('4 request(s): p50 20 ms, p95 40 ms, max 40 ms, 20.0 requests/s');
  });

  it('fails a p95 over the budget, naming the input and the figures, and passes one at or under it', () => {
    const f = latencyFigures([10, 10, 10, 50], 100);
    expect(latencyBudgetFailure(f, 40)).toMatch(/^p95 latency 50\.0 ms exceeds latency-p95-budget 40 ms \(4 request\(s\): p50 10 ms, p95 50 ms/);
    expect(latencyBudgetFailure(f, 50)).toBeUndefined();
    expect(latencyBudgetFailure(f, undefined)).toBeUndefined();
  });
});

describe('measureLatency', () => {
  it('sends the request the number of times asked, one at a time', async () => {
    let inFlight = 0;
    let most = 0;
    let sent = 0;
    const f = await measureLatency(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      sent++;
      await new Promise((r) => setImmediate(r));
      inFlight--;
    }, { requests: 7, timeLimitMs: 60_000 });
    expect([sent, most, f.requests]).toEqual([7, 1, 7]);
  });

  it('stops at the time limit with the requests done so far, and says so', async () => {
    let clock = 0;
    const f = await measureLatency(async () => void (clock += 400), { requests: 20, timeLimitMs: 1000, now: () => clock });
    expect([f.requests, f.asked, f.p95Ms]).toEqual([3, 20, 400]);
    expect(describeLatency(f)).toContain('stopped by the 1 s limit; 20 asked');
  });
});
