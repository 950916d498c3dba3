/**
 * Waits on an SDK poller (which honours Retry-After) with a heartbeat line every 30 s, so a person
 * watching a 15-minute deploy sees it is alive, and with the run's abort signal (timeout, SIGTERM).
 */
import type { Log } from '../log';

interface Poller<T> {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<T>;
  getOperationState(): { status?: string; isStarted?: boolean; isCompleted?: boolean };
}

export async function waitWithHeartbeat<T>(
  what: string,
  poller: Poller<T>,
  signal: AbortSignal,
  log: Log,
  heartbeatMs = 30_000,
): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    const state = poller.getOperationState();
    const status = state.status ?? (state.isCompleted ? 'completed' : 'running');
    log.info(`  ... ${what}: ${status}, ${Math.round((Date.now() - started) / 1000)} s`);
  }, heartbeatMs);
  try {
    return await poller.pollUntilDone({ abortSignal: signal });
  } finally {
    clearInterval(timer);
  }
}
