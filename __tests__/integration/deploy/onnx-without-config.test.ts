/**
 * Issue 10, point 3, end to end: a model repository holding only <model>/1/model.onnx (no
 * config.pbtxt) deploys, the test bed's Triton loads it with its own auto-complete (the onnxruntime
 * session's tensors), and the smoke test passes; the signature Triton fills in reaches the plan as a
 * written config's would. A TensorRT plan without config is refused before any Azure write.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateModelRepository } from '../../../src/model-repository/validate-model-repository';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const sample = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': 'bare_repository',
  'model-name': 'DetectNetBare',
  'endpoint-name': 'bare-detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('autocomplete');
}, 180000);
afterAll(async () => fx?.stop());

async function armWrites(): Promise<string[]> {
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  return requests.filter((r) => r.method !== 'GET' && /\/subscriptions\//.test(r.url)).map((r) => `${r.method} ${new URL(r.url, 'https://x').pathname}`);
}

it('deploys an ONNX model without config.pbtxt and passes the smoke test through the test bed', async () => {
  const model = path.join(fx.workspace, 'bare_repository', 'detectnet_tao', '1');
  fs.mkdirSync(model, { recursive: true });
  fs.copyFileSync(path.join(fx.workspace, sample, 'detectnet_tao', '1', 'model.onnx'), path.join(model, 'model.onnx'));

  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log).toContain('detectnet_tao: no config.pbtxt; Triton auto-completes platform onnxruntime_onnx, max_batch_size 4, input, output from detectnet_tao/1/model.onnx');
  expect(run.summary).toContain('Smoke test: passed');
  expect(Number(run.outputs.detections)).toBeGreaterThan(0);
  const ep = (await fx.state()).endpoints.find((e) => e.name === 'bare-detector')!;
  expect(ep.traffic).toEqual({ [run.outputs['deployment-name']]: 100 });

  // The plan carries the filled-in signature: the same tensors the sample's written config declares.
  const plan = JSON.parse(fs.readFileSync(run.outputs.plan, 'utf8'));
  const [planned] = plan.repository.models;
  const [written] = (await validateModelRepository(path.join(fx.workspace, sample))).models;
  const tensors = (ts: { name: string; dataType: string; dims: number[] }[]) => ts.map(({ name, dataType, dims }) => ({ name, dataType, dims }));
  expect(planned.configFile).toBeUndefined();
  expect(planned.maxBatchSize).toBe(4);
  expect(tensors(planned.inputs)).toEqual(tensors(written.inputs));
  expect(tensors(planned.outputs).sort((a, b) => a.name.localeCompare(b.name))).toEqual(tensors(written.outputs).sort((a, b) => a.name.localeCompare(b.name)));
  expect(plan.repository.files).toBe(1);
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
}, 600000);

it('refuses a TensorRT plan without config.pbtxt before any Azure write, saying why', async () => {
  const model = path.join(fx.workspace, 'bare_plan_repository', 'detectnet_tao', '1');
  fs.mkdirSync(model, { recursive: true });
  fs.writeFileSync(path.join(model, 'model.plan'), 'serialized engine');
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run({ ...inputs, 'model-repository': 'bare_plan_repository', 'endpoint-name': 'bare-plan' });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/model\.plan: no config\.pbtxt in .*detectnet_tao\/; Triton would fill in its inputs and outputs only by loading it with TensorRT on the GPU it serves on/);
  expect(await armWrites()).toEqual([]);
}, 300000);
