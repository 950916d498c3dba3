/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { detectNetV2Model, drawScene, sceneToNchw, SceneObject } from '../../../testbed/onnx-models/onnx-models';
import { decodeDetectNetV2, expectMatches, runModel, sha256 } from './reference-decoders';

const H = 128;
const W = 192;
const objects: SceneObject[] = [
  { classIndex: 0, x1: 10, y1: 12, x2: 58, y2: 60 },
  { classIndex: 1, x1: 100, y1: 40, x2: 171, y2: 99 },
  { classIndex: 2, x1: 20, y1: 80, x2: 53, y2: 121 },
];

function batchOf(...scenes: ReturnType<typeof drawScene>[]): ort.Tensor {
  const plane = 3 * H * W;
  const data = new Float32Array(scenes.length * plane);
  scenes.forEach((s, i) => data.set(sceneToNchw(s, 'RGB', 1 / 255), i * plane));
  return new ort.Tensor('float32', data, [scenes.length, 3, H, W]);
}

describe('DetectNet_v2 test model', () => {
  const model = detectNetV2Model({ height: H, width: W, classes: 3, inputName: 'input_1' });

  it('finds each coloured square within 2 px with TAO box decoding, per image of a batch', async () => {
    const scene = drawScene({ width: W, height: H, objects, seed: 7 });
    const empty = drawScene({ width: W, height: H, objects: [], seed: 8 });
    const out = await runModel(model, { input_1: batchOf(empty, scene) });
    const cov = out['output_cov/Sigmoid'];
    const bbox = out['output_bbox/BiasAdd'];
    expect(cov.dims).toEqual([2, 3, H / 16, W / 16]);
    expect(bbox.dims).toEqual([2, 12, H / 16, W / 16]);
    const shape = { classes: 3, gridH: H / 16, gridW: W / 16 };
    const found = decodeDetectNetV2(cov.data as Float32Array, bbox.data as Float32Array, { ...shape, batchIndex: 1 });
    expectMatches(found, objects, 2);
    expect(decodeDetectNetV2(cov.data as Float32Array, bbox.data as Float32Array, { ...shape, batchIndex: 0 })).toEqual([]);
  });

  it('reports coverage as the covered fraction of each 16x16 cell', async () => {
    const scene = drawScene({ width: W, height: H, objects: [{ classIndex: 0, x1: 16, y1: 32, x2: 24, y2: 48 }], seed: 1 });
    const cov = (await runModel(model, { input_1: batchOf(scene) }))['output_cov/Sigmoid'].data as Float32Array;
    const at = (c: number, i: number, j: number) => cov[(c * (H / 16) + i) * (W / 16) + j];
    expect(at(0, 2, 1)).toBeCloseTo(0.5, 5);
    expect(at(0, 2, 2)).toBe(0);
    expect(at(1, 2, 1)).toBe(0);
  });

  it('gives no coverage above 0.1 on an empty scene', async () => {
    const cov = (await runModel(model, { input_1: batchOf(drawScene({ width: W, height: H, objects: [], seed: 3 })) }))['output_cov/Sigmoid'];
    expect(Math.max(...(cov.data as Float32Array))).toBeLessThanOrEqual(0.1);
  });

  it("names outputs with ':0' when the input is input_1:0", async () => {
    const colon = detectNetV2Model({ height: H, width: W, classes: 3, inputName: 'input_1:0' });
    const session = await ort.InferenceSession.create(colon);
    expect(session.inputNames).toEqual(['input_1:0']);
    expect([...session.outputNames].sort()).toEqual(['output_bbox/BiasAdd:0', 'output_cov/Sigmoid:0']);
    await session.release();
  });

  it('is byte-identical across builds and stays well under 1 MB at 384x1248', () => {
    expect(sha256(detectNetV2Model({ height: H, width: W, classes: 3 }))).toBe(sha256(model));
    expect(detectNetV2Model({ height: 384, width: 1248, classes: 3 }).length).toBeLessThan(100_000);
  });

  it('rejects a size that is not a multiple of the stride', () => {
    expect(() => detectNetV2Model({ height: 100, width: W, classes: 3 })).toThrow(/height must be a positive multiple of 16/);
  });
});
