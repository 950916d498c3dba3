/**
 * Raw output tensors -> detections through each grid family's decode, against values worked out by
 * hand. Complements __tests__/unit/smoke-test (single cells, clustering and NMS on boxes): here a
 * whole DetectNet_v2 grid goes through candidates, DBSCAN and scaling, and a YOLO cell sits in a
 * non-square grid so rows and columns cannot be swapped unnoticed.
 */
import { customVisionCompactFamily } from '../../../src/smoke-test/families/custom-vision-compact';
import { detectNetV2Family } from '../../../src/smoke-test/families/detectnet-v2';
import { ModelSignature } from '../../../src/smoke-test/families/model-family';
import { RgbImage } from '../../../src/smoke-test/rgb-image';

const blank = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3) });
const corners = (b: { x1: number; y1: number; x2: number; y2: number }) => [b.x1, b.y1, b.x2, b.y2].map((v) => +v.toFixed(3));

describe('DetectNet_v2: a 2x2 grid decoded by hand (TAO default clustering)', () => {
  // Model input 32x32 at stride 16 (2x2 cells); the picture is 64x64, so boxes double.
  const sig: ModelSignature = {
    name: 'dn',
    inputs: [{ name: 'input_1', datatype: 'FP32', shape: [-1, 3, 32, 32] }],
    outputs: [
      { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [-1, 2, 2, 2] },
      { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [-1, 8, 2, 2] },
    ],
  };
  const cov = new Float32Array(2 * 4);
  const bbox = new Float32Array(8 * 4);
  /** Cell (row, col) of class c predicts the box x1,y1,x2,y2 (model pixels): b = distances from the centre / 35. */
  function cell(c: number, row: number, col: number, coverage: number, box: [number, number, number, number]): void {
    const at = row * 2 + col;
    const [cx, cy] = [col * 16 + 0.5, row * 16 + 0.5];
    cov[c * 4 + at] = coverage;
    [(cx - box[0]) / 35, (cy - box[1]) / 35, (box[2] - cx) / 35, (box[3] - cy) / 35].forEach((v, k) => (bbox[(4 * c + k) * 4 + at] = v));
  }
  // car: two cells see one object. IoU((2,4,22,24), (4,4,24,24)) = 360/440 = 0.82, distance 0.18 <= eps 0.3: one cluster.
  cell(0, 0, 0, 0.6, [2, 4, 22, 24]);
  cell(0, 0, 1, 0.4, [4, 4, 24, 24]);
  // car: a faint cell far away; its neighbourhood weighs 0.03 < min_samples 1 (TAO's max(int(0.05), 1)): noise.
  cell(0, 1, 1, 0.03, [26, 26, 31, 31]);
  // person: two cells see the same box; 0.95 + 0.25 = 1.2 reaches min_samples 1.
  cell(1, 1, 0, 0.95, [0.5, 16.5, 10.5, 26.5]);
  cell(1, 1, 1, 0.25, [0.5, 16.5, 10.5, 26.5]);

  const decoded = () =>
    detectNetV2Family.prepare(blank(64, 64), sig, { scoreThreshold: 0.5, labels: ['car', 'person'] }).decode([
      { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [1, 2, 2, 2], data: cov },
      { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [1, 8, 2, 2], data: bbox },
    ]);

  it('merges the car cells into their coverage-weighted box, scored by summed coverage; the faint far cell makes no box', () => {
    // x1 = 0.6*2 + 0.4*4 = 2.8, x2 = 0.6*22 + 0.4*24 = 22.8, y 4..24; times 2 for the picture. Score 0.6 + 0.4 = 1.
    const { detections } = decoded();
    const cars = detections.filter((d) => d.label === 'car');
    expect(cars.map((d) => [+d.score.toFixed(4), corners(d.box)])).toEqual([[1, [5.6, 8, 45.6, 48]]]);
  });

  it('keeps the person cells as one box, doubled, and sorts detections by score', () => {
    const { detections } = decoded();
    expect(detections.map((d) => [d.label, d.classId, +d.score.toFixed(4), corners(d.box)])).toEqual([
      ['person', 1, 1.2, [1, 33, 21, 53]],
      ['car', 0, 1, [5.6, 8, 45.6, 48]],
    ]);
  });

  it('reports the raw coverages, best first, noise cell included', () => {
    expect(decoded().topRawScores.slice(0, 4).map((s) => [s.label, +s.score.toFixed(4)])).toEqual([
      ['person', 0.95],
      ['car', 0.6],
      ['car', 0.4],
      ['person', 0.25],
    ]);
    expect(decoded().topRawScores[4]).toEqual({ label: 'car', score: expect.closeTo(0.03, 5) });
  });
});

describe('Custom Vision compact: a YOLO cell decoded by hand in a 2-row, 3-column grid', () => {
  const CLASSES = 3;
  const ROWS = 2;
  const COLS = 3;
  const plane = ROWS * COLS;
  const sig: ModelSignature = {
    name: 'cvc',
    inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 64, 96] }],
    outputs: [{ name: 'model_outputs0', datatype: 'FP32', shape: [1, 5 * (5 + CLASSES), ROWS, COLS] }],
  };
  const v = new Float32Array(5 * (5 + CLASSES) * plane);
  for (let a = 0; a < 5; a++) v.fill(-30, (a * (5 + CLASSES) + 4) * plane, (a * (5 + CLASSES) + 5) * plane); // objectness ~0
  // Anchor 4 (9.77, 9.17) at row 1, col 2:
  //   tx = 0 -> sigmoid 0.5, x = (0.5 + 2)/3 = 0.8333;  ty = ln(1/3) -> sigmoid 0.25, y = (0.25 + 1)/2 = 0.625
  //   tw = ln(0.3*3/9.77) -> w = exp(tw)*9.77/3 = 0.3;  th = ln(0.2*2/9.17) -> h = exp(th)*9.17/2 = 0.2
  //   objectness ln 4 -> sigmoid 0.8; class logits (0, ln 2, ln 5) -> softmax (1/8, 2/8, 5/8) -> scores 0.1, 0.2, 0.5
  // On a 300x200 picture: x 0.8333 -+ 0.15 -> 205..295, y 0.625 -+ 0.1 -> 105..145.
  const fields = [0, Math.log(1 / 3), Math.log((0.3 * 3) / 9.77), Math.log((0.2 * 2) / 9.17), Math.log(4), 0, Math.log(2), Math.log(5)];
  fields.forEach((x, k) => (v[(4 * (5 + CLASSES) + k) * plane + 1 * COLS + 2] = x));

  const decode = (scoreThreshold: number) =>
    customVisionCompactFamily
      .prepare(blank(300, 200), sig, { scoreThreshold, labels: ['cat', 'dog', 'fox'] })
      .decode([{ name: 'model_outputs0', datatype: 'FP32', shape: [1, 40, ROWS, COLS], data: v }]);

  it('places the box from sigmoid offsets and anchor-scaled exp sizes, reading rows and columns from the output shape', () => {
    const { detections } = decode(0.4);
    expect(detections.map((d) => [d.label, +d.score.toFixed(4), corners(d.box)])).toEqual([['fox', 0.5, [205, 105, 295, 145]]]);
  });

  it('reports every class at the cell whose objectness x softmax reaches the threshold, on the same box', () => {
    const { detections, topRawScores } = decode(0.15);
    expect(detections.map((d) => [d.label, d.classId, +d.score.toFixed(4), corners(d.box)])).toEqual([
      ['fox', 2, 0.5, [205, 105, 295, 145]],
      ['dog', 1, 0.2, [205, 105, 295, 145]],
    ]);
    expect(topRawScores[0]).toEqual({ label: 'fox', score: expect.closeTo(0.5, 5) });
  });
});
