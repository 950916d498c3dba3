// File and repository hashes. Upload paths and Azure ML model versions derive from the
// repository hash, so its byte layout below is a compatibility contract: change it and every
// deployed repository looks new.

import { createHash } from 'crypto';
import * as fs from 'fs';

export interface HashedFile {
  /** posix path relative to the repository root */
  path: string;
  size: number;
  /** lowercase hex sha256 of the file's bytes */
  sha256: string;
}

/** Files up to this size are read in one piece; larger ones stream in reads of this size. */
export const HASH_READ_BYTES = 1 << 20;

/**
 * Lowercase hex sha256 of a file. A file of known size up to HASH_READ_BYTES is read whole, into a
 * buffer of its own size (a 1 MiB stream buffer per 4 KiB file made many small files 3x slower to
 * hash); larger ones stream (model files can be gigabytes).
 */
export async function sha256OfFile(absPath: string, size?: number): Promise<string> {
  if (size !== undefined && size <= HASH_READ_BYTES) return createHash('sha256').update(await fs.promises.readFile(absPath)).digest('hex');
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(absPath, { highWaterMark: HASH_READ_BYTES })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * sha256 (lowercase hex) over the repository's files. Byte layout hashed, for each file in
 * order of its path's UTF-8 bytes (byte-wise, like `LC_ALL=C sort`):
 *
 *   <path as UTF-8> 0x00 <size as ASCII decimal> 0x00 <file sha256 as 64 lowercase hex chars> 0x0A
 *
 * Paths are posix and relative to the root ("detectnet_tao/1/model.plan"). No header, no
 * trailing bytes; an empty repository hashes the empty string. Paths cannot contain 0x00, and
 * the size and hash fields have fixed terminators, so two different lists never hash alike.
 */
export function repositoryContentHash(files: HashedFile[]): string {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const hash = createHash('sha256');
  for (const f of sorted) hash.update(`${f.path}\0${f.size}\0${f.sha256}\n`, 'utf8');
  return hash.digest('hex');
}
