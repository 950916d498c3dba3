/**
 * The main HTTPS server: applies scripted faults, dispatches to the route table, renders ARM error
 * bodies, records every exchange and hands ARM exchanges to the spec check.
 */
import * as crypto from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { FaultScript, defaultFaultBody, hasRawBody, isStatusFault, writeRawFault } from './faults';
import { RecordedExchange, RequestLog, redactBody, redactHeaders } from './request-log';
import { RouteTable, TestbedHttpError, TestbedRequest, TestbedResponse } from './router';

/** What the spec check receives for each ARM exchange. */
export interface ArmExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: Buffer;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: Buffer;
}

export interface MainServerOptions {
  tls: { cert: Buffer; key: Buffer };
  routes: RouteTable;
  faults: FaultScript;
  requestLog: RequestLog;
  onArmExchange(exchange: ArmExchange): void;
  log(message: string): void;
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

export function makeRequest(
  method: string,
  url: URL,
  headers: Record<string, string | undefined>,
  body: Buffer,
  params: Record<string, string>,
): TestbedRequest {
  return {
    method,
    path: decodePath(url.pathname),
    query: url.searchParams,
    headers,
    body,
    params,
    json<T>(): T {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch (error) {
        throw new TestbedHttpError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: ${String(error)}`);
      }
    },
  };
}

function errorResponse(status: number, code: string, message: string): TestbedResponse {
  return { status, body: { error: { code, message } } };
}

/** Serialises a handler's response: Buffers as is, anything else as JSON. */
export function encodeBody(response: TestbedResponse): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (response.body === undefined) return { headers, body: Buffer.alloc(0) };
  if (Buffer.isBuffer(response.body)) return { headers, body: response.body };
  if (!hasType) headers['content-type'] = 'application/json; charset=utf-8';
  return { headers, body: Buffer.from(JSON.stringify(response.body)) };
}

export function isArmRequest(path: string, query: URLSearchParams): boolean {
  return path.toLowerCase().startsWith('/subscriptions/') && query.has('api-version');
}

async function dispatch(options: MainServerOptions, request: TestbedRequest): Promise<TestbedResponse> {
  const match = options.routes.match(request.method, request.path);
  if (match === undefined) return errorResponse(404, 'NotFound', `No test bed route for ${request.method} ${request.path}.`);
  if (match === 'methodNotAllowed') return errorResponse(405, 'MethodNotAllowed', `The test bed does not support ${request.method} on ${request.path}.`);
  request.params = match.params;
  try {
    return await match.handler(request);
  } catch (error) {
    if (error instanceof TestbedHttpError) return errorResponse(error.status, error.code, error.message);
    options.log(`handler for ${request.method} ${request.path} failed: ${(error as Error).stack ?? String(error)}`);
    return errorResponse(500, 'InternalServerError', `The test bed handler failed: ${String(error)}`);
  }
}

export function createMainServer(options: MainServerOptions): https.Server {
  return https.createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    void handle(options, req, res);
  });
}

async function handle(options: MainServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const headers = flattenHeaders(req.headers);
  const body = await readBody(req).catch(() => Buffer.alloc(0));
  const request = makeRequest(method, url, headers, body, {});
  const isControl = request.path.startsWith('/_testbed');
  const record = (status: number, responseBody: Buffer | undefined, responseType: string | undefined, fault?: string): RecordedExchange | undefined =>
    isControl
      ? undefined
      : options.requestLog.add({
          server: 'main', method, url: `${url.pathname}${url.search}`, status, durationMs: Date.now() - started,
          requestHeaders: redactHeaders(headers), requestBody: redactBody(body, headers['content-type']),
          responseBody: redactBody(responseBody, responseType), fault,
        });

  const taken = isControl ? undefined : options.faults.take(method, request.path);
  // Held: `hang` until the client gives up or the test bed stops, `delayMs` then answered (as usual, or
  // with the fault's status / drop when it has one).
  if (taken && !(await options.faults.holdFor(taken, req.socket, method, request.path))) {
    record(0, undefined, undefined, 'held until the connection closed');
    return;
  }
  const fault = taken && ('drop' in taken || isStatusFault(taken)) ? taken : undefined;
  if (fault && 'drop' in fault) {
    record(0, undefined, undefined, 'dropped connection');
    req.socket.destroy();
    return;
  }
  if (fault && hasRawBody(fault)) {
    const size = await writeRawFault(res, fault, { 'x-ms-request-id': crypto.randomUUID() });
    record(fault.status, Buffer.from(`<${size} bytes>`), 'text/plain', `raw status ${fault.status}`);
    return;
  }
  let response: TestbedResponse;
  if (fault) {
    const faultHeaders: Record<string, string> = {};
    if (fault.retryAfter !== undefined) faultHeaders['retry-after'] = String(fault.retryAfter);
    response = { status: fault.status, headers: { ...faultHeaders, ...(fault.headers ?? {}) }, body: fault.body ?? defaultFaultBody(fault.status) };
  } else {
    response = await dispatch(options, request);
  }
  const encoded = encodeBody(response);
  const requestId = crypto.randomUUID();
  const responseHeaders = { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': headers['x-ms-correlation-request-id'] ?? requestId, ...encoded.headers };
  const responseType = Object.entries(responseHeaders).find(([h]) => h.toLowerCase() === 'content-type')?.[1];
  record(response.status, encoded.body, responseType, fault ? `status ${response.status}` : taken ? `delayed ${(taken as { delayMs: number }).delayMs} ms` : undefined);
  if (!isControl && !fault) options.requestLog.noteIssued('main', `${url.pathname}${url.search}`, headers['user-agent'] ?? '', encoded.body, responseType);
  if (!fault && isArmRequest(request.path, url.searchParams)) {
    options.onArmExchange({
      method, url: `${url.pathname}${url.search}`, requestHeaders: redactHeaders(headers), requestBody: body,
      status: response.status, responseHeaders, responseBody: encoded.body,
    });
  }
  res.writeHead(response.status, { ...responseHeaders, 'content-length': String(encoded.body.length) });
  res.end(encoded.body);
}
