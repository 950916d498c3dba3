/**
 * A small ARM client for the four ACR Tasks calls `az acr build` makes, api-version
 * 2019-06-01-preview (containerregistry_build.json): Registries_GetBuildSourceUploadUrl,
 * Registries_ScheduleRun (x-ms-long-running-operation: 200 with the run, or 202 and a poll),
 * Runs_Get and Runs_GetLogSasUrl. Built on @azure/core-rest-pipeline with the same token, retry and
 * call-log policies as the SDK clients (docs/adr/013-acr-tasks-client.md says why not the SDK).
 */
import type { TokenCredential } from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import { ACR_TASKS_API_VERSION } from '../azure/api-versions';
import { DEFAULT_TRY_TIMEOUT_MS, callLimitPolicies, currentCallSignal } from '../azure/call-limits';
import { abortableSleep } from '../transient-retry';

/** The spec's DockerBuildRequest (the fields az acr build sets). */
export interface DockerBuildRequest {
  type: 'DockerBuildRequest';
  imageNames: string[];
  isPushEnabled: boolean;
  noCache?: boolean;
  dockerFilePath: string;
  sourceLocation: string;
  platform: { os: 'Linux'; architecture: 'amd64' };
  timeout?: number;
  agentConfiguration?: { cpu: number };
}

export type RunStatus = 'Queued' | 'Started' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled' | 'Error' | 'Timeout';

export interface Run {
  runId: string;
  status: RunStatus;
  outputImages?: { registry?: string; repository?: string; tag?: string; digest?: string }[];
  runErrorMessage?: string;
}

export const TERMINAL: readonly RunStatus[] = ['Succeeded', 'Failed', 'Canceled', 'Error', 'Timeout'];

/** An ARM error answer: status and ARM's error code (e.g. 400 TasksOperationsNotAllowed). */
export class AcrTasksError extends Error {
  override name = 'AcrTasksError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface AcrTasksTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export class AcrTasksClient {
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();

  constructor(
    credential: TokenCredential,
    private readonly endpoint: string,
    scopes: string[],
    private readonly registry: AcrTasksTarget,
    policies: PipelinePolicy[] = [],
    private readonly sleep: (ms: number) => Promise<void> = (ms) => abortableSleep(ms, currentCallSignal()),
    tryTimeoutMs = DEFAULT_TRY_TIMEOUT_MS,
  ) {
    this.pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 5 } });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes }));
    // The limits every Azure call has: the run's abort signal, and a timeout on each try.
    for (const { policy, position } of callLimitPolicies(tryTimeoutMs)) this.pipeline.addPolicy(policy, position === 'perRetry' ? { phase: 'Retry' } : {});
    for (const p of policies) this.pipeline.addPolicy(p, { phase: 'Retry' });
  }

  private url(suffix: string): string {
    const r = this.registry;
    const base = this.endpoint.replace(/\/+$/, '');
    return `${base}/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${r.name}${suffix}?api-version=${ACR_TASKS_API_VERSION}`;
  }

  private async send(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; headers: { get(n: string): string | undefined }; json: unknown }> {
    const request = createPipelineRequest({ url, method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (body !== undefined) request.headers.set('content-type', 'application/json');
    const res = await this.pipeline.sendRequest(this.http, request);
    let json: unknown;
    try {
      json = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
    } catch {
      json = res.bodyAsText;
    }
    if (res.status >= 400) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AcrTasksError(`${method} ${new URL(url).pathname.split('/').slice(-2).join('/')} answered ${res.status} ${err?.code ?? ''}: ${err?.message ?? String(res.bodyAsText ?? '').slice(0, 300)}`, res.status, err?.code ?? '');
    }
    return { status: res.status, headers: { get: (n) => res.headers.get(n) }, json };
  }

  async getBuildSourceUploadUrl(): Promise<{ uploadUrl: string; relativePath: string }> {
    const r = (await this.send('POST', this.url('/listBuildSourceUploadUrl'))).json as { uploadUrl?: string; relativePath?: string };
    if (!r.uploadUrl || !r.relativePath) throw new Error('listBuildSourceUploadUrl answered without uploadUrl and relativePath');
    return { uploadUrl: r.uploadUrl, relativePath: r.relativePath };
  }

  /** 200 carries the run; 202 is polled (Azure-AsyncOperation, then Location) until the run is created. */
  async scheduleRun(request: DockerBuildRequest): Promise<Run> {
    const first = await this.send('POST', this.url('/scheduleRun'), request);
    if (first.status === 200) return runOf(first.json);
    const asyncUrl = first.headers.get('azure-asyncoperation');
    const location = first.headers.get('location');
    for (;;) {
      await this.sleep(Number(first.headers.get('retry-after') ?? 1) * 1000);
      if (asyncUrl) {
        const s = (await this.send('GET', asyncUrl)).json as { status?: string; error?: { code?: string; message?: string } };
        if (s.status === 'Failed' || s.status === 'Canceled') throw new AcrTasksError(`scheduleRun ${s.status}: ${s.error?.message ?? ''}`, 200, s.error?.code ?? s.status);
        if (s.status !== 'Succeeded') continue;
      }
      if (!location) throw new Error('scheduleRun answered 202 without a Location');
      const r = await this.send('GET', location);
      if (r.status === 200) return runOf(r.json);
    }
  }

  async getRun(runId: string): Promise<Run> {
    return runOf((await this.send('GET', this.url(`/runs/${runId}`))).json);
  }

  async getLogSasUrl(runId: string): Promise<string> {
    const r = (await this.send('POST', this.url(`/runs/${runId}/listLogSasUrl`))).json as { logLink?: string };
    if (!r.logLink) throw new Error(`listLogSasUrl for run ${runId} answered without logLink`);
    return r.logLink;
  }
}

function runOf(json: unknown): Run {
  const props = (json as { properties?: Partial<Run> } | undefined)?.properties;
  if (!props?.runId) throw new Error(`the run answer has no runId: ${JSON.stringify(json).slice(0, 300)}`);
  return { runId: props.runId, status: props.status ?? 'Queued', outputImages: props.outputImages, runErrorMessage: props.runErrorMessage };
}
