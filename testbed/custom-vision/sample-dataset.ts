/**
 * The bundled Custom Vision sample: COCO annotations and small PNG street scenes with two tags,
 * drawn with the test-model colours so the emulator's exported model really finds them.
 * Tag names sort in class order (labels.txt is sorted): "stop-sign" = class 0 (red),
 * "tree" = class 1 (green). Same code, same bytes.
 */
import { PNG } from 'pngjs';
import { drawScene, SceneObject } from '../onnx-models/onnx-models';

/** An 8-bit RGB PNG of a drawn scene (pixels are RGB, 3 bytes each). */
function encodePng(scene: { width: number; height: number; data: Uint8Array }): Buffer {
  const png = new PNG({ width: scene.width, height: scene.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(scene.data.buffer, scene.data.byteOffset, scene.width * scene.height * 3);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

export const SAMPLE_TAGS = ['stop-sign', 'tree'] as const;
export const SAMPLE_IMAGE_COUNT = 18;
const WIDTH = 288;
const HEIGHT = 256;

/** A deterministic PRNG (mulberry32) for the layouts. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Non-overlapping squares with 12 px between them, so each stays one detection. */
function layout(seed: number, classes: number[]): SceneObject[] {
  const rnd = random(seed);
  const placed: SceneObject[] = [];
  for (const classIndex of classes) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const size = 40 + Math.floor(rnd() * 40);
      const x1 = 8 + Math.floor(rnd() * (WIDTH - size - 16));
      const y1 = 8 + Math.floor(rnd() * (HEIGHT - size - 16));
      const box = { classIndex, x1, y1, x2: x1 + size, y2: y1 + size };
      const clear = placed.every((o) => box.x1 >= o.x2 + 12 || o.x1 >= box.x2 + 12 || box.y1 >= o.y2 + 12 || o.y1 >= box.y2 + 12);
      if (clear) {
        placed.push(box);
        break;
      }
    }
  }
  return placed;
}

/** Which classes image i shows: both tags on most images, one tag on a few. */
function classesOf(i: number): number[] {
  if (i % 6 === 4) return [0];
  if (i % 6 === 5) return [1];
  return i % 3 === 0 ? [0, 1, 1] : [0, 1];
}

/** Relative path -> bytes: dataset/annotations.json, dataset/images/street-NN.png, images/test.png. */
export function sampleDatasetFiles(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  for (let i = 0; i < SAMPLE_IMAGE_COUNT; i++) {
    const name = `street-${String(i + 1).padStart(2, '0')}.png`;
    const objects = layout(1000 + i, classesOf(i));
    files[`dataset/images/${name}`] = encodePng(drawScene({ width: WIDTH, height: HEIGHT, objects, seed: 2000 + i }));
    images.push({ id: i + 1, file_name: name, width: WIDTH, height: HEIGHT });
    for (const o of objects) {
      annotations.push({
        id: annotations.length + 1, image_id: i + 1, category_id: o.classIndex + 1,
        bbox: [o.x1, o.y1, o.x2 - o.x1, o.y2 - o.y1], area: (o.x2 - o.x1) * (o.y2 - o.y1), iscrowd: 0,
      });
    }
  }
  const categories = SAMPLE_TAGS.map((name, k) => ({ id: k + 1, name, supercategory: 'street' }));
  const coco = { info: { description: 'aml-triton-deploy Custom Vision sample (generated)', version: '1.0' }, images, annotations, categories };
  files['dataset/annotations.json'] = Buffer.from(`${JSON.stringify(coco, null, 1)}\n`);
  const testObjects = [
    { classIndex: 0, x1: 60, y1: 90, x2: 130, y2: 160 },
    { classIndex: 1, x1: 220, y1: 60, x2: 300, y2: 140 },
  ];
  files['images/test.png'] = encodePng(drawScene({ width: 384, height: 256, objects: testObjects, seed: 4242 }));
  return files;
}

/** The objects drawn in images/test.png, for tests that check detections. */
export const SAMPLE_TEST_OBJECTS = [
  { tag: 'stop-sign', x1: 60, y1: 90, x2: 130, y2: 160 },
  { tag: 'tree', x1: 220, y1: 60, x2: 300, y2: 140 },
] as const;
