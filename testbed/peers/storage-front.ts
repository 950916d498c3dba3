/**
 * The address the action uploads to: an HTTPS front for Azurite that applies the scripted faults
 * (POST /_testbed/faults, paths like /devstoreaccount1/<container>/<blob>) and records each exchange,
 * then passes the request through unchanged. Storage signatures cover the path and headers, not the
 * host, so shared-key, SAS and bearer requests stay valid.
 */
import * as http from 'http';
import * as https from 'https';
import { hasRawBody, isStatusFault, writeRawFault, type FaultScript } from '../server/faults';
import { flattenHeaders } from '../server/https-server';
import { redactHeaders, type RequestLog } from '../server/request-log';

export interface StorageFrontOptions {
  tls: { cert: Buffer; key: Buffer };
  /** The CA that signed Azurite's certificate. */
  ca: Buffer;
  azuritePort: number;
  faults: FaultScript;
  requestLog: RequestLog;
}

/** The storage service's error shape: x-ms-error-code and an XML body. */
function storageError(res: http.ServerResponse, status: number, retryAfter?: number, extraHeaders: Record<string, string> = {}): void {
  const code = status === 503 ? 'ServerBusy' : status === 500 ? 'InternalError' : status === 403 ? 'AuthorizationFailure' : status === 429 ? 'TooManyRequests' : 'ScriptedFault';
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Scripted fault with status ${status}.</Message></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml', 'x-ms-error-code': code, 'content-length': String(Buffer.byteLength(body)),
    ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    ...extraHeaders,
  });
  res.end(body);
}

export function createStorageFront(options: StorageFrontOptions): https.Server {
  return https.createServer(options.tls, (req, res) => void handle(options, req, res));
}

async function handle(options: StorageFrontOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const headers = flattenHeaders(req.headers);
  const record = (status: number, fault?: string) =>
    options.requestLog.add({ server: 'storage', method, url: `${url.pathname}${url.search}`, status, durationMs: Date.now() - started, requestHeaders: redactHeaders(headers), fault });

  const taken = options.faults.take(method, url.pathname);
  if (taken && !(await options.faults.holdFor(taken, req.socket, method, url.pathname))) {
    record(0, 'held until the connection closed');
    return;
  }
  const fault = taken && ('drop' in taken || isStatusFault(taken)) ? taken : undefined;
  if (fault && 'drop' in fault) {
    record(0, 'dropped connection');
    req.socket.destroy();
    return;
  }
  if (fault && hasRawBody(fault)) {
    req.resume();
    await writeRawFault(res, fault, {});
    record(fault.status, `raw status ${fault.status}`);
    return;
  }
  if (fault) {
    req.resume();
    record(fault.status, `status ${fault.status}`);
    storageError(res, fault.status, fault.retryAfter, fault.headers);
    return;
  }
  const upstream = https.request(
    { host: '127.0.0.1', port: options.azuritePort, method, path: req.url, headers: req.headers, ca: options.ca },
    (answer) => {
      record(answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    record(0, 'Azurite did not answer');
    res.destroy();
  });
  req.on('aborted', () => upstream.destroy());
  req.pipe(upstream);
}
