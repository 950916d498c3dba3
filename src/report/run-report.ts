import type { LatencyFigures } from '../smoke-test/latency-probe';

/** What the run did, stage by stage: feeds the job summary and, on failure, the list of what was left behind. */
export type StageAction = 'create' | 'update' | 'reuse' | 'skip' | 'delete' | 'keep' | 'pass' | 'fail' | 'shift' | 'rollback';

export interface StageRecord {
  stage: string;
  action: StageAction;
  detail: string;
  durationMs?: number;
}

export class RunReport {
  readonly stages: StageRecord[] = [];
  /** Azure resources this run created, for the report when it fails or is cancelled. */
  readonly created: string[] = [];
  outputs: Record<string, string> = {};
  /** The endpoint's deployments left running after the run, with what each costs in instances. */
  running: { name: string; traffic: number; instances: string }[] = [];
  /** Latency measurements, in order (after the smoke test, after each canary step). */
  readonly latency: { stage: string; via: string; figures: LatencyFigures; budgetMs?: number }[] = [];

  record(stage: string, action: StageAction, detail: string, durationMs?: number): void {
    this.stages.push({ stage, action, detail, durationMs });
  }
}
