/**
 * Subgraphs shared by the model families: per-class colour masks, per-cell coverage and
 * per-cell object extents (the min/max pixel coordinates of a class within a neighbourhood).
 */
import { GraphBuilder } from './graph-builder';
import { checkClassCount, HIGH_ABOVE, LOW_BELOW, OBJECT_COLOURS } from './object-colours';

export interface InputLayout {
  /** Model units per 0..255 unit: 1 for 0..255 inputs, 1/255 for 0..1 inputs. */
  scale: number;
  channelOrder: 'RGB' | 'BGR';
}

/**
 * [N,3,H,W] image -> [N,C,H,W] masks of exactly 0/1. A 1x1 conv gives one margin per class
 * and channel (> 0 when the channel passes), Greater/Cast turns margins into 0/1, and a grouped
 * 1x1 conv with bias -2 followed by Relu is 1 only when all three channels pass.
 */
export function colourMasks(g: GraphBuilder, image: string, classes: number, layout: InputLayout): string {
  checkClassCount(classes);
  const weights: number[] = [];
  const bias: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < 3; k++) {
      const inputChannel = layout.channelOrder === 'RGB' ? k : 2 - k;
      const high = OBJECT_COLOURS[c].rgb[k] > 127;
      const row = [0, 0, 0];
      row[inputChannel] = (high ? 1 : -1) / layout.scale;
      weights.push(...row);
      bias.push(high ? -HIGH_ABOVE : LOW_BELOW);
    }
  }
  const margins = g.op('Conv', [image, g.floats(weights, [3 * classes, 3, 1, 1], 'colour_w'), g.floats(bias, [3 * classes], 'colour_b')]);
  const passes = g.op('Cast', [g.op('Greater', [margins, g.scalar(0)])], { to: 1 });
  const allPass = g.op('Conv', [passes, g.floats(new Array(3 * classes).fill(1), [classes, 3, 1, 1], 'and_w'), g.floats(new Array(classes).fill(-2), [classes], 'and_b')], { group: classes });
  return g.op('Relu', [allPass]);
}

/** [N,C,H,W] masks -> [N,C,H/cell,W/cell] fraction of each cell covered. */
export function cellCoverage(g: GraphBuilder, masks: string, cell: number, output?: string): string {
  return g.op('AveragePool', [masks], { kernel_shape: [cell, cell], strides: [cell, cell] }, output);
}

/**
 * [N,C,H,W] masks -> [N,4C,H/cell,W/cell], channel 4c+k holding, for class c over the cells
 * within `reachCells` of each cell: k=0 max(W - x), k=1 max(H - y), k=2 max(x + 1),
 * k=3 max(y + 1) over the class's pixels (x, y), or 0 when there are none. So x1 = W - ch0,
 * y1 = H - ch1, x2 = ch2, y2 = ch3 (exclusive edges), and any value >= 1 means "present".
 * Masks times coordinate ramps, MaxPool cell/cell to reduce each cell, then a same-size MaxPool
 * over the neighbourhood so every cell of an object sees the whole object.
 */
export function cellExtents(
  g: GraphBuilder,
  masks: string,
  opts: { classes: number; height: number; width: number; cell: number; reachCells: number },
): string {
  const { classes, height: H, width: W, cell, reachCells } = opts;
  const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  const rampX1 = g.floats(ramp(W, (x) => W - x), [1, 1, 1, 1, W], 'ramp_x1');
  const rampY1 = g.floats(ramp(H, (y) => H - y), [1, 1, 1, H, 1], 'ramp_y1');
  const rampX2 = g.floats(ramp(W, (x) => x + 1), [1, 1, 1, 1, W], 'ramp_x2');
  const rampY2 = g.floats(ramp(H, (y) => y + 1), [1, 1, 1, H, 1], 'ramp_y2');
  const masks5 = g.op('Unsqueeze', [masks, g.int64s([2])]); // [N,C,1,H,W]
  const ramped = [rampX1, rampY1, rampX2, rampY2].map((r) => g.op('Mul', [masks5, r]));
  const stacked = g.op('Concat', ramped, { axis: 2 }); // [N,C,4,H,W]
  const flat = g.op('Reshape', [stacked, g.int64s([0, 4 * classes, H, W])]);
  const perCell = g.op('MaxPool', [flat], { kernel_shape: [cell, cell], strides: [cell, cell] });
  const k = 2 * reachCells + 1;
  return g.op('MaxPool', [perCell], {
    kernel_shape: [k, k],
    strides: [1, 1],
    pads: [reachCells, reachCells, reachCells, reachCells],
  });
}

/** Cells needed to reach `reachPx` pixels beyond a cell. */
export function reachInCells(reachPx: number, cell: number): number {
  return Math.max(1, Math.ceil(reachPx / cell));
}

/** Per-channel [1,4C,1,1] constant repeating a 4-vector for every class. */
export function perClassQuad(g: GraphBuilder, classes: number, quad: [number, number, number, number], hint: string): string {
  const values: number[] = [];
  for (let c = 0; c < classes; c++) values.push(...quad);
  return g.floats(values, [1, 4 * classes, 1, 1], hint);
}

export function checkDivisible(name: string, value: number, by: number): void {
  if (!Number.isInteger(value) || value <= 0 || value % by !== 0) {
    throw new RangeError(`${name} must be a positive multiple of ${by}, got ${value}`);
  }
}
