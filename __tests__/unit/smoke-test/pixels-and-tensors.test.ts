import { fontShape, glyph } from '../../../src/smoke-test/bitmap-font';
import { resizeBilinear } from '../../../src/smoke-test/resize';
import { floatToHalf, halfToFloat, tensorValues } from '../../../src/smoke-test/tensors';

describe('resizeBilinear', () => {
  it('returns the same image when the size does not change', () => {
    const img = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect(resizeBilinear(img, 2, 1)).toBe(img);
  });

  it('interpolates between pixel centres when enlarging', () => {
    // 2x1 black|white to 4x1: centres at 0.25, 0.75, 1.25, 1.75 source pixels -> 0, 64, 191, 255.
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
    const out = resizeBilinear(img, 4, 1);
    expect([...out.data.filter((_, i) => i % 3 === 0)]).toEqual([0, 64, 191, 255]);
  });

  it('changes the aspect ratio (plain resize) and keeps a flat colour flat', () => {
    const data = new Uint8Array(30 * 10 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([10, 20, 30], i);
    const out = resizeBilinear({ width: 30, height: 10, data }, 8, 16);
    expect([out.width, out.height]).toEqual([8, 16]);
    expect(out.data.every((v, i) => v === [10, 20, 30][i % 3])).toBe(true);
  });
});

describe('tensor values', () => {
  it.each([
    [0, 0x0000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
  ])('%p is FP16 bits %p and back', (value, bits) => {
    expect(floatToHalf(value)).toBe(bits);
    expect(halfToFloat(bits)).toBe(value > 65504 ? Infinity : value);
  });

  it('reads FP16 bit patterns, INT64 and JSON numbers as numbers', () => {
    expect([...tensorValues({ name: 'h', datatype: 'FP16', shape: [2], data: Uint16Array.from([0x3c00, 0x3800]) })]).toEqual([1, 0.5]);
    expect([...tensorValues({ name: 'i', datatype: 'INT64', shape: [2], data: BigInt64Array.from([3n, -1n]) })]).toEqual([3, -1]);
    expect([...tensorValues({ name: 'j', datatype: 'FP32', shape: [2], data: [0.25, 2] })]).toEqual([0.25, 2]);
  });
});

describe('bitmap font', () => {
  it('has a 5x7 glyph for each of the 95 printable ASCII characters', () => {
    expect(fontShape()).toEqual({ glyphs: 95, wellFormed: true });
  });

  it('draws a blank space, a vertical bar down the middle, and "?" for other characters', () => {
    expect([...glyph(' ')]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect([...glyph('|')]).toEqual([4, 4, 4, 4, 4, 4, 4]);
    expect(glyph('é')).toEqual(glyph('?'));
  });
});
