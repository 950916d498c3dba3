/**
 * Deterministic DetectNet_v2 outputs for a 1248x384 input (a 78x24 grid at stride 16, 3 classes),
 * shaped like a trained model's: every cell inside an object predicts that object's edges with a
 * little noise and a coverage that falls off from its centre; background cells carry low noise.
 * `background` picks how much of that noise clears TAO's coverage_threshold of 0.005:
 *  - 'typical': 2% of background cells (what PeopleNet-like models give on a street scene);
 *  - 'dense': every cell, the worst case for DBSCAN, whose neighbour search is O(n^2).
 */
import type { Tensor } from '../src/smoke-test/tensors';

export const MODEL_WIDTH = 1248;
export const MODEL_HEIGHT = 384;
export const STRIDE = 16;
export const LABELS = ['car', 'cyclist', 'pedestrian'];
const COLS = MODEL_WIDTH / STRIDE;
const ROWS = MODEL_HEIGHT / STRIDE;
const BBOX_NORM = 35;

/** Objects in model-input pixels: class, x1, y1, x2, y2. */
const OBJECTS: [number, number, number, number, number][] = [
  [0, 40, 190, 260, 330], [0, 300, 200, 470, 310], [0, 520, 210, 640, 290], [0, 900, 180, 1150, 340],
  [0, 700, 215, 790, 270], [0, 1160, 205, 1240, 280], [1, 480, 150, 560, 330], [1, 820, 160, 880, 300],
  [2, 660, 140, 700, 300], [2, 710, 150, 745, 290], [2, 1080, 130, 1120, 320], [2, 20, 120, 60, 250],
];

/** mulberry32: small, fast, and the same numbers on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The two output tensors as a Triton response gives them (batch of one). */
export function detectNetOutputs(background: 'typical' | 'dense'): Tensor[] {
  const classes = LABELS.length;
  const plane = ROWS * COLS;
  const cov = new Float32Array(classes * plane);
  const bbox = new Float32Array(4 * classes * plane);
  const rnd = random(20240607);
  for (let k = 0; k < classes; k++) {
    for (let cell = 0; cell < plane; cell++) {
      const above = background === 'dense' || rnd() < 0.02;
      cov[k * plane + cell] = above ? 0.006 + rnd() * 0.04 : rnd() * 0.004;
      for (let e = 0; e < 4; e++) bbox[(4 * k + e) * plane + cell] = 0.2 + rnd() * 0.6;
    }
  }
  for (const [k, x1, y1, x2, y2] of OBJECTS) {
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLS; c++) {
        const cx = c * STRIDE + 0.5;
        const cy = r * STRIDE + 0.5;
        if (cx < x1 || cx > x2 || cy < y1 || cy > y2) continue;
        const cell = r * COLS + c;
        // Coverage peaks at the centre and fades to ~0.1 at the edges.
        const d = Math.hypot((cx - mx) / (x2 - x1), (cy - my) / (y2 - y1));
        cov[k * plane + cell] = Math.max(cov[k * plane + cell], 0.95 * Math.exp(-6 * d * d));
        const edges = [cx - x1, cy - y1, x2 - cx, y2 - cy];
        edges.forEach((v, e) => (bbox[(4 * k + e) * plane + cell] = (v + (rnd() - 0.5) * 6) / BBOX_NORM));
      }
    }
  }
  return [
    { name: 'output_cov/Sigmoid', datatype: 'FP32', shape: [1, classes, ROWS, COLS], data: cov },
    { name: 'output_bbox/BiasAdd', datatype: 'FP32', shape: [1, 4 * classes, ROWS, COLS], data: bbox },
  ];
}

/** Cells whose coverage clears `threshold`, over all classes: DBSCAN's input size. */
export function candidateCount(outputs: Tensor[], threshold: number): number {
  let n = 0;
  for (const v of outputs[0].data as Float32Array) if (v > threshold) n++;
  return n;
}
