/**
 * A Triton model repository of a chosen size, written to a temp folder: one TensorRT model whose
 * model.plan has `planBytes` bytes (what a real DetectNet_v2 / PeopleNet engine weighs), a labels
 * file, and a copy of the bundled ONNX sample as a second, small model.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MIB } from './measurement';

export const SAMPLE_REPOSITORY = path.resolve(__dirname, '..', 'samples', 'tao-detectnet-v2', 'model_repository');

const PLAN_CONFIG = `name: "detectnet_trt"
platform: "tensorrt_plan"
max_batch_size: 16
input [ { name: "input_1" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3, 384, 1248 ] } ]
output [
  { name: "output_bbox/BiasAdd" data_type: TYPE_FP32 dims: [ 12, 24, 78 ] },
  { name: "output_cov/Sigmoid" data_type: TYPE_FP32 dims: [ 3, 24, 78 ] }
]
dynamic_batching { }
`;

/** Writes the repository under `root` (created) and returns the bytes of its files. */
export async function writeSyntheticRepository(root: string, planBytes: number): Promise<number> {
  const model = path.join(root, 'detectnet_trt');
  await fs.promises.mkdir(path.join(model, '1'), { recursive: true });
  await fs.promises.writeFile(path.join(model, 'config.pbtxt'), PLAN_CONFIG);
  await fs.promises.writeFile(path.join(model, 'labels.txt'), 'car\ncyclist\npedestrian\n');
  await fs.promises.cp(SAMPLE_REPOSITORY, root, { recursive: true });
  await writePlan(path.join(model, '1', 'model.plan'), planBytes);
  return directoryBytes(root);
}

/** Random-looking bytes (incompressible, as an engine is), 8 MiB at a time; each chunk differs. */
async function writePlan(file: string, bytes: number): Promise<void> {
  const chunk = randomBytes(8 * MIB);
  const handle = await fs.promises.open(file, 'w');
  try {
    for (let at = 0, n = 0; at < bytes; at += chunk.length, n++) {
      chunk.writeUInt32LE(n, 0);
      await handle.write(chunk, 0, Math.min(chunk.length, bytes - at));
    }
  } finally {
    await handle.close();
  }
}

export function directoryBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
