/**
 * Custom Vision's documented call rates (limits-and-quotas): "Other API calls: 10 transactions per
 * second", "TrainProject: 2 calls per second" (F0; the stricter tier is emulated). A sliding
 * one-second window per training key; over the limit answers 429 with Retry-After.
 */
const WINDOW_MS = 1000;

export class CallRateLimit {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly perSecond = 10,
    private readonly trainPerSecond = 2,
  ) {}

  /** Records the call and returns undefined, or the seconds to wait when over the limit. */
  take(key: string, isTrain: boolean, now = Date.now()): number | undefined {
    const check = (bucket: string, limit: number): number | undefined => {
      const recent = (this.calls.get(bucket) ?? []).filter((t) => now - t < WINDOW_MS);
      this.calls.set(bucket, recent);
      return recent.length >= limit ? Math.max(1, Math.ceil((recent[0] + WINDOW_MS - now) / 1000)) : undefined;
    };
    const wait = check(`all:${key}`, this.perSecond) ?? (isTrain ? check(`train:${key}`, this.trainPerSecond) : undefined);
    if (wait !== undefined) return wait;
    this.calls.get(`all:${key}`)!.push(now);
    if (isTrain) this.calls.get(`train:${key}`)!.push(now);
    return undefined;
  }
}
