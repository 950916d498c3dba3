/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { drawScene, genericDetectorModel, sceneToNchw, SceneObject } from '../../../testbed/onnx-models/onnx-models';
import { decodeRows, expectMatches, runModel, sha256 } from './reference-decoders';

const H = 240;
const W = 320;
const objects: SceneObject[] = [
  { classIndex: 3, x1: 10, y1: 10, x2: 70, y2: 50 },
  { classIndex: 4, x1: 200, y1: 150, x2: 280, y2: 230 },
  { classIndex: 6, x1: 130, y1: 60, x2: 170, y2: 100 },
];

async function detect(model: Uint8Array, objs: SceneObject[], seed: number) {
  const scene = drawScene({ width: W, height: H, objects: objs, seed });
  const out = await runModel(model, { images: new ort.Tensor('float32', sceneToNchw(scene, 'RGB', 1 / 255), [1, 3, H, W]) });
  return decodeRows(out.boxes.data as Float32Array, out.scores.data as Float32Array, out.labels.data as BigInt64Array, W, H);
}

describe('generic detector test model', () => {
  const model = genericDetectorModel({ classes: 7, height: H, width: W });

  it('finds yellow, magenta and white squares within 2 px', async () => {
    expectMatches(await detect(model, objects, 21), objects, 2);
  });

  it('finds nothing in an empty scene', async () => {
    expect(await detect(model, [], 22)).toEqual([]);
  });

  it('is byte-identical across builds', () => {
    expect(sha256(genericDetectorModel({ classes: 7, height: H, width: W }))).toBe(sha256(model));
  });
});
