// One HTTP(S) exchange with a scoring endpoint, and the error that names what went wrong.
// node's https trusts NODE_EXTRA_CA_CERTS, which is how a private CA reaches the action.
import * as http from 'http';
import * as https from 'https';

export interface HttpExchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The largest answer read from a scoring endpoint. A detection model's outputs are a few MB (as JSON
 * a YOLO-style 25200 x 85 float tensor is ~20 MB); the cap keeps a broken or hostile server from
 * taking the runner's memory.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export interface SendOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  agent: http.Agent;
  /** Default MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
}

/** A failed request: `path` and `status` say where; `serverError` is the server's own words. */
export class KServeRequestError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly status?: number,
    readonly serverError?: string,
    /** Connection-level failure code (ECONNREFUSED, ETIMEDOUT, ...) when no response came. */
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'KServeRequestError';
  }
}

export function agentFor(url: URL, ca: Buffer | undefined): http.Agent {
  const options = { keepAlive: true, maxSockets: 8 };
  return url.protocol === 'http:' ? new http.Agent(options) : new https.Agent({ ...options, ...(ca ? { ca } : {}) });
}

/** Resolves with any HTTP status; rejects (KServeRequestError with `code`) only when no response came. */
export function send(url: URL, opts: SendOptions): Promise<HttpExchange> {
  const transport = url.protocol === 'http:' ? http : https;
  const headers = { ...opts.headers, ...(opts.body ? { 'content-length': String(opts.body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const max = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    const tooLarge = (seen: string) =>
      new KServeRequestError(
        `${opts.method} ${url.pathname}: the answer is larger than ${max / 1048576} MiB (${seen}), the limit for a scoring answer; a detection model's outputs are a few MB: check the model's output tensors and that the URL is the scoring endpoint`,
        url.pathname,
      );
    const req = transport.request(url, { method: opts.method, headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const declared = Number(res.headers['content-length']);
      if (declared > max) return abandon(tooLarge(`Content-Length ${declared}`));
      // Counted as it arrives: a chunked or lying answer must not grow without bound.
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (received > max) return abandon(tooLarge(`more than ${received} bytes received`));
        chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    // One deadline for the whole exchange: a slow trickle of bytes must not keep it alive.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no complete response within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })), opts.timeoutMs);
    function abandon(e: KServeRequestError): void {
      clearTimeout(timer);
      req.destroy();
      reject(e);
    }
    function fail(e: Error & { code?: string }): void {
      clearTimeout(timer);
      const code = e.code ?? 'ECONNRESET';
      reject(new KServeRequestError(`${opts.method} ${url.pathname}: ${e.message} (${code})`, url.pathname, undefined, undefined, code));
    }
    req.on('error', fail);
    req.end(opts.body);
  });
}

/** The server's `{ "error": "..." }` text (KServe error shape), else the start of the body. */
export function serverErrorText(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') {
      const { error, message } = parsed as { error?: unknown; message?: unknown };
      if (typeof error === 'string') return error;
      if (typeof message === 'string') return message;
      if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
        return (error as { message: string }).message; // Azure-style { error: { code, message } }
      }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The status the model container answered. Azure ML's scoring front answers 424 for any non-200
 * answer of the container and names the container's status and a reason in headers
 * (MicrosoftDocs/azure-ai-docs, articles/machine-learning/how-to-troubleshoot-online-endpoints.md,
 * "HTTP status codes"): decisions (retry, fail fast) follow the container's status.
 */
export function containerStatus(exchange: HttpExchange): number {
  const header = exchange.headers['ms-azureml-model-error-statuscode'];
  const status = Number(Array.isArray(header) ? header[0] : header);
  return exchange.status === 424 && Number.isInteger(status) && status >= 100 && status < 600 ? status : exchange.status;
}

/** "HTTP 424 (the model container answered HTTP 500)", or "HTTP 503" when the front answered itself. */
export function statusText(exchange: HttpExchange): string {
  const container = containerStatus(exchange);
  if (container === exchange.status) return `HTTP ${exchange.status}`;
  const reason = exchange.headers['ms-azureml-model-error-reason'];
  const why = typeof reason === 'string' && reason !== '' && reason !== 'model_error' ? `, ${reason}` : '';
  return `HTTP ${exchange.status} (the model container answered HTTP ${container}${why})`;
}

/** The error for a non-2xx response, with a hint for the statuses a user can act on; `status` is the container's. */
export function responseError(method: string, url: URL, exchange: HttpExchange): KServeRequestError {
  const text = serverErrorText(exchange.body);
  const hint =
    exchange.status === 401 || exchange.status === 403
      ? ' (check the endpoint key and that the deployment accepts key authentication)'
      : '';
  // Through the traffic split, Azure ML names the deployment that answered.
  const by = exchange.headers['azureml-model-deployment'];
  const answeredBy = typeof by === 'string' && by !== '' ? ` (answered by deployment '${by}')` : '';
  return new KServeRequestError(
    `${method} ${url.pathname} returned ${statusText(exchange)}${text ? `: ${text}` : ''}${answeredBy}${hint}`,
    url.pathname,
    containerStatus(exchange),
    text || undefined,
    undefined,
    retryAfterMs(exchange.headers['retry-after'], Date.now()),
  );
}
