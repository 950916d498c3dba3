// TAO DetectNet_v2 (PeopleNet, DashCamNet, TrafficCamNet, custom DetectNet_v2 models).
// Input: RGB scaled by 1/255, NCHW, plain resize to the model size (tao_triton detectnet_model.py).
// Outputs: output_cov/Sigmoid [C, H/16, W/16] and output_bbox/BiasAdd [4C, H/16, W/16], named with
// or without TensorFlow's ':0' suffix depending on the export.

import { quoteLabels } from '../../config/labels-file';
import { UserInputError } from '../../errors';
import { ClassClusteringConfig, ClusteringConfig, TAO_DEFAULT_CLASS_CLUSTERING, defaultClusteringConfig } from '../clustering-config';
import { Detection } from '../detection';
import { RgbImage } from '../rgb-image';
import { ScoreRule, Scoring, scoreThresholdScoring } from '../score-rule';
import { classCandidates, clusterCandidates, DetectNetGrid, effectiveNms } from './detectnet-v2-postprocess';
import { imageInputLayout, imageTensor } from './image-input';
import type { DecodeOptions, ModelFamily, ModelSignature, PreparedRequest, TensorSignature } from './family-contract';
import { TopScores, labelFor, outputValues } from './output-tensors';

const COV = 'output_cov/Sigmoid';
const BBOX = 'output_bbox/BiasAdd';

function outputLike(sig: ModelSignature, base: string): TensorSignature | undefined {
  return sig.outputs.find((o) => o.name === base || o.name === `${base}:0`);
}

function imageInput(sig: ModelSignature): TensorSignature | undefined {
  if (sig.inputs.length !== 1) return undefined;
  const input = sig.inputs[0];
  const layout = imageInputLayout(input.shape);
  return input.datatype === 'FP32' && layout?.layout === 'NCHW' ? input : undefined;
}

export const detectNetV2Family: ModelFamily = {
  id: 'detectnet_v2',
  expects:
    'one FP32 input [3,H,W] (usually input_1 or input_1:0) and outputs output_cov/Sigmoid and output_bbox/BiasAdd (optionally with :0)',

  matches(sig) {
    return imageInput(sig) !== undefined && outputLike(sig, COV) !== undefined && outputLike(sig, BBOX) !== undefined;
  },

  classCount(sig) {
    const shape = outputLike(sig, COV)?.shape ?? [];
    const classes = shape[shape.length - 3];
    return classes > 0 ? classes : undefined;
  },

  prepare(image: RgbImage, sig: ModelSignature, opts: DecodeOptions): PreparedRequest {
    const input = imageInput(sig);
    const cov = outputLike(sig, COV);
    const bbox = outputLike(sig, BBOX);
    if (!input || !cov || !bbox) throw new Error(`model '${sig.name}' is not a DetectNet_v2 model`);
    const layout = imageInputLayout(input.shape)!;
    if (!(layout.width > 0 && layout.height > 0)) {
      throw new Error(`DetectNet_v2 input '${input.name}' has an open size [${input.shape.join(',')}]; expected a fixed H and W`);
    }
    const clustering = opts.clustering ?? defaultClusteringConfig(opts.labels);
    const tensor = imageTensor(image, {
      input,
      layout,
      width: layout.width,
      height: layout.height,
      pixelFormat: 'Rgb8',
      pixelRange: '0_1',
    });

    // Without a clustering config, TAO's default clustering groups the cells and 'score-threshold'
    // alone judges the summed coverage; with one, its per-class thresholds decide (docs/adr/008).
    const fromFile = clustering.file !== undefined;
    const classConfig = (label: string): ClassClusteringConfig => {
      const c = clustering.classes.get(label);
      if (!fromFile) return { ...(c ?? TAO_DEFAULT_CLASS_CLUSTERING), dbscanConfidenceThreshold: -Infinity };
      if (c) return c;
      throw new UserInputError(
        `${clustering.file}: no classwise_clustering_config for class '${label}'; ` +
          `it has ${[...clustering.classes.keys()].join(', ') || 'none'}. Add an entry with key: "${label}"`,
        { file: clustering.file },
      );
    };

    return {
      inputs: [tensor],
      outputNames: [cov.name, bbox.name],
      scoring: fromFile ? clusteringScoring(clustering, opts.labels) : scoreThresholdScoring(opts.scoreThreshold, 'summed coverage'),
      decode(outputs) {
        const c = outputValues(outputs, COV);
        const b = outputValues(outputs, BBOX);
        const [classes, rows, cols] = c.tensor.shape.slice(-3);
        const bShape = b.tensor.shape.slice(-3);
        if (bShape[0] !== 4 * classes || bShape[1] !== rows || bShape[2] !== cols) {
          throw new Error(
            `DetectNet_v2 outputs disagree: ${c.tensor.name} is [${c.tensor.shape.join(',')}], ` +
              `${b.tensor.name} is [${b.tensor.shape.join(',')}]; expected [C,H,W] and [4C,H,W]`,
          );
        }
        if (opts.labels.length > 0 && opts.labels.length !== classes) {
          throw new UserInputError(
            `labels has ${opts.labels.length} classes (${quoteLabels(opts.labels)}) but the model's ${c.tensor.name} has ${classes}; ` +
              'expected one label per coverage channel, in the order the model was trained with',
            { input: 'labels-file' },
          );
        }
        const grid: DetectNetGrid = { classes, rows, cols, cov: c.values, bbox: b.values };
        const geo = {
          stride: clustering.stride,
          modelWidth: layout.width,
          modelHeight: layout.height,
          imageWidth: image.width,
          imageHeight: image.height,
        };
        const detections: Detection[] = [];
        const top = new TopScores();
        for (let classId = 0; classId < classes; classId++) {
          const label = labelFor(opts.labels, classId);
          const plane = c.values.subarray(classId * rows * cols, (classId + 1) * rows * cols);
          for (const v of plane) top.add(() => label, v);
          const cfg = classConfig(label);
          for (const cluster of clusterCandidates(classCandidates(grid, classId, geo, cfg.coverageThreshold), cfg)) {
            if (fromFile || cluster.confidence >= opts.scoreThreshold) {
              detections.push({ label, classId, score: cluster.confidence, box: cluster.box });
            }
          }
        }
        detections.sort((p, q) => q.score - p.score);
        return { detections, topRawScores: top.list() };
      },
    };
  },
};

/** What each class's score means under its clustering settings, and the file's threshold that judged it. */
export function scoreMeaning(cfg: ClassClusteringConfig): string {
  if (cfg.algorithm === 'NMS') return 'cell coverage (NMS)';
  if (cfg.algorithm === 'HYBRID') return 'cell coverage (DBSCAN then NMS)';
  return cfg.confidenceModel === 'mean_cov' ? 'mean_cov (mean - min) / (max - min) of cell coverages' : 'summed coverage';
}

function clusteringScoring(clustering: ClusteringConfig, labels: readonly string[]): Scoring {
  const file = clustering.file ?? '';
  const names = labels.length > 0 ? labels : [...clustering.classes.keys()];
  const rules: ScoreRule[] = [];
  for (const label of names) {
    const cfg = clustering.classes.get(label);
    if (!cfg) continue;
    const nms = cfg.algorithm !== 'DBSCAN';
    const line = nms ? cfg.lines?.nmsConfidenceThreshold : cfg.lines?.dbscanConfidenceThreshold;
    rules.push({
      labels: [label],
      meaning: scoreMeaning(cfg),
      comparison: '>',
      threshold: nms ? effectiveNms(cfg).confidence : cfg.dbscanConfidenceThreshold,
      origin: `${nms ? 'nms_confidence_threshold' : 'dbscan_confidence_threshold'} in ${file}`,
      lines: line === undefined ? [] : [line],
    });
  }
  return {
    rules,
    rawMeaning: 'cell coverages',
    scoreThresholdDecides: false,
    lowerHint: `lower the per-class thresholds in ${file} or check the model ('score-threshold' does not apply with a clustering config)`,
  };
}
