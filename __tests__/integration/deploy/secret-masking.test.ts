/**
 * Issue 12 (9): every secret a deploy handles is masked before anything can print it, and appears in
 * no output, summary, artifact or temp file. The secrets come from the test bed (what it handed
 * out: endpoint keys, ACR refresh and access tokens, the datastore key) and from the inputs (the
 * client secret), so a secret the action forgets to mask fails the test, not only a mask that
 * goes wrong.
 */
import { control, startFixture, tail, type Fixture } from '../testbed-fixture';
import { issuedSecrets, secretLeaks } from '../secret-scan';

let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture('secret-masking');
}, 180000);
afterAll(async () => fx?.stop());

it('masks every secret of a first deploy before its first use, and writes none to a file', async () => {
  await control(fx.testbed.settings, 'POST', '/reset-log');
  const s = fx.testbed.settings;
  const run = await fx.run({
    'auth-type': 'client-secret',
    'client-secret': s.clientSecret,
    'model-repository': 'samples/tao-detectnet-v2/model_repository',
    'model-name': 'DetectNet',
    'endpoint-name': 'masked',
    'clustering-config': 'samples/tao-detectnet-v2/clustering_config_detectnet.prototxt',
    'smoke-test-images': 'samples/tao-detectnet-v2/images/street.png',
  });
  if (run.exitCode !== 0) throw new Error(tail(run));
  const issued = await issuedSecrets(s);
  // The run handled each kind: the scan below cannot pass by finding nothing to look for.
  const fields = new Set(issued.map((i) => i.name.split(' ')[0]));
  expect([...fields].sort()).toEqual(expect.arrayContaining(['key', 'primaryKey', 'secondaryKey', ...(fx.baseImage ? ['access_token', 'refresh_token'] : [])]));
  expect(secretLeaks(run, [...issued, { name: 'client-secret input', value: s.clientSecret }])).toEqual([]);
});
