/**
 * @jest-environment ./__tests__/unit/onnx-models/onnxruntime-environment.ts
 *
 * The decoders against real ONNX models of each family (testbed/onnx-models: models that "detect"
 * coloured squares), run with onnxruntime-node on pictures whose size differs from the model's.
 */
import * as ort from 'onnxruntime-node';
import { Detection } from '../../../src/smoke-test/detection';
import { DecodeOptions, FamilyId, ModelSignature, pickFamily } from '../../../src/smoke-test/families/model-family';
import { Tensor, TensorDatatype } from '../../../src/smoke-test/tensors';
import {
  OBJECT_COLOURS,
  SceneObject,
  customVisionCompactModel,
  customVisionS1Model,
  detectNetV2Model,
  drawScene,
  genericDetectorModel,
} from '../../../testbed/onnx-models/onnx-models';

const LABELS = OBJECT_COLOURS.map((c) => c.name);

const ORT_TO_KSERVE: Record<string, TensorDatatype> = { float32: 'FP32', int64: 'INT64', int32: 'INT32', uint8: 'UINT8', float16: 'FP16' };
const KSERVE_TO_ORT: Record<string, ort.Tensor.Type> = { FP32: 'float32', INT64: 'int64', UINT8: 'uint8' };

/** The model's metadata as KServe would report it (Triton: -1 for open dimensions). */
function signatureOf(session: ort.InferenceSession, name: string, shapes: Record<string, number[]>, types: Record<string, string>): ModelSignature {
  const describe = (n: string) => ({ name: n, datatype: types[n] ?? 'FP32', shape: shapes[n] });
  return { name, inputs: session.inputNames.map(describe), outputs: session.outputNames.map(describe) };
}

async function detect(
  model: Uint8Array,
  sig: (s: ort.InferenceSession) => ModelSignature,
  scene: { width: number; height: number; data: Uint8Array },
  opts: DecodeOptions,
  family: FamilyId | 'auto' = 'auto',
): Promise<{ family: FamilyId; detections: Detection[] }> {
  const session = await ort.InferenceSession.create(Buffer.from(model));
  try {
    const signature = sig(session);
    const chosen = pickFamily(signature, family, opts);
    const req = chosen.prepare(scene, signature, opts);
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of req.inputs) feeds[t.name] = new ort.Tensor(KSERVE_TO_ORT[t.datatype], t.data as Float32Array, t.shape);
    const results = await session.run(feeds, req.outputNames);
    const outputs: Tensor[] = req.outputNames.map((n) => ({
      name: n,
      datatype: ORT_TO_KSERVE[results[n].type],
      shape: [...results[n].dims],
      data: results[n].data as Float32Array,
    }));
    return { family: chosen.id, detections: req.decode(outputs).detections };
  } finally {
    await session.release();
  }
}

function expectFound(detections: Detection[], objects: SceneObject[], tolerancePx: number): void {
  expect(detections).toHaveLength(objects.length);
  for (const o of objects) {
    const match = detections.find(
      (d) =>
        d.classId === o.classIndex &&
        Math.abs(d.box.x1 - o.x1) <= tolerancePx &&
        Math.abs(d.box.y1 - o.y1) <= tolerancePx &&
        Math.abs(d.box.x2 - o.x2) <= tolerancePx &&
        Math.abs(d.box.y2 - o.y2) <= tolerancePx,
    );
    expect({ object: o, found: match?.box ?? detections.map((d) => [d.label, d.box]) }).toEqual({ object: o, found: expect.objectContaining({}) });
    expect(match?.label).toBe(LABELS[o.classIndex]);
  }
}

// Pictures 1.5x the model size in each direction (a 4:3 photo for square models).
const objectsAt = (sx: number, sy: number): SceneObject[] =>
  [
    { classIndex: 0, x1: 20, y1: 30, x2: 100, y2: 110 },
    { classIndex: 1, x1: 150, y1: 60, x2: 230, y2: 170 },
    { classIndex: 2, x1: 40, y1: 160, x2: 120, y2: 220 },
  ].map((o) => ({ ...o, x1: o.x1 * sx, x2: o.x2 * sx, y1: o.y1 * sy, y2: o.y2 * sy }));

describe('decoders on real ONNX models', () => {
  it.each(['input_1', 'input_1:0'] as const)('DetectNet_v2 (%s) finds the squares within 2 px', async (inputName) => {
    const suffix = inputName.endsWith(':0') ? ':0' : '';
    const model = detectNetV2Model({ height: 256, width: 256, classes: 3, inputName });
    const objects = objectsAt(1.5, 1.25);
    const scene = drawScene({ width: 384, height: 320, objects, seed: 1 });
    const shapes = {
      [inputName]: [-1, 3, 256, 256],
      [`output_cov/Sigmoid${suffix}`]: [-1, 3, 16, 16],
      [`output_bbox/BiasAdd${suffix}`]: [-1, 12, 16, 16],
    };
    const result = await detect(model, (s) => signatureOf(s, 'detectnet', shapes, {}), scene, { scoreThreshold: 0.5, labels: LABELS.slice(0, 3) });
    expect(result.family).toBe('detectnet_v2');
    expectFound(result.detections, objects, 2);
  });

  it('Custom Vision S1 finds the squares within 2 px', async () => {
    const model = customVisionS1Model({ classes: 3 });
    const objects = objectsAt(1.5, 1.5);
    const scene = drawScene({ width: 480, height: 480, objects, seed: 2 });
    const shapes = { image_tensor: [1, 3, 320, 320], detected_boxes: [1, -1, 4], detected_scores: [1, -1], detected_classes: [1, -1] };
    const result = await detect(model, (s) => signatureOf(s, 'cv-s1', shapes, { detected_classes: 'INT64' }), scene, {
      scoreThreshold: 0.5,
      labels: LABELS.slice(0, 3),
      pixelFormat: 'Rgb8',
      pixelRange: '0_255',
    });
    expect(result.family).toBe('custom_vision_s1');
    expectFound(result.detections, objects, 2);
  });

  it('Custom Vision compact finds the squares within 2 px', async () => {
    const model = customVisionCompactModel({ classes: 3 });
    const objects = objectsAt(1.5, 1.2);
    const scene = drawScene({ width: 624, height: 500, objects, seed: 3 });
    const shapes = { data: [1, 3, 416, 416], model_outputs0: [1, 40, 13, 13] };
    const result = await detect(model, (s) => signatureOf(s, 'cv-compact', shapes, {}), scene, { scoreThreshold: 0.5, labels: LABELS.slice(0, 3) });
    expect(result.family).toBe('custom_vision_compact');
    expectFound(result.detections, objects, 2);
  });

  it('generic finds the squares within 2 px from the tensor names given', async () => {
    const model = genericDetectorModel({ classes: 3, height: 256, width: 320 });
    const objects = objectsAt(1.5, 1.5);
    const scene = drawScene({ width: 480, height: 384, objects, seed: 4 });
    const shapes = { images: [1, 3, 256, 320], boxes: [1, -1, 4], scores: [1, -1], labels: [1, -1] };
    const generic = {
      input: 'images',
      boxes: 'boxes',
      scores: 'scores',
      classes: 'labels',
      boxFormat: 'xyxy_normalized' as const,
      scale: '0_1' as const,
      pixelFormat: 'Rgb8' as const,
    };
    const result = await detect(model, (s) => signatureOf(s, 'generic', shapes, { labels: 'INT64' }), scene, { scoreThreshold: 0.5, labels: LABELS.slice(0, 3), generic }, 'generic');
    expect(result.family).toBe('generic');
    expectFound(result.detections, objects, 2);
  });
});
