/**
 * (Re)writes samples/custom-vision deterministically: dataset/ (COCO) and images/test.png.
 * Run from the repository root: npx tsx testbed/custom-vision/write-sample-dataset.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { sampleDatasetFiles } from './sample-dataset';

const sampleDir = path.resolve(__dirname, '..', '..', 'samples', 'custom-vision');
let total = 0;
for (const [relative, content] of Object.entries(sampleDatasetFiles())) {
  const target = path.join(sampleDir, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  total += content.length;
}
console.log(`wrote ${path.relative(process.cwd(), sampleDir)} (${(total / 1024).toFixed(0)} KB)`);
