/** What every execute-phase step takes: the config, the clients, the report, the log and the run's signal. */
import type { AzureClients } from '../azure/clients';
import type { ActionConfig } from '../config/action-config';
import type { RegistrySession } from '../image/triton-image';
import type { Log } from '../log';
import type { RunReport } from '../report/run-report';
import type { SmokeTestResult } from '../smoke-test/run-smoke-test';

export interface ExecuteDeps {
  config: ActionConfig;
  clients: AzureClients;
  registry?: RegistrySession;
  report: RunReport;
  log: Log;
  signal: AbortSignal;
  mask: (s: string) => void;
  /** Runs one phase (main.ts: a log group each); default: just runs it. */
  phase?: <T>(title: string, f: () => Promise<T>) => Promise<T>;
  /** Called as soon as outputs are known, so a later failure still reports them. */
  outputs?: (known: KnownOutputs) => void;
}

/** The outputs known so far: after the model and endpoint, after the deployment, after the smoke test. */
export interface KnownOutputs {
  endpoint?: { name: string; scoringUri?: string | null };
  deploymentName?: string;
  modelId?: string;
  modelVersion?: string;
  image?: string;
  smoke?: SmokeTestResult;
}
