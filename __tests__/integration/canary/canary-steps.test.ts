/**
 * Issue 10.4 / 12.5: traffic-steps are canaries. Between steps the action bakes (traffic-step-wait),
 * checks the deployment's health and smoke-tests the endpoint through its public URI; a deployment
 * that starts failing once it takes traffic gets its traffic back, and so does a run cancelled during
 * a traffic update. Each test starts from a first deployment serving 100%.
 */
import * as fs from 'fs';
import * as path from 'path';
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const repo = 'samples/tao-detectnet-v2/model_repository';
const inputs = {
  'model-repository': repo,
  'model-name': 'DetectNet',
  'endpoint-name': 'canary',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};
let serving = '';

beforeAll(async () => {
  fx = await startFixture('canary');
  const run = await fx.run(inputs);
  if (run.exitCode !== 0) throw new Error(tail(run));
  serving = run.outputs['deployment-name'];
}, 300000);
afterAll(async () => fx?.stop());
afterEach(async () => {
  await control(fx.testbed.settings, 'DELETE', '/ml/scoring-faults');
  await control(fx.testbed.settings, 'POST', '/ml/timing', { endpointProvisioningMs: 200 });
});

/** The log as a person reads it: workflow commands escape '%' as '%25'. */
const readable = (log: string) => log.replace(/%25/g, '%');
const endpoint = async () => (await fx.state()).endpoints.find((e) => e.name === 'canary')!;
let nextVersion = 2;
/** A new model version folder: new content, so a new deployment. */
const changeModelContent = () => {
  const model = path.join(fx.workspace, repo, 'detectnet_tao');
  fs.mkdirSync(path.join(model, String(nextVersion)));
  fs.copyFileSync(path.join(model, '1', 'model.onnx'), path.join(model, String(nextVersion++), 'model.onnx'));
};

it('moves traffic back to the serving deployment when the new one starts failing after the first step, and deletes it', async () => {
  changeModelContent();
  // The new deployment answers its direct smoke test, then fails every inference once it has a share of traffic.
  await control(fx.testbed.settings, 'POST', '/ml/scoring-faults', { deployment: 'canary-broken', status: 500, when: 'with-traffic' });
  const run = await fx.run({ ...inputs, 'deployment-name': 'canary-broken', 'traffic-steps': '10,50,100', 'traffic-step-wait': '1s' });
  expect(run.exitCode).not.toBe(0);
  const log = readable(run.log);
  expect(log).toContain(`Traffic -> {"${serving}":90,"canary-broken":10}`);
  expect(log).not.toMatch(/Traffic -> .*"canary-broken":50/);
  expect(log).toMatch(/Baking: canary-broken serves 10% of canary; waiting 1 s \(traffic-step-wait\)/);
  expect(log).toMatch(/HTTP 500.*answered by deployment 'canary-broken'/);
  expect(log).toMatch(/::error::The check after traffic step 1 of 3 \(.*canary-broken 10%\) failed: .*Traffic was moved back to [^ ]+ 100%, as before this run\./);
  expect(run.summary).toMatch(/rollback/);
  expect(run.log).toContain('Deleted canary-broken (on-failure: delete)');
  const ep = await endpoint();
  expect(ep.traffic).toEqual({ [serving]: 100 });
  expect(ep.deployments.map((d) => d.name)).toEqual([serving]);
});

it('bakes between steps, says so, and rolls out a healthy deployment step by step', async () => {
  changeModelContent();
  const run = await fx.run({ ...inputs, 'deployment-name': 'canary-good', 'traffic-steps': '10,50,100', 'traffic-step-wait': '1' });
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  const bakes = run.log.match(/Baking: canary-good serves \d+% of canary; waiting 1 s \(traffic-step-wait\)/g) ?? [];
  expect(bakes).toHaveLength(2);
  // Each later step follows the check of the one before.
  const order = [/Traffic -> .*"canary-good":10}/, /Baking: canary-good serves 10%/, /smoke-testing canary through its public URI/, /Traffic -> .*"canary-good":50}/, /Baking: canary-good serves 50%/, /Traffic -> .*"canary-good":100}/];
  const at = order.map((re) => run.log.search(re));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
  expect(run.summary).toMatch(/canary/);
  expect((await endpoint()).traffic).toEqual({ 'canary-good': 100 });
  serving = 'canary-good';
});

it('puts traffic back where it was when cancelled (SIGTERM) during a traffic update, and says where it is', async () => {
  changeModelContent();
  await control(fx.testbed.settings, 'POST', '/ml/timing', { endpointProvisioningMs: 4000 });
  const run = await fx.runWith({
    inputs: { ...inputs, 'deployment-name': 'canary-cancelled', 'traffic-steps': '50,100' },
    // Once the PUT of the last step is accepted: its operation runs (4 s) when SIGTERM comes.
    killWhen: /Traffic -> [^\n]*"canary-cancelled":100\}\n(?:.*\n)*?::debug::PUT [^\n]*onlineEndpoints\/canary -> 20[01]/,
  });
  expect(run.exitCode).not.toBe(0);
  const log = readable(run.log);
  expect(log).toMatch(/Received SIGTERM/);
  expect(log).toMatch(/Moving traffic back to canary-good 100%, as before this run \(the endpoint reads .*, Updating\)/);
  expect(log).toMatch(/::error::Stopped: cancelled by SIGTERM\. Traffic step 2 of 2 \(canary-cancelled 100%\) failed: .*Traffic was moved back to canary-good 100%, as before this run\./);
  expect((await endpoint()).traffic).toEqual({ 'canary-good': 100 });
}, 120000);

it('kept to the specs throughout', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
