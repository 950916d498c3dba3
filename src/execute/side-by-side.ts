/**
 * Runs independent stages side by side, each under a child of the run's signal: the first stage that
 * fails cancels the others (their Azure calls are aborted through src/azure/call-limits.ts), and all
 * settle before the failure is rethrown, so nothing keeps running behind the report.
 */
import { childController, isAbortError, withCallSignal } from '../azure/call-limits';

/** What a stage that a sibling's failure stopped is told (the signal's reason). */
export class SiblingFailed extends Error {
  override name = 'SiblingFailed';
  constructor(readonly stage: string) {
    super(`cancelled: the ${stage} stage failed`);
  }
}

export interface StageOutcome {
  name: string;
  /** Stopped by a sibling's failure or by the run's cancellation. */
  cancelled: boolean;
  error?: unknown;
}

export type Stage<T> = { name: string; run: (signal: AbortSignal) => Promise<T> };

export async function runSideBySide<T extends unknown[]>(
  parent: AbortSignal,
  stages: { [K in keyof T]: Stage<T[K]> },
  onCancelled: (outcome: StageOutcome, reason: unknown) => void = () => undefined,
): Promise<T> {
  const child = childController(parent);
  let first: { name: string; error: unknown } | undefined;
  const settled = await Promise.allSettled(
    (stages as Stage<unknown>[]).map((s) =>
      withCallSignal(child.signal, () => s.run(child.signal)).catch((error: unknown) => {
        if (!first && !child.signal.aborted) {
          first = { name: s.name, error };
          child.abort(new SiblingFailed(s.name));
        }
        throw error;
      }),
    ),
  );
  if (!first && !parent.aborted) return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
  const failures = settled.map((r, i) => ({ name: stages[i].name, error: r.status === 'rejected' ? r.reason : undefined, cancelled: r.status === 'rejected' && (first?.name !== stages[i].name) }));
  for (const f of failures) if (f.cancelled) onCancelled(f, child.signal.reason);
  // The run was cancelled: every stage that was still running says what it was doing.
  if (parent.aborted && (!first || isAbortError(first.error, parent))) {
    const messages = [...new Set(failures.filter((f) => f.error !== undefined).map((f) => message(f.error)))];
    throw new Error(messages.join('\n'));
  }
  throw first!.error;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
