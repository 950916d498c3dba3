/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 *
 * Each generated Custom Vision export finds its objects only when the picture is sent as its graph
 * expects, whatever its metadata claims. Red squares (class 0 of a one-class model): red sent with
 * R and B swapped is blue, which is no class of the model, so the wrong channel order finds nothing.
 */
import * as ort from 'onnxruntime-node';
import {
  CustomVisionExportVariant,
  SceneObject,
  customVisionCompactModel,
  customVisionS1Model,
  drawScene,
  sceneToNchw,
} from '../../../testbed/onnx-models/onnx-models';
import { decodeCustomVisionCompact, decodeRows, expectMatches, runModel } from './reference-decoders';

type Sent = 'rgb-0-1' | 'rgb-0-255' | 'bgr-0-1' | 'bgr-0-255';
const ALL_SENT: Sent[] = ['rgb-0-1', 'rgb-0-255', 'bgr-0-1', 'bgr-0-255'];

async function found(signature: 's1' | 'compact', model: Uint8Array, objects: SceneObject[], sent: Sent, xy: 'sigmoid' | 'none' = 'sigmoid') {
  const size = signature === 's1' ? 320 : 416;
  const scene = drawScene({ width: size, height: size, objects, seed: 41 });
  const [order, range] = [sent.startsWith('rgb') ? 'RGB' : 'BGR', sent.endsWith('0-1') ? 1 / 255 : 1] as const;
  const input = new ort.Tensor('float32', sceneToNchw(scene, order, range), [1, 3, size, size]);
  if (signature === 's1') {
    const out = await runModel(model, { image_tensor: input });
    const rows = decodeRows(out.detected_boxes.data as Float32Array, out.detected_scores.data as Float32Array, out.detected_classes.data as BigInt64Array, size, size);
    return rows.filter((r) => r.score > 0.5);
  }
  const out = await runModel(model, { data: input });
  return decodeCustomVisionCompact(out.model_outputs0.data as Float32Array, 1, size, 0.5, xy);
}

const metadataOf = (model: Uint8Array) => {
  const text = Buffer.from(model).toString('latin1');
  return { format: /Bgr8/.test(text) ? 'Bgr8' : 'Rgb8', range: /Normalized_0_1/.test(text) ? 'Normalized_0_1' : 'NominalRange_0_255' };
};

const CASES: { signature: 's1' | 'compact'; variant: CustomVisionExportVariant; works: Sent; metadata: { format: string; range: string } }[] = [
  { signature: 's1', variant: 'documented', works: 'rgb-0-255', metadata: { format: 'Rgb8', range: 'NominalRange_0_255' } },
  { signature: 's1', variant: 's1-metadata-0-1', works: 'rgb-0-255', metadata: { format: 'Rgb8', range: 'Normalized_0_1' } },
  { signature: 's1', variant: 'bgr-graph', works: 'bgr-0-255', metadata: { format: 'Rgb8', range: 'NominalRange_0_255' } },
  { signature: 'compact', variant: 'documented', works: 'bgr-0-255', metadata: { format: 'Bgr8', range: 'NominalRange_0_255' } },
  { signature: 'compact', variant: 'bgr-graph', works: 'bgr-0-255', metadata: { format: 'Rgb8', range: 'NominalRange_0_255' } },
];

describe('generated Custom Vision export variants', () => {
  // Two squares of one class must be further apart than twice the generator's reach (96 px).
  const s1Objects: SceneObject[] = [
    { classIndex: 0, x1: 10, y1: 12, x2: 70, y2: 74 },
    { classIndex: 0, x1: 204, y1: 200, x2: 276, y2: 270 },
  ];
  const objects: SceneObject[] = [
    { classIndex: 0, x1: 10, y1: 12, x2: 70, y2: 74 },
    { classIndex: 0, x1: 330, y1: 324, x2: 400, y2: 398 },
  ];

  it.each(CASES)('$signature $variant: carries metadata $metadata.format / $metadata.range and finds objects only when sent as $works', async (c) => {
    const model = c.signature === 's1' ? customVisionS1Model({ classes: 1, variant: c.variant }) : customVisionCompactModel({ classes: 1, variant: c.variant });
    expect(metadataOf(model)).toEqual(c.metadata);
    const scene = c.signature === 's1' ? s1Objects : objects;
    const counts: Record<string, number> = {};
    for (const sent of ALL_SENT) counts[sent] = (await found(c.signature, model, scene, sent)).length;
    expect(counts).toEqual(Object.fromEntries(ALL_SENT.map((s) => [s, s === c.works ? 2 : 0])));
    expectMatches(await found(c.signature, model, scene, c.works), scene, c.signature === 's1' ? 3.2 : 2);
  });

  it('compact-raw-xy: boxes land on the squares only when tx/ty are read without a sigmoid', async () => {
    const model = customVisionCompactModel({ classes: 1, variant: 'compact-raw-xy' });
    expect(metadataOf(model)).toEqual({ format: 'Bgr8', range: 'NominalRange_0_255' });
    expectMatches(await found('compact', model, objects, 'bgr-0-255', 'none'), objects, 2);
    const withSigmoid = await found('compact', model, objects, 'bgr-0-255', 'sigmoid');
    // Still two confident detections (tx/ty never touch the score), but off by up to half a cell.
    expect(withSigmoid).toHaveLength(2);
    expect(() => expectMatches(withSigmoid, objects, 2)).toThrow(/no detection matches/);
  });

  it('the documented compact export still needs the sigmoid', async () => {
    const model = customVisionCompactModel({ classes: 1 });
    expect(() => expectMatches([], objects, 2)).toThrow(/no detection matches/);
    expectMatches(await found('compact', model, objects, 'bgr-0-255', 'sigmoid'), objects, 2);
  });
});
