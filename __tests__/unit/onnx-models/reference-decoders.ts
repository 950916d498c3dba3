/**
 * Straightforward decoders for the raw outputs of the generated models, written from the
 * published conventions (not from the generator), plus small test helpers.
 */
import * as crypto from 'crypto';
import * as ort from 'onnxruntime-node';
import { SceneObject } from '../../../testbed/onnx-models/onnx-models';

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
export interface Found {
  classId: number;
  score: number;
  box: Box;
}

export async function runModel(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(model);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const ih = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * DetectNet_v2: TAO's convention (stride 16, offset 0.5, bbox_norm 35): x1 = cx - ch0*35,
 * y1 = cy - ch1*35, x2 = cx + ch2*35, y2 = cy + ch3*35. Cells above the coverage threshold are
 * grouped greedily by IoU > 0.5 and averaged weighted by coverage (a stand-in for DBSCAN).
 */
export function decodeDetectNetV2(
  cov: Float32Array,
  bbox: Float32Array,
  shape: { classes: number; gridH: number; gridW: number; batchIndex?: number },
  threshold = 0.1,
): Found[] {
  const { classes, gridH: h, gridW: w } = shape;
  const b = shape.batchIndex ?? 0;
  const found: Found[] = [];
  for (let c = 0; c < classes; c++) {
    const cells: { cov: number; box: Box }[] = [];
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const coverage = cov[((b * classes + c) * h + i) * w + j];
        if (coverage <= threshold) continue;
        const at = (k: number) => bbox[((b * 4 * classes + 4 * c + k) * h + i) * w + j];
        const cx = j * 16 + 0.5;
        const cy = i * 16 + 0.5;
        cells.push({ cov: coverage, box: { x1: cx - at(0) * 35, y1: cy - at(1) * 35, x2: cx + at(2) * 35, y2: cy + at(3) * 35 } });
      }
    }
    cells.sort((p, q) => q.cov - p.cov);
    while (cells.length > 0) {
      const seed = cells[0].box;
      const group = cells.filter((cell) => iou(cell.box, seed) > 0.5);
      const total = group.reduce((s, cell) => s + cell.cov, 0);
      const avg = (key: keyof Box) => group.reduce((s, cell) => s + cell.box[key] * cell.cov, 0) / total;
      found.push({ classId: c, score: total, box: { x1: avg('x1'), y1: avg('y1'), x2: avg('x2'), y2: avg('y2') } });
      for (const cell of group) cells.splice(cells.indexOf(cell), 1);
    }
  }
  return found;
}

/** Rows of boxes [1,N,4] normalized, scores [1,N], classes [1,N] -> pixel boxes. */
export function decodeRows(boxes: Float32Array, scores: Float32Array, classes: BigInt64Array, width: number, height: number): Found[] {
  return Array.from(scores, (score, n) => ({
    classId: Number(classes[n]),
    score,
    box: { x1: boxes[4 * n] * width, y1: boxes[4 * n + 1] * height, x2: boxes[4 * n + 2] * width, y2: boxes[4 * n + 3] * height },
  }));
}

/**
 * Custom Vision compact (YOLOv2 style) on a 13x13 grid with the published anchors, to pixels of a size x size input.
 * xy 'sigmoid': the export's object_detection.py; 'none': customvision-export-samples' onnx/object_detection/predict.py.
 */
export function decodeCustomVisionCompact(out: Float32Array, classes: number, size: number, threshold = 0.5, xy: 'sigmoid' | 'none' = 'sigmoid'): Found[] {
  const anchors = [[0.573, 0.677], [1.87, 2.06], [3.34, 5.47], [7.88, 3.53], [9.77, 9.17]];
  const n = 13;
  const per = 5 + classes;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const found: Found[] = [];
  anchors.forEach(([aw, ah], a) => {
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const at = (k: number) => out[((a * per + k) * n + row) * n + col];
        const logits = Array.from({ length: classes }, (_, c) => at(5 + c));
        const max = Math.max(...logits);
        const exps = logits.map((l) => Math.exp(l - max));
        const sum = exps.reduce((s, e) => s + e, 0);
        const objectness = sigmoid(at(4));
        exps.forEach((e, c) => {
          const score = objectness * (e / sum);
          if (score <= threshold) return;
          const offset = xy === 'sigmoid' ? sigmoid : (v: number) => v;
          const x = (offset(at(0)) + col) / n;
          const y = (offset(at(1)) + row) / n;
          const w = (Math.exp(at(2)) * aw) / n;
          const h = (Math.exp(at(3)) * ah) / n;
          found.push({ classId: c, score, box: { x1: (x - w / 2) * size, y1: (y - h / 2) * size, x2: (x + w / 2) * size, y2: (y + h / 2) * size } });
        });
      }
    }
  });
  return found;
}

/** Asserts a one-to-one match of found boxes to objects: same class, every edge within `tolerance` px. */
export function expectMatches(found: Found[], objects: SceneObject[], tolerance: number): void {
  const remaining = [...found];
  for (const obj of objects) {
    const i = remaining.findIndex(
      (f) =>
        f.classId === obj.classIndex &&
        Math.abs(f.box.x1 - obj.x1) <= tolerance &&
        Math.abs(f.box.y1 - obj.y1) <= tolerance &&
        Math.abs(f.box.x2 - obj.x2) <= tolerance &&
        Math.abs(f.box.y2 - obj.y2) <= tolerance,
    );
    if (i < 0) throw new Error(`no detection matches ${JSON.stringify(obj)} within ${tolerance} px; found ${JSON.stringify(found)}`);
    remaining.splice(i, 1);
  }
  expect(remaining).toEqual([]);
}
