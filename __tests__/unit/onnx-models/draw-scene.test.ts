import { drawScene, OBJECT_COLOURS, pixelMatchesClass } from '../../../testbed/onnx-models/onnx-models';
import { sha256 } from './reference-decoders';

describe('drawScene', () => {
  const objects = [
    { classIndex: 0, x1: 5, y1: 6, x2: 25, y2: 30 },
    { classIndex: 3, x1: 40, y1: 10, x2: 60, y2: 20 },
  ];

  it('fills each object with pixels of its class and no others', () => {
    const scene = drawScene({ width: 64, height: 48, objects, seed: 1 });
    const classAt = (x: number, y: number) => {
      const o = (y * 64 + x) * 3;
      const d = scene.data;
      return OBJECT_COLOURS.map((_, c) => c).filter((c) => pixelMatchesClass(d[o], d[o + 1], d[o + 2], c));
    };
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 64; x++) {
        const inside = objects.find((b) => x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2);
        expect(classAt(x, y)).toEqual(inside ? [inside.classIndex] : []);
      }
    }
  });

  it('draws a background that is noisy but never matches a class colour', () => {
    const { data } = drawScene({ width: 200, height: 100, objects: [], seed: 9 });
    expect(new Set(data).size).toBeGreaterThan(10);
    expect(Math.max(...data)).toBeLessThan(100);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = drawScene({ width: 32, height: 32, objects, seed: 4 });
    expect(sha256(a.data)).toBe(sha256(drawScene({ width: 32, height: 32, objects, seed: 4 }).data));
    expect(sha256(a.data)).not.toBe(sha256(drawScene({ width: 32, height: 32, objects, seed: 5 }).data));
    expect(a.data.length).toBe(32 * 32 * 3);
  });

  it('rejects an unknown class index', () => {
    expect(() => drawScene({ width: 8, height: 8, objects: [{ classIndex: 99, x1: 0, y1: 0, x2: 1, y2: 1 }], seed: 0 })).toThrow(/classIndex/);
  });
});
