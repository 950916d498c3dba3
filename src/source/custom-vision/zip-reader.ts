/**
 * Reads the files of a ZIP archive held in memory (the Custom Vision export is tens of MB): stored
 * and deflated entries, CRC-32 checked. Layout: PKWARE APPNOTE.TXT 4.3 (end of central directory
 * 4.3.16, central directory header 4.3.12, local file header 4.3.7). No ZIP64, no encryption.
 */
import * as zlib from 'zlib';

export class ZipFormatError extends Error {}

/**
 * The most an archive may unpack to, each file and all together. A Custom Vision export's model is
 * tens of MB; the cap stops a small archive that inflates to GBs (a "zip bomb") before it takes the
 * runner's memory. The declared sizes are checked first, and inflate is bounded by the declared size,
 * so an archive that lies about them stops there too.
 */
export const MAX_UNPACKED_BYTES = 128 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** File name -> contents; folders are skipped. */
export function readZip(zip: Buffer, maxUnpackedBytes = MAX_UNPACKED_BYTES): Map<string, Buffer> {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
  const files = new Map<string, Buffer>();
  let unpacked = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`bad central directory entry ${i}`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength).replace(/\\/g, '/');
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new ZipFormatError(`${name} is encrypted`);
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) throw new ZipFormatError(`bad local header for ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (raw.length !== compressedSize) throw new ZipFormatError(`${name} is truncated`);
    unpacked += size;
    if (unpacked > maxUnpackedBytes) {
      throw new ZipFormatError(`${name} unpacks to ${size} bytes, past the limit of ${maxUnpackedBytes / 1048576} MiB for the whole archive`);
    }
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateAtMost(raw, size, name);
    else throw new ZipFormatError(`${name} uses compression method ${method}; expected stored (0) or deflate (8)`);
    if (data.length !== size || crc32(data) !== crc) throw new ZipFormatError(`${name} fails its size or CRC-32 check`);
    files.set(name, data);
  }
  return files;
}

/** Inflates at most `size` bytes (the declared size, already checked against the cap); more is an error. */
function inflateAtMost(raw: Buffer, size: number, name: string): Buffer {
  try {
    // One byte more than declared shows a lying header without inflating the rest.
    return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, size + 1) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipFormatError(`${name} inflates to more than its declared ${size} bytes`);
    throw new ZipFormatError(`${name} does not inflate: ${(e as Error).message}`);
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  for (let p = zip.length - 22; p >= Math.max(0, zip.length - 22 - 0xffff); p--) {
    if (zip.readUInt32LE(p) === EOCD_SIGNATURE) return p;
  }
  throw new ZipFormatError('no end-of-central-directory record: not a ZIP archive');
}

let table: Uint32Array | undefined;

/** CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) as ZIP uses it. */
export function crc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
