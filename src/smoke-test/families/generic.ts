// Any detector whose outputs are already boxes, scores and classes (post-processing inside the
// model, like TensorFlow Object Detection API or ONNX exports with NMS), named in the settings.

import { Detection } from '../detection';
import { RgbImage } from '../rgb-image';
import { imageInputLayout, imageTensor, resolvedSize } from './image-input';
import type { DecodeOptions, GenericModelSettings, ModelFamily, ModelSignature, PreparedRequest } from './family-contract';
import { TopScores, clamp, labelFor, outputValues } from './output-tensors';

/** Why the generic settings do not fit the model, or undefined when they do. */
export function genericSettingsProblem(sig: ModelSignature, g: GenericModelSettings | undefined): string | undefined {
  if (!g) return 'no generic settings were given (input, boxes, scores and classes tensor names, box format, scale, pixel format)';
  const input = sig.inputs.find((i) => i.name === g.input);
  if (!input) return `the model has no input '${g.input}'`;
  if (!imageInputLayout(input.shape)) return `input '${g.input}' is [${input.shape.join(',')}], not a 3-channel image`;
  const missing = [g.boxes, g.scores, g.classes].filter((n) => !sig.outputs.some((o) => o.name === n));
  if (missing.length) return `the model has no output ${missing.map((n) => `'${n}'`).join(', ')}`;
  return undefined;
}

export const genericFamily: ModelFamily = {
  id: 'generic',
  expects: 'the input and the boxes/scores/classes outputs named in the generic settings',

  /** Never chosen from the tensors alone: it needs the names from the settings. */
  matches() {
    return false;
  },

  prepare(image: RgbImage, sig: ModelSignature, opts: DecodeOptions): PreparedRequest {
    const g = opts.generic;
    const problem = genericSettingsProblem(sig, g);
    if (problem || !g) throw new Error(`generic model family: ${problem}`);
    const input = sig.inputs.find((i) => i.name === g.input)!;
    const layout = imageInputLayout(input.shape)!;
    const size = resolvedSize(layout, { width: image.width, height: image.height });
    const tensor = imageTensor(image, {
      input,
      layout,
      ...size,
      pixelFormat: g.pixelFormat,
      pixelRange: g.scale === '0_1' ? '0_1' : '0_255',
    });
    // Pixel boxes are in model-input pixels; normalized boxes scale straight to the image.
    const [sx, sy] =
      g.boxFormat === 'xyxy_pixels' ? [image.width / size.width, image.height / size.height] : [image.width, image.height];
    return {
      inputs: [tensor],
      outputNames: [g.boxes, g.scores, g.classes],
      decode(outputs) {
        const boxes = outputValues(outputs, g.boxes).values;
        const scores = outputValues(outputs, g.scores).values;
        const classes = outputValues(outputs, g.classes).values;
        const n = scores.length;
        if (boxes.length !== n * 4 || classes.length !== n) {
          throw new Error(`outputs disagree: ${boxes.length / 4} boxes (${g.boxes}), ${n} scores (${g.scores}), ${classes.length} classes (${g.classes})`);
        }
        const top = new TopScores();
        const detections: Detection[] = [];
        for (let i = 0; i < n; i++) {
          const classId = classes[i];
          const label = labelFor(opts.labels, classId);
          top.add(() => label, scores[i]);
          if (!(scores[i] >= opts.scoreThreshold)) continue;
          detections.push({
            label,
            classId,
            score: scores[i],
            box: {
              x1: clamp(boxes[i * 4] * sx, 0, image.width),
              y1: clamp(boxes[i * 4 + 1] * sy, 0, image.height),
              x2: clamp(boxes[i * 4 + 2] * sx, 0, image.width),
              y2: clamp(boxes[i * 4 + 3] * sy, 0, image.height),
            },
          });
        }
        detections.sort((p, q) => q.score - p.score);
        return { detections, topRawScores: top.list() };
      },
    };
  },
};
