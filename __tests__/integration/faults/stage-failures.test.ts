/**
 * Issue 12.2 and 12.3: a stage that fails stops its siblings, and the report lists everything the run
 * created, with its id; a smoke test that throws (an inference answered with HTTP 500) goes through
 * the same failure path as one that finds nothing: deployment logs printed, the new deployment
 * deleted (on-failure: delete), traffic untouched.
 */
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const base = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('stage-failures');
}, 180000);
afterAll(async () => fx?.stop());
afterEach(async () => {
  await control(fx.testbed.settings, 'DELETE', '/faults');
  await control(fx.testbed.settings, 'DELETE', '/ml/scoring-faults');
});

/** The log as a person reads it: workflow commands escape '%' and newlines. */
const readable = (log: string) => log.replace(/%0A/g, '\n').replace(/%25/g, '%');
const createdLine = (log: string) => /Created by this run: (.*)/.exec(log)?.[1] ?? '';

it('stops the image stage when the upload fails, and reports the endpoint it created', async () => {
  if (!fx.baseImage) throw new Error('this test needs dockerd: the image stage is what the upload failure must stop');
  const s = fx.testbed.settings;
  await control(s, 'POST', '/faults', { match: { method: 'PUT', pathRegex: '/triton-models/.+/model_repository/' }, times: 1000, response: { status: 403 } });
  const run = await fx.run({ ...base, 'endpoint-name': 'upload-fails' });
  const log = readable(run.log);
  expect(run.exitCode).toBe(1);
  expect(log).toMatch(/::error::Uploading '[^']+' to 'workspaceblobstore\/triton-models\/[0-9a-f]+\/model_repository' failed/);
  // Nothing after the build: no push, no environment version.
  expect(log).not.toMatch(/pushing 127\.0\.0\.1/);
  expect((await fx.state()).environments.flatMap((e) => e.versions)).toEqual([]);
  expect(createdLine(log)).toMatch(/endpoint upload-fails/);
  expect(run.summary).toMatch(/Created by this run[^]*endpoint upload-fails/);
  expect(run.summary).toMatch(/cancelled: the model stage failed/);
}, 300000);

it('lists the model version, image digest and endpoint it created when the environment is refused', async () => {
  const s = fx.testbed.settings;
  await control(s, 'POST', '/faults', { match: { method: 'PUT', pathRegex: '/environments/[^/]+/versions/[^/]+$' }, times: 1, response: { status: 400 } });
  // Names of its own, so nothing is reused from the test before; the image path that builds on the runner.
  const run = await fx.run({ ...base, 'endpoint-name': 'env-refused', 'model-name': 'env-refused-model', 'image-repository': 'env-refused-image', 'image-build': 'docker' });
  const log = readable(run.log);
  expect(run.exitCode).toBe(1);
  expect(log).toMatch(/::error::Registering environment '[^']+' version [0-9a-f]+ failed/);
  const created = createdLine(log);
  // The model stage may be cancelled before it registers a version (the environment failed first):
  // whatever exists must be listed, with its id.
  const versions = (await fx.state()).models.find((m) => m.name === 'env-refused-model')?.versions ?? [];
  if (versions.length > 0) expect(created).toMatch(/model env-refused-model:\d+ \(\/subscriptions\/[^)]+\/models\/env-refused-model\/versions\/\d+\)/);
  expect(created).toMatch(/image 127\.0\.0\.1:\d+\/env-refused-image@sha256:[0-9a-f]{64}/);
  expect(created).toMatch(/endpoint env-refused/);
  expect(run.summary).toMatch(/Created by this run[^]*sha256:[0-9a-f]{64}/);
}, 300000);

it('deletes the new deployment and prints its logs when an inference of the smoke test answers HTTP 500', async () => {
  const s = fx.testbed.settings;
  await control(s, 'POST', '/ml/scoring-faults', { deployment: 'smoke-500', status: 500 });
  const run = await fx.run({ ...base, 'endpoint-name': 'smoke-throws', 'deployment-name': 'smoke-500', 'on-failure': 'delete' });
  const log = readable(run.log);
  expect(run.exitCode).toBe(1);
  // As on Azure: the front door answers 424 and names the container's 500.
  expect(log).toMatch(/::error::The smoke test of smoke-500 failed: .*returned HTTP 424 \(the model container answered HTTP 500\)/);
  expect(log).toMatch(/smoke test of smoke-500 failed; traffic stays where it was\. Deployment logs:\n(?:::debug::.*\n)*----- /);
  expect(log).toContain('Deleted smoke-500 (on-failure: delete)');
  const ep = (await fx.state()).endpoints.find((e) => e.name === 'smoke-throws');
  expect(ep?.deployments.map((d) => d.name)).toEqual([]);
  if (run.exitCode !== 1) throw new Error(tail(run));
}, 300000);
