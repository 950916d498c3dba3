import { RgbImage } from './rgb-image';

/**
 * Bilinear resize to exactly width x height ("plain resize": the aspect ratio is not kept, as TAO
 * and Custom Vision preprocess). Pixel centres are aligned (half-pixel offsets), like OpenCV's
 * INTER_LINEAR and PIL's BILINEAR when enlarging.
 */
export function resizeBilinear(src: RgbImage, width: number, height: number): RgbImage {
  if (src.width === width && src.height === height) return src;
  const xs = samplePositions(src.width, width);
  const ys = samplePositions(src.height, height);
  const out = new Uint8Array(width * height * 3);
  const stride = src.width * 3;
  const s = src.data;
  for (let y = 0; y < height; y++) {
    const row0 = ys.lo[y] * stride;
    const row1 = ys.hi[y] * stride;
    const fy = ys.frac[y];
    let o = y * width * 3;
    for (let x = 0; x < width; x++) {
      const c0 = xs.lo[x] * 3;
      const c1 = xs.hi[x] * 3;
      const fx = xs.frac[x];
      for (let c = 0; c < 3; c++) {
        const top = s[row0 + c0 + c] + (s[row0 + c1 + c] - s[row0 + c0 + c]) * fx;
        const bottom = s[row1 + c0 + c] + (s[row1 + c1 + c] - s[row1 + c0 + c]) * fx;
        out[o++] = top + (bottom - top) * fy + 0.5;
      }
    }
  }
  return { width, height, data: out };
}

/** For each output index: the two source indices it blends and the weight of the second. */
function samplePositions(srcSize: number, dstSize: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(dstSize);
  const hi = new Int32Array(dstSize);
  const frac = new Float32Array(dstSize);
  const scale = srcSize / dstSize;
  for (let i = 0; i < dstSize; i++) {
    const pos = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), srcSize - 1);
    lo[i] = Math.floor(pos);
    hi[i] = Math.min(lo[i] + 1, srcSize - 1);
    frac[i] = pos - lo[i];
  }
  return { lo, hi, frac };
}
