/** A poll loop for the Training API's asynchronous steps (training, export), with a heartbeat. */
import type { Log } from '../../log';
import type { Clock } from './rate-limiter';

export interface PollOptions {
  intervalMs: number;
  deadline: number;
  clock: Clock;
  log: Log;
  /** What is awaited, for the heartbeat and the timeout message. */
  what: string;
}

const HEARTBEAT_MS = 30_000;

/** Calls `check` until it returns a value; throws when the deadline passes. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, opts: PollOptions): Promise<T> {
  const started = opts.clock.now();
  let lastBeat = started;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const now = opts.clock.now();
    if (now >= opts.deadline) {
      throw new Error(`timed out after ${Math.round((now - started) / 1000)} s waiting for ${opts.what}`);
    }
    if (now - lastBeat >= HEARTBEAT_MS) {
      opts.log.info(`Still waiting for ${opts.what} (${Math.round((now - started) / 1000)} s)`);
      lastBeat = now;
    }
    await opts.clock.sleep(Math.min(opts.intervalMs, Math.max(0, opts.deadline - now)));
  }
}
