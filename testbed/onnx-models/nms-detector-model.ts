/**
 * Models that end in NonMaxSuppression and emit one row per object: boxes [1,N,4] normalized
 * (x1,y1,x2,y2), scores [1,N], classes INT64 [1,N] with N dynamic. Two signatures:
 * Custom Vision "General (compact) [S1]" ONNX export (image_tensor [1,3,320,320] RGB 0..255,
 * detected_boxes / detected_scores / detected_classes, Image.* metadata as the export carries)
 * and a generic detector (images [1,3,H,W] RGB 0..1, boxes / scores / labels).
 *
 * Candidates are 16x16 cells: score = fraction of the cell covered by the class, box = the class's
 * pixel extent around the cell. All cells of one object predict the same box, so NMS keeps one.
 */
import { cellCoverage, cellExtents, checkDivisible, colourMasks, InputLayout, perClassQuad, reachInCells } from './detection-features';
import { CustomVisionExportVariant, customVisionInputConvention } from './custom-vision-variants';
import { GraphBuilder } from './graph-builder';
import { DataType } from './onnx-proto';

const CELL = 16;
const MAX_DETECTIONS_PER_CLASS = 50;
export const NMS_IOU_THRESHOLD = 0.45;
export const NMS_SCORE_THRESHOLD = 0.05;

export const CUSTOM_VISION_S1_SIZE = 320;
export const CUSTOM_VISION_S1_NAMES = {
  input: 'image_tensor',
  boxes: 'detected_boxes',
  scores: 'detected_scores',
  classes: 'detected_classes',
} as const;
export const GENERIC_DETECTOR_NAMES = { input: 'images', boxes: 'boxes', scores: 'scores', classes: 'labels' } as const;

/** `variant` (custom-vision-variants.ts) sets what the graph takes and what its metadata claims. */
export function customVisionS1Model(opts: { classes: number; reachPx?: number; variant?: CustomVisionExportVariant }): Uint8Array {
  const input = customVisionInputConvention('s1', opts.variant ?? 'documented');
  return nmsDetectorModel({
    classes: opts.classes,
    height: CUSTOM_VISION_S1_SIZE,
    width: CUSTOM_VISION_S1_SIZE,
    layout: input.layout,
    names: CUSTOM_VISION_S1_NAMES,
    graphName: 'custom_vision_s1_colour_squares',
    metadata: input.metadata,
    reachPx: opts.reachPx,
  });
}

export function genericDetectorModel(opts: { classes: number; height: number; width: number; reachPx?: number }): Uint8Array {
  return nmsDetectorModel({
    ...opts,
    layout: { scale: 1 / 255, channelOrder: 'RGB' },
    names: GENERIC_DETECTOR_NAMES,
    graphName: 'generic_detector_colour_squares',
  });
}

interface NmsDetectorOptions {
  classes: number;
  height: number;
  width: number;
  layout: InputLayout;
  names: { input: string; boxes: string; scores: string; classes: string };
  graphName: string;
  metadata?: Record<string, string>;
  reachPx?: number;
}

function nmsDetectorModel(opts: NmsDetectorOptions): Uint8Array {
  const { classes: C, height: H, width: W, names } = opts;
  checkDivisible('height', H, CELL);
  checkDivisible('width', W, CELL);
  const S = (H / CELL) * (W / CELL);
  const g = new GraphBuilder();

  const masks = colourMasks(g, names.input, C, opts.layout);
  const coverage = cellCoverage(g, masks, CELL);
  const reachCells = reachInCells(opts.reachPx ?? 96, CELL);
  const extents = cellExtents(g, masks, { classes: C, height: H, width: W, cell: CELL, reachCells });
  // Extents -> normalized corners: x1 = 1 - e0/W, y1 = 1 - e1/H, x2 = e2/W, y2 = e3/H.
  const scaled = g.op('Mul', [extents, perClassQuad(g, C, [-1 / W, -1 / H, 1 / W, 1 / H], 'corner_scale')]);
  const corners = g.op('Add', [scaled, perClassQuad(g, C, [1, 1, 0, 0], 'corner_offset')]); // [1,4C,h,w]

  // NMS treats each class as a "batch" entry: boxes [C,S,4], scores [C,1,S].
  const perClass = g.op('Transpose', [g.op('Reshape', [corners, g.int64s([C, 4, S])])], { perm: [0, 2, 1] });
  const scores = g.op('Reshape', [coverage, g.int64s([C, 1, S])]);
  const selected = g.op('NonMaxSuppression', [
    perClass,
    scores,
    g.int64s([MAX_DETECTIONS_PER_CLASS]),
    g.floats([NMS_IOU_THRESHOLD], [1]),
    g.floats([NMS_SCORE_THRESHOLD], [1]),
  ]); // [K,3] = (class, 0, cell)
  const classIds = g.op('Gather', [selected, g.int64s([0], [])], { axis: 1 });
  const cellIds = g.op('Gather', [selected, g.int64s([2], [])], { axis: 1 });
  const flatIds = g.op('Add', [g.op('Mul', [classIds, g.int64s([S], [])]), cellIds]);

  const boxesFlat = g.op('Reshape', [perClass, g.int64s([C * S, 4])]);
  const scoresFlat = g.op('Reshape', [coverage, g.int64s([C * S])]);
  const axis0 = g.int64s([0]);
  g.op('Unsqueeze', [g.op('Gather', [boxesFlat, flatIds], { axis: 0 }), axis0], {}, names.boxes);
  g.op('Unsqueeze', [g.op('Gather', [scoresFlat, flatIds], { axis: 0 }), axis0], {}, names.scores);
  g.op('Unsqueeze', [classIds, axis0], {}, names.classes);

  return g.build({
    graphName: opts.graphName,
    inputs: [{ name: names.input, elemType: DataType.FLOAT, shape: [1, 3, H, W] }],
    outputs: [
      { name: names.boxes, elemType: DataType.FLOAT, shape: [1, 'num_detections', 4] },
      { name: names.scores, elemType: DataType.FLOAT, shape: [1, 'num_detections'] },
      { name: names.classes, elemType: DataType.INT64, shape: [1, 'num_detections'] },
    ],
    metadata: opts.metadata,
  });
}
