// Custom Vision "General (compact) [S1]" ONNX export: the model does its own post-processing.
// Input image_tensor [1,3,320,320], RGB 0-255 unless the ONNX metadata says otherwise
// (Image.BitmapPixelFormat / Image.NominalPixelRange, as Microsoft's
// customvision-export-samples object_detection_s1/predict.py reads them).
// Outputs: detected_boxes [1,N,4] normalized x1,y1,x2,y2; detected_scores [1,N]; detected_classes [1,N].

import { Detection } from '../detection';
import { RgbImage } from '../rgb-image';
import { imageInputLayout, imageTensor, resolvedSize } from './image-input';
import type { DecodeOptions, ModelFamily, ModelSignature, PreparedRequest } from './family-contract';
import { TopScores, clamp, labelFor, outputValues } from './output-tensors';

const INPUT = 'image_tensor';
const OUTPUTS = ['detected_boxes', 'detected_scores', 'detected_classes'];
const DEFAULT_SIZE = 320;

export const customVisionS1Family: ModelFamily = {
  id: 'custom_vision_s1',
  expects: 'input image_tensor [1,3,H,W] and outputs detected_boxes, detected_scores, detected_classes',
  defaultPixels: { pixelFormat: 'Rgb8', pixelRange: '0_255' },

  matches(sig) {
    const input = sig.inputs.find((i) => i.name === INPUT);
    return (
      sig.inputs.length === 1 &&
      input !== undefined &&
      imageInputLayout(input.shape) !== undefined &&
      OUTPUTS.every((n) => sig.outputs.some((o) => o.name === n))
    );
  },

  prepare(image: RgbImage, sig: ModelSignature, opts: DecodeOptions): PreparedRequest {
    const input = sig.inputs.find((i) => i.name === INPUT)!;
    const layout = imageInputLayout(input.shape)!;
    const size = resolvedSize(layout, { width: DEFAULT_SIZE, height: DEFAULT_SIZE });
    const tensor = imageTensor(image, {
      input,
      layout,
      ...size,
      pixelFormat: opts.pixelFormat ?? customVisionS1Family.defaultPixels!.pixelFormat,
      pixelRange: opts.pixelRange ?? customVisionS1Family.defaultPixels!.pixelRange,
    });
    return {
      inputs: [tensor],
      outputNames: OUTPUTS,
      decode(outputs) {
        const boxes = outputValues(outputs, 'detected_boxes').values;
        const scores = outputValues(outputs, 'detected_scores').values;
        const classes = outputValues(outputs, 'detected_classes').values;
        const n = scores.length;
        if (boxes.length !== n * 4 || classes.length !== n) {
          throw new Error(
            `Custom Vision outputs disagree: ${boxes.length / 4} boxes, ${n} scores, ${classes.length} classes`,
          );
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
              x1: clamp(boxes[i * 4] * image.width, 0, image.width),
              y1: clamp(boxes[i * 4 + 1] * image.height, 0, image.height),
              x2: clamp(boxes[i * 4 + 2] * image.width, 0, image.width),
              y2: clamp(boxes[i * 4 + 3] * image.height, 0, image.height),
            },
          });
        }
        detections.sort((p, q) => q.score - p.score);
        return { detections, topRawScores: top.list() };
      },
    };
  },
};
