/**
 * DetectNet_v2 judged by the AzureML sample's clustering config end to end: a real generated ONNX
 * model behind the test bed's Triton server over HTTPS, and runSmokeTest. The pedestrian class is
 * switched to TAO's mean_cov confidence model, whose scores sit below the default 'score-threshold'.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadClusteringConfig } from '../../../src/smoke-test/clustering-config';
import { SmokeTestSettings, runSmokeTest } from '../../../src/smoke-test/run-smoke-test';
import { configPbtxtForDetectNetV2, detectNetV2Model, drawScene, encodePng, writeTritonRepository } from '../../../testbed/onnx-models/onnx-models';
import { TritonModelServer, loadTritonModelRepository } from '../../../testbed/triton-server/triton-model-server';
import { HttpsTriton, TEST_KEY, recordingLog, startHttpsTriton } from '../kserve/https-triton-fixture';

const AZUREML_CONFIG = path.resolve(__dirname, '../../../samples/tao-detectnet-v2/clustering_config_detectnet.prototxt');
const CLASSES = ['car', 'cyclist', 'pedestrian'];
const SIZE = 64;

describe("DetectNet_v2 over HTTPS, judged by the AzureML sample's clustering config with mean_cov for pedestrians", () => {
  let dir: string;
  let triton: TritonModelServer;
  let https: HttpsTriton;
  let configFile: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detectnet-clustering-'));
    const model = { height: SIZE, width: SIZE, classes: 3 };
    writeTritonRepository(path.join(dir, 'repo'), { modelName: 'dn', model: detectNetV2Model(model), configPbtxt: configPbtxtForDetectNetV2({ modelName: 'dn', ...model }) });
    // A 24x24 pedestrian square straddling four 16x16 cells: coverages 0.25, 0.5, 0.5 and 1, all
    // predicting the square's box. mean_cov = (0.5625 - 0.25) / (1 - 0.25) = 0.41667.
    fs.writeFileSync(path.join(dir, 'street.png'), encodePng(drawScene({ width: SIZE, height: SIZE, objects: [{ classIndex: 2, x1: 8, y1: 8, x2: 32, y2: 32 }], seed: 5 })));
    fs.writeFileSync(path.join(dir, 'empty.png'), encodePng(drawScene({ width: SIZE, height: SIZE, objects: [], seed: 6 })));
    configFile = path.join(dir, 'clustering_config_detectnet.prototxt');
    fs.writeFileSync(
      configFile,
      fs.readFileSync(AZUREML_CONFIG, 'utf8').replace('key: "pedestrian"\n    value: {', 'key: "pedestrian"\n    value: {\n        confidence_model: "mean_cov"'),
    );
    triton = await loadTritonModelRepository(path.join(dir, 'repo'));
    https = await startHttpsTriton(triton);
  });
  afterAll(async () => {
    await https?.close();
    await triton?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settings = (images: string[]): SmokeTestSettings => ({
    images: images.map((i) => path.join(dir, i)),
    modelName: 'dn',
    family: 'auto',
    minDetections: 1,
    scoreThreshold: 0.5,
    labels: CLASSES,
    clustering: loadClusteringConfig(fs.readFileSync(configFile, 'utf8'), configFile),
    protocol: 'binary',
    readyTimeoutMs: 10_000,
    requestTimeoutMs: 20_000,
    outputDir: path.join(dir, 'out'),
    retry: { attempts: 2, baseDelayMs: 5 },
  });

  it("keeps the pedestrian at mean_cov 0.42 > dbscan_confidence_threshold 0.2 although 'score-threshold' is 0.5, and logs what the score is", async () => {
    const log = recordingLog();
    const result = await runSmokeTest({ baseUrl: https.baseUrl, key: TEST_KEY, ca: https.ca }, settings(['street.png']), log);
    expect(result.passed).toBe(true);
    expect(result.images[0].detections.map((d) => [d.label, +d.score.toFixed(4), Math.round(d.box.x1), Math.round(d.box.y1), Math.round(d.box.x2), Math.round(d.box.y2)])).toEqual([
      ['pedestrian', 0.4167, 8, 8, 32, 32],
    ]);
    expect(log.lines).toContain(
      `scores: car, cyclist: summed coverage > 0.9; pedestrian: mean_cov (mean - min) / (max - min) of cell coverages > 0.2 (dbscan_confidence_threshold in ${configFile} lines 11, 28, 46)`,
    );
  });

  it('on a picture with nothing, names the clustering file and says score-threshold did not apply', async () => {
    const result = await runSmokeTest({ baseUrl: https.baseUrl, key: TEST_KEY, ca: https.ca }, settings(['empty.png']), recordingLog());
    expect(result.passed).toBe(false);
    expect(result.failure).toMatch(/^empty\.png: 0 detections where car, cyclist: summed coverage > 0\.9; pedestrian: mean_cov .* > 0\.2 \(dbscan_confidence_threshold in .*clustering_config_detectnet\.prototxt lines 11, 28, 46\); highest cell coverages: .* — lower the per-class thresholds in .*clustering_config_detectnet\.prototxt or check the model \('score-threshold' does not apply with a clustering config\)$/);
  });
});
