/**
 * Issue 5, end to end: dist/index.js trains a Custom Vision object detector from the bundled COCO
 * dataset (against the test bed's Training API v3.3 emulator, spec-checked), exports ONNX, builds
 * the Triton repository, deploys it and smoke-tests it with the export's labels.
 */
import { issuedSecrets, secretLeaks } from '../secret-scan';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = () => ({
  'model-source': 'custom-vision',
  'custom-vision-endpoint': fx.testbed.settings.customVisionEndpoint,
  'custom-vision-training-key': fx.testbed.settings.customVisionTrainingKey,
  'custom-vision-project-name': 'street-signs',
  'custom-vision-dataset': 'samples/custom-vision/dataset',
  'endpoint-name': 'signs',
  'smoke-test-images': 'samples/custom-vision/images/test.png',
});

beforeAll(async () => {
  fx = await startFixture('custom-vision');
}, 180000);
afterAll(async () => fx?.stop());

interface CvState {
  operations: Record<string, number>;
  projects: { name: string; images: number; iterations: { id: string }[] }[];
}
const cvState = () => control<CvState>(fx.testbed.settings, 'GET', '/custom-vision/state');

it('trains, exports and deploys the dataset, and the smoke test finds the objects with the right labels', async () => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run(inputs());
  expect({ code: run.exitCode, log: run.exitCode ? tail(run, 60) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log).toMatch(/trained now/);
  expect(run.log).toMatch(/custom_vision_s1 family/);
  expect(run.summary).toMatch(/<td>stop-sign<\/td>/);
  expect(run.summary).toMatch(/<td>tree<\/td>/);
  expect(Number(run.outputs.detections)).toBe(2);
  const ep = (await fx.state()).endpoints.find((e) => e.name === 'signs')!;
  expect(ep.traffic).toEqual({ [run.outputs['deployment-name']]: 100 });
  // The training key is masked before anything can print it.
  expect(run.log).toContain(`::add-mask::${fx.testbed.settings.customVisionTrainingKey}`);
  expect(run.log.replace(/^::add-mask::.*$/gm, '')).not.toContain(fx.testbed.settings.customVisionTrainingKey);
  // So is every secret Azure handed out, and none reaches an output, the summary or a file.
  const secrets = [...(await issuedSecrets(fx.testbed.settings)), { name: 'custom-vision-training-key input', value: fx.testbed.settings.customVisionTrainingKey }];
  expect(secrets.length).toBeGreaterThan(3);
  expect(secretLeaks(run, secrets)).toEqual([]);
});

it('re-runs without uploading an image or retraining, and changes nothing in Azure ML', async () => {
  const before = await cvState();
  const run = await fx.run(inputs());
  expect(run.exitCode).toBe(0);
  const after = await cvState();
  const delta = (op: string) => (after.operations[op] ?? 0) - (before.operations[op] ?? 0);
  expect(delta('CreateImagesFromFiles') + delta('CreateImagesFromData')).toBe(0);
  // Asking is allowed (the service answers BadRequestTrainingNotNeeded); a new iteration is not.
  expect(after.projects[0].iterations.map((i) => i.id)).toEqual(before.projects[0].iterations.map((i) => i.id));
  expect(after.projects[0].images).toBe(before.projects[0].images);
  expect(run.log).toMatch(/reused; 0 image\(s\) uploaded/);
  expect(run.log).toMatch(/deployment .*reuse/);
});

it('plans a dry run after the training with reads only: nothing to upload, no training, the iteration reused', async () => {
  const before = await cvState();
  const requests = () => control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  const seen = (await requests()).length;
  const run = await fx.run({ ...inputs(), 'dry-run': 'true' });
  expect(run.exitCode).toBe(0);
  const cv = (await requests()).slice(seen).filter((r) => r.url.includes('/customvision/'));
  expect(cv.length).toBeGreaterThan(0);
  expect(cv.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(run.log).toMatch(/images {5}upload 0, 18 already there/);
  const reused = /training {3}no training; reuse iteration ".*" \(([0-9a-f-]+)\)/.exec(run.log)?.[1];
  expect(before.projects[0].iterations.map((i) => i.id)).toContain(reused);
  expect(run.log).toMatch(/export {5}reuse the finished ONNX export/);
});

it('spoke to Custom Vision and Azure only in ways their official specs accept', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
  expect(await control(fx.testbed.settings, 'GET', '/custom-vision/violations')).toEqual([]);
});
