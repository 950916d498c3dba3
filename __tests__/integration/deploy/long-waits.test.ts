/**
 * Long waits: a deploy outlives the GitHub OIDC token and its Entra tokens; a run can be cancelled
 * mid-way. Both against the test bed, running dist/index.js as the runner does.
 */
import { control, specViolations, startFixture, tail, type Fixture } from '../testbed-fixture';

let fx: Fixture;
const inputs = {
  'model-repository': 'samples/tao-detectnet-v2/model_repository',
  'endpoint-name': 'patient',
  'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
  'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
};

beforeAll(async () => {
  fx = await startFixture('long-waits');
}, 180000);
afterAll(async () => fx?.stop());

it('finishes a deploy that outlives its OIDC and Entra tokens, asking the runner for a fresh OIDC token each time', async () => {
  const s = fx.testbed.settings;
  // Tokens short enough that provisioning outlives several of them, long enough that a fresh one is
  // still valid when a loaded machine delivers the request it was fetched for.
  await control(s, 'POST', '/entra/token-lifetime', { accessTokenSeconds: 5, oidcTokenSeconds: 5 });
  await control(s, 'POST', '/ml/timing', { provisioningMs: 15000 });
  await control(s, 'POST', '/reset-log');
  try {
    const run = await fx.run(inputs);
    expect({ code: run.exitCode, log: run.exitCode ? tail(run) : '' }).toEqual({ code: 0, log: '' });
    const requests = await control<{ method: string; url: string; status: number }[]>(s, 'GET', '/requests');
    const oidc = requests.filter((r) => r.url.includes('/_github/actions/idtoken'));
    const entra = requests.filter((r) => /oauth2\/v2\.0\/token/.test(r.url));
    // Every Entra token came from a fresh, valid assertion: none was refused as expired.
    expect(entra.length).toBeGreaterThan(1);
    expect(entra.every((r) => r.status === 200)).toBe(true);
    expect(oidc.length).toBeGreaterThanOrEqual(entra.length);
  } finally {
    await control(s, 'POST', '/entra/token-lifetime', { accessTokenSeconds: 3600, oidcTokenSeconds: 300 });
    await control(s, 'POST', '/ml/timing', { provisioningMs: 1000 });
  }
});

it('stops cleanly on SIGTERM during provisioning, reports what it created and leaves traffic alone', async () => {
  const s = fx.testbed.settings;
  const before = (await fx.state()).endpoints.find((e) => e.name === 'patient')!.traffic;
  await control(s, 'POST', '/ml/timing', { provisioningMs: 30000 });
  try {
    const run = await fx.runWith({ inputs: { ...inputs, 'instance-count': '2' }, killAfterMs: 6000 });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/Received SIGTERM/);
    expect(run.log).toMatch(/Created by this run: .*deployment patient\/triton-/);
    expect(run.summary).toMatch(/Created by this run/);
    expect((await fx.state()).endpoints.find((e) => e.name === 'patient')!.traffic).toEqual(before);
  } finally {
    await control(s, 'POST', '/ml/timing', { provisioningMs: 1000 });
  }
});

it('kept to the specs throughout', async () => {
  expect(await specViolations(fx.testbed.settings)).toEqual([]);
});
