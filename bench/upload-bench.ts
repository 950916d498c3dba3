/**
 * Benchmark 2: the model upload to blob storage. Starts only Azurite (HTTPS, in memory), the way
 * the test bed does, and runs the action's upload path in a child that trusts the test CA.
 * Azurite on loopback has no network limit, so this measures the client's own cost: a real upload
 * is bounded by the runner's link to Azure, and the client must not be slower than that link.
 */
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from '../testbed/peers/azurite';
import { makeCertificates } from '../testbed/tls/make-certificates';
import { onCleanup } from './cleanup-on-exit';
import { mb, mbPerS, runBenchChild } from './measurement';
import type { BenchRow } from './result-table';
import type { UploadChildResult } from './upload-child';

/**
 * ~1.6 Gbit/s of the client's own CPU: more than a GitHub-hosted runner's link to Azure storage
 * carries, so the link, not the client, bounds a real upload. (Wall speed to Azurite is shown
 * without a target: Azurite's own TLS and storage share the same two cores.)
 */
export const UPLOAD_TARGET_MB_PER_S = 200;
export const SKIP_TARGET_MS = 1000;

/** `repoJson`: the large repository as hash-child --save wrote it. */
export async function benchUpload(stateDir: string, repoJson: string, log: (s: string) => void): Promise<BenchRow[]> {
  const certs = await makeCertificates(stateDir);
  const azurite = await startAzurite({ stateDir, certFile: certs.certFile, keyFile: certs.keyFile });
  const forget = onCleanup(() => azurite.process.stop());
  try {
    const endpoint = `https://127.0.0.1:${azurite.port}/{account}`;
    const r = await runBenchChild<UploadChildResult>(
      'upload-child.ts',
      [repoJson, endpoint, AZURITE_ACCOUNT, AZURITE_KEY, 'azureml-blobstore-bench'],
      { NODE_EXTRA_CA_CERTS: certs.caFile },
    );
    log(`  first: ${r.first.uploadedFiles} files, ${mb(r.first.uploadedBytes).toFixed(0)} MiB in ${r.first.ms.toFixed(0)} ms; again: ${r.again.uploadedFiles} uploaded, ${r.again.skippedFiles} skipped in ${r.again.ms.toFixed(0)} ms`);
    if (r.again.uploadedFiles !== 0) throw new Error(`the second upload sent ${r.again.uploadedFiles} files again; expected none`);
    const speed = mbPerS(r.first.uploadedBytes, r.first.ms);
    // Azurite shares the cores here; the client's own CPU time says how fast it could go on a real link.
    const clientLimit = mbPerS(r.first.uploadedBytes, r.first.cpuMs);
    const rss = mb(r.first.peakRss - r.first.rssBefore);
    return [
      { area: 'upload', measure: `first upload, ${r.first.uploadedFiles} files / ${mb(r.first.uploadedBytes).toFixed(0)} MiB to Azurite`, value: speed, unit: 'MB/s', digits: 0 },
      { area: 'upload', measure: 'first upload, wall time', value: r.first.ms / 1000, unit: 's', digits: 2 },
      { area: 'upload', measure: 'first upload, client CPU time (TLS + SDK, without Azurite)', value: r.first.cpuMs / 1000, unit: 's', digits: 2 },
      { area: 'upload', measure: 'client-limited speed (bytes / client CPU time)', value: clientLimit, unit: 'MB/s', digits: 0, target: `>= ${UPLOAD_TARGET_MB_PER_S} MB/s`, meets: clientLimit >= UPLOAD_TARGET_MB_PER_S },
      { area: 'upload', measure: 'peak RSS delta of the upload (8 MiB blocks, 4+4 in flight)', value: rss, unit: 'MiB', target: '<= 128 MiB', meets: rss <= 128 },
      { area: 'upload', measure: `re-run: ${r.again.skippedFiles} files already there, nothing sent`, value: r.again.ms, unit: 'ms', digits: 0, target: `< ${SKIP_TARGET_MS} ms`, meets: r.again.ms < SKIP_TARGET_MS },
    ];
  } finally {
    forget();
    await azurite.process.stop();
  }
}
