/**
 * HTTPS transport for the Custom Vision Training API v3.3 ({Endpoint}/customvision/v3.3/training,
 * the spec's x-ms-parameterized-host + basePath), on the pipeline the ARM clients use
 * (src/azure/clients.ts: the SDK's retries and Retry-After throttling, the call limits, the call log;
 * docs/adr/012-custom-vision-client.md). Sends the Training-Key header and never logs it; spaces
 * calls (rate-limiter.ts), and a 429 holds back every call, not only the one retried. Retries 408,
 * 429, 500, 502, 503 and 504 (honouring Retry-After, at most a minute) and dropped connections.
 * CA trust comes from NODE_EXTRA_CA_CERTS, or the agent given.
 */
import type * as https from 'https';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient, type HttpMethods, type Pipeline, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createSharedPipeline, RETRY_OPTIONS } from '../../azure/clients';
import type { Log } from '../../log';
import { TRANSIENT_STATUSES } from '../../transient-retry';
import { CallKind, Clock, RateLimiter, realClock } from './rate-limiter';

export const TRAINING_BASE_PATH = '/customvision/v3.3/training';

/** Tries in all, as for the ARM clients (RETRY_OPTIONS). */
const MAX_ATTEMPTS = RETRY_OPTIONS.maxRetries + 1;
/** No wait before a retry is longer, whatever Retry-After asks. */
const MAX_RETRY_WAIT_MS = 60_000;
/** A try without an answer, or a body without a byte, for this long is abandoned. */
const REQUEST_TIMEOUT_MS = 300_000;
/**
 * The largest export zip read. Custom Vision's compact-domain ONNX exports are a few MB to tens of
 * MB; the cap keeps a hostile or broken answer from taking the runner's memory.
 */
export const MAX_EXPORT_BYTES = 128 * 1024 * 1024;
/** Success answers are streamed, so their size is counted as they arrive (error answers are short). */
const SUCCESS = new Set(Array.from({ length: 100 }, (_, i) => 200 + i));

export const CUSTOM_VISION_HINT =
  "Custom Vision kept failing: check Azure's status page for Azure AI Custom Vision in the resource's region and re-run later; " +
  'a lasting 429 means the training resource\'s pricing tier limits the call rate (F0: 2 calls per second)';

/** An answer larger than a cap: names what was read and the limit. */
export class AnswerTooLargeError extends Error {
  override name = 'AnswerTooLargeError';
}

/** A Training API error: the HTTP status and the service's CustomVisionError code. */
export class CustomVisionApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    hint?: string,
  ) {
    super(`Custom Vision ${operation} failed: HTTP ${status} ${code}: ${message}${hint ? `\nHint: ${hint}.` : ''}`);
    this.name = 'CustomVisionApiError';
  }
}

export interface TransportOptions {
  /** An agent with extra CA trust (tests); default: node's global trust (NODE_EXTRA_CA_CERTS). */
  agent?: https.Agent;
  clock?: Clock;
}

export type QueryValue = string | number | boolean | string[] | undefined;

export interface CallOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  kind?: CallKind;
}

/** One call in flight: the operation (for log lines), its rate-limit kind (none: not spaced, downloads) and its tries so far. */
interface InFlight {
  operation: string;
  kind?: CallKind;
  tries: number;
}

export class TrainingHttp {
  private readonly base: URL;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly calls = new Map<string, InFlight>();

  constructor(
    endpoint: string,
    private readonly trainingKey: string,
    private readonly log: Log,
    private readonly options: TransportOptions = {},
  ) {
    this.base = new URL(endpoint.replace(/\/+$/, '') + TRAINING_BASE_PATH);
    this.clock = options.clock ?? realClock;
    this.limiter = new RateLimiter(this.clock);
    this.pipeline = createSharedPipeline(log, { perRetry: [this.customVisionPolicy()], tryTimeoutMs: REQUEST_TIMEOUT_MS });
  }

  /** Calls `operation` (the spec's operationId, for messages); resolves with the parsed JSON body for 2xx. */
  async call<T>(operation: string, method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
    const url = new URL(this.base.pathname + path, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const request = this.request(url, method);
    request.headers.set('Training-Key', this.trainingKey);
    request.headers.set('Accept', 'application/json');
    if (opts.body !== undefined) {
      request.headers.set('Content-Type', 'application/json');
      request.body = JSON.stringify(opts.body);
    }
    const { res, tries, body: raw } = await this.send(request, { operation, kind: opts.kind ?? 'other', tries: 0 }, `Custom Vision ${method} ${url.pathname}`).catch((e: unknown) => {
      if (e instanceof AnswerTooLargeError) throw e;
      throw new Error(`Custom Vision ${operation} (${method} ${url.pathname}): ${(e as Error).message}`);
    });
    const body = parseJson(raw);
    if (SUCCESS.has(res.status)) return { status: res.status, body: body as T };
    const err = errorOf(body);
    const lasting = TRANSIENT_STATUSES.has(res.status);
    throw new CustomVisionApiError(operation, res.status, err.code, `${err.message}${lasting ? ` (after ${tries} tries)` : ''}`, lasting ? CUSTOM_VISION_HINT : undefined);
  }

  /** GET an export's downloadUri (a storage URL): no Training-Key goes there. At most `maxBytes` are read. */
  async download(uri: string, maxBytes = MAX_EXPORT_BYTES): Promise<Buffer> {
    const request = this.request(new URL(uri), 'GET');
    const { res, tries, body } = await this.send(request, { operation: 'export download', tries: 0 }, 'the Custom Vision export download', maxBytes).catch((e: unknown) => {
      if (e instanceof AnswerTooLargeError) throw e;
      throw new Error(`downloading the Custom Vision export failed: ${(e as Error).message}`);
    });
    if (res.status === 200) return body;
    throw new Error(`downloading the Custom Vision export failed: HTTP ${res.status} from ${new URL(uri).host}${TRANSIENT_STATUSES.has(res.status) ? ` after ${tries} tries.\nHint: ${CUSTOM_VISION_HINT}.` : ''}`);
  }

  /** Sends through the pipeline; a success body is read up to `maxBytes`. */
  private async send(request: PipelineRequest, call: InFlight, what: string, maxBytes = MAX_EXPORT_BYTES): Promise<{ res: PipelineResponse; tries: number; body: Buffer }> {
    this.calls.set(request.requestId, call);
    try {
      const res = await this.pipeline.sendRequest(this.httpClient, request);
      const body = res.readableStreamBody ? await readCapped(res, maxBytes, what) : Buffer.from(res.bodyAsText ?? '', 'utf8');
      return { res, tries: call.tries, body };
    } finally {
      this.calls.delete(request.requestId);
    }
  }

  private request(url: URL, method: string): PipelineRequest {
    const request = createPipelineRequest({
      url: url.toString(),
      method: method as HttpMethods,
      headers: createHttpHeaders(),
      streamResponseStatusCodes: SUCCESS,
      // The test bed's plain-HTTP peers (a real endpoint and export URL are HTTPS).
      allowInsecureConnection: url.protocol === 'http:',
    });
    if (url.protocol === 'https:' && this.options.agent) request.agent = this.options.agent;
    return request;
  }

  /**
   * Per try, after the retry policy: spaces the call (its kind's rate), counts the try, and on a
   * transient answer that will be retried says so; a 429's wait (Retry-After, or a backoff when it
   * has none) holds back every call and is handed to the SDK's throttling retry, capped at a minute.
   */
  private customVisionPolicy(): PipelinePolicy {
    return {
      name: 'custom-vision-rate-limit',
      sendRequest: async (request, next) => {
        const call = this.calls.get(request.requestId);
        if (!call) return next(request);
        if (call.kind) await this.limiter.acquire(call.kind);
        call.tries++;
        const response = await next(request);
        if (TRANSIENT_STATUSES.has(response.status) && call.tries < MAX_ATTEMPTS) {
          let wait = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
          if (response.status === 429) {
            // The SDK retries a 429 only after a Retry-After; Custom Vision's gateway may send none.
            wait = Math.min(wait ?? backoffMs(call.tries), MAX_RETRY_WAIT_MS);
            this.limiter.pause(wait);
          } else if (wait !== undefined) {
            wait = Math.min(wait, MAX_RETRY_WAIT_MS);
          }
          if (wait !== undefined) response.headers.set('retry-after-ms', String(wait));
          this.log.info(`Custom Vision ${call.operation}: HTTP ${response.status}, retrying${wait === undefined ? '' : ` in ${Math.ceil(wait / 1000)} s`}`);
        }
        return response;
      },
    };
  }
}

/** Reads a streamed body, failing past `maxBytes` or after REQUEST_TIMEOUT_MS without a byte. */
async function readCapped(res: PipelineResponse, maxBytes: number, what: string): Promise<Buffer> {
  const stream = res.readableStreamBody as NodeJS.ReadableStream & { destroy(error?: Error): void };
  const tooLarge = (bytes: string) => new AnswerTooLargeError(`${what} is larger than ${maxBytes / 1048576} MiB (${bytes}), the limit for it; an ONNX export of a detection model is tens of MB: check the export, or report the model's size`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    stream.destroy();
    throw tooLarge(`Content-Length ${declared}`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => stream.destroy(new Error(`no data for ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
  };
  try {
    arm();
    // Counted as it arrives: a missing or lying Content-Length must not let the answer grow without bound.
    for await (const chunk of stream) {
      arm();
      received += chunk.length;
      if (received > maxBytes) {
        stream.destroy();
        throw tooLarge(`more than ${received} bytes received`);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    clearTimeout(idle);
  }
  return Buffer.concat(chunks);
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3). */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8').slice(0, 300);
  }
}

/** CustomVisionError is {code, message}; some gateways wrap it in {error: {...}}. */
function errorOf(body: unknown): { code: string; message: string } {
  const b = (body && typeof body === 'object' && 'error' in body ? (body as { error: unknown }).error : body) as
    | { code?: unknown; message?: unknown }
    | string
    | undefined;
  if (b && typeof b === 'object') return { code: String(b.code ?? 'Unknown'), message: String(b.message ?? '') };
  return { code: 'Unknown', message: typeof b === 'string' ? b : '' };
}
