import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserInputError } from '../errors';
import { hasImageEnd, leadingBytes, readImageHeader, type ImageHeader } from '../image-header';
import { RgbImage } from './rgb-image';

/**
 * Larger pictures are refused before decoding: a smoke-test image needs nothing near this. The image
 * is decoded on the runner (jpeg-js keeps RGBA plus component planes, ~10 bytes a pixel at peak, so
 * 40 MP stays under 0.5 GB of a hosted runner's 7 GB) and resized to the model's input before it is
 * sent, so Triton never sees the full size.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** SOF0 baseline, SOF1 extended and SOF2 progressive Huffman: what jpeg-js decodes. */
const DECODABLE_JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2]);

/**
 * Checks a file the way decodeImage will read it, from its header and its end, without decoding
 * pixels: a JPEG or PNG whose header this codec can decode, complete (JPEG EOI / PNG IEND), and within
 * MAX_IMAGE_PIXELS. Cheap enough to run on every smoke-test image before anything is deployed.
 * @throws UserInputError naming `file`.
 */
export function checkImageFile(bytes: Uint8Array, file: string): ImageHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const looksLike = startsWith(buf, PNG_SIGNATURE) ? 'PNG' : startsWith(buf, JPEG_SOI) ? 'JPEG' : undefined;
  if (!looksLike) {
    throw notJpegOrPng(bytes, file);
  }
  const header = readImageHeader(bytes);
  if (!header) {
    throw new UserInputError(`${file}: the ${looksLike} header is truncated or corrupt (no ${looksLike === 'PNG' ? 'IHDR chunk' : 'frame header (SOFn)'} could be read); expected a readable ${looksLike} file`, { file });
  }
  checkSize(header.width, header.height, file);
  if (header.format === 'png') checkPngHeader(bytes, file);
  if (header.jpegFrame && !DECODABLE_JPEG_FRAMES.has(header.jpegFrame.marker)) {
    throw new UserInputError(
      `${file}: the JPEG uses coding SOF${header.jpegFrame.marker - 0xc0} (lossless, hierarchical or arithmetic); expected a baseline or progressive JPEG`,
      { file },
    );
  }
  if (header.jpegFrame && ![1, 3, 4].includes(header.jpegFrame.components)) {
    throw new UserInputError(`${file}: the JPEG has ${header.jpegFrame.components} colour components; expected 1 (grey), 3 (YCbCr) or 4 (CMYK)`, { file });
  }
  if (!hasImageEnd(bytes, header.format)) {
    const end = header.format === 'png' ? 'the IEND chunk' : 'the end-of-image marker (FF D9)';
    throw new UserInputError(`${file}: the ${looksLike} file is truncated (${end} is missing after ${bytes.length} bytes); expected a complete ${looksLike} file`, { file });
  }
  return header;
}

/** IHDR first, with a bit depth the colour type allows (PNG spec 11.2.2, table 11.1). */
function checkPngHeader(bytes: Uint8Array, file: string): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const allowed: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  const type = b.toString('latin1', 12, 16);
  const depth = b[24];
  const colour = b[25];
  if (type !== 'IHDR' || b.length < 33 || !allowed[colour]?.includes(depth)) {
    throw new UserInputError(
      `${file}: the PNG header is corrupt (${type !== 'IHDR' ? `first chunk '${type}'` : `bit depth ${depth}, colour type ${colour}`}); expected an IHDR chunk as PNG 1.2 defines it`,
      { file },
    );
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SOI = [0xff, 0xd8, 0xff];

/**
 * Decodes a JPEG or PNG (told apart by their magic bytes, not the file name) to RGB.
 * PNG transparency is composited on black; 16-bit, grey and palette PNGs are normalised by pngjs.
 * @throws UserInputError naming `file` for other formats, corrupt data or huge dimensions.
 */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(buf, PNG_SIGNATURE)) return decodePng(buf, file);
  if (startsWith(buf, JPEG_SOI)) return decodeJpeg(buf, file);
  throw notJpegOrPng(bytes, file);
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
  const header = readImageHeader(buf);
  if (header) checkSize(header.width, header.height, file);
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

function notJpegOrPng(bytes: Uint8Array, file: string): UserInputError {
  return new UserInputError(`${file}: not a JPEG or PNG image (first bytes: ${leadingBytes(bytes)}); expected a JPEG (FF D8 FF ...) or PNG (89 50 4E 47 ...) file`, {
    file,
  });
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
