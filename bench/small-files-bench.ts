/**
 * Benchmark 5: a repository of many small files (10,000 x 4 KiB beside the bundled sample model, as
 * a Python-backend model with its assets or a tokenizer folder can be). Hashing them costs file
 * opens, not bytes, and uploading them costs one request each, so what matters is how many are in
 * flight, not the read buffer or block size a large model needs. Same children as benchmarks 1 and 2.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from '../testbed/peers/azurite';
import { makeCertificates } from '../testbed/tls/make-certificates';
import { onCleanup } from './cleanup-on-exit';
import type { HashChildResult } from './hash-child';
import { mb, runBenchChild } from './measurement';
import type { BenchRow } from './result-table';
import { SAMPLE_REPOSITORY } from './synthetic-repository';
import type { UploadChildResult } from './upload-child';

export const SMALL_FILE_COUNT = 10_000;
export const SMALL_FILE_BYTES = 4096;
/** Targets: ~50k files/s of hashing is what a read of 4 KiB from the page cache allows; uploads, ~500 requests/s against Azurite on 2 shared cores. */
export const SMALL_HASH_TARGET_S = 2;
export const SMALL_UPLOAD_TARGET_S = 30;

/** Writes the sample repository plus `count` files of `bytes` under <model>/1/assets/, 100 per folder. */
export async function writeSmallFilesRepository(root: string, count = SMALL_FILE_COUNT, bytes = SMALL_FILE_BYTES): Promise<void> {
  await fs.promises.cp(SAMPLE_REPOSITORY, root, { recursive: true });
  const model = fs.readdirSync(root).find((e) => fs.statSync(path.join(root, e)).isDirectory())!;
  const content = randomBytes(bytes);
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, model, '1', 'assets', String(Math.floor(i / 100)).padStart(3, '0'));
    if (i % 100 === 0) await fs.promises.mkdir(dir, { recursive: true });
    content.writeUInt32LE(i, 0);
    await fs.promises.writeFile(path.join(dir, `${String(i).padStart(5, '0')}.bin`), content);
  }
}

export async function benchSmallFiles(workDir: string, log: (s: string) => void): Promise<BenchRow[]> {
  const root = path.join(workDir, 'repo-small-files');
  await writeSmallFilesRepository(root);
  const repoJson = path.join(workDir, 'small-files-repository.json');
  const hashed = await runBenchChild<HashChildResult>('hash-child.ts', [root, '--save', repoJson]);
  log(`  hash: ${hashed.files} files, ${mb(hashed.bytes).toFixed(1)} MiB in ${hashed.ms.toFixed(0)} ms, peak RSS delta ${mb(hashed.peakRss - hashed.rssBefore).toFixed(0)} MiB`);
  if (hashed.files < SMALL_FILE_COUNT) throw new Error(`hashed ${hashed.files} files; expected at least ${SMALL_FILE_COUNT}`);

  const stateDir = path.join(workDir, 'azurite-small-files');
  fs.mkdirSync(stateDir);
  const certs = await makeCertificates(stateDir);
  const azurite = await startAzurite({ stateDir, certFile: certs.certFile, keyFile: certs.keyFile });
  const forget = onCleanup(() => azurite.process.stop());
  let up: UploadChildResult;
  try {
    const endpoint = `https://127.0.0.1:${azurite.port}/{account}`;
    up = await runBenchChild<UploadChildResult>('upload-child.ts', [repoJson, endpoint, AZURITE_ACCOUNT, AZURITE_KEY, 'azureml-blobstore-small'], { NODE_EXTRA_CA_CERTS: certs.caFile });
  } finally {
    forget();
    await azurite.process.stop();
  }
  log(`  upload: ${up.first.uploadedFiles} files in ${up.first.ms.toFixed(0)} ms (client CPU ${up.first.cpuMs.toFixed(0)} ms); again: ${up.again.skippedFiles} skipped in ${up.again.ms.toFixed(0)} ms`);
  if (up.again.uploadedFiles !== 0) throw new Error(`the second upload sent ${up.again.uploadedFiles} files again; expected none`);
  const hashS = hashed.ms / 1000;
  const uploadS = up.first.ms / 1000;
  return [
    { area: 'small files', measure: `validate + hash ${hashed.files} files (${SMALL_FILE_COUNT} x ${SMALL_FILE_BYTES / 1024} KiB)`, value: hashS, unit: 's', digits: 2, target: `< ${SMALL_HASH_TARGET_S} s`, meets: hashS < SMALL_HASH_TARGET_S },
    { area: 'small files', measure: 'peak RSS delta of the hash', value: mb(hashed.peakRss - hashed.rssBefore), unit: 'MiB', digits: 0 },
    { area: 'small files', measure: `first upload of ${up.first.uploadedFiles} files to Azurite, wall`, value: uploadS, unit: 's', digits: 1, target: `< ${SMALL_UPLOAD_TARGET_S} s`, meets: uploadS < SMALL_UPLOAD_TARGET_S },
    { area: 'small files', measure: 'first upload, requests per second', value: up.first.uploadedFiles / uploadS, unit: '/s', digits: 0 },
    { area: 'small files', measure: 'first upload, client CPU time', value: up.first.cpuMs / 1000, unit: 's', digits: 1 },
    { area: 'small files', measure: 'peak RSS delta of the upload', value: mb(up.first.peakRss - up.first.rssBefore), unit: 'MiB', digits: 0 },
    { area: 'small files', measure: `re-run: ${up.again.skippedFiles} files already there (listing only)`, value: up.again.ms, unit: 'ms', digits: 0 },
  ];
}
