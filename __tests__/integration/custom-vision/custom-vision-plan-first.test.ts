/**
 * Issue 10 (6): with the Custom Vision source, a dry run only reads (it finds the project, counts the
 * uploads, says whether training would run, and stops), and Azure sign-in comes before any Custom
 * Vision call, so bad Azure credentials cost no upload and no training.
 */
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = (over: Record<string, string> = {}) => ({
  'model-source': 'custom-vision',
  'custom-vision-endpoint': fx.testbed.settings.customVisionEndpoint,
  'custom-vision-training-key': fx.testbed.settings.customVisionTrainingKey,
  'custom-vision-project-name': 'street-signs',
  'custom-vision-dataset': 'samples/custom-vision/dataset',
  'endpoint-name': 'signs',
  'smoke-test-images': 'samples/custom-vision/images/test.png',
  ...over,
});

interface Exchange {
  method: string;
  url: string;
}
const exchanges = () => control<Exchange[]>(fx.testbed.settings, 'GET', '/requests');
const customVision = (all: Exchange[]) => all.filter((r) => r.url.includes('/customvision/'));
const writes = (all: Exchange[]) => all.filter((r) => !['GET', 'HEAD'].includes(r.method)).map((r) => `${r.method} ${r.url}`);

beforeAll(async () => {
  fx = await startFixture('cv-plan-first');
}, 180000);
afterAll(async () => fx?.stop());
beforeEach(() => control(fx.testbed.settings, 'POST', '/reset-log'));

it('fails on bad Azure credentials before any Custom Vision call', async () => {
  const run = await fx.run(inputs({ 'auth-type': 'client-secret', 'client-secret': 'not-the-secret' }));
  expect(run.exitCode).toBe(1);
  expect(run.log).toMatch(/Sign-in to Entra ID \(client-secret\) failed/);
  const all = await exchanges();
  expect(customVision(all).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  expect(all.some((r) => /oauth2\/v2\.0\/token/.test(r.url))).toBe(true);
});

it('plans a dry run on Custom Vision with reads only, and prints the plan in the log and the summary', async () => {
  const run = await fx.run(inputs({ 'dry-run': 'true' }));
  expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
  const all = await exchanges();
  expect(customVision(all).length).toBeGreaterThan(0);
  expect(writes(customVision(all))).toEqual([]);
  expect(writes(all.filter((r) => /\/subscriptions\//.test(r.url)))).toEqual([]);
  // Signed in (and read the workspace) before the first Custom Vision call.
  const firstCv = all.findIndex((r) => r.url.includes('/customvision/'));
  const workspaceRead = all.findIndex((r) => r.method === 'GET' && /\/workspaces\/[^/?]+\?/.test(r.url));
  expect(workspaceRead).toBeGreaterThanOrEqual(0);
  expect(workspaceRead).toBeLessThan(firstCv);

  expect(run.log).toMatch(/project {4}create "street-signs" \(domain "General \(compact\) \[S1\]"\)/);
  expect(run.log).toMatch(/images {5}upload 18, 0 already there; create tag\(s\) "stop-sign", "tree"/);
  expect(run.log).toMatch(/training {3}would train a new iteration: the project is new/);
  expect(run.summary).toMatch(/Custom Vision images<\/td><td>⏭️ skip<\/td><td>upload 18, 0 already there/);
  expect(run.summary).toMatch(/Custom Vision training<\/td><td>⏭️ skip<\/td><td>would train a new iteration/);
  expect(run.summary).toMatch(/dry run/);
  const state = await control<{ projects: unknown[] }>(fx.testbed.settings, 'GET', '/custom-vision/state');
  expect(state.projects).toEqual([]);
  expect(run.outputs.plan).toMatch(/plan\.json$/);
});

it('spoke to Custom Vision and Azure only in ways their official specs accept', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
  expect(await control(fx.testbed.settings, 'GET', '/custom-vision/violations')).toEqual([]);
});
