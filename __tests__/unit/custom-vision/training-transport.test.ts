/**
 * The Custom Vision transport runs on the ARM clients' pipeline (src/azure/clients.ts,
 * docs/adr/012-custom-vision-client.md): the same call log, the same retries.
 */
import type { Log } from '../../../src/log';
import { TrainingHttp } from '../../../src/source/custom-vision/training-http';
import { EmulatorHarness, startEmulator, TRAINING_KEY } from './emulator-harness';

let h: EmulatorHarness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => h.stop());
afterEach(() => h.faults.clear());

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: (m) => lines.push(`debug: ${m}`) };
}

it("logs each attempt with the ARM clients' call-log line, never the training key", async () => {
  const log = recordingLog();
  const http = new TrainingHttp(h.baseUrl, TRAINING_KEY, log, { agent: h.agent });
  const { status, body } = await http.call<unknown[]>('GetDomains', 'GET', '/domains');
  expect(status).toBe(200);
  expect(body.length).toBeGreaterThan(0);
  expect(log.lines).toEqual([expect.stringMatching(/^debug: GET \/customvision\/v3\.3\/training\/domains -> 200 in \d+ ms \(x-ms-request-id .+\)$/)]);
  expect(log.lines.join('\n')).not.toContain(TRAINING_KEY);
});

it('retries a server error on a read, as the ARM clients do, and a dropped connection', async () => {
  h.faults.add({ match: { method: 'GET', pathRegex: '/training/domains$' }, response: { status: 500, body: { code: 'InternalServerError', message: 'try again' } } });
  h.faults.add({ match: { method: 'GET', pathRegex: '/training/domains$' }, response: { drop: true } });
  const log = recordingLog();
  const http = new TrainingHttp(h.baseUrl, TRAINING_KEY, log, { agent: h.agent });
  const { status } = await http.call('GetDomains', 'GET', '/domains');
  expect(status).toBe(200);
  const attempts = log.lines.filter((l) => l.startsWith('debug: GET /customvision/v3.3/training/domains'));
  expect(attempts).toEqual([expect.stringMatching(/-> 500 in/), expect.not.stringMatching(/-> \d{3} in/), expect.stringMatching(/-> 200 in/)]);
});

it('retries a 429 that names no Retry-After after a backoff (the SDK alone would not)', async () => {
  h.faults.add({ match: { method: 'GET', pathRegex: '/training/domains$' }, response: { status: 429, body: { code: 'TooManyRequests', message: 'slow down' } } });
  const log = recordingLog();
  const http = new TrainingHttp(h.baseUrl, TRAINING_KEY, log, { agent: h.agent });
  const { status } = await http.call('GetDomains', 'GET', '/domains');
  expect(status).toBe(200);
  expect(log.lines.filter((l) => !l.startsWith('debug:'))).toEqual(['Custom Vision GetDomains: HTTP 429, retrying in 1 s']);
  expect(log.lines.filter((l) => l.startsWith('debug: GET'))).toEqual([expect.stringMatching(/-> 429 in/), expect.stringMatching(/-> 200 in/)]);
});

it('downloads an export larger than the 32 MiB cap on management answers (a streamed answer is bounded by its own cap)', async () => {
  const http = await import('http');
  const size = 40 * 1024 * 1024;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    res.end(Buffer.alloc(size, 7));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as import('net').AddressInfo).port;
    const client = new TrainingHttp(h.baseUrl, TRAINING_KEY, recordingLog(), { agent: h.agent });
    const body = await client.download(`http://127.0.0.1:${port}/export.zip`);
    expect(body.length).toBe(size);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
