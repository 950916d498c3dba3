/**
 * Benchmark 1: validateModelRepository (validation + streaming sha256 of every file) on the bundled
 * sample and on synthetic repositories of two model sizes, each in a fresh process so its peak RSS
 * is its own. Streaming means the RSS delta stays the same when the model grows 8x.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { HashChildResult } from './hash-child';
import { MIB, mb, mbPerS, runBenchChild } from './measurement';
import type { BenchRow } from './result-table';
import { SAMPLE_REPOSITORY, writeSyntheticRepository } from './synthetic-repository';

export const HASH_TARGET_MB_PER_S = 200;
/** Four 1 MiB read buffers in flight plus stream bookkeeping; far below any model's size. */
export const HASH_RSS_DELTA_TARGET_MB = 64;

/**
 * Writes `<workDir>/repo-<size>mb` repositories and hashes them. Leaves the large one, and its
 * ModelRepository as JSON (`largeRepoJson`), for the upload benchmark.
 */
export async function benchValidateAndHash(workDir: string, largeMb: number, log: (s: string) => void): Promise<{ rows: BenchRow[]; largeRepoJson: string }> {
  const rows: BenchRow[] = [];
  const smallMb = Math.max(1, Math.round(largeMb / 8));
  const sample = await runBenchChild<HashChildResult>('hash-child.ts', [SAMPLE_REPOSITORY]);
  log(`  sample: ${sample.files} files, ${sample.bytes} bytes in ${sample.ms.toFixed(1)} ms`);
  rows.push({ area: 'hash', measure: `validate + hash bundled sample (${sample.files} files, ${(sample.bytes / 1024).toFixed(0)} KiB)`, value: sample.ms, unit: 'ms', target: '< 100 ms', meets: sample.ms < 100 });

  const results: { sizeMb: number; r: HashChildResult }[] = [];
  const largeRepoJson = path.join(workDir, 'large-repository.json');
  for (const sizeMb of [smallMb, largeMb]) {
    const root = path.join(workDir, `repo-${sizeMb}mb`);
    const written = await writeSyntheticRepository(root, sizeMb * MIB);
    const r = await runBenchChild<HashChildResult>('hash-child.ts', [root, ...(sizeMb === largeMb ? ['--raw', '--save', largeRepoJson] : [])]);
    log(`  ${sizeMb} MiB model: ${mb(r.bytes).toFixed(0)} MiB in ${r.ms.toFixed(0)} ms, RSS ${mb(r.rssBefore).toFixed(0)} -> peak ${mb(r.peakRss).toFixed(0)} MiB`);
    if (r.bytes !== written) throw new Error(`hashed ${r.bytes} bytes of a ${written}-byte repository`);
    results.push({ sizeMb, r });
    if (sizeMb !== largeMb) fs.rmSync(root, { recursive: true, force: true });
  }
  for (const { sizeMb, r } of results) {
    const speed = mbPerS(r.bytes, r.ms);
    const delta = mb(r.peakRss - r.rssBefore);
    rows.push({ area: 'hash', measure: `validate + hash, ${sizeMb} MiB model.plan (warm cache)`, value: speed, unit: 'MB/s', digits: 0, target: `>= ${HASH_TARGET_MB_PER_S} MB/s`, meets: speed >= HASH_TARGET_MB_PER_S });
    rows.push({ area: 'hash', measure: `peak RSS delta, ${sizeMb} MiB model.plan`, value: delta, unit: 'MiB', target: `<= ${HASH_RSS_DELTA_TARGET_MB} MiB`, meets: delta <= HASH_RSS_DELTA_TARGET_MB });
  }
  const raw = results[1].r.rawMs;
  if (raw !== undefined) {
    const rawSpeed = mbPerS(results[1].r.bytes, raw);
    const share = (100 * raw) / results[1].r.ms;
    rows.push({ area: 'hash', measure: `sha256 of the same bytes from memory (CPU ceiling)`, value: rawSpeed, unit: 'MB/s', digits: 0 });
    rows.push({ area: 'hash', measure: `hashing speed as a share of the CPU ceiling`, value: share, unit: '%', digits: 0, target: '>= 80 %', meets: share >= 80 });
  }
  const [small, large] = results.map(({ r }) => mb(r.peakRss - r.rssBefore));
  const growth = large - small;
  rows.push({ area: 'hash', measure: `RSS delta growth, ${smallMb} -> ${largeMb} MiB model`, value: growth, unit: 'MiB', target: '< 16 MiB (independent of size)', meets: growth < 16 });
  return { rows, largeRepoJson };
}

