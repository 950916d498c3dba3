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

/** Lowercase hex sha256 of a file, read as a stream (model files can be gigabytes). */
export function sha256OfFile(absPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(absPath, { highWaterMark: 1 << 20 })
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
