// Custom Vision "General (compact)" ONNX export (no S1): a YOLOv2-style grid, decoded here.
// Input data [1,3,416,416], BGR 0-255 unless the ONNX metadata says otherwise.
// Output model_outputs0 [1, A*(5+C), 13, 13]; channel = anchor*(5+C) + k with k = tx, ty, tw, th,
// objectness, class logits. Decoding follows Microsoft's object_detection.py shipped with the
// export (sigmoid on tx/ty, per-class suppression at IoU 0.45); DecodeOptions.xyActivation 'none'
// decodes as Azure-Samples/customvision-export-samples' onnx/object_detection/predict.py (raw tx/ty).

import { Detection } from '../detection';
import { nonMaximumSuppression } from '../nms';
import { RgbImage } from '../rgb-image';
import { imageInputLayout, imageTensor, resolvedSize } from './image-input';
import type { DecodeOptions, ModelFamily, ModelSignature, PreparedRequest } from './family-contract';
import { TopScores, clamp, labelFor, outputValues } from './output-tensors';
import { quoteLabels } from '../../config/labels-file';
import { UserInputError } from '../../errors';

const INPUT = 'data';
const OUTPUT = 'model_outputs0';
const DEFAULT_SIZE = 416;
export const COMPACT_ANCHORS: readonly (readonly [number, number])[] = [
  [0.573, 0.677],
  [1.87, 2.06],
  [3.34, 5.47],
  [7.88, 3.53],
  [9.77, 9.17],
];
export const COMPACT_IOU_THRESHOLD = 0.45;
const MAX_DETECTIONS = 64;

/** Number of classes a model_outputs0 channel count implies, or undefined if it is not A*(5+C). */
function classCount(channels: number): number | undefined {
  const perAnchor = channels / COMPACT_ANCHORS.length;
  return Number.isInteger(perAnchor) && perAnchor > 5 ? perAnchor - 5 : undefined;
}

export const customVisionCompactFamily: ModelFamily = {
  id: 'custom_vision_compact',
  expects: `input data [1,3,H,W] and output model_outputs0 [1,${COMPACT_ANCHORS.length}*(5+classes),h,w]`,
  defaultPixels: { pixelFormat: 'Bgr8', pixelRange: '0_255' },

  matches(sig) {
    const input = sig.inputs.find((i) => i.name === INPUT);
    const output = sig.outputs.find((o) => o.name === OUTPUT);
    return (
      sig.inputs.length === 1 &&
      input !== undefined &&
      imageInputLayout(input.shape)?.layout === 'NCHW' &&
      output !== undefined &&
      output.shape.length >= 3 &&
      (output.shape[output.shape.length - 3] < 0 || classCount(output.shape[output.shape.length - 3]) !== undefined)
    );
  },

  classCount(sig) {
    const shape = sig.outputs.find((o) => o.name === OUTPUT)?.shape ?? [];
    const channels = shape[shape.length - 3];
    return channels > 0 ? classCount(channels) : undefined;
  },

  prepare(image: RgbImage, sig: ModelSignature, opts: DecodeOptions): PreparedRequest {
    const input = sig.inputs.find((i) => i.name === INPUT)!;
    const layout = imageInputLayout(input.shape)!;
    const size = resolvedSize(layout, { width: DEFAULT_SIZE, height: DEFAULT_SIZE });
    const tensor = imageTensor(image, {
      input,
      layout,
      ...size,
      pixelFormat: opts.pixelFormat ?? customVisionCompactFamily.defaultPixels!.pixelFormat,
      pixelRange: opts.pixelRange ?? customVisionCompactFamily.defaultPixels!.pixelRange,
    });
    return {
      inputs: [tensor],
      outputNames: [OUTPUT],
      decode(outputs) {
        const out = outputValues(outputs, OUTPUT);
        const [channels, rows, cols] = out.tensor.shape.slice(-3);
        const classes = classCount(channels);
        if (classes === undefined) {
          throw new Error(`${OUTPUT} has ${channels} channels; expected ${COMPACT_ANCHORS.length}*(5+classes)`);
        }
        if (opts.labels.length > 0 && opts.labels.length !== classes) {
          throw new UserInputError(
            `labels has ${opts.labels.length} classes (${quoteLabels(opts.labels)}) but the model's ${OUTPUT} has ${classes}; ` +
              'expected one label per class, in the order of the export\'s labels.txt',
            { input: 'labels-file' },
          );
        }
        return decodeCompactGrid(out.values, { classes, rows, cols }, image, opts);
      },
    };
  },
};

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Decodes [A*(5+C), rows, cols] into detections in pixels of `image`. */
export function decodeCompactGrid(
  v: ArrayLike<number>,
  dims: { classes: number; rows: number; cols: number },
  image: { width: number; height: number },
  opts: Pick<DecodeOptions, 'labels' | 'scoreThreshold' | 'xyActivation'>,
): { detections: Detection[]; topRawScores: { label: string; score: number }[] } {
  const { classes, rows, cols } = dims;
  const plane = rows * cols;
  const perClass: Detection[][] = Array.from({ length: classes }, () => []);
  const top = new TopScores();
  const probs = new Float64Array(classes);
  const offset = opts.xyActivation === 'none' ? (t: number) => t : sigmoid;
  for (let a = 0; a < COMPACT_ANCHORS.length; a++) {
    const base = a * (5 + classes);
    const [aw, ah] = COMPACT_ANCHORS[a];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const at = (k: number): number => v[(base + k) * plane + r * cols + c];
        // Softmax over the class logits, scaled by the objectness.
        let max = -Infinity;
        for (let k = 0; k < classes; k++) max = Math.max(max, at(5 + k));
        let sum = 0;
        for (let k = 0; k < classes; k++) sum += probs[k] = Math.exp(at(5 + k) - max);
        const objectness = sigmoid(at(4));
        let best = 0;
        for (let k = 0; k < classes; k++) {
          probs[k] = (probs[k] / sum) * objectness;
          if (probs[k] > probs[best]) best = k;
        }
        top.add(() => labelFor(opts.labels, best), probs[best]);
        if (!(probs[best] >= opts.scoreThreshold)) continue;

        const x = (offset(at(0)) + c) / cols;
        const y = (offset(at(1)) + r) / rows;
        const w = (Math.exp(at(2)) * aw) / cols;
        const h = (Math.exp(at(3)) * ah) / rows;
        const box = {
          x1: clamp((x - w / 2) * image.width, 0, image.width),
          y1: clamp((y - h / 2) * image.height, 0, image.height),
          x2: clamp((x + w / 2) * image.width, 0, image.width),
          y2: clamp((y + h / 2) * image.height, 0, image.height),
        };
        for (let k = 0; k < classes; k++) {
          if (probs[k] >= opts.scoreThreshold) {
            perClass[k].push({ label: labelFor(opts.labels, k), classId: k, score: probs[k], box });
          }
        }
      }
    }
  }
  const detections = perClass
    .flatMap((list) => nonMaximumSuppression(list, COMPACT_IOU_THRESHOLD).map((i) => list[i]))
    .sort((p, q) => q.score - p.score)
    .slice(0, MAX_DETECTIONS);
  return { detections, topRawScores: top.list() };
}
