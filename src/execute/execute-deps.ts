/** What every execute-phase step takes: the config, the clients, the report, the log and the run's signal. */
import type { AzureClients } from '../azure/clients';
import type { ActionConfig } from '../config/action-config';
import type { RegistrySession } from '../image/triton-image';
import type { Log } from '../log';
import type { RunReport } from '../report/run-report';

export interface ExecuteDeps {
  config: ActionConfig;
  clients: AzureClients;
  registry?: RegistrySession;
  report: RunReport;
  log: Log;
  signal: AbortSignal;
  mask: (s: string) => void;
}
