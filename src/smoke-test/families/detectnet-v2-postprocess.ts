// DetectNet_v2 output decoding: boxes as NVIDIA's tao-toolkit-triton-apps decodes them
// (tao_triton/python/postprocessing/utils.py), clustering as TAO itself does (docs/adr/008):
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
  /**
   * DBSCAN: the cluster's summed coverage (aggregate_cov, can exceed 1) or (mean - min) / (max - min)
   * of its coverages (mean_cov); NMS and HYBRID: the kept cell's own coverage.
   */
  confidence: number;
}

/** TAO's DBSCAN gets min_samples = max(int(dbscan_min_samples), 1) (postprocessor/cluster.py, utilities.py). */
export function taoMinSamples(dbscanMinSamples: number): number {
  return Math.max(Math.trunc(dbscanMinSamples), 1);
}

/** What TAO's bbox_handler.py uses when the file leaves nms_iou_threshold / nms_confidence_threshold at 0. */
export function effectiveNms(cfg: ClassClusteringConfig): { iou: number; confidence: number } {
  return { iou: cfg.nmsIouThreshold || 0.3, confidence: cfg.nmsConfidenceThreshold || 0.1 };
}

/**
 * TAO's post-processing (tao_tensorflow1_backend detectnet_v2/postprocessor, see docs/adr/008):
 * DBSCAN on precomputed 1 - IoU distances with the coverages as sample weights and
 * min_samples = max(int(dbscan_min_samples), 1), so a point is core only when its neighbourhood's
 * coverage sums to at least 1; a cluster's box is the coverage-weighted mean, kept when its
 * confidence > dbscan_confidence_threshold and its height > minimum_bounding_box_height.
 * NMS: greedy NMS at nms_iou_threshold over the cells, kept when coverage > nms_confidence_threshold
 * (TAO applies no height filter there). HYBRID: the cells of the kept DBSCAN clusters go through NMS.
 */
export function clusterCandidates(candidates: readonly Candidate[], cfg: ClassClusteringConfig): ClusteredBox[] {
  if (candidates.length === 0) return [];
  if (cfg.algorithm === 'NMS') return nmsClusters(candidates, cfg);
  const clusters = dbscanClusters(candidates, cfg);
  if (cfg.algorithm === 'HYBRID') return nmsClusters(clusters.flatMap((c) => c.members), cfg);
  return clusters.map(({ box, confidence }) => ({ box, confidence }));
}

function nmsClusters(candidates: readonly Candidate[], cfg: ClassClusteringConfig): ClusteredBox[] {
  const nms = effectiveNms(cfg);
  return nonMaximumSuppression(
    candidates.map((c) => ({ box: c.box, score: c.coverage })),
    nms.iou,
  )
    .map((i) => ({ box: candidates[i].box, confidence: candidates[i].coverage }))
    .filter((b) => b.confidence > nms.confidence);
}

function dbscanClusters(candidates: readonly Candidate[], cfg: ClassClusteringConfig): (ClusteredBox & { members: Candidate[] })[] {
  const weights = candidates.map((c) => c.coverage);
  const labels = dbscan(
    candidates.length,
    (i, j) => 1 - iou(candidates[i].box, candidates[j].box),
    cfg.dbscanEps,
    taoMinSamples(cfg.dbscanMinSamples),
    weights,
  );
  const groups = new Map<number, Candidate[]>();
  labels.forEach((label, i) => {
    if (label < 0) return;
    const group = groups.get(label);
    if (group) group.push(candidates[i]);
    else groups.set(label, [candidates[i]]);
  });
  const out: (ClusteredBox & { members: Candidate[] })[] = [];
  for (const members of groups.values()) {
    const covs = members.map((m) => m.coverage);
    const sum = covs.reduce((a, b) => a + b, 0);
    const mean = (k: keyof Box): number => members.reduce((a, m) => a + m.box[k] * m.coverage, 0) / sum;
    const box = { x1: mean('x1'), y1: mean('y1'), x2: mean('x2'), y2: mean('y2') };
    // mean_cov as TAO's utilities.py computes it; NaN (all coverages equal, e.g. one cell) is never kept, as in TAO.
    const confidence =
      cfg.confidenceModel === 'mean_cov' ? (sum / covs.length - Math.min(...covs)) / (Math.max(...covs) - Math.min(...covs)) : sum;
    if (box.y2 - box.y1 > cfg.minimumBoundingBoxHeight && confidence > cfg.dbscanConfidenceThreshold) {
      out.push({ box, confidence, members });
    }
  }
  return out;
}

function clip(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
