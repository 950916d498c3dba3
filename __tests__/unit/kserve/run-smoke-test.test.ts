import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserInputError } from '../../../src/errors';
import { decodeImage, encodePng } from '../../../src/smoke-test/image-codec';
import { ImageResult, SmokeTestSettings, annotatedFileNames, runSmokeTest, smokeTestVerdict } from '../../../src/smoke-test/run-smoke-test';
import { Scoring } from '../../../src/smoke-test/score-rule';
import { SceneObject, configPbtxtForDetectNetV2, detectNetV2Model, drawScene, writeTritonRepository } from '../../../testbed/onnx-models/onnx-models';
import { TritonModelServer, loadTritonModelRepository } from '../../../testbed/triton-server/triton-model-server';
import { HttpsTriton, TEST_KEY, recordingLog, startHttpsTriton } from './https-triton-fixture';

const H = 128;
const W = 192;
const OBJECTS: SceneObject[] = [
  { classIndex: 0, x1: 10, y1: 12, x2: 58, y2: 60 },
  { classIndex: 1, x1: 100, y1: 40, x2: 171, y2: 99 },
  { classIndex: 2, x1: 20, y1: 80, x2: 53, y2: 121 },
];

describe('runSmokeTest against a DetectNet_v2 ONNX model served over HTTPS', () => {
  let dir: string;
  let triton: TritonModelServer;
  let https: HttpsTriton;
  const street = (): string => path.join(dir, 'images', 'street.png');
  const empty = (): string => path.join(dir, 'images', 'empty.png');
  const settings = (overrides: Partial<SmokeTestSettings> = {}): SmokeTestSettings => ({
    images: [street()],
    family: 'auto',
    minDetections: 1,
    scoreThreshold: 0.5,
    labels: ['red', 'green', 'blue'],
    protocol: 'binary',
    readyTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    outputDir: path.join(dir, 'out'),
    retry: { attempts: 2, baseDelayMs: 5 },
    ...overrides,
  });
  const target = (): { baseUrl: string; key: string; ca: Buffer } => ({ baseUrl: https.baseUrl, key: TEST_KEY, ca: https.ca });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-test-'));
    writeTritonRepository(path.join(dir, 'repo'), {
      modelName: 'detectnet',
      model: detectNetV2Model({ height: H, width: W, classes: 3 }),
      configPbtxt: configPbtxtForDetectNetV2({ modelName: 'detectnet', height: H, width: W, classes: 3 }),
    });
    fs.mkdirSync(path.join(dir, 'images'));
    fs.writeFileSync(street(), encodePng(drawScene({ width: W, height: H, objects: OBJECTS, seed: 7 })));
    fs.writeFileSync(empty(), encodePng(drawScene({ width: W, height: H, objects: [], seed: 8 })));
    triton = await loadTritonModelRepository(path.join(dir, 'repo'));
    https = await startHttpsTriton(triton);
  });
  afterAll(async () => {
    await https.close();
    await triton.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes when the model finds the three squares, picking the only model and the DetectNet_v2 family itself', async () => {
    const log = recordingLog();
    const result = await runSmokeTest(target(), settings(), log);
    expect(result).toMatchObject({ passed: true, family: 'detectnet_v2', model: 'detectnet', totalDetections: 3 });
    expect(result.failure).toBeUndefined();
    expect(result.images[0].detections.map((d) => d.label).sort()).toEqual(['blue', 'green', 'red']);
    const png = result.images[0].annotatedPng;
    expect(png).toBe(path.join(dir, 'out', 'street.png.annotated.png'));
    expect(decodeImage(fs.readFileSync(png), png)).toMatchObject({ width: W, height: H });
    // The log says what DetectNet_v2 scores are and which threshold judged them, then each image's finds.
    expect(log.lines).toContain("scores: summed coverage ≥ 0.5 (input 'score-threshold')");
    expect(log.lines.some((l) => l.startsWith('street.png: 3 detection(s) ('))).toBe(true);
  });

  it('gives the same detections over the JSON protocol', async () => {
    const binary = await runSmokeTest(target(), settings(), recordingLog());
    const json = await runSmokeTest(target(), settings({ protocol: 'json', modelName: 'detectnet' }), recordingLog());
    expect(json.images[0].detections).toEqual(binary.images[0].detections);
  });

  it('fails on an image without objects, saying how many it found and the highest raw scores it saw', async () => {
    const result = await runSmokeTest(target(), settings({ images: [street(), empty()] }), recordingLog());
    expect(result.passed).toBe(false);
    expect(result.totalDetections).toBe(3);
    expect(result.failure).toMatch(/^empty\.png: 0 detections ≥ 0\.5; highest raw scores: (none|[a-z]+ \d\.\d\d(, [a-z]+ \d\.\d\d)*) — lower 'score-threshold' or check the model$/);
    expect(fs.existsSync(path.join(dir, 'out', 'empty.png.annotated.png'))).toBe(true);
  });

  it('stops waiting for the server and names the file when an image is not a picture', async () => {
    const bad = path.join(dir, 'images', 'notes.png');
    fs.writeFileSync(bad, 'not an image');
    https.intercept = () => ({ status: 503, headers: {}, body: Buffer.alloc(0) });
    try {
      const run = runSmokeTest(target(), settings({ images: [bad], readyTimeoutMs: 600_000 }), recordingLog());
      await expect(run).rejects.toThrow(UserInputError);
      await expect(run).rejects.toThrow(/notes\.png: not a JPEG or PNG image/);
      // A wait left running would hold the rejection for 10 minutes and keep probing every few ms.
      const probes = https.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(https.requests.length).toBe(probes);
    } finally {
      https.intercept = undefined;
    }
  });
});

describe('annotatedFileNames', () => {
  it('names each output after its image file, numbering images from different folders that share a name', () => {
    expect(annotatedFileNames(['a/street.png', 'b/street.jpg', 'c/park.jpeg', 'd/park.jpeg'])).toEqual([
      'street.png.annotated.png',
      'street.jpg.annotated.png',
      'park.jpeg.annotated.png',
      'park.jpeg-2.annotated.png',
    ]);
  });
});

describe('smokeTestVerdict', () => {
  const image = (name: string, scores: number[], raw: { label: string; score: number }[]): ImageResult => ({
    image: `/repo/images/${name}`,
    detections: scores.map((score, i) => ({ label: 'car', classId: 0, score, box: { x1: i, y1: 0, x2: i + 1, y2: 1 } })),
    topRawScores: raw,
    annotatedPng: `/out/${name}.annotated.png`,
    durationMs: 5,
  });

  it('names each short image with its count and the best raw score per label', () => {
    const raw = [{ label: 'car', score: 0.31 }, { label: 'car', score: 0.29 }, { label: 'pedestrian', score: 0.12 }];
    const result = smokeTestVerdict('detectnet_v2', 'm', [image('park.png', [0.9], []), image('street.png', [], raw)], { minDetections: 1, scoreThreshold: 0.5 });
    expect(result).toMatchObject({ passed: false, totalDetections: 1 });
    expect(result.failure).toBe("street.png: 0 detections ≥ 0.5; highest raw scores: car 0.31, pedestrian 0.12 — lower 'score-threshold' or check the model");
  });

  it("names 'min-detections' when an image has detections but too few, and passes when every image has enough", () => {
    const short = smokeTestVerdict('generic', 'm', [image('a.jpg', [0.7], [{ label: 'car', score: 0.7 }])], { minDetections: 2, scoreThreshold: 0.6 });
    expect(short.failure).toBe("a.jpg: 1 detection (car 0.70), fewer than 'min-detections' 2 — lower 'min-detections' or use images with more objects");
    expect(short.failure).not.toMatch(/score-threshold/);
    const enough = smokeTestVerdict('generic', 'm', [image('a.jpg', [0.7, 0.8], [])], { minDetections: 2, scoreThreshold: 0.6 });
    expect(enough).toEqual({ passed: true, family: 'generic', model: 'm', images: enough.images, totalDetections: 2, scoring: enough.scoring });
  });

  it('gives each cause its own advice when one image has none and another too few', () => {
    const result = smokeTestVerdict('generic', 'm', [image('a.jpg', [], []), image('b.jpg', [0.9], [])], { minDetections: 2, scoreThreshold: 0.5 });
    expect(result.failure).toBe(
      "a.jpg: 0 detections ≥ 0.5 (need 2); highest raw scores: none — lower 'score-threshold' or check the model. " +
        "b.jpg: 1 detection (car 0.90), fewer than 'min-detections' 2 — lower 'min-detections' or use images with more objects",
    );
  });

  it('with a clustering config, names its thresholds and what DetectNet_v2 scores mean instead of score-threshold', () => {
    const scoring: Scoring = {
      rules: [
        { labels: ['car'], meaning: 'summed coverage', comparison: '>', threshold: 0.9, origin: 'dbscan_confidence_threshold in c.prototxt', lines: [11] },
        { labels: ['pedestrian'], meaning: 'summed coverage', comparison: '>', threshold: 0.2, origin: 'dbscan_confidence_threshold in c.prototxt', lines: [45] },
      ],
      rawMeaning: 'cell coverages',
      scoreThresholdDecides: false,
      lowerHint: "lower the per-class thresholds in c.prototxt or check the model ('score-threshold' does not apply with a clustering config)",
    };
    const raw = [{ label: 'pedestrian', score: 0.12 }];
    const result = smokeTestVerdict('detectnet_v2', 'm', [image('street.png', [], raw)], { minDetections: 1, scoreThreshold: 0.5 }, scoring);
    expect(result.failure).toBe(
      'street.png: 0 detections where car: summed coverage > 0.9; pedestrian: summed coverage > 0.2 ' +
        '(dbscan_confidence_threshold in c.prototxt lines 11, 45); highest cell coverages: pedestrian 0.12 — ' +
        "lower the per-class thresholds in c.prototxt or check the model ('score-threshold' does not apply with a clustering config)",
    );
    expect(result.scoring).toBe(scoring);
  });
});
