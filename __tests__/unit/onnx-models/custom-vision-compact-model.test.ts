/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { customVisionCompactModel, drawScene, sceneToNchw, SceneObject } from '../../../testbed/onnx-models/onnx-models';
import { decodeCustomVisionCompact, expectMatches, runModel, sha256 } from './reference-decoders';

const SIZE = 416;
const objects: SceneObject[] = [
  { classIndex: 0, x1: 20, y1: 30, x2: 80, y2: 90 },
  { classIndex: 2, x1: 150, y1: 100, x2: 237, y2: 190 },
  { classIndex: 1, x1: 300, y1: 320, x2: 400, y2: 410 },
  { classIndex: 5, x1: 300, y1: 20, x2: 340, y2: 52 },
];

async function raw(model: Uint8Array, objs: SceneObject[], seed: number): Promise<ort.Tensor> {
  const scene = drawScene({ width: SIZE, height: SIZE, objects: objs, seed });
  // The export takes BGR 0..255.
  return (await runModel(model, { data: new ort.Tensor('float32', sceneToNchw(scene, 'BGR', 1), [1, 3, SIZE, SIZE]) })).model_outputs0;
}

describe('Custom Vision General (compact) test model', () => {
  const model = customVisionCompactModel({ classes: 6 });

  it('puts one confident anchor on each square, decoding to its box within 2 px', async () => {
    const out = await raw(model, objects, 31);
    expect(out.dims).toEqual([1, 5 * (5 + 6), 13, 13]);
    const found = decodeCustomVisionCompact(out.data as Float32Array, 6, SIZE, 0.1);
    expectMatches(found, objects, 2);
  });

  it('scores nothing above 0.1 in an empty scene', async () => {
    const out = await raw(model, [], 32);
    expect(decodeCustomVisionCompact(out.data as Float32Array, 6, SIZE, 0.1)).toEqual([]);
  });

  it('reads BGR input: a red square fed as RGB is not found as red', async () => {
    const scene = drawScene({ width: SIZE, height: SIZE, objects: [objects[0]], seed: 33 });
    const out = await runModel(model, { data: new ort.Tensor('float32', sceneToNchw(scene, 'RGB', 1), [1, 3, SIZE, SIZE]) });
    const found = decodeCustomVisionCompact(out.model_outputs0.data as Float32Array, 6, SIZE, 0.1);
    expect(found.map((f) => f.classId)).toEqual([2]);
  });

  it('carries Bgr8 metadata and is byte-identical across builds', () => {
    expect(Buffer.from(model).toString('latin1')).toContain('Bgr8');
    expect(sha256(customVisionCompactModel({ classes: 6 }))).toBe(sha256(model));
  });
});
