// A KServe v2 / Triton HTTP server over a model repository, for the test bed's scoring endpoints.
// Routes: ../shared/reference/kserve/inference_rest.md, plus Triton's model configuration
// (extension_model_configuration.md), binary tensor data and repository index extensions.
// Transport-free: the caller owns the socket, TLS and auth, and passes each request to handle().
import * as ort from 'onnxruntime-node';
import { ServedModel, loadServedModels } from './triton-model-repository';
import { InferRequest, TritonHttpError, parseInferRequest } from './triton-infer-request';
import { encodeInferResponse } from './triton-infer-response';
import { ServerTensor, ortTypeOf, wireDatatypeOfOrtType } from './triton-datatypes';
import { modelConfigJson } from './triton-model-config';

export interface TritonHttpRequest {
  method: string;
  /** '/v2/...', optionally with a query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface TritonHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RepositoryIndexEntry {
  name: string;
  version?: string;
  state: 'READY' | 'UNAVAILABLE';
  reason?: string;
}

const EXTENSIONS = ['binary_tensor_data', 'model_configuration', 'model_repository'];

export async function loadTritonModelRepository(dir: string): Promise<TritonModelServer> {
  return new TritonModelServer(await loadServedModels(dir));
}

export class TritonModelServer {
  private readonly models: Map<string, ServedModel>;

  constructor(models: ServedModel[]) {
    this.models = new Map(models.map((m) => [m.name, m]));
  }

  /** What Triton's POST /v2/repository/index lists. */
  index(): RepositoryIndexEntry[] {
    return [...this.models.values()].map((m) => ({
      name: m.name,
      ...(m.version !== undefined ? { version: m.version } : {}),
      state: m.state,
      ...(m.reason !== undefined ? { reason: m.reason } : {}),
    }));
  }

  async handle(req: TritonHttpRequest): Promise<TritonHttpResponse> {
    try {
      return await this.route(req);
    } catch (e) {
      if (e instanceof TritonHttpError) return json(e.status, { error: e.message });
      return json(500, { error: `internal error: ${(e as Error).message}` });
    }
  }

  async close(): Promise<void> {
    const sessions = [...this.models.values()].flatMap((m) => (m.session ? [m.session] : []));
    for (const m of this.models.values()) m.session = undefined;
    await Promise.all(sessions.map((s) => s.release()));
  }

  private async route(req: TritonHttpRequest): Promise<TritonHttpResponse> {
    const segments = req.path.split('?')[0].split('/').filter((s) => s !== '').map(decodeURIComponent);
    const method = req.method.toUpperCase();
    if (segments[0] !== 'v2') throw new TritonHttpError(404, `no route for ${req.path}`);
    const rest = segments.slice(1);
    const key = `${method} ${rest.join('/')}`;
    if (key === 'GET ') return json(200, { name: 'triton', version: 'testbed', extensions: EXTENSIONS });
    if (key === 'GET health/live') return empty(200);
    if (key === 'GET health/ready') return this.serverReady();
    if (key === 'POST repository/index') return json(200, this.index());
    if (rest[0] !== 'models' || rest.length < 2) throw new TritonHttpError(404, `no route for ${method} ${req.path}`);

    const [, name, ...tail] = rest;
    let version: string | undefined;
    if (tail[0] === 'versions' && tail.length >= 2) {
      version = tail[1];
      tail.splice(0, 2);
    }
    const action = `${method} ${tail.join('/')}`;
    if (action === 'GET ready') {
      const model = this.models.get(name);
      const ready = model?.state === 'READY' && (version === undefined || version === model.version);
      return empty(ready ? 200 : 400);
    }
    const model = this.readyModel(name, version);
    if (action === 'GET ') return json(200, metadata(model));
    if (action === 'GET config') return json(200, configOf(model));
    if (action === 'POST infer') return this.infer(model, req);
    throw new TritonHttpError(404, `no route for ${method} ${req.path}`);
  }

  /** Triton's strict readiness: ready only when every model is. */
  private serverReady(): TritonHttpResponse {
    const notReady = [...this.models.values()].filter((m) => m.state !== 'READY');
    if (notReady.length === 0) return empty(200);
    return json(400, { error: notReady.map((m) => `model '${m.name}' is UNAVAILABLE: ${m.reason}`).join('; ') });
  }

  private readyModel(name: string, version: string | undefined): ServedModel {
    const model = this.models.get(name);
    if (!model) throw new TritonHttpError(400, `Request for unknown model: '${name}' is not found`);
    if (version !== undefined && version !== model.version) {
      throw new TritonHttpError(400, `Request for unknown model: '${name}' version ${version} is not found`);
    }
    if (model.state !== 'READY') {
      throw new TritonHttpError(400, `Request for unknown model: '${name}' has no available versions (${model.reason})`);
    }
    return model;
  }

  private async infer(model: ServedModel, req: TritonHttpRequest): Promise<TritonHttpResponse> {
    const headerLength = header(req.headers, 'inference-header-content-length');
    const request: InferRequest = parseInferRequest(req.body, headerLength === undefined ? undefined : Number(headerLength), model);
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of request.inputs) feeds[input.name] = new ort.Tensor(ortTypeOf(input.datatype), input.data, input.shape);
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await model.session!.run(feeds, request.outputs.map((o) => o.name));
    } catch (e) {
      throw new TritonHttpError(500, `onnxruntime failed to run model '${model.name}': ${(e as Error).message}`);
    }
    const outputs = request.outputs.map((o) => ({ tensor: serverTensor(o.name, results[o.name] as ort.Tensor), binary: o.binary }));
    const encoded = encodeInferResponse(model.name, model.version, request.id, outputs);
    return { status: 200, ...encoded };
  }
}

function serverTensor(name: string, t: ort.Tensor): ServerTensor {
  const datatype = wireDatatypeOfOrtType(t.type);
  if (!datatype) throw new TritonHttpError(500, `output '${name}' has type ${t.type}, which has no KServe datatype`);
  return { name, datatype, shape: [...t.dims], data: t.data as ServerTensor['data'] };
}

function metadata(m: ServedModel): Record<string, unknown> {
  const tensor = (t: ServedModel['inputs'][number]): Record<string, unknown> => ({
    name: t.name,
    datatype: t.datatype,
    shape: m.maxBatchSize > 0 ? [-1, ...t.dims] : t.dims,
  });
  return { name: m.name, versions: m.version ? [m.version] : [], platform: m.platform, inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor) };
}

function configOf(m: ServedModel): Record<string, unknown> {
  const json = modelConfigJson(m.config!, m.name, m.platform, m.backend);
  if (!m.autoCompleted) return json;
  // Triton answers with the completed configuration (model_configuration.md, Auto-Generated Model Configuration).
  const tensor = (t: ServedModel['inputs'][number]) => ({ name: t.name, data_type: t.datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${t.datatype}`, dims: t.dims });
  return { ...json, max_batch_size: m.maxBatchSize, input: m.inputs.map(tensor), output: m.outputs.map(tensor) };
}

function header(headers: TritonHttpRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

function json(status: number, value: unknown): TritonHttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value), 'utf8') };
}

function empty(status: number): TritonHttpResponse {
  return { status, headers: {}, body: Buffer.alloc(0) };
}
