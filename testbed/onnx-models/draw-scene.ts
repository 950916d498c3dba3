/**
 * Test scenes for the colour-square models: a mildly noisy dark grey background (every channel
 * stays in 30..95, so no pixel matches a class colour) with filled rectangles in class colours
 * (channels within 20 of 255 or 0). Same arguments, same bytes.
 */
import { OBJECT_COLOURS } from './object-colours';

export interface SceneObject {
  classIndex: number;
  /** Pixel edges: x1,y1 inclusive, x2,y2 exclusive. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Scene {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major (the RgbImage layout). */
  data: Uint8Array;
}

export function drawScene(opts: { width: number; height: number; objects: SceneObject[]; seed: number }): Scene {
  const { width, height, objects } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`scene size must be positive integers, got ${width}x${height}`);
  }
  const random = mulberry32(opts.seed);
  const data = new Uint8Array(width * height * 3);
  // A gentle vertical gradient plus grey noise in 4x4 blocks: mildly noisy like a dim street,
  // yet it compresses well enough for the bundled sample images.
  const blocksX = Math.ceil(width / 4);
  const blockNoise = Array.from({ length: Math.ceil(height / 4) * blocksX }, () => 4 * Math.floor(random() * 5) - 8);
  for (let y = 0; y < height; y++) {
    const base = 45 + Math.round((20 * y) / height);
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const shade = clamp(base + blockNoise[(y >> 2) * blocksX + (x >> 2)], 30, 91);
      data[o] = shade;
      data[o + 1] = shade;
      data[o + 2] = shade + 4; // a slight blue cast
    }
  }
  for (const obj of objects) {
    const colour = OBJECT_COLOURS[obj.classIndex];
    if (!colour) throw new RangeError(`classIndex must be 0..${OBJECT_COLOURS.length - 1}, got ${obj.classIndex}`);
    const x1 = clamp(Math.round(obj.x1), 0, width);
    const x2 = clamp(Math.round(obj.x2), 0, width);
    const y1 = clamp(Math.round(obj.y1), 0, height);
    const y2 = clamp(Math.round(obj.y2), 0, height);
    for (let y = y1; y < y2; y++) {
      for (let x = x1; x < x2; x++) {
        const o = (y * width + x) * 3;
        for (let k = 0; k < 3; k++) {
          const jitter = Math.floor(random() * 21);
          data[o + k] = colour.rgb[k] > 127 ? 255 - jitter : jitter;
        }
      }
    }
  }
  return { width, height, data };
}

/** Small, well-known 32-bit PRNG; deterministic for a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Scene -> NCHW float32 tensor data, channels in the given order, values times `scale`. */
export function sceneToNchw(scene: Scene, channelOrder: 'RGB' | 'BGR', scale: number): Float32Array {
  const { width, height, data } = scene;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      const channel = channelOrder === 'RGB' ? k : 2 - k;
      out[channel * plane + p] = data[p * 3 + k] * scale;
    }
  }
  return out;
}
