import { UserInputError } from '../../../src/errors';
import { customVisionCompactFamily, decodeCompactGrid } from '../../../src/smoke-test/families/custom-vision-compact';
import { customVisionS1Family } from '../../../src/smoke-test/families/custom-vision-s1';
import { DecodeOptions, ModelSignature } from '../../../src/smoke-test/families/model-family';
import { RgbImage } from '../../../src/smoke-test/rgb-image';

function solidImage(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

const rounded = (b: { x1: number; y1: number; x2: number; y2: number }) => [b.x1, b.y1, b.x2, b.y2].map((v) => +v.toFixed(3));

const S1_SIG: ModelSignature = {
  name: 'cv',
  inputs: [{ name: 'image_tensor', datatype: 'FP32', shape: [1, 3, 320, 320] }],
  outputs: [
    { name: 'detected_boxes', datatype: 'FP32', shape: [1, -1, 4] },
    { name: 'detected_classes', datatype: 'INT64', shape: [1, -1] },
    { name: 'detected_scores', datatype: 'FP32', shape: [1, -1] },
  ],
};

describe('Custom Vision S1 family', () => {
  const opts = (over: Partial<DecodeOptions> = {}): DecodeOptions => ({ scoreThreshold: 0.5, labels: ['apple', 'banana'], ...over });

  it.each([
    ['RGB 0-255 by default', {}, [200, 100, 50]],
    ['BGR when the metadata says Bgr8', { pixelFormat: 'Bgr8' as const }, [50, 100, 200]],
    ['0-1 when the metadata says so', { pixelRange: '0_1' as const }, [200 / 255, 100 / 255, 50 / 255]],
    ['-1..1 when the metadata says so', { pixelRange: '-1_1' as const }, [200 / 127.5 - 1, 100 / 127.5 - 1, 50 / 127.5 - 1]],
  ])('sends %s', (_name, over, expected) => {
    const [input] = customVisionS1Family.prepare(solidImage(50, 40, [200, 100, 50]), S1_SIG, opts(over)).inputs;
    expect(input).toMatchObject({ name: 'image_tensor', datatype: 'FP32', shape: [1, 3, 320, 320] });
    const plane = 320 * 320;
    const data = input.data as Float32Array;
    expect([data[5], data[plane + 5], data[2 * plane + 5]]).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('scales normalized boxes to the image, keeps scores at or above the threshold and names classes', () => {
    const req = customVisionS1Family.prepare(solidImage(200, 100, [0, 0, 0]), S1_SIG, opts());
    const result = req.decode([
      { name: 'detected_boxes', datatype: 'FP32', shape: [1, 3, 4], data: Float32Array.from([0.1, 0.2, 0.5, 0.6, 0, 0, 1, 1.2, 0.5, 0.5, 0.6, 0.6]) },
      { name: 'detected_scores', datatype: 'FP32', shape: [1, 3], data: Float32Array.from([0.9, 0.5, 0.2]) },
      { name: 'detected_classes', datatype: 'INT64', shape: [1, 3], data: BigInt64Array.from([1n, 0n, 0n]) },
    ]);
    expect(result.detections.map((d) => [d.label, d.classId, +d.score.toFixed(3), rounded(d.box)])).toEqual([
      ['banana', 1, 0.9, [20, 20, 100, 60]],
      ['apple', 0, 0.5, [0, 0, 200, 100]], // y2 1.2 clipped to the image
    ]);
    expect(result.topRawScores.map((s) => s.label)).toEqual(['banana', 'apple', 'apple']);
  });

  it('names classes without a label by their index', () => {
    const req = customVisionS1Family.prepare(solidImage(10, 10, [0, 0, 0]), S1_SIG, opts({ labels: [] }));
    const result = req.decode([
      { name: 'detected_boxes', datatype: 'FP32', shape: [1, 1, 4], data: [0, 0, 1, 1] },
      { name: 'detected_scores', datatype: 'FP32', shape: [1, 1], data: [0.7] },
      { name: 'detected_classes', datatype: 'INT64', shape: [1, 1], data: [3] },
    ]);
    expect(result.detections[0].label).toBe('class_3');
  });
});

describe('Custom Vision compact family', () => {
  const sig = (classes: number): ModelSignature => ({
    name: 'cv-compact',
    inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 416, 416] }],
    outputs: [{ name: 'model_outputs0', datatype: 'FP32', shape: [1, 5 * (5 + classes), 13, 13] }],
  });

  /** A [5*(5+C), rows, cols] grid where every objectness is very low unless set. */
  function grid(classes: number, rows: number, cols: number) {
    const v = new Float32Array(5 * (5 + classes) * rows * cols);
    const plane = rows * cols;
    for (let a = 0; a < 5; a++) v.fill(-30, (a * (5 + classes) + 4) * plane, (a * (5 + classes) + 5) * plane);
    const set = (anchor: number, r: number, c: number, values: number[]) =>
      values.forEach((x, k) => (v[(anchor * (5 + classes) + k) * plane + r * cols + c] = x));
    return { v, set };
  }

  it('sends BGR 0-255 by default', () => {
    const [input] = customVisionCompactFamily.prepare(solidImage(20, 20, [200, 100, 50]), sig(1), { scoreThreshold: 0.5, labels: [] }).inputs;
    const plane = 416 * 416;
    const data = input.data as Float32Array;
    expect([data[0], data[plane], data[2 * plane]]).toEqual([50, 100, 200]);
    expect(input.shape).toEqual([1, 3, 416, 416]);
  });

  it('decodes a cell: sigmoid offsets, anchor-scaled size, objectness times softmax', () => {
    // Anchor 1 (1.87, 2.06) at row 0, col 1 of a 2x2 grid: tx = ln 3 -> sigmoid 0.75, ty = 0 -> 0.5;
    // tw = ln(1/1.87), th = ln(1/2.06) -> w = h = 1/2 of the image. Centre x = (0.75+1)/2, y = 0.25.
    // Objectness logit 0 -> 0.5; class logits (0, ln 3) -> softmax (0.25, 0.75) -> scores 0.125, 0.375.
    const { v, set } = grid(2, 2, 2);
    set(1, 0, 1, [Math.log(3), 0, Math.log(1 / 1.87), Math.log(1 / 2.06), 0, 0, Math.log(3)]);
    const result = decodeCompactGrid(v, { classes: 2, rows: 2, cols: 2 }, { width: 200, height: 100 }, {
      labels: ['cat', 'dog'],
      scoreThreshold: 0.3,
    });
    expect(result.detections).toHaveLength(1);
    const [d] = result.detections;
    expect([d.label, +d.score.toFixed(4)]).toEqual(['dog', 0.375]);
    // x: 0.875 -+ 0.25 -> 0.625..1.125 (clipped to 1); y: 0.25 -+ 0.25 -> 0..0.5.
    expect(rounded(d.box)).toEqual([125, 0, 200, 50]);
    expect(result.topRawScores[0]).toEqual({ label: 'dog', score: expect.closeTo(0.375, 5) });
  });

  it('suppresses overlapping boxes of the same class at IoU above 0.45 but keeps other classes', () => {
    const { v, set } = grid(2, 2, 2);
    // Each anchor's tw/th chosen so the box is half the image: exp(t) * anchor / 2 = 0.5.
    const half = (anchor: [number, number]) => [Math.log(1 / anchor[0]), Math.log(1 / anchor[1])];
    set(1, 0, 0, [0, 0, ...half([1.87, 2.06]), 3, 5, 0]); // class a at (0,0)-(50,50), strong
    set(0, 0, 0, [0, 0, ...half([0.573, 0.677]), 2, 5, 0]); // class a, same box, weaker: suppressed
    set(2, 0, 0, [0, 0, ...half([3.34, 5.47]), 2, 0, 5]); // class b, same box: kept
    set(1, 1, 1, [0, 0, ...half([1.87, 2.06]), 2, 0, 5]); // class b at (50,50)-(100,100)
    const result = decodeCompactGrid(v, { classes: 2, rows: 2, cols: 2 }, { width: 100, height: 100 }, {
      labels: ['a', 'b'],
      scoreThreshold: 0.5,
    });
    expect(result.detections.map((d) => [d.label, rounded(d.box)])).toEqual([
      ['a', [0, 0, 50, 50]],
      ['b', [50, 50, 100, 100]],
      ['b', [0, 0, 50, 50]],
    ]);
  });

  it('reads the number of classes from the output and checks the labels against it', () => {
    const req = customVisionCompactFamily.prepare(solidImage(20, 20, [0, 0, 0]), sig(3), { scoreThreshold: 0.5, labels: ['a', 'b'] });
    const data = new Float32Array(5 * 8 * 13 * 13);
    const run = () => req.decode([{ name: 'model_outputs0', datatype: 'FP32', shape: [1, 40, 13, 13], data }]);
    expect(run).toThrow(UserInputError);
    expect(run).toThrow(/labels has 2 classes \(a, b\) but the model's model_outputs0 has 3/);
  });
});
