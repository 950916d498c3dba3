/**
 * Image format and size from the first bytes of a file, without decoding pixels: enough to check
 * Custom Vision's upload limits for thousands of images quickly.
 */

/** The formats Custom Vision accepts for training images (CreateImagesFromData: JPEG, GIF, PNG, BMP). */
export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'gif';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Undefined when the bytes are none of the accepted formats or the header is truncated. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    // IHDR is the first chunk: width, height at 16 and 20 (PNG spec 11.2.2).
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegFrameSize(b);
    return size && { format: 'jpeg', ...size };
  }
  if (b.length >= 10 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) {
    // Logical screen descriptor right after the signature (GIF89a spec section 18).
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    // BITMAPCOREHEADER (12 bytes) has 16-bit sizes; later DIB headers 32-bit, height negative for top-down rows.
    const dibSize = b.readUInt32LE(14);
    if (dibSize === 12) return { format: 'bmp', width: b.readUInt16LE(18), height: b.readUInt16LE(20) };
    return { format: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
  }
  return undefined;
}

/** Size from the first SOFn segment (ITU T.81 B.2.2); undefined if the marker chain breaks first. */
function jpegFrameSize(b: Buffer): { width: number; height: number } | undefined {
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      p += 2;
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return { height: b.readUInt16BE(p + 5), width: b.readUInt16BE(p + 7) };
    p += 2 + b.readUInt16BE(p + 2);
  }
  return undefined;
}

/** A short hex dump of the first bytes, for error messages about unrecognised files. */
export function leadingBytes(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ') || 'none, the file is empty';
}
