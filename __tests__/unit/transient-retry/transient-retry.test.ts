import * as http from 'http';
import type { AddressInfo } from 'net';
import { AnonymousCredential, BlobServiceClient } from '@azure/storage-blob';
import { retryingOidc } from '../../../src/azure/credential';
import { storagePipeline } from '../../../src/deploy/storage-throttling';
import { transientDockerFailure } from '../../../src/image/docker-cli';
import {
  fetchWithRetries,
  RetryableFault,
  retryAfterMs,
  retryDelayMs,
  TransientFaultError,
  withRetries,
  type RetryOptions,
} from '../../../src/transient-retry';

/** Options whose sleep records the waits instead of waiting. */
function recording(extra: Partial<RetryOptions> = {}): RetryOptions & { waits: number[] } {
  const waits: number[] = [];
  return { attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000, random: () => 1, sleep: async (ms) => void waits.push(ms), waits, ...extra };
}

/** A server answering the scripted statuses in turn, then 200 "ok". */
async function scriptedServer(script: { status: number; headers?: Record<string, string>; body?: string }[]): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const step = script[hits++];
    res.writeHead(step?.status ?? 200, step?.headers ?? {});
    res.end(step ? (step.body ?? `scripted ${step.status}`) : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('withRetries', () => {
  it('tries again after transient faults and resolves with the first success', async () => {
    const options = recording();
    let tries = 0;
    const value = await withRetries('Reading x', 'check x', async () => {
      if (++tries < 3) throw new RetryableFault({ status: 503, detail: 'busy' });
      return 'done';
    }, options);
    expect({ value, tries, waits: options.waits }).toEqual({ value: 'done', tries: 3, waits: [1000, 2000] });
  });

  it("waits what Retry-After asks, capped by maxDelayMs", async () => {
    const options = recording({ maxDelayMs: 10_000 });
    let tries = 0;
    await withRetries('Reading x', 'check x', async () => {
      tries++;
      if (tries === 1) throw new RetryableFault({ status: 429, detail: '', retryAfterMs: 7000 });
      if (tries === 2) throw new RetryableFault({ status: 429, detail: '', retryAfterMs: 120_000 });
      return 1;
    }, options);
    expect(options.waits).toEqual([7000, 10_000]);
  });

  it('after the last try names the operation, the status and the hint', async () => {
    const options = recording({ attempts: 3 });
    const failure = withRetries('POST /oauth2/exchange on acr.example', 'check the registry', async () => {
      throw new RetryableFault({ status: 429, detail: 'too many requests' });
    }, options);
    await expect(failure).rejects.toThrow(TransientFaultError);
    await expect(failure).rejects.toThrow('POST /oauth2/exchange on acr.example failed after 3 tries: HTTP 429 (too many requests).\nHint: check the registry.');
    expect(options.waits).toHaveLength(2);
  });

  it('rethrows any other error at once', async () => {
    const options = recording();
    let tries = 0;
    await expect(withRetries('x', 'h', async () => {
      tries++;
      throw new Error('401 unauthorized');
    }, options)).rejects.toThrow('401 unauthorized');
    expect(tries).toBe(1);
  });

  it('does not wait past the deadline', async () => {
    const options = recording({ now: () => 1000, deadlineMs: 2500 });
    let tries = 0;
    await expect(withRetries('Probe', 'h', async () => {
      tries++;
      throw new RetryableFault({ status: 500, detail: 'boom' });
    }, options)).rejects.toThrow('Probe failed after 2 tries: HTTP 500 (boom; no time left before the deadline)');
    expect({ tries, waits: options.waits }).toEqual({ tries: 2, waits: [1000] });
  });

  it('starts no try once the run is aborted', async () => {
    const abort = new AbortController();
    let tries = 0;
    const options = recording({ signal: abort.signal, sleep: async () => abort.abort(new Error('timed out after 1 minutes')) });
    await expect(withRetries('x', 'h', async () => {
      tries++;
      throw new RetryableFault({ status: 503, detail: '' });
    }, options)).rejects.toThrow('timed out after 1 minutes');
    expect(tries).toBe(1);
  });
});

describe('Retry-After and backoff', () => {
  it.each([
    ['5', 5000],
    ['0.5', 500],
    [new Date(61_000).toUTCString(), 60_000],
    ['soon', undefined],
    [null, undefined],
  ])('reads Retry-After %p as %p ms', (header, ms) => {
    expect(retryAfterMs(header, 1000)).toBe(ms);
  });

  it('doubles the step and keeps the jitter within 50-100 % of it', () => {
    const o = { baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, { detail: '' }, o, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs(2, { detail: '' }, o, () => 0)).toBe(1000);
  });
});

describe('fetchWithRetries', () => {
  it('recovers from a 503 and a 429 with Retry-After, and hands a 404 to the caller', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 404 }]);
    try {
      const options = recording();
      const res = await fetchWithRetries('HEAD /v2/m/manifests/t', 'h', `${server.url}/v2/m/manifests/t`, { method: 'GET' }, options);
      expect({ status: res.status, hits: server.hits(), waits: options.waits }).toEqual({ status: 404, hits: 3, waits: [1000, 0] });
    } finally {
      await server.close();
    }
  });

  it('retries a refused connection and then names it', async () => {
    const closed = await scriptedServer([]);
    await closed.close();
    const options = recording({ attempts: 2 });
    await expect(fetchWithRetries('POST /oauth2/token on the registry', 'check the registry', `${closed.url}/oauth2/token`, { method: 'POST', body: 'x' }, options))
      .rejects.toThrow(/^POST \/oauth2\/token on the registry failed after 2 tries: no answer \(ECONNREFUSED\)/);
  });
});

describe('docker output that is worth another try', () => {
  it.each([
    ['Error response from daemon: login attempt to https://127.0.0.1:4443/v2/ failed with status: 503 Service Unavailable', 503],
    ['received unexpected HTTP status: 500 Internal Server Error', 500],
    ['toomanyrequests: retry later', undefined],
    ['read tcp 127.0.0.1:5000: connection reset by peer', undefined],
    ['Error response from daemon: Get "http://127.0.0.1:36901/v2/": EOF', undefined],
  ])('%s', (output, status) => {
    expect(transientDockerFailure(output)).toEqual(status === undefined ? {} : { status });
  });

  it.each(['unauthorized: authentication required', 'denied: requested access to the resource is denied', 'failed to solve: dockerfile parse error on line 3'])(
    'not %s',
    (output) => expect(transientDockerFailure(output)).toBeUndefined(),
  );
});

describe('the GitHub OIDC token request', () => {
  const failure = (code: string) => new Error(`Failed to get ID Token. \n \n        Error Code : ${code}\n \n        Error Message: Unexpected HTTP response: ${code}`);

  it('is tried again after a 429 from the token service', async () => {
    let tries = 0;
    const source = retryingOidc(async () => {
      if (++tries === 1) throw failure('429');
      return 'jwt';
    }, recording());
    await expect(source('api://AzureADTokenExchange')).resolves.toBe('jwt');
    expect(tries).toBe(2);
  });

  it('names the token service, not the federated credential, when it keeps failing', async () => {
    const source = retryingOidc(async () => {
      throw failure('500');
    }, recording({ attempts: 2 }));
    await expect(source('api://AzureADTokenExchange')).rejects.toThrow(
      /^Requesting a GitHub OIDC token \(ACTIONS_ID_TOKEN_REQUEST_URL\) failed after 2 tries: HTTP 500 .*\nHint: GitHub's OIDC token service kept failing/s,
    );
  });

  it('is not retried when refused (403)', async () => {
    let tries = 0;
    const source = retryingOidc(async () => {
      tries++;
      throw failure('403');
    }, recording());
    await expect(source('x')).rejects.toThrow('Error Code : 403');
    expect(tries).toBe(1);
  });
});

describe('blob storage throttling', () => {
  it('uploads a blob after a 429 that the storage SDK alone would give up on', async () => {
    const server = await scriptedServer([
      {
        status: 429,
        headers: { 'retry-after': '0', 'x-ms-error-code': 'TooManyRequests', 'content-type': 'application/xml' },
        body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>TooManyRequests</Code><Message>slow down</Message></Error>',
      },
      { status: 201, headers: { etag: '"1"' }, body: '' },
    ]);
    try {
      const service = new BlobServiceClient(`${server.url}/devstoreaccount1`, storagePipeline(new AnonymousCredential()));
      await service.getContainerClient('c').getBlockBlobClient('m/config.pbtxt').upload('name: "m"', 9);
      expect(server.hits()).toBe(2);
    } finally {
      await server.close();
    }
  });
});
