/**
 * Spaces calls to Custom Vision's documented rates (limits-and-quotas): "Other API calls: 10
 * transactions per second" and "TrainProject: 2 calls per second" on the free tier (10 on S0;
 * the lower one is used so either tier is safe). Slots are reserved synchronously, so
 * concurrent callers queue instead of bursting.
 */
export type CallKind = 'train' | 'other';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  private nextAny = 0;
  private nextTrain = 0;

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs = 110,
    private readonly minTrainIntervalMs = 550,
  ) {}

  async acquire(kind: CallKind): Promise<void> {
    const now = this.clock.now();
    let at = Math.max(now, this.nextAny);
    if (kind === 'train') at = Math.max(at, this.nextTrain);
    this.nextAny = at + this.minIntervalMs;
    if (kind === 'train') this.nextTrain = at + this.minTrainIntervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }

  /** After a 429: nobody calls again before `ms` from now. */
  pause(ms: number): void {
    this.nextAny = Math.max(this.nextAny, this.clock.now() + ms);
  }
}
