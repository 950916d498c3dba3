import * as https from 'https';
import { readExportPackage } from '../../../src/source/custom-vision/export-package';
import { EmulatorHarness, startEmulator } from './emulator-harness';

const BASE = '/customvision/v3.3/training';
const S1_DOMAIN = '7ec2ac80-887b-48a6-8df9-8b1357765430';
let h: EmulatorHarness;

beforeAll(async () => {
  h = await startEmulator();
});
afterAll(async () => {
  await h.stop();
});

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Custom Vision training emulator', () => {
  it('answers 401 in the CustomVisionError shape without a valid Training-Key', async () => {
    const res = await h.call('GET', `${BASE}/projects`, { key: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'Unauthorized' });
  });

  it('answers 429 with Retry-After past 10 calls a second', async () => {
    await pause(1100);
    const results = await Promise.all(Array.from({ length: 13 }, () => h.call('GET', `${BASE}/domains`)));
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled.length).toBe(3);
    expect(Number(throttled[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('refuses to train while a tag has fewer than 15 images, and says training is not needed when nothing changed', async () => {
    await pause(1100);
    const project = (await h.call('POST', `${BASE}/projects?name=tiny&domainId=${S1_DOMAIN}&targetExportPlatforms=ONNX`)).body;
    await h.call('POST', `${BASE}/projects/${project.id}/tags?name=thing`);
    const refused = await h.call('POST', `${BASE}/projects/${project.id}/train?trainingType=Regular`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('BadRequestTrainingValidationFailed');
    expect(refused.body.message).toContain('Tag "thing" has 0 images');

    h.emulator.state.timing.trainingMs = 0;
    const p = h.emulator.state.projects.get(project.id)!;
    const tagId = [...p.tags.keys()][0];
    for (let i = 0; i < 15; i++) {
      p.images.set(`img-${i}`, { id: `img-${i}`, created: '', width: 300, height: 300, sha256: String(i), metadata: {}, regions: [{ regionId: `r${i}`, tagId, left: 0.1, top: 0.1, width: 0.2, height: 0.2, created: '' }] });
    }
    await pause(1100);
    const trained = await h.call('POST', `${BASE}/projects/${project.id}/train`);
    expect(trained.status).toBe(200);
    const again = await h.call('POST', `${BASE}/projects/${project.id}/train`);
    expect(again.body.code).toBe('BadRequestTrainingNotNeeded');

    await pause(600);
    const exp = await h.call('POST', `${BASE}/projects/${project.id}/iterations/${trained.body.id}/export?platform=ONNX`);
    expect(exp.body.status).toBe('Exporting');
    const dup = await h.call('POST', `${BASE}/projects/${project.id}/iterations/${trained.body.id}/export?platform=ONNX`);
    expect(dup.body.code).toBe('BadRequestExportAlreadyInProgress');
  });

  it('serves a real export zip whose labels are the sorted tags', async () => {
    await pause(1100);
    h.emulator.state.timing.exportMs = 0;
    const project = (await h.call('POST', `${BASE}/projects?name=zip&domainId=${S1_DOMAIN}`)).body;
    const p = h.emulator.state.projects.get(project.id)!;
    for (const name of ['tree', 'car']) await h.call('POST', `${BASE}/projects/${project.id}/tags?name=${name}`);
    for (const [i, tagId] of [...p.tags.keys()].flatMap((t) => Array.from({ length: 15 }, () => t)).entries()) {
      p.images.set(`i${i}`, { id: `i${i}`, created: '', width: 300, height: 300, sha256: `s${i}`, metadata: {}, regions: [{ regionId: `r${i}`, tagId, left: 0, top: 0, width: 0.5, height: 0.5, created: '' }] });
    }
    const it = (await h.call('POST', `${BASE}/projects/${project.id}/train`)).body;
    await h.call('POST', `${BASE}/projects/${project.id}/iterations/${it.id}/export?platform=ONNX`);
    const exports = (await h.call('GET', `${BASE}/projects/${project.id}/iterations/${it.id}/export`)).body;
    expect(exports[0]).toMatchObject({ platform: 'ONNX', status: 'Done' });
    const zip = await fetchBuffer(exports[0].downloadUri);
    const pkg = await readExportPackage(zip);
    expect(pkg.labels).toEqual(['car', 'tree']);
    expect(pkg.manifest).toMatchObject({ Platform: 'ONNX', ModelFileName: 'model.onnx', LabelFileName: 'labels.txt' });
    expect(pkg.model.length).toBeGreaterThan(1000);
  });

  it('reports a request that breaks the spec as a violation', async () => {
    await pause(1100);
    await h.call('POST', `${BASE}/projects?name=bad&domainId=not-a-uuid`);
    const violations = await h.emulator.specCheck.settled();
    expect(violations).toEqual([
      expect.objectContaining({ operation: 'CreateProject', direction: 'request', errors: [expect.objectContaining({ code: 'INVALID_FORMAT' })] }),
    ]);
    h.emulator.specCheck.violations.length = 0;
  });
});

function fetchBuffer(uri: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    https.get(uri, { agent: h.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}
