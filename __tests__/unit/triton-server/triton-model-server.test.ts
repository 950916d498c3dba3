import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TritonHttpRequest, TritonHttpResponse, TritonModelServer, loadTritonModelRepository } from '../../../testbed/triton-server/triton-model-server';
import { ADDER_OFFSETS, adderModel, writeAdderRepository } from './adder-model-repository';

const get = (path: string): TritonHttpRequest => ({ method: 'GET', path, headers: {}, body: Buffer.alloc(0) });
const postJson = (path: string, body: unknown): TritonHttpRequest => ({
  method: 'POST',
  path,
  headers: { 'Content-Type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
const bodyJson = (r: TritonHttpResponse): any => JSON.parse(r.body.toString('utf8'));

const X = [1, 2, 3, 4, 5, 6];

describe('Triton model server over a repository with an ONNX and a TensorRT model', () => {
  let dir: string;
  let server: TritonModelServer;

  beforeAll(async () => {
    dir = writeAdderRepository({ withTensorRt: true });
    server = await loadTritonModelRepository(dir);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every model directory with a config.pbtxt, the TensorRT one UNAVAILABLE with the reason', () => {
    expect(server.index()).toEqual([
      { name: 'adder', version: '3', state: 'READY' },
      { name: 'trt_detector', version: '1', state: 'UNAVAILABLE', reason: expect.stringContaining('TensorRT plans need an NVIDIA GPU') },
    ]);
  });

  it('is live but not ready while a model is unavailable (strict readiness), and says which model', async () => {
    expect((await server.handle(get('/v2/health/live'))).status).toBe(200);
    const ready = await server.handle(get('/v2/health/ready'));
    expect(ready.status).toBe(400);
    expect(bodyJson(ready).error).toContain("model 'trt_detector' is UNAVAILABLE");
    expect((await server.handle(get('/v2/models/adder/ready'))).status).toBe(200);
    expect((await server.handle(get('/v2/models/trt_detector/ready'))).status).toBe(400);
  });

  it('answers model metadata with the batch dimension as -1, also under /versions/{v}', async () => {
    const expected = {
      name: 'adder',
      versions: ['3'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }],
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [-1, 2, 3] },
        { name: 'as_int', datatype: 'INT64', shape: [-1, 2, 3] },
      ],
    };
    expect(bodyJson(await server.handle(get('/v2/models/adder')))).toEqual(expected);
    expect(bodyJson(await server.handle(get('/v2/models/adder/versions/3')))).toEqual(expected);
    const old = await server.handle(get('/v2/models/adder/versions/2'));
    expect(old.status).toBe(400);
    expect(bodyJson(old).error).toBe("Request for unknown model: 'adder' version 2 is not found");
  });

  it('answers the model configuration as Triton JSON (proto field names, enums by name, repeated fields as arrays)', async () => {
    const config = bodyJson(await server.handle(get('/v2/models/adder/config')));
    expect(config).toMatchObject({
      name: 'adder',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 4,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [2, 3] }],
      output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [2, 3] }, { name: 'as_int', data_type: 'TYPE_INT64', dims: [2, 3] }],
      parameters: { note: { string_value: 'test' } },
    });
  });

  it('refuses requests for the unavailable model with its reason', async () => {
    const r = await server.handle(get('/v2/models/trt_detector'));
    expect(r.status).toBe(400);
    expect(bodyJson(r).error).toMatch(/'trt_detector' has no available versions \(TensorRT/);
  });

  it('runs a JSON inference request with the real ONNX model', async () => {
    const r = await server.handle(
      postJson('/v2/models/adder/infer', { id: '42', inputs: [{ name: 'x', shape: [1, 2, 3], datatype: 'FP32', data: [[1, 2, 3], [4, 5, 6]] }] }),
    );
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(bodyJson(r)).toEqual({
      model_name: 'adder',
      model_version: '3',
      id: '42',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 2, 3], data: X.map((v, i) => v + ADDER_OFFSETS[i]) },
        { name: 'as_int', datatype: 'INT64', shape: [1, 2, 3], data: X },
      ],
    });
  });

  it('reads binary input data and returns only the requested output, as binary', async () => {
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: 'x', shape: [1, 2, 3], datatype: 'FP32', parameters: { binary_data_size: 24 } }],
        outputs: [{ name: 'as_int', parameters: { binary_data: true } }],
      }),
    );
    // One byte of padding in front puts the tensor at an odd offset: the server must copy, not view.
    const padded = Buffer.concat([Buffer.from([0]), header, Buffer.from(new Float32Array(X).buffer)]).subarray(1);
    const r = await server.handle({
      method: 'POST',
      path: '/v2/models/adder/infer',
      headers: { 'Inference-Header-Content-Length': String(header.length) },
      body: padded,
    });
    expect(r.status).toBe(200);
    const jsonLength = Number(r.headers['inference-header-content-length']);
    expect(bodyJson({ ...r, body: r.body.subarray(0, jsonLength) }).outputs).toEqual([
      { name: 'as_int', datatype: 'INT64', shape: [1, 2, 3], parameters: { binary_data_size: 48 } },
    ]);
    const raw = r.body.subarray(jsonLength);
    expect(raw.length).toBe(48);
    expect([0, 1, 2, 3, 4, 5].map((i) => raw.readBigInt64LE(i * 8))).toEqual(X.map(BigInt));
  });

  it.each([
    ['an unknown input name', { name: 'images', shape: [1, 2, 3], datatype: 'FP32', data: X }, "unexpected inference input 'images' for model 'adder'"],
    ['a wrong datatype', { name: 'x', shape: [1, 2, 3], datatype: 'INT32', data: X }, "inference input 'x' data-type is 'INT32', but model 'adder' expects 'FP32'"],
    ['a wrong shape', { name: 'x', shape: [1, 3, 2], datatype: 'FP32', data: X }, "unexpected shape for input 'x' for model 'adder'. Expected [-1,2,3], got [1,3,2]"],
    ['a batch over max_batch_size', { name: 'x', shape: [5, 2, 3], datatype: 'FP32', data: Array(30).fill(0) }, "inference request batch-size must be <= 4 for 'adder'"],
    ['too few elements', { name: 'x', shape: [1, 2, 3], datatype: 'FP32', data: [1, 2] }, "unexpected number of elements 2 for input 'x', expecting 6"],
    ['a string in FP32 data', { name: 'x', shape: [1, 2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 'six'] }, '"six" is not a FP32 value'],
  ])('answers 400 with the KServe error shape for %s', async (_, input, message) => {
    const r = await server.handle(postJson('/v2/models/adder/infer', { inputs: [input] }));
    expect(r.status).toBe(400);
    expect(Object.keys(bodyJson(r))).toEqual(['error']);
    expect(bodyJson(r).error).toContain(message);
  });

  it('answers 400 for a missing input, an unknown output and a binary size that does not match the shape', async () => {
    const missing = await server.handle(postJson('/v2/models/adder/infer', { inputs: [] }));
    expect(bodyJson(missing).error).toContain("missing required input(s) ['x']");
    const output = await server.handle(
      postJson('/v2/models/adder/infer', { inputs: [{ name: 'x', shape: [1, 2, 3], datatype: 'FP32', data: X }], outputs: [{ name: 'z' }] }),
    );
    expect(bodyJson(output).error).toBe("unexpected inference output 'z' for model 'adder'");
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 2, 3], datatype: 'FP32', parameters: { binary_data_size: 20 } }] }));
    const short = await server.handle({
      method: 'POST',
      path: '/v2/models/adder/infer',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.alloc(20)]),
    });
    expect(short.status).toBe(400);
    expect(bodyJson(short).error).toBe("unexpected total byte size 20 for input 'x', expecting 24");
  });

  it('answers 400 for a body that is not JSON and for an unknown model', async () => {
    const notJson = await server.handle({ method: 'POST', path: '/v2/models/adder/infer', headers: {}, body: Buffer.from('{inputs') });
    expect(notJson.status).toBe(400);
    expect(bodyJson(notJson).error).toMatch(/^failed to parse the request JSON buffer/);
    const unknown = await server.handle(get('/v2/models/yolo'));
    expect(bodyJson(unknown).error).toBe("Request for unknown model: 'yolo' is not found");
  });
});

describe('Triton model server loading problems', () => {
  it('lists a model whose config names another model, or that has no model.onnx, as UNAVAILABLE with why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triton-bad-repo-'));
    fs.mkdirSync(path.join(dir, 'misnamed', '1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'misnamed', 'config.pbtxt'), 'name: "other"\nplatform: "onnxruntime_onnx"\n');
    fs.writeFileSync(path.join(dir, 'misnamed', '1', 'model.onnx'), adderModel());
    fs.mkdirSync(path.join(dir, 'no_versions'));
    fs.writeFileSync(path.join(dir, 'no_versions', 'config.pbtxt'), 'platform: "onnxruntime_onnx"\n');
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'config.pbtxt'), 'max_batch_size: [\n');
    const server = await loadTritonModelRepository(dir);
    try {
      expect(server.index()).toEqual([
        { name: 'broken', state: 'UNAVAILABLE', reason: expect.stringMatching(/^failed to parse config.pbtxt: .*broken\/config.pbtxt: .*line 1/) },
        { name: 'misnamed', version: '1', state: 'UNAVAILABLE', reason: "config.pbtxt names the model 'other' but its directory is 'misnamed'" },
        { name: 'no_versions', state: 'UNAVAILABLE', reason: 'no version directory (e.g. no_versions/1/) holds model.onnx' },
      ]);
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Triton model server auto-complete (no config.pbtxt)', () => {
  let dir: string;
  let server: TritonModelServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triton-auto-repo-'));
    fs.mkdirSync(path.join(dir, 'bare', '1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'bare', '1', 'model.onnx'), adderModel());
    fs.mkdirSync(path.join(dir, 'bare_plan', '1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'bare_plan', '1', 'model.plan'), 'engine bytes');
    fs.mkdirSync(path.join(dir, 'forced_batch', '1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'forced_batch', 'config.pbtxt'), 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\n');
    fs.writeFileSync(path.join(dir, 'forced_batch', '1', 'model.onnx'), adderModel());
    server = await loadTritonModelRepository(dir);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a folder with only <model>/1/model.onnx, named after the folder; a bare TensorRT plan is listed but cannot load here', () => {
    expect(server.index()).toEqual([
      { name: 'bare', version: '1', state: 'READY' },
      { name: 'bare_plan', version: '1', state: 'UNAVAILABLE', reason: expect.stringContaining('TensorRT plans need an NVIDIA GPU') },
      { name: 'forced_batch', version: '1', state: 'READY' },
    ]);
  });

  it('completes platform, max_batch_size (4 for a variable batch dimension) and tensors from the onnxruntime session', async () => {
    expect(bodyJson(await server.handle(get('/v2/models/bare')))).toEqual({
      name: 'bare',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2, 3] }, { name: 'as_int', datatype: 'INT64', shape: [-1, 2, 3] }],
    });
    const config = bodyJson(await server.handle(get('/v2/models/bare/config')));
    expect(config).toMatchObject({ name: 'bare', platform: 'onnxruntime_onnx', backend: 'onnxruntime', max_batch_size: 4 });
    expect(config.input).toEqual([{ name: 'x', data_type: 'TYPE_FP32', dims: [2, 3] }]);
    expect(bodyJson(await server.handle(get('/v2/models/forced_batch/config'))).max_batch_size).toBe(8);
  });

  it('runs inference on the auto-completed model', async () => {
    const r = await server.handle(postJson('/v2/models/bare/infer', { inputs: [{ name: 'x', shape: [1, 2, 3], datatype: 'FP32', data: X }], outputs: [{ name: 'y' }] }));
    expect(r.status).toBe(200);
    expect(bodyJson(r).outputs[0].data).toEqual(X.map((x, i) => x + ADDER_OFFSETS[i]));
  });
});
