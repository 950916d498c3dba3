/**
 * Issue 12 (9): two re-run branches that had no test. A re-run with unchanged content whose smoke
 * test fails keeps the deployment that serves and its traffic (on-failure: delete applies only to a
 * deployment this run made); a re-run of a named deployment with new content updates it in place.
 * The tests build on each other, as successive pushes would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const ENDPOINT = 'rerun';
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': repo,
  'model-name': 'DetectNet',
  'model-type': 'triton_model',
  'endpoint-name': ENDPOINT,
  'deployment-name': 'named',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('rerun-branches');
}, 180000);
afterAll(async () => fx?.stop());

const endpoint = async () => (await fx.state()).endpoints.find((e) => e.name === ENDPOINT)!;
type Logged = { method: string; url: string };
const writes = async () =>
  (await control<Logged[]>(fx.testbed.settings, 'GET', '/requests')).filter((r) => r.method !== 'GET' && /\/onlineEndpoints\//.test(r.url) && !/\/(listKeys|getLogs|token)\b/.test(r.url)).map((r) => `${r.method} ${r.url.split('?')[0].replace(/.*\/onlineEndpoints\//, '')}`);

it('deploys the named deployment', async () => {
  const run = await fx.run(inputs);
  if (run.exitCode !== 0) throw new Error(tail(run));
  expect((await endpoint()).traffic).toEqual({ named: 100 });
});

it('keeps the serving deployment and its traffic when a re-run with unchanged content fails its smoke test', async () => {
  const before = (await endpoint()).deployments.find((d) => d.name === 'named')!;
  await control(fx.testbed.settings, 'POST', '/reset-log');
  // Same content and settings (the deployment is reused); the smoke test now asks for more than the model finds.
  const run = await fx.run({ ...inputs, 'min-detections': '500', 'on-failure': 'delete' });
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/deployment named: reuse — the named deployment exists and the content is unchanged/);
  const after = await endpoint();
  expect(after.traffic).toEqual({ named: 100 });
  expect(after.deployments.find((d) => d.name === 'named')).toMatchObject({ provisioningState: 'Succeeded', model: before.model });
  expect(await writes()).toEqual([]);
  expect(run.summary).toMatch(/named kept \(it serves traffic\)/);
});

it('updates the named deployment in place when a re-run brings new content', async () => {
  const before = (await endpoint()).deployments.find((d) => d.name === 'named')!;
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, '2'));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, '2', 'model.onnx'));
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run(inputs);
  if (run.exitCode !== 0) throw new Error(tail(run));
  expect(run.log).toMatch(/the named deployment exists but the model or image changed/);
  const after = await endpoint();
  const named = after.deployments.find((d) => d.name === 'named')!;
  expect(named.model).not.toBe(before.model);
  expect(named.model).toMatch(/\/models\/DetectNet\/versions\/2$/);
  expect(after.traffic).toEqual({ named: 100 });
  expect(after.deployments.map((d) => d.name)).toEqual(['named']);
  expect(await writes()).toContain('PUT rerun/deployments/named');
  expect(run.outputs['deployment-name']).toBe('named');
});
