/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as fs from 'fs';
import * as jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import * as path from 'path';
import { PNG } from 'pngjs';
import { sceneToNchw } from '../../../testbed/onnx-models/onnx-models';
import { SAMPLE_HEIGHT, SAMPLE_WIDTH, STREET_OBJECTS, taoDetectNetSampleFiles } from '../../../testbed/onnx-models/tao-detectnet-sample';
import { decodeDetectNetV2, expectMatches, Found, runModel } from './reference-decoders';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const sampleDir = path.join(repoRoot, 'samples', 'tao-detectnet-v2');
const clusteringConfig = fs.readFileSync(
  path.resolve(repoRoot, '../shared/reference/fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/clustering_config_detectnet.prototxt'),
  'utf8',
);
const files = taoDetectNetSampleFiles(clusteringConfig);
const model = files['model_repository/detectnet_tao/1/model.onnx'] as Uint8Array;

function rgbaToRgb(width: number, height: number, rgba: Uint8Array) {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return { width, height, data };
}

async function detect(image: { width: number; height: number; data: Uint8Array }): Promise<Found[]> {
  const input = new ort.Tensor('float32', sceneToNchw(image, 'RGB', 1 / 255), [1, 3, SAMPLE_HEIGHT, SAMPLE_WIDTH]);
  const out = await runModel(model, { input_1: input });
  const shape = { classes: 3, gridH: SAMPLE_HEIGHT / 16, gridW: SAMPLE_WIDTH / 16 };
  return decodeDetectNetV2(out['output_cov/Sigmoid'].data as Float32Array, out['output_bbox/BiasAdd'].data as Float32Array, shape);
}

describe('bundled TAO DetectNet_v2 sample', () => {
  it('finds the car, cyclist and pedestrian squares in street.png within 2 px', async () => {
    const png = PNG.sync.read(Buffer.from(files['images/street.png'] as Uint8Array));
    expectMatches(await detect(rgbaToRgb(png.width, png.height, png.data)), [...STREET_OBJECTS], 2);
  });

  it('finds the same squares in street.jpg (quality 90) within 2 px', async () => {
    const img = jpeg.decode(files['images/street.jpg'] as Uint8Array, { useTArray: true });
    expectMatches(await detect(rgbaToRgb(img.width, img.height, img.data)), [...STREET_OBJECTS], 2);
  });

  it('finds nothing in empty.png', async () => {
    const png = PNG.sync.read(Buffer.from(files['images/empty.png'] as Uint8Array));
    expect(await detect(rgbaToRgb(png.width, png.height, png.data))).toEqual([]);
  });

  it('keeps the committed sample identical to what write-samples.ts generates', () => {
    for (const [relative, content] of Object.entries(files)) {
      const onDisk = fs.readFileSync(path.join(sampleDir, relative));
      expect({ relative, same: onDisk.equals(Buffer.from(content)) }).toEqual({ relative, same: true });
    }
  });
});
