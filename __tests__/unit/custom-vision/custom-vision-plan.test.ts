/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as path from 'path';
import type { Log } from '../../../src/log';
import { describeCustomVisionPlan } from '../../../src/source/custom-vision/custom-vision-plan';
import { planCustomVisionSource, prepareCustomVisionModel, CustomVisionSettings } from '../../../src/source/custom-vision/prepare-custom-vision-model';
import { EmulatorHarness, startEmulator, TRAINING_KEY } from './emulator-harness';

const SAMPLES = path.resolve(__dirname, '../../../samples/custom-vision');
const PREDICTION_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/cv-prediction';
const quiet: Log = { info: () => undefined, warning: () => undefined, debug: () => undefined };

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
/** Every Custom Vision exchange that was not a read. */
const writes = () => h.requests.list().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`);

beforeAll(async () => {
  h = await startEmulator();
  h.emulator.state.timing.trainingMs = 300;
  h.emulator.state.timing.exportMs = 200;
});
afterAll(async () => h.stop());
beforeEach(() => h.requests.clear());

describe('planCustomVisionSource (dry run)', () => {
  it('plans a new project, every upload and a training without writing to Custom Vision', async () => {
    const plan = await planCustomVisionSource(settings(), quiet, { agent: h.agent });
    expect(plan).toMatchObject({
      project: { name: 'Street Signs', action: 'create', domain: 'General (compact) [S1]' },
      images: { upload: 18, alreadyThere: 0, boxesChanged: 0, tagsToCreate: ['stop-sign', 'tree'] },
      training: { action: 'train', reason: 'the project is new' },
      publish: 'street-signs',
    });
    expect(writes()).toEqual([]);
    expect(h.requests.list().length).toBeGreaterThan(0);
    expect(h.emulator.state.operations.get('CreateProject') ?? 0).toBe(0);
  });

  it('calls beforeRemote after the dataset checks and before the first Custom Vision call, and stops there when it fails', async () => {
    const seen: number[] = [];
    const signIn = async () => {
      seen.push(h.requests.list().length);
      throw new Error('Sign-in to Entra ID failed');
    };
    await expect(prepareCustomVisionModel(settings({ beforeRemote: signIn }), quiet, { agent: h.agent })).rejects.toThrow('Sign-in to Entra ID failed');
    await expect(planCustomVisionSource(settings({ beforeRemote: signIn }), quiet, { agent: h.agent })).rejects.toThrow('Sign-in to Entra ID failed');
    expect(seen).toEqual([0, 0]);
    expect(h.requests.list()).toEqual([]);
  });

  it('after a training, plans no upload and no training, reusing the iteration and its export, with reads only', async () => {
    const model = await prepareCustomVisionModel(settings(), quiet, { agent: h.agent });
    h.requests.clear();
    const plan = await planCustomVisionSource(settings(), quiet, { agent: h.agent });
    expect(plan).toMatchObject({
      project: { action: 'reuse', id: model.projectId },
      images: { upload: 0, alreadyThere: 18, boxesChanged: 0, tagsToCreate: [] },
      training: { action: 'reuse' },
      iteration: { id: model.iterationId },
      export: 'reuse the finished ONNX export',
    });
    expect(plan.publish).toBeUndefined();
    expect(writes()).toEqual([]);
    const rows = describeCustomVisionPlan(plan).map((r) => `${r.item}: ${r.text}`);
    expect(rows).toEqual([
      expect.stringMatching(/^project: reuse "Street Signs"/),
      'images: upload 0, 18 already there',
      expect.stringMatching(new RegExp(`^training: no training; reuse iteration ".*" \\(${model.iterationId}\\): the dataset matches`)),
      'export: reuse the finished ONNX export',
    ]);
  });

  it('says training would run when custom-vision-force-train is set', async () => {
    const plan = await planCustomVisionSource(settings({ forceTrain: true }), quiet, { agent: h.agent });
    expect(plan.training).toEqual({ action: 'train', reason: 'custom-vision-force-train is true' });
    expect(writes()).toEqual([]);
  });

  it('refuses an unknown iteration id as the real run would, with reads only', async () => {
    const model = await prepareCustomVisionModel(settings(), quiet, { agent: h.agent });
    h.requests.clear();
    await expect(planCustomVisionSource(settings({ projectId: model.projectId, iterationId: '00000000-0000-0000-0000-0000000000ff' }), quiet, { agent: h.agent })).rejects.toThrow(
      /custom-vision-iteration-id "00000000-0000-0000-0000-0000000000ff": no such iteration/,
    );
    expect(writes()).toEqual([]);
  });
});
