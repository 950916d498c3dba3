/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import type { Log } from '../../../src/log';
import { prepareCustomVisionModel, CustomVisionSettings } from '../../../src/source/custom-vision/prepare-custom-vision-model';
import { decodeImage } from '../../../src/smoke-test/image-codec';
import { resizeBilinear } from '../../../src/smoke-test/resize';
import { SAMPLE_TEST_OBJECTS } from '../../../testbed/custom-vision/sample-dataset';
import { EmulatorHarness, startEmulator, TRAINING_KEY } from './emulator-harness';

const SAMPLES = path.resolve(__dirname, '../../../samples/custom-vision');
const PREDICTION_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/cv-prediction';

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: (m) => lines.push(`debug: ${m}`) };
}

let h: EmulatorHarness;
const settings = (over: Partial<CustomVisionSettings> = {}): CustomVisionSettings => ({
  endpoint: h.baseUrl,
  trainingKey: TRAINING_KEY,
  projectName: 'Street Signs',
  domain: 'General (compact) [S1]',
  datasetDir: path.join(SAMPLES, 'dataset'),
  datasetFormat: 'auto',
  forceTrain: false,
  publishName: 'street-signs',
  predictionResourceId: PREDICTION_ID,
  workDir: path.join(h.tmpDir, 'work'),
  pollIntervalMs: 50,
  timeoutMs: 60_000,
  ...over,
});
const ops = (): Record<string, number> => Object.fromEntries(h.emulator.state.operations);

beforeAll(async () => {
  h = await startEmulator();
  h.emulator.state.timing.trainingMs = 300;
  h.emulator.state.timing.exportMs = 200;
});
afterAll(async () => {
  await h.stop();
});

describe('prepareCustomVisionModel against the emulator', () => {
  it('trains the sample dataset and builds a Triton repository whose model finds the sample objects', async () => {
    const log = recordingLog();
    const model = await prepareCustomVisionModel(settings(), log, { agent: h.agent });

    expect(model).toMatchObject({ modelName: 'street-signs', family: 'custom_vision_s1', labels: ['stop-sign', 'tree'], trained: true, uploadedImages: 18, skippedImages: 0 });
    expect(model.pixelFormat).toBe('Rgb8');
    expect(model.pixelRange).toBe('0_255');
    const modelDir = path.join(model.repositoryDir, 'street-signs');
    const config = fs.readFileSync(path.join(modelDir, 'config.pbtxt'), 'utf8');
    expect(config).toContain('platform: "onnxruntime_onnx"');
    expect(config).toContain('max_batch_size: 0');
    expect(config).toMatch(/name: "image_tensor"\s+data_type: TYPE_FP32\s+dims: \[ 1, 3, 320, 320 \]/);
    expect(config).toMatch(/name: "detected_classes"\s+data_type: TYPE_INT64/);
    expect(fs.readFileSync(path.join(modelDir, 'labels.txt'), 'utf8')).toBe('stop-sign\ntree\n');

    const session = await ort.InferenceSession.create(path.join(modelDir, '1', 'model.onnx'));
    expect(session.inputNames).toEqual(['image_tensor']);
    const test = resizeBilinear(decodeImage(fs.readFileSync(path.join(SAMPLES, 'images', 'test.png')), 'test.png'), 320, 320);
    const nchw = new Float32Array(3 * 320 * 320);
    for (let i = 0; i < 320 * 320; i++) for (let c = 0; c < 3; c++) nchw[c * 320 * 320 + i] = test.data[i * 3 + c];
    const out = await session.run({ image_tensor: new ort.Tensor('float32', nchw, [1, 3, 320, 320]) });
    const boxes = out.detected_boxes.data as Float32Array;
    const classes = [...(out.detected_classes.data as BigInt64Array)].map(Number);
    expect(classes.map((c) => model.labels[c]).sort()).toEqual(['stop-sign', 'tree']);
    for (const expected of SAMPLE_TEST_OBJECTS) {
      const k = classes.findIndex((c) => model.labels[c] === expected.tag);
      const [x1, y1, x2, y2] = [...boxes.subarray(k * 4, k * 4 + 4)];
      // Normalised boxes vs. pixel boxes in the 384x256 test image: within 2 % of the image.
      expect(Math.abs(x1 * 384 - expected.x1)).toBeLessThan(8);
      expect(Math.abs(y1 * 256 - expected.y1)).toBeLessThan(6);
      expect(Math.abs(x2 * 384 - expected.x2)).toBeLessThan(8);
      expect(Math.abs(y2 * 256 - expected.y2)).toBeLessThan(6);
    }
    expect(log.lines.join('\n')).not.toContain(TRAINING_KEY);
    const project = h.emulator.state.projects.get(model.projectId)!;
    expect(project.iterations.find((i) => i.id === model.iterationId)?.publishName).toBe('street-signs');
  });

  it('uploads no image and does not retrain on a second run', async () => {
    const before = ops();
    const model = await prepareCustomVisionModel(settings(), recordingLog(), { agent: h.agent });
    const after = ops();
    expect(model).toMatchObject({ trained: false, uploadedImages: 0, skippedImages: 18 });
    expect(after.CreateImagesFromFiles ?? 0).toBe(before.CreateImagesFromFiles ?? 0);
    expect(after.CreateProject).toBe(before.CreateProject);
    expect(after.PublishIteration).toBe(before.PublishIteration);
    const project = h.emulator.state.projects.get(model.projectId)!;
    expect(project.iterations).toHaveLength(1);
  });

  it('waits for an export that is already in progress instead of starting another', async () => {
    const project = [...h.emulator.state.projects.values()][0];
    const iteration = project.iterations[0];
    // The export stays in progress until the action has seen it running, however slow the machine.
    h.emulator.state.timing.exportMs = 3_600_000;
    const started = await h.call('POST', `/customvision/v3.3/training/projects/${project.id}/iterations/${iteration.id}/export?platform=ONNX`);
    h.emulator.state.timing.exportMs = 200;
    expect(started.body.status).toBe('Exporting');
    const before = ops();
    const log = recordingLog();
    const finishExportOnceSeen = (m: string) => {
      log.lines.push(m);
      if (m === 'An ONNX export is already in progress; waiting for it') for (const e of iteration.exports) e.readyAt = Date.now();
    };
    const model = await prepareCustomVisionModel(settings(), { ...log, info: finishExportOnceSeen }, { agent: h.agent });
    expect(model.iterationId).toBe(iteration.id);
    expect(ops().ExportIteration).toBe(before.ExportIteration);
    expect(log.lines).toContain('An ONNX export is already in progress; waiting for it');
  });

  it('retrains after a box changes, replacing only that image\'s regions', async () => {
    const dir = path.join(h.tmpDir, 'moved-box');
    fs.cpSync(path.join(SAMPLES, 'dataset'), dir, { recursive: true });
    const coco = JSON.parse(fs.readFileSync(path.join(dir, 'annotations.json'), 'utf8'));
    coco.annotations[0].bbox[0] += 3;
    fs.writeFileSync(path.join(dir, 'annotations.json'), JSON.stringify(coco));
    const before = ops();
    const model = await prepareCustomVisionModel(settings({ datasetDir: dir }), recordingLog(), { agent: h.agent });
    expect(model).toMatchObject({ trained: true, uploadedImages: 0 });
    expect(ops().DeleteImageRegions - (before.DeleteImageRegions ?? 0)).toBe(1);
    expect(ops().CreateImageRegions - (before.CreateImageRegions ?? 0)).toBe(1);
  });

  it('exports a given iteration without uploading or training', async () => {
    const project = [...h.emulator.state.projects.values()][0];
    const before = ops();
    const model = await prepareCustomVisionModel(
      settings({ projectName: undefined, projectId: project.id, iterationId: project.iterations[0].id, datasetDir: undefined, publishName: undefined }),
      recordingLog(),
      { agent: h.agent },
    );
    expect(model).toMatchObject({ iterationId: project.iterations[0].id, trained: false, uploadedImages: 0 });
    expect(ops().GetImages).toBe(before.GetImages);
    expect(ops().TrainProject).toBe(before.TrainProject);
  });

  it('retries a 429 after its Retry-After and still succeeds', async () => {
    h.faults.add({ match: { method: 'GET', pathRegex: '/training/domains$' }, response: { status: 429, retryAfter: 1, body: { code: 'TooManyRequests', message: 'slow down' } } });
    const log = recordingLog();
    const model = await prepareCustomVisionModel(settings(), log, { agent: h.agent });
    expect(model.labels).toEqual(['stop-sign', 'tree']);
    expect(log.lines).toContain('Custom Vision GetDomains: HTTP 429, retrying in 1 s');
  });

  it('asks for the right training key, without showing the wrong one', async () => {
    const err = await prepareCustomVisionModel(settings({ trainingKey: 'wrong-key' }), recordingLog(), { agent: h.agent }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).where.input).toBe('custom-vision-training-key');
    expect((err as UserInputError).message).toContain('HTTP 401 Unauthorized');
    expect(String(err)).not.toContain('wrong-key');
  });

  it('refuses an unknown project name without a dataset before creating anything', async () => {
    const before = ops();
    const err = await prepareCustomVisionModel(settings({ projectName: 'Nowhere', datasetDir: undefined }), recordingLog(), { agent: h.agent }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).message).toContain('"Nowhere" does not exist');
    expect(ops().CreateProject).toBe(before.CreateProject);
  });

  it('records no spec violations for any exchange', async () => {
    expect(await h.emulator.specCheck.settled()).toEqual([]);
  });
});
