/**
 * Reads the entries of an artifact ZIP with fflate (sizes from the central directory: the artifact
 * client streams its zip with data descriptors, so local headers carry none).
 */
import { unzipSync } from 'fflate';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export function readZipEntries(zip: Buffer): ZipEntry[] {
  const files = unzipSync(zip, { filter: (f) => !f.name.endsWith('/') });
  return Object.entries(files).map(([name, data]) => ({ name, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }));
}
