/**
 * HTTPS transport for the Custom Vision Training API v3.3 ({Endpoint}/customvision/v3.3/training,
 * the spec's x-ms-parameterized-host + basePath). Sends the Training-Key header and never logs it;
 * spaces calls (rate-limiter.ts) and retries 408, 429, 500, 502, 503 and 504 (honouring Retry-After).
 * CA trust comes from NODE_EXTRA_CA_CERTS through node's default agent, or the agent given.
 */
import * as http from 'http';
import * as https from 'https';
import type { Log } from '../../log';
import { TRANSIENT_STATUSES } from '../../transient-retry';
import { CallKind, Clock, RateLimiter, realClock } from './rate-limiter';

export const TRAINING_BASE_PATH = '/customvision/v3.3/training';

const MAX_ATTEMPTS = 6;
const MAX_RETRY_WAIT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 300_000;
/**
 * The largest export zip read. Custom Vision's compact-domain ONNX exports are a few MB to tens of
 * MB; the cap keeps a hostile or broken answer from taking the runner's memory.
 */
export const MAX_EXPORT_BYTES = 128 * 1024 * 1024;

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
  /** An agent with extra CA trust (tests); default: node's global agent (NODE_EXTRA_CA_CERTS). */
  agent?: https.Agent;
  clock?: Clock;
}

export type QueryValue = string | number | boolean | string[] | undefined;

export interface CallOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  kind?: CallKind;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class TrainingHttp {
  private readonly base: URL;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;

  constructor(
    endpoint: string,
    private readonly trainingKey: string,
    private readonly log: Log,
    private readonly options: TransportOptions = {},
  ) {
    this.base = new URL(endpoint.replace(/\/+$/, '') + TRAINING_BASE_PATH);
    this.clock = options.clock ?? realClock;
    this.limiter = new RateLimiter(this.clock);
  }

  /** Calls `operation` (the spec's operationId, for messages); resolves with the parsed JSON body for 2xx. */
  async call<T>(operation: string, method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
    const url = new URL(this.base.pathname + path, this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { 'Training-Key': this.trainingKey, Accept: 'application/json' };
    if (payload) headers['Content-Type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(opts.kind ?? 'other');
      const started = this.clock.now();
      let res: RawResponse;
      try {
        res = await this.send(url, method, headers, payload);
      } catch (e) {
        if (method !== 'GET' || attempt >= MAX_ATTEMPTS) throw new Error(`Custom Vision ${operation} (${method} ${url.pathname}): ${(e as Error).message}`);
        await this.clock.sleep(backoffMs(attempt));
        continue;
      }
      this.log.debug(`Custom Vision ${operation}: ${method} ${url.pathname} -> ${res.status} (${this.clock.now() - started} ms)`);
      if (TRANSIENT_STATUSES.has(res.status) && attempt < MAX_ATTEMPTS) {
        const wait = Math.min(retryAfterMs(res.headers['retry-after'], this.clock.now()) ?? backoffMs(attempt), MAX_RETRY_WAIT_MS);
        if (res.status === 429) this.limiter.pause(wait);
        this.log.info(`Custom Vision ${operation}: HTTP ${res.status}, retrying in ${Math.ceil(wait / 1000)} s`);
        await this.clock.sleep(wait);
        continue;
      }
      const body = parseJson(res.body);
      if (res.status >= 200 && res.status < 300) return { status: res.status, body: body as T };
      const err = errorOf(body);
      const lasting = TRANSIENT_STATUSES.has(res.status);
      throw new CustomVisionApiError(operation, res.status, err.code, `${err.message}${lasting ? ` (after ${attempt} tries)` : ''}`, lasting ? CUSTOM_VISION_HINT : undefined);
    }
  }

  /** GET an export's downloadUri (a storage URL): no Training-Key goes there. At most `maxBytes` are read. */
  async download(uri: string, maxBytes = MAX_EXPORT_BYTES): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.send(new URL(uri), 'GET', {}, undefined, { maxBytes, what: 'the Custom Vision export download' });
      } catch (e) {
        if (e instanceof AnswerTooLargeError) throw e;
        if (attempt >= MAX_ATTEMPTS) throw new Error(`downloading the Custom Vision export failed: ${(e as Error).message}`);
        await this.clock.sleep(backoffMs(attempt));
        continue;
      }
      if (res.status === 200) return res.body;
      if ((res.status === 429 || res.status >= 500) && attempt < MAX_ATTEMPTS) {
        await this.clock.sleep(retryAfterMs(res.headers['retry-after'], this.clock.now()) ?? backoffMs(attempt));
        continue;
      }
      throw new Error(`downloading the Custom Vision export failed: HTTP ${res.status} from ${new URL(uri).host}${TRANSIENT_STATUSES.has(res.status) ? ` after ${MAX_ATTEMPTS} tries.\nHint: ${CUSTOM_VISION_HINT}.` : ''}`);
    }
  }

  private send(url: URL, method: string, headers: Record<string, string>, payload?: Buffer, cap = { maxBytes: MAX_EXPORT_BYTES, what: `Custom Vision ${method} ${url.pathname}` }): Promise<RawResponse> {
    const lib = url.protocol === 'http:' ? http : https;
    const tooLarge = (bytes: string) => new AnswerTooLargeError(`${cap.what} is larger than ${cap.maxBytes / 1048576} MiB (${bytes}), the limit for it; an ONNX export of a detection model is tens of MB: check the export, or report the model's size`);
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          headers: payload ? { ...headers, 'Content-Length': String(payload.length) } : headers,
          agent: url.protocol === 'https:' ? this.options.agent : undefined,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const declared = Number(res.headers['content-length']);
          if (res.statusCode === 200 && declared > cap.maxBytes) {
            req.destroy();
            return reject(tooLarge(`Content-Length ${declared}`));
          }
          const chunks: Buffer[] = [];
          let received = 0;
          // Counted as it arrives: a missing or lying Content-Length must not let the answer grow without bound.
          res.on('data', (c: Buffer) => {
            received += c.length;
            if (received > cap.maxBytes) {
              req.destroy();
              return reject(tooLarge(`more than ${received} bytes received`));
            }
            chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no response within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
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
