/**
 * The emulator's export packages are ZIP archives written by fflate, deflated like Custom Vision's,
 * with a fixed timestamp so the same files give the same bytes.
 */
import { zipSync } from 'fflate';

const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

export function writeZip(files: { name: string; data: Uint8Array }[]): Buffer {
  const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, [f.data, { mtime: FIXED_MTIME }]])), { level: 6 });
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
}
