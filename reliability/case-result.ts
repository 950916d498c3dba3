/** One case's outcome, as the report counts it. */
export type Section = 'fault' | 'bad-input' | 'hostile-answer' | 'sigterm' | 'concurrency';
export type Outcome = 'recovered' | 'reported-cleanly' | 'misbehaved' | 'not-hit';

export interface CaseResult {
  section: Section;
  name: string;
  outcome: Outcome;
  /** Why it misbehaved (grouped by in the report). */
  cause?: string;
  detail?: string;
  trafficToUnhealthy: boolean;
  secretsLeaked: string[];
  peakRssMb: number;
  /** A clean re-run after it converged (undefined: none was needed or made). */
  reRunConverged?: boolean;
  durationMs: number;
  logTail?: string;
}
