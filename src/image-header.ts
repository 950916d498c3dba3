/**
 * Image format and size from the first bytes of a file, without decoding pixels: enough to check
 * Custom Vision's upload limits for thousands of images quickly, and smoke-test images before a plan.
 * Shared by the Custom Vision dataset checks and the smoke-test codec (one JPEG marker walk).
 */

/** The formats Custom Vision accepts for training images (CreateImagesFromData: JPEG, GIF, PNG, BMP). */
export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'gif';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** JPEG only: the SOFn marker (0xc0 baseline, 0xc2 progressive, ...) and the number of colour components. */
  jpegFrame?: { marker: number; components: number };
}

/** Undefined when the bytes are none of the accepted formats or the header is truncated. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) {
    // IHDR is the first chunk: width, height at 16 and 20 (PNG spec 11.2.2).
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const frame = jpegFrame(b);
    return frame && { format: 'jpeg', width: frame.width, height: frame.height, jpegFrame: { marker: frame.marker, components: frame.components } };
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

/**
 * Walks the JPEG marker chain (ITU T.81 B.1.1.2): `visit` sees each marker with its position and
 * returns true to stop there. Returns the position it stopped at, or -1 when the chain breaks first.
 */
function walkJpegMarkers(b: Buffer, visit: (marker: number, p: number) => boolean): number {
  let p = 2;
  while (p + 3 < b.length) {
    if (b[p] !== 0xff) return -1;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (visit(marker, p)) return p;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      p += 2; // markers without a length
      continue;
    }
    p += 2 + b.readUInt16BE(p + 2);
  }
  return -1;
}

/** Size, marker and components from the first SOFn segment (ITU T.81 B.2.2). */
function jpegFrame(b: Buffer): { width: number; height: number; marker: number; components: number } | undefined {
  const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
  const p = walkJpegMarkers(b, (m) => isFrame(m));
  if (p < 0 || p + 9 >= b.length) return undefined;
  return { marker: b[p + 1], height: b.readUInt16BE(p + 5), width: b.readUInt16BE(p + 7), components: b[p + 9] };
}

const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * Whether the file is complete: a PNG ends with its IEND chunk (PNG spec 11.2.5); a JPEG has an EOI
 * marker after its first scan (entropy-coded data never holds FF D9: T.81 B.1.1.5 stuffs every FF,
 * so the first FF D9 after SOS is the end). A thumbnail's EOI inside APP1 is skipped by the walk.
 * Bytes after the end (camera trailers, motion-photo video) are allowed.
 */
export function hasImageEnd(bytes: Uint8Array, format: ImageFormat): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') return b.lastIndexOf(PNG_IEND) >= 33;
  if (format !== 'jpeg') return true;
  const sos = walkJpegMarkers(b, (m) => m === 0xda);
  if (sos < 0) return false;
  for (let i = sos + 2 + b.readUInt16BE(sos + 2); i + 1 < b.length; i++) {
    if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  }
  return false;
}

/** A short hex dump of the first bytes, for error messages about unrecognised files. */
export function leadingBytes(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ') || 'none, the file is empty';
}
