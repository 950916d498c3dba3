// The one place that knows how a deployment's "inference server" is started: the test bed's
// KServe v2 server (testbed/triton-server) loading the downloaded model repository.
import { loadTritonModelRepository } from '../triton-server/triton-model-server';

export interface InferenceCall {
  method: string;
  /** '/v2/...' as the container would see it. */
  path: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface InferenceReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface InferenceServer {
  handle(req: InferenceCall): Promise<InferenceReply>;
  close(): Promise<void> | void;
}

export type LoadModelRepository = (dir: string) => Promise<InferenceServer>;

/** What a model's load ended as, read back through Triton's own repository index API. */
export interface ModelLoadStatus {
  name: string;
  version: string;
  state: string;
  reason: string;
}

/**
 * The models Triton knows and their states, from `POST /v2/repository/index` (Triton's model
 * repository extension); falls back to `GET /v2/health/ready` when the index is not served.
 */
export async function modelStatuses(server: InferenceServer): Promise<ModelLoadStatus[] | undefined> {
  const reply = await server.handle({ method: 'POST', path: '/v2/repository/index', headers: {}, body: Buffer.from('{}') });
  if (reply.status !== 200) return undefined;
  try {
    const index = JSON.parse(reply.body.toString('utf8')) as Array<Record<string, unknown>>;
    return index.map((m) => ({
      name: String(m.name ?? ''),
      version: String(m.version ?? ''),
      state: String(m.state ?? ''),
      reason: String(m.reason ?? ''),
    }));
  } catch {
    return undefined;
  }
}

export async function serverReady(server: InferenceServer): Promise<boolean> {
  const reply = await server.handle({ method: 'GET', path: '/v2/health/ready', headers: {}, body: Buffer.alloc(0) });
  return reply.status === 200;
}

/** The test bed's Triton emulator (testbed/triton-server). */
export const loadTestbedTriton: LoadModelRepository = (dir) => loadTritonModelRepository(dir);
