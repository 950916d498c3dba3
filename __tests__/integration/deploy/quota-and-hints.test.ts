/**
 * Issue 8, points 6 and 8, end to end against the test bed: the plan reads the region's VM sizes and
 * dedicated-core usage and refuses, before any write, a deployment that cannot fit or a VM size the
 * region does not offer; deployment failures carry the troubleshooting guide's hint, naming the
 * endpoint's identity for a pull failure. Each test runs the action once; they build on each other.
 */
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'model-name': 'DetectNet',
  'endpoint-name': 'quota-ep',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  'model-type': 'triton_model',
};
const T4 = 'standardNCASv3_T4Family';

beforeAll(async () => {
  fx = await startFixture('quota');
}, 180000);
afterAll(async () => fx?.stop());

/** Writes to ARM (anything but GET) since the last reset-log. */
async function armWrites(): Promise<string[]> {
  const requests = await control<{ method: string; url: string }[]>(fx.testbed.settings, 'GET', '/requests');
  return requests.filter((r) => r.method !== 'GET' && /\/subscriptions\//.test(r.url)).map((r) => `${r.method} ${new URL(r.url, 'https://x').pathname}`);
}

async function reset(quota: Record<string, unknown> = {}): Promise<void> {
  await control(fx.testbed.settings, 'DELETE', '/ml/quota');
  await control(fx.testbed.settings, 'POST', '/ml/quota', quota);
  await control(fx.testbed.settings, 'POST', '/reset-log');
}

it('refuses at plan time, with the numbers, a T4 deployment that does not fit the family quota, and writes nothing', async () => {
  // 8 cores of T4 quota, 4 held elsewhere: one NC4as_T4_v3 instance needs ceil(1.2 x 1) x 4 = 8.
  await reset({ families: { [T4]: { limit: 8, usedElsewhere: 4 } } });
  const run = await fx.run(inputs);
  expect(run.exitCode).not.toBe(0);
  // The runner's ::error:: command escapes '%' as %25.
  expect(run.log.replace(/%25/g, '%')).toContain(
    'instance-type Standard_NC4as_T4_v3 x1 (family standardNCASv3_T4Family, 4 vCPUs each) needs 8 vCPUs of quota (Azure ML reserves 20% extra: ceil(1.2 x 1) = 2 instances x 4 vCPUs), ' +
      'but Standard NCASv3_T4 Family Cluster Dedicated vCPUs: 4 of 8 in use, 4 free.',
  );
  expect(run.log).toMatch(/quota {6}Standard_NC4as_T4_v3 x1 needs 8 vCPUs of standardNCASv3_T4Family — DOES NOT FIT/);
  expect(await armWrites()).toEqual([]);
  expect((await fx.state()).endpoints).toEqual([]);
});

it('prints the quota verdict in a dry run and fails it the same way', async () => {
  await reset({ total: { limit: 100, usedElsewhere: 95 } });
  const run = await fx.run({ ...inputs, 'dry-run': 'true' });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/quota {6}.*DOES NOT FIT \(.*Total Cluster Dedicated Regional vCPUs: 95\/100 used\)/);
  expect(run.log).toContain('but Total Cluster Dedicated Regional vCPUs: 95 of 100 in use, 5 free.');
  expect(await armWrites()).toEqual([]);
});

it('refuses an instance type the region does not list, with close names, before the endpoint exists', async () => {
  await reset();
  const run = await fx.run({ ...inputs, 'instance-type': 'Standard_NC4as_T4' });
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/instance-type 'Standard_NC4as_T4' is not a VM size Azure ML offers in \w+; did you mean 'Standard_NC4as_T4_v3'/);
  expect(await armWrites()).toEqual([]);
});

it.each([
  ['ImageNotFound', (principal: string) => new RegExp(`ImageNotFound[\\s\\S]*Hint: the endpoint's system-assigned identity \\(principal id ${principal}\\) pulls the image[\\s\\S]*AcrPull role`)],
  ['SecretsInjectionError', (principal: string) => new RegExp(`SecretsInjectionError[\\s\\S]*Hint: the endpoint's system-assigned identity \\(principal id ${principal}\\) could not read the secrets`)],
  ['WorkspaceManagedNetworkNotReady', () => /WorkspaceManagedNetworkNotReady[\s\S]*Hint: the workspace's managed virtual network is not provisioned yet/],
])('explains a deployment that fails with %s', async (code, hint) => {
  await reset();
  await control(fx.testbed.settings, 'POST', '/ml/provisioning-failures', { deployment: '.*', code });
  const run = await fx.run(inputs);
  expect(run.exitCode).not.toBe(0);
  const requests = await control<{ method: string; url: string; status: number; responseBody?: { identity?: { principalId?: string } } }[]>(fx.testbed.settings, 'GET', '/requests');
  const principal = requests.find((r) => r.method === 'GET' && /\/onlineEndpoints\/quota-ep\?/.test(r.url) && r.status === 200)?.responseBody?.identity?.principalId;
  expect(principal).toMatch(/^[0-9a-f-]{36}$/);
  expect({ log: tail(run, 60) }).toEqual({ log: expect.stringMatching(hint(principal!)) });
});

it('warns and goes on when the usages cannot be read; the service then refuses with OutOfQuota', async () => {
  await reset({ deny: ['usages'], families: { [T4]: { limit: 4 } } });
  const run = await fx.run(inputs);
  expect(run.exitCode).not.toBe(0);
  expect(run.log).toMatch(/::warning::Could not read usages: HTTP 403 AuthorizationFailed/);
  expect(run.log).toMatch(/OutOfQuota[\s\S]*Current usage\/limit: 0\/4\. Additional needed: 8[\s\S]*Hint: request GPU quota/);
});

it('deploys when the quota fits, says so in the plan, and every exchange met the specs', async () => {
  await reset({ families: { [T4]: { limit: 8 } } });
  const run = await fx.run(inputs);
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  expect(run.log).toMatch(/quota {6}Standard_NC4as_T4_v3 x1 needs 8 vCPUs of standardNCASv3_T4Family — fits/);
  expect((await fx.state()).endpoints[0].deployments).toMatchObject([{ provisioningState: 'Succeeded', instanceType: 'Standard_NC4as_T4_v3' }]);
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
