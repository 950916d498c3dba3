import * as http from 'http';
import type { AddressInfo } from 'net';
import { createHttpHeaders, createPipelineFromOptions, createPipelineRequest, createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { callLimitPolicies, limitedFetch, perTryTimeoutPolicy, withCallSignal } from '../../../src/azure/call-limits';

/** A server that takes requests and never answers them. */
let server: http.Server;
let url = '';
let received = 0;
beforeAll(async () => {
  server = http.createServer(() => void received++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/held`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => (received = 0));

function send(): Promise<unknown> {
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 1, retryDelayInMs: 10 } });
  for (const { policy, position } of callLimitPolicies(150)) pipeline.addPolicy(policy, position === 'perRetry' ? { afterPhase: 'Retry' } : {});
  const request = createPipelineRequest({ url, method: 'GET', headers: createHttpHeaders(), allowInsecureConnection: true });
  return pipeline.sendRequest(createDefaultHttpClient(), request);
}

it('ends a held try with a retriable timeout and retries it', async () => {
  await expect(send()).rejects.toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/GET \/held: no response within 150 ms/) });
  expect(received).toBe(2);
});

it('aborts a held call when the signal of its scope is aborted', async () => {
  const abort = new AbortController();
  const pending = withCallSignal(abort.signal, () => limitedFetch(url, {}, 60_000));
  while (received === 0) await new Promise((r) => setTimeout(r, 10));
  abort.abort(new Error('cancelled by SIGTERM'));
  await expect(pending).rejects.toThrow(/cancelled by SIGTERM|aborted/);
});

it('ends a held fetch with a timeout that names the request', async () => {
  await expect(limitedFetch(url, { method: 'POST' }, 100)).rejects.toThrow(/POST \/held: no response within 100 ms/);
});

it('aborts an SDK call whose scope is cancelled before it is sent', async () => {
  const abort = new AbortController();
  abort.abort();
  await expect(withCallSignal(abort.signal, send)).rejects.toMatchObject({ name: 'AbortError' });
  expect(received).toBe(0);
});

it('leaves no timer behind when a storage call is aborted (the finished action must exit at once)', async () => {
  const { AnonymousCredential, BlobServiceClient, newPipeline } = await import('@azure/storage-blob');
  const { storageCallLimits } = await import('../../../src/azure/call-limits');
  const pipeline = newPipeline(new AnonymousCredential(), { retryOptions: { maxTries: 1 } });
  pipeline.factories.push(storageCallLimits(600_000));
  const blob = new BlobServiceClient(url.replace(/\/held$/, '/account'), pipeline).getContainerClient('c').getBlockBlobClient('b');
  // Every long timer set during the call must be cleared by the time it has failed.
  const set: unknown[] = [];
  const cleared = new Set<unknown>();
  const realSet = global.setTimeout;
  const realClear = global.clearTimeout;
  const spySet = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    const t = realSet(fn, ms);
    if ((ms ?? 0) >= 600_000) set.push(t);
    return t;
  }) as typeof setTimeout);
  const spyClear = jest.spyOn(global, 'clearTimeout').mockImplementation(((t?: NodeJS.Timeout) => {
    cleared.add(t);
    realClear(t);
  }) as typeof clearTimeout);
  try {
    const abort = new AbortController();
    const pending = withCallSignal(abort.signal, () => blob.upload('x', 1));
    while (received === 0) await new Promise((r) => realSet(r, 10));
    abort.abort(new Error('a sibling stage failed'));
    await expect(pending).rejects.toThrow();
  } finally {
    spySet.mockRestore();
    spyClear.mockRestore();
    for (const t of set) realClear(t as NodeJS.Timeout);
  }
  expect(set.length).toBeGreaterThan(0);
  expect(set.filter((t) => !cleared.has(t))).toEqual([]);
});

describe('an answer past the size limit', () => {
  let big: http.Server;
  let sent = 0;
  beforeAll(async () => {
    // Streams 1 KiB chunks without end (until the client goes away).
    big = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024, 0x20);
      const write = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', write);
      };
      write();
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    big.closeAllConnections();
    await new Promise((r) => big.close(r));
  });

  it('is cut off near the limit and named, not read whole', async () => {
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 1, retryDelayInMs: 10 } });
    pipeline.addPolicy(perTryTimeoutPolicy(60_000, 256 * 1024), { afterPhase: 'Retry' });
    const port = (big.address() as AddressInfo).port;
    const request = createPipelineRequest({ url: `http://127.0.0.1:${port}/huge`, method: 'GET', headers: createHttpHeaders(), allowInsecureConnection: true });
    await expect(pipeline.sendRequest(createDefaultHttpClient(), request)).rejects.toMatchObject({ code: 'ResponseTooLarge', message: expect.stringMatching(/^GET \/huge: the answer is over 0\.25 MiB/) });
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });
});
