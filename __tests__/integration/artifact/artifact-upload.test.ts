/**
 * The action uploads the annotated smoke-test images and plan.json as a workflow artifact through the
 * results-service emulator (Twirp/JSON, as @actions/artifact 2.x calls it) into Azurite via the SAS
 * URL it hands out; the test reads the zip back from Azurite. The upload never decides the deploy.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { artifactDownloadUrl } from '../../../testbed/artifact-links';
import type { ArtifactRecord } from '../../../testbed/github-results/artifact-store';
import { readZipEntries, type ZipEntry } from '../../../testbed/github-results/zip-entries';
import { trustingStoragePipeline } from '../../../testbed/tls/ca-trust';
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png\nsamples/tao-detectnet-v2/images/street.jpg',
};
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

beforeAll(async () => {
  fx = await startFixture('artifact');
}, 180000);
afterAll(async () => fx?.stop());

const artifacts = () => control<ArtifactRecord[]>(fx.testbed.settings, 'GET', '/github/artifacts');

/** The artifact's zip as stored in Azurite, read with the account key (not through the action). */
async function zipOf(record: ArtifactRecord): Promise<ZipEntry[]> {
  const { blob, settings } = fx.testbed.context;
  const service = new BlobServiceClient(blob.url, trustingStoragePipeline(settings.caFile, new StorageSharedKeyCredential(blob.accountName, blob.accountKey)));
  const zip = await service.getContainerClient(record.container).getBlobClient(record.blobName).downloadToBuffer();
  return readZipEntries(zip);
}

const ok = (run: { exitCode: number }) => ({ code: run.exitCode, log: run.exitCode ? tail(run as never) : '' });

it('uploads the annotated PNGs and plan.json, byte for byte, and links the artifact from the summary', async () => {
  const run = await fx.run(inputs);
  expect(ok(run)).toEqual({ code: 0, log: '' });
  const [record, ...others] = await artifacts();
  expect(others).toEqual([]);
  expect(record).toMatchObject({ name: 'smoke-test-detector', state: 'finalized' });

  const entries = await zipOf(record);
  expect(entries.map((e) => e.name).sort()).toEqual(['plan.json', 'street.jpg.annotated.png', 'street.png.annotated.png']);
  const outputDir = path.dirname(run.outputs['annotated-image']);
  for (const entry of entries) {
    expect(entry.data.equals(fs.readFileSync(path.join(outputDir, entry.name)))).toBe(true);
    if (entry.name.endsWith('.png')) expect(entry.data.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  }
  expect(JSON.parse(entries.find((e) => e.name === 'plan.json')!.data.toString('utf8')).endpoint.name).toBe('detector');

  const url = `https://github.com/octo-org/detector-models/actions/runs/4242/artifacts/${record.id}`;
  expect(run.summary).toContain(`<a href="${url}"><b>smoke-test-detector</b></a>: 2 annotated image(s) and plan.json`);
  expect(run.summary).toContain(`<a href="${url}">street.png.annotated.png</a> in artifact smoke-test-detector`);
  // The text sketch of the boxes: three boxes, markers 1-3.
  const sketch = /<pre>([·123\n]+)<\/pre>/.exec(run.summary);
  expect(sketch?.[1]).toMatch(/1/);
  expect(sketch?.[1]).toMatch(/3/);
  expect(run.log).not.toMatch(/^::warning::/m);
});

it("hands a later job a signed download URL of the artifact's zip (GetSignedArtifactURL)", async () => {
  const record = (await artifacts())[0];
  const url = await artifactDownloadUrl(fx.testbed.settings, record.id);
  expect(url).toMatch(/^https:\/\/.+\/actions-results\/.+\.zip\?.*sp=r/);
  const zip = await new Promise<Buffer>((resolve, reject) => {
    https.get(url!, { ca: fs.readFileSync(fx.testbed.settings.caFile) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET -> ${res.statusCode}`))));
    }).on('error', reject);
  });
  expect(readZipEntries(zip).map((e) => e.name)).toEqual((await zipOf(record)).map((e) => e.name));
  // Only finalized artifacts of this run have one.
  expect(await artifactDownloadUrl(fx.testbed.settings, 999999)).toBeUndefined();
});

it('picks the next free name when the workflow run already has the artifact, without a warning', async () => {
  const run = await fx.run(inputs);
  expect(ok(run)).toEqual({ code: 0, log: '' });
  const names = (await artifacts()).map((a) => a.name);
  expect(names).toEqual(['smoke-test-detector', 'smoke-test-detector-2']);
  expect(run.log).not.toMatch(/^::warning::/m);
});

it('uploads the images of a failed smoke test too, where they matter most', async () => {
  const run = await fx.run({ ...inputs, 'smoke-test-images': 'samples/tao-detectnet-v2/images/empty.png' });
  expect(run.exitCode).not.toBe(0);
  const record = (await artifacts()).at(-1)!;
  expect(record).toMatchObject({ name: 'smoke-test-detector-3', state: 'finalized' });
  expect((await zipOf(record)).map((e) => e.name).sort()).toEqual(['empty.png.annotated.png', 'plan.json']);
  expect(run.summary).toContain(`/artifacts/${record.id}"><b>smoke-test-detector-3</b></a>: 1 annotated image(s)`);
});

it('warns and still deploys when the results service refuses the upload', async () => {
  const before = (await artifacts()).length;
  await control(fx.testbed.settings, 'POST', '/faults', {
    match: { method: 'POST', pathRegex: 'ArtifactService/CreateArtifact$' },
    response: { status: 403, body: { code: 'permission_denied', msg: 'scripted: no artifact permission' } },
  });
  const run = await fx.run(inputs);
  expect(ok(run)).toEqual({ code: 0, log: '' });
  expect(run.log).toMatch(/^::warning::The smoke-test images were not uploaded as an artifact \(the deploy is not affected\): .*403/m);
  expect(run.summary).toMatch(/⚠️ The annotated images and plan were not uploaded as an artifact \(.*403.*\); they are in <code>/);
  expect(run.outputs['deployment-name']).toBeTruthy();
  expect(await artifacts()).toHaveLength(before);
});

it('says in one line that it skips the upload outside GitHub Actions, and shows local paths', async () => {
  const before = (await artifacts()).length;
  const run = await fx.run(inputs, { ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: '' });
  expect(ok(run)).toEqual({ code: 0, log: '' });
  expect(run.log.match(/^Smoke-test artifact: skipped \(ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set.*$/gm)).toHaveLength(1);
  expect(run.summary).toContain(`annotated image: <code>${run.outputs['annotated-image']}</code>`);
  expect(run.summary).not.toContain('📦');
  expect(await artifacts()).toHaveLength(before);
});

it('uploads the plan when the run is cancelled mid-deploy (SIGTERM, as the runner cancels)', async () => {
  const s = fx.testbed.settings;
  await control(s, 'POST', '/ml/timing', { provisioningMs: 30000 });
  try {
    const run = await fx.runWith({ inputs: { ...inputs, 'endpoint-name': 'cancelled', 'instance-count': '2' }, killAfterMs: 6000 });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/Received SIGTERM/);
    const record = (await artifacts()).at(-1)!;
    expect(record).toMatchObject({ name: 'smoke-test-cancelled', state: 'finalized' });
    expect((await zipOf(record)).map((e) => e.name)).toEqual(['plan.json']);
    expect(run.summary).toContain('<b>smoke-test-cancelled</b></a>: plan.json, ');
  } finally {
    await control(s, 'POST', '/ml/timing', { provisioningMs: 1000 });
  }
});

// Node 22+ prints DEP0040 on every load of the punycode built-in; node 20 only with --pending-deprecation.
// The bundle must use the userland punycode (tr46 >= 1 via whatwg-url >= 6 under node-fetch 2, which
// @actions/artifact's @octokit/request 5 uses) so a run on node24 prints no deprecation warning.
it('loads no deprecated punycode built-in while deploying and uploading', async () => {
  const run = await fx.run({ ...inputs, 'endpoint-name': 'quiet' }, { NODE_OPTIONS: '--pending-deprecation' });
  expect(ok(run)).toEqual({ code: 0, log: '' });
  expect(run.log).not.toMatch(/DEP0040|`punycode` module is deprecated/);
});
