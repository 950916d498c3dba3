/**
 * A real ONNX model with the signature of a TAO DetectNet_v2 export (e.g. the NVIDIA AzureML
 * sample's detectnet_tao, PeopleNet, DashCamNet): input [batch,3,H,W] RGB 0..1, outputs
 * output_cov/Sigmoid [batch,C,H/16,W/16] and output_bbox/BiasAdd [batch,4C,H/16,W/16].
 *
 * Box encoding, as TAO's decoder (tao-toolkit-triton-apps postprocessing/utils.py,
 * denormalize_bounding_bboxes) reads it with stride 16, offset 0.5, bbox_norm 35:
 * cx = j*16 + 0.5, cy = i*16 + 0.5, x1 = cx - ch0*35, y1 = cy - ch1*35, x2 = cx + ch2*35,
 * y2 = cy + ch3*35.
 */
import { cellCoverage, cellExtents, checkDivisible, colourMasks, reachInCells } from './detection-features';
import { GraphBuilder } from './graph-builder';
import { DataType } from './onnx-proto';

export const DETECTNET_STRIDE = 16;
export const DETECTNET_BBOX_NORM = 35;
export const DETECTNET_OFFSET = 0.5;

export interface DetectNetV2Options {
  height: number;
  width: number;
  classes: number;
  inputName?: 'input_1' | 'input_1:0';
  /** Pixels beyond a cell that its box prediction sees (objects up to about this size come out whole). */
  reachPx?: number;
}

export interface DetectNetV2Names {
  input: string;
  coverage: string;
  bbox: string;
}

/** Tensor names: a ':0' input name (TF-style export) puts ':0' on the outputs too. */
export function detectNetV2Names(inputName: 'input_1' | 'input_1:0' = 'input_1'): DetectNetV2Names {
  const suffix = inputName.endsWith(':0') ? ':0' : '';
  return { input: inputName, coverage: `output_cov/Sigmoid${suffix}`, bbox: `output_bbox/BiasAdd${suffix}` };
}

export function detectNetV2Model(opts: DetectNetV2Options): Uint8Array {
  const { height: H, width: W, classes } = opts;
  checkDivisible('height', H, DETECTNET_STRIDE);
  checkDivisible('width', W, DETECTNET_STRIDE);
  const names = detectNetV2Names(opts.inputName);
  const h = H / DETECTNET_STRIDE;
  const w = W / DETECTNET_STRIDE;
  const g = new GraphBuilder();

  const masks = colourMasks(g, names.input, classes, { scale: 1 / 255, channelOrder: 'RGB' });
  cellCoverage(g, masks, DETECTNET_STRIDE, names.coverage);
  const reachCells = reachInCells(opts.reachPx ?? 96, DETECTNET_STRIDE);
  const extents = cellExtents(g, masks, { classes, height: H, width: W, cell: DETECTNET_STRIDE, reachCells });

  // ch = (extent + Qx + Qy) / 35 with Qx, Qy holding the cell-centre terms:
  // ch0 = (cx - W + e0)/35, ch1 = (cy - H + e1)/35, ch2 = (e2 - cx)/35, ch3 = (e3 - cy)/35.
  const n = DETECTNET_BBOX_NORM;
  const qx: number[] = [];
  const qy: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < w; j++) {
        const cx = j * DETECTNET_STRIDE + DETECTNET_OFFSET;
        qx.push(k === 0 ? (cx - W) / n : k === 2 ? -cx / n : 0);
      }
      for (let i = 0; i < h; i++) {
        const cy = i * DETECTNET_STRIDE + DETECTNET_OFFSET;
        qy.push(k === 1 ? (cy - H) / n : k === 3 ? -cy / n : 0);
      }
    }
  }
  const scaled = g.op('Mul', [extents, g.scalar(1 / n)]);
  const withX = g.op('Add', [scaled, g.floats(qx, [1, 4 * classes, 1, w], 'centre_x')]);
  const encoded = g.op('Add', [withX, g.floats(qy, [1, 4 * classes, h, 1], 'centre_y')]);
  // Cells with no object nearby predict a zero-size box at their centre rather than garbage.
  const present = g.op('Min', [extents, g.scalar(1)]);
  g.op('Mul', [encoded, present], {}, names.bbox);

  return g.build({
    graphName: 'detectnet_v2_colour_squares',
    inputs: [{ name: names.input, elemType: DataType.FLOAT, shape: ['batch', 3, H, W] }],
    outputs: [
      { name: names.coverage, elemType: DataType.FLOAT, shape: ['batch', classes, h, w] },
      { name: names.bbox, elemType: DataType.FLOAT, shape: ['batch', 4 * classes, h, w] },
    ],
  });
}
