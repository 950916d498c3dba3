/**
 * A real ONNX model with the signature of a Custom Vision "General (compact)" object-detection
 * export: input `data` [1,3,416,416] BGR 0..255, output `model_outputs0` [1,5*(5+C),13,13],
 * channel a*(5+C)+k: k 0 tx, 1 ty, 2 tw, 3 th, 4 objectness logit, 5.. class logits.
 * Decoding (YOLOv2 style): x = (sigmoid(tx)+col)/13, y = (sigmoid(ty)+row)/13,
 * w = exp(tw)*anchorW/13, h = exp(th)*anchorH/13, score = sigmoid(obj)*softmax(class logits).
 *
 * The cell holding an object's centre gets objectness logit +10 and the exact box on anchor
 * (class % 5); every other cell/anchor gets -10. Two objects whose classes share an anchor
 * cannot be centred in the same 32x32 cell.
 */
import { cellExtents, colourMasks, reachInCells } from './detection-features';
import { GraphBuilder } from './graph-builder';
import { CustomVisionExportVariant, customVisionInputConvention } from './custom-vision-variants';
import { DataType } from './onnx-proto';

export const CUSTOM_VISION_COMPACT_SIZE = 416;
export const CUSTOM_VISION_COMPACT_GRID = 13;
export const CUSTOM_VISION_COMPACT_ANCHORS: readonly (readonly [number, number])[] = [
  [0.573, 0.677],
  [1.87, 2.06],
  [3.34, 5.47],
  [7.88, 3.53],
  [9.77, 9.17],
];
export const CUSTOM_VISION_COMPACT_NAMES = { input: 'data', output: 'model_outputs0' } as const;

const CELL = CUSTOM_VISION_COMPACT_SIZE / CUSTOM_VISION_COMPACT_GRID; // 32
const OBJECTNESS_LOGIT = 10;
const CLASS_LOGIT = 10;

/**
 * `variant` (custom-vision-variants.ts) sets what the graph takes and what its metadata claims;
 * 'compact-raw-xy' emits tx/ty as the centre's offset in its cell (no logit, so no sigmoid to undo).
 */
export function customVisionCompactModel(opts: { classes: number; reachPx?: number; variant?: CustomVisionExportVariant }): Uint8Array {
  const variant = opts.variant ?? 'documented';
  const input = customVisionInputConvention('compact', variant);
  const C = opts.classes;
  const size = CUSTOM_VISION_COMPACT_SIZE;
  const n = CUSTOM_VISION_COMPACT_GRID;
  const anchors = CUSTOM_VISION_COMPACT_ANCHORS.length;
  const g = new GraphBuilder();

  const masks = colourMasks(g, CUSTOM_VISION_COMPACT_NAMES.input, C, input.layout);
  const reachCells = reachInCells(opts.reachPx ?? 96, CELL);
  const extents = cellExtents(g, masks, { classes: C, height: size, width: size, cell: CELL, reachCells });

  // Extents (e0 = W - x1, e1 = H - y1, e2 = x2, e3 = y2) -> centre and size in pixels, per class:
  // cx = W/2 + (e2 - e0)/2, cy = H/2 + (e3 - e1)/2, w = e0 + e2 - W, h = e1 + e3 - H.
  const toCentre = new Array(16 * C * C).fill(0);
  const centreBias: number[] = [];
  const rows: [number, number][][] = [
    [[0, -0.5], [2, 0.5]],
    [[1, -0.5], [3, 0.5]],
    [[0, 1], [2, 1]],
    [[1, 1], [3, 1]],
  ];
  for (let c = 0; c < C; c++) {
    rows.forEach((terms, k) => {
      for (const [from, weight] of terms) toCentre[(4 * c + k) * 4 * C + 4 * c + from] = weight;
    });
    centreBias.push(size / 2, size / 2, -size, -size);
  }
  const centres = g.op('Conv', [extents, g.floats(toCentre, [4 * C, 4 * C, 1, 1], 'centre_w'), g.floats(centreBias, [4 * C], 'centre_b')]);
  const [cx, cy, w, h] = g.opMulti('Split', [g.op('Reshape', [centres, g.int64s([1, C, 4, n, n])])], 4, { axis: 2 });

  // Offset of the centre inside each cell, in cells; in [0,1)^2 only at the centre's cell.
  const grid = Array.from({ length: n }, (_, i) => i);
  const fx = g.op('Sub', [g.op('Div', [cx, g.scalar(CELL)]), g.floats(grid, [1, 1, 1, 1, n], 'col')]);
  const fy = g.op('Sub', [g.op('Div', [cy, g.scalar(CELL)]), g.floats(grid, [1, 1, 1, n, 1], 'row')]);
  const zero = g.scalar(0);
  const one = g.scalar(1);
  const inUnit = (f: string) => g.op('And', [g.op('GreaterOrEqual', [f, zero]), g.op('Less', [f, one])]);
  const present = g.op('Greater', [w, g.scalar(0.5)]);
  const here = g.op('Cast', [g.op('And', [g.op('And', [inUnit(fx), inUnit(fy)]), present])], { to: 1 });

  const logit = (f: string) => {
    const clipped = g.op('Clip', [f, g.scalar(0.01), g.scalar(0.99)]);
    return g.op('Log', [g.op('Div', [clipped, g.op('Sub', [one, clipped])])]);
  };
  const anchorPx = (k: 0 | 1) =>
    g.floats(Array.from({ length: C }, (_, c) => CELL * CUSTOM_VISION_COMPACT_ANCHORS[c % anchors][k]), [1, C, 1, 1, 1], 'anchor');
  const logSize = (v: string, k: 0 | 1) => g.op('Log', [g.op('Div', [g.op('Max', [v, one]), anchorPx(k)])]);
  const offset = variant === 'compact-raw-xy' ? (f: string) => f : logit;
  const fields = [offset(fx), offset(fy), logSize(w, 0), logSize(h, 1)].map((t) => g.op('Mul', [t, here]));
  const perClass = g.op('Reshape', [g.op('Concat', [...fields, here], { axis: 2 }), g.int64s([1, 5 * C, n, n])]);

  // A 1x1 conv places each class's 5 values on its anchor's channels and adds the logits.
  const perAnchor = 5 + C;
  const outChannels = anchors * perAnchor;
  const weight = new Array(outChannels * 5 * C).fill(0);
  const bias = new Array(outChannels).fill(0);
  const set = (out: number, inp: number, v: number) => (weight[out * 5 * C + inp] = v);
  for (let a = 0; a < anchors; a++) bias[a * perAnchor + 4] = -OBJECTNESS_LOGIT;
  for (let c = 0; c < C; c++) {
    const base = (c % anchors) * perAnchor;
    for (let k = 0; k < 4; k++) set(base + k, 5 * c + k, 1);
    set(base + 4, 5 * c + 4, 2 * OBJECTNESS_LOGIT);
    set(base + 5 + c, 5 * c + 4, CLASS_LOGIT);
  }
  g.op('Conv', [perClass, g.floats(weight, [outChannels, 5 * C, 1, 1], 'anchor_w'), g.floats(bias, [outChannels], 'anchor_b')], {}, CUSTOM_VISION_COMPACT_NAMES.output);

  return g.build({
    graphName: variant === 'compact-raw-xy' ? 'custom_vision_compact_raw_xy_colour_squares' : 'custom_vision_compact_colour_squares',
    inputs: [{ name: CUSTOM_VISION_COMPACT_NAMES.input, elemType: DataType.FLOAT, shape: [1, 3, size, size] }],
    outputs: [{ name: CUSTOM_VISION_COMPACT_NAMES.output, elemType: DataType.FLOAT, shape: [1, outChannels, n, n] }],
    metadata: input.metadata,
  });
}
