/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 */
import * as ort from 'onnxruntime-node';
import { customVisionS1Model, drawScene, sceneToNchw, SceneObject } from '../../../testbed/onnx-models/onnx-models';
import { decodeRows, expectMatches, runModel, sha256 } from './reference-decoders';

const SIZE = 320;
const objects: SceneObject[] = [
  { classIndex: 0, x1: 20, y1: 30, x2: 80, y2: 90 },
  { classIndex: 2, x1: 150, y1: 100, x2: 237, y2: 190 },
  { classIndex: 0, x1: 200, y1: 220, x2: 260, y2: 300 },
  { classIndex: 1, x1: 30, y1: 200, x2: 70, y2: 232 },
];

async function detect(model: Uint8Array, scene: ReturnType<typeof drawScene>) {
  const out = await runModel(model, { image_tensor: new ort.Tensor('float32', sceneToNchw(scene, 'RGB', 1), [1, 3, SIZE, SIZE]) });
  return out;
}

describe('Custom Vision General (compact) [S1] test model', () => {
  const model = customVisionS1Model({ classes: 3 });

  it('returns each coloured square once, within 1/100 of the image, after NMS inside the model', async () => {
    const out = await detect(model, drawScene({ width: SIZE, height: SIZE, objects, seed: 11 }));
    expect(out.detected_boxes.dims).toEqual([1, 4, 4]);
    expect(out.detected_scores.dims).toEqual([1, 4]);
    expect(out.detected_classes.type).toBe('int64');
    const found = decodeRows(out.detected_boxes.data as Float32Array, out.detected_scores.data as Float32Array, out.detected_classes.data as BigInt64Array, SIZE, SIZE);
    expectMatches(found, objects, SIZE / 100);
    for (const f of found) expect(f.score).toBeGreaterThan(0.5);
  });

  it('returns no rows for an empty scene', async () => {
    const out = await detect(model, drawScene({ width: SIZE, height: SIZE, objects: [], seed: 12 }));
    expect(out.detected_boxes.dims).toEqual([1, 0, 4]);
    expect(out.detected_scores.dims).toEqual([1, 0]);
  });

  it('declares the export signature and the Custom Vision image metadata', async () => {
    const session = await ort.InferenceSession.create(model);
    expect(session.inputNames).toEqual(['image_tensor']);
    expect(session.outputNames).toEqual(['detected_boxes', 'detected_scores', 'detected_classes']);
    await session.release();
    const text = Buffer.from(model).toString('latin1');
    for (const s of ['Image.BitmapPixelFormat', 'Rgb8', 'Image.ColorSpaceGamma', 'SRGB', 'Image.NominalPixelRange', 'NominalRange_0_255']) {
      expect(text).toContain(s);
    }
  });

  it('is byte-identical across builds', () => {
    expect(sha256(customVisionS1Model({ classes: 3 }))).toBe(sha256(model));
  });
});
