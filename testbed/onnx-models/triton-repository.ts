/**
 * Triton config.pbtxt for each test model family, and a writer for a one-model repository
 * (<dir>/<modelName>/config.pbtxt, <dir>/<modelName>/1/model.onnx).
 * With max_batch_size > 0 Triton dims exclude the batch dim; with 0 they are the full ONNX shape.
 * Fields: ../shared/reference/triton/model_config.proto.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CUSTOM_VISION_COMPACT_GRID, CUSTOM_VISION_COMPACT_NAMES, CUSTOM_VISION_COMPACT_SIZE } from './custom-vision-compact-model';
import { DETECTNET_STRIDE, detectNetV2Names } from './detectnet-v2-model';
import { CUSTOM_VISION_S1_NAMES, CUSTOM_VISION_S1_SIZE, GENERIC_DETECTOR_NAMES } from './nms-detector-model';

interface TensorConfig {
  name: string;
  dataType: 'TYPE_FP32' | 'TYPE_INT64';
  dims: number[];
  format?: 'FORMAT_NCHW';
}

function renderConfig(opts: {
  modelName: string;
  maxBatchSize: number;
  inputs: TensorConfig[];
  outputs: TensorConfig[];
  dynamicBatching: boolean;
}): string {
  const tensor = (t: TensorConfig) =>
    [
      '  {',
      `    name: "${t.name}"`,
      `    data_type: ${t.dataType}`,
      ...(t.format ? [`    format: ${t.format}`] : []),
      `    dims: [ ${t.dims.join(', ')} ]`,
      '  }',
    ].join('\n');
  const lines = [
    `name: "${opts.modelName}"`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${opts.maxBatchSize}`,
    `input [\n${opts.inputs.map(tensor).join(',\n')}\n]`,
    `output [\n${opts.outputs.map(tensor).join(',\n')}\n]`,
  ];
  if (opts.dynamicBatching) lines.push('dynamic_batching { }');
  return lines.join('\n') + '\n';
}

export function configPbtxtForDetectNetV2(opts: {
  modelName: string;
  height: number;
  width: number;
  classes: number;
  inputName?: 'input_1' | 'input_1:0';
  maxBatchSize?: number;
}): string {
  const names = detectNetV2Names(opts.inputName);
  const grid = [opts.height / DETECTNET_STRIDE, opts.width / DETECTNET_STRIDE];
  const maxBatchSize = opts.maxBatchSize ?? 16;
  if (maxBatchSize < 1) throw new RangeError('DetectNet_v2 models have a batch dim: maxBatchSize must be >= 1');
  return renderConfig({
    modelName: opts.modelName,
    maxBatchSize,
    inputs: [{ name: names.input, dataType: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, opts.height, opts.width] }],
    outputs: [
      { name: names.bbox, dataType: 'TYPE_FP32', dims: [4 * opts.classes, ...grid] },
      { name: names.coverage, dataType: 'TYPE_FP32', dims: [opts.classes, ...grid] },
    ],
    dynamicBatching: true,
  });
}

/** Fixed batch of 1 in the ONNX file, so max_batch_size 0 and full shapes; -1 is the dynamic N. (no input format: model_config.proto allows FORMAT_NCHW only with exactly 3 dims). */
function nmsDetectorConfig(
  modelName: string,
  names: { input: string; boxes: string; scores: string; classes: string },
  height: number,
  width: number,
): string {
  return renderConfig({
    modelName,
    maxBatchSize: 0,
    inputs: [{ name: names.input, dataType: 'TYPE_FP32', dims: [1, 3, height, width] }],
    outputs: [
      { name: names.boxes, dataType: 'TYPE_FP32', dims: [1, -1, 4] },
      { name: names.scores, dataType: 'TYPE_FP32', dims: [1, -1] },
      { name: names.classes, dataType: 'TYPE_INT64', dims: [1, -1] },
    ],
    dynamicBatching: false,
  });
}

export function configPbtxtForCustomVisionS1(opts: { modelName: string }): string {
  return nmsDetectorConfig(opts.modelName, CUSTOM_VISION_S1_NAMES, CUSTOM_VISION_S1_SIZE, CUSTOM_VISION_S1_SIZE);
}

export function configPbtxtForGenericDetector(opts: { modelName: string; height: number; width: number }): string {
  return nmsDetectorConfig(opts.modelName, GENERIC_DETECTOR_NAMES, opts.height, opts.width);
}

export function configPbtxtForCustomVisionCompact(opts: { modelName: string; classes: number }): string {
  const size = CUSTOM_VISION_COMPACT_SIZE;
  const n = CUSTOM_VISION_COMPACT_GRID;
  return renderConfig({
    modelName: opts.modelName,
    maxBatchSize: 0,
    inputs: [{ name: CUSTOM_VISION_COMPACT_NAMES.input, dataType: 'TYPE_FP32', dims: [1, 3, size, size] }],
    outputs: [{ name: CUSTOM_VISION_COMPACT_NAMES.output, dataType: 'TYPE_FP32', dims: [1, 5 * (5 + opts.classes), n, n] }],
    dynamicBatching: false,
  });
}

export interface WrittenRepository {
  modelDir: string;
  configPath: string;
  modelPath: string;
}

/** Writes <dir>/<modelName>/config.pbtxt and <dir>/<modelName>/1/model.onnx. */
export function writeTritonRepository(
  dir: string,
  opts: { modelName: string; model: Uint8Array; configPbtxt: string },
): WrittenRepository {
  const modelDir = path.join(dir, opts.modelName);
  const configPath = path.join(modelDir, 'config.pbtxt');
  const modelPath = path.join(modelDir, '1', 'model.onnx');
  fs.mkdirSync(path.dirname(modelPath), { recursive: true });
  fs.writeFileSync(configPath, opts.configPbtxt);
  fs.writeFileSync(modelPath, opts.model);
  return { modelDir, configPath, modelPath };
}
