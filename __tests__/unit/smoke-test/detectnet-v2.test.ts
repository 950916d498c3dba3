import { UserInputError } from '../../../src/errors';
import { ClassClusteringConfig, TAO_DEFAULT_CLASS_CLUSTERING, loadClusteringConfig } from '../../../src/smoke-test/clustering-config';
import { detectNetV2Family } from '../../../src/smoke-test/families/detectnet-v2';
import { classCandidates, clusterCandidates } from '../../../src/smoke-test/families/detectnet-v2-postprocess';
import { DecodeOptions, ModelSignature } from '../../../src/smoke-test/families/model-family';
import { RgbImage } from '../../../src/smoke-test/rgb-image';
import { Tensor } from '../../../src/smoke-test/tensors';

// A 64x32 model input: a 2x4 grid at stride 16. The original image is twice as large.
const MODEL_W = 64;
const MODEL_H = 32;
const ROWS = 2;
const COLS = 4;

function signature(style: 'plain' | 'tf', classes = 1): ModelSignature {
  const s = style === 'tf' ? ':0' : '';
  return {
    name: 'detectnet_tao',
    inputs: [{ name: `input_1${s}`, datatype: 'FP32', shape: [-1, 3, MODEL_H, MODEL_W] }],
    outputs: [
      { name: `output_bbox/BiasAdd${s}`, datatype: 'FP32', shape: [-1, 4 * classes, ROWS, COLS] },
      { name: `output_cov/Sigmoid${s}`, datatype: 'FP32', shape: [-1, classes, ROWS, COLS] },
    ],
  };
}

function solidImage(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

class GridOutputs {
  readonly cov: Float32Array;
  readonly bbox: Float32Array;
  constructor(private readonly classes: number) {
    this.cov = new Float32Array(classes * ROWS * COLS);
    this.bbox = new Float32Array(4 * classes * ROWS * COLS);
  }
  /** Coverage and the 4 raw bbox channels (units of 35 px from the cell centre) for one cell. */
  set(cls: number, row: number, col: number, coverage: number, b: [number, number, number, number]): this {
    const plane = ROWS * COLS;
    this.cov[cls * plane + row * COLS + col] = coverage;
    b.forEach((v, k) => (this.bbox[(4 * cls + k) * plane + row * COLS + col] = v));
    return this;
  }
  tensors(style: 'plain' | 'tf'): Tensor[] {
    const s = style === 'tf' ? ':0' : '';
    return [
      { name: `output_cov/Sigmoid${s}`, datatype: 'FP32', shape: [1, this.classes, ROWS, COLS], data: this.cov },
      { name: `output_bbox/BiasAdd${s}`, datatype: 'FP32', shape: [1, 4 * this.classes, ROWS, COLS], data: this.bbox },
    ];
  }
}

const opts = (over: Partial<DecodeOptions> = {}): DecodeOptions => ({ scoreThreshold: 0.5, labels: ['car'], ...over });

describe('DetectNet_v2 family', () => {
  it.each(['plain', 'tf'] as const)('sends RGB scaled by 1/255 in NCHW at the model size (%s tensor names)', (style) => {
    const req = detectNetV2Family.prepare(solidImage(128, 64, [255, 51, 0]), signature(style), opts());
    const [input] = req.inputs;
    expect(input.name).toBe(style === 'tf' ? 'input_1:0' : 'input_1');
    expect(input.shape).toEqual([1, 3, MODEL_H, MODEL_W]);
    const plane = MODEL_W * MODEL_H;
    const data = input.data as Float32Array;
    expect([data[0], data[plane], data[2 * plane]].map((v) => +v.toFixed(4))).toEqual([1, 0.2, 0]);
    expect(req.outputNames.sort()).toEqual([`output_bbox/BiasAdd${style === 'tf' ? ':0' : ''}`, `output_cov/Sigmoid${style === 'tf' ? ':0' : ''}`]);
  });

  it.each(['plain', 'tf'] as const)('decodes a cell into a box in original-image pixels (%s tensor names)', (style) => {
    // Cell row 1, col 2: centre (2*16+0.5, 1*16+0.5) = (32.5, 16.5).
    // x1 = 32.5 - 0.5*35 = 15, y1 = 16.5 - 0.4*35 = 2.5, x2 = 32.5 + 0.3*35 = 43, y2 = 16.5 + 0.2*35 = 23.5; x2 for the image.
    // Coverage 1: a lone cell is a DBSCAN core point only when its coverage reaches min_samples 1.
    const outputs = new GridOutputs(1).set(0, 1, 2, 1, [0.5, 0.4, 0.3, 0.2]).tensors(style);
    const req = detectNetV2Family.prepare(solidImage(128, 64, [0, 0, 0]), signature(style), opts());
    const { detections, topRawScores } = req.decode(outputs);
    expect(detections).toHaveLength(1);
    expect(detections[0].label).toBe('car');
    expect(detections[0].score).toBeCloseTo(1, 5);
    const b = detections[0].box;
    expect([b.x1, b.y1, b.x2, b.y2].map((v) => +v.toFixed(3))).toEqual([30, 5, 86, 47]);
    expect(topRawScores[0]).toEqual({ label: 'car', score: expect.closeTo(1, 5) });
  });

  it('clips boxes to the model input before scaling, as TAO does', () => {
    // Cell row 0, col 0: centre (0.5, 0.5); x1 = 0.5 - 35 < 0 -> 0; x2 = 0.5 + 2*35 = 70.5 > 64 -> 64.
    const outputs = new GridOutputs(1).set(0, 0, 0, 1, [1, 1, 2, 0.5]).tensors('plain');
    const { detections } = detectNetV2Family.prepare(solidImage(128, 64, [0, 0, 0]), signature('plain'), opts()).decode(outputs);
    expect(detections[0].box).toEqual({ x1: 0, y1: 0, x2: 128, y2: 36 });
  });

  it('reports the best raw coverages even when nothing passes the thresholds', () => {
    const outputs = new GridOutputs(2)
      .set(0, 0, 0, 0.3, [0.2, 0.2, 0.2, 0.2])
      .set(1, 1, 3, 0.4, [0.2, 0.2, 0.2, 0.2])
      .tensors('plain');
    const req = detectNetV2Family.prepare(solidImage(64, 32, [0, 0, 0]), signature('plain', 2), opts({ labels: ['car', 'person'] }));
    const result = req.decode(outputs);
    expect(result.detections).toEqual([]);
    expect(result.topRawScores.slice(0, 2)).toEqual([
      { label: 'person', score: expect.closeTo(0.4, 5) },
      { label: 'car', score: expect.closeTo(0.3, 5) },
    ]);
    expect(result.topRawScores).toHaveLength(5);
  });

  it('refuses labels that do not match the number of coverage channels', () => {
    const req = detectNetV2Family.prepare(solidImage(64, 32, [0, 0, 0]), signature('plain', 2), opts({ labels: ['car'] }));
    expect(() => req.decode(new GridOutputs(2).tensors('plain'))).toThrow(UserInputError);
    expect(() => req.decode(new GridOutputs(2).tensors('plain'))).toThrow(/labels has 1 classes \(car\) but .* has 2/);
  });

  it('names the clustering file when it has no entry for a class', () => {
    const clustering = loadClusteringConfig('classwise_clustering_config { key: "person" value { } }', 'cfg/clustering.txt');
    const req = detectNetV2Family.prepare(solidImage(64, 32, [0, 0, 0]), signature('plain'), opts({ clustering }));
    expect(() => req.decode(new GridOutputs(1).tensors('plain'))).toThrow(
      /cfg\/clustering\.txt: no classwise_clustering_config for class 'car'; it has person/,
    );
  });

  it('uses the stride from the clustering file', () => {
    const clustering = loadClusteringConfig(
      'stride: 8 classwise_clustering_config { key: "car" value { coverage_threshold: 0.1 dbscan_config { dbscan_eps: 0.3 dbscan_min_samples: 0.05 } } }',
      'c.txt',
    );
    // Cell row 1, col 1 at stride 8: centre (8.5, 8.5); box 8.5 -+ 0.1*35 = 5 .. 12; scale 1.
    const outputs = new GridOutputs(1).set(0, 1, 1, 1, [0.1, 0.1, 0.1, 0.1]).tensors('plain');
    const req = detectNetV2Family.prepare(solidImage(64, 32, [0, 0, 0]), signature('plain'), opts({ clustering, scoreThreshold: 0 }));
    const b = req.decode(outputs).detections[0].box;
    expect([b.x1, b.y1, b.x2, b.y2].map((v) => +v.toFixed(3))).toEqual([5, 5, 12, 12]);
  });
});

describe('DetectNet_v2 clustering', () => {
  const cfg = (over: Partial<ClassClusteringConfig> = {}): ClassClusteringConfig => ({ ...TAO_DEFAULT_CLASS_CLUSTERING, ...over });
  const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

  it('merges overlapping cells into their coverage-weighted mean box, with the summed coverage', () => {
    // IoU of the two boxes: 36*40 / (1600 + 1600 - 1440) = 0.82, distance 0.18 < eps 0.3.
    const candidates = [
      { box: box(0, 0, 40, 40), coverage: 0.75 },
      { box: box(4, 0, 44, 40), coverage: 0.25 },
    ];
    const clusters = clusterCandidates(candidates, cfg({ dbscanConfidenceThreshold: 0.25 }));
    expect(clusters).toHaveLength(1);
    // x1 = (0*0.75 + 4*0.25) / 1 = 1; x2 = (40*0.75 + 44*0.25) / 1 = 41.
    expect(clusters[0].box.x1).toBeCloseTo(1);
    expect(clusters[0].box.x2).toBeCloseTo(41);
    expect(clusters[0].confidence).toBeCloseTo(1);
  });

  it('keeps a cluster only when its summed coverage is above the confidence threshold', () => {
    const candidates = [
      { box: box(0, 0, 40, 40), coverage: 0.75 },
      { box: box(0, 0, 40, 40), coverage: 0.5 },
    ];
    expect(clusterCandidates(candidates, cfg({ dbscanConfidenceThreshold: 1.25 }))).toEqual([]); // 1.25 is not above 1.25
    expect(clusterCandidates(candidates, cfg({ dbscanConfidenceThreshold: 1.24 }))).toHaveLength(1);
  });

  it('drops clusters not taller than minimum_bounding_box_height', () => {
    const candidates = [{ box: box(0, 0, 40, 4), coverage: 1 }];
    expect(clusterCandidates(candidates, cfg({ minimumBoundingBoxHeight: 4 }))).toEqual([]);
    expect(clusterCandidates(candidates, cfg({ minimumBoundingBoxHeight: 3 }))).toHaveLength(1);
  });

  it('treats points whose neighbourhood coverage is below dbscan_min_samples as noise', () => {
    const candidates = [{ box: box(0, 0, 40, 40), coverage: 0.04 }];
    expect(clusterCandidates(candidates, cfg({ dbscanConfidenceThreshold: 0 }))).toEqual([]);
  });

  it('in NMS mode keeps the best cell of overlapping ones, scored by its own coverage', () => {
    const candidates = [
      { box: box(0, 0, 40, 40), coverage: 0.6 },
      { box: box(4, 0, 44, 40), coverage: 0.7 },
      { box: box(100, 0, 140, 40), coverage: 0.2 },
    ];
    const clusters = clusterCandidates(candidates, cfg({ algorithm: 'NMS', nmsIouThreshold: 0.5, nmsConfidenceThreshold: 0.25 }));
    expect(clusters).toEqual([{ box: box(4, 0, 44, 40), confidence: 0.7 }]);
  });

  it('takes only cells strictly above the coverage threshold', () => {
    const grid = { classes: 1, rows: 1, cols: 2, cov: [0.5, 0.51], bbox: new Float32Array(8) };
    const geo = { stride: 16, modelWidth: 32, modelHeight: 16, imageWidth: 32, imageHeight: 16 };
    expect(classCandidates(grid, 0, geo, 0.5).map((c) => c.coverage)).toEqual([0.51]);
  });
});
