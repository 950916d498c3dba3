import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserInputError } from '../errors';
import { RgbImage } from './rgb-image';

/** Larger pictures are refused before decoding: a smoke-test image needs nothing near this. */
export const MAX_IMAGE_PIXELS = 40_000_000;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a JPEG or PNG (told apart by their magic bytes, not the file name) to RGB.
 * PNG transparency is composited on black; 16-bit, grey and palette PNGs are normalised by pngjs.
 * @throws UserInputError naming `file` for other formats, corrupt data or huge dimensions.
 */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(buf, PNG_SIGNATURE)) return decodePng(buf, file);
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return decodeJpeg(buf, file);
  const head = [...buf.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new UserInputError(
    `${file}: not a JPEG or PNG image (first bytes: ${head || 'none, the file is empty'}); ` +
      'expected a JPEG (FF D8 FF ...) or PNG (89 50 4E 47 ...) file',
    { file },
  );
}

/** Encodes an RGB image as an 8-bit truecolour PNG. */
export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.width * img.height * 3);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

function decodePng(buf: Buffer, file: string): RgbImage {
  // IHDR is always the first chunk: width and height at bytes 16..23 (PNG spec 11.2.2).
  if (buf.length >= 24) checkSize(buf.readUInt32BE(16), buf.readUInt32BE(20), file);
  let png: PNG;
  try {
    png = PNG.sync.read(buf);
  } catch (e) {
    throw corrupt(file, 'PNG', e);
  }
  checkSize(png.width, png.height, file);
  const n = png.width * png.height;
  const out = new Uint8Array(n * 3);
  const src = png.data;
  for (let i = 0; i < n; i++) {
    const a = src[i * 4 + 3];
    // Composite on black: c * a / 255, rounded.
    out[i * 3] = (src[i * 4] * a + 127) / 255;
    out[i * 3 + 1] = (src[i * 4 + 1] * a + 127) / 255;
    out[i * 3 + 2] = (src[i * 4 + 2] * a + 127) / 255;
  }
  return { width: png.width, height: png.height, data: out };
}

function decodeJpeg(buf: Buffer, file: string): RgbImage {
  const size = jpegSize(buf);
  if (size) checkSize(size.width, size.height, file);
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(buf, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    throw corrupt(file, 'JPEG', e);
  }
  checkSize(raw.width, raw.height, file);
  const n = raw.width * raw.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = raw.data[i * 4];
    out[i * 3 + 1] = raw.data[i * 4 + 1];
    out[i * 3 + 2] = raw.data[i * 4 + 2];
  }
  return { width: raw.width, height: raw.height, data: out };
}

/** Width and height from the first SOFn segment (ITU T.81 B.2.2), or undefined if none is found. */
function jpegSize(buf: Buffer): { width: number; height: number } | undefined {
  let p = 2;
  while (p + 9 < buf.length) {
    if (buf[p] !== 0xff) return undefined;
    const marker = buf[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      p += 2; // markers without a length
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: buf.readUInt16BE(p + 5), width: buf.readUInt16BE(p + 7) };
    p += 2 + buf.readUInt16BE(p + 2);
  }
  return undefined;
}

function checkSize(width: number, height: number, file: string): void {
  if (width === 0 || height === 0) {
    throw new UserInputError(`${file}: the image is ${width}x${height} pixels; expected a non-empty image`, { file });
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new UserInputError(
      `${file}: the image is ${width}x${height} pixels (${((width * height) / 1e6).toFixed(1)} MP); ` +
        `expected at most ${MAX_IMAGE_PIXELS / 1e6} MP. Use a smaller smoke-test image`,
      { file },
    );
  }
}

function corrupt(file: string, format: string, cause: unknown): UserInputError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new UserInputError(`${file}: the ${format} data is corrupt or truncated (${why}); expected a readable ${format} file`, {
    file,
  });
}

function startsWith(buf: Buffer, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}
