/**
 * (Re)writes the bundled sample samples/tao-detectnet-v2 deterministically.
 * Run from the repository root: npx tsx testbed/onnx-models/write-samples.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { taoDetectNetSampleFiles } from './tao-detectnet-sample';

const repoRoot = path.resolve(__dirname, '..', '..');
const clusteringConfigPath = path.resolve(
  repoRoot,
  '..',
  'shared/reference/fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/clustering_config_detectnet.prototxt',
);
const sampleDir = path.join(repoRoot, 'samples', 'tao-detectnet-v2');

const files = taoDetectNetSampleFiles(fs.readFileSync(clusteringConfigPath, 'utf8'));
for (const [relative, content] of Object.entries(files)) {
  const target = path.join(sampleDir, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  console.log(`wrote ${path.relative(repoRoot, target)} (${Buffer.byteLength(content)} bytes)`);
}
