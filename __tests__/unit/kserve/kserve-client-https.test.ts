import * as fs from 'fs';
import { KServeClient, KServeRequestError } from '../../../src/smoke-test/kserve-client';
import { Tensor } from '../../../src/smoke-test/tensors';
import { TritonModelServer, loadTritonModelRepository } from '../../../testbed/triton-server/triton-model-server';
import { ADDER_OFFSETS, writeAdderRepository } from '../triton-server/adder-model-repository';
import { BASE_PATH, HttpsTriton, TEST_KEY, jsonResponse, recordingLog, startHttpsTriton } from './https-triton-fixture';

const X: Tensor = { name: 'x', datatype: 'FP32', shape: [2, 2, 3], data: new Float32Array([0.1, -2, 3.25, 4e-8, 1e7, -0, 6, 7, 8, 9, 10, 11.5]) };

describe('KServeClient against the test bed Triton server over HTTPS', () => {
  let repo: string;
  let triton: TritonModelServer;
  let https: HttpsTriton;
  const log = recordingLog();
  const client = (overrides: Partial<ConstructorParameters<typeof KServeClient>[0]> = {}): KServeClient =>
    new KServeClient({
      baseUrl: https.baseUrl,
      key: TEST_KEY,
      deployment: 'blue',
      timeoutMs: 10_000,
      retry: { attempts: 3, baseDelayMs: 5 },
      log,
      ca: https.ca,
      ...overrides,
    });

  beforeAll(async () => {
    repo = writeAdderRepository();
    triton = await loadTritonModelRepository(repo);
    https = await startHttpsTriton(triton);
  });
  afterEach(() => {
    https.intercept = undefined;
    https.requests.length = 0;
  });
  afterAll(async () => {
    await https.close();
    await triton.close();
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('gives identical outputs over binary and JSON, as typed arrays (FP32 -> Float32Array, INT64 -> BigInt64Array)', async () => {
    const c = client();
    try {
      const binary = await c.infer('adder', [X], ['y', 'as_int'], { binary: true });
      const json = await c.infer('adder', [X], ['y', 'as_int'], { binary: false });
      expect(json).toEqual(binary);
      const [y, asInt] = binary;
      expect(y).toMatchObject({ name: 'y', datatype: 'FP32', shape: [2, 2, 3] });
      expect(y.data).toBeInstanceOf(Float32Array);
      expect(Array.from(y.data as Float32Array)).toEqual(Array.from(X.data as Float32Array, (v, i) => Math.fround(v + ADDER_OFFSETS[i % 6])));
      expect(asInt.data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(asInt.data as BigInt64Array)).toEqual(Array.from(X.data as Float32Array, (v) => BigInt(Math.trunc(v))));
      const [binaryRequest, jsonRequest] = https.requests;
      expect(binaryRequest.headers['content-type']).toBe('application/octet-stream');
      expect(binaryRequest.headers['inference-header-content-length']).toMatch(/^\d+$/);
      expect(jsonRequest.headers['content-type']).toBe('application/json');
      expect(jsonRequest.headers['inference-header-content-length']).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('sends the key as a bearer token and the deployment header, and never logs the key', async () => {
    const c = client();
    try {
      await c.modelMetadata('adder');
    } finally {
      c.close();
    }
    expect(https.requests[0].headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(https.requests[0].headers['azureml-model-deployment']).toBe('blue');
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toContain(TEST_KEY);
  });

  it('reads model metadata and the Triton model configuration', async () => {
    const c = client({ baseUrl: `${https.baseUrl}/` });
    try {
      expect(await c.modelMetadata('adder')).toMatchObject({ name: 'adder', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }] });
      expect(await c.modelConfig('adder')).toMatchObject({ max_batch_size: 4, input: [{ name: 'x', dims: [2, 3] }] });
      expect(await c.repositoryIndex()).toEqual([{ name: 'adder', version: '3', state: 'READY' }]);
    } finally {
      c.close();
    }
    expect(https.requests[0].path).toBe(`${BASE_PATH}/v2/models/adder`);
  });

  it('waits through 503s (honouring Retry-After) until /v2/health/ready answers 200', async () => {
    let probes = 0;
    https.intercept = (req) => (req.path.endsWith('/v2/health/ready') && ++probes <= 2 ? jsonResponse(503, { error: 'starting' }, { 'retry-after': '0' }) : undefined);
    const c = client();
    try {
      await c.waitUntilReady(Date.now() + 10_000);
    } finally {
      c.close();
    }
    expect(https.requests.map((r) => r.path)).toEqual(Array(3).fill(`${BASE_PATH}/v2/health/ready`));
  });

  it('waits through a 500 from the scoring front while the deployment starts (issue 12)', async () => {
    let probes = 0;
    https.intercept = (req) => (req.path.endsWith('/v2/health/ready') && ++probes === 1 ? jsonResponse(500, { error: 'upstream connect error' }, { 'retry-after': '0' }) : undefined);
    const c = client();
    try {
      await c.waitUntilReady(Date.now() + 10_000);
    } finally {
      c.close();
    }
    expect(https.requests).toHaveLength(2);
  });

  it('a lasting 500 ends at the deadline with the last answer and what to check', async () => {
    https.intercept = () => jsonResponse(500, { error: 'upstream connect error' });
    const c = client({ retry: { attempts: 3, baseDelayMs: 20 } });
    try {
      await expect(c.waitUntilReady(Date.now() + 3000)).rejects.toThrow(/last answer: HTTP 500 \(upstream connect error\)\)\.\nHint: read the deployment's container logs/);
    } finally {
      c.close();
    }
  });

  it('gives up at the deadline, naming the path and the last answer', async () => {
    https.intercept = () => jsonResponse(502, { error: 'upstream not ready' });
    const c = client({ retry: { attempts: 3, baseDelayMs: 20 } });
    try {
      // A deadline long enough for a TLS handshake on a loaded machine; the 502s come back at once.
      await expect(c.waitUntilReady(Date.now() + 3000)).rejects.toThrow(
        new RegExp(`GET ${BASE_PATH}/v2/health/ready: Triton was not ready within \\d+ s \\(last answer: HTTP 502 \\(upstream not ready\\)\\)`),
      );
    } finally {
      c.close();
    }
    expect(https.requests.length).toBeGreaterThan(1);
  });

  it('does not retry a wrong key, and says to check it', async () => {
    const c = client({ key: 'wrong' });
    try {
      await expect(c.waitUntilReady(Date.now() + 5_000)).rejects.toThrow(`GET ${BASE_PATH}/v2/health/ready returned HTTP 401: Invalid key (check the endpoint key`);
    } finally {
      c.close();
    }
    expect(https.requests).toHaveLength(1);
  });

  it('stops at once when Triton answers 400 (a model failed to load) and passes on its reason', async () => {
    https.intercept = () => jsonResponse(400, { error: "model 'm' is UNAVAILABLE: TensorRT plans need an NVIDIA GPU" });
    const c = client();
    try {
      await expect(c.waitUntilReady(Date.now() + 5_000)).rejects.toThrow(
        `GET ${BASE_PATH}/v2/health/ready returned HTTP 400: model 'm' is UNAVAILABLE: TensorRT plans need an NVIDIA GPU (Triton is up but not ready`,
      );
    } finally {
      c.close();
    }
    expect(https.requests).toHaveLength(1);
  });

  // Azure ML's front door answers 424 for any non-200 of the container and names its status in a header.
  const modelError = (status: number, error: string) =>
    jsonResponse(424, { error }, { 'ms-azureml-model-error-statuscode': String(status), 'ms-azureml-model-error-reason': 'model_error' });

  it('waits through a 424 whose container answered 503 (Triton still loading), as through a 503', async () => {
    let probes = 0;
    https.intercept = (req) => (req.path.endsWith('/v2/health/ready') && ++probes <= 2 ? modelError(503, 'loading') : undefined);
    const c = client();
    try {
      await c.waitUntilReady(Date.now() + 10_000);
    } finally {
      c.close();
    }
    expect(https.requests).toHaveLength(3);
  });

  it('stops at once on a 424 whose container answered 400, naming both statuses and the reason', async () => {
    https.intercept = () => modelError(400, "model 'm' is UNAVAILABLE");
    const c = client();
    try {
      await expect(c.waitUntilReady(Date.now() + 5_000)).rejects.toThrow(
        `GET ${BASE_PATH}/v2/health/ready returned HTTP 424 (the model container answered HTTP 400): model 'm' is UNAVAILABLE (Triton is up but not ready`,
      );
    } finally {
      c.close();
    }
    expect(https.requests).toHaveLength(1);
  });

  it('does not retry an inference whose container answered 500 behind a 424, and says so', async () => {
    https.intercept = (req) => (req.path.endsWith('/infer') ? modelError(500, 'CUDA error') : undefined);
    const c = client();
    let error: unknown;
    try {
      await c.infer('adder', [X], ['y'], { binary: true });
    } catch (e) {
      error = e;
    } finally {
      c.close();
    }
    expect(error).toMatchObject({ status: 500, serverError: 'CUDA error' });
    expect((error as Error).message).toBe(`POST ${BASE_PATH}/v2/models/adder/infer returned HTTP 424 (the model container answered HTTP 500): CUDA error`);
    expect(https.requests).toHaveLength(1);
  });

  it('reports a wrong input name as the 400 the server gave, with the path and the server text', async () => {
    const c = client();
    let error: unknown;
    try {
      await c.infer('adder', [{ ...X, name: 'images' }], ['y'], { binary: true });
    } catch (e) {
      error = e;
    } finally {
      c.close();
    }
    expect(error).toBeInstanceOf(KServeRequestError);
    expect(error).toMatchObject({ status: 400, path: `${BASE_PATH}/v2/models/adder/infer`, serverError: "unexpected inference input 'images' for model 'adder'" });
    expect((error as Error).message).toBe(`POST ${BASE_PATH}/v2/models/adder/infer returned HTTP 400: unexpected inference input 'images' for model 'adder'`);
    expect(https.requests).toHaveLength(1);
  });

  it('retries an inference request answered 429, then returns the outputs', async () => {
    let calls = 0;
    https.intercept = (req) => (req.path.endsWith('/infer') && ++calls === 1 ? jsonResponse(429, { message: 'Too many requests' }) : undefined);
    const c = client();
    try {
      const [y] = await c.infer('adder', [X], ['y'], { binary: true });
      expect(y.name).toBe('y');
    } finally {
      c.close();
    }
    expect(calls).toBe(2);
    expect(log.lines.some((l) => l.includes('HTTP 429; retrying'))).toBe(true);
  });

  it('treats a refused connection as not ready yet and reports ECONNREFUSED at the deadline', async () => {
    const c = client({ baseUrl: 'https://127.0.0.1:1/inference/nowhere' });
    try {
      await expect(c.waitUntilReady(Date.now() + 200)).rejects.toThrow(/not ready within .*ECONNREFUSED/);
    } finally {
      c.close();
    }
  });
});
