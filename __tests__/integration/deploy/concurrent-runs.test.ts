/**
 * Issue 12 (8): two runs deploy to one endpoint at the same time. The 2022-10-01 API has no ETag on
 * online endpoints, so each run compares the traffic it reads right before each PUT (and at its end)
 * with what it planned or set. Exactly one run wins; the other fails naming the deployment that took
 * the traffic, and leaves it alone. Neither may exit 0 with outputs naming a deployment at 0%.
 * The test bed answers 409 to a write while another operation runs on the endpoint, as Azure does.
 */
import { startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const ENDPOINT = 'contended';
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'model-type': 'triton_model',
  'endpoint-name': ENDPOINT,
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  // Neither run deletes the other's deployment while it is being tested.
  'previous-deployments': 'keep',
};

beforeAll(async () => {
  fx = await startFixture('concurrent-runs');
}, 180000);
afterAll(async () => fx?.stop());

it('lets one of two simultaneous runs move the traffic; the other fails naming the deployment that took it', async () => {
  const first = await fx.run({ ...inputs, 'deployment-name': 'initial' });
  if (first.exitCode !== 0) throw new Error(tail(first));

  const [blue, green] = await Promise.all([fx.run({ ...inputs, 'deployment-name': 'blue' }), fx.run({ ...inputs, 'deployment-name': 'green' })]);
  const traffic = (await fx.state()).endpoints.find((e) => e.name === ENDPOINT)!.traffic;
  const runs = { blue, green };
  // Whoever exits 0 names the deployment that serves all the traffic.
  for (const [name, run] of Object.entries(runs)) {
    if (run.exitCode === 0) expect({ name, output: run.outputs['deployment-name'], traffic }).toEqual({ name, output: name, traffic: { [name]: 100 } });
  }
  const winners = Object.entries(runs).filter(([, r]) => r.exitCode === 0).map(([n]) => n);
  expect(winners).toHaveLength(1);
  const winner = winners[0];
  const loser = winner === 'blue' ? green : blue;
  expect(loser.log).toMatch(new RegExp(`The traffic of endpoint '${ENDPOINT}' was changed by another operation [^:]*: this run expected [^;]*; '${winner}' took the traffic`));
  // The loser did not put the traffic back over the winner's.
  expect(traffic).toEqual({ [winner]: 100 });
});
