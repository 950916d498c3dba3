/**
 * Child process of the hash benchmark: validates and hashes the repository at argv[2] twice (the
 * first run warms the JIT and the page cache) and prints the second run's time and the peak RSS
 * over both, measured from the RSS just before the first run. With --raw it then times sha256 of
 * in-memory 1 MiB chunks as many as the repository's bytes: this CPU's ceiling, measured right
 * after, because a shared VM's speed drifts from minute to minute. With --save <file> it writes the
 * ModelRepository as JSON, so the upload benchmark need not hash 512 MiB again.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { ModelRepository, validateModelRepository } from '../src/model-repository/validate-model-repository';
import { MIB, runChildMain, timeOnce, withPeakRss } from './measurement';

export interface HashChildResult {
  bytes: number;
  files: number;
  ms: number;
  rssBefore: number;
  peakRss: number;
  contentHash: string;
  /** Milliseconds to sha256 the same number of bytes from memory (with --raw). */
  rawMs?: number;
}

runChildMain(async (): Promise<HashChildResult> => {
  const root = process.argv[2];
  const { result, rssBefore, peakRss } = await withPeakRss(async () => {
    await validateModelRepository(root);
    let repo: ModelRepository | undefined;
    const ms = await timeOnce(async () => (repo = await validateModelRepository(root)));
    return { repo: repo!, ms };
  });
  const { repo, ms } = result;
  const bytes = repo.files.reduce((n, f) => n + f.size, 0);
  const save = process.argv.indexOf('--save');
  if (save > 0) fs.writeFileSync(process.argv[save + 1], JSON.stringify(repo));
  return {
    bytes,
    files: repo.files.length,
    ms,
    rssBefore,
    peakRss,
    contentHash: repo.contentHash,
    ...(process.argv.includes('--raw') ? { rawMs: await timeOnce(() => rawSha256(bytes)) } : {}),
  };
});

function rawSha256(bytes: number): string {
  const chunk = Buffer.alloc(MIB, 7);
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= MIB) hash.update(left >= MIB ? chunk : chunk.subarray(0, left));
  return hash.digest('hex');
}
