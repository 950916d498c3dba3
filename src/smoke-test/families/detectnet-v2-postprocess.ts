// DetectNet_v2 output decoding as NVIDIA's tao-toolkit-triton-apps does it
// (tao_triton/python/postprocessing/detectnet_processor.py and utils.py):
// every grid cell predicts, per class, a coverage (objectness) and box edges relative to the
// cell centre; cells above the coverage threshold are clustered per class.

import { ClassClusteringConfig } from '../clustering-config';
import { dbscan } from '../dbscan';
import { Box } from '../detection';
import { iou } from '../iou';
import { nonMaximumSuppression } from '../nms';

/** TAO's bbox_norm and offset: box edges are output in units of 35 px from a centre at +0.5 px. */
export const BBOX_NORM = 35;
export const CENTRE_OFFSET = 0.5;

export interface DetectNetGrid {
  classes: number;
  rows: number;
  cols: number;
  /** [classes, rows, cols] coverage. */
  cov: ArrayLike<number>;
  /** [4 * classes, rows, cols]: for class c, channels 4c..4c+3 are x1, y1, x2, y2 offsets. */
  bbox: ArrayLike<number>;
}

export interface GridGeometry {
  stride: number;
  modelWidth: number;
  modelHeight: number;
  imageWidth: number;
  imageHeight: number;
}

export interface Candidate {
  box: Box;
  coverage: number;
}

/**
 * One class's cells with coverage above the threshold, as boxes in pixels of the original image:
 * centre (col*stride + 0.5, row*stride + 0.5), x1 = cx - b0*35, y1 = cy - b1*35, x2 = cx + b2*35,
 * y2 = cy + b3*35, clipped to the model input and then scaled to the image (TAO's order).
 */
export function classCandidates(grid: DetectNetGrid, classId: number, geo: GridGeometry, coverageThreshold: number): Candidate[] {
  const plane = grid.rows * grid.cols;
  const sx = geo.imageWidth / geo.modelWidth;
  const sy = geo.imageHeight / geo.modelHeight;
  const out: Candidate[] = [];
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const cell = r * grid.cols + c;
      const coverage = grid.cov[classId * plane + cell];
      if (!(coverage > coverageThreshold)) continue;
      const cx = c * geo.stride + CENTRE_OFFSET;
      const cy = r * geo.stride + CENTRE_OFFSET;
      const b = (k: number): number => grid.bbox[(4 * classId + k) * plane + cell];
      out.push({
        coverage,
        box: {
          x1: clip(cx - b(0) * BBOX_NORM, geo.modelWidth) * sx,
          y1: clip(cy - b(1) * BBOX_NORM, geo.modelHeight) * sy,
          x2: clip(cx + b(2) * BBOX_NORM, geo.modelWidth) * sx,
          y2: clip(cy + b(3) * BBOX_NORM, geo.modelHeight) * sy,
        },
      });
    }
  }
  return out;
}

export interface ClusteredBox {
  box: Box;
  /** DBSCAN: the cluster's summed coverage (TAO's confidence, can exceed 1); NMS: the cell's coverage. */
  confidence: number;
}

/**
 * DBSCAN mode (TAO): distance 1 - IoU, core points by summed coverage >= dbscan_min_samples, the
 * cluster box is the coverage-weighted mean, kept when summed coverage > dbscan_confidence_threshold
 * and height > minimum_bounding_box_height. NMS mode: greedy NMS at nms_iou_threshold, kept when
 * coverage > nms_confidence_threshold and height > minimum_bounding_box_height.
 */
export function clusterCandidates(candidates: readonly Candidate[], cfg: ClassClusteringConfig): ClusteredBox[] {
  if (candidates.length === 0) return [];
  if (cfg.algorithm === 'NMS') {
    const kept = nonMaximumSuppression(
      candidates.map((c) => ({ box: c.box, score: c.coverage })),
      cfg.nmsIouThreshold,
    );
    return kept
      .map((i) => ({ box: candidates[i].box, confidence: candidates[i].coverage }))
      .filter((b) => b.confidence > cfg.nmsConfidenceThreshold && b.box.y2 - b.box.y1 > cfg.minimumBoundingBoxHeight);
  }
  const weights = candidates.map((c) => c.coverage);
  const labels = dbscan(
    candidates.length,
    (i, j) => 1 - iou(candidates[i].box, candidates[j].box),
    cfg.dbscanEps,
    cfg.dbscanMinSamples,
    weights,
  );
  const sums = new Map<number, { w: number; x1: number; y1: number; x2: number; y2: number }>();
  labels.forEach((label, i) => {
    if (label < 0) return;
    const s = sums.get(label) ?? { w: 0, x1: 0, y1: 0, x2: 0, y2: 0 };
    const { box } = candidates[i];
    const w = weights[i];
    s.w += w;
    s.x1 += box.x1 * w;
    s.y1 += box.y1 * w;
    s.x2 += box.x2 * w;
    s.y2 += box.y2 * w;
    sums.set(label, s);
  });
  const out: ClusteredBox[] = [];
  for (const s of sums.values()) {
    const box = { x1: s.x1 / s.w, y1: s.y1 / s.w, x2: s.x2 / s.w, y2: s.y2 / s.w };
    if (s.w > cfg.dbscanConfidenceThreshold && box.y2 - box.y1 > cfg.minimumBoundingBoxHeight) {
      out.push({ box, confidence: s.w });
    }
  }
  return out;
}

function clip(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
