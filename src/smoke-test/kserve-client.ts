// Client for a Triton server behind an Azure ML online endpoint, over the KServe v2 HTTP protocol
// (../shared/reference/kserve/inference_rest.md) with Triton's binary tensor data and model
// configuration extensions (../shared/reference/triton/).
import { abortableSleep } from '../transient-retry';
import * as http from 'http';
import { Log } from '../log';
import { HttpExchange, KServeRequestError, agentFor, containerStatus, responseError, send, statusText } from './kserve-http';
import { decodeInferResponse, encodeInferRequest } from './kserve-tensor-codec';
import { Tensor } from './tensors';

export { KServeRequestError } from './kserve-http';

export interface KServeClientOptions {
  /** Where Triton's /v2 routes hang: a custom container's scoring URI, or the host of a no-code Triton endpoint. */
  baseUrl: string;
  /** Endpoint key, sent as `Authorization: Bearer <key>`; never logged. */
  key: string;
  /** Pins requests to one deployment (`azureml-model-deployment` header), e.g. one without traffic yet. */
  deployment?: string;
  /** Per request, for the whole exchange. */
  timeoutMs: number;
  /** For metadata and inference: `attempts` tries in all, backoff from `baseDelayMs` unless Retry-After says otherwise. */
  retry: { attempts: number; baseDelayMs: number };
  log: Log;
  /** Extra CA for tests only; real runs trust a private CA through NODE_EXTRA_CA_CERTS. */
  ca?: Buffer;
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  /** -1 for a variable dimension (the batch dimension when the model batches). */
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface RepositoryIndexEntry {
  name: string;
  version?: string;
  state?: string;
  reason?: string;
}

/**
 * Statuses the ready probe waits through: a deployment still starting, routing not set up yet, or the
 * front end failing while the container comes up (500 too: Azure ML's scoring front answers it briefly).
 */
const READY_RETRY_STATUSES = new Set([404, 429, 500, 502, 503, 504]);
/** Statuses worth another try for metadata and inference (overload, throttling, a restart). */
const REQUEST_RETRY_STATUSES = new Set([429, 502, 503, 504]);
const INFER_RETRY_STATUSES = new Set([429, 503]);
const CONNECTION_RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ETIMEDOUT']);
const READY_HEARTBEAT_MS = 30_000;
const MAX_BACKOFF_MS = 15_000;

export class KServeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** The deployment that answered the last inference (Azure ML's `azureml-model-deployment` response header), if named. */
  lastAnsweredBy?: string;

  constructor(private readonly options: KServeClientOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.base = new URL(base);
    this.agent = agentFor(this.base, options.ca);
  }

  /**
   * GET /v2/health/ready until it answers 200, retrying connection errors and 404/429/502/503/504
   * (honouring Retry-After) until `deadlineMs`, an absolute time on the Date.now() clock.
   * `signal` stops the wait early (e.g. when the images it runs alongside turn out unreadable).
   */
  async waitUntilReady(deadlineMs: number, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    let lastHeartbeat = started;
    let lastProblem = '';
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let retryAfter: number | undefined;
      try {
        const { url, exchange } = await this.exchange('GET', 'v2/health/ready', undefined, Math.min(this.options.timeoutMs, Math.max(1, deadlineMs - Date.now())));
        if (exchange.status === 200) {
          this.options.log.info(`Triton is ready (${Math.round((Date.now() - started) / 1000)} s, ${attempt} probe${attempt > 1 ? 's' : ''})`);
          return;
        }
        const error = responseError('GET', url, exchange);
        if (containerStatus(exchange) === 400) {
          // Triton's strict readiness answers 400 once a model has failed to load: waiting will not help.
          throw new KServeRequestError(`${error.message} (Triton is up but not ready: a model failed to load; see the deployment's container logs)`, error.path, 400, error.serverError);
        }
        if (!READY_RETRY_STATUSES.has(containerStatus(exchange))) throw error;
        lastProblem = `${statusText(exchange)}${error.serverError ? ` (${error.serverError})` : ''}`;
        retryAfter = error.retryAfterMs;
      } catch (e) {
        if (!(e instanceof KServeRequestError) || e.code === undefined || !CONNECTION_RETRY_CODES.has(e.code)) throw e;
        lastProblem = e.code;
      }
      const now = Date.now();
      if (now - lastHeartbeat >= READY_HEARTBEAT_MS) {
        lastHeartbeat = now;
        this.options.log.info(`waiting for Triton to be ready: ${lastProblem} after ${Math.round((now - started) / 1000)} s`);
      }
      const delay = Math.min(retryAfter ?? this.backoff(attempt), 60_000);
      if (now + delay >= deadlineMs) {
        throw new KServeRequestError(
          `GET ${this.pathOf('v2/health/ready')}: Triton was not ready within ${Math.round((now - started) / 1000)} s (last answer: ${lastProblem}).\n` +
            "Hint: read the deployment's container logs (az ml online-deployment get-logs) for model load errors; a 5xx that lasts means the inference server or Azure ML's scoring front is failing",
          this.pathOf('v2/health/ready'),
        );
      }
      await abortableSleep(delay, signal);
    }
  }

  /** GET /v2/models/{model}: the KServe model metadata (tensor names, datatypes, shapes). */
  async modelMetadata(model: string): Promise<ModelMetadata> {
    return this.getJson<ModelMetadata>(`v2/models/${encodeURIComponent(model)}`);
  }

  /** GET /v2/models/{model}/config: Triton's model configuration as JSON (model_config.proto field names). */
  async modelConfig(model: string): Promise<Record<string, unknown>> {
    return this.getJson<Record<string, unknown>>(`v2/models/${encodeURIComponent(model)}/config`);
  }

  /** POST /v2/repository/index (Triton's model repository extension): the models the server knows. */
  async repositoryIndex(): Promise<RepositoryIndexEntry[]> {
    const body = await this.request('POST', 'v2/repository/index', { body: Buffer.from('{}'), contentType: 'application/json' }, REQUEST_RETRY_STATUSES);
    return JSON.parse(body.body.toString('utf8')) as RepositoryIndexEntry[];
  }

  /** POST /v2/models/{model}/infer; `binary` uses the binary tensor data extension both ways. */
  async infer(model: string, inputs: readonly Tensor[], outputNames: readonly string[], opts: { binary: boolean }): Promise<Tensor[]> {
    const encoded = encodeInferRequest(inputs, outputNames, opts.binary);
    const path = `v2/models/${encodeURIComponent(model)}/infer`;
    const res = await this.request('POST', path, { body: encoded.body, headers: encoded.headers }, INFER_RETRY_STATUSES);
    const answeredBy = res.headers['azureml-model-deployment'];
    this.lastAnsweredBy = typeof answeredBy === 'string' && answeredBy !== '' ? answeredBy : undefined;
    const headerLength = res.headers['inference-header-content-length'];
    try {
      return decodeInferResponse(res.body, headerLength === undefined ? undefined : Number(headerLength));
    } catch (e) {
      throw new KServeRequestError(`POST ${this.pathOf(path)}: unreadable inference response: ${(e as Error).message}`, this.pathOf(path), res.status);
    }
  }

  /** Drops kept-alive connections so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async getJson<T>(path: string): Promise<T> {
    const res = await this.request('GET', path, {}, REQUEST_RETRY_STATUSES);
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new KServeRequestError(`GET ${this.pathOf(path)} returned HTTP ${res.status} with a body that is not JSON`, this.pathOf(path), res.status);
    }
  }

  /** One call with `retry.attempts` tries on connection errors and `retryStatuses`; non-2xx otherwise throws. */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    payload: { body?: Buffer; headers?: Record<string, string>; contentType?: string },
    retryStatuses: ReadonlySet<number>,
  ): Promise<HttpExchange> {
    const headers = { ...(payload.contentType ? { 'content-type': payload.contentType } : {}), ...payload.headers };
    const attempts = Math.max(1, this.options.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      let error: KServeRequestError;
      try {
        const { url, exchange } = await this.exchange(method, path, payload.body, this.options.timeoutMs, headers);
        if (exchange.status >= 200 && exchange.status < 300) return exchange;
        error = responseError(method, url, exchange);
        if (!retryStatuses.has(containerStatus(exchange))) throw error;
      } catch (e) {
        // A timed-out POST may still be running on the server: do not pile another one on.
        const retriable = e instanceof KServeRequestError && e.code !== undefined && CONNECTION_RETRY_CODES.has(e.code) && !(method === 'POST' && e.code === 'ETIMEDOUT');
        if (!retriable) throw e;
        error = e;
      }
      if (attempt >= attempts) throw error;
      const delay = Math.min(error.retryAfterMs ?? this.backoff(attempt), 60_000);
      this.options.log.info(`${method} ${error.path}: ${error.status ? `HTTP ${error.status}` : error.code}; retrying in ${(delay / 1000).toFixed(1)} s (try ${attempt + 1} of ${attempts})`);
      await abortableSleep(delay);
    }
  }

  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    body: Buffer | undefined,
    timeoutMs: number,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ url: URL; exchange: HttpExchange }> {
    const url = new URL(this.pathOf(path), this.base);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.key}`,
      ...(this.options.deployment ? { 'azureml-model-deployment': this.options.deployment } : {}),
      ...extraHeaders,
    };
    const started = Date.now();
    const exchange = await send(url, { method, headers, body, timeoutMs, agent: this.agent });
    this.options.log.debug(`${method} ${url.pathname} -> ${exchange.status} in ${Date.now() - started} ms`);
    return { url, exchange };
  }

  private pathOf(path: string): string {
    return `${this.base.pathname.replace(/\/+$/, '')}/${path}`;
  }

  /** Exponential backoff with jitter (50-100 % of the step), so parallel clients spread out. */
  private backoff(attempt: number): number {
    const step = Math.min(MAX_BACKOFF_MS, this.options.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step * (0.5 + Math.random() / 2));
  }
}

