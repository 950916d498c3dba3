/**
 * Issue 3, end to end: dist/index.js deploys the TAO-style DetectNet_v2 sample against the test bed
 * (real Azurite, docker-registry, dockerd, onnxruntime; every ARM exchange checked against the specs).
 * The tests run in order and build on each other, as successive pushes to a model repository would.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': repo,
  'model-name': 'DetectNet',
  'endpoint-name': 'detector',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png\nsamples/tao-detectnet-v2/images/street.jpg',
};
let first = '';
let second = '';

beforeAll(async () => {
  fx = await startFixture('rollout');
}, 180000);
afterAll(async () => fx?.stop());

const endpoint = async (name = 'detector') => (await fx.state()).endpoints.find((e) => e.name === name)!;
let nextVersion = 2;
/** A new model version folder, as a retrained export would add: new content, same behaviour. */
const changeModelContent = () => {
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
};

it('deploys the repository from nothing and moves traffic only after the smoke test passed', async () => {
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  first = run.outputs['deployment-name'];
  expect(run.outputs).toMatchObject({ 'endpoint-name': 'detector', 'model-version': '1', detections: '6' });
  expect(run.outputs['image']).toMatch(new RegExp(`^${fx.testbed.settings.registryLoginServer}/triton-detectnet@sha256:[0-9a-f]{64}$`));
  expect(run.outputs['scoring-uri']).toMatch(/\/inference\/detector\/score$/);
  expect(fs.existsSync(run.outputs['annotated-image'])).toBe(true);
  const ep = await endpoint();
  expect(ep.traffic).toEqual({ [first]: 100 });
  expect(ep.deployments[0]).toMatchObject({ name: first, provisioningState: 'Succeeded', instanceType: 'Standard_NC4as_T4_v3' });
  expect(ep.tags).toMatchObject({ 'github-repository': 'octo-org/detector-models', 'github-run': 'https://github.com/octo-org/detector-models/actions/runs/4242' });
  // The smoke test ran before the traffic PUT: its log line comes first.
  expect(run.log.indexOf('detection(s) ≥')).toBeLessThan(run.log.indexOf('Traffic ->'));
  expect(run.summary).toContain('Smoke test: passed');
});

it('keeps keys and tokens out of the log, outputs and summary', async () => {
  const run = await fx.run(inputs);
  const masked = [...run.log.matchAll(/^::add-mask::(.+)$/gm)].map((m) => m[1]);
  expect(masked.length).toBeGreaterThan(1);
  const visible = run.log.replace(/^::(add-mask|debug)::.*$/gm, '');
  for (const secret of masked) {
    expect(visible).not.toContain(secret);
    expect(run.summary).not.toContain(secret);
    expect(Object.values(run.outputs).join('\n')).not.toContain(secret);
  }
  expect(visible).not.toContain(fx.testbed.settings.clientSecret);
});

it('changes nothing on a re-run with the same content, and says so', async () => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run(inputs);
  expect(run.exitCode).toBe(0);
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  const writes = requests.filter((r) => r.method !== 'GET' && /\/subscriptions\//.test(r.url) && !/listKeys|listSecrets|getLogs/.test(r.url));
  expect(writes.map((w) => `${w.method} ${w.url}`)).toEqual([]);
  expect(run.log).toMatch(/model {6}DetectNet: reuse version 1/);
  expect(run.log).toMatch(/image .*reuse \(already in the registry\)/);
  expect(run.log).toMatch(/deployment .*reuse/);
  expect(run.summary).toMatch(/upload<\/td><td>⏭️ skip/);
  expect(run.outputs['deployment-name']).toBe(first);
  expect((await endpoint()).deployments).toHaveLength(1);
});

it('prints the plan for changed content on a dry run and changes nothing', async () => {
  changeModelContent();
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run({ ...inputs, 'dry-run': 'true' });
  expect(run.exitCode).toBe(0);
  expect(run.log).toMatch(/model {6}DetectNet: create version 2/);
  expect(run.log).toMatch(/deployment triton-[0-9a-f]{12}: create/);
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  expect(requests.filter((r) => r.method !== 'GET' && /\/subscriptions\//.test(r.url)).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(run.summary).toMatch(/dry run/);
  expect(JSON.parse(fs.readFileSync(run.outputs.plan, 'utf8')).deployment.action).toBe('create');
});

it('rolls out changed model content as a new deployment and moves traffic to it', async () => {
  changeModelContent();
  const run = await fx.run({ ...inputs, 'traffic-steps': '50,100' });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  second = run.outputs['deployment-name'];
  expect(second).not.toBe(first);
  expect(run.outputs['model-version']).toBe('2');
  expect(run.log).toContain(`Traffic -> {"${first}":50,"${second}":50}`);
  // 0% entries are left out of the traffic PUT, as az ml does; the first stays for a quick rollback (keep-last).
  expect((await endpoint()).traffic).toEqual({ [second]: 100 });
  expect((await endpoint()).deployments.map((d) => d.name).sort()).toEqual([first, second].sort());
});

it.each([
  ['OutOfQuota', 'delete', /OutOfQuota[\s\S]*Hint: request GPU quota/],
  ['ResourceNotReady', 'keep', /ResourceNotReady[\s\S]*Hint: the container did not become ready/],
])('leaves traffic on the previous deployment when provisioning ends %s (on-failure: %s), with the logs printed', async (code, onFailure, message) => {
  changeModelContent();
  await control(fx.testbed.settings, 'POST', '/ml/provisioning-failures', { deployment: '.*', code });
  const run = await fx.run({ ...inputs, 'on-failure': onFailure });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(message);
  expect(run.log).toContain('----- StorageInitializer -----');
  expect(run.log).toContain('----- InferenceServer -----');
  const ep = await endpoint();
  expect(ep.traffic[second]).toBe(100);
  const failed = ep.deployments.filter((d) => d.provisioningState === 'Failed');
  expect(failed.map((d) => d.error?.code)).toEqual(onFailure === 'keep' ? [code] : []);
  expect(run.summary).toContain('❌');
});

it('keeps traffic where it was when the smoke test finds nothing, showing the best raw scores', async () => {
  changeModelContent();
  const run = await fx.run({ ...inputs, 'smoke-test-images': 'samples/tao-detectnet-v2/images/empty.png' });
  expect(run.exitCode).not.toBe(0);
  // With a clustering config its per-class thresholds decide, and the message says so.
  expect(run.log).toMatch(/empty\.png: 0 detections where car, cyclist: summed coverage > 0\.9; .*highest cell coverages: /);
  expect((await endpoint()).traffic[second]).toBe(100);
});

describe("the TAO guide's own YAML files", () => {
  const reference = path.resolve(__dirname, '../../../../shared/reference/fixtures/nvidia-azureml-tao-detectnet_v2/scripts/auxiliary_files/deployment_aml.yml');
  const yamlInputs = () => {
    fs.writeFileSync(path.join(fx.workspace, 'endpoint_aml.yml'), 'name: triton-tao-endpoint-aml-1\nauth_mode: key\n');
    return { ...inputs, 'endpoint-name': '', 'model-name': '', 'endpoint-file': 'endpoint_aml.yml', 'deployment-file': reference };
  };

  it('are accepted as is; Azure then refuses the retired Standard_NC6s_v3 with a clear message, and nothing serves', async () => {
    const run = await fx.run(yamlInputs());
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/::warning::instance type Standard_NC6s_v3 was retired by Azure on 2025-09-30/);
    expect(run.log).toMatch(/failed \(BadArgument\): Instance type Standard_NC6s_v3 .*retired/);
    const ep = await endpoint('triton-tao-endpoint-aml-1');
    expect(ep.deployments).toEqual([]);
    expect(Object.values(ep.traffic).every((p) => p === 0)).toBe(true);
  });

  it('deploy with a current instance type given as an input, which wins over the file', async () => {
    const run = await fx.run({ ...yamlInputs(), 'instance-type': 'Standard_NC8as_T4_v3' });
    expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
    expect(run.outputs['deployment-name']).toBe('triton-tao-deployment-aml-1');
    const ep = await endpoint('triton-tao-endpoint-aml-1');
    expect(ep.traffic).toEqual({ 'triton-tao-deployment-aml-1': 100 });
    expect(ep.deployments[0]).toMatchObject({ instanceType: 'Standard_NC8as_T4_v3' });
    const state = await fx.state();
    expect(state.environments.map((e) => e.name)).toContain('triton-tao-env');
    expect(state.models.map((m) => m.name)).toContain('DetectNet');
  });
});

it('fails on bad input before any Azure call, naming the input', async () => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const run = await fx.run({ ...inputs, 'traffic-steps': '50,20', 'instance-count': 'two' });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/traffic-steps/);
  expect(run.log).toMatch(/instance-count/);
  expect(await control<unknown[]>(fx.testbed.settings, 'GET', '/requests')).toEqual([]);
});

it('annotates the config.pbtxt line of a broken repository before any Azure call', async () => {
  const config = path.join(fx.workspace, repo, 'detectnet_tao', 'config.pbtxt');
  const original = fs.readFileSync(config, 'utf8');
  fs.writeFileSync(config, original.replace('max_batch_size', 'max_batch_sise'));
  try {
    const run = await fx.run(inputs);
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/::error .*file=.*config\.pbtxt,line=3,col=1::.*unknown field 'max_batch_sise'.*did you mean 'max_batch_size'/);
  } finally {
    fs.writeFileSync(config, original);
  }
});

it('explains a federation mismatch with the token claims and the permissions hint', async () => {
  await control(fx.testbed.settings, 'POST', '/entra/oidc-subject', { subject: 'repo:octo-org/other:ref:refs/heads/main' });
  try {
    const run = await fx.run(inputs);
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/AADSTS70021/);
    expect(run.log).toMatch(/sub='repo:octo-org\/other:ref:refs\/heads\/main'/);
    expect(run.log).toMatch(/id-token: write/);
  } finally {
    await control(fx.testbed.settings, 'POST', '/entra/oidc-subject', { subject: fx.testbed.settings.federatedSubject });
  }
});

it("builds the user's own Dockerfile and context instead of the rendered one", async () => {
  const dir = path.join(fx.workspace, 'docker');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'libpostprocess.so'), 'extra library the TAO triton-apps image would carry');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${fx.baseImage}\nCOPY libpostprocess.so /opt/tritonserver/lib/\nEXPOSE 8000\nCMD ["tritonserver", "--model-repository=/models/model_repository"]\n`);
  const run = await fx.run({ ...inputs, 'endpoint-name': 'own-image', dockerfile: 'docker/Dockerfile', 'image-repository': 'tao-apps', 'image-build': 'docker' });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.outputs.image).toMatch(/\/tao-apps@sha256:/);
  // Same Dockerfile and context again: the content tag is in the registry, nothing is built.
  const again = await fx.run({ ...inputs, 'endpoint-name': 'own-image', dockerfile: 'docker/Dockerfile', 'image-repository': 'tao-apps', 'image-build': 'docker' });
  expect(again.log).toMatch(/image .*tao-apps:c-[0-9a-f]+: reuse/);
  expect(again.log).not.toMatch(/building /);
});

describe('after all runs', () => {
  it('sent only requests, and got only responses, that the official specs accept', async () => {
    expect(await specViolations(fx.testbed.settings)).toEqual([]);
  });
});
