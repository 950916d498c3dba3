/**
 * Turns a Custom Vision ONNX export into a Triton model repository:
 * <root>/<modelName>/config.pbtxt, <root>/<modelName>/1/model.onnx, <root>/<modelName>/labels.txt.
 *
 * The exports fix the batch at 1 (S1: image_tensor [1,3,320,320]; compact: data [1,3,416,416]).
 * Triton's onnxruntime backend only batches a model whose first dimension is -1, so the config
 * says max_batch_size 0 and lists every tensor's full shape, batch included, as read from the
 * model itself. No input `format`: FORMAT_NCHW would need 3 dims (model_config.proto, Format).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { OnnxSignature, OnnxTensorInfo } from '../../model-repository/validate-model-repository';
import { TRITON_TYPE_OF_ONNX } from '../../model-repository/validate-model-repository';
import type { CustomVisionFamily } from '../../smoke-test/run-smoke-test';

export type { CustomVisionFamily };

/** The family the model's tensor names say (they differ between the two exportable OD domains). */
export function familyOfSignature(sig: OnnxSignature): CustomVisionFamily | undefined {
  const outputs = new Set(sig.outputs.map((o) => o.name));
  if (outputs.has('detected_boxes') && outputs.has('detected_scores') && outputs.has('detected_classes')) return 'custom_vision_s1';
  if (outputs.has('model_outputs0')) return 'custom_vision_compact';
  return undefined;
}

function tensorBlock(t: OnnxTensorInfo): string {
  const type = TRITON_TYPE_OF_ONNX[t.elemType];
  if (!type) throw new Error(`tensor ${t.name} has ONNX element type ${t.elemType}, which Triton cannot serve`);
  return ['  {', `    name: ${JSON.stringify(t.name)}`, `    data_type: ${type}`, `    dims: [ ${t.dims.join(', ')} ]`, '  }'].join('\n');
}

export function renderConfigPbtxt(modelName: string, sig: OnnxSignature): string {
  return [
    `name: ${JSON.stringify(modelName)}`,
    'platform: "onnxruntime_onnx"',
    'max_batch_size: 0',
    `input [\n${sig.inputs.map(tensorBlock).join(',\n')}\n]`,
    `output [\n${sig.outputs.map(tensorBlock).join(',\n')}\n]`,
    '',
  ].join('\n');
}

/** A Triton model name from a project name: letters, digits, '-', '_' (it becomes a folder and a URL segment). */
export function modelNameFor(projectName: string): string {
  const name = projectName.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return name || 'custom-vision';
}

export interface WrittenModel {
  repositoryDir: string;
  modelDir: string;
}

/** Writes the repository afresh under `root` (anything from an earlier run there is replaced). */
export async function writeTritonRepository(
  root: string,
  modelName: string,
  model: Buffer,
  labels: string[],
  sig: OnnxSignature,
): Promise<WrittenModel> {
  const modelDir = path.join(root, modelName);
  await fs.promises.rm(root, { recursive: true, force: true });
  await fs.promises.mkdir(path.join(modelDir, '1'), { recursive: true });
  await fs.promises.writeFile(path.join(modelDir, '1', 'model.onnx'), model);
  await fs.promises.writeFile(path.join(modelDir, 'config.pbtxt'), renderConfigPbtxt(modelName, sig));
  await fs.promises.writeFile(path.join(modelDir, 'labels.txt'), labels.join('\n') + '\n');
  return { repositoryDir: root, modelDir };
}
