/**
 * Custom Vision Training API v3.3 emulator under {baseUrl}/customvision/v3.3/training (the spec's
 * {Endpoint} + basePath, so customVisionEndpoint = baseUrl). Requires the Training-Key header,
 * enforces the documented call rates, keeps state in memory, and checks every exchange against
 * the vendored spec. "Training" takes a settable time and yields a real ONNX model of the
 * domain's signature, served in an export zip at the downloadUri on the same server.
 *
 * Control: GET /_testbed/custom-vision/violations, GET /_testbed/custom-vision/state,
 * POST /_testbed/custom-vision/timing { trainingMs?, exportMs? }, POST /_testbed/custom-vision/reset,
 * POST /_testbed/custom-vision/export-variant { variant } (testbed/onnx-models/custom-vision-variants.ts).
 */
import * as path from 'path';
import type { TestbedContext } from '../context';
import { CUSTOM_VISION_EXPORT_VARIANTS } from '../onnx-models/onnx-models';
import { Router, TestbedHttpError, TestbedRequest, TestbedResponse } from '../server/router';
import { defaultReferenceDir } from '../spec-check/spec-check';
import { CvHandler, CvResult, CvRoutes } from './cv-route';
import { addImageRoutes } from './image-routes';
import { addIterationRoutes, exportZip } from './iteration-routes';
import { addProjectRoutes } from './project-routes';
import { CallRateLimit } from './rate-limit';
import { CustomVisionSpecCheck } from './spec-check';
import { CustomVisionError, iterationStatus, TrainingState } from './training-state';

export const TRAINING_BASE = '/customvision/v3.3/training';
const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface CustomVisionEmulator {
  state: TrainingState;
  specCheck: CustomVisionSpecCheck;
}

export async function registerCustomVision(router: Router, ctx: TestbedContext): Promise<void> {
  createCustomVisionEmulator(router, ctx);
}

/** registerCustomVision, returning the state and spec check for in-process tests. */
export function createCustomVisionEmulator(router: Router, ctx: TestbedContext, referenceDir = defaultReferenceDir(REPO_ROOT)): CustomVisionEmulator {
  const state = new TrainingState();
  const specCheck = new CustomVisionSpecCheck(referenceDir, ctx.log);
  const limits = new CallRateLimit();

  const run = async (req: TestbedRequest, operationId: string, handler: CvHandler): Promise<CvResult & { headers?: Record<string, string> }> => {
    const key = req.headers['training-key'];
    if (!key || key !== ctx.settings.customVisionTrainingKey) {
      return {
        status: 401,
        body: { code: 'Unauthorized', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' },
      };
    }
    const wait = limits.take(key, operationId === 'TrainProject');
    if (wait !== undefined) {
      return { status: 429, headers: { 'retry-after': String(wait) }, body: { code: 'TooManyRequests', message: `Rate limit is exceeded. Try again in ${wait} seconds.` } };
    }
    state.operations.set(operationId, (state.operations.get(operationId) ?? 0) + 1);
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof CustomVisionError) return { status: e.status, body: { code: e.code, message: e.message } };
      if (e instanceof TestbedHttpError) return { status: e.status, body: { code: 'BadRequest', message: e.message } };
      throw e;
    }
  };

  const routes: CvRoutes = {
    add(method, subPath, operationId, handler) {
      router.route(method, TRAINING_BASE + subPath, async (req): Promise<TestbedResponse> => {
        const result = await run(req, operationId, handler);
        const query = req.query.toString();
        specCheck.enqueue({
          method: req.method, url: `${req.path}${query ? `?${query}` : ''}`, requestBody: req.body,
          requestContentType: req.headers['content-type'], status: result.status, responseBody: result.body,
        });
        return { status: result.status, headers: result.headers, body: result.body };
      });
    },
  };
  addProjectRoutes(routes, state);
  addImageRoutes(routes, state);
  addIterationRoutes(routes, state, ctx.baseUrl);

  // The downloadUri: a storage-like URL that needs no key (the real one is a SAS URL).
  router.route('GET', '/customvision-export/:token/model.zip', (req) => {
    const zip = exportZip(state, req.params.token);
    if (!zip) throw new TestbedHttpError(404, 'BlobNotFound', 'The specified blob does not exist.');
    return { status: 200, headers: { 'content-type': 'application/zip' }, body: zip };
  });

  router.route('GET', '/_testbed/custom-vision/violations', async () => ({ status: 200, body: await specCheck.settled() }));
  router.route('POST', '/_testbed/custom-vision/timing', (req) => {
    const body = req.json<{ trainingMs?: number; exportMs?: number }>();
    if (typeof body.trainingMs === 'number') state.timing.trainingMs = body.trainingMs;
    if (typeof body.exportMs === 'number') state.timing.exportMs = body.exportMs;
    return { status: 200, body: state.timing };
  });
  router.route('POST', '/_testbed/custom-vision/export-variant', (req) => {
    const { variant } = req.json<{ variant?: string }>();
    const known = CUSTOM_VISION_EXPORT_VARIANTS.find((v) => v === variant);
    if (!known) throw new TestbedHttpError(400, 'BadRequest', `variant must be one of ${CUSTOM_VISION_EXPORT_VARIANTS.join(', ')}, got ${String(variant)}`);
    state.exportVariant = known;
    return { status: 200, body: { variant: known } };
  });
  router.route('POST', '/_testbed/custom-vision/reset', () => {
    state.reset();
    return { status: 204 };
  });
  router.route('GET', '/_testbed/custom-vision/state', () => ({ status: 200, body: stateSummary(state) }));
  ctx.log(`custom-vision: Training API v3.3 emulator at ${ctx.baseUrl}${TRAINING_BASE}`);
  return { state, specCheck };
}

export function stateSummary(state: TrainingState): unknown {
  return {
    timing: state.timing,
    operations: Object.fromEntries(state.operations),
    projects: [...state.projects.values()].map((p) => ({
      id: p.id,
      name: p.name,
      images: p.images.size,
      regions: [...p.images.values()].reduce((n, i) => n + i.regions.length, 0),
      tags: [...p.tags.values()].map((t) => t.name),
      iterations: p.iterations.map((i) => ({ id: i.id, name: i.name, status: iterationStatus(i), publishName: i.publishName ?? null, exports: i.exports.length })),
    })),
  };
}
