/**
 * DetectNet_v2 clustering as TAO's own post-processing does it (tao_tensorflow1_backend
 * detectnet_v2/postprocessor: cluster.py, utilities.py), and the AzureML sample's clustering config
 * deciding which clusters count, not 'score-threshold'. Values worked out by hand below.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClassClusteringConfig, TAO_DEFAULT_CLASS_CLUSTERING, loadClusteringConfig } from '../../../src/smoke-test/clustering-config';
import { detectNetV2Family } from '../../../src/smoke-test/families/detectnet-v2';
import { clusterCandidates, taoMinSamples } from '../../../src/smoke-test/families/detectnet-v2-postprocess';
import { ModelSignature } from '../../../src/smoke-test/families/model-family';
import { describeScoring } from '../../../src/smoke-test/score-rule';
import { Tensor } from '../../../src/smoke-test/tensors';

const AZUREML_CONFIG = path.resolve(__dirname, '../../../samples/tao-detectnet-v2/clustering_config_detectnet.prototxt');
const cfg = (over: Partial<ClassClusteringConfig> = {}): ClassClusteringConfig => ({ ...TAO_DEFAULT_CLASS_CLUSTERING, ...over });
const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe("TAO's min_samples = max(int(dbscan_min_samples), 1), compared with summed coverage", () => {
  it('rounds the way Python int() does, never below 1', () => {
    expect([0.05, 0, 1, 1.99, 2.9, -3].map(taoMinSamples)).toEqual([1, 1, 1, 1, 2, 1]);
  });

  it('makes a lone cell of coverage 0.3 noise with dbscan_min_samples 0.05, and a lone cell of coverage 1 a cluster', () => {
    const loose = cfg({ dbscanConfidenceThreshold: 0 });
    expect(clusterCandidates([{ box: box(0, 0, 40, 40), coverage: 0.3 }], loose)).toEqual([]);
    expect(clusterCandidates([{ box: box(0, 0, 40, 40), coverage: 1 }], loose)).toEqual([{ box: box(0, 0, 40, 40), confidence: 1 }]);
  });

  it('takes dbscan_min_samples 2.9 as 2: two full cells make a cluster, 1 + 0.75 does not', () => {
    const c = cfg({ dbscanMinSamples: 2.9, dbscanConfidenceThreshold: 0 });
    const pair = (second: number) => [
      { box: box(0, 0, 40, 40), coverage: 1 },
      { box: box(0, 0, 40, 40), coverage: second },
    ];
    expect(clusterCandidates(pair(1), c).map((x) => x.confidence)).toEqual([2]);
    expect(clusterCandidates(pair(0.75), c)).toEqual([]);
  });
});

describe('confidence_model: mean_cov', () => {
  // Four cells predicting one box: coverages 1, 0.5, 0.5, 0.25 (the cells a 24x24 square covers
  // when it straddles four 16x16 cells). Sum 2.25; mean 0.5625; (0.5625 - 0.25) / (1 - 0.25) = 0.41667.
  const cells = [1, 0.5, 0.5, 0.25].map((coverage) => ({ box: box(8, 8, 32, 32), coverage }));

  it('scores a cluster by (mean - min) / (max - min) of its coverages, as TAO utilities.py does', () => {
    const [cluster] = clusterCandidates(cells, cfg({ confidenceModel: 'mean_cov', dbscanConfidenceThreshold: 0.4 }));
    expect(cluster.confidence).toBeCloseTo(0.41667, 5);
    expect(clusterCandidates(cells, cfg({ confidenceModel: 'mean_cov', dbscanConfidenceThreshold: 0.42 }))).toEqual([]);
  });

  it('never keeps a cluster whose coverages are all equal (TAO divides 0 by 0 and its NaN passes no threshold)', () => {
    const equal = [0.5, 0.5, 0.5].map((coverage) => ({ box: box(8, 8, 32, 32), coverage }));
    expect(clusterCandidates(equal, cfg({ confidenceModel: 'mean_cov', dbscanConfidenceThreshold: -1 }))).toEqual([]);
  });
});

describe('clustering_algorithm: HYBRID (DBSCAN, then NMS over the cells of the kept clusters)', () => {
  // a and b overlap (IoU 0.82, distance 0.18 <= eps 0.3): one DBSCAN cluster of 1.25.
  // c overlaps a by IoU 0.33 and b by 0.43: not a neighbour; alone, 0.6 < min_samples 1, so noise.
  const a = { box: box(0, 0, 40, 40), coverage: 0.75 };
  const b = { box: box(4, 0, 44, 40), coverage: 0.5 };
  const c = { box: box(20, 0, 60, 40), coverage: 0.6 };

  it('keeps the best cell of each DBSCAN cluster, scored by its own coverage; a cell outside every cluster is gone', () => {
    const hybrid = cfg({ algorithm: 'HYBRID', nmsIouThreshold: 0.5, nmsConfidenceThreshold: 0.2 });
    expect(clusterCandidates([a, b, c], hybrid)).toEqual([{ box: a.box, confidence: 0.75 }]);
    // NMS alone keeps c too: its IoU with a (0.33) is under 0.5.
    expect(clusterCandidates([a, b, c], { ...hybrid, algorithm: 'NMS' }).map((x) => x.confidence)).toEqual([0.75, 0.6]);
  });

  it('applies dbscan_confidence_threshold to the clusters and nms_confidence_threshold to the cells', () => {
    const hybrid = cfg({ algorithm: 'HYBRID', nmsIouThreshold: 0.5 });
    expect(clusterCandidates([a, b, c], { ...hybrid, dbscanConfidenceThreshold: 1.25, nmsConfidenceThreshold: 0.2 })).toEqual([]);
    expect(clusterCandidates([a, b, c], { ...hybrid, dbscanConfidenceThreshold: 0.9, nmsConfidenceThreshold: 0.75 })).toEqual([]);
  });
});

describe("the AzureML sample's clustering config decides, not 'score-threshold'", () => {
  // Model input 176x112 (an 11x7 grid at stride 16), picture the same size. Row 0, columns 0..4 of
  // one class predict 100x100 boxes shifted 15 px apart: neighbours (IoU 85/115 = 0.74, distance
  // 0.26 <= eps 0.3) are only the next column over (30 px apart: IoU 0.54, distance 0.46).
  // Coverages t 0.25, r 0.0625, q 0.75, p 0.125, s 0.1875. Neighbourhood sums: t 0.3125,
  // r 1.0625 (core), q 0.9375 (border), p 1.0625 (core), s 0.3125. DBSCAN visits cells in order:
  // r's cluster {t, r, q} = 1.0625 takes q first, so p's cluster is {p, s} = 0.3125.
  const W = 176;
  const H = 112;
  const COLS = 11;
  const ROWS = 7;
  const CLASSES = ['car', 'cyclist', 'pedestrian'];
  const sig: ModelSignature = {
    name: 'detectnet_tao',
    inputs: [{ name: 'input_1', datatype: 'FP32', shape: [-1, 3, H, W] }],
    outputs: [
      { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [-1, 3, ROWS, COLS] },
      { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [-1, 12, ROWS, COLS] },
    ],
  };
  const plane = ROWS * COLS;
  const cov = new Float32Array(3 * plane);
  const bbox = new Float32Array(12 * plane);
  const COVERAGES = [0.25, 0.0625, 0.75, 0.125, 0.1875];
  for (const cls of [0, 2]) {
    COVERAGES.forEach((coverage, col) => {
      const [cx, cy] = [col * 16 + 0.5, 0.5];
      const [x1, y1, x2, y2] = [5 + 15 * col, 5, 105 + 15 * col, 105];
      cov[cls * plane + col] = coverage;
      [(cx - x1) / 35, (cy - y1) / 35, (x2 - cx) / 35, (y2 - cy) / 35].forEach((v, k) => (bbox[(4 * cls + k) * plane + col] = v));
    });
  }
  const outputs: Tensor[] = [
    { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [1, 3, ROWS, COLS], data: cov },
    { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [1, 12, ROWS, COLS], data: bbox },
  ];
  const image = { width: W, height: H, data: new Uint8Array(W * H * 3) };
  const clustering = loadClusteringConfig(fs.readFileSync(AZUREML_CONFIG, 'utf8'), AZUREML_CONFIG);
  const round = (v: number) => +v.toFixed(3);

  it('keeps the 0.3125 pedestrian cluster (dbscan_confidence_threshold 0.2) though score-threshold is 0.5, and drops the same car cluster (0.9)', () => {
    const req = detectNetV2Family.prepare(image, sig, { scoreThreshold: 0.5, labels: CLASSES, clustering });
    const found = req.decode(outputs).detections.map((d) => [d.label, round(d.score), round(d.box.x1), round(d.box.x2)]);
    // {t, r, q}: x1 = (5*0.25 + 20*0.0625 + 35*0.75) / 1.0625 = 27.059; x2 = x1 + 100. {p, s}: x1 = (50*0.125 + 65*0.1875) / 0.3125 = 59.
    expect(found).toEqual([
      ['car', 1.063, 27.059, 127.059],
      ['pedestrian', 1.063, 27.059, 127.059],
      ['pedestrian', 0.313, 59, 159],
    ]);
  });

  it('says what the scores are and which line of the file set each threshold', () => {
    const req = detectNetV2Family.prepare(image, sig, { scoreThreshold: 0.5, labels: CLASSES, clustering });
    expect(req.scoring?.scoreThresholdDecides).toBe(false);
    expect(describeScoring(req.scoring!)).toBe(
      `car, cyclist: summed coverage > 0.9; pedestrian: summed coverage > 0.2 (dbscan_confidence_threshold in ${AZUREML_CONFIG} lines 11, 28, 45)`,
    );
  });

  it("without a clustering config, judges the same clusters by 'score-threshold' alone", () => {
    const decode = (scoreThreshold: number) =>
      detectNetV2Family
        .prepare(image, sig, { scoreThreshold, labels: CLASSES })
        .decode(outputs)
        .detections.filter((d) => d.label === 'pedestrian')
        .map((d) => round(d.score));
    expect(decode(0.5)).toEqual([1.063]);
    expect(decode(0.3)).toEqual([1.063, 0.313]);
    const scoring = detectNetV2Family.prepare(image, sig, { scoreThreshold: 0.3, labels: CLASSES }).scoring!;
    expect(describeScoring(scoring)).toBe("summed coverage ≥ 0.3 (input 'score-threshold')");
  });

  it('describes mean_cov, NMS and HYBRID scores for the classes that use them', () => {
    const text = fs
      .readFileSync(AZUREML_CONFIG, 'utf8')
      .replace('key: "car"\n    value: {', 'key: "car"\n    value: {\n        confidence_model: "mean_cov"')
      .replace('key: "cyclist"\n    value: {', 'key: "cyclist"\n    value: {\n        clustering_algorithm: HYBRID\n        nms_confidence_threshold: 0.3');
    const req = detectNetV2Family.prepare(image, sig, { scoreThreshold: 0.5, labels: CLASSES, clustering: loadClusteringConfig(text, 'c.prototxt') });
    expect(describeScoring(req.scoring!)).toBe(
      'car: mean_cov (mean - min) / (max - min) of cell coverages > 0.9; cyclist: cell coverage (DBSCAN then NMS) > 0.3; ' +
        'pedestrian: summed coverage > 0.2 (dbscan_confidence_threshold in c.prototxt, nms_confidence_threshold in c.prototxt lines 12, 25, 48)',
    );
  });
});
