// The test bed's Triton server behind real HTTPS on 127.0.0.1 with a throwaway CA, mounted at an
// Azure-ML-like base path with bearer-key auth. `intercept` lets a test answer a request itself.
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import { makeCertificates } from '../../../testbed/tls/make-certificates';
import { TritonHttpResponse, TritonModelServer } from '../../../testbed/triton-server/triton-model-server';

export const TEST_KEY = 'test-endpoint-key-3f9c';
export const BASE_PATH = '/inference/test-ep';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpsTriton {
  baseUrl: string;
  ca: Buffer;
  requests: RecordedRequest[];
  /** Return a response to answer instead of the Triton server, or undefined to pass through. */
  intercept?: (req: RecordedRequest) => TritonHttpResponse | undefined;
  close(): Promise<void>;
}

export async function startHttpsTriton(triton: TritonModelServer): Promise<HttpsTriton> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kserve-tls-'));
  const certs = await makeCertificates(dir);
  const fixture: Partial<HttpsTriton> & { requests: RecordedRequest[] } = { requests: [] };
  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      fixture.requests.push(recorded);
      void answer(recorded).then((r) => {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });
    });
  });
  async function answer(req: RecordedRequest): Promise<TritonHttpResponse> {
    const intercepted = fixture.intercept?.(req);
    if (intercepted) return intercepted;
    if (req.headers.authorization !== `Bearer ${TEST_KEY}`) return jsonResponse(401, { message: 'Invalid key' });
    if (!req.path.startsWith(`${BASE_PATH}/`)) return jsonResponse(404, { error: 'no such endpoint' });
    return triton.handle({ ...req, path: req.path.slice(BASE_PATH.length) });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fixture, {
    baseUrl: `https://127.0.0.1:${port}${BASE_PATH}`,
    ca: certs.ca,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): TritonHttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

/** A Log that keeps every line, to assert on what was (and was not) logged. */
export function recordingLog(): { lines: string[]; info(m: string): void; warning(m: string): void; debug(m: string): void } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(m), debug: (m) => lines.push(m) };
}
