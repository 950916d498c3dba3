/**
 * An HTTPS front for Azurite that applies the scripted faults (POST /_testbed/faults) to blob
 * requests, as the main server and the ACR front do, and streams everything else through. Azurite
 * is a separate process with no fault hook of its own. SharedKey and SAS signatures cover the path,
 * not the host, so a client signs for the front as it would for Azurite.
 */
import * as https from 'https';
import type { FaultScript } from '../server/faults';
import { redactHeaders, type RequestLog } from '../server/request-log';

export interface StorageFaultFrontOptions {
  tls: { cert: string | Buffer; key: string | Buffer };
  /** Azurite's own URL (https://127.0.0.1:port). */
  upstream: string;
  /** Trusts Azurite's certificate. */
  ca: string | Buffer;
  faults: FaultScript;
  requestLog: RequestLog;
}

/** Blob storage's error body (Azure Storage REST: "Status and error codes"). */
function storageErrorXml(status: number): string {
  const code = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServerBusy' : status >= 500 ? 'InternalError' : 'Conflict';
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Scripted fault with status ${status} (test bed).</Message></Error>`;
}

export function createStorageFaultFront(options: StorageFaultFrontOptions): https.Server {
  const upstream = new URL(options.upstream);
  const agent = new https.Agent({ keepAlive: true, ca: options.ca });
  return https.createServer(options.tls, (req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', upstream);
    const started = Date.now();
    const fault = options.faults.take(method, decodeURIComponent(url.pathname));
    if (fault) {
      // Faults only are logged: upload bodies are large and of no interest here.
      const record = (status: number, note: string) =>
        options.requestLog.add({
          server: 'storage', method, url: `${url.pathname}${url.search}`, status, durationMs: Date.now() - started,
          requestHeaders: redactHeaders(req.headers as Record<string, string>), fault: note,
        });
      if ('drop' in fault) {
        record(0, 'dropped connection');
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        const body = fault.body === undefined ? storageErrorXml(fault.status) : JSON.stringify(fault.body);
        record(fault.status, `status ${fault.status}`);
        res.writeHead(fault.status, {
          'content-type': fault.body === undefined ? 'application/xml' : 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-ms-error-code': /<Code>(\w+)<\/Code>/.exec(body)?.[1] ?? 'ScriptedFault',
          ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
        });
        res.end(body);
      });
      return;
    }
    const forward = https.request(url, { method, headers: { ...req.headers, host: upstream.host }, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.on('aborted', () => forward.destroy());
    req.pipe(forward);
  });
}
