import { UserInputError } from '../../../src/errors';
import { genericFamily } from '../../../src/smoke-test/families/generic';
import { DecodeOptions, FamilyId, GenericModelSettings, ModelSignature, pickFamily } from '../../../src/smoke-test/families/model-family';

const t = (name: string, datatype: string, shape: number[]) => ({ name, datatype, shape });
const sig = (inputs: ReturnType<typeof t>[], outputs: ReturnType<typeof t>[]): ModelSignature => ({ name: 'm', inputs, outputs });

const DETECTNET = sig([t('input_1', 'FP32', [-1, 3, 384, 1248])], [t('output_bbox/BiasAdd', 'FP32', [-1, 12, 24, 78]), t('output_cov/Sigmoid', 'FP32', [-1, 3, 24, 78])]);
const DETECTNET_TF = sig([t('input_1:0', 'FP32', [-1, 3, 544, 960])], [t('output_bbox/BiasAdd:0', 'FP32', [-1, 12, 34, 60]), t('output_cov/Sigmoid:0', 'FP32', [-1, 3, 34, 60])]);
const DETECTNET_UNBATCHED = sig([t('input_1', 'FP32', [3, 544, 960])], [t('output_bbox/BiasAdd', 'FP32', [4, 34, 60]), t('output_cov/Sigmoid', 'FP32', [1, 34, 60])]);
const S1 = sig([t('image_tensor', 'FP32', [1, 3, 320, 320])], [t('detected_boxes', 'FP32', [1, -1, 4]), t('detected_classes', 'INT64', [1, -1]), t('detected_scores', 'FP32', [1, -1])]);
const COMPACT = sig([t('data', 'FP32', [1, 3, 416, 416])], [t('model_outputs0', 'FP32', [1, 35, 13, 13])]);
const SSD = sig([t('images', 'UINT8', [1, 300, 300, 3])], [t('boxes', 'FP32', [1, 100, 4]), t('scores', 'FP32', [1, 100]), t('labels', 'FP32', [1, 100])]);

const GENERIC: GenericModelSettings = {
  input: 'images',
  boxes: 'boxes',
  scores: 'scores',
  classes: 'labels',
  boxFormat: 'xyxy_pixels',
  scale: '0_255',
  pixelFormat: 'Rgb8',
};
const opts = (over: Partial<DecodeOptions> = {}): DecodeOptions => ({ scoreThreshold: 0.5, labels: [], ...over });

function errorOf(f: () => unknown): UserInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserInputError) return e;
    throw e;
  }
  throw new Error('expected a UserInputError');
}

describe('pickFamily', () => {
  it.each<[string, ModelSignature, FamilyId]>([
    ['DetectNet_v2 with plain tensor names', DETECTNET, 'detectnet_v2'],
    ['DetectNet_v2 with TensorFlow :0 names', DETECTNET_TF, 'detectnet_v2'],
    ['DetectNet_v2 without a batch dimension', DETECTNET_UNBATCHED, 'detectnet_v2'],
    ['Custom Vision S1', S1, 'custom_vision_s1'],
    ['Custom Vision compact', COMPACT, 'custom_vision_compact'],
  ])('recognises %s on auto', (_name, signature, expected) => {
    expect(pickFamily(signature, 'auto', opts()).id).toBe(expected);
    expect(pickFamily(signature, expected, opts()).id).toBe(expected);
  });

  it('falls back to generic on auto when generic settings fit the model', () => {
    expect(pickFamily(SSD, 'auto', opts({ generic: GENERIC })).id).toBe('generic');
  });

  it('prefers a recognised family over generic settings on auto', () => {
    expect(pickFamily(S1, 'auto', opts({ generic: GENERIC })).id).toBe('custom_vision_s1');
  });

  it('lists the known families and the model\'s tensors when nothing matches', () => {
    const err = errorOf(() => pickFamily(SSD, 'auto', opts()));
    expect(err.where.input).toBe('model-family');
    expect(err.message).toContain('images UINT8 [1,300,300,3]');
    expect(err.message).toContain('boxes FP32 [1,100,4]');
    for (const id of ['detectnet_v2', 'custom_vision_s1', 'custom_vision_compact', 'generic']) expect(err.message).toContain(id);
  });

  it('says what the requested family expects when the model is different', () => {
    const err = errorOf(() => pickFamily(COMPACT, 'detectnet_v2', opts()));
    expect(err.where.input).toBe('model-family');
    expect(err.message).toMatch(/model-family is 'detectnet_v2' but model 'm' does not look like one: expected .*output_cov\/Sigmoid/);
    expect(err.message).toContain('model_outputs0 FP32 [1,35,13,13]');
  });

  it.each([
    ['without settings', undefined, /no generic settings were given/],
    ['naming a missing output', { ...GENERIC, scores: 'detection_scores' }, /no output 'detection_scores'/],
    ['naming a missing input', { ...GENERIC, input: 'image' }, /no input 'image'/],
  ])('refuses generic %s', (_name, generic, message) => {
    const err = errorOf(() => pickFamily(SSD, 'generic', opts({ generic })));
    expect(err.where.input).toBe('model-family');
    expect(err.message).toMatch(message);
  });

  it('refuses an unknown family name with the allowed values', () => {
    expect(() => pickFamily(S1, 'yolo' as FamilyId, opts())).toThrow(/expected one of auto, detectnet_v2, custom_vision_s1/);
  });
});

describe('generic family', () => {
  it('sends UINT8 NHWC unscaled and scales pixel boxes from the model input to the image', () => {
    const image = { width: 600, height: 150, data: new Uint8Array(600 * 150 * 3).fill(7) };
    const req = genericFamily.prepare(image, SSD, opts({ generic: GENERIC, labels: ['bg', 'dog'] }));
    expect(req.inputs[0]).toMatchObject({ name: 'images', datatype: 'UINT8', shape: [1, 300, 300, 3] });
    expect((req.inputs[0].data as Uint8Array)[0]).toBe(7);
    expect(req.outputNames).toEqual(['boxes', 'scores', 'labels']);
    const { detections } = req.decode([
      { name: 'boxes', datatype: 'FP32', shape: [1, 2, 4], data: [30, 60, 150, 240, 0, 0, 10, 10] },
      { name: 'scores', datatype: 'FP32', shape: [1, 2], data: [0.8, 0.1] },
      { name: 'labels', datatype: 'FP32', shape: [1, 2], data: [1, 0] },
    ]);
    expect(detections).toEqual([{ label: 'dog', classId: 1, score: 0.8, box: { x1: 60, y1: 30, x2: 300, y2: 120 } }]);
  });

  it('scales normalized boxes straight to the image and 0-1 pixels for float inputs', () => {
    const signature = sig([t('x', 'FP32', [1, 3, -1, -1])], [t('b', 'FP32', [1, -1, 4]), t('s', 'FP32', [1, -1]), t('c', 'INT64', [1, -1])]);
    const generic: GenericModelSettings = { input: 'x', boxes: 'b', scores: 's', classes: 'c', boxFormat: 'xyxy_normalized', scale: '0_1', pixelFormat: 'Bgr8' };
    const image = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(255) };
    const req = genericFamily.prepare(image, signature, opts({ generic }));
    expect(req.inputs[0].shape).toEqual([1, 3, 2, 4]); // open size: the image's own
    expect((req.inputs[0].data as Float32Array)[0]).toBe(1);
    const { detections } = req.decode([
      { name: 'b', datatype: 'FP32', shape: [1, 1, 4], data: [0.25, 0.5, 0.75, 1] },
      { name: 's', datatype: 'FP32', shape: [1, 1], data: [0.9] },
      { name: 'c', datatype: 'INT64', shape: [1, 1], data: BigInt64Array.from([2n]) },
    ]);
    expect(detections[0]).toMatchObject({ label: 'class_2', box: { x1: 1, y1: 1, x2: 3, y2: 2 } });
  });
});
