/**
 * Custom Vision exports whose metadata and graph disagree, as Microsoft's references do (see
 * testbed/onnx-models/custom-vision-variants.ts), behind the test bed's Triton server over HTTPS:
 * the smoke test still fails with what the metadata says, names the preprocessing that works, and
 * passes once input 'custom-vision-preprocessing' is set to it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readOnnxMetadata } from '../../../src/model-repository/onnx-model';
import { conventionFromMetadata } from '../../../src/smoke-test/families/custom-vision-preprocessing';
import { SmokeTestSettings, runSmokeTest } from '../../../src/smoke-test/run-smoke-test';
import {
  SceneObject,
  configPbtxtForCustomVisionCompact,
  configPbtxtForCustomVisionS1,
  customVisionCompactModel,
  customVisionS1Model,
  drawScene,
  encodePng,
  writeTritonRepository,
} from '../../../testbed/onnx-models/onnx-models';
import { TritonModelServer, loadTritonModelRepository } from '../../../testbed/triton-server/triton-model-server';
import { HttpsTriton, TEST_KEY, recordingLog, startHttpsTriton } from '../kserve/https-triton-fixture';

// Red squares only: red sent with R and B swapped is blue, no class of these one-class models.
const LABELS = ['red'];
const PICTURE = { width: 624, height: 468 };
// Further apart than twice the generator's reach, so each square is found on its own.
const OBJECTS: SceneObject[] = [
  { classIndex: 0, x1: 20, y1: 24, x2: 110, y2: 110 },
  { classIndex: 0, x1: 480, y1: 330, x2: 590, y2: 440 },
];

const MODELS = {
  s1_metadata_0_1: { onnx: () => customVisionS1Model({ classes: 1, variant: 's1-metadata-0-1' }), config: configPbtxtForCustomVisionS1 },
  s1_documented: { onnx: () => customVisionS1Model({ classes: 1 }), config: configPbtxtForCustomVisionS1 },
  compact_raw_xy: { onnx: () => customVisionCompactModel({ classes: 1, variant: 'compact-raw-xy' }), config: configPbtxtForCustomVisionCompact },
};
type ModelName = keyof typeof MODELS;

describe('Custom Vision preprocessing variants over HTTPS against the test bed Triton server', () => {
  let dir: string;
  let triton: TritonModelServer;
  let https: HttpsTriton;
  const picture = () => path.join(dir, 'squares.png');
  const empty = () => path.join(dir, 'empty.png');

  /** Settings as the action builds them: pixel format and range from the export's ONNX metadata. */
  async function settings(model: ModelName, overrides: Partial<SmokeTestSettings> = {}): Promise<SmokeTestSettings> {
    const metadata = await readOnnxMetadata(path.join(dir, 'repo', model, '1', 'model.onnx'));
    return {
      images: [picture()],
      modelName: model,
      family: 'auto',
      minDetections: 2,
      scoreThreshold: 0.5,
      labels: LABELS,
      ...conventionFromMetadata(metadata),
      protocol: 'binary',
      readyTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      outputDir: path.join(dir, 'out', model),
      retry: { attempts: 2, baseDelayMs: 5 },
      ...overrides,
    };
  }
  const run = async (model: ModelName, overrides: Partial<SmokeTestSettings> = {}) =>
    runSmokeTest({ baseUrl: https.baseUrl, key: TEST_KEY, ca: https.ca }, await settings(model, overrides), recordingLog());
  const offBy = (box: { x1: number; y1: number; x2: number; y2: number }) =>
    Math.min(...OBJECTS.map((o) => Math.max(...(['x1', 'y1', 'x2', 'y2'] as const).map((k) => Math.abs(box[k] - o[k])))));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-variants-'));
    for (const [name, m] of Object.entries(MODELS)) {
      writeTritonRepository(path.join(dir, 'repo'), { modelName: name, model: m.onnx(), configPbtxt: m.config({ modelName: name, classes: 1 }) });
    }
    fs.writeFileSync(picture(), encodePng(drawScene({ ...PICTURE, objects: OBJECTS, seed: 51 })));
    fs.writeFileSync(empty(), encodePng(drawScene({ width: 160, height: 120, objects: [], seed: 52 })));
    triton = await loadTritonModelRepository(path.join(dir, 'repo'));
    https = await startHttpsTriton(triton);
  });
  afterAll(async () => {
    await https?.close();
    await triton?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails an S1 export whose metadata says 0-1 but whose graph takes 0-255, naming rgb-0-255 and its score', async () => {
    const result = await run('s1_metadata_0_1');
    expect(result).toMatchObject({ passed: false, family: 'custom_vision_s1', totalDetections: 0 });
    const search = result.images[0].preprocessingSearch!;
    expect(search).toMatchObject({ configured: 'rgb-0-1', configuredFrom: 'metadata' });
    expect(search.tried.map((t) => [t.preprocessing, t.detections])).toEqual([
      ['rgb-0-255', 2],
      ['bgr-0-255', 0],
      ['bgr-0-1', 0],
    ]);
    expect(search.working).toMatchObject({ preprocessing: 'rgb-0-255', detections: 2, best: { label: 'red' } });
    expect(search.working!.best!.score).toBeGreaterThanOrEqual(0.9);
    expect(result.failure).toMatch(
      /^squares\.png: 0 detections ≥ 0\.5 \(need 2\); highest raw scores: .*; sent as rgb-0-1, other preprocessings find: rgb-0-255 2 \(best red (0\.9\d|1\.00)\), bgr-0-255 0, bgr-0-1 0 — the model finds objects when the picture is sent as rgb-0-255 instead of rgb-0-1 \(from the export's ONNX metadata\): set input 'custom-vision-preprocessing' to 'rgb-0-255'$/,
    );
  });

  it('passes the same export once custom-vision-preprocessing is rgb-0-255, with each square found', async () => {
    const result = await run('s1_metadata_0_1', { preprocessing: 'rgb-0-255' });
    expect(result).toMatchObject({ passed: true, totalDetections: 2 });
    expect(result.images[0].preprocessingSearch).toBeUndefined();
    for (const d of result.images[0].detections) expect(offBy(d.box)).toBeLessThanOrEqual(2 * (PICTURE.width / 320));
  });

  it('names the input as the source when a set preprocessing is the wrong one', async () => {
    const result = await run('s1_documented', { preprocessing: 'bgr-0-255' });
    expect(result.passed).toBe(false);
    expect(result.images[0].preprocessingSearch).toMatchObject({ configured: 'bgr-0-255', configuredFrom: 'input', working: { preprocessing: 'rgb-0-255' } });
    expect(result.failure).toContain("instead of bgr-0-255 (set by input 'custom-vision-preprocessing')");
  });

  it('tells a picture without objects from a mismatch: no preprocessing finds anything', async () => {
    const result = await run('s1_documented', { images: [empty()] });
    expect(result.passed).toBe(false);
    expect(result.images[0].preprocessingSearch).toMatchObject({ configured: 'rgb-0-255', working: undefined });
    expect(result.failure).toMatch(/other preprocessings find: rgb-0-1 0, bgr-0-255 0, bgr-0-1 0 — lower 'score-threshold' or check the model$/);
  });

  it('places a raw-tx/ty compact export\'s boxes on the squares only with custom-vision-xy-activation none', async () => {
    const sigmoid = await run('compact_raw_xy');
    const none = await run('compact_raw_xy', { xyActivation: 'none' });
    // The activation never changes a score, so both pass; only the boxes tell them apart.
    expect([sigmoid.passed, none.passed]).toEqual([true, true]);
    const tolerance = 2 * (PICTURE.width / 416);
    for (const d of none.images[0].detections) expect(offBy(d.box)).toBeLessThanOrEqual(tolerance);
    expect(Math.max(...sigmoid.images[0].detections.map((d) => offBy(d.box)))).toBeGreaterThan(tolerance);
  });
});
